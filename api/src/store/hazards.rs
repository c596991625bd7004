//! Rows of `hazards`, `hazard_plans`, `hazard_evidence`, `hazard_events` and `sweeps`.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::DbConn;
use super::pagination::{Cursor, PageRequest, Side, beyond};
use super::schema::{areas, hazard_events, hazard_evidence, hazard_plans, hazards, sweeps};

/// A hazard as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hazards)]
pub struct HazardRow {
    /// Id (UUID text).
    pub id: String,
    /// Enterprise.
    pub enterprise_id: String,
    /// Area, if known.
    pub area_id: Option<String>,
    /// One line.
    pub title: String,
    /// What is wrong.
    pub description: String,
    /// `general` or `major`.
    pub level: String,
    /// JSON array of criterion codes.
    pub criterion_codes: String,
    /// `report` or `sweep`.
    pub source: String,
    /// The report it came from.
    pub report_id: Option<String>,
    /// The sweep it was found in.
    pub sweep_id: Option<String>,
    /// State (see `domain::hazard_state`).
    pub status: String,
    /// Quarter it was found in (`2026Q4`).
    pub quarter: String,
    /// Deadline of the current plan (`YYYY-MM-DD`).
    pub deadline: Option<String>,
    /// Version of the current plan (0: none yet).
    pub plan_version: i32,
    /// Staff member who put it on the ledger.
    pub created_by: String,
    /// When it was put on the ledger (发现时间).
    pub created_at: NaiveDateTime,
    /// When it was closed (销号).
    pub closed_at: Option<NaiveDateTime>,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

impl HazardRow {
    /// Position for keyset pagination.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            created_at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// One version of a 五落实 plan.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hazard_plans)]
pub struct PlanRow {
    /// Id.
    pub id: String,
    /// Hazard.
    pub hazard_id: String,
    /// 1, 2, …
    pub version: i32,
    /// 整改措施.
    pub measures: String,
    /// 责任人 (a name).
    pub responsible_person: String,
    /// The responsible person's account, if they have one.
    pub responsible_user_id: Option<String>,
    /// 整改资金, fen.
    pub funds_fen: Option<i64>,
    /// 整改期限 (`YYYY-MM-DD`).
    pub deadline: Option<String>,
    /// 应急预案.
    pub contingency_plan: Option<String>,
    /// Who wrote this version.
    pub author_id: String,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Rectification evidence (photos attach with `photos.owner_type = 'evidence'`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hazard_evidence)]
pub struct EvidenceRow {
    /// Id.
    pub id: String,
    /// Hazard.
    pub hazard_id: String,
    /// What was done.
    pub note: String,
    /// Who submitted it.
    pub author_id: String,
    /// When.
    pub created_at: NaiveDateTime,
}

/// A hazard timeline entry.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = hazard_events)]
pub struct HazardEventRow {
    /// Id.
    pub id: String,
    /// Hazard.
    pub hazard_id: String,
    /// When.
    pub at: NaiveDateTime,
    /// Who acted.
    pub actor_id: Option<String>,
    /// Their role.
    pub actor_role: Option<String>,
    /// What happened.
    pub kind: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: Option<String>,
    /// Note or reason.
    pub note: Option<String>,
}

/// A quarterly sweep.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sweeps)]
pub struct SweepRow {
    /// Id.
    pub id: String,
    /// Enterprise.
    pub enterprise_id: String,
    /// `2026Q4`.
    pub quarter: String,
    /// Who led it.
    pub leader: String,
    /// What it covered.
    pub scope: String,
    /// Date (`YYYY-MM-DD`).
    pub swept_on: String,
    /// Who recorded it.
    pub created_by: String,
    /// When recorded.
    pub created_at: NaiveDateTime,
}

/// Ledger filters; `enterprise_id` is always set by the service from the actor.
#[derive(Debug, Clone, Default)]
pub struct HazardFilter {
    /// Tenant.
    pub enterprise_id: String,
    /// `general` | `major`.
    pub level: Option<String>,
    /// A state name.
    pub status: Option<String>,
    /// An area id.
    pub area_id: Option<String>,
    /// `report` | `sweep`.
    pub source: Option<String>,
    /// `2026Q4`.
    pub quarter: Option<String>,
    /// Only open hazards whose deadline is before this date (`YYYY-MM-DD`).
    pub overdue_on: Option<String>,
}

/// Inserts a hazard (and counts it for the bureau's overview and the console's 概览, in the
/// same transaction).
pub fn insert(conn: &mut DbConn, row: &HazardRow) -> QueryResult<()> {
    diesel::insert_into(hazards::table)
        .values(row)
        .execute(conn)?;
    super::hazard_counts::registered(conn, row)
}

/// Finds a hazard by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<HazardRow>> {
    hazards::table
        .find(id)
        .select(HazardRow::as_select())
        .first(conn)
        .optional()
}

/// One page of the ledger, newest first.
pub fn list(
    conn: &mut DbConn,
    f: &HazardFilter,
    page: &PageRequest,
) -> QueryResult<Vec<HazardRow>> {
    let mut q = hazards::table
        .select(HazardRow::as_select())
        .filter(hazards::enterprise_id.eq(f.enterprise_id.clone()))
        .into_boxed();
    if let Some(v) = &f.level {
        q = q.filter(hazards::level.eq(v.clone()));
    }
    if let Some(v) = &f.status {
        q = q.filter(hazards::status.eq(v.clone()));
    }
    if let Some(v) = &f.area_id {
        q = q.filter(hazards::area_id.eq(v.clone()));
    }
    if let Some(v) = &f.source {
        q = q.filter(hazards::source.eq(v.clone()));
    }
    if let Some(v) = &f.quarter {
        q = q.filter(hazards::quarter.eq(v.clone()));
    }
    if let Some(today) = &f.overdue_on {
        // The open-hazard test is a literal, not a bound parameter, so that SQLite can use the
        // partial index `hazards_open_ledger` (a parameter never implies an index's WHERE).
        q = q
            .filter(sql::<Bool>("hazards.status <> 'closed'"))
            .filter(hazards::deadline.lt(today.clone()));
    }
    if let Some(c) = &page.after {
        q = q.filter(beyond("hazards", Side::Before, c));
    }
    q.order((hazards::created_at.desc(), hazards::id.desc()))
        .limit(page.limit + 1)
        .load(conn)
}

/// What a guarded hazard update changes besides the status.
#[derive(Debug, Clone, Default)]
pub struct HazardChange {
    /// New current plan version and deadline, when a plan was set.
    pub plan: Option<(i32, Option<String>)>,
    /// Closing time, when closed.
    pub closed_at: Option<NaiveDateTime>,
}

/// Moves a hazard from `from` to `to` only if it is still in `from` (and, when a plan is set,
/// still on the plan version the caller read), so two people acting at once cannot both win.
/// A move that closes it (`change.closed_at`) updates the overview's counts in the same
/// transaction.
pub fn transition(
    conn: &mut DbConn,
    row: &HazardRow,
    to: &str,
    change: &HazardChange,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let target = hazards::table
        .filter(hazards::id.eq(&row.id))
        .filter(hazards::status.eq(&row.status))
        .filter(hazards::plan_version.eq(row.plan_version));
    let (version, deadline) = change
        .plan
        .clone()
        .unwrap_or((row.plan_version, row.deadline.clone()));
    let n = diesel::update(target)
        .set((
            hazards::status.eq(to),
            hazards::plan_version.eq(version),
            hazards::deadline.eq(deadline),
            hazards::closed_at.eq(change.closed_at),
            hazards::updated_at.eq(at),
        ))
        .execute(conn)?;
    if n == 1
        && let Some(closed_at) = change.closed_at
    {
        super::hazard_counts::closed(conn, row, closed_at)?;
    }
    Ok(n == 1)
}

/// Inserts a plan version.
pub fn insert_plan(conn: &mut DbConn, row: &PlanRow) -> QueryResult<()> {
    diesel::insert_into(hazard_plans::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Every plan version of a hazard, oldest first.
pub fn plans_of(conn: &mut DbConn, hazard_id: &str) -> QueryResult<Vec<PlanRow>> {
    hazard_plans::table
        .filter(hazard_plans::hazard_id.eq(hazard_id))
        .order(hazard_plans::version.asc())
        .select(PlanRow::as_select())
        .load(conn)
}

/// Inserts evidence.
pub fn insert_evidence(conn: &mut DbConn, row: &EvidenceRow) -> QueryResult<()> {
    diesel::insert_into(hazard_evidence::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A hazard's evidence, oldest first.
pub fn evidence_of(conn: &mut DbConn, hazard_id: &str) -> QueryResult<Vec<EvidenceRow>> {
    hazard_evidence::table
        .filter(hazard_evidence::hazard_id.eq(hazard_id))
        .order((hazard_evidence::created_at.asc(), hazard_evidence::id.asc()))
        .select(EvidenceRow::as_select())
        .load(conn)
}

/// Appends a timeline entry.
pub fn insert_event(conn: &mut DbConn, row: &HazardEventRow) -> QueryResult<()> {
    diesel::insert_into(hazard_events::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A hazard's timeline, oldest first.
pub fn events_of(conn: &mut DbConn, hazard_id: &str) -> QueryResult<Vec<HazardEventRow>> {
    hazard_events::table
        .filter(hazard_events::hazard_id.eq(hazard_id))
        .order((hazard_events::at.asc(), hazard_events::id.asc()))
        .select(HazardEventRow::as_select())
        .load(conn)
}

/// Inserts a sweep.
pub fn insert_sweep(conn: &mut DbConn, row: &SweepRow) -> QueryResult<()> {
    diesel::insert_into(sweeps::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The enterprise's most recent sweeps, newest first.
pub fn list_sweeps(
    conn: &mut DbConn,
    enterprise_id: &str,
    limit: i64,
) -> QueryResult<Vec<SweepRow>> {
    sweeps::table
        .filter(sweeps::enterprise_id.eq(enterprise_id))
        .order((sweeps::swept_on.desc(), sweeps::created_at.desc()))
        .limit(limit)
        .select(SweepRow::as_select())
        .load(conn)
}

/// The hazards found in one sweep, in the order they were registered.
pub fn of_sweep(conn: &mut DbConn, sweep_id: &str) -> QueryResult<Vec<HazardRow>> {
    hazards::table
        .filter(hazards::sweep_id.eq(sweep_id))
        .order((hazards::created_at.asc(), hazards::id.asc()))
        .select(HazardRow::as_select())
        .load(conn)
}

/// Finds a sweep by id.
pub fn find_sweep(conn: &mut DbConn, id: &str) -> QueryResult<Option<SweepRow>> {
    sweeps::table
        .find(id)
        .select(SweepRow::as_select())
        .first(conn)
        .optional()
}

/// The name of an area of the given enterprise, if it exists there.
pub fn area_name(
    conn: &mut DbConn,
    enterprise_id: &str,
    area_id: &str,
) -> QueryResult<Option<String>> {
    areas::table
        .filter(areas::id.eq(area_id))
        .filter(areas::enterprise_id.eq(enterprise_id))
        .select(areas::name)
        .first(conn)
        .optional()
}

/// What one line of the ledger export shows: the hazard's own columns that it prints (not the
/// description, criterion codes and the other columns it does not), its area's name and its
/// current plan. Narrow on purpose: an export reads a million of these.
#[derive(Debug, Clone, Queryable)]
pub struct LedgerLine {
    /// Hazard id (the keyset's tie-breaker).
    pub id: String,
    /// 发现时间, and the keyset's order.
    pub created_at: NaiveDateTime,
    /// One line.
    pub title: String,
    /// `general` or `major`.
    pub level: String,
    /// `report` or `sweep`.
    pub source: String,
    /// State (see `domain::hazard_state`).
    pub status: String,
    /// Deadline of the current plan (`YYYY-MM-DD`).
    pub deadline: Option<String>,
    /// When it was closed (销号).
    pub closed_at: Option<NaiveDateTime>,
    /// Area name.
    pub area: Option<String>,
    /// Current plan: measures.
    pub measures: Option<String>,
    /// Current plan: responsible person.
    pub responsible_person: Option<String>,
    /// Current plan: funds (fen).
    pub funds_fen: Option<i64>,
    /// Current plan: contingency plan.
    pub contingency_plan: Option<String>,
}

impl LedgerLine {
    /// Position for keyset pagination.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            created_at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// Which hazards an export covers: one enterprise, found in `[from, to)`, optionally one level.
#[derive(Debug, Clone)]
pub struct ExportRange {
    /// Tenant.
    pub enterprise_id: String,
    /// First instant (UTC).
    pub from: NaiveDateTime,
    /// Exclusive end (UTC).
    pub to: NaiveDateTime,
    /// `general` | `major`, or both.
    pub level: Option<String>,
}

/// One page of an export, oldest first, after `after` (keyset over `(created_at, id)`, through
/// the `hazards_ledger` / `hazards_by_level` indexes; each row's area by its primary key and its
/// current plan through `UNIQUE (hazard_id, version)`).
pub fn export_page(
    conn: &mut DbConn,
    r: &ExportRange,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<LedgerLine>> {
    let mut q = hazards::table
        .left_join(areas::table.on(areas::id.nullable().eq(hazards::area_id)))
        .left_join(
            hazard_plans::table.on(hazard_plans::hazard_id
                .eq(hazards::id)
                .and(hazard_plans::version.eq(hazards::plan_version))),
        )
        .filter(hazards::enterprise_id.eq(r.enterprise_id.clone()))
        .filter(hazards::created_at.lt(r.to))
        .select((
            hazards::id,
            hazards::created_at,
            hazards::title,
            hazards::level,
            hazards::source,
            hazards::status,
            hazards::deadline,
            hazards::closed_at,
            areas::name.nullable(),
            hazard_plans::measures.nullable(),
            hazard_plans::responsible_person.nullable(),
            hazard_plans::funds_fen.nullable(),
            hazard_plans::contingency_plan.nullable(),
        ))
        .into_boxed();
    if let Some(l) = &r.level {
        q = q.filter(hazards::level.eq(l.clone()));
    }
    // One lower bound only: the range's start on the first page, the cursor (which lies past
    // it) after. Given both, SQLite may seek on `created_at >= from` and walk every row up to
    // the cursor — it did, on a database whose statistics came from another SQLite version,
    // and a million-row export crawled at 40 000 rows/s, each page slower than the last.
    q = match after {
        Some(c) => q.filter(beyond("hazards", Side::After, c)),
        None => q.filter(hazards::created_at.ge(r.from)),
    };
    q.order((hazards::created_at.asc(), hazards::id.asc()))
        .limit(limit)
        .load(conn)
}

/// The current plan's measures of each of the given hazards that has one:
/// `(hazard_id, measures)`.
pub fn current_measures(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    hazard_plans::table
        .inner_join(
            hazards::table.on(hazards::id
                .eq(hazard_plans::hazard_id)
                .and(hazards::plan_version.eq(hazard_plans::version))),
        )
        .filter(hazard_plans::hazard_id.eq_any(ids))
        .select((hazard_plans::hazard_id, hazard_plans::measures))
        .load(conn)
}

/// Names of the given areas of one enterprise: `(area_id, name)`.
pub fn area_names(
    conn: &mut DbConn,
    enterprise_id: &str,
    ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    areas::table
        .filter(areas::enterprise_id.eq(enterprise_id))
        .filter(areas::id.eq_any(ids))
        .select((areas::id, areas::name))
        .load(conn)
}
