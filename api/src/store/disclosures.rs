//! Rows of `disclosures`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::pagination::{Cursor, PageRequest};
use super::schema::disclosures;

/// A disclosure request as stored (it holds no identity: that stays sealed on the report).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = disclosures)]
pub struct DisclosureRow {
    /// Id.
    pub id: String,
    /// Enterprise of the report.
    pub enterprise_id: String,
    /// The report whose reporter would be disclosed.
    pub report_id: String,
    /// The custodian who asked.
    pub requested_by: String,
    /// Their written reason.
    pub reason: String,
    /// `requested`, `approved`, `refused` or `opened`.
    pub status: String,
    /// The second custodian.
    pub decided_by: Option<String>,
    /// When they decided.
    pub decided_at: Option<NaiveDateTime>,
    /// When the requester opened the identity.
    pub opened_at: Option<NaiveDateTime>,
    /// When asked.
    pub created_at: NaiveDateTime,
}

impl DisclosureRow {
    /// Position for keyset pagination.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            created_at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// Inserts a request.
pub fn insert(conn: &mut DbConn, row: &DisclosureRow) -> QueryResult<()> {
    diesel::insert_into(disclosures::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Finds a request.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<DisclosureRow>> {
    disclosures::table
        .find(id)
        .select(DisclosureRow::as_select())
        .first(conn)
        .optional()
}

/// Every request about one report, oldest first.
pub fn of_report(conn: &mut DbConn, report_id: &str) -> QueryResult<Vec<DisclosureRow>> {
    disclosures::table
        .filter(disclosures::report_id.eq(report_id))
        .order((disclosures::created_at.asc(), disclosures::id.asc()))
        .select(DisclosureRow::as_select())
        .load(conn)
}

/// One page (`limit + 1` rows) of an enterprise's requests, optionally of one status, newest
/// first.
pub fn of_enterprise(
    conn: &mut DbConn,
    enterprise_id: &str,
    status: Option<&str>,
    page: &PageRequest,
) -> QueryResult<Vec<DisclosureRow>> {
    let mut q = disclosures::table
        .filter(disclosures::enterprise_id.eq(enterprise_id.to_owned()))
        .select(DisclosureRow::as_select())
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(disclosures::status.eq(s.to_owned()));
    }
    if let Some(c) = &page.after {
        q = q.filter(
            disclosures::created_at
                .lt(c.created_at)
                .or(disclosures::created_at
                    .eq(c.created_at)
                    .and(disclosures::id.lt(c.id.clone()))),
        );
    }
    q.order((disclosures::created_at.desc(), disclosures::id.desc()))
        .limit(page.limit + 1)
        .load(conn)
}

/// Records a decision only if the request is still `requested`.
pub fn decide(
    conn: &mut DbConn,
    id: &str,
    to: &str,
    by: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        disclosures::table
            .filter(disclosures::id.eq(id))
            .filter(disclosures::status.eq("requested")),
    )
    .set((
        disclosures::status.eq(to),
        disclosures::decided_by.eq(by),
        disclosures::decided_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Marks an approved request opened, only once.
pub fn mark_opened(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        disclosures::table
            .filter(disclosures::id.eq(id))
            .filter(disclosures::status.eq("approved")),
    )
    .set((
        disclosures::status.eq("opened"),
        disclosures::opened_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
