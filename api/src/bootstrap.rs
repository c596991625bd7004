//! Start-up: open the database, run migrations, load keys, build the context. Shared by every
//! subcommand so they all read the same configuration the same way.

use std::sync::Arc;

use anyhow::Context as _;

use crate::config::Settings;
use crate::context::AppContext;
use crate::keys;
use crate::media::blob::{BlobStore, LocalBlobStore};
use crate::store::conn;

/// Opens everything the service needs; runs pending migrations first.
pub fn open(settings: Settings) -> anyhow::Result<AppContext> {
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "cannot create the data folder {}",
            settings.data_dir.display()
        )
    })?;
    let pool = conn::connect(&settings.database, settings.pool_size)?;
    {
        let mut c = pool.get().context("cannot connect to the database")?;
        let n = conn::run_migrations(&mut c)?;
        if n > 0 {
            tracing::info!(migrations = n, "database migrated");
        }
    }
    let ring = keys::load_keyring(&settings)?;
    {
        let mut c = pool.get().context("cannot connect to the database")?;
        crate::services::proofs::register_current_key(&mut c, &ring)
            .context("cannot record the proof key")?;
    }
    let blobs: Arc<dyn BlobStore> =
        Arc::new(LocalBlobStore::open(settings.data_dir.join("blobs"))?);
    remove_orphan_blobs(&pool, blobs.as_ref())?;
    AppContext::new(settings, pool, ring, blobs)
}

/// Deletes blobs that no photo row names: written by a request that crashed or failed before its
/// transaction committed. Only blobs older than a minute are considered, so another instance's
/// in-flight upload is left alone.
fn remove_orphan_blobs(pool: &crate::store::DbPool, blobs: &dyn BlobStore) -> anyhow::Result<()> {
    use diesel::prelude::*;

    use crate::store::schema::photos;
    let conn = std::cell::RefCell::new(pool.get().context("cannot connect to the database")?);
    let removed = blobs.remove_orphans(
        &|key: &str| {
            photos::table
                .filter(photos::display_key.eq(key).or(photos::thumb_key.eq(key)))
                .select(photos::id)
                .first::<String>(&mut *conn.borrow_mut())
                .optional()
                // When unsure, keep the blob.
                .map_or(true, |found| found.is_some())
        },
        std::time::Duration::from_secs(60),
    )?;
    if removed > 0 {
        tracing::warn!(
            removed,
            "removed photo blobs left by interrupted submissions"
        );
    }
    Ok(())
}

/// Only runs migrations (`qingling migrate`); returns how many ran.
pub fn migrate(settings: &Settings) -> anyhow::Result<usize> {
    std::fs::create_dir_all(&settings.data_dir)?;
    let pool = conn::connect(&settings.database, 1)?;
    let mut c = pool.get().context("cannot connect to the database")?;
    conn::run_migrations(&mut c)
}
