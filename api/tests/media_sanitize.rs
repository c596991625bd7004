//! The photo pipeline on real images made here: a phone-like JPEG carrying GPS, make, model,
//! serial number, a maker note, XMP, an ICC profile, IPTC, a comment and a rotated orientation
//! must come out upright with none of it; hostile and unsupported files must be refused cleanly.

// Test and benchmark code: a failed step should stop loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;
use std::time::{Duration, Instant};

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use image::ImageEncoder as _;
use qingling_api::ErrorCode;
use qingling_api::media::{JpegDecoder, PhotoLimits, PhotoType, hamming, sanitize};

/// Both JPEG decoders, each with the default limits.
fn both_decoders() -> [PhotoLimits; 2] {
    [JpegDecoder::Turbo, JpegDecoder::Conservative].map(|jpeg_decoder| PhotoLimits {
        jpeg_decoder,
        ..PhotoLimits::default()
    })
}

const W: u32 = 1200;
const H: u32 = 800;

/// Quadrant colours of the stored (sensor-order) picture, and the corner they are in.
const TOP_LEFT: [u8; 3] = [220, 30, 30]; // red
const TOP_RIGHT: [u8; 3] = [30, 200, 40]; // green
const BOTTOM_LEFT: [u8; 3] = [30, 40, 220]; // blue
const BOTTOM_RIGHT: [u8; 3] = [230, 220, 30]; // yellow

/// An asymmetric picture: four coloured quadrants, plus a diagonal texture so it is not flat.
fn pattern(w: u32, h: u32) -> Vec<u8> {
    let mut px = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let base = match (x < w / 2, y < h / 2) {
                (true, true) => TOP_LEFT,
                (false, true) => TOP_RIGHT,
                (true, false) => BOTTOM_LEFT,
                (false, false) => BOTTOM_RIGHT,
            };
            let t = (((x + y) / 7) % 2) as u8 * 6;
            px.extend(base.map(|c| c.saturating_sub(t)));
        }
    }
    px
}

fn encode_jpeg(px: &[u8], w: u32, h: u32, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(px, w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![0xFF, marker];
    v.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// A TIFF-structured EXIF block as a phone writes it.
fn phone_exif(orientation: u16) -> Vec<u8> {
    let fields = [
        Field {
            tag: Tag::Make,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"HUAWEI".to_vec()]),
        },
        Field {
            tag: Tag::Model,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"ELS-AN00".to_vec()]),
        },
        Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![orientation]),
        },
        Field {
            tag: Tag::BodySerialNumber,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"SN-QL-7731942".to_vec()]),
        },
        Field {
            tag: Tag::MakerNote,
            ifd_num: In::PRIMARY,
            value: Value::Undefined(b"HUAWEI\0\0MAKERNOTE-owner-zhang-wei".to_vec(), 0),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"N".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![
                Rational::from((39, 1)),
                Rational::from((54, 1)),
                Rational::from((2745, 100)),
            ]),
        },
        Field {
            tag: Tag::GPSLongitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"E".to_vec()]),
        },
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![
                Rational::from((116, 1)),
                Rational::from((23, 1)),
                Rational::from((1725, 100)),
            ]),
        },
    ];
    let mut writer = Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    tiff.into_inner()
}

/// `jpeg` with phone metadata spliced in after SOI: EXIF (APP1), XMP (APP1), ICC (APP2), IPTC
/// (APP13) and a comment.
fn with_metadata(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(phone_exif(orientation));
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    xmp.extend_from_slice(
        b"<x:xmpmeta><rdf:Description photoshop:Credit='XMP-owner-li-si'/></x:xmpmeta>",
    );
    let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
    icc.extend_from_slice(b"ICC-profile-with-device-id-ABC123");
    let mut iptc = b"Photoshop 3.0\0".to_vec();
    iptc.extend_from_slice(b"8BIM\x04\x04\0\0\0\0\0\x10IPTC-by-wang-wu!");
    let mut out = jpeg[..2].to_vec();
    out.extend(segment(0xE1, &exif));
    out.extend(segment(0xE1, &xmp));
    out.extend(segment(0xE2, &icc));
    out.extend(segment(0xED, &iptc));
    out.extend(segment(0xFE, b"COMMENT-taken-by-worker-E1042"));
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The marker codes of a JPEG's segments up to the scan.
fn markers(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut pos = 2;
    let mut out = Vec::new();
    loop {
        assert_eq!(jpeg[pos], 0xFF, "marker expected at {pos}");
        let m = jpeg[pos + 1];
        out.push(m);
        if m == 0xDA {
            return out;
        }
        let len = u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]) as usize;
        pos += 2 + len;
    }
}

