//! Turning an upload into photos that carry nothing but pixels: sniff the type, refuse what is
//! too large before decoding, decode, apply the EXIF orientation, and re-encode fresh JPEGs (a
//! display copy and a thumbnail) from the pixels alone — no EXIF, GPS, XMP, ICC, comment or maker
//! note survives because none of the original bytes are copied.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::error::{AppError, ErrorCode};

/// Limits checked before anything is decoded.
#[derive(Debug, Clone)]
pub struct PhotoLimits {
    /// Largest encoded upload, in bytes.
    pub max_bytes: usize,
    /// Most pixels (width × height) accepted.
    pub max_pixels: u64,
    /// Longest side accepted.
    pub max_side: u32,
}

impl Default for PhotoLimits {
    fn default() -> Self {
        Self {
            max_bytes: 25 * 1024 * 1024,
            max_pixels: 50_000_000,
            max_side: 20_000,
        }
    }
}

/// Longest edge of the display copy.
pub const DISPLAY_EDGE: u32 = 2048;
/// Longest edge of the thumbnail.
pub const THUMB_EDGE: u32 = 320;

/// A sanitised photo, ready to store.
#[derive(Clone)]
pub struct SanitizedPhoto {
    /// The display copy (JPEG, long edge ≤ 2048).
    pub display_jpeg: Vec<u8>,
    /// The thumbnail (JPEG, long edge 320).
    pub thumb_jpeg: Vec<u8>,
    /// Display width after orientation.
    pub width: u32,
    /// Display height after orientation.
    pub height: u32,
    /// SHA-256 of the display JPEG.
    pub sha256: [u8; 32],
    /// 64-bit difference hash of the picture, for duplicate hints.
    pub phash: u64,
}

impl std::fmt::Debug for SanitizedPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SanitizedPhoto")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

/// What the first bytes say the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Jpeg,
    Png,
    Webp,
}

fn unsupported(what: &str) -> AppError {
    if what == "HEIC" {
        AppError::new(ErrorCode::UnsupportedPhotoType).detail(
            "不支持 HEIC 格式照片：请在相机设置中选择“兼容性最佳”（JPEG）后重拍",
            "HEIC photos are not supported: set the camera to 'Most Compatible' (JPEG) and retake",
        )
    } else {
        AppError::new(ErrorCode::UnsupportedPhotoType).detail(
            format!("不支持的照片格式（{what}），请上传 JPEG、PNG 或 WebP"),
            format!("unsupported photo type ({what}); send JPEG, PNG or WebP"),
        )
    }
}

fn sniff(bytes: &[u8]) -> Result<Kind, AppError> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Ok(Kind::Jpeg),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Ok(Kind::Png),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Ok(Kind::Webp),
        [_, _, _, _, b'f', b't', b'y', b'p', brand @ ..] if brand.len() >= 4 => match &brand[..4] {
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                Err(unsupported("HEIC"))
            }
            b"avif" | b"avis" => Err(unsupported("AVIF")),
            _ => Err(unsupported("ISO media")),
        },
        [b'G', b'I', b'F', b'8', ..] => Err(unsupported("GIF")),
        [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => Err(unsupported("TIFF")),
        _ => Err(unsupported("unknown")),
    }
}

fn unreadable() -> AppError {
    AppError::new(ErrorCode::PhotoUnreadable).detail(
        "照片文件已损坏或不完整",
        "the photo is corrupt or truncated",
    )
}

fn too_large(zh: String, en: String) -> AppError {
    AppError::new(ErrorCode::PhotoTooLarge).detail(zh, en)
}

/// Whether a JPEG's entropy-coded data is followed by an end-of-image marker. Inside scan data
/// every 0xFF is stuffed (0xFF 0x00), so 0xFF 0xD9 after the first start-of-scan can only be the
/// real end: a file cut short in transit lacks it, and the lenient decoder would otherwise fill
/// the missing part with grey.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let Some(sos) = bytes.windows(2).position(|w| w == [0xFF, 0xDA]) else {
        return false;
    };
    bytes[sos..].windows(2).any(|w| w == [0xFF, 0xD9])
}

