//! Key rotation (`qingling keys rewrap`): after a new master key version is added, every sealed
//! record and photo blob still wrapped under an older version gets its data key re-wrapped under
//! the current one (the payloads are not decrypted), and the sealed copy of the index key is
//! re-sealed. When it reports nothing left, the old version can be removed from the key file:
//! the index key version stays pinned in the database, so receipt codes and 我的举报 keep
//! working (see [`crate::keys::pin_index_key`]).
//!
//! Safe to interrupt and run again: each record is rewritten in its own short statement, a
//! photo's new blob is stored before its row points at it, and a record already under the
//! current version is left alone.

use diesel::prelude::*;
use qingling_crypto::{Context, KeyRing, Purpose, Sealed};

use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::store::schema::{enterprises, idempotency, photos, reports, rewards, users};
use crate::store::{DbConn, key_pins, time};

/// What a re-wrap changed, and what it could not.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rewrapped {
    /// Records (identities, personal details, payouts, stored answers) re-wrapped.
    pub records: usize,
    /// Photo blobs re-wrapped (each display and thumbnail counts).
    pub blobs: usize,
    /// Records still under an older version that could not be re-wrapped (named in `problems`).
    pub left: usize,
    /// What went wrong, one line each (ids only).
    pub problems: Vec<String>,
}

impl Rewrapped {
    /// Whether nothing is left under an older version, so that version may be retired.
    pub fn complete(&self) -> bool {
        self.left == 0
    }
}

/// What the admin's key status page shows: the master-key versions this instance holds, the
/// one new data is sealed under, and the version the blind index and receipt hashes are keyed
/// with (pinned at first start; it may be retired from sealing). Never a key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    /// Every loaded version, ascending.
    pub versions: Vec<u32>,
    /// The version that seals (the newest loaded).
    pub sealing: u32,
    /// The pinned version of the blind index and receipt hash keys.
    pub index_version: u32,
    /// Whether that version is held only for the index (removed from the key source after a
    /// rotation, kept sealed in the database).
    pub index_retired: bool,
    /// Where the keys come from (the variable or the file's path), for the operator.
    pub source: String,
}

/// The key status (admins only).
pub fn key_status(ctx: &AppContext, actor: &crate::domain::Actor) -> AppResult<KeyStatus> {
    crate::services::admin::require_admin(actor)?;
    let keys = &ctx.keys;
    Ok(KeyStatus {
        versions: keys.versions(),
        sealing: keys.current_version(),
        index_version: keys.index_key_version(),
        index_retired: keys.index_key_is_retired(),
        source: crate::keys::key_source(&ctx.settings),
    })
}

fn sealed_needs(keys: &KeyRing, bytes: &[u8]) -> Option<Sealed> {
    Sealed::from_bytes(bytes)
        .ok()
        .filter(|s| s.key_version() < keys.current_version())
}

/// Re-wraps everything under the current key version. Blocking work runs on the blocking pool.
pub async fn rewrap_all(ctx: &AppContext) -> AppResult<Rewrapped> {
    let keys = ctx.keys.clone();
    let vault = ctx.vault.clone();
    ctx.db(move |conn| {
        let mut done = Rewrapped::default();
        rewrap_rows(conn, &keys, &mut done)?;
        rewrap_photos(conn, &keys, vault.store.as_ref(), &mut done)?;
        let sealed = keys
            .seal_index_key()
            .map_err(|e| AppError::internal(anyhow::anyhow!("sealing the index key: {e}")))?;
        key_pins::reseal(conn, key_pins::INDEX, &sealed.to_bytes(), time::now())?;
        Ok(done)
    })
    .await
}

/// One re-wrap of a sealed column value: `Ok(Some(bytes))` to write, `Ok(None)` when current.
fn rewrap_one(
    keys: &KeyRing,
    purpose: Purpose,
    enterprise_id: &str,
    record_id: &str,
    bytes: &[u8],
) -> Result<Option<Vec<u8>>, String> {
    let Some(sealed) = sealed_needs(keys, bytes) else {
        return Ok(None);
    };
    keys.rewrap(purpose, &Context::new(enterprise_id, record_id), &sealed)
        .map(|s| s.map(|s| s.to_bytes()))
        .map_err(|e| e.to_string())
}

