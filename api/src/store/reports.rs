//! Rows of `reports`, `photos`, `report_events` and `report_messages`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::pagination::Cursor;
use super::schema::{photos, report_events, report_messages, reports};

/// A report as stored. `identity_sealed` and `reporter_index` are present only for confidential
/// reports and never leave the services that need them.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reports)]
pub struct ReportRow {
    /// Id (UUID text).
    pub id: String,
    /// Enterprise the hazard is at.
    pub enterprise_id: String,
    /// Area, if chosen.
    pub area_id: Option<String>,
    /// One line.
    pub title: String,
    /// What the reporter saw.
    pub description: String,
    /// `general` or `major`, if the reporter suspected a level.
    pub suspected_level: Option<String>,
    /// JSON array of criterion codes the reporter ticked.
    pub criterion_codes: String,
    /// `confidential` or `anonymous`.
    pub mode: String,
    /// What staff call the reporter of this report.
    pub pseudonym: String,
    /// Keyed blind index of the worker (confidential only), hex.
    pub reporter_index: Option<String>,
    /// Sealed identity (confidential only).
    pub identity_sealed: Option<Vec<u8>>,
    /// Keyed hash of the receipt code, hex.
    pub receipt_hash: String,
    /// `submitted`, `accepted`, `duplicate` or `rejected`.
    pub status: String,
    /// Hazard it became or joined.
    pub hazard_id: Option<String>,
    /// Reason given with the last transition (e.g. rejection).
    pub status_note: Option<String>,
    /// Submission time (UTC).
    pub created_at: NaiveDateTime,
    /// When it was triaged.
    pub triaged_at: Option<NaiveDateTime>,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

impl ReportRow {
    /// Position for keyset pagination.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            created_at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// A stored photo (its bytes are in the blob store).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = photos)]
pub struct PhotoRow {
    /// Id.
    pub id: String,
    /// Owning enterprise (the encryption scope).
    pub enterprise_id: String,
    /// `report`, `evidence` or `hazard`.
    pub owner_type: String,
    /// Id of the owning record.
    pub owner_id: String,
    /// Order within the owner, from 0.
    pub position: i32,
    /// Blob key of the display copy.
    pub display_key: String,
    /// Blob key of the thumbnail.
    pub thumb_key: String,
    /// Display width in pixels.
    pub width: i32,
    /// Display height in pixels.
    pub height: i32,
    /// SHA-256 of the display JPEG, hex.
    pub sha256: String,
    /// 64-bit perceptual hash, hex.
    pub phash: String,
    /// Size of the display JPEG.
    pub display_bytes: i64,
    /// When stored.
    pub created_at: NaiveDateTime,
}

/// A timeline entry.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_events)]
pub struct ReportEventRow {
    /// Id.
    pub id: String,
    /// Report.
    pub report_id: String,
    /// When.
    pub at: NaiveDateTime,
    /// Staff member who acted (none for the reporter or the system).
    pub actor_id: Option<String>,
    /// Their role, or `reporter` / `system`.
    pub actor_role: Option<String>,
    /// What happened (`submitted`, `accepted`, `message`, …).
    pub kind: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: Option<String>,
    /// Reason or note, shown to the reporter.
    pub note: Option<String>,
}

/// A message on a report's channel.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_messages)]
pub struct MessageRow {
    /// Id.
    pub id: String,
    /// Report.
    pub report_id: String,
    /// `reporter`, `enterprise` or `bureau`.
    pub sender: String,
    /// `reporter`, `enterprise` or `bureau`.
    pub recipient: String,
    /// Staff author (never set for the reporter).
    pub author_id: Option<String>,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Inserts a report.
pub fn insert(conn: &mut DbConn, row: &ReportRow) -> QueryResult<()> {
    diesel::insert_into(reports::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Finds a report by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<ReportRow>> {
    reports::table
        .find(id)
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

/// Finds a report by the keyed hash of its receipt code.
pub fn find_by_receipt(conn: &mut DbConn, receipt_hash: &str) -> QueryResult<Option<ReportRow>> {
    reports::table
        .filter(reports::receipt_hash.eq(receipt_hash))
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts photos.
pub fn insert_photos(conn: &mut DbConn, rows: &[PhotoRow]) -> QueryResult<()> {
    for row in rows {
        diesel::insert_into(photos::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// The first photo of each of the given reports, as `(report_id, photo_id)` (the inbox's
/// thumbnails: one query for a whole page, through `photos_owner`).
pub fn first_photos(
    conn: &mut DbConn,
    report_ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    if report_ids.is_empty() {
        return Ok(Vec::new());
    }
    photos::table
        .filter(photos::owner_type.eq("report"))
        .filter(photos::owner_id.eq_any(report_ids))
        .filter(photos::position.eq(0))
        .select((photos::owner_id, photos::id))
        .load(conn)
}

/// Every blob key a photo row names (display copies and thumbnails), for `blobs migrate`.
pub fn all_photo_keys(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let pairs: Vec<(String, String)> = photos::table
        .select((photos::display_key, photos::thumb_key))
        .load(conn)?;
    Ok(pairs.into_iter().flat_map(|(d, t)| [d, t]).collect())
}

/// The photos of one owner, in order.
pub fn photos_of(
    conn: &mut DbConn,
    owner_type: &str,
    owner_id: &str,
) -> QueryResult<Vec<PhotoRow>> {
    photos::table
        .filter(photos::owner_type.eq(owner_type))
        .filter(photos::owner_id.eq(owner_id))
        .order(photos::position.asc())
        .select(PhotoRow::as_select())
        .load(conn)
}

/// Finds a photo by id (whatever owns it).
pub fn find_photo(conn: &mut DbConn, id: &str) -> QueryResult<Option<PhotoRow>> {
    photos::table
        .find(id)
        .select(PhotoRow::as_select())
        .first(conn)
        .optional()
}

/// Appends a timeline entry.
pub fn insert_event(conn: &mut DbConn, row: &ReportEventRow) -> QueryResult<()> {
    diesel::insert_into(report_events::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A report's timeline, oldest first.
pub fn events_of(conn: &mut DbConn, report_id: &str) -> QueryResult<Vec<ReportEventRow>> {
    report_events::table
        .filter(report_events::report_id.eq(report_id))
        .order((report_events::at.asc(), report_events::id.asc()))
        .select(ReportEventRow::as_select())
        .load(conn)
}

/// Adds a message.
pub fn insert_message(conn: &mut DbConn, row: &MessageRow) -> QueryResult<()> {
    diesel::insert_into(report_messages::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A report's messages that `party` (`reporter`, `enterprise` or `bureau`) sent or received,
/// oldest first. Each side sees only its own conversations: the enterprise never reads what the
/// reporter and the bureau say to each other about it.
pub fn messages_of(
    conn: &mut DbConn,
    report_id: &str,
    party: &str,
) -> QueryResult<Vec<MessageRow>> {
    report_messages::table
        .filter(report_messages::report_id.eq(report_id))
        .filter(
            report_messages::sender
                .eq(party)
                .or(report_messages::recipient.eq(party)),
        )
        .order((report_messages::created_at.asc(), report_messages::id.asc()))
        .select(MessageRow::as_select())
        .load(conn)
}

/// Moves a report from `from` to `to` only if it is still in `from` — the guarded update that
/// keeps two staff members acting at once from both succeeding. Returns whether it moved.
#[allow(clippy::too_many_arguments)]
pub fn transition(
    conn: &mut DbConn,
    id: &str,
    from: &str,
    to: &str,
    hazard_id: Option<&str>,
    note: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        reports::table
            .filter(reports::id.eq(id))
            .filter(reports::status.eq(from)),
    )
    .set((
        reports::status.eq(to),
        reports::hazard_id.eq(hazard_id),
        reports::status_note.eq(note),
        reports::triaged_at.eq(Some(at)),
        reports::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Reports of an enterprise still waiting for triage and submitted before their deadline's
/// cut-off — `any_before` for every report, `major_before` for those suspected major — at
/// most `cap` of them. Reads `reports_inbox_status` (enterprise, `submitted`, created_at) up to
/// the later cut-off only, and stops at `cap`: a report becomes late by the clock, not by a
/// transition, so this is a bounded count rather than a maintained one.
pub fn untriaged_late(
    conn: &mut DbConn,
    enterprise_id: &str,
    any_before: NaiveDateTime,
    major_before: NaiveDateTime,
    cap: i64,
) -> QueryResult<i64> {
    let late = reports::created_at
        .lt(any_before)
        .or(reports::suspected_level
            .eq("major")
            .and(reports::created_at.lt(major_before)));
    let ids: Vec<String> = reports::table
        .filter(reports::enterprise_id.eq(enterprise_id))
        .filter(reports::status.eq("submitted"))
        .filter(reports::created_at.lt(any_before.max(major_before)))
        .filter(late)
        .select(reports::id)
        .limit(cap)
        .load(conn)?;
    Ok(i64::try_from(ids.len()).unwrap_or(cap))
}
