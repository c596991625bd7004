//! One connection type over PostgreSQL and SQLite, the pool, migrations and write transactions.

use std::path::Path;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;

/// One code path for both databases. SQLite is listed last, as diesel's docs advise.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// PostgreSQL, for scale.
    Postgresql(diesel::PgConnection),
    /// Embedded SQLite, the default.
    Sqlite(diesel::SqliteConnection),
}

impl std::fmt::Debug for DbConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DbConn::Postgresql(_) => "DbConn::Postgresql",
            DbConn::Sqlite(_) => "DbConn::Sqlite",
        })
    }
}

/// The connection pool.
pub type DbPool = Pool<ConnectionManager<DbConn>>;
/// A connection checked out of the pool.
pub type PooledConn = PooledConnection<ConnectionManager<DbConn>>;

/// Migrations for SQLite, embedded in the binary.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
/// Migrations for PostgreSQL, embedded in the binary.
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Runs the SQLite pragmas on every connection the pool opens: a busy timeout first, so
/// concurrent writers (and the other pragmas) wait instead of failing, and foreign keys on
/// (SQLite's default is off), and full sync so an acknowledged commit survives a power cut. WAL, which lets readers proceed while one writer writes, is a
/// property of the file and is set once in [`connect`].
#[derive(Debug, Clone, Copy)]
struct SqlitePragmas;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            c.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                 PRAGMA synchronous = FULL;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Opens the pool, creating the SQLite file's folder if needed.
pub fn connect(url: &DatabaseUrl, size: u32) -> anyhow::Result<DbPool> {
    let conn_url = match url {
        DatabaseUrl::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let path = path_to_str(path)?.to_owned();
            // Switching to WAL needs a moment of exclusive access: do it once, before the pool
            // opens its connections side by side.
            let mut first = diesel::SqliteConnection::establish(&path)
                .map_err(|e| anyhow::anyhow!("cannot open the database {}: {e}", url.redacted()))?;
            first.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")?;
            path
        }
        DatabaseUrl::Postgres(u) => u.clone(),
    };
    let manager = ConnectionManager::<DbConn>::new(conn_url);
    let pool = Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)
        .map_err(|e| anyhow::anyhow!("cannot open the database {}: {e}", url.redacted()))?;
    Ok(pool)
}

fn path_to_str(p: &Path) -> anyhow::Result<&str> {
    p.to_str()
        .ok_or_else(|| anyhow::anyhow!("the database path is not valid UTF-8"))
}

/// Applies pending migrations; returns how many ran.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConn::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(applied.len())
}

/// Reverts every migration (used by the migration round-trip test).
pub fn revert_all_migrations(conn: &mut DbConn) -> anyhow::Result<usize> {
    let reverted = match conn {
        DbConn::Postgresql(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS),
        DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("revert failed: {e}"))?;
    Ok(reverted.len())
}

/// Runs `f` in a transaction that takes the write lock up front.
///
/// On SQLite a plain (deferred) transaction that reads and then writes can fail with
/// `SQLITE_BUSY` when another writer committed in between, whatever the busy timeout; `BEGIN
/// IMMEDIATE` waits for the lock first instead. PostgreSQL uses an ordinary transaction and row
/// locks or guarded updates inside it.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Postgresql(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            // A failed rollback marks the connection broken; the pool then discards it.
            let _ = <DbConn as Connection>::TransactionManager::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// The backend type of [`DbConn`] (for boxed expressions).
pub type Backend = <DbConn as diesel::Connection>::Backend;

/// Whether the connection is PostgreSQL (for the few statements whose SQL differs).
pub fn is_postgres(conn: &DbConn) -> bool {
    matches!(conn, DbConn::Postgresql(_))
}
