//! Where encrypted photo bytes live: a content-addressed blob store behind a trait, with a local
//! folder as the default and an S3-compatible bucket at scale ([`super::s3::S3BlobStore`]),
//! chosen by `QINGLING_BLOB_URL` through [`open`].
//!
//! The key of a blob is the SHA-256 of its bytes, so a key names exactly one content, a read can
//! verify what it got, and a half-written or bit-rotted file is detected instead of served.
//!
//! Durability order: [`BlobStore::put`] returns only once the bytes are on disk under their final
//! name, so a caller that commits its database row afterwards never references a missing blob.
//! A crash between the two leaves an unreferenced blob, which [`BlobStore::remove_orphans`]
//! deletes at the next start-up.
//!
//! All methods block on file I/O: call them from the blocking pool (`spawn_blocking`,
//! `AppContext::db`/`cpu`), never on the async executor.

use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest as _, Sha256};

/// Storage of immutable, content-addressed blobs.
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` durably and returns their key (SHA-256, lower-case hex). Storing the same
    /// bytes twice is harmless and returns the same key.
    fn put(&self, bytes: &[u8]) -> io::Result<String>;

    /// The bytes stored under `key`, verified against it: `NotFound` when absent, `InvalidData`
    /// when the stored bytes no longer hash to the key.
    fn get(&self, key: &str) -> io::Result<Vec<u8>>;

    /// Removes the blob; removing an absent one is not an error.
    fn delete(&self, key: &str) -> io::Result<()>;

    /// Every key in the store.
    fn list_keys(&self) -> io::Result<Vec<String>>;

    /// Deletes blobs that no database row references (`is_referenced` says which are) and
    /// leftovers of interrupted writes, when older than `older_than` — younger ones may belong
    /// to an upload whose row is about to be committed. Returns how many were deleted.
    fn remove_orphans(
        &self,
        is_referenced: &dyn Fn(&str) -> bool,
        older_than: Duration,
    ) -> io::Result<usize>;

    /// Where the store is, as a `QINGLING_BLOB_URL` (`file://…`, `s3://…`): for messages.
    fn location(&self) -> String;
}

/// Opens the store `url` names. An `s3://` bucket is probed (an object written, read back and
/// deleted) so that a store that cannot be used stops start-up with the setting to fix named.
pub fn open(
    url: &crate::config::BlobUrl,
    s3: &crate::config::S3Settings,
    timeout: Duration,
) -> anyhow::Result<std::sync::Arc<dyn BlobStore>> {
    use anyhow::Context as _;

    use crate::config::BlobUrl;
    Ok(match url {
        BlobUrl::File(root) => {
            std::sync::Arc::new(LocalBlobStore::open(root).with_context(|| {
                format!(
                    "QINGLING_BLOB_URL=file://{}: cannot create the photo folder",
                    root.display()
                )
            })?)
        }
        BlobUrl::S3 { bucket, prefix } => {
            let store = super::s3::S3BlobStore::new(bucket, prefix, s3, timeout)?;
            store.probe()?;
            std::sync::Arc::new(store)
        }
    })
}

/// A well-formed key: 64 lower-case hex digits. Anything else (`..`, `/`, upper case) is refused
/// before it comes near a path.
pub fn is_valid_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The SHA-256 of `bytes` as a key.
pub fn key_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Prefix of files being written; never a valid key, so listings skip them.
const TEMP_PREFIX: &str = ".tmp-";

/// Blobs in a local folder (by default `<data_dir>/blobs`), fanned out as `ab/cd/abcd…` so no
/// directory grows past a few thousand entries.
#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: PathBuf,
}

