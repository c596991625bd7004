//! The append-only, hash-chained audit trail.
//!
//! Each event's hash is SHA-256 over its predecessor's hash and its own fields (length-prefixed,
//! so no two different events encode alike). Appends serialise on the single `audit_head` row, so
//! concurrent writers on several instances still form one chain. [`verify`] walks the chain and
//! reports the first event that was edited, deleted, inserted or reordered, and a cut tail.
//!
//! Anyone who can write the database can recompute that unkeyed chain, so it is also keyed:
//! [`seal_pending`] gives each event, in order, `mac = HMAC(audit key, previous mac, seq, hash)`
//! with a key derived from the master key, and authenticates the head (`keyed_seq`, `mac`). It
//! runs right after start-up and every second on every instance (appends stay keyless, so no use
//! case needs the key). An edited keyed event, or a head moved back, fails [`verify`] without
//! the key to forge them; a tail cut together with the head (or all macs wiped) is caught by an
//! exported head (`qingling audit head`, then `audit verify --head`), kept outside the database.

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
    /// Its keyed MAC, once sealed.
    pub mac: Option<String>,
}

/// The unkeyed content hash of an event (public: it is what anyone with database access can
/// recompute, which is why the chain is also keyed).
#[allow(clippy::too_many_arguments)]
pub fn chain_hash(
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
    /// Every event links to its predecessor and hashes to what it says; every keyed event's MAC
    /// and the head's hold.
    Intact {
        /// Number of events checked.
        events: i64,
        /// How many of them are keyed (the rest are younger than the last seal).
        keyed: i64,
        /// The first event keyed when written; earlier ones were keyed at the cut-over.
        keyed_from: Option<i64>,
    },
    /// The chain is broken at this sequence number.
    Broken {
        /// First sequence number that does not check out.
        seq: i64,
        /// What is wrong there.
        reason: String,
    },
}

/// An exported head: the last keyed event's number and MAC (`SEQ:HEX`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedHead {
    /// Sequence number.
    pub seq: i64,
    /// Its MAC, hex.
    pub mac: String,
}

impl ExportedHead {
    /// Parses `SEQ:HEX` (surrounding white space ignored).
    pub fn parse(s: &str) -> Option<Self> {
        let (seq, mac) = s.trim().split_once(':')?;
        let seq = seq.trim().parse().ok()?;
        let mac = mac.trim().to_ascii_lowercase();
        (mac.len() == 64 && mac.bytes().all(|b| b.is_ascii_hexdigit())).then_some(Self { seq, mac })
    }
}

impl std::fmt::Display for ExportedHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.mac)
    }
}

