//! Byte layout shared by sealed records and blobs, canonical encodings for associated data and
//! key derivation, and the length-hiding padding.
//!
//! # Header (format version 1)
//!
//! Sealed records and blobs start with the same 79-byte header; only the magic byte differs.
//!
//! | offset | size | field                                                    |
//! |-------:|-----:|----------------------------------------------------------|
//! | 0      | 1    | magic: `b'Q'` (0x51) sealed record, `b'B'` (0x42) blob   |
//! | 1      | 1    | format version, `0x01`                                   |
//! | 2      | 1    | purpose code ([`Purpose::code`])                         |
//! | 3      | 4    | master key version, u32 big-endian                       |
//! | 7      | 12   | wrap nonce                                               |
//! | 19     | 48   | wrapped data key (32 bytes AES-GCM ciphertext + 16 tag)  |
//! | 67     | 12   | payload nonce                                            |
//!
//! A sealed record continues with the padded payload ciphertext and its 16-byte tag; a blob
//! continues with the unpadded payload ciphertext and ends with its 16-byte tag. The bytes are
//! the same in both cases (`ciphertext || tag`), only the padding differs.
//!
//! # Associated data
//!
//! Every variable-length field is encoded as `u64 big-endian length || bytes`, so no two
//! different field lists encode to the same string.
//!
//! * payload AD = `enc("qingling-crypto/v1 payload", [magic, format, purpose], enterprise_id, record_id)`
//! * wrap AD    = `enc("qingling-crypto/v1 wrap", header[0..7], enterprise_id, record_id)`
//!
//! The payload AD leaves the key version out on purpose: rotation re-wraps the data key and
//! changes the version without touching the payload. The wrap AD includes it, so the version
//! byte cannot be altered without detection.

use crate::CryptoError;

/// Magic byte of a sealed small record (`Q` for Qingling).
pub(crate) const MAGIC_SEALED: u8 = b'Q';
/// Magic byte of a sealed blob (`B`); distinct so a blob can never be opened as a record.
pub(crate) const MAGIC_BLOB: u8 = b'B';
/// The only format version this build writes and reads.
pub(crate) const FORMAT_V1: u8 = 1;

/// Length of the prefix that identifies a record: magic, format, purpose, key version.
pub(crate) const PREFIX_LEN: usize = 7;
/// AES-GCM nonce length.
pub(crate) const NONCE_LEN: usize = 12;
/// AES-GCM tag length.
pub(crate) const TAG_LEN: usize = 16;
/// Data key length (AES-256).
pub(crate) const KEY_LEN: usize = 32;
/// Wrapped data key length: encrypted key plus its tag.
pub(crate) const WRAPPED_KEY_LEN: usize = KEY_LEN + TAG_LEN;
/// Full header length shared by sealed records and blobs.
pub const HEADER_LEN: usize = PREFIX_LEN + NONCE_LEN + WRAPPED_KEY_LEN + NONCE_LEN;
/// Padding bucket: sealed plaintexts are padded to a multiple of this many bytes.
pub const PAD_BUCKET: usize = 256;

const DOMAIN_PAYLOAD: &[u8] = b"qingling-crypto/v1 payload";
const DOMAIN_WRAP: &[u8] = b"qingling-crypto/v1 wrap";

/// What a derived key or a sealed record is for. Each purpose gets its own derived key, and the
/// purpose is bound into the associated data, so a ciphertext made for one purpose cannot be
/// opened as another.
///
/// The numeric codes are part of the stored format and of key derivation: never renumber them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Purpose {
    /// A confidential reporter's identity (name, employee number, contact).
    Identity = 1,
    /// Payout details for rewards (account numbers).
    Payout = 2,
    /// Photo and other blob encryption at rest.
    Photo = 3,
    /// Key of the per-enterprise blind index; never seals data.
    BlindIndex = 4,
    /// Key of the platform-wide receipt hash; never seals data.
    Receipt = 5,
    /// The index key version's master key, sealed under the current version and kept in the
    /// database, so that version can be retired from the key file after a rotation while the
    /// one-way blind index and receipt hashes keep their key.
    IndexKey = 6,
    /// Notification channel settings (group robot URLs with their keys, signing secrets).
    Notification = 7,
}

impl Purpose {
    /// The stable byte stored in headers and mixed into key derivation.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Inverse of [`Purpose::code`]; `None` for bytes no purpose uses.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Identity),
            2 => Some(Self::Payout),
            3 => Some(Self::Photo),
            4 => Some(Self::BlindIndex),
            5 => Some(Self::Receipt),
            6 => Some(Self::IndexKey),
            7 => Some(Self::Notification),
            _ => None,
        }
    }

    /// Whether data can be sealed under this purpose; the index and receipt purposes only name
    /// HMAC keys, and keeping them out of sealing keeps every key single-use.
    pub fn is_sealable(self) -> bool {
        matches!(
            self,
            Self::Identity | Self::Payout | Self::Photo | Self::IndexKey | Self::Notification
        )
    }
}

