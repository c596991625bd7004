//! Per-enterprise counts of major hazards (`hazard_stats`) and per-month counts of every hazard
//! (`hazard_months`, for the console's 概览), kept by the hazard transitions in their own
//! transaction so the bureau's overview and the 概览 read a few rows per enterprise instead of
//! counting a ledger of a million hazards. The only writers are [`registered`] (called when a
//! hazard is inserted) and [`closed`] (called when one moves to `closed`), both from
//! `store::hazards`, so every path that registers or closes a hazard keeps the counts.
//!
//! Overdue hazards are not counted here: a hazard becomes overdue by the calendar, not by a
//! transition, so [`overdue_major`] counts them through the partial index
//! `hazards_major_open_by_enterprise`, which holds only open major hazards.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::conn::is_postgres;
use super::hazards::HazardRow;
use super::schema::{hazard_months, hazard_stats, hazards};
use crate::domain::ledger_sheet::beijing_date;

/// One enterprise's major-hazard counts.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = hazard_stats)]
pub struct HazardStatsRow {
    /// Enterprise.
    pub enterprise_id: String,
    /// Major hazards not yet closed.
    pub open_major: i64,
    /// Major hazards closed (销号).
    pub closed_major: i64,
    /// Sum of (closed_at − created_at) over those, seconds.
    pub closed_major_seconds: i64,
}

const MAJOR: &str = "major";

/// A hazard was registered: the bureau's major count and the console's month row.
pub fn registered(conn: &mut DbConn, row: &HazardRow) -> QueryResult<()> {
    bump_month(conn, row, beijing_month(row.created_at), 1, 0, 0)?;
    if row.level != MAJOR {
        return Ok(());
    }
    bump(conn, &row.enterprise_id, 1, 0, 0)
}

/// A hazard (as read before the move) was closed at `closed_at`.
pub fn closed(conn: &mut DbConn, row: &HazardRow, closed_at: NaiveDateTime) -> QueryResult<()> {
    let secs = (closed_at - row.created_at).num_seconds().max(0);
    bump_month(conn, row, beijing_month(closed_at), 0, 1, secs)?;
    if row.level != MAJOR {
        return Ok(());
    }
    bump(conn, &row.enterprise_id, -1, 1, secs)
}

/// The month (`YYYY-MM`, China Standard Time) a moment falls in, as `hazard_months` keys it.
pub fn beijing_month(t: NaiveDateTime) -> String {
    beijing_date(t).format("%Y-%m").to_string()
}

