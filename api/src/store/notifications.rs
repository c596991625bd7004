//! Rows of `notification_channels` (sealed channel settings per enterprise or jurisdiction) and
//! `notification_marks` (reminders and digests that already fired).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{notification_channels, notification_marks};

/// One owner's channels.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notification_channels)]
pub struct ChannelRow {
    /// `enterprise` or `jurisdiction`.
    pub owner_type: String,
    /// The enterprise's id or the jurisdiction's path.
    pub owner_id: String,
    /// Comma-separated names of the channels set (`wecom,dingtalk,email`); not secret.
    pub channels: String,
    /// The sealed settings (URLs, secret, addresses) as JSON.
    pub sealed: Vec<u8>,
    /// Who set them last.
    pub updated_by: String,
    /// When.
    pub updated_at: NaiveDateTime,
}

impl ChannelRow {
    /// The names of the channels set.
    pub fn channel_names(&self) -> Vec<&str> {
        self.channels.split(',').filter(|c| !c.is_empty()).collect()
    }
}

/// An owner's channels, if any were set.
pub fn find(
    conn: &mut DbConn,
    owner_type: &str,
    owner_id: &str,
) -> QueryResult<Option<ChannelRow>> {
    notification_channels::table
        .find((owner_type, owner_id))
        .select(ChannelRow::as_select())
        .first(conn)
        .optional()
}

/// The channel rows of every owner of a type whose id is in `ids`.
pub fn find_many(
    conn: &mut DbConn,
    owner_type: &str,
    ids: &[String],
) -> QueryResult<Vec<ChannelRow>> {
    notification_channels::table
        .filter(notification_channels::owner_type.eq(owner_type))
        .filter(notification_channels::owner_id.eq_any(ids))
        .select(ChannelRow::as_select())
        .load(conn)
}

/// Enterprise ids with at least one channel set (the digest's candidates).
pub fn enterprises_with_channels(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    notification_channels::table
        .filter(notification_channels::owner_type.eq("enterprise"))
        .filter(notification_channels::channels.ne(""))
        .select(notification_channels::owner_id)
        .load(conn)
}

