//! Photos encrypted at rest: a sanitised JPEG is sealed with the enterprise's photo key (see the
//! crypto crate's README) before it reaches the blob store, so a copied blob folder or a bucket
//! left public shows no picture. The associated data binds each blob to its enterprise, photo and
//! variant: a blob swapped under another photo's row does not open.
//!
//! Blocking: sealing a display copy takes about a millisecond and the store fsyncs; callers run
//! these methods on the blocking pool (`spawn_blocking`, `AppContext::cpu`), never on the async
//! executor.

use std::fmt;
use std::sync::Arc;

use qingling_crypto::{Context, KeyRing};

use super::blob::BlobStore;
use crate::error::{AppError, ErrorCode};

/// Which stored copy of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// The display copy (long edge at most 2048 px).
    Display,
    /// The thumbnail (long edge 320 px).
    Thumb,
}

impl Variant {
    /// The name used in the record id of the encryption context and in URLs (`?size=thumb`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Display => "display",
            Self::Thumb => "thumb",
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Encrypts photos into a [`BlobStore`] and decrypts them back out.
#[derive(Clone)]
pub struct PhotoVault {
    /// Where the sealed bytes go.
    pub store: Arc<dyn BlobStore>,
    /// The key ring that seals and opens them.
    pub keys: Arc<KeyRing>,
}

impl fmt::Debug for PhotoVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PhotoVault").finish_non_exhaustive()
    }
}

/// 503 `photo_store_unavailable`, the cause kept for the log.
fn store_unavailable(cause: anyhow::Error) -> AppError {
    AppError {
        source: Some(cause),
        ..AppError::new(ErrorCode::PhotoStoreUnavailable)
    }
}

/// The sealing context's record id for one variant of a photo.
pub(crate) fn record_id(photo_id: &str, variant: Variant) -> String {
    format!("photo:{photo_id}:{variant}")
}

impl PhotoVault {
    /// A vault over `store`, sealing with `keys`.
    pub fn new(store: Arc<dyn BlobStore>, keys: Arc<KeyRing>) -> Self {
        Self { store, keys }
    }

    /// Seals `jpeg` for (`enterprise_id`, `photo_id`, `variant`) and stores it durably; returns
    /// the blob key to record in the photo's row. Blocking.
    pub fn store(
        &self,
        enterprise_id: &str,
        photo_id: &str,
        variant: Variant,
        jpeg: Vec<u8>,
    ) -> Result<String, AppError> {
        let record = record_id(photo_id, variant);
        let ctx = Context {
            enterprise_id,
            record_id: &record,
        };
        let sealed = self
            .keys
            .seal_blob(&ctx, jpeg)
            .map_err(|e| AppError::internal(anyhow::anyhow!("sealing a photo: {e}")))?;
        self.store.put(&sealed).map_err(|e| {
            store_unavailable(anyhow::anyhow!(
                "storing a photo blob in {}: {e}",
                self.store.location()
            ))
        })
    }

    /// Loads the blob `key` and opens it for (`enterprise_id`, `photo_id`, `variant`); fails
    /// (500, cause logged) if it is missing, damaged, or was sealed for anything else. Blocking.
    pub fn load(
        &self,
        enterprise_id: &str,
        photo_id: &str,
        variant: Variant,
        key: &str,
    ) -> Result<Vec<u8>, AppError> {
        let sealed = self.store.get(key).map_err(|e| {
            let cause = anyhow::anyhow!(
                "reading photo blob {key} from {}: {e}",
                self.store.location()
            );
            match e.kind() {
                // Missing or damaged: a lost photo, loud in the log, not a "try again".
                std::io::ErrorKind::NotFound | std::io::ErrorKind::InvalidData => {
                    AppError::internal(cause)
                }
                _ => store_unavailable(cause),
            }
        })?;
        let record = record_id(photo_id, variant);
        let ctx = Context {
            enterprise_id,
            record_id: &record,
        };
        self.keys
            .open_blob(&ctx, sealed)
            .map_err(|e| AppError::internal(anyhow::anyhow!("opening a photo blob: {e}")))
    }

    /// Deletes a stored blob, e.g. when the transaction that would have referenced it failed.
    /// Blocking.
    pub fn delete(&self, key: &str) -> Result<(), AppError> {
        self.store
            .delete(key)
            .map_err(|e| AppError::internal(anyhow::anyhow!("deleting a photo blob: {e}")))
    }
}
