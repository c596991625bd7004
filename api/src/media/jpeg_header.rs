//! Reads what the pipeline needs from a JPEG's marker segments — frame size, component count,
//! EXIF orientation, whether the entropy-coded data ends — without decoding any pixels, so the
//! limits are enforced before a decoder allocates anything.

use super::orient::Orientation;

/// What the headers of a JPEG say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JpegHeader {
    /// Stored width in pixels (before orientation).
    pub width: u32,
    /// Stored height in pixels (before orientation).
    pub height: u32,
    /// EXIF orientation, `Normal` when there is no EXIF or no valid tag.
    pub orientation: Orientation,
    /// Scans up to the end-of-image marker: 1 for a baseline JPEG, about 10 for a progressive
    /// one from a camera. A progressive decoder makes a pass over every coefficient per scan, so
    /// thousands of repeated scans cost minutes of CPU for a file of a few KB.
    pub scans: u32,
}

/// Why the headers could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderError {
    /// Marker structure broken, no frame header, or a zero dimension.
    Malformed,
    /// The file ends inside the headers or before the image data's end marker.
    Truncated,
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP1: u8 = 0xE1;

/// Walks the marker segments up to the first scan.
pub(crate) fn read(bytes: &[u8]) -> Result<JpegHeader, HeaderError> {
    if bytes.get(..2) != Some(&[0xFF, SOI]) {
        return Err(HeaderError::Malformed);
    }
    let mut pos = 2;
    let mut frame: Option<(u32, u32)> = None;
    let mut orientation = Orientation::Normal;
    let mut seen_exif = false;
    loop {
        // A marker is 0xFF, any number of 0xFF fill bytes, then the code.
        if *bytes.get(pos).ok_or(HeaderError::Truncated)? != 0xFF {
            return Err(HeaderError::Malformed);
        }
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let marker = *bytes.get(pos).ok_or(HeaderError::Truncated)?;
        pos += 1;
        match marker {
            // Standalone markers carry no length.
            0x01 | 0xD0..=0xD7 => continue,
            SOI | EOI | 0x00 => return Err(HeaderError::Malformed),
            _ => {}
        }
        let len_bytes = bytes.get(pos..pos + 2).ok_or(HeaderError::Truncated)?;
        let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        if len < 2 {
            return Err(HeaderError::Malformed);
        }
        let body = bytes
            .get(pos + 2..pos + len)
            .ok_or(HeaderError::Truncated)?;
        pos += len;
        match marker {
            // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                if frame.is_some() || body.len() < 6 {
                    return Err(HeaderError::Malformed);
                }
                let height = u32::from(u16::from_be_bytes([body[1], body[2]]));
                let width = u32::from(u16::from_be_bytes([body[3], body[4]]));
                if width == 0 || height == 0 || body[5] == 0 {
                    // Height 0 means "defined later by DNL", which no phone writes.
                    return Err(HeaderError::Malformed);
                }
                frame = Some((width, height));
            }
            APP1 if !seen_exif && body.starts_with(b"Exif\0\0") => {
                seen_exif = true;
                orientation = exif_orientation(&body[6..]);
            }
            SOS => {
                let (width, height) = frame.ok_or(HeaderError::Malformed)?;
                // The entropy-coded data must be closed by an end-of-image marker; a file cut
                // off in transit has none (anything a phone appends after EOI is ignored).
                // Searched from the end, where it usually is.
                if !bytes[pos..].windows(2).rev().any(|w| w == [0xFF, EOI]) {
                    return Err(HeaderError::Truncated);
                }
                return Ok(JpegHeader {
                    width,
                    height,
                    orientation,
                    scans: count_scans(&bytes[pos..]),
                });
            }
            _ => {}
        }
    }
}

