//! Rows of `criteria`: the major-hazard catalog and enterprise-specific additions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::criteria;

/// A criterion as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = criteria)]
pub struct CriterionRow {
    /// Stable code (`MEM10-4-2`, or an enterprise's own).
    pub code: String,
    /// Set for an enterprise-specific criterion.
    pub enterprise_id: Option<String>,
    /// `steel`, `nonferrous` or `all`.
    pub sector: String,
    /// Where it comes from (`第4条第2项`).
    pub article: String,
    /// Chinese summary.
    pub summary_zh: String,
    /// English summary.
    pub summary_en: String,
    /// When added.
    pub created_at: NaiveDateTime,
}

/// Inserts a criterion.
pub fn insert(conn: &mut DbConn, row: &CriterionRow) -> QueryResult<()> {
    diesel::insert_into(criteria::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The criteria an enterprise (or, with `None`, anyone) may use, optionally of one sector (which
/// includes the `all` items), ordered by code.
pub fn list(
    conn: &mut DbConn,
    sector: Option<&str>,
    enterprise_id: Option<&str>,
) -> QueryResult<Vec<CriterionRow>> {
    let mut q = criteria::table
        .select(CriterionRow::as_select())
        .into_boxed();
    if let Some(s) = sector {
        q = q.filter(
            criteria::sector
                .eq(s.to_owned())
                .or(criteria::sector.eq("all")),
        );
    }
    q = match enterprise_id {
        Some(e) => q.filter(
            criteria::enterprise_id
                .is_null()
                .or(criteria::enterprise_id.eq(e.to_owned())),
        ),
        None => q.filter(criteria::enterprise_id.is_null()),
    };
    q.order(criteria::code.asc()).load(conn)
}

/// Which of `codes` an enterprise may tag a hazard with (the catalog plus its own criteria).
pub fn usable_codes(
    conn: &mut DbConn,
    codes: &[String],
    enterprise_id: &str,
) -> QueryResult<Vec<String>> {
    criteria::table
        .filter(criteria::code.eq_any(codes))
        .filter(
            criteria::enterprise_id
                .is_null()
                .or(criteria::enterprise_id.eq(enterprise_id)),
        )
        .select(criteria::code)
        .load(conn)
}
