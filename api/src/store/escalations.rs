//! Rows of `escalations`, `escalation_triggers`, `escalation_events`, `escalation_stats` and
//! `sweeper_marks`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::enterprises::{below_prefix, substr};
use super::pagination::{Cursor, PageRequest};
use super::schema::{
    enterprises, escalation_events, escalation_stats, escalation_triggers, escalations, hazards,
    reports, sweeper_marks,
};

/// Statuses in which an escalation is open (the partial unique index lists the same).
pub const ACTIVE: [&str; 3] = ["open", "acknowledged", "supervising"];

/// An escalation as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = escalations)]
pub struct EscalationRow {
    /// Id.
    pub id: String,
    /// Enterprise of the subject.
    pub enterprise_id: String,
    /// The enterprise's jurisdiction, copied for scoping.
    pub jurisdiction: String,
    /// `report` or `hazard`.
    pub subject_type: String,
    /// Id of the report or hazard.
    pub subject_id: String,
    /// State (see `domain::escalation_state`).
    pub status: String,
    /// JSON array of `{kind, at}`.
    pub triggers: String,
    /// The bureau's deadline while supervising.
    pub bureau_deadline: Option<NaiveDateTime>,
    /// The bureau's instructions.
    pub instructions: Option<String>,
    /// Why it was dismissed.
    pub dismiss_reason: Option<String>,
    /// When the bureau's deadline passed unmet.
    pub deadline_passed_at: Option<NaiveDateTime>,
    /// When opened.
    pub opened_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// When closed or dismissed.
    pub closed_at: Option<NaiveDateTime>,
}

impl EscalationRow {
    /// Position for keyset pagination.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            created_at: self.opened_at,
            id: self.id.clone(),
        }
    }
}

/// A timeline entry of an escalation.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = escalation_events)]
pub struct EscalationEventRow {
    /// Id (also the outbox event id).
    pub id: String,
    /// Escalation.
    pub escalation_id: String,
    /// When.
    pub at: NaiveDateTime,
    /// Bureau officer who acted (none for the sweeper or a reporter).
    pub actor_id: Option<String>,
    /// `bureau_officer`, `system` or `reporter`.
    pub actor_role: Option<String>,
    /// What happened (`opened`, `trigger`, `acknowledged`, `message`, …).
    pub kind: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: Option<String>,
    /// Instructions, reason, message or appeal text.
    pub note: Option<String>,
}

/// Per-enterprise counts kept by the transitions.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = escalation_stats)]
pub struct StatsRow {
    /// Enterprise.
    pub enterprise_id: String,
    /// Escalations open, acknowledged or supervising.
    pub open_count: i64,
    /// Escalations closed or dismissed.
    pub closed_count: i64,
    /// Sum of (closed_at − opened_at) over those, seconds.
    pub closed_seconds_total: i64,
}

