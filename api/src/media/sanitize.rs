//! The photo pipeline: from the bytes a phone sent to a display copy and a thumbnail that carry
//! pixels and nothing else.
//!
//! A phone photo's metadata can name the worker who took it: GPS position, camera make, model
//! and serial number, maker notes, XMP edit history, even a comment. Stripping known tags is a
//! losing game (maker notes are undocumented, and a polyglot file hides data where no stripper
//! looks), so nothing of the input survives: it is decoded to pixels, turned upright, resized and
//! encoded afresh. The encoder writes a bare JFIF header, so there is no EXIF, GPS, XMP, ICC
//! profile, comment, maker note or serial to leak.
//!
//! [`sanitize`] is synchronous and CPU-heavy (about 70 ms of one core for a 12-megapixel JPEG):
//! run it on the CPU pool (`AppContext::cpu`, see [`crate::cpu_pool`]), never on the async
//! executor, so a burst of uploads queues instead of exhausting memory, and the JPEG decoder's
//! tasks run on that pool's threads.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

use super::decode::decode;
use super::encode::{self, JPEG_QUALITY};
use super::sniff::{PhotoType, sniff};
use super::{errors, orient, phash, resize};
use crate::error::AppError;

/// Long edge of the display copy, in pixels: enough to read a gauge or a nameplate on a
/// manager's screen, small enough to open quickly on a phone.
pub const DISPLAY_EDGE: u32 = 2048;
/// Long edge of the thumbnail, in pixels: an inbox row.
pub const THUMB_EDGE: u32 = 320;

/// Which JPEG decoder reads uploads: the one place where speed and the amount of `unsafe` code
/// that parses hostile bytes could trade against each other.
///
/// Measured on this project's 2-core machine at half scale on a 12-megapixel phone-like photo,
/// on a one-thread rayon pool as on a busy server: `jpeg-decoder` 53–54 ms of CPU,
/// `libjpeg-turbo-rs` 63–69 ms. The default is both the faster and the one with the smaller
/// unsafe surface.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum JpegDecoder {
    /// The `jpeg-decoder` crate (image-rs): mature, fuzzed, mostly safe Rust.
    #[default]
    Conservative,
    /// `libjpeg-turbo-rs`, a pure-Rust port of libjpeg-turbo whose SIMD kernels use `unsafe` and
    /// whose authors make no memory-safety guarantee yet. Kept for comparison on other hardware;
    /// our own header parser and limits run before it sees the bytes.
    Turbo,
}

/// What a photo may be, checked before anything is decoded, and how JPEGs are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoLimits {
    /// Encoded size in bytes (default 25 MiB).
    pub max_bytes: usize,
    /// Width × height (default 50 megapixels: what the largest phone sensors produce).
    pub max_pixels: u64,
    /// Longest side in pixels (default 20 000: no camera makes a longer strip, a bomb does).
    pub max_side: u32,
    /// The JPEG decoder to use (default [`JpegDecoder::Conservative`]).
    pub jpeg_decoder: JpegDecoder,
    /// Width × height of a PNG or WebP (default 8 megapixels; the phone page sends at most 2048 px
    /// a side). Lower than for JPEG: a phone
    /// photo is a JPEG, while a PNG or WebP of tens of megapixels is a screenshot montage or a
    /// bomb (a 373 KB PNG can declare 48 megapixels of 16-bit RGBA), and these decoders cannot
    /// decode at a reduced scale.
    pub max_raster_pixels: u64,
    /// Scans of a JPEG (default 100, libjpeg-turbo's advice for its `max_scans`): a progressive
    /// camera JPEG has about 10; a bomb repeats its last scan thousands of times.
    pub max_jpeg_scans: u32,
    /// Scans × pixels of a JPEG (default 600 million: ten scans of a 50-megapixel photo); a
    /// progressive decode costs a pass over the whole picture per scan.
    pub max_scan_pixels: u64,
    /// Wall-clock time one sanitise may take (default 30 s; a 12-megapixel photo takes ~0.1 s of
    /// CPU in a release build), checked between its stages: a photo
    /// that is still not done by then is refused rather than handed on to the next stage.
    pub time_budget: Duration,
}

impl Default for PhotoLimits {
    fn default() -> Self {
        Self {
            max_bytes: 25 * 1024 * 1024,
            max_pixels: 50_000_000,
            max_side: 20_000,
            jpeg_decoder: JpegDecoder::default(),
            max_raster_pixels: 8_000_000,
            max_jpeg_scans: 100,
            max_scan_pixels: 600_000_000,
            time_budget: Duration::from_secs(30),
        }
    }
}

impl PhotoLimits {
    /// 413 `photo_too_large` unless `width × height` is within the limits.
    pub fn check_dimensions(&self, width: u32, height: u32) -> Result<(), AppError> {
        let pixels = u64::from(width) * u64::from(height);
        if width > self.max_side || height > self.max_side || pixels > self.max_pixels {
            return Err(errors::too_many_pixels(self));
        }
        Ok(())
    }

    /// 413 `photo_too_large` unless a PNG or WebP of `width × height` is within the limits.
    pub fn check_raster_dimensions(&self, width: u32, height: u32) -> Result<(), AppError> {
        self.check_dimensions(width, height)?;
        if u64::from(width) * u64::from(height) > self.max_raster_pixels {
            return Err(errors::too_many_raster_pixels(self));
        }
        Ok(())
    }

