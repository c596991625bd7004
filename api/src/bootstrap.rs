//! Start-up: open the database, run migrations, load keys, build the context. Shared by every
//! subcommand so they all read the same configuration the same way.

use anyhow::Context as _;

use crate::config::Settings;
use crate::context::AppContext;
use crate::keys;
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
    AppContext::new(settings, pool, ring)
}

/// Only runs migrations (`qingling migrate`); returns how many ran.
pub fn migrate(settings: &Settings) -> anyhow::Result<usize> {
    std::fs::create_dir_all(&settings.data_dir)?;
    let pool = conn::connect(&settings.database, 1)?;
    let mut c = pool.get().context("cannot connect to the database")?;
    conn::run_migrations(&mut c)
}