/// Where a sealed value lives. Both ids go into the associated data, so a ciphertext copied to
/// another row or another enterprise fails to open.
///
/// The ids are not secret (they are row keys), which is why this type may derive `Debug`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context<'a> {
    /// The enterprise the record belongs to; also selects the per-enterprise wrapping key.
    pub enterprise_id: &'a str,
    /// The id of the row (report, payout, photo) holding the sealed value.
    pub record_id: &'a str,
}

impl<'a> Context<'a> {
    /// Convenience constructor, equivalent to the struct literal.
    pub fn new(enterprise_id: &'a str, record_id: &'a str) -> Self {
        Self {
            enterprise_id,
            record_id,
        }
    }
}

/// Encode a list of fields unambiguously: each as `u64 BE length || bytes`.
pub(crate) fn encode_fields(fields: &[&[u8]]) -> Vec<u8> {
    let total = fields.iter().map(|f| 8 + f.len()).sum();
    let mut out = Vec::with_capacity(total);
    for field in fields {
        out.extend_from_slice(&(field.len() as u64).to_be_bytes());
        out.extend_from_slice(field);
    }
    out
}

/// The parsed fixed-size header of a sealed record or blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub magic: u8,
    pub purpose: Purpose,
    pub key_version: u32,
    pub wrap_nonce: [u8; NONCE_LEN],
    pub wrapped_key: [u8; WRAPPED_KEY_LEN],
    pub nonce: [u8; NONCE_LEN],
}

/// The identifying prefix of a record: enough to tell its kind and key version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prefix {
    pub magic: u8,
    pub purpose: Purpose,
    pub key_version: u32,
}

impl Prefix {
    /// Parse and validate the first [`PREFIX_LEN`] bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, CryptoError> {
        let prefix: &[u8; PREFIX_LEN] = bytes
            .get(..PREFIX_LEN)
            .and_then(|p| p.try_into().ok())
            .ok_or(CryptoError::MalformedSealed)?;
        let [magic, format, purpose, v0, v1, v2, v3] = *prefix;
        if magic != MAGIC_SEALED && magic != MAGIC_BLOB {
            return Err(CryptoError::MalformedSealed);
        }
        if format != FORMAT_V1 {
            return Err(CryptoError::UnsupportedFormat(format));
        }
        let purpose = Purpose::from_code(purpose).ok_or(CryptoError::MalformedSealed)?;
        let valid_purpose = match magic {
            MAGIC_BLOB => purpose == Purpose::Photo,
            _ => purpose.is_sealable(),
        };
        if !valid_purpose {
            return Err(CryptoError::MalformedSealed);
        }
        Ok(Self {
            magic,
            purpose,
            key_version: u32::from_be_bytes([v0, v1, v2, v3]),
        })
    }

    /// The 7 encoded bytes, as bound into the wrap AD.
    pub fn to_bytes(self) -> [u8; PREFIX_LEN] {
        let v = self.key_version.to_be_bytes();
        [
            self.magic,
            FORMAT_V1,
            self.purpose.code(),
            v[0],
            v[1],
            v[2],
            v[3],
        ]
    }
}

impl Header {
    /// The prefix part of the header.
    pub fn prefix(&self) -> Prefix {
        Prefix {
            magic: self.magic,
            purpose: self.purpose,
            key_version: self.key_version,
        }
    }

    /// Parse the first [`HEADER_LEN`] bytes (more may follow and are ignored).
    pub fn parse(bytes: &[u8]) -> Result<Self, CryptoError> {
        let prefix = Prefix::parse(bytes)?;
        let rest = bytes
            .get(PREFIX_LEN..HEADER_LEN)
            .ok_or(CryptoError::MalformedSealed)?;
        let (wrap_nonce, rest) = rest.split_at(NONCE_LEN);
        let (wrapped_key, nonce) = rest.split_at(WRAPPED_KEY_LEN);
        Ok(Self {
            magic: prefix.magic,
            purpose: prefix.purpose,
            key_version: prefix.key_version,
            wrap_nonce: wrap_nonce
                .try_into()
                .map_err(|_| CryptoError::MalformedSealed)?,
            wrapped_key: wrapped_key
                .try_into()
                .map_err(|_| CryptoError::MalformedSealed)?,
            nonce: nonce.try_into().map_err(|_| CryptoError::MalformedSealed)?,
        })
    }

