//! The shared context every handler and worker receives: settings, the database pool, the key
//! ring, token issuer, limiters and metrics. Cheap to clone (everything is behind `Arc`).

use std::sync::Arc;

use crate::config::Settings;
use crate::cpu_pool::CpuPool;
use crate::error::{AppError, AppResult};
use crate::http::metrics::Metrics;
use crate::http::upload_budget::{BodyPacing, BudgetLimits, UploadBudget};
use crate::media::sanitize::PhotoLimits;
use crate::media::vault::PhotoVault;
use crate::services::limits::Limits;
use crate::services::submission::MAX_PHOTOS;
use crate::services::tokens::TokenIssuer;
use crate::store::{DbConn, DbPool};
use qingling_crypto::KeyRing;

/// Everything a use case needs, passed explicitly (no globals).
#[derive(Clone)]
pub struct AppContext {
    /// Configuration, read once at start-up.
    pub settings: Arc<Settings>,
    /// Database pool.
    pub pool: DbPool,
    /// Master keys for sealing, blind indexes, receipts and token signing.
    pub keys: Arc<KeyRing>,
    /// Issues and checks access tokens.
    pub tokens: Arc<TokenIssuer>,
    /// Rate limits (login, receipt lookups, anonymous submissions), shared by every instance
    /// through the database or Redis.
    pub limits: Arc<Limits>,
    /// Encrypted photo storage.
    pub vault: Arc<PhotoVault>,
    /// Size and pixel limits for uploaded photos.
    pub photo_limits: PhotoLimits,
    /// Runs CPU-heavy work (Argon2, image decoding) on one thread per core.
    pub cpu_pool: CpuPool,
    /// Ledger exports reading at once: each holds a database connection from its first page to
    /// its last, so they get at most a quarter of the pool (and at least one).
    pub export_slots: Arc<tokio::sync::Semaphore>,
    /// Room for upload bodies held in memory at once (see [`UploadBudget`]).
    pub uploads: UploadBudget,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
}

impl std::fmt::Debug for AppContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppContext").finish_non_exhaustive()
    }
}

impl AppContext {
    /// Builds the context from settings, an open pool and the loaded key ring.
    pub fn new(
        settings: Settings,
        pool: DbPool,
        keys: KeyRing,
        vault_store: Arc<dyn crate::media::blob::BlobStore>,
    ) -> anyhow::Result<Self> {
        let keys = Arc::new(keys);
        let vault = Arc::new(PhotoVault::new(vault_store, keys.clone()));
        let tokens = Arc::new(TokenIssuer::new(&keys, &settings)?);
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let photo_limits = PhotoLimits::default();
        let export_slots = Arc::new(tokio::sync::Semaphore::new(export_slots(
            settings.pool_size,
        )));
        let uploads = UploadBudget::new(BudgetLimits {
            total: settings.upload_memory,
            max_body: max_submission_body(&photo_limits),
            per_client: settings.upload_memory_per_client,
            wait: settings.upload_wait,
            pacing: BodyPacing {
                idle: settings.upload_idle_timeout,
                min_rate: settings.upload_min_rate,
                deadline: settings.upload_deadline,
            },
        });
        let settings = Arc::new(settings);
        let limits = Arc::new(Limits::new(settings.clone(), pool.clone(), &keys)?);
        Ok(Self {
            settings,
            pool,
            keys,
            tokens,
            limits,
            vault,
            photo_limits,
            cpu_pool: CpuPool::new(cores)?,
            export_slots,
            uploads,
            metrics: Arc::new(Metrics::new()?),
        })
    }

    /// Runs blocking database work on the blocking pool, never on the async executor's threads,
    /// carrying the current tracing span (and so the request id) and a scoped clock
    /// (`store::time::Clock`) along.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        let clock = crate::store::time::current();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let mut conn = pool.get()?;
            crate::store::time::carry(clock, || f(&mut conn))
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Runs CPU-heavy work on the CPU pool, at most one task per core at a time, so a burst of
    /// logins or uploads queues instead of exhausting memory.
    pub async fn cpu<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce() -> AppResult<T> + Send + 'static,
    {
        self.cpu_pool.run(f).await
    }
}

/// How many ledger exports may read at once with a pool of `pool_size` connections.
fn export_slots(pool_size: u32) -> usize {
    usize::try_from(pool_size / 4).unwrap_or(1).max(1)
}

/// The largest multipart body a report submission may be: five photos at the size limit, plus
/// a megabyte for the `report` JSON part and the part headers.
fn max_submission_body(limits: &PhotoLimits) -> u64 {
    let photos = u64::try_from(MAX_PHOTOS * limits.max_bytes).unwrap_or(u64::MAX);
    photos.saturating_add(1024 * 1024)
}

#[cfg(test)]
mod tests {
    use super::export_slots;

    #[test]
    fn exports_get_a_quarter_of_the_pool_and_never_none() {
        assert_eq!(export_slots(10), 2);
        assert_eq!(export_slots(40), 10);
        assert_eq!(export_slots(3), 1);
        assert_eq!(export_slots(1), 1);
    }
}