/// The EXIF orientation (1–8) of a JPEG or WebP, 1 when absent or unreadable.
fn exif_orientation(bytes: &[u8]) -> u32 {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()
        .and_then(|e| {
            e.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
                .and_then(|f| f.value.get_uint(0))
        })
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1)
}

fn encode_jpeg(img: &DynamicImage) -> Result<Vec<u8>, AppError> {
    let rgb = img.to_rgb8();
    let mut out = Vec::with_capacity((rgb.width() * rgb.height() / 4) as usize);
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&rgb)
        .map_err(AppError::internal)?;
    Ok(out)
}

/// Difference hash: 9×8 grey thumbnail, one bit per horizontal gradient.
fn dhash(img: &DynamicImage) -> u64 {
    let small = img
        .resize_exact(9, 8, image::imageops::FilterType::Triangle)
        .to_luma8();
    let mut h = 0u64;
    for y in 0..8 {
        for x in 0..8 {
            h <<= 1;
            if small.get_pixel(x, y)[0] < small.get_pixel(x + 1, y)[0] {
                h |= 1;
            }
        }
    }
    h
}

/// Number of differing bits between two perceptual hashes (small = probably the same scene).
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Sanitises one upload. CPU-heavy: run it through `AppContext::cpu`.
pub fn sanitize(bytes: &[u8], limits: &PhotoLimits) -> Result<SanitizedPhoto, AppError> {
    if bytes.len() > limits.max_bytes {
        return Err(too_large(
            format!("照片超过 {} MB", limits.max_bytes / (1024 * 1024)),
            format!("the photo exceeds {} MB", limits.max_bytes / (1024 * 1024)),
        ));
    }
    let kind = sniff(bytes)?;
    if kind == Kind::Jpeg && !jpeg_is_complete(bytes) {
        return Err(unreadable());
    }
    let format = match kind {
        Kind::Jpeg => image::ImageFormat::Jpeg,
        Kind::Png => image::ImageFormat::Png,
        Kind::Webp => image::ImageFormat::WebP,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut image_limits = Limits::default();
    image_limits.max_image_width = Some(limits.max_side);
    image_limits.max_image_height = Some(limits.max_side);
    image_limits.max_alloc = Some(limits.max_pixels * 4 + 64 * 1024 * 1024);
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => too_large(
            "照片像素超过上限".into(),
            "the photo has too many pixels".into(),
        ),
        _ => unreadable(),
    })?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(unreadable());
    }
    if u64::from(w) * u64::from(h) > limits.max_pixels || w.max(h) > limits.max_side {
        return Err(too_large(
            format!(
                "照片为 {w}×{h} 像素，超过 {} 万像素上限",
                limits.max_pixels / 10_000
            ),
            format!(
                "the photo is {w}×{h}, over the {} megapixel limit",
                limits.max_pixels / 1_000_000
            ),
        ));
    }
    let _ = decoder.orientation();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => too_large(
            "照片像素超过上限".into(),
            "the photo has too many pixels".into(),
        ),
        _ => unreadable(),
    })?;
    if kind != Kind::Png {
        let o = exif_orientation(bytes);
        if let Some(orientation) = image::metadata::Orientation::from_exif(o as u8) {
            img.apply_orientation(orientation);
        }
    }
    let display = if img.width().max(img.height()) > DISPLAY_EDGE {
        img.resize(
            DISPLAY_EDGE,
            DISPLAY_EDGE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        img
    };
    let thumb = display.resize(
        THUMB_EDGE,
        THUMB_EDGE,
        image::imageops::FilterType::Triangle,
    );
    let display_jpeg = encode_jpeg(&display)?;
    let thumb_jpeg = encode_jpeg(&thumb)?;
    let sha256: [u8; 32] = Sha256::digest(&display_jpeg).into();
    Ok(SanitizedPhoto {
        width: display.width(),
        height: display.height(),
        phash: dhash(&thumb),
        sha256,
        display_jpeg,
        thumb_jpeg,
    })
}
