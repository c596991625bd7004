//! Sealing of small records (identities, payout details) with length-hiding padding.
//!
//! A sealed record is the 79-byte header of [`crate::format`] with magic `b'Q'`, followed by
//! `AES-256-GCM(data key, nonce, payload AD, pad(plaintext)) || tag`. The padded plaintext is a
//! multiple of [`crate::PAD_BUCKET`] bytes (at least one bucket), so every name shorter than 256
//! bytes produces a record of the same length: 79 + 256 + 16 = 351 bytes.

use aes_gcm::aead::AeadInPlace as _;
use aes_gcm::{Nonce, Tag};
use zeroize::{Zeroize as _, Zeroizing};

use crate::format::{
    HEADER_LEN, Header, KEY_LEN, MAGIC_SEALED, NONCE_LEN, PAD_BUCKET, Prefix, TAG_LEN,
    pad_in_place, padded_len, payload_ad, unpadded_len,
};
use crate::wrap::{
    cipher, random_key, random_nonce, rewrap_header, unwrap_data_key, wrap_data_key,
};
use crate::{Context, CryptoError, KeyRing, Purpose, SecretBytes};

/// A sealed small record: what gets stored in the database column.
///
/// Store it with [`Sealed::to_bytes`] and read it back with [`Sealed::from_bytes`]; the layout is
/// documented in the crate README and [`crate::format`]. `Debug` shows purpose, key version and
/// length only.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    header: Header,
    /// Padded payload ciphertext followed by its 16-byte tag.
    ciphertext: Vec<u8>,
}

impl Sealed {
    /// The stored byte form: header followed by ciphertext and tag.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.ciphertext.len());
        out.extend_from_slice(&self.header.to_bytes());
        out.extend_from_slice(&self.ciphertext);
        out
    }

    /// Parse the stored byte form. Checks structure only (magic, format, purpose code, lengths);
    /// authenticity is checked by [`KeyRing::open`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let header = Header::parse(bytes)?;
        if header.magic != MAGIC_SEALED {
            return Err(CryptoError::MalformedSealed);
        }
        let ciphertext = &bytes[HEADER_LEN..];
        let padded = ciphertext
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(CryptoError::MalformedSealed)?;
        if padded == 0 || padded % PAD_BUCKET != 0 {
            return Err(CryptoError::MalformedSealed);
        }
        Ok(Self {
            header,
            ciphertext: ciphertext.to_vec(),
        })
    }

    /// The master key version the data key is wrapped under; rotation tooling compares it with
    /// [`KeyRing::current_version`].
    pub fn key_version(&self) -> u32 {
        self.header.key_version
    }

    /// The purpose the record was sealed for.
    pub fn purpose(&self) -> Purpose {
        self.header.purpose
    }
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed")
            .field("purpose", &self.header.purpose)
            .field("key_version", &self.header.key_version)
            .field("len", &(HEADER_LEN + self.ciphertext.len()))
            .finish_non_exhaustive()
    }
}

impl KeyRing {
    /// Seal a small secret (identity, payout details) for one record.
    ///
    /// A fresh random data key encrypts the padded plaintext with AES-256-GCM under a random
    /// nonce, bound to (format, purpose, enterprise, record) by the associated data; the data key
    /// is wrapped under the enterprise's key for `purpose`, derived from the current master key
    /// version. Padding to 256-byte buckets keeps the length of a name from showing.
    pub fn seal(
        &self,
        purpose: Purpose,
        ctx: &Context<'_>,
        plaintext: &[u8],
    ) -> Result<Sealed, CryptoError> {
        self.seal_with(
            purpose,
            ctx,
            plaintext,
            &random_key(),
            &random_nonce(),
            &random_nonce(),
        )
    }

    /// [`KeyRing::seal`] with caller-chosen data key and nonces. Crate-private: reusing a nonce
    /// or key outside test vectors would be a serious bug.
    pub(crate) fn seal_with(
        &self,
        purpose: Purpose,
        ctx: &Context<'_>,
        plaintext: &[u8],
        data_key: &[u8; KEY_LEN],
        wrap_nonce: &[u8; NONCE_LEN],
        nonce: &[u8; NONCE_LEN],
    ) -> Result<Sealed, CryptoError> {
        if !purpose.is_sealable() {
            return Err(CryptoError::PurposeNotSealable(purpose));
        }
        let prefix = Prefix {
            magic: MAGIC_SEALED,
            purpose,
            key_version: self.current_version(),
        };
        let wrapped_key = wrap_data_key(self, prefix, ctx, data_key, wrap_nonce)?;

        // Exact capacity up front: no reallocation can leave a plaintext copy behind.
        let mut buf = Vec::with_capacity(padded_len(plaintext.len()) + TAG_LEN);
        buf.extend_from_slice(plaintext);
        pad_in_place(&mut buf);
        let tag = match cipher(data_key).encrypt_in_place_detached(
            Nonce::from_slice(nonce),
            &payload_ad(MAGIC_SEALED, purpose, ctx),
            &mut buf,
        ) {
            Ok(tag) => tag,
            Err(_) => {
                buf.zeroize();
                return Err(CryptoError::EncryptionFailed);
            }
        };
        buf.extend_from_slice(&tag);
        let header = Header {
            magic: MAGIC_SEALED,
            purpose,
            key_version: prefix.key_version,
            wrap_nonce: *wrap_nonce,
            wrapped_key,
            nonce: *nonce,
        };
        Ok(Sealed {
            header,
            ciphertext: buf,
        })
    }

    /// Open a record sealed by [`KeyRing::seal`] for the same purpose and context.
    ///
    /// Any tampering, a different record, enterprise or purpose all give the same
    /// [`CryptoError::DecryptionFailed`]; a key version not in the ring gives
    /// [`CryptoError::UnknownKeyVersion`].
    pub fn open(
        &self,
        purpose: Purpose,
        ctx: &Context<'_>,
        sealed: &Sealed,
    ) -> Result<SecretBytes, CryptoError> {
        if sealed.header.purpose != purpose {
            return Err(CryptoError::DecryptionFailed);
        }
        let data_key = unwrap_data_key(self, &sealed.header, ctx)?;
        let split = sealed
            .ciphertext
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(CryptoError::MalformedSealed)?;
        let (body, tag) = sealed.ciphertext.split_at(split);
        let mut buf = Zeroizing::new(body.to_vec());
        cipher(&data_key)
            .decrypt_in_place_detached(
                Nonce::from_slice(&sealed.header.nonce),
                &payload_ad(MAGIC_SEALED, purpose, ctx),
                &mut buf,
                Tag::from_slice(tag),
            )
            .map_err(|_| CryptoError::DecryptionFailed)?;
        let len = unpadded_len(&buf).ok_or(CryptoError::DecryptionFailed)?;
        buf.truncate(len);
        Ok(SecretBytes::new(std::mem::take(&mut *buf)))
    }

    /// Key rotation for one record: unwrap the data key with its old version and wrap it under
    /// the current one. The payload bytes are copied unchanged (not decrypted). Returns `None`
    /// when the record already uses the current version, so callers only write changed rows.
    pub fn rewrap(
        &self,
        purpose: Purpose,
        ctx: &Context<'_>,
        sealed: &Sealed,
    ) -> Result<Option<Sealed>, CryptoError> {
        if sealed.header.purpose != purpose {
            return Err(CryptoError::DecryptionFailed);
        }
        Ok(
            rewrap_header(self, &sealed.header, ctx)?.map(|header| Sealed {
                header,
                ciphertext: sealed.ciphertext.clone(),
            }),
        )
    }
}
