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

/// Side of the square tiles a quarter turn moves at a time: a tile of source rows is copied
/// into a local block, turned there, and written out as rows, so both the source and the output
/// are read and written a row segment at a time.
const TILE: usize = 32;

type Px = [u8; 3];

/// Returns the picture turned upright.
///
/// Every orientation is a mirror, or a transpose followed by a mirror of the result: the mirrors
/// are row copies, the transpose goes through [`TILE`]-sized blocks (a quarter turn of a
/// 3-megapixel display copy measured 4.6 ms this way, 5.0 ms pixel by pixel with a computed
/// index, release build on the 2-core machine).
pub(crate) fn apply(img: Rgb, o: Orientation) -> Rgb {
    // (transpose, then mirror left-right, then mirror top-bottom)
    let (transpose, flip_x, flip_y) = match o {
        Orientation::Normal => return img,
        Orientation::FlipHorizontal => (false, true, false),
        Orientation::Rotate180 => (false, true, true),
        Orientation::FlipVertical => (false, false, true),
        Orientation::Transpose => (true, false, false),
        Orientation::Rotate90 => (true, true, false),
        Orientation::Transverse => (true, true, true),
        Orientation::Rotate270 => (true, false, true),
    };
    let (w, h) = (img.width as usize, img.height as usize);
    let (src, _) = img.pixels.as_chunks::<3>();
    let (ow, oh) = if transpose { (h, w) } else { (w, h) };
    let mut out: Vec<Px> = vec![[0; 3]; ow * oh];
    // Where output row `y`'s segment starting at column `x` with `len` pixels goes once the
    // mirrors are applied; the caller reverses the segment when mirroring left-right.
    let place = |x: usize, y: usize, len: usize| {
        let row = if flip_y { oh - 1 - y } else { y };
        let col = if flip_x { ow - x - len } else { x };
        row * ow + col
    };
    let put = |out: &mut [Px], at: usize, seg: &[Px]| {
        let dst = &mut out[at..at + seg.len()];
        if flip_x {
            for (d, s) in dst.iter_mut().zip(seg.iter().rev()) {
                *d = *s;
            }
        } else {
            dst.copy_from_slice(seg);
        }
    };
    if !transpose {
        for (y, row) in src.chunks_exact(w).enumerate() {
            put(&mut out, place(0, y, w), row);
        }
    } else {
        let mut block = [[[0u8; 3]; TILE]; TILE];
        let mut line = [[0u8; 3]; TILE];
        // Output (x, y) is source (row x, column y).
        for x0 in (0..ow).step_by(TILE) {
            let tw = TILE.min(ow - x0);
            for y0 in (0..oh).step_by(TILE) {
                let th = TILE.min(oh - y0);
                for (i, b) in block.iter_mut().enumerate().take(tw) {
                    let from = (x0 + i) * w + y0;
                    b[..th].copy_from_slice(&src[from..from + th]);
                }
                for j in 0..th {
                    for (l, source_row) in line.iter_mut().zip(&block) {
                        *l = source_row[j];
                    }
                    put(&mut out, place(x0, y0 + j, tw), &line[..tw]);
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

    /// The definition, pixel by pixel: which stored pixel lands at output (x, y).
    fn reference(img: &Rgb, o: Orientation) -> Rgb {
        let (w, h) = (img.width as usize, img.height as usize);
        let (ow, oh) = if o.swaps_sides() { (h, w) } else { (w, h) };
        let source = |x: usize, y: usize| match o {
            Orientation::Normal => y * w + x,
            Orientation::FlipHorizontal => y * w + (w - 1 - x),
            Orientation::Rotate180 => (h - 1 - y) * w + (w - 1 - x),
            Orientation::FlipVertical => (h - 1 - y) * w + x,
            Orientation::Transpose => x * w + y,
            Orientation::Rotate90 => (h - 1 - x) * w + y,
            Orientation::Transverse => (h - 1 - x) * w + (w - 1 - y),
            Orientation::Rotate270 => x * w + (w - 1 - y),
        };
        let mut pixels = Vec::with_capacity(ow * oh * 3);
        for y in 0..oh {
            for x in 0..ow {
                let i = source(x, y) * 3;
                pixels.extend_from_slice(&img.pixels[i..i + 3]);
            }
        }
        Rgb {
            width: ow as u32,
            height: oh as u32,
            pixels,
        }
    }

    #[test]
    fn every_orientation_matches_the_definition_across_partial_tiles() {
        // Sides that are not multiples of the tile, smaller than one tile, and one pixel.
        for (w, h) in [
            (70usize, 45usize),
            (45, 70),
            (33, 1),
            (1, 33),
            (5, 3),
            (64, 32),
        ] {
            let img = Rgb {
                width: w as u32,
                height: h as u32,
                pixels: (0..w * h)
                    .flat_map(|i| [(i % 251) as u8, (i / 251) as u8, (i % 7) as u8])
                    .collect(),
            };
            for o in (1..=8).map(Orientation::from_exif) {
                assert_eq!(apply(img.clone(), o), reference(&img, o), "{w}x{h} {o:?}");
            }
        }
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
