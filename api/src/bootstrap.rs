//! Start-up: open the database, run migrations, load keys, build the context. Shared by every
//! subcommand so they all read the same configuration the same way.

use anyhow::Context as _;

use crate::config::Settings;
use crate::context::AppContext;
use crate::keys;
use crate::media::blob::{self, BlobStore};
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
    let ring = {
        let mut c = pool.get().context("cannot connect to the database")?;
        let ring = keys::pin_index_key(&mut c, ring, &keys::key_source(&settings))?;
        crate::services::proofs::register_current_key(&mut c, &ring)
            .context("cannot record the proof key")?;
        // The first start with a keyed chain is its cut-over; later starts key what the last
        // run left unsealed.
        crate::services::audit::seal(&mut c, &ring)
            .map_err(|e| anyhow::anyhow!("{e:?}"))
            .context("cannot key the audit chain")?;
        ring
    };
    let blobs = blob::open(&settings.blob, &settings.s3, settings.blob_timeout)?;
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

/// `qingling blobs migrate --to URL`: copies every photo blob from the configured store (the
/// local folder, as a rule) into `to`, verifying each, and checks that every photo the database
/// names arrived. `progress(done, total)` is called as it goes. The configured store is not
/// changed: the operator switches `QINGLING_BLOB_URL` once this reports success.
pub fn migrate_blobs(
    settings: &Settings,
    to: &crate::config::BlobUrl,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> anyhow::Result<(crate::media::migrate::Migrated, String, String)> {
    if *to == settings.blob {
        anyhow::bail!(
            "--to names the store QINGLING_BLOB_URL already uses ({}): nothing to copy",
            to.to_url()
        );
    }
    let pool = conn::connect(&settings.database, 1)?;
    let referenced = {
        let mut c = pool.get().context("cannot connect to the database")?;
        let n = conn::run_migrations(&mut c)?;
        if n > 0 {
            tracing::info!(migrations = n, "database migrated");
        }
        crate::store::reports::all_photo_keys(&mut c).context("listing the photos' blob keys")?
    };
    let from = blob::open(&settings.blob, &settings.s3, settings.blob_timeout)?;
    let target = blob::open(to, &settings.s3, settings.blob_timeout).map_err(|e| {
        anyhow::anyhow!(
            "{}",
            format!("{e:#}").replacen("QINGLING_BLOB_URL", "--to", 1)
        )
    })?;
    let done =
        crate::media::migrate::copy_all(from.as_ref(), target.as_ref(), &referenced, progress)
            .with_context(|| {
                format!(
                    "copying into {}; run the same command again to resume",
                    target.location()
                )
            })?;
    Ok((done, from.location(), target.location()))
}

/// Only runs migrations (`qingling migrate`); returns how many ran.
pub fn migrate(settings: &Settings) -> anyhow::Result<usize> {
    std::fs::create_dir_all(&settings.data_dir)?;
    let pool = conn::connect(&settings.database, 1)?;
    let mut c = pool.get().context("cannot connect to the database")?;
    conn::run_migrations(&mut c)
}
