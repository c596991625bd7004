//! `Idempotency-Key`: a retried POST returns the first answer and creates nothing new.
//!
//! The key is stored only as a hash within a scope (a route and, for logged-in callers, the
//! caller's blind index), and the first answer is sealed under the enterprise's key: a phone's
//! retry gets its receipt code back, while a database dump alone does not. Records older than a
//! day are dropped; a claim left by a crashed request is taken over after a few minutes.

use chrono::Duration;
use diesel::prelude::*;
use qingling_crypto::{Context, KeyRing, Purpose, Sealed};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::store::schema::idempotency;
use crate::store::{DbConn, time};

/// How long a claim without an answer blocks retries before it counts as abandoned.
const ABANDONED_AFTER_MINUTES: i64 = 5;
/// How long answers are kept.
const KEEP_HOURS: i64 = 24;

/// A validated key with its scope.
#[derive(Clone)]
pub struct IdempotencyKey {
    scope: String,
    hash: String,
}

impl std::fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdempotencyKey(..)")
    }
}

impl IdempotencyKey {
    /// Validates the header value (8–128 of letters, digits, `-`, `_`) and binds it to a scope.
    pub fn parse(raw: &str, scope: String) -> AppResult<Self> {
        let raw = raw.trim();
        let ok = (8..=128).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return Err(AppError::invalid(
                "Idempotency-Key",
                "Idempotency-Key 应为 8 到 128 个字母、数字、- 或 _",
                "Idempotency-Key must be 8 to 128 letters, digits, - or _",
            ));
        }
        let hash = hex::encode(Sha256::digest(format!("{scope}\u{0}{raw}").as_bytes()));
        Ok(Self { scope, hash })
    }
}

/// What a claim found.
#[derive(Debug)]
pub enum Claim {
    /// First time: go ahead, then [`complete`] in the same transaction as the work.
    Fresh,
    /// Already answered: the first answer's body (JSON) and status.
    Replay {
        /// HTTP status of the first answer.
        status: u16,
        /// Body of the first answer.
        body: Vec<u8>,
    },
}

fn context<'a>(enterprise_id: &'a str, record: &'a str) -> Context<'a> {
    Context {
        enterprise_id,
        record_id: record,
    }
}

/// Claims the key (its own short transaction, before the work starts).
pub fn claim(
    conn: &mut DbConn,
    keys: &KeyRing,
    enterprise_id: &str,
    key: &IdempotencyKey,
) -> AppResult<Claim> {
    crate::store::write_tx(conn, |conn| {
        let now = time::now();
        diesel::delete(
            idempotency::table
                .filter(idempotency::created_at.lt(now - Duration::hours(KEEP_HOURS))),
        )
        .execute(conn)?;
        let existing: Option<(Option<i32>, Option<Vec<u8>>, chrono::NaiveDateTime)> =
            idempotency::table
                .filter(idempotency::scope.eq(&key.scope))
                .filter(idempotency::key_hash.eq(&key.hash))
                .select((
                    idempotency::status,
                    idempotency::response,
                    idempotency::created_at,
                ))
                .first(conn)
                .optional()?;
        match existing {
            Some((Some(status), Some(sealed), _)) => {
                let record = format!("idempotency:{}", key.hash);
                let sealed = Sealed::from_bytes(&sealed)
                    .map_err(|e| AppError::internal(anyhow::anyhow!("idempotency record: {e}")))?;
                let body = keys
                    .open(Purpose::Identity, &context(enterprise_id, &record), &sealed)
                    .map_err(|e| AppError::internal(anyhow::anyhow!("idempotency record: {e}")))?;
                Ok(Claim::Replay {
                    status: u16::try_from(status).unwrap_or(200),
                    body: body.expose_secret().to_vec(),
                })
            }
            Some((_, _, created)) if created > now - Duration::minutes(ABANDONED_AFTER_MINUTES) => {
                Err(AppError::new(ErrorCode::IdempotencyInProgress))
            }
            Some(_) => {
                // A claim abandoned by a crashed request: take it over.
                diesel::update(
                    idempotency::table
                        .filter(idempotency::scope.eq(&key.scope))
                        .filter(idempotency::key_hash.eq(&key.hash)),
                )
                .set(idempotency::created_at.eq(now))
                .execute(conn)?;
                Ok(Claim::Fresh)
            }
            None => {
                diesel::insert_into(idempotency::table)
                    .values((
                        idempotency::scope.eq(&key.scope),
                        idempotency::key_hash.eq(&key.hash),
                        idempotency::created_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok(Claim::Fresh)
            }
        }
    })
}

/// Stores the answer; call inside the transaction that does the work.
pub fn complete(
    conn: &mut DbConn,
    keys: &KeyRing,
    enterprise_id: &str,
    key: &IdempotencyKey,
    status: u16,
    body: &[u8],
) -> AppResult<()> {
    let record = format!("idempotency:{}", key.hash);
    let sealed = keys
        .seal(Purpose::Identity, &context(enterprise_id, &record), body)
        .map_err(|e| AppError::internal(anyhow::anyhow!("sealing an answer: {e}")))?;
    diesel::update(
        idempotency::table
            .filter(idempotency::scope.eq(&key.scope))
            .filter(idempotency::key_hash.eq(&key.hash)),
    )
    .set((
        idempotency::status.eq(Some(i32::from(status))),
        idempotency::response.eq(Some(sealed.to_bytes())),
    ))
    .execute(conn)?;
    Ok(())
}

/// Releases a claim after the work failed, so the client may retry.
pub fn release(conn: &mut DbConn, key: &IdempotencyKey) -> AppResult<()> {
    diesel::delete(
        idempotency::table
            .filter(idempotency::scope.eq(&key.scope))
            .filter(idempotency::key_hash.eq(&key.hash))
            .filter(idempotency::status.is_null()),
    )
    .execute(conn)?;
    Ok(())
}
