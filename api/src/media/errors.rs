//! The client-facing refusals of the photo pipeline. They name the rule that was broken and never
//! echo anything from the file (a file name, an EXIF string or a byte could identify a worker).

use super::sanitize::PhotoLimits;
use crate::error::{AppError, ErrorCode};

/// 422: not decodable as the type its magic bytes claim.
pub(crate) fn unreadable() -> AppError {
    AppError::new(ErrorCode::PhotoUnreadable).detail(
        "照片已损坏或无法解码，请重新拍摄后再试",
        "the photo is corrupt or cannot be decoded; take it again",
    )
}

/// 422: the file ends before the picture does (cut off in transit).
pub(crate) fn truncated() -> AppError {
    AppError::new(ErrorCode::PhotoUnreadable).detail(
        "照片不完整（可能上传中断），请重新发送",
        "the photo is incomplete (the upload may have been cut off); send it again",
    )
}

/// 413: more pixels, or a longer side, than the limits allow.
pub(crate) fn too_many_pixels(limits: &PhotoLimits) -> AppError {
    let mp = limits.max_pixels / 1_000_000;
    let side = limits.max_side;
    AppError::new(ErrorCode::PhotoTooLarge).detail(
        format!("照片像素过多（最多 {mp} 百万像素，单边最多 {side} 像素）"),
        format!("the photo has too many pixels (at most {mp} megapixels and {side} px a side)"),
    )
}

/// 413: the encoded file is bigger than the limit.
pub(crate) fn too_many_bytes(max_bytes: usize) -> AppError {
    let mib = max_bytes / (1024 * 1024);
    AppError::new(ErrorCode::PhotoTooLarge).detail(
        format!("照片文件过大（最多 {mib} MiB）"),
        format!("the photo file is too large (at most {mib} MiB)"),
    )
}

/// 413: a PNG or WebP with more pixels than those formats may have.
pub(crate) fn too_many_raster_pixels(limits: &PhotoLimits) -> AppError {
    let mp = limits.max_raster_pixels / 1_000_000;
    AppError::new(ErrorCode::PhotoTooLarge).detail(
        format!("PNG 或 WebP 照片像素过多（最多 {mp} 百万像素），请发送 JPEG 照片"),
        format!("the PNG or WebP has too many pixels (at most {mp} megapixels); send a JPEG"),
    )
}

/// 422: a JPEG with more scans than any camera writes.
pub(crate) fn too_many_scans() -> AppError {
    AppError::new(ErrorCode::PhotoUnreadable).detail(
        "照片的编码方式异常（扫描次数过多），请重新拍摄后再试",
        "the photo is encoded abnormally (too many scans); take it again",
    )
}

/// 422: the photo took longer to process than any real photo does.
pub(crate) fn too_slow() -> AppError {
    AppError::new(ErrorCode::PhotoUnreadable).detail(
        "照片处理超时，请重新拍摄后再试",
        "processing the photo took too long; take it again",
    )
}
