//! Encryption at rest of photos and other large blobs.
//!
//! A blob is the 79-byte header of [`crate::format`] with magic `b'B'` and purpose
//! [`Purpose::Photo`], then the payload ciphertext (same length as the plaintext, no padding:
//! a photo's size is not the secret here), then the 16-byte GCM tag.
//!
//! Payloads are tens of megabytes, so the work happens inside the caller's `Vec`: encryption and
//! decryption are in place, the only extra memory is the header and tag, and the payload is moved
//! by one `memmove` to make room for (or drop) the header. Callers that know the size in advance
//! can reserve [`crate::BLOB_OVERHEAD`] extra bytes so sealing never reallocates.

use aes_gcm::aead::AeadInPlace as _;
use aes_gcm::{Nonce, Tag};

use crate::format::{
    HEADER_LEN, Header, KEY_LEN, MAGIC_BLOB, NONCE_LEN, Prefix, TAG_LEN, payload_ad,
};
use crate::wrap::{
    cipher, random_key, random_nonce, rewrap_header, unwrap_data_key, wrap_data_key,
};
use crate::{Context, CryptoError, KeyRing, Purpose};

impl KeyRing {
    /// Encrypt a blob for storage, consuming the buffer and returning
    /// `header || ciphertext || tag` in the same allocation where its capacity allows.
    ///
    /// Same scheme as [`KeyRing::seal`]: a fresh data key wrapped by the enterprise's photo key,
    /// the payload bound to enterprise and record id.
    pub fn seal_blob(&self, ctx: &Context<'_>, data: Vec<u8>) -> Result<Vec<u8>, CryptoError> {
        self.seal_blob_with(ctx, data, &random_key(), &random_nonce(), &random_nonce())
    }

    /// [`KeyRing::seal_blob`] with caller-chosen data key and nonces, for test vectors only.
    pub(crate) fn seal_blob_with(
        &self,
        ctx: &Context<'_>,
        mut data: Vec<u8>,
        data_key: &[u8; KEY_LEN],
        wrap_nonce: &[u8; NONCE_LEN],
        nonce: &[u8; NONCE_LEN],
    ) -> Result<Vec<u8>, CryptoError> {
        let prefix = Prefix {
            magic: MAGIC_BLOB,
            purpose: Purpose::Photo,
            key_version: self.current_version(),
        };
        let wrapped_key = wrap_data_key(self, prefix, ctx, data_key, wrap_nonce)?;

        let len = data.len();
        // Grow in place where possible: the allocator can extend (or remap) a large buffer without
        // copying, whereas a fresh buffer pays a page fault per 4 KiB (measured at twice the cost
        // of the encryption itself for 4 MiB).
        data.reserve_exact(HEADER_LEN + TAG_LEN);
        let tag = cipher(data_key)
            .encrypt_in_place_detached(
                Nonce::from_slice(nonce),
                &payload_ad(MAGIC_BLOB, Purpose::Photo, ctx),
                &mut data,
            )
            .map_err(|_| CryptoError::EncryptionFailed)?;
        // Shift after encrypting: the copy then starts from the end of the buffer, which the
        // cipher touched last and is still in cache.
        data.resize(len + HEADER_LEN, 0);
        data.copy_within(..len, HEADER_LEN);
        let header = Header {
            magic: MAGIC_BLOB,
            purpose: Purpose::Photo,
            key_version: prefix.key_version,
            wrap_nonce: *wrap_nonce,
            wrapped_key,
            nonce: *nonce,
        };
        data[..HEADER_LEN].copy_from_slice(&header.to_bytes());
        data.extend_from_slice(&tag);
        Ok(data)
    }

    /// Decrypt a blob made by [`KeyRing::seal_blob`] for the same context, in place, returning
    /// the plaintext in the same allocation. Authentication failures of any kind give
    /// [`CryptoError::DecryptionFailed`] and no plaintext is released.
    pub fn open_blob(&self, ctx: &Context<'_>, mut blob: Vec<u8>) -> Result<Vec<u8>, CryptoError> {
        let header = Header::parse(&blob)?;
        if header.magic != MAGIC_BLOB {
            return Err(CryptoError::MalformedSealed);
        }
        let tag_at = blob
            .len()
            .checked_sub(TAG_LEN)
            .filter(|&at| at >= HEADER_LEN)
            .ok_or(CryptoError::MalformedSealed)?;
        let data_key = unwrap_data_key(self, &header, ctx)?;
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&blob[tag_at..]);
        cipher(&data_key)
            .decrypt_in_place_detached(
                Nonce::from_slice(&header.nonce),
                &payload_ad(MAGIC_BLOB, Purpose::Photo, ctx),
                &mut blob[HEADER_LEN..tag_at],
                Tag::from_slice(&tag),
            )
            .map_err(|_| CryptoError::DecryptionFailed)?;
        blob.truncate(tag_at);
        blob.drain(..HEADER_LEN);
        Ok(blob)
    }

    /// Key rotation for a blob without touching its payload: given the blob (or just its first
    /// [`crate::HEADER_LEN`] bytes), returns the replacement header, exactly `HEADER_LEN` bytes,
    /// to be written over the start of the stored blob; everything after it stays as is. `None`
    /// when the blob already uses the current version.
    pub fn rewrap_blob(
        &self,
        ctx: &Context<'_>,
        blob: &[u8],
    ) -> Result<Option<Vec<u8>>, CryptoError> {
        let header = Header::parse(blob)?;
        if header.magic != MAGIC_BLOB {
            return Err(CryptoError::MalformedSealed);
        }
        Ok(rewrap_header(self, &header, ctx)?.map(|h| h.to_bytes().to_vec()))
    }
}
