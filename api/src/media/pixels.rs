//! The one in-memory picture format of the pipeline: packed 8-bit RGB. Every decoder's output is
//! brought to it, so orientation, resizing, hashing and encoding each have one code path.

/// Packed 8-bit RGB pixels, row by row, no padding.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Rgb {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 3` bytes.
    pub pixels: Vec<u8>,
}

impl std::fmt::Debug for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rgb({}x{})", self.width, self.height)
    }
}

/// Gray to RGB, by repeating each sample.
pub(crate) fn gray_to_rgb(gray: &[u8]) -> Vec<u8> {
    gray.iter().flat_map(|&g| [g, g, g]).collect()
}

/// 16-bit gray (native byte order, as `jpeg-decoder` gives it) to 8-bit RGB.
pub(crate) fn gray16_to_rgb(gray: &[u8]) -> Vec<u8> {
    gray.chunks_exact(2)
        .flat_map(|c| {
            let g = (u16::from_ne_bytes([c[0], c[1]]) >> 8) as u8;
            [g, g, g]
        })
        .collect()
}

/// CMYK as `jpeg-decoder` gives it (already un-inverted for Adobe files) to RGB.
pub(crate) fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    cmyk.chunks_exact(4)
        .flat_map(|p| {
            let k = 255 - u16::from(p[3]);
            let ch = |c: u8| ((255 - u16::from(c)) * k / 255) as u8;
            [ch(p[0]), ch(p[1]), ch(p[2])]
        })
        .collect()
}

/// RGBA to RGB in place, composited over white: pixels a sender made transparent are shown as
/// white rather than revealing whatever colour values they still carry.
pub(crate) fn rgba_over_white_in_place(mut rgba: Vec<u8>) -> Vec<u8> {
    let n = rgba.len() / 4;
    for i in 0..n {
        let (r, g, b, a) = (
            rgba[i * 4],
            rgba[i * 4 + 1],
            rgba[i * 4 + 2],
            rgba[i * 4 + 3],
        );
        let a = u16::from(a);
        let over = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        // Writing at 3i never overtakes reading at 4i.
        rgba[i * 3] = over(r);
        rgba[i * 3 + 1] = over(g);
        rgba[i * 3 + 2] = over(b);
    }
    rgba.truncate(n * 3);
    rgba.shrink_to_fit();
    rgba
}

/// Appends one row of 8-bit samples with `channels` per pixel (gray, gray + alpha, RGB, RGBA)
/// to `out` as RGB, alpha composited over white as in [`rgba_over_white_in_place`]: decoders that
/// hand out rows convert straight into the one RGB buffer, with no full-size copy in between.
pub(crate) fn push_row_as_rgb(channels: usize, row: &[u8], out: &mut Vec<u8>) {
    let over = |c: u8, a: u8| {
        let a = u16::from(a);
        ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8
    };
    match channels {
        1 => out.extend(row.iter().flat_map(|&g| [g, g, g])),
        2 => out.extend(row.chunks_exact(2).flat_map(|p| {
            let g = over(p[0], p[1]);
            [g, g, g]
        })),
        3 => out.extend_from_slice(row),
        _ => out.extend(
            row.chunks_exact(4)
                .flat_map(|p| [over(p[0], p[3]), over(p[1], p[3]), over(p[2], p[3])]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_keep_values() {
        assert_eq!(gray_to_rgb(&[7, 9]), vec![7, 7, 7, 9, 9, 9]);
        assert_eq!(gray16_to_rgb(&0xAB12u16.to_ne_bytes()), vec![0xAB; 3]);
        assert_eq!(
            cmyk_to_rgb(&[0, 0, 0, 0, 255, 0, 0, 0]),
            vec![255, 255, 255, 0, 255, 255]
        );
    }

    #[test]
    fn rows_become_rgb_like_whole_buffers() {
        let rgba = vec![10, 20, 30, 255, 10, 20, 30, 0, 0, 0, 0, 128];
        let mut out = Vec::new();
        push_row_as_rgb(4, &rgba, &mut out);
        assert_eq!(out, rgba_over_white_in_place(rgba));
        let mut out = Vec::new();
        push_row_as_rgb(2, &[7, 255, 7, 0], &mut out);
        push_row_as_rgb(1, &[9], &mut out);
        assert_eq!(out, vec![7, 7, 7, 255, 255, 255, 9, 9, 9]);
    }

    #[test]
    fn transparent_pixels_become_white_and_opaque_ones_stay() {
        let rgba = vec![10, 20, 30, 255, 10, 20, 30, 0, 0, 0, 0, 128];
        assert_eq!(
            rgba_over_white_in_place(rgba),
            vec![10, 20, 30, 255, 255, 255, 127, 127, 127]
        );
    }
}
