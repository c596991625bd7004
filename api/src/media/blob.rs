//! Where photo bytes live. The local store is the default; an S3-compatible store can implement
//! the same trait.
//!
//! The local store is content-addressed (a blob's key is the SHA-256 of its bytes) and durable:
//! a blob is written to a temporary name, fsynced, renamed into place and its folder fsynced
//! before `put` returns — so a database row that names it is never committed ahead of its bytes.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

/// Storage for immutable blobs.
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Stores bytes durably and returns their key.
    fn put(&self, bytes: &[u8]) -> io::Result<String>;
    /// Reads a blob, checking it still hashes to its key.
    fn get(&self, key: &str) -> io::Result<Vec<u8>>;
    /// Deletes a blob (missing is fine).
    fn delete(&self, key: &str) -> io::Result<()>;
    /// Deletes blobs no row references and stale temporary files, older than `older_than`.
    fn remove_orphans(
        &self,
        is_referenced: &dyn Fn(&str) -> bool,
        older_than: Duration,
    ) -> io::Result<usize>;
}

/// Blobs in a local folder: `<root>/ab/cd/<sha256 hex>`.
#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: PathBuf,
}

fn valid_key(key: &str) -> bool {
    key.len() == 64
        && key
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

impl LocalBlobStore {
    /// Opens (and creates) the folder.
    pub fn new(root: PathBuf) -> io::Result<Self> {
        fs::create_dir_all(root.join("tmp"))?;
        Ok(Self { root })
    }

    fn path(&self, key: &str) -> io::Result<PathBuf> {
        if !valid_key(key) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a blob key",
            ));
        }
        Ok(self.root.join(&key[..2]).join(&key[2..4]).join(key))
    }

    fn old_enough(path: &Path, older_than: Duration) -> bool {
        fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age >= older_than)
    }
}

impl BlobStore for LocalBlobStore {
    fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let key = hex::encode(Sha256::digest(bytes));
        let path = self.path(&key)?;
        if path.exists() {
            return Ok(key);
        }
        let dir = path
            .parent()
            .ok_or_else(|| io::Error::other("blob path has no folder"))?;
        fs::create_dir_all(dir)?;
        let tmp = self
            .root
            .join("tmp")
            .join(format!("{}.{}", key, uuid::Uuid::new_v4().simple()));
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let written = f.write_all(bytes).and_then(|_| f.sync_all());
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        drop(f);
        fs::rename(&tmp, &path)?;
        sync_dir(dir)?;
        Ok(key)
    }

    fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        let bytes = fs::read(self.path(key)?)?;
        if hex::encode(Sha256::digest(&bytes)) != key {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "blob does not match its key",
            ));
        }
        Ok(bytes)
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        match fs::remove_file(self.path(key)?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn remove_orphans(
        &self,
        is_referenced: &dyn Fn(&str) -> bool,
        older_than: Duration,
    ) -> io::Result<usize> {
        let mut removed = 0;
        for entry in fs::read_dir(self.root.join("tmp"))? {
            let p = entry?.path();
            if Self::old_enough(&p, older_than) {
                fs::remove_file(&p)?;
                removed += 1;
            }
        }
        for a in fs::read_dir(&self.root)? {
            let a = a?;
            if !a.file_type()?.is_dir() || a.file_name() == "tmp" {
                continue;
            }
            for b in fs::read_dir(a.path())? {
                for f in fs::read_dir(b?.path())? {
                    let p = f?.path();
                    let Some(key) = p.file_name().and_then(|n| n.to_str()).map(str::to_owned)
                    else {
                        continue;
                    };
                    if valid_key(&key) && Self::old_enough(&p, older_than) && !is_referenced(&key) {
                        fs::remove_file(&p)?;
                        removed += 1;
                    }
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_verify_and_orphans() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path().to_path_buf()).unwrap();
        let key = store.put(b"hello").unwrap();
        assert_eq!(store.get(&key).unwrap(), b"hello");
        assert_eq!(
            fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0,
            "no temp left"
        );
        let path = store.path(&key).unwrap();
        fs::write(&path, b"hellp").unwrap();
        assert!(store.get(&key).is_err(), "a changed byte is detected");
        let kept = store.put(b"kept").unwrap();
        let n = store
            .remove_orphans(&|k| k == kept, Duration::ZERO)
            .unwrap();
        assert_eq!(n, 1);
        assert!(store.get(&kept).is_ok());
        assert!(store.get("../etc/passwd").is_err());
    }
}
