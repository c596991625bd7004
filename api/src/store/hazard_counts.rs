//! Per-enterprise counts of major hazards (`hazard_stats`), kept by the hazard transitions in
//! their own transaction so the bureau's overview reads one row per enterprise instead of
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
use super::schema::{hazard_stats, hazards};

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

/// A hazard of `level` was registered for `enterprise_id`.
pub fn registered(conn: &mut DbConn, enterprise_id: &str, level: &str) -> QueryResult<()> {
    if level != MAJOR {
        return Ok(());
    }
    bump(conn, enterprise_id, 1, 0, 0)
}

/// A hazard of `level`, registered at `created_at`, was closed at `closed_at`.
pub fn closed(
    conn: &mut DbConn,
    enterprise_id: &str,
    level: &str,
    created_at: NaiveDateTime,
    closed_at: NaiveDateTime,
) -> QueryResult<()> {
    if level != MAJOR {
        return Ok(());
    }
    let secs = (closed_at - created_at).num_seconds().max(0);
    bump(conn, enterprise_id, -1, 1, secs)
}

/// Adds to an enterprise's row, creating it on first use. A concurrent first insert (possible on
/// PostgreSQL) is caught inside a savepoint, which keeps the caller's transaction usable, and
/// the update is tried again.
fn bump(
    conn: &mut DbConn,
    enterprise_id: &str,
    open: i64,
    closed: i64,
    secs: i64,
) -> QueryResult<()> {
    for _ in 0..2 {
        let n = diesel::update(hazard_stats::table.find(enterprise_id))
            .set((
                hazard_stats::open_major.eq(hazard_stats::open_major + open),
                hazard_stats::closed_major.eq(hazard_stats::closed_major + closed),
                hazard_stats::closed_major_seconds.eq(hazard_stats::closed_major_seconds + secs),
            ))
            .execute(conn)?;
        if n == 1 {
            return Ok(());
        }
        let inserted = conn.transaction(|c| {
            diesel::insert_into(hazard_stats::table)
                .values((
                    hazard_stats::enterprise_id.eq(enterprise_id),
                    hazard_stats::open_major.eq(open),
                    hazard_stats::closed_major.eq(closed),
                    hazard_stats::closed_major_seconds.eq(secs),
                ))
                .execute(c)
        });
        match inserted {
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

/// Recomputes every row from the ledger (a full scan: for a repair or a bulk load, never on a
/// request path). Same statement as the migration's backfill.
pub fn rebuild(conn: &mut DbConn) -> QueryResult<()> {
    let secs = if is_postgres(conn) {
        "CAST(EXTRACT(EPOCH FROM (closed_at - created_at)) AS BIGINT)"
    } else {
        "CAST(strftime('%s', closed_at) AS INTEGER) - CAST(strftime('%s', created_at) AS INTEGER)"
    };
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