fn hmac_hex(key: &[u8], parts: &[&[u8]]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    for p in parts {
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    hex::encode(mac.finalize().into_bytes())
}

fn event_mac(key: &[u8], prev_mac: &str, seq: i64, hash: &str) -> String {
    hmac_hex(
        key,
        &[
            b"event",
            prev_mac.as_bytes(),
            &seq.to_be_bytes(),
            hash.as_bytes(),
        ],
    )
}

fn head_mac(key: &[u8], keyed_seq: i64, mac: &str) -> String {
    hmac_hex(key, &[b"head", &keyed_seq.to_be_bytes(), mac.as_bytes()])
}

type Head = (i64, String, i64, Option<String>, Option<i64>);

fn head(conn: &mut DbConn) -> QueryResult<Head> {
    audit_head::table
        .filter(audit_head::id.eq(1))
        .select((
            audit_head::seq,
            audit_head::hash,
            audit_head::keyed_seq,
            audit_head::mac,
            audit_head::keyed_from,
        ))
        .first(conn)
}

fn event_mac_at(conn: &mut DbConn, seq: i64) -> QueryResult<Option<String>> {
    if seq == 0 {
        return Ok(Some(GENESIS.to_owned()));
    }
    Ok(audit_events::table
        .filter(audit_events::seq.eq(seq))
        .select(audit_events::mac)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Keys the events appended since the last seal, in order, and moves the authenticated head.
/// Stops at the first event whose unkeyed chain does not hold (verify reports it), and seals
/// nothing when the head's MAC does not hold. The first seal ever records the cut-over. Returns
/// how many events it keyed.
pub fn seal_pending(conn: &mut DbConn, key: &[u8]) -> QueryResult<i64> {
    const BATCH: i64 = 1000;
    conn.transaction(|conn| {
        let (seq, _, keyed_seq, mac, keyed_from) = head(conn)?;
        let mut prev_mac = match event_mac_at(conn, keyed_seq)? {
            Some(m) => m,
            None => return Ok(0),
        };
        if keyed_seq > 0 && mac.as_deref() != Some(head_mac(key, keyed_seq, &prev_mac).as_str()) {
            tracing::error!(keyed_seq, "the audit head's MAC does not hold: not sealing");
            return Ok(0);
        }
        if keyed_from.is_none() {
            diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
                .set(audit_head::keyed_from.eq(Some(seq + 1)))
                .execute(conn)?;
        }
        if seq == keyed_seq {
            return Ok(0);
        }
        let mut prev_hash: String = if keyed_seq == 0 {
            GENESIS.to_owned()
        } else {
            audit_events::table
                .filter(audit_events::seq.eq(keyed_seq))
                .select(audit_events::hash)
                .first(conn)?
        };
        let events: Vec<AuditEvent> = audit_events::table
            .filter(audit_events::seq.gt(keyed_seq))
            .order(audit_events::seq.asc())
            .limit(BATCH)
            .select(AuditEvent::as_select())
            .load(conn)?;
        let mut last = keyed_seq;
        for ev in events {
            if ev.seq != last + 1 || ev.prev_hash != prev_hash || recompute(&ev) != ev.hash {
                break;
            }
            let m = event_mac(key, &prev_mac, ev.seq, &ev.hash);
            diesel::update(audit_events::table.filter(audit_events::seq.eq(ev.seq)))
                .set(audit_events::mac.eq(Some(&m)))
                .execute(conn)?;
            prev_mac = m;
            prev_hash = ev.hash;
            last = ev.seq;
        }
        if last == keyed_seq {
            return Ok(0);
        }
        // Guarded: a concurrent sealer that moved the head first wins, and this one changes
        // nothing (its event MACs were the same values).
        let moved = diesel::update(
            audit_head::table
                .filter(audit_head::id.eq(1))
                .filter(audit_head::keyed_seq.eq(keyed_seq)),
        )
        .set((
            audit_head::keyed_seq.eq(last),
            audit_head::mac.eq(Some(head_mac(key, last, &prev_mac))),
        ))
        .execute(conn)?;
        if moved == 1 {
            Ok(last - keyed_seq)
        } else {
            Err(diesel::result::Error::RollbackTransaction)
        }
    })
    .or_else(|e| match e {
        diesel::result::Error::RollbackTransaction => Ok(0),
        e => Err(e),
    })
}

/// The head to export: the last keyed event and its MAC (`None` while nothing is keyed).
pub fn exported_head(conn: &mut DbConn) -> QueryResult<Option<ExportedHead>> {
    let (_, _, keyed_seq, _, _) = head(conn)?;
    if keyed_seq == 0 {
        return Ok(None);
    }
    Ok(event_mac_at(conn, keyed_seq)?.map(|mac| ExportedHead {
        seq: keyed_seq,
        mac,
    }))
}

fn recompute(ev: &AuditEvent) -> String {
    chain_hash(
        &ev.prev_hash,
        ev.seq,
        ev.at,
        ev.actor_id.as_deref(),
        ev.actor_role.as_deref(),
        &ev.action,
        &ev.target_type,
        ev.target_id.as_deref(),
        &ev.details,
    )
}

fn broken(seq: i64, reason: impl Into<String>) -> QueryResult<Verdict> {
    Ok(Verdict::Broken {
        seq,
        reason: reason.into(),
    })
}

/// Walks the whole chain in pages, recomputing every hash and every keyed MAC under `key`, then
/// checks the head, and, when given, that the exported head `exported` is still in the chain.
pub fn verify(
    conn: &mut DbConn,
    key: &[u8],
    exported: Option<&ExportedHead>,
) -> QueryResult<Verdict> {
    const PAGE: i64 = 1000;
    let (head_seq, head_hash, keyed_seq, keyed_head_mac, keyed_from) = head(conn)?;
    let mut expected_seq = 1_i64;
    let mut prev = GENESIS.to_owned();
    let mut prev_mac = GENESIS.to_owned();
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
                return broken(
                    expected_seq,
                    format!("event {expected_seq} is missing (next is {})", ev.seq),
                );
            }
            if ev.prev_hash != prev {
                return broken(
                    ev.seq,
                    "does not link to its predecessor (reordered or replaced)",
                );
            }
            if recompute(&ev) != ev.hash {
                return broken(ev.seq, "content does not match its hash (edited)");
            }
            if ev.seq <= keyed_seq {
                let m = event_mac(key, &prev_mac, ev.seq, &ev.hash);
                if ev.mac.as_deref() != Some(m.as_str()) {
                    return broken(
                        ev.seq,
                        "its keyed MAC does not hold (edited, and its hashes recomputed, by \
                         someone without the key)",
                    );
                }
                prev_mac = m;
            }
            prev = ev.hash;
            expected_seq += 1;
        }
        if (n as i64) < PAGE {
            break;
        }
    }
    let last = expected_seq - 1;
    if head_seq != last || head_hash != prev {
        return broken(
            last + 1,
            format!("the chain ends at {last} but its head says {head_seq} (events cut off)"),
        );
    }
    if keyed_seq > last {
        return broken(
            last + 1,
            format!("events up to {keyed_seq} were keyed, but the chain ends at {last} (cut off)"),
        );
    }
    if keyed_seq > 0
        && keyed_head_mac.as_deref() != Some(head_mac(key, keyed_seq, &prev_mac).as_str())
    {
        return broken(
            keyed_seq,
            "the head's keyed MAC does not hold (the head was moved)",
        );
    }
    if let Some(x) = exported {
        if x.seq > last {
            return broken(
                last + 1,
                format!(
                    "the exported head names event {}, but the chain ends at {last} (events \
                     removed)",
                    x.seq
                ),
            );
        }
        let here = audit_events::table
            .filter(audit_events::seq.eq(x.seq))
            .select(audit_events::mac)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten();
        if x.seq > keyed_seq || here.as_deref() != Some(x.mac.as_str()) {
            return broken(
                x.seq,
                "it is not the event the exported head names (the chain was rewritten or its \
                 keys wiped)",
            );
        }
    }
    Ok(Verdict::Intact {
        events: last,
        keyed: keyed_seq,
        keyed_from,
    })
}