impl LocalBlobStore {
    /// Opens (creating if needed) the store in `root`.
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(&root)?;
        Ok(Self { root })
    }

    /// The folder the store lives in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn dir_of(&self, key: &str) -> PathBuf {
        self.root.join(&key[..2]).join(&key[2..4])
    }

    fn path_of(&self, key: &str) -> io::Result<PathBuf> {
        if !is_valid_key(key) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a blob key",
            ));
        }
        Ok(self.dir_of(key).join(key))
    }

    /// Creates the fan-out folders of `dir`, syncing each parent whose entry list changed so the
    /// new folder itself survives a power cut.
    fn ensure_dir(&self, dir: &Path) -> io::Result<()> {
        if dir.is_dir() {
            return Ok(());
        }
        let mut created = Vec::new();
        let mut cur = dir;
        while !cur.is_dir() && cur != self.root {
            created.push(cur.to_path_buf());
            cur = match cur.parent() {
                Some(p) => p,
                None => break,
            };
        }
        for d in created.iter().rev() {
            match fs::create_dir(d) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
            if let Some(parent) = d.parent() {
                sync_dir(parent)?;
            }
        }
        Ok(())
    }

    /// The fan-out leaf folders (`ab/cd`).
    fn leaf_dirs(&self) -> io::Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        for first in subdirs(&self.root)? {
            out.extend(subdirs(&first)?);
        }
        Ok(out)
    }
}

impl BlobStore for LocalBlobStore {
    fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let key = key_of(bytes);
        let dir = self.dir_of(&key);
        let path = dir.join(&key);
        self.ensure_dir(&dir)?;
        let temp = dir.join(format!(
            "{TEMP_PREFIX}{}",
            hex::encode(rand::random::<[u8; 8]>())
        ));
        let written = (|| {
            let mut file = File::options().write(true).create_new(true).open(&temp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            drop(file);
            fs::rename(&temp, &path)?;
            sync_dir(&dir)
        })();
        if written.is_err() {
            // Best effort; a leftover is removed by `remove_orphans`.
            let _ = fs::remove_file(&temp);
        }
        written.map(|()| key)
    }

    fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        let bytes = fs::read(self.path_of(key)?)?;
        if key_of(&bytes) != key {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "blob does not match its key",
            ));
        }
        Ok(bytes)
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        match fs::remove_file(self.path_of(key)?) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    fn list_keys(&self) -> io::Result<Vec<String>> {
        let mut keys = Vec::new();
        for dir in self.leaf_dirs()? {
            for entry in fs::read_dir(&dir)? {
                let name = entry?.file_name();
                if let Some(name) = name.to_str().filter(|n| is_valid_key(n)) {
                    keys.push(name.to_owned());
                }
            }
        }
        keys.sort_unstable();
        Ok(keys)
    }

    fn remove_orphans(
        &self,
        is_referenced: &dyn Fn(&str) -> bool,
        older_than: Duration,
    ) -> io::Result<usize> {
        let now = SystemTime::now();
        let old_enough = |path: &Path| -> io::Result<bool> {
            let modified = fs::metadata(path)?.modified()?;
            Ok(now
                .duration_since(modified)
                .is_ok_and(|age| age >= older_than))
        };
        let mut removed = 0;
        for dir in self.leaf_dirs()? {
            for entry in fs::read_dir(&dir)? {
                let entry = entry?;
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                let orphan = if name.starts_with(TEMP_PREFIX) {
                    true
                } else {
                    is_valid_key(name) && !is_referenced(name)
                };
                if orphan && old_enough(&entry.path())? {
                    match fs::remove_file(entry.path()) {
                        Ok(()) => removed += 1,
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Ok(removed)
    }

    fn location(&self) -> String {
        format!("file://{}", self.root.display())
    }
}

/// Makes a folder's entry list (a rename, a new file) durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The two-hex-digit subfolders of `dir`; other entries are not the store's.
fn subdirs(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let is_fanout = entry.file_name().to_str().is_some_and(|n| {
            n.len() == 2 && n.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        });
        if is_fanout && entry.file_type()?.is_dir() {
            out.push(entry.path());
        }
    }
    Ok(out)
}
