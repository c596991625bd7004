//! Rate limits shared by every instance: login attempts, receipt lookups and anonymous
//! submissions are counted where all instances see the same count — the database (PostgreSQL,
//! or SQLite for the embedded default), or Redis when `QINGLING_REDIS_URL` is set — so that a
//! guesser spreading attempts over N instances behind a load balancer gets the budget once, not
//! N times.
//!
//! What is stored is never the address or the username: each count is keyed by an HMAC (under a
//! key derived from the master key, which every instance shares) of the limit's name, the
//! subject and the minute it counts. A key therefore lives one minute, links to nothing after
//! it, and cannot be reversed into an address by whoever reads the table or the Redis keys.
//! IPv6 clients are counted per /64, the block one subscriber gets.
//!
//! The windows are fixed minutes (at most twice the budget across a minute boundary), which is
//! what one atomic increment per attempt gives in both stores.
//!
//! When the shared store cannot be reached, counting falls back to this instance's memory for
//! that attempt, with a warning: a Redis outage must not stop workers from reporting hazards,
//! and a per-instance limit still holds.
//!
//! A new kind of limit is one [`Limit`] constant.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use crate::config::Settings;
use crate::store::{DbConn, DbPool};

/// One kind of limit: the name mixed into its keys and its budget per minute.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Stable name, part of every hashed key (so two limits never share a count).
    pub name: &'static str,
    /// Attempts allowed per subject per minute, from the settings.
    pub per_minute: fn(&Settings) -> u32,
}

/// Login attempts per account (whether or not it exists, so the limit reveals nothing).
pub const LOGIN_PER_ACCOUNT: Limit = Limit {
    name: "login_account",
    per_minute: |s| s.login_limit_per_account,
};
/// Login attempts per client address.
pub const LOGIN_PER_CLIENT: Limit = Limit {
    name: "login_client",
    per_minute: |s| s.login_limit_per_client,
};
/// Receipt lookups and receipt messages per client address.
pub const RECEIPT_LOOKUP: Limit = Limit {
    name: "receipt_lookup",
    per_minute: |s| s.receipt_limit_per_client,
};
/// Anonymous submissions per client address.
pub const ANONYMOUS_SUBMISSION: Limit = Limit {
    name: "anonymous_submission",
    per_minute: |s| s.anonymous_limit_per_client,
};

/// Intake-code look-ups (`POST /m/v1/intake`) per client address: without it a client could
/// walk the code space, or hold the database busy, without ever submitting.
pub const INTAKE_LOOKUP: Limit = Limit {
    name: "intake_lookup",
    per_minute: |s| s.intake_limit_per_client,
};

/// How long the shared store may take to count one attempt before memory counts it instead.
const SHARED_TIMEOUT: Duration = Duration::from_secs(2);

/// Where counts are shared.
enum Shared {
    Database(DbPool),
    Redis(Box<RedisCounts>),
}

/// The Redis client and its connection, made on first use.
struct RedisCounts {
    client: redis::Client,
    conn: tokio::sync::OnceCell<redis::aio::ConnectionManager>,
}

/// The limits of this instance, counted in the shared store.
pub struct Limits {
    settings: Arc<Settings>,
    key: qingling_crypto::SecretBytes,
    shared: Shared,
    memory: Mutex<MemoryWindow>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let backend = match self.shared {
            Shared::Database(_) => "database",
            Shared::Redis(_) => "redis",
        };
        f.debug_struct("Limits")
            .field("shared", &backend)
            .finish_non_exhaustive()
    }
}

/// The fallback count: this minute's hits per hashed key.
#[derive(Default)]
struct MemoryWindow {
    minute: i64,
    hits: HashMap<String, u32>,
}

/// Who an attempt is counted against.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// A client address (`None` when unknown: not counted).
    Client(Option<IpAddr>),
    /// An account name, as typed (already normalised by the caller).
    Account(&'a str),
}

impl Limits {
    /// Limits counted in Redis when `settings.redis_url` is set, otherwise in the database
    /// behind `pool`; keys are hashed under a key derived from `keys`.
    pub fn new(
        settings: Arc<Settings>,
        pool: DbPool,
        keys: &qingling_crypto::KeyRing,
    ) -> anyhow::Result<Self> {
        let key = keys
            .derive_platform_key(keys.current_version(), "rate-limits")
            .map_err(|e| anyhow::anyhow!("deriving the rate-limit key: {e}"))?;
        let shared = match &settings.redis_url {
            Some(url) => {
                use secrecy::ExposeSecret as _;
                let client = redis::Client::open(url.expose_secret())
                    .map_err(|e| anyhow::anyhow!("QINGLING_REDIS_URL is not a Redis URL: {e}"))?;
                Shared::Redis(Box::new(RedisCounts {
                    client,
                    conn: tokio::sync::OnceCell::new(),
                }))
            }
            None => Shared::Database(pool),
        };
        Ok(Self {
            settings,
            key,
            shared,
            memory: Mutex::new(MemoryWindow::default()),
        })
    }

    /// Spends one attempt of `limit` for `subject`; `false` when its budget for this minute is
    /// used up. An unknown client address is not counted.
    pub async fn allow(&self, limit: Limit, subject: Subject<'_>) -> bool {
        let subject_bytes = match subject {
            Subject::Client(None) => return true,
            Subject::Client(Some(ip)) => client_bytes(ip),
            Subject::Account(name) => name.as_bytes().to_vec(),
        };
        let minute = chrono::Utc::now().timestamp().div_euclid(60);
        let bucket = self.bucket(limit, &subject_bytes, minute);
        let budget = (limit.per_minute)(&self.settings).max(1);
        let hits = match self.count_shared(&bucket, minute).await {
            Ok(hits) => hits,
            Err(e) => {
                tracing::warn!(error = %e, limit = limit.name,
                    "the shared rate-limit store failed; counting this attempt in memory");
                self.count_in_memory(bucket, minute)
            }
        };
        hits <= budget
    }

