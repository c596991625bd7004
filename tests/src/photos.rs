//! Real photos for tests: JPEGs encoded from pixels with a hand-built EXIF segment carrying GPS,
//! make, model, a body serial number, a maker note and an orientation — what a phone camera
//! writes — plus PNG and hostile files.

use image::{ImageEncoder, Rgb, RgbImage};

/// Make written into test photos.
pub const MAKE: &str = "QinglingTestCam";
/// Model written into test photos.
pub const MODEL: &str = "Model-X9-Secret";
/// Serial number written into test photos.
pub const SERIAL: &str = "SN-000-4711-LEAK";

/// An image whose top-left quadrant is red and the rest blue, so orientation can be checked.
pub fn pattern(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        if x < width / 2 && y < height / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 40, 200])
        }
    })
}

/// A plain JPEG of the pattern.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = pattern(width, height);
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .expect("encode jpeg");
    out
}

/// A PNG of the pattern.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = pattern(width, height);
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .expect("encode png");
    out
}

struct Entry {
    tag: u16,
    typ: u16,
    count: u32,
    data: Vec<u8>,
}

fn ascii(tag: u16, s: &str) -> Entry {
    let mut data = s.as_bytes().to_vec();
    data.push(0);
    Entry {
        tag,
        typ: 2,
        count: data.len() as u32,
        data,
    }
}

fn long(tag: u16, v: u32) -> Entry {
    Entry {
        tag,
        typ: 4,
        count: 1,
        data: v.to_le_bytes().to_vec(),
    }
}

fn rationals(tag: u16, vals: &[(u32, u32)]) -> Entry {
    let mut data = Vec::new();
    for (n, d) in vals {
        data.extend(n.to_le_bytes());
        data.extend(d.to_le_bytes());
    }
    Entry {
        tag,
        typ: 5,
        count: vals.len() as u32,
        data,
    }
}

fn ifd(entries: &[Entry], start: u32) -> Vec<u8> {
    let data_start = start + 2 + 12 * entries.len() as u32 + 4;
    let mut head = Vec::new();
    let mut data = Vec::new();
    head.extend((entries.len() as u16).to_le_bytes());
    for e in entries {
        head.extend(e.tag.to_le_bytes());
        head.extend(e.typ.to_le_bytes());
        head.extend(e.count.to_le_bytes());
        if e.data.len() <= 4 {
            let mut v = e.data.clone();
            v.resize(4, 0);
            head.extend(v);
        } else {
            head.extend((data_start + data.len() as u32).to_le_bytes());
            data.extend(&e.data);
            if data.len() % 2 == 1 {
                data.push(0);
            }
        }
    }
    head.extend(0u32.to_le_bytes());
    head.extend(data);
    head
}

/// A TIFF/EXIF block with GPS, make, model, serial, maker note and the given orientation.
pub fn exif_block(orientation: u16) -> Vec<u8> {
    let ifd0 = |exif_at: u32, gps_at: u32| {
        vec![
            ascii(0x010F, MAKE),
            ascii(0x0110, MODEL),
            Entry {
                tag: 0x0112,
                typ: 3,
                count: 1,
                data: orientation.to_le_bytes().to_vec(),
            },
            long(0x8769, exif_at),
            long(0x8825, gps_at),
        ]
    };
    let len0 = ifd(&ifd0(0, 0), 8).len() as u32;
    let exif_entries = vec![
        Entry {
            tag: 0x927C,
            typ: 7,
            count: 16,
            data: b"MAKERNOTE-SECRET".to_vec(),
        },
        ascii(0xA431, SERIAL),
    ];
    let exif_at = 8 + len0;
    let exif = ifd(&exif_entries, exif_at);
    let gps_at = exif_at + exif.len() as u32;
    let gps_entries = vec![
        ascii(0x0001, "N"),
        rationals(0x0002, &[(29, 1), (33, 1), (1234, 100)]),
        ascii(0x0003, "E"),
        rationals(0x0004, &[(106, 1), (33, 1), (5678, 100)]),
    ];
    let gps = ifd(&gps_entries, gps_at);
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(ifd(&ifd0(exif_at, gps_at), 8));
    tiff.extend(exif);
    tiff.extend(gps);
    tiff
}

/// A phone-like JPEG: the pattern stored sideways with an EXIF segment saying "rotate 90° CW"
/// (orientation 6), GPS, make, model, serial and maker note.
pub fn phone_jpeg(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height);
    let tiff = exif_block(6);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend(((tiff.len() + 8) as u16).to_be_bytes());
    app1.extend(b"Exif\0\0");
    app1.extend(tiff);
    let mut out = plain[..2].to_vec();
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

/// A PNG whose header claims 50 000 × 50 000 pixels (a decompression bomb's calling card).
pub fn png_bomb() -> Vec<u8> {
    let mut png = png(8, 8);
    // IHDR data starts at byte 16: width, height (big-endian); then fix the chunk's CRC.
    png[16..20].copy_from_slice(&50_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&50_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The start of a HEIC file (what an iPhone sends by default).
pub fn heic() -> Vec<u8> {
    let mut v = vec![0, 0, 0, 24];
    v.extend(b"ftypheic\0\0\0\0mif1heic");
    v.extend([0u8; 64]);
    v
}