    /// Write the header into exactly [`HEADER_LEN`] bytes.
    pub fn write_to(&self, out: &mut [u8; HEADER_LEN]) {
        out[..PREFIX_LEN].copy_from_slice(&self.prefix().to_bytes());
        let mut at = PREFIX_LEN;
        for part in [&self.wrap_nonce[..], &self.wrapped_key[..], &self.nonce[..]] {
            out[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
    }

    /// The header as a fresh array.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        self.write_to(&mut out);
        out
    }
}

/// Associated data of the payload: binds kind, format, purpose and context, not the key version.
pub(crate) fn payload_ad(magic: u8, purpose: Purpose, ctx: &Context<'_>) -> Vec<u8> {
    encode_fields(&[
        DOMAIN_PAYLOAD,
        &[magic, FORMAT_V1, purpose.code()],
        ctx.enterprise_id.as_bytes(),
        ctx.record_id.as_bytes(),
    ])
}

/// Associated data of the wrapped data key: binds the whole prefix (with key version) and context.
pub(crate) fn wrap_ad(prefix: Prefix, ctx: &Context<'_>) -> Vec<u8> {
    encode_fields(&[
        DOMAIN_WRAP,
        &prefix.to_bytes(),
        ctx.enterprise_id.as_bytes(),
        ctx.record_id.as_bytes(),
    ])
}

/// Padded length for a plaintext of `len` bytes: the smallest multiple of [`PAD_BUCKET`] that
/// leaves room for the mandatory `0x80` marker byte.
pub(crate) fn padded_len(len: usize) -> usize {
    (len / PAD_BUCKET + 1) * PAD_BUCKET
}

/// Append ISO/IEC 7816-4 padding (`0x80` then zeros) up to [`padded_len`]. Unambiguous: the last
/// non-zero byte is always the marker, whatever the plaintext ends with.
pub(crate) fn pad_in_place(buf: &mut Vec<u8>) {
    let target = padded_len(buf.len());
    buf.push(0x80);
    buf.resize(target, 0);
}

/// Remove the padding added by [`pad_in_place`]; `None` if it is not there.
pub(crate) fn unpadded_len(buf: &[u8]) -> Option<usize> {
    let marker = buf.iter().rposition(|&b| b != 0)?;
    (buf[marker] == 0x80).then_some(marker)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_79_bytes() {
        assert_eq!(HEADER_LEN, 79);
    }

    #[test]
    fn purpose_codes_are_stable() {
        let all = [
            (Purpose::Identity, 1),
            (Purpose::Payout, 2),
            (Purpose::Photo, 3),
            (Purpose::BlindIndex, 4),
            (Purpose::Receipt, 5),
            (Purpose::IndexKey, 6),
            (Purpose::Notification, 7),
        ];
        for (p, code) in all {
            assert_eq!(p.code(), code);
            assert_eq!(Purpose::from_code(code), Some(p));
        }
        assert_eq!(Purpose::from_code(0), None);
        assert_eq!(Purpose::from_code(8), None);
    }

    #[test]
    fn encoding_is_unambiguous() {
        assert_ne!(encode_fields(&[b"ab", b"c"]), encode_fields(&[b"a", b"bc"]));
        assert_ne!(encode_fields(&[b"", b"a"]), encode_fields(&[b"a", b""]));
        assert_eq!(
            encode_fields(&[b"ab"]),
            [0, 0, 0, 0, 0, 0, 0, 2, b'a', b'b']
        );
    }

    #[test]
    fn padding_round_trips_and_buckets() {
        for len in [0usize, 1, 6, 100, 254, 255, 256, 257, 511, 512, 1000] {
            let original: Vec<u8> = (0..len).map(|i| (i % 7) as u8).collect();
            let mut buf = original.clone();
            pad_in_place(&mut buf);
            assert_eq!(buf.len() % PAD_BUCKET, 0);
            assert!(buf.len() > len);
            assert_eq!(buf.len(), padded_len(len));
            assert_eq!(unpadded_len(&buf), Some(len));
        }
        assert_eq!(padded_len(0), 256);
        assert_eq!(padded_len(255), 256);
        assert_eq!(padded_len(256), 512);
    }

    #[test]
    fn padding_is_unambiguous_for_trailing_marker_and_zero_bytes() {
        for tail in [0x00u8, 0x80] {
            let mut buf = vec![1, 2, tail];
            pad_in_place(&mut buf);
            assert_eq!(unpadded_len(&buf), Some(3));
        }
        assert_eq!(unpadded_len(&[0u8; 256]), None);
        assert_eq!(unpadded_len(&[1u8; 256]), None);
    }

    #[test]
    fn prefix_validation() {
        let good = [MAGIC_SEALED, 1, 1, 0, 0, 0, 7];
        assert_eq!(Prefix::parse(&good).map(|p| p.key_version), Ok(7));
        assert_eq!(Prefix::parse(&good[..6]), Err(CryptoError::MalformedSealed));
        assert_eq!(
            Prefix::parse(&[b'X', 1, 1, 0, 0, 0, 7]),
            Err(CryptoError::MalformedSealed)
        );
        assert_eq!(
            Prefix::parse(&[MAGIC_SEALED, 2, 1, 0, 0, 0, 7]),
            Err(CryptoError::UnsupportedFormat(2))
        );
        assert_eq!(
            Prefix::parse(&[MAGIC_SEALED, 1, 9, 0, 0, 0, 7]),
            Err(CryptoError::MalformedSealed)
        );
        // Index/receipt purposes never seal; blobs are photos only.
        assert_eq!(
            Prefix::parse(&[MAGIC_SEALED, 1, 4, 0, 0, 0, 7]),
            Err(CryptoError::MalformedSealed)
        );
        assert_eq!(
            Prefix::parse(&[MAGIC_BLOB, 1, 1, 0, 0, 0, 7]),
            Err(CryptoError::MalformedSealed)
        );
        assert!(Prefix::parse(&[MAGIC_BLOB, 1, 3, 0, 0, 0, 7]).is_ok());
    }
}
