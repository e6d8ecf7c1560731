//! The image pipeline: the format is sniffed from the content (magic bytes), never from a
//! file name or a declared type; the declared dimensions are checked from the header before
//! anything is decoded, and the decoder runs under width, height and allocation limits as a
//! second guard; every size, the original included, is re-encoded from the decoded pixels,
//! so that metadata and any payload hidden in the upload are dropped. The CPU-bound work runs
//! on the blocking pool.

use async_trait::async_trait;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use rolodex_core::ports::{PhotoPipeline, PipelineError, ProcessedPhoto};
use rolodex_domain::photo::{
    MAX_DECODE_ALLOC, MAX_PHOTO_SIDE, PhotoFormat, StoredFormat, check_photo_dimensions,
    variant_dimensions,
};
use rolodex_domain::{PhotoRejection, PhotoSize};
use std::io::Cursor;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Quality of re-encoded JPEG files.
const JPEG_QUALITY: u8 = 85;

/// The `image`-crate pipeline. A decode may take up to [`MAX_DECODE_ALLOC`] bytes for its
/// pixels, plus their resized copies: a semaphore bounds how many run at once, so the memory
/// photos take is bounded whatever the number of concurrent uploads (the others wait, within
/// their request's deadline).
#[derive(Debug, Clone)]
pub struct ImagePipeline {
    decodes: Arc<Semaphore>,
}

impl ImagePipeline {
    /// A pipeline running at most `concurrent` decodes at once (at least one).
    pub fn new(concurrent: usize) -> Self {
        Self {
            decodes: Arc::new(Semaphore::new(concurrent.max(1))),
        }
    }

    /// A pipeline running as many decodes at once as the machine has cores: the work is
    /// CPU-bound, so more would only hold more memory, not finish sooner.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
    }
}

#[async_trait]
impl PhotoPipeline for ImagePipeline {
    async fn process(&self, upload: Vec<u8>) -> Result<ProcessedPhoto, PipelineError> {
        let permit = Arc::clone(&self.decodes)
            .acquire_owned()
            .await
            .map_err(|e| PipelineError::Failed(Box::new(e)))?;
        tokio::task::spawn_blocking(move || {
            let processed = process(&upload);
            drop(permit);
            processed
        })
        .await
        .map_err(|e| PipelineError::Failed(Box::new(e)))?
    }
}

/// The whole pipeline, synchronously.
pub fn process(upload: &[u8]) -> Result<ProcessedPhoto, PipelineError> {
    let format = sniff(upload)?;
    if format == PhotoFormat::Jpeg && !ends_with_end_of_image(upload) {
        return Err(PipelineError::Rejected(PhotoRejection::Undecodable));
    }
    let (width, height) = reader(upload, format)
        .into_dimensions()
        .map_err(|_| PipelineError::Rejected(PhotoRejection::Undecodable))?;
    check_photo_dimensions(width, height).map_err(PipelineError::Rejected)?;
    let mut reader = reader(upload, format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_SIDE);
    limits.max_image_height = Some(MAX_PHOTO_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => PipelineError::Rejected(PhotoRejection::TooManyPixels),
        _ => PipelineError::Rejected(PhotoRejection::Undecodable),
    })?;
    let stored = format.stored();
    let encode = |size: PhotoSize| {
        let (w, h) = variant_dimensions(size, image.width(), image.height());
        if (w, h) == (image.width(), image.height()) {
            encode(&image, stored)
        } else {
            encode(&image.resize_exact(w, h, FilterType::Triangle), stored)
        }
    };
    Ok(ProcessedPhoto {
        format: stored,
        width: image.width(),
        height: image.height(),
        original: encode(PhotoSize::Original)?,
        small: encode(PhotoSize::Small)?,
        medium: encode(PhotoSize::Medium)?,
    })
}

