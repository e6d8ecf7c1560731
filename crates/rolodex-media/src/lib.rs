//! Contact photos outside the core: the image pipeline (recognise, bound, decode, resize,
//! re-encode) and the filesystem photo storage. Both implement ports of `rolodex_core`; the
//! rules they apply (formats, byte and pixel limits, variant sizes) are the domain's.
//!
//! Nothing here knows contacts, tenants' data or HTTP.

#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
mod fs;
mod pipeline;

pub use fs::FsPhotoStorage;
pub use pipeline::ImagePipeline;