/// Writes an owner's channels, replacing what was there.
pub fn upsert(conn: &mut DbConn, row: &ChannelRow) -> QueryResult<()> {
    let n = diesel::update(
        notification_channels::table.find((row.owner_type.as_str(), row.owner_id.as_str())),
    )
    .set((
        notification_channels::channels.eq(&row.channels),
        notification_channels::sealed.eq(&row.sealed),
        notification_channels::updated_by.eq(&row.updated_by),
        notification_channels::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    if n == 0 {
        diesel::insert_into(notification_channels::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Records that `kind` fired on `subject_id`; true for exactly one caller however many race
/// (the primary key, with `ON CONFLICT DO NOTHING` so a loser's transaction stays usable).
pub fn mark_once(
    conn: &mut DbConn,
    kind: &str,
    subject_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let values = (
        notification_marks::kind.eq(kind),
        notification_marks::subject_id.eq(subject_id),
        notification_marks::fired_at.eq(now),
    );
    let n = match conn {
        DbConn::Postgresql(c) => diesel::insert_into(notification_marks::table)
            .values(values)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(notification_marks::table)
            .values(values)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(n == 1)
}

/// Untriaged reports of one class (suspected major or not) with a reminder due: at or before
/// `near_cutoff` without the near mark, or at or before `past_cutoff` without the past mark.
/// Reports whose reminders both fired, or whose next one is not due, are not read.
pub fn untriaged_reports_due(
    conn: &mut DbConn,
    major: bool,
    near_cutoff: NaiveDateTime,
    past_cutoff: NaiveDateTime,
) -> QueryResult<Vec<super::reports::ReportRow>> {
    use super::schema::reports;
    let marked = |kind: &'static str| {
        diesel::dsl::exists(
            notification_marks::table
                .filter(notification_marks::kind.eq(kind))
                .filter(notification_marks::subject_id.eq(reports::id)),
        )
    };
    let mut q = reports::table
        .filter(reports::status.eq("submitted"))
        .filter(reports::created_at.le(near_cutoff))
        .filter(diesel::dsl::not(marked(REPORT_TRIAGE_PAST)))
        .filter(
            diesel::dsl::not(marked(REPORT_TRIAGE_NEAR)).or(reports::created_at.le(past_cutoff)),
        )
        .into_boxed();
    q = if major {
        q.filter(reports::suspected_level.eq("major"))
    } else {
        q.filter(
            reports::suspected_level
                .is_null()
                .or(reports::suspected_level.ne("major")),
        )
    };
    q.select(super::reports::ReportRow::as_select()).load(conn)
}

/// Kind of the mark of a report's near-deadline triage reminder.
pub const REPORT_TRIAGE_NEAR: &str = "report.triage.near";
/// Kind of the mark of a report's overdue triage reminder.
pub const REPORT_TRIAGE_PAST: &str = "report.triage.past";

/// Open major hazards (the 清零 number: few by design, so read whole).
pub fn open_major_hazards(conn: &mut DbConn) -> QueryResult<Vec<super::hazards::HazardRow>> {
    use super::schema::hazards;
    hazards::table
        .filter(hazards::level.eq("major"))
        .filter(hazards::status.ne("closed"))
        .select(super::hazards::HazardRow::as_select())
        .load(conn)
}

/// What an enterprise's daily digest counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DigestCounts {
    /// Open major hazards (the 清零 number).
    pub open_major: i64,
    /// Open hazards whose deadline date is before `today`.
    pub overdue_hazards: i64,
    /// Reports waiting for triage.
    pub untriaged: i64,
    /// Reports waiting for triage past their triage deadline.
    pub untriaged_overdue: i64,
    /// Major hazards still without a plan.
    pub unplanned_major: i64,
    /// Hazards waiting for verification.
    pub awaiting_verification: i64,
    /// Rewards waiting for approval.
    pub rewards_proposed: i64,
}

/// The digest's counts for one enterprise.
pub fn digest_counts(
    conn: &mut DbConn,
    enterprise_id: &str,
    today: &str,
    (any_cutoff, major_cutoff): (NaiveDateTime, NaiveDateTime),
) -> QueryResult<DigestCounts> {
    use super::schema::{hazards, reports, rewards};
    let hz = || hazards::table.filter(hazards::enterprise_id.eq(enterprise_id.to_owned()));
    let rp = || {
        reports::table
            .filter(reports::enterprise_id.eq(enterprise_id.to_owned()))
            .filter(reports::status.eq("submitted"))
    };
    Ok(DigestCounts {
        open_major: hz()
            .filter(hazards::level.eq("major"))
            .filter(hazards::status.ne("closed"))
            .count()
            .get_result(conn)?,
        overdue_hazards: hz()
            .filter(hazards::status.ne("closed"))
            .filter(hazards::deadline.lt(today.to_owned()))
            .count()
            .get_result(conn)?,
        untriaged: rp().count().get_result(conn)?,
        untriaged_overdue: rp()
            .filter(reports::created_at.le(any_cutoff))
            .count()
            .get_result::<i64>(conn)?
            + rp()
                .filter(reports::suspected_level.eq("major"))
                .filter(reports::created_at.le(major_cutoff))
                .filter(reports::created_at.gt(any_cutoff))
                .count()
                .get_result::<i64>(conn)?,
        unplanned_major: hz()
            .filter(hazards::level.eq("major"))
            .filter(hazards::status.eq("registered"))
            .count()
            .get_result(conn)?,
        awaiting_verification: hz()
            .filter(hazards::status.eq("awaiting_verification"))
            .count()
            .get_result(conn)?,
        rewards_proposed: rewards::table
            .filter(rewards::enterprise_id.eq(enterprise_id.to_owned()))
            .filter(rewards::status.eq("proposed"))
            .count()
            .get_result(conn)?,
    })
}
