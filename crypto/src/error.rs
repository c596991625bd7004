//! The single error type of the crate.
//!
//! Every variant carries at most a version number, a format byte or a purpose: never plaintext,
//! key bytes, enterprise or record identifiers. That way an error can be logged or turned into an
//! HTTP response by the caller without any risk of leaking what was being protected.

use crate::Purpose;

/// Why a cryptographic operation was refused.
///
/// Authentication failures of every kind (tampered bytes, wrong record, wrong enterprise, wrong
/// purpose, wrong key) collapse into the single opaque [`CryptoError::DecryptionFailed`], so an
/// attacker probing with modified ciphertexts learns nothing about *which* check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The bytes are not a sealed record or blob of this crate (bad magic, wrong length, unknown
    /// purpose code). Nothing about the content is reported.
    #[error("malformed sealed data")]
    MalformedSealed,
    /// The magic byte matched but the format version is one this build cannot read; kept apart
    /// from [`CryptoError::MalformedSealed`] so a rollout with a newer format is diagnosable.
    #[error("unsupported sealed format version {0}")]
    UnsupportedFormat(u8),
    /// The data was wrapped under a master key version that is not loaded in this key ring;
    /// typically an old key was retired before every row was re-wrapped.
    #[error("master key version {0} is not loaded")]
    UnknownKeyVersion(u32),
    /// Authentication failed. Deliberately one variant for every cause (tampering, wrong
    /// context, wrong purpose, wrong key) so the failure cannot be used as an oracle.
    #[error("decryption failed")]
    DecryptionFailed,
    /// AES-GCM refused to encrypt (only possible for payloads beyond its 64 GiB limit).
    #[error("encryption failed")]
    EncryptionFailed,
    /// The master key was not 32 bytes of valid base64 (or was all zeros, a placeholder).
    #[error("invalid master key (expected 32 random bytes, base64 encoded)")]
    InvalidMasterKey,
    /// The text is not a receipt code (wrong length or a character outside the alphabet).
    #[error("invalid receipt code")]
    InvalidReceiptCode,
    /// The same key version was added to a key ring twice; refusing avoids silently picking one.
    #[error("duplicate master key version {0}")]
    DuplicateKeyVersion(u32),
    /// The purpose only names a derived key (blind index, receipt hash) and cannot seal data.
    #[error("purpose {0:?} cannot be used to seal data")]
    PurposeNotSealable(Purpose),
}