    /// The hashed key of one subject's count for one minute: hex of a truncated HMAC.
    fn bucket(&self, limit: Limit, subject: &[u8], minute: i64) -> String {
        let mut mac = <Hmac<Sha256> as hmac::Mac>::new_from_slice(self.key.expose_secret())
            .unwrap_or_else(|_| unreachable_hmac());
        for part in [limit.name.as_bytes(), subject, &minute.to_be_bytes()] {
            mac.update(&(part.len() as u32).to_be_bytes());
            mac.update(part);
        }
        hex::encode(&mac.finalize().into_bytes()[..20])
    }

    async fn count_shared(&self, bucket: &str, minute: i64) -> anyhow::Result<u32> {
        match &self.shared {
            Shared::Database(pool) => {
                let pool = pool.clone();
                let bucket = bucket.to_owned();
                let counted = tokio::task::spawn_blocking(move || -> anyhow::Result<u32> {
                    let mut conn = pool.get()?;
                    Ok(count_in_database(&mut conn, &bucket, minute)?)
                });
                tokio::time::timeout(SHARED_TIMEOUT, counted)
                    .await
                    .map_err(|_| anyhow::anyhow!("the database did not count in time"))??
            }
            Shared::Redis(redis) => {
                let RedisCounts { client, conn } = redis.as_ref();
                let counted = async {
                    let manager = conn
                        .get_or_try_init(|| redis::aio::ConnectionManager::new(client.clone()))
                        .await?;
                    let mut c = manager.clone();
                    let key = format!("qingling:rl:{bucket}");
                    // One round trip, atomic: count, and make sure the key dies with its minute.
                    let (hits,): (u32,) = redis::pipe()
                        .atomic()
                        .incr(&key, 1)
                        .cmd("EXPIRE")
                        .arg(&key)
                        .arg(120)
                        .arg("NX")
                        .ignore()
                        .query_async(&mut c)
                        .await?;
                    Ok::<_, redis::RedisError>(hits)
                };
                Ok(tokio::time::timeout(SHARED_TIMEOUT, counted)
                    .await
                    .map_err(|_| anyhow::anyhow!("Redis did not count in time"))??)
            }
        }
    }

    fn count_in_memory(&self, bucket: String, minute: i64) -> u32 {
        let mut w = self
            .memory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if w.minute != minute {
            w.minute = minute;
            w.hits.clear();
        }
        let hits = w.hits.entry(bucket).or_insert(0);
        *hits = hits.saturating_add(1);
        *hits
    }
}

#[cold]
fn unreachable_hmac() -> ! {
    panic!("HMAC-SHA256 takes a key of any length")
}

/// The part of an address one subscriber controls: the whole IPv4 address, an IPv6 /64.
fn client_bytes(ip: IpAddr) -> Vec<u8> {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets()[..8].to_vec(),
    }
}

/// Adds one hit to `bucket` in the database and returns the count; the minute's rows are
/// deleted once the minute is over (by whichever instance counts first in a new minute).
fn count_in_database(conn: &mut DbConn, bucket: &str, minute: i64) -> diesel::QueryResult<u32> {
    use diesel::RunQueryDsl as _;
    use diesel::sql_types::{BigInt, Integer, Text};

    #[derive(diesel::QueryableByName)]
    struct Hits {
        #[diesel(sql_type = Integer)]
        hits: i32,
    }
    // The same statements on both; only the placeholders differ.
    const UPSERT: &str = "INSERT INTO rate_limit_hits (bucket, minute, hits) VALUES (?, ?, 1) \
        ON CONFLICT (bucket) DO UPDATE SET hits = rate_limit_hits.hits + 1 RETURNING hits";
    const SWEEP: &str = "DELETE FROM rate_limit_hits WHERE minute < ?";
    let numbered = |sql: &str| {
        let mut n = 0;
        sql.chars()
            .map(|c| match c {
                '?' => {
                    n += 1;
                    format!("${n}")
                }
                c => c.to_string(),
            })
            .collect::<String>()
    };
    let hits = match conn {
        DbConn::Postgresql(c) => {
            let row: Hits = diesel::sql_query(numbered(UPSERT))
                .bind::<Text, _>(bucket)
                .bind::<BigInt, _>(minute)
                .get_result(c)?;
            if row.hits == 1 {
                diesel::sql_query(numbered(SWEEP))
                    .bind::<BigInt, _>(minute)
                    .execute(c)?;
            }
            row.hits
        }
        DbConn::Sqlite(c) => {
            let row: Hits = diesel::sql_query(UPSERT)
                .bind::<Text, _>(bucket)
                .bind::<BigInt, _>(minute)
                .get_result(c)?;
            // The first hit of a bucket: a cheap moment to forget the minutes that are over.
            if row.hits == 1 {
                diesel::sql_query(SWEEP)
                    .bind::<BigInt, _>(minute)
                    .execute(c)?;
            }
            row.hits
        }
    };
    Ok(u32::try_from(hits).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_are_counted_per_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_bytes(a), client_bytes(b));
        assert_ne!(client_bytes(a), client_bytes(c));
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().unwrap();
        let plain: IpAddr = "10.1.2.3".parse().unwrap();
        assert_eq!(client_bytes(mapped), client_bytes(plain));
    }
}
