//! Pictures for the demo's reports, sweep findings and rectification evidence, drawn in code so
//! the demo needs no files: a plant interior (wall, concrete floor, machinery, a yellow-and-black
//! guard rail) with the thing the report is about in front — standing water, a leaking pipe, a
//! pile of clutter, the glow of molten metal, a dead alarm. The "after" picture of the same scene
//! has the hazard gone and a green tag on it. They are ordinary JPEGs and go through the real
//! sanitiser like a phone's photo.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

/// What the picture shows in front of the plant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scene {
    /// Water standing on the floor (under a furnace, in a splash zone).
    Puddle,
    /// A pipe with a valve, leaking (gas, ammonia, cooling water).
    Pipe,
    /// Boxes and scrap piled in a passage.
    Clutter,
    /// The orange glow of molten metal (a ladle, a casting pit).
    Molten,
    /// An alarm or guard that is missing or dark.
    Alarm,
}

const W: u32 = 640;
const H: u32 = 480;
const HORIZON: u32 = 300;

/// A small deterministic generator, so each picture differs and the demo stays reproducible.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from((hi - lo).max(1)).unwrap_or(1);
        lo + i64::try_from(self.next() % span).unwrap_or(0)
    }
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    let c = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    [c(a[0], b[0]), c(a[1], b[1]), c(a[2], b[2])]
}

fn put(img: &mut RgbImage, x: i64, y: i64, c: [u8; 3]) {
    if let (Ok(x), Ok(y)) = (u32::try_from(x), u32::try_from(y))
        && x < W
        && y < H
    {
        img.put_pixel(x, y, Rgb(c));
    }
}

fn blend(img: &mut RgbImage, x: i64, y: i64, c: [u8; 3], t: f32) {
    if let (Ok(xu), Ok(yu)) = (u32::try_from(x), u32::try_from(y))
        && xu < W
        && yu < H
    {
        let old = img.get_pixel(xu, yu).0;
        img.put_pixel(xu, yu, Rgb(mix(old, c, t)));
    }
}

/// A box shaded from `top` to `bottom`, with a darker outline.
fn slab(img: &mut RgbImage, x0: i64, y0: i64, x1: i64, y1: i64, top: [u8; 3], bottom: [u8; 3]) {
    let h = (y1 - y0).max(1) as f32;
    for y in y0..y1 {
        let c = mix(top, bottom, (y - y0) as f32 / h);
        for x in x0..x1 {
            let edge = x == x0 || x == x1 - 1 || y == y0 || y == y1 - 1;
            put(img, x, y, if edge { mix(c, [20, 20, 20], 0.6) } else { c });
        }
    }
}

fn ellipse(img: &mut RgbImage, cx: i64, cy: i64, rx: i64, ry: i64, c: [u8; 3], alpha: f32) {
    for y in cy - ry..=cy + ry {
        for x in cx - rx..=cx + rx {
            let dx = (x - cx) as f32 / rx.max(1) as f32;
            let dy = (y - cy) as f32 / ry.max(1) as f32;
            let d = dx * dx + dy * dy;
            if d <= 1.0 {
                blend(img, x, y, c, alpha * (1.0 - d * d * 0.5));
            }
        }
    }
}

fn backdrop(img: &mut RgbImage, dice: &mut Dice, tint: [u8; 3]) {
    let wall_top = mix([58, 64, 74], tint, 0.25);
    let wall_low = mix([128, 132, 136], tint, 0.2);
    for y in 0..H {
        for x in 0..W {
            let c = if y < HORIZON {
                mix(wall_top, wall_low, y as f32 / HORIZON as f32)
            } else {
                // Concrete, darker towards the camera, with faint expansion joints.
                let t = (y - HORIZON) as f32 / (H - HORIZON) as f32;
                let base = mix([150, 148, 142], [96, 94, 90], t);
                let joint = (i64::from(x) - 320) * 40 / (i64::from(y) - 290).max(1);
                if joint.rem_euclid(160) < 2 {
                    mix(base, [60, 60, 60], 0.5)
                } else {
                    base
                }
            };
            img.put_pixel(x, y, Rgb(c));
        }
    }
    // Roof windows letting in daylight, and steel columns.
    for i in 0..5 {
        let x = 40 + i * 130;
        slab(img, x, 30, x + 70, 70, [210, 220, 228], [170, 182, 190]);
    }
    for i in 0..4 {
        let x = 20 + i * 180 + dice.range(-10, 10);
        slab(
            img,
            x,
            0,
            x + 18,
            i64::from(HORIZON) + 4,
            [70, 76, 90],
            [52, 56, 66],
        );
    }
    // Machinery along the back wall.
    let mut x = dice.range(0, 60);
    while x < i64::from(W) {
        let w = dice.range(70, 150);
        let h = dice.range(70, 170);
        let top = mix([96, 110, 126], tint, 0.35);
        slab(
            img,
            x,
            i64::from(HORIZON) - h,
            x + w,
            i64::from(HORIZON) + 6,
            top,
            [56, 62, 70],
        );
        // A lit control panel on some of them.
        if dice.range(0, 3) == 0 {
            slab(
                img,
                x + 12,
                i64::from(HORIZON) - h + 14,
                x + 36,
                i64::from(HORIZON) - h + 30,
                [40, 200, 90],
                [30, 150, 70],
            );
        }
        x += w + dice.range(10, 40);
    }
    // A guard rail in yellow and black across the middle distance.
    let y0 = i64::from(HORIZON) + 30;
    for x in 0..i64::from(W) {
        for y in y0..y0 + 10 {
            let stripe = (x + y).rem_euclid(40) < 20;
            put(
                img,
                x,
                y,
                if stripe { [230, 190, 30] } else { [30, 30, 30] },
            );
        }
    }
    for post in (30..i64::from(W)).step_by(150) {
        slab(
            img,
            post,
            y0 - 40,
            post + 8,
            y0 + 36,
            [220, 180, 30],
            [160, 130, 20],
        );
    }
}

