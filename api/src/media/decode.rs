//! Turns accepted bytes into RGB pixels, at no more resolution than the display copy needs.
//!
//! JPEG goes through `jpeg-decoder` (or, by choice, `libjpeg-turbo-rs`), both of which decode at
//! 1/2, 1/4 or 1/8 scale by running a smaller inverse DCT: a 12-megapixel photo decoded straight
//! to ~2000 px costs about a quarter less than a full decode and a quarter of the memory. PNG and WebP go through the `image` crate with
//! its allocation limits set. Sizes are checked against [`PhotoLimits`] from the headers before
//! either decoder allocates pixels.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder as _, ImageFormat};

use super::jpeg_header::{self, HeaderError, JpegHeader};
use super::orient::Orientation;
use super::pixels::{
    Rgb, cmyk_to_rgb, gray_to_rgb, gray16_to_rgb, push_row_as_rgb, rgba_over_white_in_place,
};
use super::sanitize::{JpegDecoder, PhotoLimits};
use super::{errors, sniff::PhotoType};
use crate::error::AppError;

/// The smallest long edge a DCT-scaled decode may produce for the display copy: below it the
/// decoder works at the next larger scale and the resizer does the rest.
const DCT_MIN_EDGE: u32 = 1536;

/// Decoded pixels (not yet turned upright) and the orientation to apply.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub rgb: Rgb,
    pub orientation: Orientation,
}

/// Decodes `bytes` of the sniffed `kind`, refusing anything over `limits` before allocating.
pub(crate) fn decode(
    bytes: &[u8],
    kind: PhotoType,
    limits: &PhotoLimits,
) -> Result<Decoded, AppError> {
    match kind {
        PhotoType::Jpeg => jpeg(bytes, limits),
        PhotoType::Png => png(bytes, limits),
        PhotoType::Webp => with_image_crate(bytes, ImageFormat::WebP, limits),
    }
}

/// The largest of 8, 4, 2 that still leaves the long edge at least [`DCT_MIN_EDGE`], else 1.
fn dct_divisor(long_edge: u32) -> u32 {
    [8, 4, 2]
        .into_iter()
        .find(|k| long_edge.div_ceil(*k) >= DCT_MIN_EDGE)
        .unwrap_or(1)
}

fn jpeg(bytes: &[u8], limits: &PhotoLimits) -> Result<Decoded, AppError> {
    let header: JpegHeader = jpeg_header::read(bytes).map_err(|e| match e {
        HeaderError::Truncated => errors::truncated(),
        HeaderError::Malformed => errors::unreadable(),
    })?;
    limits.check_dimensions(header.width, header.height)?;
    limits.check_scans(
        header.scans,
        u64::from(header.width) * u64::from(header.height),
    )?;
    let k = dct_divisor(header.width.max(header.height));
    let rgb = match limits.jpeg_decoder {
        JpegDecoder::Turbo => jpeg_turbo(bytes, k, limits)?,
        JpegDecoder::Conservative => jpeg_conservative(bytes, &header, k, limits)?,
    };
    Ok(Decoded {
        rgb,
        orientation: header.orientation,
    })
}

/// With `libjpeg-turbo-rs`, in strict mode (a corrupt stream is an error, not a grey patch).
fn jpeg_turbo(bytes: &[u8], k: u32, limits: &PhotoLimits) -> Result<Rgb, AppError> {
    use libjpeg_turbo_rs::{Decoder, PixelFormat, ScalingFactor};
    let mut decoder = Decoder::new(bytes).map_err(|_| errors::unreadable())?;
    decoder.set_max_pixels(usize::try_from(limits.max_pixels).unwrap_or(usize::MAX));
    // Progressive coefficients (2 bytes × 3 planes at worst) plus the output, at the limit.
    decoder.set_max_memory(
        usize::try_from(limits.max_pixels.saturating_mul(10)).unwrap_or(usize::MAX),
    );
    decoder.set_stop_on_warning(true);
    decoder.set_lenient(false);
    if k > 1 {
        decoder.set_scale(ScalingFactor::try_new(1, k).map_err(AppError::internal)?);
    }
    let img = decoder.decode_image().map_err(|_| errors::unreadable())?;
    let (width, height) = (
        u32::try_from(img.width).map_err(|_| errors::unreadable())?,
        u32::try_from(img.height).map_err(|_| errors::unreadable())?,
    );
    let pixels = match img.pixel_format {
        PixelFormat::Rgb => img.data,
        PixelFormat::Grayscale => gray_to_rgb(&img.data),
        PixelFormat::Cmyk => cmyk_to_rgb(&img.data),
        _ => return Err(errors::unreadable()),
    };
    checked(width, height, pixels)
}

/// Packs decoder output after checking it has exactly the pixels it claims.
fn checked(width: u32, height: u32, pixels: Vec<u8>) -> Result<Rgb, AppError> {
    if width == 0 || height == 0 || pixels.len() != width as usize * height as usize * 3 {
        return Err(errors::unreadable());
    }
    Ok(Rgb {
        width,
        height,
        pixels,
    })
}

