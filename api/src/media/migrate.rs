//! Copying every blob from one store to another (`qingling blobs migrate`), so an installation
//! that began on the local folder moves into a bucket without losing a photo.
//!
//! Each copy is verified: the source is read through its own check (the bytes hash to their
//! key), written, then read back from the target through the same check. A blob already in the
//! target and intact is left alone, so an interrupted run simply runs again and picks up where
//! it stopped; one that is there but damaged is written again. Finally every key the database
//! names must be in the target — otherwise the run fails and says how many are missing, and the
//! operator does not switch `QINGLING_BLOB_URL` yet.
//!
//! Blocking; copies run on a few threads since each one is a network round trip or three.

use std::collections::BTreeSet;
use std::io;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::blob::BlobStore;

/// Threads copying at once.
const WORKERS: usize = 4;

/// What a migration did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// Blobs written to the target and verified.
    pub copied: usize,
    /// Blobs that were already in the target, intact (a resumed run).
    pub already_there: usize,
    /// Blobs that were in the target but damaged, written again.
    pub repaired: usize,
    /// Keys the database names that are in neither store intact (lost before the migration).
    pub missing: Vec<String>,
    /// Keys whose source copy is damaged (skipped; named so they can be investigated).
    pub damaged_at_source: Vec<String>,
}

impl Migrated {
    /// Whether every referenced photo is now in the target.
    pub fn complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Copies every blob of `from`, and checks every key of `referenced`, into `to`. `progress` is
/// called once per blob handled, with the total first (`progress(0, total)`). Stops at the
/// first failure of the target (unreachable, refused): run it again once that is fixed.
pub fn copy_all(
    from: &dyn BlobStore,
    to: &dyn BlobStore,
    referenced: &[String],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> io::Result<Migrated> {
    let mut keys: BTreeSet<String> = from.list_keys()?.into_iter().collect();
    keys.extend(referenced.iter().cloned());
    let keys: Vec<String> = keys.into_iter().collect();
    let total = keys.len();
    progress(0, total);

    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let outcome = Mutex::new(Migrated::default());
    let failure: Mutex<Option<io::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                loop {
                    if failure.lock().is_ok_and(|f| f.is_some()) {
                        return;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(key) = keys.get(i) else { return };
                    match copy_one(from, to, key) {
                        Ok(step) => {
                            let mut o = outcome.lock().unwrap_or_else(|p| p.into_inner());
                            match step {
                                Step::Copied => o.copied += 1,
                                Step::AlreadyThere => o.already_there += 1,
                                Step::Repaired => o.repaired += 1,
                                Step::Missing => o.missing.push(key.clone()),
                                Step::DamagedAtSource => {
                                    o.damaged_at_source.push(key.clone());
                                    o.missing.push(key.clone());
                                }
                            }
                        }
                        Err(e) => {
                            let mut f = failure.lock().unwrap_or_else(|p| p.into_inner());
                            f.get_or_insert(e);
                            return;
                        }
                    }
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    let mut out = outcome.into_inner().unwrap_or_else(|p| p.into_inner());
    // Orphans (in the folder, named by no row) were copied too; only referenced keys count as
    // missing.
    let referenced: BTreeSet<&String> = referenced.iter().collect();
    out.missing.retain(|k| referenced.contains(k));
    out.missing.sort();
    out.damaged_at_source.sort();
    Ok(out)
}

enum Step {
    Copied,
    AlreadyThere,
    Repaired,
    Missing,
    DamagedAtSource,
}

fn copy_one(from: &dyn BlobStore, to: &dyn BlobStore, key: &str) -> io::Result<Step> {
    let repairing = match to.get(key) {
        Ok(_) => return Ok(Step::AlreadyThere),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) if e.kind() == io::ErrorKind::InvalidData => true,
        Err(e) => return Err(e),
    };
    let bytes = match from.get(key) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Step::Missing),
        Err(e) if e.kind() == io::ErrorKind::InvalidData => return Ok(Step::DamagedAtSource),
        Err(e) => return Err(e),
    };
    let written = to.put(&bytes)?;
    if written != key {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the target stored {key} under {written}"),
        ));
    }
    if to.get(key)? != bytes {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{key} reads back different from the target"),
        ));
    }
    Ok(if repairing {
        Step::Repaired
    } else {
        Step::Copied
    })
}