/// Inserts an escalation.
pub fn insert(conn: &mut DbConn, row: &EscalationRow) -> QueryResult<()> {
    diesel::insert_into(escalations::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Finds an escalation by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<EscalationRow>> {
    escalations::table
        .find(id)
        .select(EscalationRow::as_select())
        .first(conn)
        .optional()
}

/// The open escalation of a subject, if any.
pub fn find_active(
    conn: &mut DbConn,
    subject_type: &str,
    subject_id: &str,
) -> QueryResult<Option<EscalationRow>> {
    escalations::table
        .filter(escalations::subject_type.eq(subject_type))
        .filter(escalations::subject_id.eq(subject_id))
        .filter(escalations::status.eq_any(ACTIVE))
        .select(EscalationRow::as_select())
        .first(conn)
        .optional()
}

/// Every escalation of a subject, oldest first (tests and the reporter's view).
pub fn of_subject(
    conn: &mut DbConn,
    subject_type: &str,
    subject_id: &str,
) -> QueryResult<Vec<EscalationRow>> {
    escalations::table
        .filter(escalations::subject_type.eq(subject_type))
        .filter(escalations::subject_id.eq(subject_id))
        .order(escalations::opened_at.asc())
        .select(EscalationRow::as_select())
        .load(conn)
}

/// Records that a trigger fired. A unique violation means it already fired for this subject.
pub fn insert_trigger(
    conn: &mut DbConn,
    subject_type: &str,
    subject_id: &str,
    kind: &str,
    escalation_id: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(escalation_triggers::table)
        .values((
            escalation_triggers::subject_type.eq(subject_type),
            escalation_triggers::subject_id.eq(subject_id),
            escalation_triggers::kind.eq(kind),
            escalation_triggers::escalation_id.eq(escalation_id),
            escalation_triggers::at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// The escalation a trigger `kind` was recorded on for a subject, if it fired.
pub fn trigger_escalation(
    conn: &mut DbConn,
    subject_type: &str,
    subject_id: &str,
    kind: &str,
) -> QueryResult<Option<String>> {
    escalation_triggers::table
        .find((subject_type, subject_id, kind))
        .select(escalation_triggers::escalation_id)
        .first(conn)
        .optional()
}

/// Replaces the trigger list only if it is still `old` (compare-and-set against a concurrent
/// append). Returns whether it was written.
pub fn set_triggers_if(
    conn: &mut DbConn,
    id: &str,
    old: &str,
    new: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        escalations::table
            .filter(escalations::id.eq(id))
            .filter(escalations::triggers.eq(old)),
    )
    .set((
        escalations::triggers.eq(new),
        escalations::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// What a bureau transition writes besides the status.
#[derive(Debug, Clone, Default)]
pub struct TransitionFields {
    /// New deadline (supervise).
    pub bureau_deadline: Option<NaiveDateTime>,
    /// New instructions (supervise).
    pub instructions: Option<String>,
    /// Dismissal reason.
    pub dismiss_reason: Option<String>,
    /// Closing time (close, dismiss).
    pub closed_at: Option<NaiveDateTime>,
}

/// Moves an escalation from `from` to `to` only if it is still in `from`; returns whether it moved.
pub fn transition(
    conn: &mut DbConn,
    id: &str,
    from: &str,
    to: &str,
    f: &TransitionFields,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let target = escalations::table
        .filter(escalations::id.eq(id))
        .filter(escalations::status.eq(from));
    let n = if f.bureau_deadline.is_some() {
        diesel::update(target)
            .set((
                escalations::status.eq(to),
                escalations::bureau_deadline.eq(f.bureau_deadline),
                escalations::instructions.eq(f.instructions.clone()),
                escalations::deadline_passed_at.eq(None::<NaiveDateTime>),
                escalations::updated_at.eq(at),
            ))
            .execute(conn)?
    } else {
        diesel::update(target)
            .set((
                escalations::status.eq(to),
                escalations::dismiss_reason.eq(f.dismiss_reason.clone()),
                escalations::closed_at.eq(f.closed_at),
                escalations::updated_at.eq(at),
            ))
            .execute(conn)?
    };
    Ok(n == 1)
}

/// Marks the bureau's deadline as passed, once.
pub fn mark_deadline_passed(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        escalations::table
            .filter(escalations::id.eq(id))
            .filter(escalations::status.eq("supervising"))
            .filter(escalations::deadline_passed_at.is_null()),
    )
    .set((
        escalations::deadline_passed_at.eq(Some(at)),
        escalations::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Filters of the bureau's inbox.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    /// The officer's jurisdiction (and everything below it).
    pub jurisdiction: String,
    /// Only this status.
    pub status: Option<String>,
    /// Only this enterprise.
    pub enterprise_id: Option<String>,
    /// Only open, acknowledged or supervising ones.
    pub active_only: bool,
    /// Only active ones whose bureau deadline is before this instant or was marked passed.
    pub overdue_at: Option<NaiveDateTime>,
    /// Only those a reporter's appeal opened or joined (`escalation_triggers` kind `appeal`).
    pub appeals_only: bool,
}

/// One page of the inbox, newest first, through `escalations_inbox`.
pub fn list(
    conn: &mut DbConn,
    f: &InboxFilter,
    page: &PageRequest,
) -> QueryResult<Vec<EscalationRow>> {
    let j = f.jurisdiction.clone();
    let (below, n) = below_prefix(&j);
    let mut q = escalations::table
        .select(EscalationRow::as_select())
        .filter(
            escalations::jurisdiction
                .eq(j)
                .or(substr(escalations::jurisdiction, 1, n).eq(below)),
        )
        .into_boxed();
    if let Some(s) = &f.status {
        q = q.filter(escalations::status.eq(s.clone()));
    }
    if let Some(e) = &f.enterprise_id {
        q = q.filter(escalations::enterprise_id.eq(e.clone()));
    }
    if f.active_only || f.overdue_at.is_some() {
        q = q.filter(escalations::status.eq_any(ACTIVE));
    }
    if let Some(now) = f.overdue_at {
        q = q.filter(
            escalations::deadline_passed_at
                .is_not_null()
                .or(escalations::bureau_deadline.lt(now)),
        );
    }
    if f.appeals_only {
        q = q.filter(
            escalations::id.eq_any(
                escalation_triggers::table
                    .filter(escalation_triggers::kind.eq("appeal"))
                    .select(escalation_triggers::escalation_id),
            ),
        );
    }
    if let Some(c) = &page.after {
        q = q.filter(
            escalations::opened_at
                .lt(c.created_at)
                .or(escalations::opened_at
                    .eq(c.created_at)
                    .and(escalations::id.lt(c.id.clone()))),
        );
    }
    q.order((escalations::opened_at.desc(), escalations::id.desc()))
        .limit(page.limit + 1)
        .load(conn)
}

/// Appends a timeline entry.
pub fn insert_event(conn: &mut DbConn, row: &EscalationEventRow) -> QueryResult<()> {
    diesel::insert_into(escalation_events::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// An escalation's timeline, oldest first.
pub fn events_of(conn: &mut DbConn, escalation_id: &str) -> QueryResult<Vec<EscalationEventRow>> {
    escalation_events::table
        .filter(escalation_events::escalation_id.eq(escalation_id))
        .order((escalation_events::at.asc(), escalation_events::id.asc()))
        .select(EscalationEventRow::as_select())
        .load(conn)
}

/// Adjusts an enterprise's counts: `opened` (+1/−1 open), and a closing's duration when one
/// closes. Creates the row on first use; a concurrent first insert surfaces as a unique
/// violation, which the caller's retry resolves.
pub fn bump_stats(
    conn: &mut DbConn,
    enterprise_id: &str,
    open_delta: i64,
    closed_seconds: Option<i64>,
) -> QueryResult<()> {
    let (closed_delta, secs) = closed_seconds.map_or((0, 0), |s| (1, s));
    let n = diesel::update(escalation_stats::table.find(enterprise_id))
        .set((
            escalation_stats::open_count.eq(escalation_stats::open_count + open_delta),
            escalation_stats::closed_count.eq(escalation_stats::closed_count + closed_delta),
            escalation_stats::closed_seconds_total
                .eq(escalation_stats::closed_seconds_total + secs),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(escalation_stats::table)
            .values((
                escalation_stats::enterprise_id.eq(enterprise_id),
                escalation_stats::open_count.eq(open_delta),
                escalation_stats::closed_count.eq(closed_delta),
                escalation_stats::closed_seconds_total.eq(secs),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Counts of the given enterprises.
pub fn stats_of(conn: &mut DbConn, enterprise_ids: &[String]) -> QueryResult<Vec<StatsRow>> {
    escalation_stats::table
        .filter(escalation_stats::enterprise_id.eq_any(enterprise_ids))
        .select(StatsRow::as_select())
        .load(conn)
}

/// The sweeper's watermark for a trigger kind, created at the epoch on first use.
pub fn mark(conn: &mut DbConn, kind: &str) -> QueryResult<NaiveDateTime> {
    if let Some(c) = sweeper_marks::table
        .find(kind)
        .select(sweeper_marks::cutoff)
        .first(conn)
        .optional()?
    {
        return Ok(c);
    }
    let epoch = NaiveDateTime::default();
    match diesel::insert_into(sweeper_marks::table)
        .values((
            sweeper_marks::kind.eq(kind),
            sweeper_marks::cutoff.eq(epoch),
        ))
        .execute(conn)
    {
        Ok(_) => Ok(epoch),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(epoch),
        Err(e) => Err(e),
    }
}

/// Moves a watermark forward (never back, whichever sweeper writes last).
pub fn advance_mark(conn: &mut DbConn, kind: &str, cutoff: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        sweeper_marks::table
            .filter(sweeper_marks::kind.eq(kind))
            .filter(sweeper_marks::cutoff.lt(cutoff)),
    )
    .set(sweeper_marks::cutoff.eq(cutoff))
    .execute(conn)
    .map(drop)
}

/// A subject that has become due for a trigger.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Due {
    /// Id of the report or hazard.
    pub subject_id: String,
    /// Its enterprise.
    pub enterprise_id: String,
}

/// Untriaged reports submitted in `(from, to]` whose trigger `kind` has not fired, through the
/// partial index `reports_untriaged` (or `reports_untriaged_major` when `major_only`).
pub fn untriaged_reports_due(
    conn: &mut DbConn,
    kind: &str,
    major_only: bool,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<Due>> {
    let fired = escalation_triggers::table
        .filter(escalation_triggers::subject_type.eq("report"))
        .filter(escalation_triggers::subject_id.eq(reports::id))
        .filter(escalation_triggers::kind.eq(kind.to_owned()));
    let mut q = reports::table
        .filter(reports::status.eq("submitted"))
        .filter(reports::created_at.gt(from))
        .filter(reports::created_at.le(to))
        .filter(diesel::dsl::not(diesel::dsl::exists(fired)))
        .select((reports::id, reports::enterprise_id))
        .into_boxed();
    if major_only {
        q = q.filter(reports::suspected_level.eq("major"));
    }
    q.load(conn)
}

/// Supervised escalations whose bureau deadline fell in `(from, to]` and is not yet marked,
/// through `escalations_deadline_due`. Returns `(escalation, subject)`.
pub fn bureau_deadlines_due(
    conn: &mut DbConn,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<EscalationRow>> {
    escalations::table
        .filter(escalations::status.eq("supervising"))
        .filter(escalations::deadline_passed_at.is_null())
        .filter(escalations::bureau_deadline.gt(from))
        .filter(escalations::bureau_deadline.le(to))
        .select(EscalationRow::as_select())
        .load(conn)
}

/// Major hazards registered in `(from, to]` that still have no plan and on which `kind` has not
/// fired, through the partial index `hazards_major_unplanned`. A major hazard's plan is only
/// accepted with all five 五落实 items, so "no plan" is "no complete plan".
pub fn unplanned_major_hazards_due(
    conn: &mut DbConn,
    kind: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<Due>> {
    let fired = escalation_triggers::table
        .filter(escalation_triggers::subject_type.eq("hazard"))
        .filter(escalation_triggers::subject_id.eq(hazards::id))
        .filter(escalation_triggers::kind.eq(kind.to_owned()));
    hazards::table
        .filter(hazards::level.eq("major"))
        .filter(hazards::status.eq("registered"))
        .filter(hazards::created_at.gt(from))
        .filter(hazards::created_at.le(to))
        .filter(diesel::dsl::not(diesel::dsl::exists(fired)))
        .select((hazards::id, hazards::enterprise_id))
        .load(conn)
}

/// Open major hazards that became overdue in `(from, to]` and on which `kind` has not fired.
///
/// A deadline is a date (`YYYY-MM-DD`, UTC like the ledger's `overdue` flag) and passes at the
/// midnight that ends it, so a hazard becomes overdue at the later of that midnight and the
/// moment its plan was set (a plan may be written with a date already past). Two index ranges
/// cover both: deadlines whose midnight fell in the window (`hazards_major_open_deadline`), and
/// hazards changed in the window whose deadline has already passed
/// (`hazards_major_open_updated`). Each reads only what became due, never the whole ledger.
pub fn overdue_major_hazards_due(
    conn: &mut DbConn,
    kind: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<Due>> {
    let day = |t: NaiveDateTime| t.date().format("%Y-%m-%d").to_string();
    // The midnight ending date d is in (from, to] exactly when day(from) <= d < day(to).
    let (first, end) = (day(from), day(to));
    let fired = || {
        escalation_triggers::table
            .filter(escalation_triggers::subject_type.eq("hazard"))
            .filter(escalation_triggers::subject_id.eq(hazards::id))
            .filter(escalation_triggers::kind.eq(kind.to_owned()))
    };
    let open_major = || {
        hazards::table
            .filter(hazards::level.eq("major"))
            .filter(hazards::status.ne("closed"))
            .filter(hazards::deadline.is_not_null())
            .filter(hazards::deadline.lt(end.clone()))
            .filter(diesel::dsl::not(diesel::dsl::exists(fired())))
            .select((hazards::id, hazards::enterprise_id))
    };
    let mut due: Vec<Due> = open_major()
        .filter(hazards::deadline.ge(first))
        .load(conn)?;
    let late: Vec<Due> = open_major()
        .filter(hazards::updated_at.gt(from))
        .filter(hazards::updated_at.le(to))
        .load(conn)?;
    for d in late {
        if !due.contains(&d) {
            due.push(d);
        }
    }
    Ok(due)
}

/// When each escalation of a jurisdiction (and below) opened and closed, for those opened or
/// closed at or after `since`: the bureau board's twelve-month chart. Reads the jurisdiction's
/// slice of `escalations_inbox` from `since` on, plus the few older ones still open or closed
/// since.
pub fn opened_and_closed_since(
    conn: &mut DbConn,
    jurisdiction: &str,
    since: NaiveDateTime,
) -> QueryResult<Vec<(NaiveDateTime, Option<NaiveDateTime>)>> {
    let (below, n) = below_prefix(jurisdiction);
    escalations::table
        .filter(
            escalations::jurisdiction
                .eq(jurisdiction.to_owned())
                .or(substr(escalations::jurisdiction, 1, n).eq(below)),
        )
        .filter(
            escalations::opened_at
                .ge(since)
                .or(escalations::closed_at.ge(since)),
        )
        .select((escalations::opened_at, escalations::closed_at))
        .load(conn)
}

/// The titles of the given reports and hazards (an escalation's subject), by id.
pub fn subject_titles(
    conn: &mut DbConn,
    report_ids: &[String],
    hazard_ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = reports::table
        .filter(reports::id.eq_any(report_ids))
        .select((reports::id, reports::title))
        .load(conn)?;
    out.extend(
        hazards::table
            .filter(hazards::id.eq_any(hazard_ids))
            .select((hazards::id, hazards::title))
            .load::<(String, String)>(conn)?,
    );
    Ok(out)
}

/// Whether a reporter's appeal opened or joined the escalation.
pub fn has_appeal(conn: &mut DbConn, escalation_id: &str) -> QueryResult<bool> {
    let n: i64 = escalation_triggers::table
        .filter(escalation_triggers::escalation_id.eq(escalation_id))
        .filter(escalation_triggers::kind.eq("appeal"))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The names of the given enterprises, by id.
pub fn enterprise_names(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    enterprises::table
        .filter(enterprises::id.eq_any(ids))
        .select((enterprises::id, enterprises::name))
        .load(conn)
}