/// With `jpeg-decoder`.
fn jpeg_conservative(
    bytes: &[u8],
    header: &JpegHeader,
    k: u32,
    limits: &PhotoLimits,
) -> Result<Rgb, AppError> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    // A second fence behind the header check: CMYK at the pixel limit, four bytes a pixel.
    decoder.set_max_decoding_buffer_size(
        usize::try_from(limits.max_pixels.saturating_mul(4)).unwrap_or(usize::MAX),
    );
    if k > 1 {
        let want = |side: u32| u16::try_from(side.div_ceil(k)).unwrap_or(u16::MAX);
        decoder
            .scale(want(header.width), want(header.height))
            .map_err(|_| errors::unreadable())?;
    }
    let raw = decoder.decode().map_err(|_| errors::unreadable())?;
    let info = decoder.info().ok_or_else(errors::unreadable)?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let pixels = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => raw,
        jpeg_decoder::PixelFormat::L8 => gray_to_rgb(&raw),
        jpeg_decoder::PixelFormat::L16 => gray16_to_rgb(&raw),
        jpeg_decoder::PixelFormat::CMYK32 => cmyk_to_rgb(&raw),
    };
    checked(width, height, pixels)
}

/// PNG through the `png` crate, normalised to 8-bit samples (16-bit halved, palettes and low bit
/// depths expanded) and converted to RGB row by row, so the largest buffer is the RGB output
/// itself. Interlaced files have to be decoded whole first (8-bit, at most four bytes a pixel).
fn png(bytes: &[u8], limits: &PhotoLimits) -> Result<Decoded, AppError> {
    let fail = |e: png::DecodingError| match e {
        png::DecodingError::LimitsExceeded => errors::too_many_raster_pixels(limits),
        _ => errors::unreadable(),
    };
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            // Room for the interlaced case's whole 8-bit frame plus the decoder's own buffers.
            bytes: usize::try_from(limits.max_raster_pixels.saturating_mul(4))
                .unwrap_or(usize::MAX)
                .saturating_add(1 << 20),
        },
    );
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(fail)?;
    let info = reader.info();
    let (width, height, interlaced) = (info.width, info.height, info.interlaced);
    limits.check_raster_dimensions(width, height)?;
    let orientation = info
        .exif_metadata
        .as_deref()
        .map_or(Orientation::Normal, jpeg_header::exif_orientation);
    let channels = reader.output_color_type().0.samples();
    let size = width as usize * height as usize * 3;
    let mut pixels = Vec::new();
    pixels
        .try_reserve_exact(size)
        .map_err(|_| errors::too_many_raster_pixels(limits))?;
    if interlaced {
        let mut frame = vec![0; reader.output_buffer_size().ok_or_else(errors::unreadable)?];
        let out = reader.next_frame(&mut frame).map_err(fail)?;
        for row in frame.chunks_exact(out.line_size).take(height as usize) {
            push_row_as_rgb(channels, &row[..width as usize * channels], &mut pixels);
        }
    } else {
        while let Some(row) = reader.next_row().map_err(fail)? {
            push_row_as_rgb(channels, row.data(), &mut pixels);
        }
    }
    Ok(Decoded {
        rgb: checked(width, height, pixels)?,
        orientation,
    })
}

fn with_image_crate(
    bytes: &[u8],
    format: ImageFormat,
    limits: &PhotoLimits,
) -> Result<Decoded, AppError> {
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut fence = image::Limits::default();
    fence.max_image_width = Some(limits.max_side);
    fence.max_image_height = Some(limits.max_side);
    // The largest legitimate buffer: 8-bit RGBA (all WebP gives) at the raster pixel limit.
    fence.max_alloc = Some(
        limits
            .max_raster_pixels
            .saturating_mul(4)
            .saturating_add(1 << 20),
    );
    reader.limits(fence);
    let mut decoder = reader.into_decoder().map_err(|e| image_error(e, limits))?;
    let (width, height) = decoder.dimensions();
    limits.check_raster_dimensions(width, height)?;
    // An unreadable EXIF block must not fail an otherwise good picture.
    let orientation = decoder
        .orientation()
        .map_or(Orientation::Normal, Orientation::from);
    let img = DynamicImage::from_decoder(decoder).map_err(|e| image_error(e, limits))?;
    let (width, height) = (img.width(), img.height());
    let pixels = match img {
        DynamicImage::ImageRgb8(buf) => buf.into_raw(),
        DynamicImage::ImageLuma8(buf) => gray_to_rgb(&buf.into_raw()),
        DynamicImage::ImageRgba8(buf) => rgba_over_white_in_place(buf.into_raw()),
        // 16-bit and float variants: one conversion to RGBA8 (dropping precision a JPEG cannot
        // keep anyway), then the same compositing.
        other => rgba_over_white_in_place(other.into_rgba8().into_raw()),
    };
    Ok(Decoded {
        rgb: Rgb {
            width,
            height,
            pixels,
        },
        orientation,
    })
}

fn image_error(e: image::ImageError, limits: &PhotoLimits) -> AppError {
    match e {
        image::ImageError::Limits(_) => errors::too_many_raster_pixels(limits),
        _ => errors::unreadable(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dct_scale_keeps_the_display_copy_large_enough() {
        assert_eq!(dct_divisor(4000), 2); // 12 MP phone: decoded at 2000 px
        assert_eq!(dct_divisor(4032), 2); // 2016 px
        assert_eq!(dct_divisor(8160), 4); // 50 MP phone: 2040 px
        assert_eq!(dct_divisor(3000), 1); // 1500 px would be too small: full, then resized
        assert_eq!(dct_divisor(2048), 1);
        assert_eq!(dct_divisor(12_288), 8);
    }
}
