//! Contact photos: the limits every upload is held to, the formats accepted, the stored
//! variants, and the reference a contact keeps to its photo. The bytes themselves live in
//! photo storage, never in the contact's record.

use crate::ids::TenantId;
use crate::validation::ValidationError;
use serde::{Deserialize, Serialize};

/// Largest upload accepted, in bytes (Valomnia: "image size should not exceed 2Mo").
pub const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;
/// Most pixels an upload may declare: checked from the header, before anything is decoded, so
/// that a small file declaring a huge image is refused without allocating it.
pub const MAX_PHOTO_PIXELS: u64 = 16_000_000;
/// Longest side an upload may declare, in pixels.
pub const MAX_PHOTO_SIDE: u32 = 8_192;
/// Most memory one decode may allocate, in bytes (the pixel cap times 4 bytes, with room for
/// 16-bit channels).
pub const MAX_DECODE_ALLOC: u64 = MAX_PHOTO_PIXELS * 8;

/// The formats an upload may be in, recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhotoFormat {
    Jpeg,
    Png,
    Gif,
    Bmp,
}

impl PhotoFormat {
    /// The format a stored photo is re-encoded to: JPEG stays JPEG, the lossless formats
    /// become PNG (GIF's palette and BMP's raw pixels lose nothing in PNG).
    pub fn stored(self) -> StoredFormat {
        match self {
            PhotoFormat::Jpeg => StoredFormat::Jpeg,
            PhotoFormat::Png | PhotoFormat::Gif | PhotoFormat::Bmp => StoredFormat::Png,
        }
    }
}

/// The format of the stored (re-encoded) files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoredFormat {
    Jpeg,
    Png,
}

impl StoredFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            StoredFormat::Jpeg => "image/jpeg",
            StoredFormat::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            StoredFormat::Jpeg => "jpg",
            StoredFormat::Png => "png",
        }
    }
}

/// The stored sizes of a photo: the original (re-encoded) and two resized variants that keep
/// its aspect ratio and fit in a square of their side. A photo smaller than a variant's side
/// is not enlarged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhotoSize {
    Original,
    Small,
    Medium,
}

impl PhotoSize {
    pub const ALL: [PhotoSize; 3] = [PhotoSize::Original, PhotoSize::Small, PhotoSize::Medium];

    /// The side of the square a variant fits in; `None` for the original.
    pub fn side(self) -> Option<u32> {
        match self {
            PhotoSize::Original => None,
            PhotoSize::Small => Some(128),
            PhotoSize::Medium => Some(512),
        }
    }

