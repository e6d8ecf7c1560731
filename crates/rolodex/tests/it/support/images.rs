//! Test images, generated (no binary fixture is committed): real JPEG, PNG, GIF and BMP
//! files, and the malformed uploads a photo endpoint must refuse.

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use std::io::Cursor;

/// An image of `width` x `height` with a gradient, encoded as `format`.
pub fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            u8::try_from(x % 256).expect("below 256"),
            u8::try_from(y % 256).expect("below 256"),
            u8::try_from((x * 7 + y * 3) % 256).expect("below 256"),
        ])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), format)
        .expect("the test image encodes");
    out
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encoded(width, height, ImageFormat::Jpeg)
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    encoded(width, height, ImageFormat::Png)
}

pub fn gif(width: u32, height: u32) -> Vec<u8> {
    encoded(width, height, ImageFormat::Gif)
}

pub fn bmp(width: u32, height: u32) -> Vec<u8> {
    encoded(width, height, ImageFormat::Bmp)
}

/// A real image of about 3 MB (an uncompressed BMP).
pub fn three_megabytes() -> Vec<u8> {
    let bytes = bmp(1024, 1000);
    assert!(bytes.len() > 3_000_000, "{} bytes", bytes.len());
    bytes
}

/// A JPEG cut in half.
pub fn truncated_jpeg() -> Vec<u8> {
    let mut bytes = jpeg(300, 200);
    bytes.truncate(bytes.len() / 2);
    bytes
}

/// Text, to be sent under a name ending in `.png`.
pub fn text() -> Vec<u8> {
    b"This is not a picture, whatever its name says.\n".to_vec()
}

/// A tiny PNG whose header declares `width` x `height` pixels (a decompression bomb's
/// shape): a valid signature and IHDR, one small data chunk, IEND.
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).expect("small").to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffff_u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The dimensions of an encoded image, and its format, read back.
pub fn decode(bytes: &[u8]) -> (u32, u32, ImageFormat) {
    let format = image::guess_format(bytes).expect("a known image format");
    let img = image::load_from_memory(bytes).expect("the image decodes");
    (img.width(), img.height(), format)
}