/// Runs `update` (which answers how many rows it changed); when the row is not there yet,
/// inserts it inside a savepoint, so a concurrent first insert (possible on PostgreSQL) leaves
/// the caller's transaction usable and the update is tried again.
fn update_or_insert(
    conn: &mut DbConn,
    mut update: impl FnMut(&mut DbConn) -> QueryResult<usize>,
    mut insert: impl FnMut(&mut DbConn) -> QueryResult<usize>,
) -> QueryResult<()> {
    for _ in 0..2 {
        if update(conn)? == 1 {
            return Ok(());
        }
        match conn.transaction(|c| insert(c)) {
            Ok(_) => return Ok(()),
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(diesel::result::Error::NotFound)
}

/// Adds to an enterprise's major-hazard row, creating it on first use.
fn bump(
    conn: &mut DbConn,
    enterprise_id: &str,
    open: i64,
    closed: i64,
    secs: i64,
) -> QueryResult<()> {
    update_or_insert(
        conn,
        |c| {
            diesel::update(hazard_stats::table.find(enterprise_id))
                .set((
                    hazard_stats::open_major.eq(hazard_stats::open_major + open),
                    hazard_stats::closed_major.eq(hazard_stats::closed_major + closed),
                    hazard_stats::closed_major_seconds
                        .eq(hazard_stats::closed_major_seconds + secs),
                ))
                .execute(c)
        },
        |c| {
            diesel::insert_into(hazard_stats::table)
                .values((
                    hazard_stats::enterprise_id.eq(enterprise_id),
                    hazard_stats::open_major.eq(open),
                    hazard_stats::closed_major.eq(closed),
                    hazard_stats::closed_major_seconds.eq(secs),
                ))
                .execute(c)
        },
    )
}

/// Adds to the month row of a hazard's enterprise, level and area, creating it on first use.
fn bump_month(
    conn: &mut DbConn,
    row: &HazardRow,
    month: String,
    registered: i64,
    closed: i64,
    secs: i64,
) -> QueryResult<()> {
    let area = row.area_id.clone().unwrap_or_default();
    let key = (
        row.enterprise_id.as_str(),
        month.as_str(),
        row.level.as_str(),
        area.as_str(),
    );
    update_or_insert(
        conn,
        |c| {
            diesel::update(hazard_months::table.find(key))
                .set((
                    hazard_months::registered.eq(hazard_months::registered + registered),
                    hazard_months::closed.eq(hazard_months::closed + closed),
                    hazard_months::closed_seconds.eq(hazard_months::closed_seconds + secs),
                ))
                .execute(c)
        },
        |c| {
            diesel::insert_into(hazard_months::table)
                .values((
                    hazard_months::enterprise_id.eq(key.0),
                    hazard_months::month.eq(key.1),
                    hazard_months::level.eq(key.2),
                    hazard_months::area_id.eq(key.3),
                    hazard_months::registered.eq(registered),
                    hazard_months::closed.eq(closed),
                    hazard_months::closed_seconds.eq(secs),
                ))
                .execute(c)
        },
    )
}

/// One row of `hazard_months`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = hazard_months)]
pub struct MonthRow {
    /// `YYYY-MM`, China Standard Time.
    pub month: String,
    /// `general` | `major`.
    pub level: String,
    /// Area id, '' for none.
    pub area_id: String,
    /// Registered in that month.
    pub registered: i64,
    /// Closed in that month.
    pub closed: i64,
    /// Sum of (closed_at − created_at) over those closed, seconds.
    pub closed_seconds: i64,
}

/// An enterprise's month rows from `from_month` to `to_month` (inclusive, `YYYY-MM`), through
/// the primary key: at most months × levels × areas rows, whatever the size of the ledger.
pub fn months_of(
    conn: &mut DbConn,
    enterprise_id: &str,
    from_month: &str,
    to_month: &str,
) -> QueryResult<Vec<MonthRow>> {
    hazard_months::table
        .filter(hazard_months::enterprise_id.eq(enterprise_id))
        .filter(hazard_months::month.ge(from_month))
        .filter(hazard_months::month.le(to_month))
        .select(MonthRow::as_select())
        .load(conn)
}

/// Open hazards (any level) of an enterprise past their deadline, counted through the partial
/// index `hazards_open_deadline` and stopping at `cap` (a page says "cap+"): a hazard becomes
/// overdue by the calendar, so this cannot be a maintained count, but it never reads more than
/// `cap` index entries.
pub fn overdue_of(
    conn: &mut DbConn,
    enterprise_id: &str,
    today: &str,
    cap: i64,
) -> QueryResult<i64> {
    let ids: Vec<String> = hazards::table
        .filter(hazards::enterprise_id.eq(enterprise_id))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "hazards.status <> 'closed'",
        ))
        .filter(hazards::deadline.lt(today))
        .select(hazards::id)
        .limit(cap)
        .load(conn)?;
    Ok(i64::try_from(ids.len()).unwrap_or(cap))
}

/// The counts of the given enterprises (enterprises without a major hazard have no row).
pub fn of(conn: &mut DbConn, enterprise_ids: &[String]) -> QueryResult<Vec<HazardStatsRow>> {
    hazard_stats::table
        .filter(hazard_stats::enterprise_id.eq_any(enterprise_ids))
        .select(HazardStatsRow::as_select())
        .load(conn)
}

/// Open major hazards whose plan deadline (`YYYY-MM-DD`) is before `today`, per enterprise,
/// through `hazards_major_open_by_enterprise` (an index-only count).
pub fn overdue_major(
    conn: &mut DbConn,
    enterprise_ids: &[String],
    today: &str,
) -> QueryResult<Vec<(String, i64)>> {
    hazards::table
        .filter(hazards::level.eq(MAJOR))
        .filter(hazards::status.ne("closed"))
        .filter(hazards::enterprise_id.eq_any(enterprise_ids))
        .filter(hazards::deadline.lt(today))
        .group_by(hazards::enterprise_id)
        .select((hazards::enterprise_id, diesel::dsl::count_star()))
        .load(conn)
}