    /// What goes before the file name of this size (Valomnia's `small_` and `medium_`).
    pub fn prefix(self) -> &'static str {
        match self {
            PhotoSize::Original => "",
            PhotoSize::Small => "small_",
            PhotoSize::Medium => "medium_",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PhotoSize::Original => "original",
            PhotoSize::Small => "small",
            PhotoSize::Medium => "medium",
        }
    }

    /// `small` or `medium` (`original` too); anything else is not a size.
    pub fn parse(s: &str) -> Option<Self> {
        PhotoSize::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Why an upload was refused. Each is a validation error of the field `photo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoRejection {
    /// More than [`MAX_PHOTO_BYTES`].
    TooLarge,
    /// Not JPEG, PNG, GIF or BMP by content, whatever its name or declared type.
    UnsupportedFormat,
    /// Declares more than [`MAX_PHOTO_PIXELS`] pixels, or a side over [`MAX_PHOTO_SIDE`].
    TooManyPixels,
    /// Recognised, but does not decode (truncated or damaged).
    Undecodable,
}

impl PhotoRejection {
    pub fn code(self) -> &'static str {
        match self {
            PhotoRejection::TooLarge => "photo_too_large",
            PhotoRejection::UnsupportedFormat => "unsupported_photo_format",
            PhotoRejection::TooManyPixels => "photo_too_many_pixels",
            PhotoRejection::Undecodable => "photo_undecodable",
        }
    }

    /// The rejection a validation error code stands for, if it is one.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            PhotoRejection::TooLarge,
            PhotoRejection::UnsupportedFormat,
            PhotoRejection::TooManyPixels,
            PhotoRejection::Undecodable,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }

    fn message(self) -> String {
        match self {
            PhotoRejection::TooLarge => format!("a photo is at most {MAX_PHOTO_BYTES} bytes"),
            PhotoRejection::UnsupportedFormat => {
                "a photo must be a JPEG, PNG, GIF or BMP image".into()
            }
            PhotoRejection::TooManyPixels => format!(
                "a photo is at most {MAX_PHOTO_PIXELS} pixels and {MAX_PHOTO_SIDE} pixels a side"
            ),
            PhotoRejection::Undecodable => "the image is damaged or truncated".into(),
        }
    }
}

impl From<PhotoRejection> for ValidationError {
    fn from(r: PhotoRejection) -> Self {
        ValidationError::new("photo", r.code(), r.message())
    }
}

/// Checks an upload's size before anything reads its content.
pub fn check_photo_size(bytes: usize) -> Result<(), PhotoRejection> {
    if bytes > MAX_PHOTO_BYTES {
        Err(PhotoRejection::TooLarge)
    } else {
        Ok(())
    }
}

/// Checks the dimensions an image declares, before it is decoded.
pub fn check_photo_dimensions(width: u32, height: u32) -> Result<(), PhotoRejection> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0 || height == 0 {
        Err(PhotoRejection::Undecodable)
    } else if width > MAX_PHOTO_SIDE || height > MAX_PHOTO_SIDE || pixels > MAX_PHOTO_PIXELS {
        Err(PhotoRejection::TooManyPixels)
    } else {
        Ok(())
    }
}

/// The width and height of a variant of an image of `width` x `height`: the largest that fits
/// in the variant's square with the same aspect ratio, never larger than the image.
pub fn variant_dimensions(size: PhotoSize, width: u32, height: u32) -> (u32, u32) {
    let Some(side) = size.side() else {
        return (width, height);
    };
    if width <= side && height <= side {
        return (width, height);
    }
    let (w, h) = (u64::from(width), u64::from(height));
    let side64 = u64::from(side);
    let scaled = |long: u64, short: u64| -> u32 {
        u32::try_from((short * side64).div_ceil(long).max(1)).unwrap_or(side)
    };
    if w >= h {
        (side, scaled(w, h))
    } else {
        (scaled(h, w), side)
    }
}

/// A contact's photo as its record keeps it: where the files are and what they hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    /// The file name of the original, unique per upload (`<epoch-ms>_<random>.<ext>`); a
    /// variant's name is its size's prefix followed by this name.
    pub name: String,
    pub format: StoredFormat,
    pub width: u32,
    pub height: u32,
    /// Size of the stored original, in bytes.
    pub bytes: u64,
    /// SHA-256 of the stored original, hex: the photo's entity tag.
    pub sha256: String,
}

impl PhotoRef {
    /// The storage key of one size of this photo: `tenants/<tenant>/photos/<prefix><name>`.
    /// Keys are flat names under a tenant prefix, so that S3-compatible object storage can
    /// hold them as they are.
    pub fn key(&self, tenant: TenantId, size: PhotoSize) -> String {
        photo_key(tenant, size, &self.name)
    }

    /// The file name of one size of this photo.
    pub fn file_name(&self, size: PhotoSize) -> String {
        format!("{}{}", size.prefix(), self.name)
    }
}

/// The storage key of one size of the photo called `name`.
pub fn photo_key(tenant: TenantId, size: PhotoSize, name: &str) -> String {
    format!("{}/{}{name}", photo_folder(tenant), size.prefix())
}

/// The storage folder of a tenant's photo files.
pub fn photo_folder(tenant: TenantId) -> String {
    format!("tenants/{tenant}/photos")
}

/// When the photo called `name` was stored, in Unix milliseconds: names start with it
/// (`<millis>_<nonce>.<ext>`). `None` for a name of another shape.
pub fn stored_at_millis(name: &str) -> Option<i64> {
    name.split_once('_')?.0.parse().ok()
}

/// Splits a file name into the size its prefix names and the photo's name.
pub fn parse_file_name(file: &str) -> (PhotoSize, &str) {
    for size in [PhotoSize::Small, PhotoSize::Medium] {
        if let Some(name) = file.strip_prefix(size.prefix()) {
            return (size, name);
        }
    }
    (PhotoSize::Original, file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_keep_the_aspect_ratio_and_never_enlarge() {
        assert_eq!(variant_dimensions(PhotoSize::Small, 1000, 500), (128, 64));
        assert_eq!(variant_dimensions(PhotoSize::Medium, 600, 1200), (256, 512));
        assert_eq!(variant_dimensions(PhotoSize::Medium, 100, 40), (100, 40));
        assert_eq!(variant_dimensions(PhotoSize::Small, 4000, 1), (128, 1));
        assert_eq!(
            variant_dimensions(PhotoSize::Original, 4000, 3000),
            (4000, 3000)
        );
    }

    #[test]
    fn declared_dimensions_are_capped_before_decoding() {
        assert_eq!(check_photo_dimensions(4000, 4000), Ok(()));
        assert_eq!(
            check_photo_dimensions(30_000, 30_000),
            Err(PhotoRejection::TooManyPixels)
        );
        assert_eq!(
            check_photo_dimensions(8_000, 8_000),
            Err(PhotoRejection::TooManyPixels)
        );
        assert_eq!(
            check_photo_dimensions(9_000, 10),
            Err(PhotoRejection::TooManyPixels)
        );
        assert_eq!(
            check_photo_dimensions(0, 10),
            Err(PhotoRejection::Undecodable)
        );
    }

    #[test]
    fn uploads_are_at_most_two_megabytes() {
        assert_eq!(check_photo_size(MAX_PHOTO_BYTES), Ok(()));
        assert_eq!(
            check_photo_size(MAX_PHOTO_BYTES + 1),
            Err(PhotoRejection::TooLarge)
        );
    }

    #[test]
    fn file_names_carry_their_size_as_a_prefix() {
        let photo = PhotoRef {
            name: "1471508040029_ab12.png".into(),
            format: StoredFormat::Png,
            width: 10,
            height: 10,
            bytes: 100,
            sha256: String::new(),
        };
        assert_eq!(
            photo.key(TenantId(3), PhotoSize::Medium),
            "tenants/3/photos/medium_1471508040029_ab12.png"
        );
        for size in PhotoSize::ALL {
            assert_eq!(
                parse_file_name(&photo.file_name(size)),
                (size, photo.name.as_str())
            );
        }
    }

    #[test]
    fn photo_names_start_with_when_they_were_stored() {
        assert_eq!(
            stored_at_millis("1700000000123_00000000deadbeef.png"),
            Some(1_700_000_000_123)
        );
        assert_eq!(stored_at_millis("photo.png"), None);
        assert_eq!(stored_at_millis("x_y.png"), None);
    }

    #[test]
    fn rejections_are_validation_errors_of_the_photo() {
        for r in [
            PhotoRejection::TooLarge,
            PhotoRejection::UnsupportedFormat,
            PhotoRejection::TooManyPixels,
            PhotoRejection::Undecodable,
        ] {
            let e = ValidationError::from(r);
            assert_eq!(e.field, "photo");
            assert_eq!(PhotoRejection::from_code(e.code), Some(r));
        }
    }
}
