//! Wrapping of per-record data keys under the per-enterprise key of a master key version.
//!
//! Shared by sealed records and blobs: the wrap is what rotation rewrites, while the payload
//! (encrypted under the data key) never changes.

use aes_gcm::aead::AeadInPlace as _;
use aes_gcm::{Aes256Gcm, Key, KeyInit as _, Nonce, Tag};
use rand::RngCore as _;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use crate::format::{Header, KEY_LEN, NONCE_LEN, Prefix, WRAPPED_KEY_LEN, wrap_ad};
use crate::{Context, CryptoError, KeyRing};

/// A fresh AES-256 key from the OS random source, wiped when dropped.
pub(crate) fn random_key() -> Zeroizing<[u8; KEY_LEN]> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    OsRng.fill_bytes(key.as_mut());
    key
}

/// A fresh random 96-bit nonce.
pub(crate) fn random_nonce() -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    nonce
}

/// An AES-256-GCM instance for a 32-byte key (its key schedule is zeroized on drop).
pub(crate) fn cipher(key: &[u8; KEY_LEN]) -> Aes256Gcm {
    Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key))
}

/// Encrypt `data_key` under the enterprise key named by `prefix` (version and purpose), with the
/// prefix and context as associated data.
pub(crate) fn wrap_data_key(
    ring: &KeyRing,
    prefix: Prefix,
    ctx: &Context<'_>,
    data_key: &[u8; KEY_LEN],
    wrap_nonce: &[u8; NONCE_LEN],
) -> Result<[u8; WRAPPED_KEY_LEN], CryptoError> {
    let kek = ring.enterprise_key(prefix.key_version, prefix.purpose, ctx.enterprise_id)?;
    let mut out = [0u8; WRAPPED_KEY_LEN];
    let (body, tag_out) = out.split_at_mut(KEY_LEN);
    body.copy_from_slice(data_key);
    let tag = cipher(&kek)
        .encrypt_in_place_detached(Nonce::from_slice(wrap_nonce), &wrap_ad(prefix, ctx), body)
        .map_err(|_| CryptoError::EncryptionFailed)?;
    tag_out.copy_from_slice(&tag);
    Ok(out)
}

/// Recover the data key of a header, checking the wrap's authenticity against the context.
pub(crate) fn unwrap_data_key(
    ring: &KeyRing,
    header: &Header,
    ctx: &Context<'_>,
) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
    let kek = ring.enterprise_key(header.key_version, header.purpose, ctx.enterprise_id)?;
    let (body, tag) = header.wrapped_key.split_at(KEY_LEN);
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    key.copy_from_slice(body);
    cipher(&kek)
        .decrypt_in_place_detached(
            Nonce::from_slice(&header.wrap_nonce),
            &wrap_ad(header.prefix(), ctx),
            key.as_mut(),
            Tag::from_slice(tag),
        )
        .map_err(|_| CryptoError::DecryptionFailed)?;
    Ok(key)
}

/// Re-wrap the data key of `header` under the ring's current version with a fresh wrap nonce.
/// `None` when the header already uses the current version. Only the wrap is authenticated
/// here: the payload is neither read nor changed.
pub(crate) fn rewrap_header(
    ring: &KeyRing,
    header: &Header,
    ctx: &Context<'_>,
) -> Result<Option<Header>, CryptoError> {
    rewrap_header_with(ring, header, ctx, &random_nonce())
}

/// [`rewrap_header`] with an explicit wrap nonce, for test vectors.
pub(crate) fn rewrap_header_with(
    ring: &KeyRing,
    header: &Header,
    ctx: &Context<'_>,
    wrap_nonce: &[u8; NONCE_LEN],
) -> Result<Option<Header>, CryptoError> {
    let current = ring.current_version();
    if header.key_version == current {
        return Ok(None);
    }
    let data_key = unwrap_data_key(ring, header, ctx)?;
    let prefix = Prefix {
        key_version: current,
        ..header.prefix()
    };
    let wrapped_key = wrap_data_key(ring, prefix, ctx, &data_key, wrap_nonce)?;
    Ok(Some(Header {
        key_version: current,
        wrap_nonce: *wrap_nonce,
        wrapped_key,
        ..header.clone()
    }))
}
