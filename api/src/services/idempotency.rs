//! `Idempotency-Key`: a retried POST returns the first answer and creates nothing new.
//!
//! The key is stored only as an HMAC within a scope (a route and, for logged-in callers, the
//! caller's blind index), and the first answer is sealed under the enterprise's key: a phone's
//! retry gets its receipt code back, while a database dump alone does not. Records older than a
//! day are dropped; a claim left by a crashed request is taken over after a few minutes.
//!
//! An anonymous scope is shared by everyone holding the enterprise's public intake code, so the
//! key alone proves nothing about the sender: a stranger who guessed or saw a phone's key would
//! be handed that reporter's receipt code, and with it their messages, appeal and reward (issue
//! 16, item 2). Each record therefore also keeps a [`Fingerprint`] of the request — an HMAC of its
//! JSON and of each photo's SHA-256 — and only an identical request is answered with the first
//! answer; a different one under a used key gets 422 `idempotency_key_reused`.

use chrono::Duration;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use qingling_crypto::{Context, KeyRing, Purpose, Sealed, constant_time_eq};
use sha2::Sha256;

use crate::error::{AppError, AppResult, ErrorCode};
use crate::store::schema::idempotency;
use crate::store::{DbConn, time};

/// How long a claim without an answer blocks retries before it counts as abandoned.
const ABANDONED_AFTER_MINUTES: i64 = 5;
/// How long answers are kept.
const KEEP_HOURS: i64 = 24;

/// The label of the platform key that keys the stored hashes.
const KEY_LABEL: &str = "idempotency";

/// A validated key with its scope and the fingerprint of the request that carries it.
#[derive(Clone)]
pub struct IdempotencyKey {
    scope: String,
    hash: String,
    fingerprint: String,
}

/// HMAC-SHA256 over length-prefixed `parts` under the idempotency key (derived from the index key
/// version of the master key, which never changes, so records survive a rotation).
fn keyed_hash(keys: &KeyRing, parts: &[&[u8]]) -> AppResult<String> {
    let key = keys
        .derive_platform_key(keys.index_key_version(), KEY_LABEL)
        .map_err(|e| AppError::internal(anyhow::anyhow!("idempotency key: {e}")))?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.expose_secret())
        .map_err(|e| AppError::internal(anyhow::anyhow!("idempotency key: {e}")))?;
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// What makes two requests the same: their parts in order (for a report, its JSON and the
/// SHA-256 of each photo). Built with [`Fingerprint::part`].
#[derive(Debug, Default, Clone)]
pub struct Fingerprint {
    parts: Vec<Vec<u8>>,
}

impl Fingerprint {
    /// Adds the next part.
    pub fn part(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.parts.push(bytes.into());
        self
    }
}

impl std::fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdempotencyKey(..)")
    }
}

impl IdempotencyKey {
    /// Validates the header value (8–128 of letters, digits, `-`, `_`) and binds it to a scope
    /// and to the request it came with.
    pub fn parse(
        keys: &KeyRing,
        raw: &str,
        scope: String,
        request: &Fingerprint,
    ) -> AppResult<Self> {
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
        let hash = keyed_hash(keys, &[b"key", scope.as_bytes(), raw.as_bytes()])?;
        let mut parts: Vec<&[u8]> = vec![b"request", scope.as_bytes()];
        parts.extend(request.parts.iter().map(Vec::as_slice));
        let fingerprint = keyed_hash(keys, &parts)?;
        Ok(Self {
            scope,
            hash,
            fingerprint,
        })
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

/// The sealing context's record id for a stored answer.
pub(crate) fn answer_record_id(key_hash: &str) -> String {
    format!("idempotency:{key_hash}")
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
        type Existing = (
            Option<i32>,
            Option<Vec<u8>>,
            chrono::NaiveDateTime,
            Option<String>,
        );
        let existing: Option<Existing> = idempotency::table
            .filter(idempotency::scope.eq(&key.scope))
            .filter(idempotency::key_hash.eq(&key.hash))
            .select((
                idempotency::status,
                idempotency::response,
                idempotency::created_at,
                idempotency::fingerprint,
            ))
            .first(conn)
            .optional()?;
        // A record of another request (or one written before requests were fingerprinted) is
        // never replayed, finished or not: its answer may hold someone else's receipt code.
        if let Some((_, _, _, stored)) = &existing
            && !stored
                .as_deref()
                .is_some_and(|f| constant_time_eq(f.as_bytes(), key.fingerprint.as_bytes()))
        {
            return Err(reused());
        }
        match existing {
            Some((Some(status), Some(sealed), _, _)) => {
                let record = answer_record_id(&key.hash);
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
            Some((_, _, created, _))
                if created > now - Duration::minutes(ABANDONED_AFTER_MINUTES) =>
            {
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
                        idempotency::fingerprint.eq(Some(&key.fingerprint)),
                    ))
                    .execute(conn)?;
                Ok(Claim::Fresh)
            }
        }
    })
}

fn reused() -> AppError {
    AppError::new(ErrorCode::IdempotencyKeyReused).detail(
        "该 Idempotency-Key 已用于另一份内容不同的请求；新的报告请使用新的 Idempotency-Key",
        "this Idempotency-Key was used for a different request; send a new report with a new key",
    )
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
    let record = answer_record_id(&key.hash);
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
