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

/// A PNG of about 16 megapixels (just within the limit) in one colour with an alpha channel:
/// a few hundred kilobytes to upload, 64 MB of pixels to decode.
pub fn dense_png() -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(4000, 3990, image::Rgba([200, 30, 90, 255]));
    let mut out = Vec::new();
    DynamicImage::ImageRgba8(img)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
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

pub use rolodex_media::fixtures::png_declaring;

/// The dimensions of an encoded image, and its format, read back.
pub fn decode(bytes: &[u8]) -> (u32, u32, ImageFormat) {
    let format = image::guess_format(bytes).expect("a known image format");
    let img = image::load_from_memory(bytes).expect("the image decodes");
    (img.width(), img.height(), format)
}
