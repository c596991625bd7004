#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod blind_index;
mod blob;
mod error;
pub mod format;
mod keys;
mod proof_key;
mod receipt;
mod rotation;
mod seal;
mod secret;
mod wrap;

#[cfg(test)]
mod vectors;

pub use error::CryptoError;
pub use format::{Context, HEADER_LEN, PAD_BUCKET, Purpose};
pub use keys::{KeyRing, MasterKey};
pub use proof_key::{PROOF_KEY_LABEL, ProofSigningKey, verify_proof_signature};
pub use receipt::ReceiptCode;
pub use seal::Sealed;
pub use secret::{SecretBytes, constant_time_eq};

/// Bytes a blob grows by when sealed (header plus tag). Reserve this much extra capacity in the
/// buffer handed to [`KeyRing::seal_blob`] and it will not reallocate.
pub const BLOB_OVERHEAD: usize = HEADER_LEN + format::TAG_LEN;
