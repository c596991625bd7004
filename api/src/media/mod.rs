//! Photos: sanitising what phones send, and keeping it encrypted at rest.
//!
//! A hazard photo must show the hazard and nothing about who took it. [`sanitize`] decodes an
//! upload to pixels, turns it upright and re-encodes it, so no metadata survives; [`PhotoVault`]
//! seals the result with the crypto crate and puts it in a content-addressed [`BlobStore`]
//! ([`LocalBlobStore`] by default).
//!
//! Everything here blocks (CPU or file I/O): run it off the async executor, sanitising on the
//! bounded CPU pool (`AppContext::cpu`).

pub mod blob;
mod decode;
mod encode;
mod errors;
mod jpeg_header;
pub mod migrate;
pub mod orient;
mod phash;
mod pixels;
mod resize;
pub mod s3;
pub mod sanitize;
pub mod sniff;
pub mod vault;

pub use blob::{BlobStore, LocalBlobStore};
pub use encode::JPEG_QUALITY;
pub use orient::Orientation;
pub use phash::hamming;
pub use s3::S3BlobStore;
pub use sanitize::{
    DISPLAY_EDGE, JpegDecoder, PhotoLimits, SanitizedPhoto, StageTimes, THUMB_EDGE, sanitize,
    sanitize_timed,
};
pub use sniff::PhotoType;
pub use vault::{PhotoVault, Variant};
