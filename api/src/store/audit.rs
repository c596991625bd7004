//! The append-only, hash-chained audit trail.
//!
//! Each event's hash is SHA-256 over its predecessor's hash and its own fields (length-prefixed,
//! so no two different events encode alike). Appends serialise on the single `audit_head` row, so
//! concurrent writers on several instances still form one chain. [`verify`] walks the chain and
//! reports the first event that was edited, deleted, inserted or reordered, and a cut tail.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::{audit_events, audit_head};
use super::{DbConn, time};

/// Hash of the (empty) chain's start.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, by whom, to what. `details` must not contain identities: it is JSON with ids,
/// states and reasons only.
#[derive(Debug, Clone)]
pub struct NewAuditEvent<'a> {
    /// The acting user, if any (none for the sweeper or an anonymous reporter).
    pub actor_id: Option<&'a str>,
    /// The actor's role.
    pub actor_role: Option<&'a str>,
    /// A stable action name, e.g. `user.create`.
    pub action: &'a str,
    /// The kind of record acted on.
    pub target_type: &'a str,
    /// The record's id.
    pub target_id: Option<&'a str>,
    /// Extra facts, as JSON.
    pub details: serde_json::Value,
}

/// A stored event.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When it was recorded (UTC).
    pub at: NaiveDateTime,
    /// Acting user.
    pub actor_id: Option<String>,
    /// Acting role.
    pub actor_role: Option<String>,
    /// Action name.
    pub action: String,
    /// Kind of record.
    pub target_type: String,
    /// Record id.
    pub target_id: Option<String>,
    /// JSON details.
    pub details: String,
    /// Hash of the previous event.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

#[allow(clippy::too_many_arguments)]
fn chain_hash(
    prev: &str,
    seq: i64,
    at: NaiveDateTime,
    actor_id: Option<&str>,
    actor_role: Option<&str>,
    action: &str,
    target_type: &str,
    target_id: Option<&str>,
    details: &str,
) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(prev.as_bytes());
    field(&seq.to_be_bytes());
    field(&at.and_utc().timestamp_micros().to_be_bytes());
    for opt in [actor_id, actor_role] {
        field(opt.unwrap_or("\u{0}none").as_bytes());
    }
    field(action.as_bytes());
    field(target_type.as_bytes());
    field(target_id.unwrap_or("\u{0}none").as_bytes());
    field(details.as_bytes());
    hex::encode(h.finalize())
}

/// Appends an event. Call inside the transaction that makes the change it records, so the change
/// and its record commit together.
pub fn append(conn: &mut DbConn, ev: &NewAuditEvent<'_>) -> QueryResult<i64> {
    // Taking the head row first serialises appenders (a row lock on PostgreSQL; SQLite write
    // transactions are serial already).
    diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
        .set(audit_head::seq.eq(audit_head::seq + 1))
        .execute(conn)?;
    let (seq, prev): (i64, String) = audit_head::table
        .filter(audit_head::id.eq(1))
        .select((audit_head::seq, audit_head::hash))
        .first(conn)?;
    let at = time::now();
    let details = ev.details.to_string();
    let hash = chain_hash(
        &prev,
        seq,
        at,
        ev.actor_id,
        ev.actor_role,
        ev.action,
        ev.target_type,
        ev.target_id,
        &details,
    );
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::seq.eq(seq),
            audit_events::at.eq(at),
            audit_events::actor_id.eq(ev.actor_id),
            audit_events::actor_role.eq(ev.actor_role),
            audit_events::action.eq(ev.action),
            audit_events::target_type.eq(ev.target_type),
            audit_events::target_id.eq(ev.target_id),
            audit_events::details.eq(&details),
            audit_events::prev_hash.eq(&prev),
            audit_events::hash.eq(&hash),
        ))
        .execute(conn)?;
    diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
        .set(audit_head::hash.eq(&hash))
        .execute(conn)?;
    Ok(seq)
}

/// The outcome of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every event links to its predecessor and hashes to what it says.
    Intact {
        /// Number of events checked.
        events: i64,
    },
    /// The chain is broken at this sequence number.
    Broken {
        /// First sequence number that does not check out.
        seq: i64,
        /// What is wrong there.
        reason: String,
    },
}

/// Walks the whole chain in pages, recomputing every hash.
pub fn verify(conn: &mut DbConn) -> QueryResult<Verdict> {
    const PAGE: i64 = 1000;
    let mut expected_seq = 1_i64;
    let mut prev = GENESIS.to_owned();
    loop {
        let page: Vec<AuditEvent> = audit_events::table
            .filter(audit_events::seq.ge(expected_seq))
            .order(audit_events::seq.asc())
            .limit(PAGE)
            .select(AuditEvent::as_select())
            .load(conn)?;
        let n = page.len();
        for ev in page {
            if ev.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: format!("event {expected_seq} is missing (next is {})", ev.seq),
                });
            }
            if ev.prev_hash != prev {
                return Ok(Verdict::Broken {
                    seq: ev.seq,
                    reason: "does not link to its predecessor (reordered or replaced)".into(),
                });
            }
            let recomputed = chain_hash(
                &ev.prev_hash,
                ev.seq,
                ev.at,
                ev.actor_id.as_deref(),
                ev.actor_role.as_deref(),
                &ev.action,
                &ev.target_type,
                ev.target_id.as_deref(),
                &ev.details,
            );
            if recomputed != ev.hash {
                return Ok(Verdict::Broken {
                    seq: ev.seq,
                    reason: "content does not match its hash (edited)".into(),
                });
            }
            prev = ev.hash;
            expected_seq += 1;
        }
        if (n as i64) < PAGE {
            break;
        }
    }
    let (head_seq, head_hash): (i64, String) = audit_head::table
        .filter(audit_head::id.eq(1))
        .select((audit_head::seq, audit_head::hash))
        .first(conn)?;
    let last = expected_seq - 1;
    if head_seq != last || head_hash != prev {
        return Ok(Verdict::Broken {
            seq: last + 1,
            reason: format!(
                "the chain ends at {last} but its head says {head_seq} (events cut off)"
            ),
        });
    }
    Ok(Verdict::Intact { events: last })
}