/// Counts the scans from the first scan's entropy-coded data to the end-of-image marker (the
/// first scan included), skipping the segments between scans by their lengths. Inside
/// entropy-coded data a 0xFF is followed by 0x00 (stuffing) or a restart marker, so any other
/// marker found there is a real one. Stops counting at a broken segment.
fn count_scans(after_first_sos_header: &[u8]) -> u32 {
    let b = after_first_sos_header;
    let mut scans = 1u32;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = b[i + 1];
        match marker {
            0x00 | 0xFF | 0x01 | 0xD0..=0xD7 => i += 1,
            EOI => break,
            _ => {
                let Some(len) = b.get(i + 2..i + 4) else {
                    break;
                };
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                if len < 2 {
                    break;
                }
                if marker == SOS {
                    scans = scans.saturating_add(1);
                }
                i += 2 + len;
            }
        }
    }
    scans
}

/// The orientation tag of a TIFF-structured EXIF block; anything unreadable counts as upright
/// (a broken EXIF block must not make an otherwise good photo fail).
pub(crate) fn exif_orientation(tiff: &[u8]) -> Orientation {
    let Ok(exif) = exif::Reader::new().read_raw(tiff.to_vec()) else {
        return Orientation::Normal;
    };
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|v| u8::try_from(v).ok())
        .map_or(Orientation::Normal, Orientation::from_exif)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, marker];
        v.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    fn jpeg(segments: &[Vec<u8>], tail: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, SOI];
        for s in segments {
            v.extend_from_slice(s);
        }
        v.extend_from_slice(tail);
        v
    }

    fn sof(w: u16, h: u16) -> Vec<u8> {
        let mut b = vec![8];
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&[1, 1, 0x11, 0]);
        segment(0xC0, &b)
    }

    #[test]
    fn reads_frame_size_without_exif() {
        let j = jpeg(
            &[sof(640, 480), segment(SOS, &[1, 1, 0, 0, 63, 0])],
            &[1, 2, 0xFF, EOI],
        );
        let h = read(&j).unwrap();
        assert_eq!(
            (h.width, h.height, h.orientation),
            (640, 480, Orientation::Normal)
        );
    }

    #[test]
    fn missing_end_marker_is_truncated_and_garbage_malformed() {
        let j = jpeg(
            &[sof(640, 480), segment(SOS, &[1, 1, 0, 0, 63, 0])],
            &[1, 2, 3],
        );
        assert_eq!(read(&j), Err(HeaderError::Truncated));
        assert_eq!(read(&j[..8]), Err(HeaderError::Truncated));
        assert_eq!(read(&[0xFF, SOI, 0x12, 0x34]), Err(HeaderError::Malformed));
        let no_frame = jpeg(&[segment(SOS, &[1, 1, 0, 0, 63, 0])], &[0xFF, EOI]);
        assert_eq!(read(&no_frame), Err(HeaderError::Malformed));
        assert_eq!(
            read(&jpeg(&[sof(0, 480)], &[])),
            Err(HeaderError::Malformed)
        );
    }

    #[test]
    fn scans_are_counted_to_the_end_marker() {
        let scan = segment(SOS, &[1, 1, 0, 0, 63, 0]);
        let mut tail = vec![1, 0xFF, 0x00, 2, 0xFF, 0xD3, 3];
        for _ in 0..4 {
            tail.extend(segment(0xC4, &[0, 1, 2]));
            tail.extend(&scan);
            tail.extend([5, 0xFF, 0x00, 6]);
        }
        tail.extend([0xFF, EOI]);
        let j = jpeg(&[sof(64, 32), scan.clone()], &tail);
        assert_eq!(read(&j).unwrap().scans, 5);
        let baseline = jpeg(&[sof(64, 32), scan], &[1, 2, 0xFF, EOI]);
        assert_eq!(read(&baseline).unwrap().scans, 1);
    }

    #[test]
    fn broken_exif_counts_as_upright() {
        let j = jpeg(
            &[
                segment(APP1, b"Exif\0\0MM\0*garbage"),
                sof(64, 32),
                segment(SOS, &[1, 1, 0, 0, 63, 0]),
            ],
            &[0xFF, EOI],
        );
        assert_eq!(read(&j).unwrap().orientation, Orientation::Normal);
    }
}