fn decode(jpeg: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut d = jpeg_decoder::Decoder::new(jpeg);
    let px = d.decode().unwrap();
    let info = d.info().unwrap();
    assert_eq!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24);
    (u32::from(info.width), u32::from(info.height), px)
}

fn pixel(img: &(u32, u32, Vec<u8>), x: u32, y: u32) -> [u8; 3] {
    let i = ((y * img.0 + x) * 3) as usize;
    [img.2[i], img.2[i + 1], img.2[i + 2]]
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 24)
}

fn code_of(bytes: &[u8], limits: &PhotoLimits) -> ErrorCode {
    match sanitize(bytes, limits) {
        Ok(_) => panic!("expected a refusal"),
        Err(e) => e.code,
    }
}

#[test]
fn media_phone_jpeg_comes_out_upright_with_no_metadata() {
    let input = with_metadata(&encode_jpeg(&pattern(W, H), W, H, 92), 6);

    // The input really carries it all, as an EXIF parser sees it.
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(&input))
        .unwrap();
    for tag in [
        Tag::Make,
        Tag::Model,
        Tag::BodySerialNumber,
        Tag::MakerNote,
        Tag::GPSLatitude,
        Tag::GPSLongitude,
    ] {
        assert!(
            exif.get_field(tag, In::PRIMARY).is_some(),
            "input lacks {tag}"
        );
    }
    let orientation = exif.get_field(Tag::Orientation, In::PRIMARY).unwrap();
    assert_eq!(orientation.value.get_uint(0), Some(6));
    let in_markers = markers(&input);
    for m in [0xE1, 0xE2, 0xED, 0xFE] {
        assert!(in_markers.contains(&m), "input lacks marker {m:02X}");
    }

    for limits in both_decoders() {
        phone_jpeg_is_clean(&input, &limits);
    }
}

fn phone_jpeg_is_clean(input: &[u8], limits: &PhotoLimits) {
    let photo = sanitize(input, limits).unwrap();
    assert_eq!(photo.source_type, PhotoType::Jpeg);

    // Nothing an EXIF parser can find, in either copy.
    for out in [&photo.display, &photo.thumb] {
        match exif::Reader::new().read_from_container(&mut Cursor::new(out)) {
            Err(exif::Error::NotFound(_)) => {}
            Err(e) => panic!("unexpected EXIF parse error: {e}"),
            Ok(exif) => panic!("EXIF survived: {} fields", exif.fields().count()),
        }
        // Only what the encoder writes: JFIF (APP0), tables, a baseline frame, the scan.
        let m = markers(out);
        for forbidden in [0xE1, 0xE2, 0xED, 0xFE] {
            assert!(
                !m.contains(&forbidden),
                "marker {forbidden:02X} survived: {m:02X?}"
            );
        }
        assert!(
            m.iter().all(|&x| x == 0xE0 || !(0xE0..=0xEF).contains(&x)),
            "{m:02X?}"
        );
        assert!(m.contains(&0xC0), "not baseline: {m:02X?}");
        assert!(!m.contains(&0xC2), "progressive: {m:02X?}");
        // And none of the identifying strings anywhere in the bytes.
        for needle in [
            &b"HUAWEI"[..],
            b"ELS-AN00",
            b"SN-QL-7731942",
            b"zhang-wei",
            b"li-si",
            b"wang-wu",
            b"E1042",
            b"ABC123",
            b"Exif",
        ] {
            assert!(!out.windows(needle.len()).any(|w| w == needle));
        }
    }

    // Upright: orientation 6 turns the stored 1200x800 a quarter clockwise into 800x1200, so the
    // stored bottom-left quadrant is now top-left, and so on round.
    assert_eq!((photo.width, photo.height), (H, W));
    let img = decode(&photo.display);
    assert_eq!((img.0, img.1), (H, W));
    let (w, h) = (img.0, img.1);
    for ((x, y), want, name) in [
        ((20, 20), BOTTOM_LEFT, "top-left"),
        ((w - 20, 20), TOP_LEFT, "top-right"),
        ((w - 20, h - 20), TOP_RIGHT, "bottom-right"),
        ((20, h - 20), BOTTOM_RIGHT, "bottom-left"),
    ] {
        let got = pixel(&img, x, y);
        assert!(near(got, want), "{name}: {got:?} != {want:?}");
    }

    // The thumbnail: 320 px long edge, same way up.
    assert_eq!((photo.thumb_width, photo.thumb_height), (213, 320));
    let thumb = decode(&photo.thumb);
    assert_eq!((thumb.0, thumb.1), (213, 320));
    assert!(near(pixel(&thumb, 5, 5), BOTTOM_LEFT));
    assert!(near(pixel(&thumb, 207, 314), TOP_RIGHT));

    // SHA-256 of the display JPEG.
    assert_eq!(photo.sha256.to_vec(), {
        use sha2::Digest as _;
        sha2::Sha256::digest(&photo.display).to_vec()
    });
}