fn hazard(img: &mut RgbImage, dice: &mut Dice, scene: Scene) {
    let cx = dice.range(220, 420);
    match scene {
        Scene::Puddle => {
            ellipse(img, cx, 410, 170, 38, [70, 96, 120], 0.75);
            ellipse(img, cx - 30, 402, 70, 10, [200, 214, 226], 0.5);
        }
        Scene::Pipe => {
            let y = 150;
            for dy in -18i64..18 {
                let shade = 1.0 - (dy.abs() as f32 / 18.0);
                let c = mix([70, 74, 80], [190, 196, 204], shade);
                for x in 0..i64::from(W) {
                    put(img, x, y + dy, c);
                }
            }
            ellipse(img, cx, y, 30, 30, [200, 40, 36], 1.0);
            ellipse(img, cx, y, 10, 10, [90, 20, 20], 1.0);
            // Frost or drips below the valve.
            for i in 0..24 {
                ellipse(
                    img,
                    cx + dice.range(-40, 40),
                    y + 30 + i * 10,
                    4,
                    7,
                    [220, 232, 240],
                    0.7,
                );
            }
            ellipse(img, cx, 420, 90, 20, [90, 110, 120], 0.6);
        }
        Scene::Clutter => {
            for _ in 0..9 {
                let x = cx + dice.range(-180, 140);
                let y = dice.range(350, 430);
                let w = dice.range(40, 90);
                let h = dice.range(30, 70);
                let wood = if dice.range(0, 2) == 0 {
                    [150, 110, 70]
                } else {
                    [120, 120, 126]
                };
                slab(img, x, y - h, x + w, y, wood, mix(wood, [40, 40, 40], 0.4));
            }
        }
        Scene::Molten => {
            // One pass over the glow's box: white-hot in the middle, dull red at the edge.
            let (rx, ry) = (200i64, 133i64);
            for y in 360 - ry..=360 + ry {
                for x in cx - rx..=cx + rx {
                    let dx = (x - cx) as f32 / rx as f32;
                    let dy = (y - 360) as f32 / ry as f32;
                    let d = (dx * dx + dy * dy).sqrt();
                    if d < 1.0 {
                        let c = mix([255, 230, 120], [200, 60, 10], d);
                        blend(img, x, y, c, 0.8 * (1.0 - d));
                    }
                }
            }
            slab(img, cx - 70, 330, cx + 70, 440, [70, 60, 56], [40, 34, 30]);
            ellipse(img, cx, 332, 66, 14, [255, 200, 80], 1.0);
        }
        Scene::Alarm => {
            slab(
                img,
                cx - 50,
                120,
                cx + 50,
                220,
                [210, 210, 200],
                [170, 170, 160],
            );
            ellipse(img, cx, 160, 26, 26, [70, 30, 30], 1.0);
            // A loose cable hanging where the sensor was.
            for y in 220..330 {
                put(img, cx + (y - 220) / 9, y, [30, 30, 30]);
                put(img, cx + 1 + (y - 220) / 9, y, [30, 30, 30]);
            }
        }
    }
}

fn done_tag(img: &mut RgbImage) {
    slab(img, 470, 360, 610, 430, [60, 170, 90], [40, 130, 70]);
    // A tick.
    for i in 0..22 {
        for t in 0..5 {
            put(img, 500 + i, 392 + i / 2 + t, [240, 250, 240]);
            put(img, 522 + i * 2, 403 - i + t, [240, 250, 240]);
        }
    }
}

/// A JPEG of `scene`: before rectification (`fixed == false`) or after it.
pub fn jpeg(scene: Scene, seed: u64, fixed: bool) -> anyhow::Result<Vec<u8>> {
    let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let tints = [
        [200, 120, 60],
        [60, 120, 200],
        [120, 160, 120],
        [160, 140, 100],
    ];
    let tint = tints[usize::try_from(seed % 4).unwrap_or(0)];
    let mut img = RgbImage::new(W, H);
    backdrop(&mut img, &mut dice, tint);
    if fixed {
        done_tag(&mut img);
    } else {
        hazard(&mut img, &mut dice, scene);
    }
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 82).encode_image(&img)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_jpegs_that_differ() {
        let a = jpeg(Scene::Puddle, 1, false).unwrap();
        let b = jpeg(Scene::Puddle, 1, true).unwrap();
        assert_eq!(&a[..2], &[0xFF, 0xD8]);
        assert_ne!(a, b);
        assert_eq!(
            image::load_from_memory(&a).unwrap().to_rgb8().dimensions(),
            (W, H)
        );
    }
}