    /// 422 `photo_unreadable` when a JPEG of `pixels` with `scans` scans would cost more passes
    /// than the limits allow.
    pub(crate) fn check_scans(&self, scans: u32, pixels: u64) -> Result<(), AppError> {
        if scans > self.max_jpeg_scans
            || u64::from(scans).saturating_mul(pixels) > self.max_scan_pixels
        {
            return Err(errors::too_many_scans());
        }
        Ok(())
    }
}

/// A photo with nothing left but pixels, ready to be encrypted and stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SanitizedPhoto {
    /// What the upload was.
    pub source_type: PhotoType,
    /// Baseline JPEG, upright, long edge at most [`DISPLAY_EDGE`].
    pub display: Vec<u8>,
    /// Width of the display copy, after orientation.
    pub width: u32,
    /// Height of the display copy, after orientation.
    pub height: u32,
    /// Baseline JPEG, upright, long edge at most [`THUMB_EDGE`].
    pub thumb: Vec<u8>,
    /// Width of the thumbnail.
    pub thumb_width: u32,
    /// Height of the thumbnail.
    pub thumb_height: u32,
    /// SHA-256 of `display`, to spot the exact same upload twice.
    pub sha256: [u8; 32],
    /// Perceptual hash (dHash) of the thumbnail, for duplicate hints; compare with
    /// [`super::hamming`].
    pub phash: u64,
}

impl SanitizedPhoto {
    /// `sha256` as lower-case hex, as stored in a database column.
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

impl std::fmt::Debug for SanitizedPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SanitizedPhoto")
            .field("source_type", &self.source_type)
            .field("display_bytes", &self.display.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("thumb_bytes", &self.thumb.len())
            .field("sha256", &self.sha256_hex())
            .field("phash", &format_args!("{:016x}", self.phash))
            .finish()
    }
}

/// Where the time of one [`sanitize_timed`] call went, for metrics and the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageTimes {
    /// Sniffing, header checks and decoding (at reduced scale where the format allows).
    pub decode: Duration,
    /// Resizing to the display size and to the thumbnail.
    pub resize: Duration,
    /// Applying the EXIF orientation.
    pub orient: Duration,
    /// Encoding both JPEGs.
    pub encode: Duration,
    /// SHA-256 and perceptual hash.
    pub hash: Duration,
}

impl StageTimes {
    /// All stages together.
    pub fn total(&self) -> Duration {
        self.decode + self.resize + self.orient + self.encode + self.hash
    }
}

/// Turns an uploaded photo into a metadata-free display copy and thumbnail.
///
/// Refuses with 413 `photo_too_large` (over `limits`, checked from the headers before decoding),
/// 415 `unsupported_photo_type` (HEIC, GIF, TIFF, …: only JPEG, PNG and WebP are accepted) or
/// 422 `photo_unreadable` (corrupt, truncated, not an image). Never panics on hostile input.
pub fn sanitize(bytes: &[u8], limits: &PhotoLimits) -> Result<SanitizedPhoto, AppError> {
    sanitize_timed(bytes, limits).map(|(photo, _)| photo)
}

/// [`sanitize`], also telling where the time went.
pub fn sanitize_timed(
    bytes: &[u8],
    limits: &PhotoLimits,
) -> Result<(SanitizedPhoto, StageTimes), AppError> {
    let mut times = StageTimes::default();
    let mut clock = Instant::now();
    let mut lap = |slot: &mut Duration| {
        let now = Instant::now();
        *slot += now - clock;
        clock = now;
    };

    if bytes.len() > limits.max_bytes {
        return Err(errors::too_many_bytes(limits.max_bytes));
    }
    let source_type = sniff(bytes)?;
    // The decoders are fuzzed, but a panic on a hostile file must still end as a refusal of that
    // file and not as a 500.
    let started = Instant::now();
    let in_budget = || {
        if started.elapsed() > limits.time_budget {
            Err(errors::too_slow())
        } else {
            Ok(())
        }
    };
    let decoded = catch_unwind(AssertUnwindSafe(|| decode(bytes, source_type, limits)))
        .map_err(|_| errors::unreadable())??;
    lap(&mut times.decode);
    in_budget()?;

    let display = resize::shrink_to_fit(decoded.rgb, DISPLAY_EDGE)?;
    lap(&mut times.resize);
    in_budget()?;
    let display = orient::apply(display, decoded.orientation);
    lap(&mut times.orient);
    let (tw, th) = resize::fit(display.width, display.height, THUMB_EDGE);
    let thumb = if (tw, th) == (display.width, display.height) {
        display.clone()
    } else {
        resize::shrink(&display, tw, th)?
    };
    lap(&mut times.resize);

    let display_jpeg = encode::jpeg(&display, JPEG_QUALITY)?;
    let (width, height) = (display.width, display.height);
    drop(display);
    let thumb_jpeg = encode::jpeg(&thumb, JPEG_QUALITY)?;
    lap(&mut times.encode);

    let sha256 = Sha256::digest(&display_jpeg).into();
    let phash = phash::dhash(&thumb);
    lap(&mut times.hash);

    Ok((
        SanitizedPhoto {
            source_type,
            display: display_jpeg,
            width,
            height,
            thumb: thumb_jpeg,
            thumb_width: thumb.width,
            thumb_height: thumb.height,
            sha256,
            phash,
        },
        times,
    ))
}
