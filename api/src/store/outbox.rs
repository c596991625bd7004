//! Rows of `outbox`: events waiting for delivery to the bureau's systems.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::pagination::{Cursor, PageRequest, Side, beyond};
use super::schema::outbox;

/// An outbox entry.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    /// Id.
    pub id: String,
    /// The event's id, sent so receivers can drop duplicates.
    pub event_id: String,
    /// E.g. `escalation.opened`.
    pub topic: String,
    /// JSON body, exactly as sent.
    pub payload: String,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// Not before this; while an instance holds the row it is the end of its lease.
    pub next_attempt_at: NaiveDateTime,
    /// The last failure (status or transport error; never a payload).
    pub last_error: Option<String>,
    /// When written.
    pub created_at: NaiveDateTime,
    /// When the receiver accepted it.
    pub delivered_at: Option<NaiveDateTime>,
    /// Who delivers it: `webhook` (the bureau's signed webhook), `wecom`, `dingtalk` or `email`.
    pub channel: String,
}

/// The channel of the bureau's signed webhook.
pub const WEBHOOK: &str = "webhook";

impl OutboxRow {
    /// A new entry, due at once.
    pub fn pending(
        event_id: String,
        topic: String,
        payload: String,
        channel: &str,
        now: NaiveDateTime,
    ) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            event_id,
            topic,
            payload,
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            created_at: now,
            delivered_at: None,
            channel: channel.to_owned(),
        }
    }

    /// Position for keyset pagination.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            created_at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// Writes an entry (inside the caller's transaction).
pub fn insert(conn: &mut DbConn, row: &OutboxRow) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Pending entries of the given channels due by `now`, oldest first, through
/// `outbox_channel_due`.
pub fn due(
    conn: &mut DbConn,
    channels: &[&str],
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    outbox::table
        .filter(outbox::channel.eq_any(channels))
        .filter(outbox::status.eq("pending"))
        .filter(outbox::next_attempt_at.le(now))
        .order(outbox::next_attempt_at.asc())
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)
}

/// Takes a lease on an entry: succeeds for exactly one instance, because the row must still be
/// pending at the time the candidate was read.
pub fn claim(conn: &mut DbConn, row: &OutboxRow, lease_until: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(&row.id))
            .filter(outbox::status.eq("pending"))
            .filter(outbox::next_attempt_at.eq(row.next_attempt_at))
            .filter(outbox::attempts.eq(row.attempts)),
    )
    .set((
        outbox::next_attempt_at.eq(lease_until),
        outbox::attempts.eq(row.attempts + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Records the outcome of an attempt.
pub fn finish(
    conn: &mut DbConn,
    id: &str,
    status: &str,
    next_attempt_at: NaiveDateTime,
    last_error: Option<&str>,
    delivered_at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(status),
            outbox::next_attempt_at.eq(next_attempt_at),
            outbox::last_error.eq(last_error),
            outbox::delivered_at.eq(delivered_at),
        ))
        .execute(conn)
        .map(drop)
}

/// One page of dead letters, newest first.
pub fn dead(conn: &mut DbConn, page: &PageRequest) -> QueryResult<Vec<OutboxRow>> {
    let mut q = outbox::table
        .filter(outbox::status.eq("dead"))
        .select(OutboxRow::as_select())
        .into_boxed();
    if let Some(c) = &page.after {
        q = q.filter(beyond("outbox", Side::Before, c));
    }
    q.order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(page.limit + 1)
        .load(conn)
}

/// Puts a dead letter back in the queue; returns whether it was dead.
pub fn revive(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::status.eq("dead")),
    )
    .set((
        outbox::status.eq("pending"),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