fn rewrap_rows(conn: &mut DbConn, keys: &KeyRing, done: &mut Rewrapped) -> AppResult<()> {
    let note = |done: &mut Rewrapped, what: &str, id: &str, r: Result<bool, String>| match r {
        Ok(true) => done.records += 1,
        Ok(false) => {}
        Err(e) => {
            done.left += 1;
            done.problems.push(format!("{what} {id}: {e}"));
        }
    };
    let people: Vec<(String, Option<String>, Vec<u8>)> = users::table
        .select((users::id, users::enterprise_id, users::personal_sealed))
        .load(conn)?;
    for (id, ent, bytes) in people {
        let scope = ent
            .as_deref()
            .unwrap_or(crate::services::personal::PLATFORM_SCOPE);
        let r = rewrap_one(
            keys,
            Purpose::Identity,
            scope,
            &crate::services::personal::record_id(&id),
            &bytes,
        );
        let r = match r {
            Ok(Some(new)) => diesel::update(users::table.find(&id))
                .set(users::personal_sealed.eq(new))
                .execute(conn)
                .map(|_| true)
                .map_err(|e| e.to_string()),
            Ok(None) => Ok(false),
            Err(e) => Err(e),
        };
        note(done, "user", &id, r);
    }
    let identities: Vec<(String, String, Option<Vec<u8>>)> = reports::table
        .filter(reports::identity_sealed.is_not_null())
        .select((
            reports::id,
            reports::enterprise_id,
            reports::identity_sealed,
        ))
        .load(conn)?;
    for (id, ent, bytes) in identities {
        let Some(bytes) = bytes else { continue };
        let rid = crate::services::identity::record_id(&id);
        let r = match rewrap_one(keys, Purpose::Identity, &ent, &rid, &bytes) {
            Ok(Some(new)) => diesel::update(reports::table.find(&id))
                .set(reports::identity_sealed.eq(Some(new)))
                .execute(conn)
                .map(|_| true)
                .map_err(|e| e.to_string()),
            Ok(None) => Ok(false),
            Err(e) => Err(e),
        };
        note(done, "report", &id, r);
    }
    let payouts: Vec<(String, String, Option<Vec<u8>>)> = rewards::table
        .filter(rewards::payout_sealed.is_not_null())
        .select((rewards::id, rewards::enterprise_id, rewards::payout_sealed))
        .load(conn)?;
    for (id, ent, bytes) in payouts {
        let Some(bytes) = bytes else { continue };
        let r = match rewrap_one(
            keys,
            Purpose::Payout,
            &ent,
            &crate::services::rewards::payout_record_id(&id),
            &bytes,
        ) {
            Ok(Some(new)) => diesel::update(rewards::table.find(&id))
                .set(rewards::payout_sealed.eq(Some(new)))
                .execute(conn)
                .map(|_| true)
                .map_err(|e| e.to_string()),
            Ok(None) => Ok(false),
            Err(e) => Err(e),
        };
        note(done, "reward", &id, r);
    }
    // A stored answer's row does not name its enterprise (the scope is keyed): the enterprise
    // whose key unwraps it is the one. These rows live a day at most.
    let answers: Vec<(String, String, Option<Vec<u8>>)> = idempotency::table
        .filter(idempotency::response.is_not_null())
        .select((
            idempotency::scope,
            idempotency::key_hash,
            idempotency::response,
        ))
        .load(conn)?;
    let enterprise_ids: Vec<String> = enterprises::table.select(enterprises::id).load(conn)?;
    for (scope, hash, bytes) in answers {
        let Some(bytes) = bytes else { continue };
        if sealed_needs(keys, &bytes).is_none() {
            continue;
        }
        let record = crate::services::idempotency::answer_record_id(&hash);
        let new = enterprise_ids.iter().find_map(|e| {
            rewrap_one(keys, Purpose::Identity, e, &record, &bytes)
                .ok()
                .flatten()
        });
        let r = match new {
            Some(new) => diesel::update(
                idempotency::table
                    .filter(idempotency::scope.eq(&scope))
                    .filter(idempotency::key_hash.eq(&hash)),
            )
            .set(idempotency::response.eq(Some(new)))
            .execute(conn)
            .map(|_| true)
            .map_err(|e| e.to_string()),
            None => Err("no enterprise's key unwraps it".to_owned()),
        };
        note(done, "stored answer", &hash, r);
    }
    Ok(())
}

fn rewrap_photos(
    conn: &mut DbConn,
    keys: &KeyRing,
    store: &dyn crate::media::blob::BlobStore,
    done: &mut Rewrapped,
) -> AppResult<()> {
    let rows: Vec<(String, String, String, String)> = photos::table
        .select((
            photos::id,
            photos::enterprise_id,
            photos::display_key,
            photos::thumb_key,
        ))
        .load(conn)?;
    for (id, ent, display, thumb) in rows {
        for (variant, old) in [
            (crate::media::vault::Variant::Display, display),
            (crate::media::vault::Variant::Thumb, thumb),
        ] {
            match rewrap_blob(keys, store, &ent, &id, variant, &old) {
                Ok(None) => {}
                Ok(Some(new)) => {
                    let q = diesel::update(photos::table.find(&id));
                    let n = match variant {
                        crate::media::vault::Variant::Display => {
                            q.set(photos::display_key.eq(&new)).execute(conn)?
                        }
                        crate::media::vault::Variant::Thumb => {
                            q.set(photos::thumb_key.eq(&new)).execute(conn)?
                        }
                    };
                    if n == 1 {
                        done.blobs += 1;
                        // The row names the new blob; the old one is an orphan now.
                        let _ = store.delete(&old);
                    }
                }
                Err(e) => {
                    done.left += 1;
                    done.problems.push(format!("photo {id} {variant}: {e}"));
                }
            }
        }
    }
    Ok(())
}

/// Re-wraps one photo blob's header and stores the result (content-addressed, so under a new
/// key); `None` when it is current already.
fn rewrap_blob(
    keys: &KeyRing,
    store: &dyn crate::media::blob::BlobStore,
    enterprise_id: &str,
    photo_id: &str,
    variant: crate::media::vault::Variant,
    key: &str,
) -> Result<Option<String>, String> {
    let mut blob = store.get(key).map_err(|e| e.to_string())?;
    let record = crate::media::vault::record_id(photo_id, variant);
    let header = keys
        .rewrap_blob(&Context::new(enterprise_id, &record), &blob)
        .map_err(|e| e.to_string())?;
    let Some(header) = header else {
        return Ok(None);
    };
    blob[..header.len()].copy_from_slice(&header);
    store.put(&blob).map(Some).map_err(|e| e.to_string())
}
