//! Rows of `enterprises` and `areas`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::pagination::{Cursor, PageRequest};
use super::schema::{areas, enterprises};

/// An enterprise as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = enterprises)]
pub struct EnterpriseRow {
    /// Id (UUID text).
    pub id: String,
    /// Registered name.
    pub name: String,
    /// Unified social credit code.
    pub credit_code: String,
    /// `steel` or `nonferrous`.
    pub sector: String,
    /// Jurisdiction path.
    pub jurisdiction: String,
    /// Code on the intake poster for anonymous reports.
    pub intake_code: String,
    /// Creation time (UTC).
    pub created_at: NaiveDateTime,
}

impl EnterpriseRow {
    /// Position for keyset pagination.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            created_at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// An area of a site.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = areas)]
pub struct AreaRow {
    /// Id (UUID text).
    pub id: String,
    /// Owning enterprise.
    pub enterprise_id: String,
    /// Name, unique within the enterprise.
    pub name: String,
    /// Free description.
    pub description: String,
    /// Token printed as the area's QR code.
    pub qr_token: String,
    /// Creation time (UTC).
    pub created_at: NaiveDateTime,
}

/// Inserts an enterprise.
pub fn insert(conn: &mut DbConn, row: &EnterpriseRow) -> QueryResult<()> {
    diesel::insert_into(enterprises::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Finds an enterprise by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<EnterpriseRow>> {
    enterprises::table
        .find(id)
        .select(EnterpriseRow::as_select())
        .first(conn)
        .optional()
}

/// Finds an enterprise by its intake code.
pub fn find_by_intake_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<EnterpriseRow>> {
    enterprises::table
        .filter(enterprises::intake_code.eq(code))
        .select(EnterpriseRow::as_select())
        .first(conn)
        .optional()
}

/// Which enterprises a list may include.
#[derive(Debug, Clone)]
pub enum Scope<'a> {
    /// All of them (admin).
    All,
    /// Only this one (its own staff).
    One(&'a str),
    /// A jurisdiction and everything below it (bureau officer).
    Jurisdiction(&'a str),
}

/// One page of enterprises, newest first.
pub fn list(
    conn: &mut DbConn,
    scope: Scope<'_>,
    page: &PageRequest,
) -> QueryResult<Vec<EnterpriseRow>> {
    let mut q = enterprises::table
        .select(EnterpriseRow::as_select())
        .into_boxed();
    q = match scope {
        Scope::All => q,
        Scope::One(id) => q.filter(enterprises::id.eq(id.to_owned())),
        Scope::Jurisdiction(j) => q.filter(
            enterprises::jurisdiction
                .eq(j.to_owned())
                .or(enterprises::jurisdiction
                    .like(format!("{}/%", escape_like(j)))
                    .escape('\\')),
        ),
    };
    if let Some(c) = &page.after {
        q = q.filter(
            enterprises::created_at
                .lt(c.created_at)
                .or(enterprises::created_at
                    .eq(c.created_at)
                    .and(enterprises::id.lt(c.id.clone()))),
        );
    }
    q.order((enterprises::created_at.desc(), enterprises::id.desc()))
        .limit(page.limit + 1)
        .load(conn)
}

/// Escapes `\\`, `%` and `_` for a LIKE prefix: jurisdiction segments may contain `_`, which
/// would otherwise match any character and widen an officer's view to a neighbour's enterprises.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Finds an area by id.
pub fn find_area(conn: &mut DbConn, id: &str) -> QueryResult<Option<AreaRow>> {
    areas::table
        .find(id)
        .select(AreaRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts an area.
pub fn insert_area(conn: &mut DbConn, row: &AreaRow) -> QueryResult<()> {
    diesel::insert_into(areas::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The areas of an enterprise, by name.
pub fn list_areas(conn: &mut DbConn, enterprise_id: &str) -> QueryResult<Vec<AreaRow>> {
    areas::table
        .filter(areas::enterprise_id.eq(enterprise_id))
        .order(areas::name.asc())
        .select(AreaRow::as_select())
        .load(conn)
}

/// Counts enterprises (the demo fills only an empty database).
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    enterprises::table.count().get_result(conn)
}

/// Finds an enterprise by its unified social credit code.
pub fn find_by_credit_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<EnterpriseRow>> {
    enterprises::table
        .filter(enterprises::credit_code.eq(code))
        .select(EnterpriseRow::as_select())
        .first(conn)
        .optional()
}
