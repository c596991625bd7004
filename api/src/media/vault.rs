//! Photos encrypted at rest: each variant of each photo is sealed with a fresh data key bound to
//! the enterprise and the photo (`photo:<id>:<variant>`), then stored in the blob store. A blob
//! copied to another photo's row does not open. The methods do blocking file I/O: call them off
//! the async executor.

use std::sync::Arc;

use qingling_crypto::{BLOB_OVERHEAD, Context, KeyRing};

use super::blob::BlobStore;
use crate::error::{AppError, AppResult};

/// Which copy of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Long edge ≤ 2048 px.
    Display,
    /// Long edge 320 px.
    Thumb,
}

impl Variant {
    fn as_str(self) -> &'static str {
        match self {
            Variant::Display => "display",
            Variant::Thumb => "thumb",
        }
    }
}

/// Encrypting photo storage.
#[derive(Debug)]
pub struct PhotoVault {
    store: Arc<dyn BlobStore>,
    keys: Arc<KeyRing>,
}

impl PhotoVault {
    /// A vault over a blob store.
    pub fn new(store: Arc<dyn BlobStore>, keys: Arc<KeyRing>) -> Self {
        Self { store, keys }
    }

    /// Encrypts and stores one variant; returns the blob key.
    pub fn store(
        &self,
        enterprise_id: &str,
        photo_id: &str,
        variant: Variant,
        mut jpeg: Vec<u8>,
    ) -> AppResult<String> {
        let record = format!("photo:{photo_id}:{}", variant.as_str());
        jpeg.reserve(BLOB_OVERHEAD);
        let sealed = self
            .keys
            .seal_blob(
                &Context {
                    enterprise_id,
                    record_id: &record,
                },
                jpeg,
            )
            .map_err(|e| AppError::internal(anyhow::anyhow!("sealing a photo: {e}")))?;
        self.store.put(&sealed).map_err(AppError::internal)
    }

    /// Loads and decrypts one variant.
    pub fn load(
        &self,
        enterprise_id: &str,
        photo_id: &str,
        variant: Variant,
        key: &str,
    ) -> AppResult<Vec<u8>> {
        let record = format!("photo:{photo_id}:{}", variant.as_str());
        let sealed = self.store.get(key).map_err(AppError::internal)?;
        self.keys
            .open_blob(
                &Context {
                    enterprise_id,
                    record_id: &record,
                },
                sealed,
            )
            .map_err(|e| AppError::internal(anyhow::anyhow!("opening a photo: {e}")))
    }

    /// Removes a stored blob.
    pub fn remove(&self, key: &str) -> std::io::Result<()> {
        self.store.delete(key)
    }
}
