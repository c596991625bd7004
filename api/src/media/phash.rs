//! A 64-bit perceptual hash (dHash) for duplicate hints: two photos of the same hazard, or the
//! same photo sent twice and recompressed, differ in a few bits where their SHA-256 differ
//! entirely. A hint only: staff decide what is a duplicate.

use super::pixels::Rgb;

/// dHash: the picture averaged down to 9×8 gray cells, one bit per horizontally adjacent pair
/// (set when the left cell is darker than the right one), row by row from the top left.
pub(crate) fn dhash(img: &Rgb) -> u64 {
    const COLS: usize = 9;
    const ROWS: usize = 8;
    let (w, h) = (img.width as usize, img.height as usize);
    if w == 0 || h == 0 {
        return 0;
    }
    let mut sums = [[0u64; COLS]; ROWS];
    let mut counts = [[0u64; COLS]; ROWS];
    for y in 0..h {
        let row = y * ROWS / h;
        for x in 0..w {
            let col = x * COLS / w;
            let p = &img.pixels[(y * w + x) * 3..(y * w + x) * 3 + 3];
            // ITU-R BT.601 luma in fixed point.
            let luma = 299 * u64::from(p[0]) + 587 * u64::from(p[1]) + 114 * u64::from(p[2]);
            sums[row][col] += luma;
            counts[row][col] += 1;
        }
    }
    let mut hash = 0u64;
    for r in 0..ROWS {
        let mean = |c: usize| sums[r][c].checked_div(counts[r][c]).unwrap_or(0);
        for c in 0..COLS - 1 {
            hash = (hash << 1) | u64::from(mean(c) < mean(c + 1));
        }
    }
    hash
}

/// How many bits two perceptual hashes differ in: 0 for the same picture, up to about 10 for a
/// recompressed or slightly cropped copy, around 32 for unrelated photos.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32, left_to_right: bool) -> Rgb {
        let pixels = (0..h)
            .flat_map(|_| 0..w)
            .flat_map(|x| {
                let v = (x * 255 / (w - 1)) as u8;
                let v = if left_to_right { v } else { 255 - v };
                [v, v, v]
            })
            .collect();
        Rgb {
            width: w,
            height: h,
            pixels,
        }
    }

    #[test]
    fn brighter_to_the_right_sets_every_bit() {
        assert_eq!(dhash(&gradient(320, 240, true)), u64::MAX);
        assert_eq!(dhash(&gradient(320, 240, false)), 0);
        assert_eq!(
            dhash(&gradient(100, 75, true)),
            dhash(&gradient(320, 240, true))
        );
    }

    #[test]
    fn hamming_counts_differing_bits() {
        assert_eq!(hamming(0, 0), 0);
        assert_eq!(hamming(0, u64::MAX), 64);
        assert_eq!(hamming(0b1010, 0b0110), 2);
    }
}