/// A smooth, asymmetric, photo-like picture (no flat areas whose hash bits would be noise).
fn smooth(w: u32, h: u32, mirrored: bool) -> Vec<u8> {
    let mut px = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let xf = if mirrored { w - 1 - x } else { x } as f32;
            let yf = y as f32;
            let v = 128.0 + 70.0 * (xf / 97.0).sin() * (yf / 143.0).cos() + xf / 40.0 - yf / 60.0;
            let v = v.clamp(0.0, 255.0) as u8;
            px.extend([v, v.saturating_add(20), v / 2]);
        }
    }
    px
}

#[test]
fn media_perceptual_hash_finds_recompressed_copies_not_different_pictures() {
    let limits = PhotoLimits::default();
    let (w, h) = (480, 320);
    let hash = |px: &[u8], q: u8| sanitize(&encode_jpeg(px, w, h, q), &limits).unwrap().phash;
    let original = hash(&smooth(w, h, false), 92);
    let recompressed = hash(&smooth(w, h, false), 50);
    let mirrored = hash(&smooth(w, h, true), 92);
    assert!(
        hamming(original, recompressed) <= 4,
        "{}",
        hamming(original, recompressed)
    );
    assert!(
        hamming(original, mirrored) >= 16,
        "{}",
        hamming(original, mirrored)
    );
    // Same bytes, same SHA-256; recompressed, a different one.
    let a = sanitize(&encode_jpeg(&smooth(w, h, false), w, h, 92), &limits).unwrap();
    let b = sanitize(&encode_jpeg(&smooth(w, h, false), w, h, 92), &limits).unwrap();
    let c = sanitize(&encode_jpeg(&smooth(w, h, false), w, h, 50), &limits).unwrap();
    assert_eq!(a.sha256, b.sha256);
    assert_ne!(a.sha256, c.sha256);
}

#[test]
fn media_every_exif_orientation_is_applied() {
    // Stored top-left quadrant (red) must land in the displayed corner EXIF says.
    let (w, h) = (240, 160);
    let base = encode_jpeg(&pattern(w, h), w, h, 90);
    for (o, dims, red_corner) in [
        (1, (w, h), (0, 0)),
        (2, (w, h), (1, 0)),
        (3, (w, h), (1, 1)),
        (4, (w, h), (0, 1)),
        (5, (h, w), (0, 0)),
        (6, (h, w), (1, 0)),
        (7, (h, w), (1, 1)),
        (8, (h, w), (0, 1)),
    ] {
        for limits in both_decoders() {
            let photo = sanitize(&with_metadata(&base, o), &limits).unwrap();
            assert_eq!((photo.width, photo.height), dims, "orientation {o}");
            let img = decode(&photo.display);
            let x = if red_corner.0 == 0 { 10 } else { img.0 - 10 };
            let y = if red_corner.1 == 0 { 10 } else { img.1 - 10 };
            let got = pixel(&img, x, y);
            assert!(near(got, TOP_LEFT), "orientation {o}, {limits:?}: {got:?}");
        }
    }
}

#[test]
fn media_large_jpeg_is_scaled_to_the_display_edge() {
    // 4000x3000: decoded at half scale through the DCT, no resize needed.
    let (w, h) = (4000, 3000);
    let photo = sanitize(
        &encode_jpeg(&pattern(w, h), w, h, 80),
        &PhotoLimits::default(),
    )
    .unwrap();
    assert_eq!((photo.width, photo.height), (2000, 1500));
    assert_eq!((photo.thumb_width, photo.thumb_height), (320, 240));
    let img = decode(&photo.display);
    assert!(near(pixel(&img, 10, 10), TOP_LEFT));
    assert!(near(pixel(&img, 1990, 1490), BOTTOM_RIGHT));
    // 3000x2250: decoded full size and resized to 2048.
    let (w, h) = (3000, 2250);
    let photo = sanitize(
        &encode_jpeg(&pattern(w, h), w, h, 80),
        &PhotoLimits::default(),
    )
    .unwrap();
    assert_eq!((photo.width, photo.height), (2048, 1536));
}

