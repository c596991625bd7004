//! Recognises a photo's type from its first bytes, never from the file name or the
//! `Content-Type` a phone claims: both are chosen by the sender, the bytes are what a decoder
//! will actually parse.

use crate::error::{AppError, ErrorCode};

/// The photo types Qingling decodes: what phone cameras and screenshot tools produce, in
/// formats with mature pure-Rust decoders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoType {
    /// JPEG (baseline or progressive), what nearly every phone camera writes.
    Jpeg,
    /// PNG, typical of screenshots.
    Png,
    /// WebP, what some Android cameras and messengers write.
    Webp,
}

impl PhotoType {
    /// Lower-case name, for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }
}

/// A format we recognise but do not decode, so the answer can say what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    Heic,
    Avif,
    Gif,
    Tiff,
    Bmp,
    JpegXl,
    Jpeg2000,
    Video,
    Pdf,
}

impl Refused {
    fn name(self) -> &'static str {
        match self {
            Self::Heic => "HEIC/HEIF",
            Self::Avif => "AVIF",
            Self::Gif => "GIF",
            Self::Tiff => "TIFF",
            Self::Bmp => "BMP",
            Self::JpegXl => "JPEG XL",
            Self::Jpeg2000 => "JPEG 2000",
            Self::Video => "video",
            Self::Pdf => "PDF",
        }
    }

    fn error(self) -> AppError {
        let e = AppError::new(ErrorCode::UnsupportedPhotoType);
        match self {
            Self::Heic => e.detail(
                "不支持 HEIC 格式的照片：请在相机设置中选择“兼容性最佳”（JPEG）后重拍，或发送 JPEG 照片",
                "HEIC photos are not supported: set the camera to 'Most Compatible' / JPEG \
                 (iPhone: Settings > Camera > Formats), or send a JPEG",
            ),
            other => e.detail(
                format!("不支持 {} 格式：请发送 JPEG、PNG 或 WebP 照片", other.name()),
                format!(
                    "{} files are not supported: send a JPEG, PNG or WebP photo",
                    other.name()
                ),
            ),
        }
    }
}

/// The type of `bytes` from its magic number: `Ok` for JPEG, PNG and WebP, 415
/// `unsupported_photo_type` for another image or video format we recognise (HEIC named as such),
/// 422 `photo_unreadable` for bytes that are no image format at all.
pub fn sniff(bytes: &[u8]) -> Result<PhotoType, AppError> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(PhotoType::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(PhotoType::Png);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(PhotoType::Webp);
    }
    match refused(bytes) {
        Some(kind) => Err(kind.error()),
        None => Err(AppError::new(ErrorCode::PhotoUnreadable).detail(
            "无法识别的文件：请发送 JPEG、PNG 或 WebP 照片",
            "not a recognisable image: send a JPEG, PNG or WebP photo",
        )),
    }
}

fn refused(b: &[u8]) -> Option<Refused> {
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        // ISO base media: the major brand says what it is.
        return Some(match &b[8..12] {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"hevm" | b"hevs"
            | b"mif1" | b"msf1" | b"mif2" => Refused::Heic,
            b"avif" | b"avis" => Refused::Avif,
            _ => Refused::Video,
        });
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Some(Refused::Gif);
    }
    if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        return Some(Refused::Tiff);
    }
    if b.starts_with(b"BM") && b.len() >= 26 {
        return Some(Refused::Bmp);
    }
    if b.starts_with(&[0xFF, 0x0A]) || b.starts_with(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return Some(Refused::JpegXl);
    }
    if b.starts_with(b"\0\0\0\x0cjP  \r\n\x87\n") || b.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) {
        return Some(Refused::Jpeg2000);
    }
    if b.starts_with(b"%PDF-") {
        return Some(Refused::Pdf);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(bytes: &[u8]) -> ErrorCode {
        sniff(bytes)
            .err()
            .map(|e| e.code)
            .unwrap_or(ErrorCode::Internal)
    }

    #[test]
    fn accepts_jpeg_png_webp_by_magic() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).ok(), Some(PhotoType::Jpeg));
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").ok(),
            Some(PhotoType::Png)
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").ok(), Some(PhotoType::Webp));
    }

    #[test]
    fn heic_is_refused_by_name() {
        let e = sniff(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").err();
        let e = e.expect("HEIC must be refused");
        assert_eq!(e.code, ErrorCode::UnsupportedPhotoType);
        assert_eq!(e.code.status(), 415);
        let d = e.detail.expect("a detail");
        assert!(
            d.en.contains("HEIC") && d.en.contains("Most Compatible"),
            "{}",
            d.en
        );
        assert!(d.zh.contains("HEIC"));
    }

    #[test]
    fn other_known_formats_are_unsupported_and_unknown_bytes_unreadable() {
        assert_eq!(code(b"GIF89a\x01\0\x01\0"), ErrorCode::UnsupportedPhotoType);
        assert_eq!(code(b"II*\0\x08\0\0\0"), ErrorCode::UnsupportedPhotoType);
        assert_eq!(code(b"\0\0\0\x1cftypavif"), ErrorCode::UnsupportedPhotoType);
        assert_eq!(code(b"\0\0\0\x1cftypisom"), ErrorCode::UnsupportedPhotoType);
        assert_eq!(code(b"<html><body>"), ErrorCode::PhotoUnreadable);
        assert_eq!(code(b""), ErrorCode::PhotoUnreadable);
        assert_eq!(code(&[0xFF, 0xD8]), ErrorCode::PhotoUnreadable);
    }
}