/// The upload's format, by its magic bytes.
fn sniff(upload: &[u8]) -> Result<PhotoFormat, PipelineError> {
    match image::guess_format(upload) {
        Ok(ImageFormat::Jpeg) => Ok(PhotoFormat::Jpeg),
        Ok(ImageFormat::Png) => Ok(PhotoFormat::Png),
        Ok(ImageFormat::Gif) => Ok(PhotoFormat::Gif),
        Ok(ImageFormat::Bmp) => Ok(PhotoFormat::Bmp),
        _ => Err(PipelineError::Rejected(PhotoRejection::UnsupportedFormat)),
    }
}

/// Whether a JPEG ends with its end-of-image marker (`FF D9`, before any zero padding). The
/// JPEG decoder fills the missing part of a truncated file with grey instead of failing, so
/// truncation is caught here.
fn ends_with_end_of_image(upload: &[u8]) -> bool {
    let end = upload.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    upload[..end].ends_with(&[0xff, 0xd9])
}

fn reader(upload: &[u8], format: PhotoFormat) -> ImageReader<Cursor<&[u8]>> {
    let format = match format {
        PhotoFormat::Jpeg => ImageFormat::Jpeg,
        PhotoFormat::Png => ImageFormat::Png,
        PhotoFormat::Gif => ImageFormat::Gif,
        PhotoFormat::Bmp => ImageFormat::Bmp,
    };
    ImageReader::with_format(Cursor::new(upload), format)
}

fn encode(image: &DynamicImage, format: StoredFormat) -> Result<Vec<u8>, PipelineError> {
    let mut out = Vec::new();
    let written = match format {
        StoredFormat::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8())
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)),
        StoredFormat::Png => image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png),
    };
    written.map_err(|e| PipelineError::Failed(Box::new(e)))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn picture(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), format)
            .expect("encodes");
        out
    }

    fn rejection(upload: &[u8]) -> PhotoRejection {
        match process(upload) {
            Err(PipelineError::Rejected(r)) => r,
            Err(PipelineError::Failed(e)) => panic!("expected a rejection, got {e:?}"),
            Ok(p) => panic!("expected a rejection, got a {}x{} photo", p.width, p.height),
        }
    }

    #[test]
    fn every_accepted_format_gives_three_sizes_keeping_the_aspect() {
        for (format, stored) in [
            (ImageFormat::Jpeg, StoredFormat::Jpeg),
            (ImageFormat::Png, StoredFormat::Png),
            (ImageFormat::Gif, StoredFormat::Png),
            (ImageFormat::Bmp, StoredFormat::Png),
        ] {
            let out = process(&picture(800, 400, format)).expect("accepted");
            assert_eq!(out.format, stored, "{format:?}");
            assert_eq!((out.width, out.height), (800, 400));
            for (bytes, dims) in [
                (&out.original, (800, 400)),
                (&out.small, (128, 64)),
                (&out.medium, (512, 256)),
            ] {
                let back = image::load_from_memory(bytes).expect("decodes");
                assert_eq!((back.width(), back.height()), dims, "{format:?}");
                assert_eq!(
                    image::guess_format(bytes).ok(),
                    Some(match stored {
                        StoredFormat::Jpeg => ImageFormat::Jpeg,
                        StoredFormat::Png => ImageFormat::Png,
                    })
                );
            }
        }
    }

    #[test]
    fn text_is_not_an_image_whatever_its_name() {
        assert_eq!(
            rejection(b"just some text in a file called photo.png"),
            PhotoRejection::UnsupportedFormat
        );
    }

    #[test]
    fn a_truncated_jpeg_is_undecodable() {
        let jpeg = picture(300, 200, ImageFormat::Jpeg);
        assert_eq!(
            rejection(&jpeg[..jpeg.len() / 2]),
            PhotoRejection::Undecodable
        );
    }

    #[test]
    fn a_tiny_png_declaring_a_huge_image_is_refused_before_decoding() {
        let bomb = crate::fixtures::png_declaring(30_000, 30_000);
        assert!(bomb.len() < 100);
        assert_eq!(rejection(&bomb), PhotoRejection::TooManyPixels);
    }
}