/// An enterprise's open major hazards, earliest deadline first (no deadline last), at most
/// `limit`, through `hazards_major_open_by_enterprise`.
pub fn open_major_of(
    conn: &mut DbConn,
    enterprise_id: &str,
    limit: i64,
) -> QueryResult<Vec<HazardRow>> {
    let mut rows: Vec<HazardRow> = hazards::table
        .filter(hazards::level.eq(MAJOR))
        .filter(hazards::status.ne("closed"))
        .filter(hazards::enterprise_id.eq(enterprise_id))
        .filter(hazards::deadline.is_not_null())
        .order((hazards::deadline.asc(), hazards::id.asc()))
        .limit(limit)
        .select(HazardRow::as_select())
        .load(conn)?;
    let room = limit - i64::try_from(rows.len()).unwrap_or(limit);
    if room > 0 {
        rows.extend(
            hazards::table
                .filter(hazards::level.eq(MAJOR))
                .filter(hazards::status.eq("registered"))
                .filter(hazards::enterprise_id.eq(enterprise_id))
                .filter(hazards::deadline.is_null())
                .order((hazards::created_at.asc(), hazards::id.asc()))
                .limit(room)
                .select(HazardRow::as_select())
                .load::<HazardRow>(conn)?,
        );
    }
    Ok(rows)
}

/// An enterprise's closed (销号) major hazards, newest registered first, at most `limit`, through
/// `hazards_by_level` read backwards.
pub fn closed_major_of(
    conn: &mut DbConn,
    enterprise_id: &str,
    limit: i64,
) -> QueryResult<Vec<HazardRow>> {
    hazards::table
        .filter(hazards::enterprise_id.eq(enterprise_id))
        .filter(hazards::level.eq(MAJOR))
        .filter(hazards::status.eq("closed"))
        .order((hazards::created_at.desc(), hazards::id.desc()))
        .limit(limit)
        .select(HazardRow::as_select())
        .load(conn)
}

/// Recomputes every row from the ledger (a full scan: for a repair or a bulk load, never on a
/// request path). Same statements as the migrations' backfills.
pub fn rebuild(conn: &mut DbConn) -> QueryResult<()> {
    let pg = is_postgres(conn);
    let secs = if pg {
        "CAST(EXTRACT(EPOCH FROM (closed_at - created_at)) AS BIGINT)"
    } else {
        "CAST(strftime('%s', closed_at) AS INTEGER) - CAST(strftime('%s', created_at) AS INTEGER)"
    };
    let month = |col: &str| {
        if pg {
            format!("to_char({col} + INTERVAL '8 hours', 'YYYY-MM')")
        } else {
            format!("strftime('%Y-%m', {col}, '+8 hours')")
        }
    };
    diesel::sql_query("DELETE FROM hazard_months").execute(conn)?;
    diesel::sql_query(format!(
        "INSERT INTO hazard_months \
         (enterprise_id, month, level, area_id, registered, closed, closed_seconds) \
         SELECT enterprise_id, month, level, area_id, \
         SUM(registered), SUM(closed), SUM(closed_seconds) FROM ( \
         SELECT enterprise_id, {reg} AS month, level, COALESCE(area_id, '') AS area_id, \
         1 AS registered, 0 AS closed, 0 AS closed_seconds FROM hazards \
         UNION ALL \
         SELECT enterprise_id, {clo}, level, COALESCE(area_id, ''), 0, 1, {secs} \
         FROM hazards WHERE closed_at IS NOT NULL) AS t \
         GROUP BY enterprise_id, month, level, area_id",
        reg = month("created_at"),
        clo = month("closed_at"),
    ))
    .execute(conn)?;
    diesel::sql_query("DELETE FROM hazard_stats").execute(conn)?;
    diesel::sql_query(format!(
        "INSERT INTO hazard_stats (enterprise_id, open_major, closed_major, closed_major_seconds) \
         SELECT enterprise_id, \
         SUM(CASE WHEN status <> 'closed' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), \
         COALESCE(SUM(CASE WHEN status = 'closed' THEN {secs} END), 0) \
         FROM hazards WHERE level = 'major' GROUP BY enterprise_id"
    ))
    .execute(conn)?;
    Ok(())
}