#[test]
fn media_png_and_webp_work_and_transparency_becomes_white() {
    let rgb = pattern(600, 400);
    let mut rgba: Vec<u8> = rgb
        .chunks(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    // Make the top-right quadrant fully transparent, still carrying hidden colour values.
    for y in 0..200 {
        for x in 300..600 {
            rgba[(y * 600 + x) * 4 + 3] = 0;
        }
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&rgba, 600, 400, image::ExtendedColorType::Rgba8)
        .unwrap();
    let photo = sanitize(&png, &PhotoLimits::default()).unwrap();
    assert_eq!(photo.source_type, PhotoType::Png);
    assert_eq!((photo.width, photo.height), (600, 400));
    let img = decode(&photo.display);
    assert!(near(pixel(&img, 10, 10), TOP_LEFT));
    assert!(near(pixel(&img, 590, 10), [255, 255, 255]));

    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .encode(&rgb, 600, 400, image::ExtendedColorType::Rgb8)
        .unwrap();
    let photo = sanitize(&webp, &PhotoLimits::default()).unwrap();
    assert_eq!(photo.source_type, PhotoType::Webp);
    assert_eq!((photo.width, photo.height), (600, 400));
    let img = decode(&photo.display);
    assert!(near(pixel(&img, 590, 390), BOTTOM_RIGHT));
}

#[test]
fn media_heic_and_gif_are_unsupported_and_heic_is_named() {
    let limits = PhotoLimits::default();
    let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    heic.extend(vec![0u8; 4096]);
    let e = sanitize(&heic, &limits).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnsupportedPhotoType);
    assert_eq!(e.code.as_str(), "unsupported_photo_type");
    assert_eq!(e.code.status(), 415);
    let detail = e.detail.unwrap();
    assert!(detail.en.contains("HEIC") && detail.en.contains("Most Compatible"));

    let gif = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;";
    assert_eq!(code_of(gif, &limits), ErrorCode::UnsupportedPhotoType);
}

#[test]
fn media_random_truncated_and_corrupt_files_are_unreadable() {
    let limits = PhotoLimits::default();
    // Deterministic noise.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let noise: Vec<u8> = (0..50_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    assert_eq!(code_of(&noise, &limits), ErrorCode::PhotoUnreadable);
    assert_eq!(ErrorCode::PhotoUnreadable.status(), 422);

    let jpeg = encode_jpeg(&pattern(W, H), W, H, 90);
    // JPEG magic followed by noise.
    let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
    fake.extend_from_slice(&noise);
    // A real header whose scan data is replaced by noise, closed by a proper end marker.
    let sos = jpeg.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    let mut garbled = jpeg[..sos + 14].to_vec();
    garbled.extend(
        noise
            .iter()
            .map(|&b| if b == 0xFF { 0 } else { b })
            .take(20_000),
    );
    garbled.extend_from_slice(&[0xFF, 0xD9]);
    for limits in both_decoders() {
        for cut in [3, 20, 200, jpeg.len() / 3, jpeg.len() / 2, jpeg.len() - 2] {
            let code = code_of(&jpeg[..cut], &limits);
            assert_eq!(code, ErrorCode::PhotoUnreadable, "cut at {cut}");
        }
        assert_eq!(code_of(&fake, &limits), ErrorCode::PhotoUnreadable);
        // Garbled entropy data may decode to garbage pixels or be refused; never a panic or a
        // pass-through.
        match sanitize(&garbled, &limits) {
            Ok(p) => assert!(
                !p.display
                    .windows(64)
                    .any(|w| w == &garbled[sos + 14..sos + 78])
            ),
            Err(e) => assert_eq!(e.code, ErrorCode::PhotoUnreadable),
        }
    }
    // PNG and WebP magic followed by noise, and cut-off ones.
    let mut fake_png = b"\x89PNG\r\n\x1a\n".to_vec();
    fake_png.extend_from_slice(&noise);
    assert_eq!(code_of(&fake_png, &limits), ErrorCode::PhotoUnreadable);
    let mut fake_webp = b"RIFF\0\0\x01\0WEBPVP8 ".to_vec();
    fake_webp.extend_from_slice(&noise);
    assert_eq!(code_of(&fake_webp, &limits), ErrorCode::PhotoUnreadable);
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&pattern(300, 200), 300, 200, image::ExtendedColorType::Rgb8)
        .unwrap();
    assert_eq!(
        code_of(&png[..png.len() / 2], &limits),
        ErrorCode::PhotoUnreadable
    );
}

#[test]
fn media_polyglots_are_reencoded_never_passed_through() {
    let limits = PhotoLimits::default();
    let jpeg = encode_jpeg(&pattern(W, H), W, H, 90);
    let zip = b"PK\x03\x04\x14\0\0\0\0\0payload.txt<html><script>alert(1)</script></html>";
    // A ZIP and HTML appended after the end of the image, and HTML in a comment segment.
    let mut poly = jpeg[..2].to_vec();
    poly.extend(segment(
        0xFE,
        b"<html><body onload=evil()>hidden</body></html>",
    ));
    poly.extend_from_slice(&jpeg[2..]);
    poly.extend_from_slice(zip);
    let photo = sanitize(&poly, &limits).unwrap();
    for out in [&photo.display, &photo.thumb] {
        assert!(!out.windows(4).any(|w| w == b"PK\x03\x04"));
        assert!(!out.windows(5).any(|w| w == b"<html"));
        assert_eq!(&out[out.len() - 2..], &[0xFF, 0xD9], "ends at EOI");
    }
    assert_ne!(photo.display, poly);
    // A JPEG header glued onto a ZIP with no picture is refused.
    let mut head_only = jpeg[..600].to_vec();
    head_only.extend_from_slice(zip);
    assert_eq!(code_of(&head_only, &limits), ErrorCode::PhotoUnreadable);
}

/// A PNG that is only a signature and an IHDR chunk claiming `w × h`, plus a tiny IDAT and IEND.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc_input);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A JPEG whose frame header claims `w × h` over a few bytes of scan.
fn jpeg_claiming(w: u16, h: u16) -> Vec<u8> {
    let real = encode_jpeg(&pattern(16, 16), 16, 16, 90);
    let mut out = real.clone();
    let sof = real.windows(2).position(|p| p == [0xFF, 0xC0]).unwrap();
    out[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    out
}

#[test]
fn media_decompression_bombs_are_refused_fast_without_decoding() {
    for (name, bomb) in [
        ("png 50000x50000", png_claiming(50_000, 50_000)),
        ("png 20000x20000 (400 MP)", png_claiming(20_000, 20_000)),
        ("png 30000x10", png_claiming(30_000, 10)),
        ("jpeg 60000x60000", jpeg_claiming(60_000, 60_000)),
        ("jpeg 10000x10000 (100 MP)", jpeg_claiming(10_000, 10_000)),
    ] {
        assert!(bomb.len() < 1024, "{name} is a small file");
        for limits in both_decoders() {
            let start = Instant::now();
            let e = sanitize(&bomb, &limits).unwrap_err();
            let took = start.elapsed();
            assert_eq!(e.code, ErrorCode::PhotoTooLarge, "{name}");
            assert_eq!(e.code.as_str(), "photo_too_large");
            assert_eq!(e.code.status(), 413);
            // Allocating and filling 7.5 GB would take seconds; a header check, microseconds.
            assert!(took < Duration::from_millis(50), "{name} took {took:?}");
            println!("{name} ({:?}): refused in {took:?}", limits.jpeg_decoder);
        }
    }
    // The process never grew anywhere near the claimed sizes.
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(hwm) = status.lines().find(|l| l.starts_with("VmHWM")) {
        let kib: u64 = hwm.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert!(kib < 2 * 1024 * 1024, "peak RSS {kib} KiB");
    }
}

#[test]
fn media_oversized_files_are_refused_before_sniffing() {
    let limits = PhotoLimits {
        max_bytes: 10_000,
        ..PhotoLimits::default()
    };
    let jpeg = encode_jpeg(&pattern(W, H), W, H, 90);
    assert!(jpeg.len() > 10_000);
    let e = sanitize(&jpeg, &limits).unwrap_err();
    assert_eq!(e.code, ErrorCode::PhotoTooLarge);
    assert_eq!(e.code.status(), 413);
    // The default is 25 MiB.
    assert_eq!(PhotoLimits::default().max_bytes, 25 * 1024 * 1024);
    let big = vec![0u8; 25 * 1024 * 1024 + 1];
    assert_eq!(
        code_of(&big, &PhotoLimits::default()),
        ErrorCode::PhotoTooLarge
    );
}

#[test]
fn media_grayscale_and_tiny_photos_work() {
    let gray: Vec<u8> = (0..64 * 48).map(|i| (i % 256) as u8).collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&gray, 64, 48, jpeg_encoder::ColorType::Luma)
        .unwrap();
    let photo = sanitize(&out, &PhotoLimits::default()).unwrap();
    assert_eq!((photo.width, photo.height, photo.thumb_width), (64, 48, 64));
    let one = encode_jpeg(&[1, 2, 3], 1, 1, 90);
    let photo = sanitize(&one, &PhotoLimits::default()).unwrap();
    assert_eq!((photo.width, photo.height), (1, 1));
}
