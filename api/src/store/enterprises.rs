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
        Scope::Jurisdiction(j) => {
            let (below, n) = below_prefix(j);
            q.filter(
                enterprises::jurisdiction.eq(j.to_owned()).or(substr(
                    enterprises::jurisdiction,
                    1,
                    n,
                )
                .eq(below)),
            )
        }
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

diesel::define_sql_function! {
    /// `substr(text, start, length)`, counted in characters on both SQLite and PostgreSQL.
    fn substr(text: diesel::sql_types::Text, start: diesel::sql_types::Integer, length: diesel::sql_types::Integer) -> diesel::sql_types::Text;
}

/// What "strictly below jurisdiction `j`" means in SQL: the first `n` characters equal `j/`.
///
/// Compared with `=` on a `substr`, never with `LIKE`: SQLite's `LIKE` ignores ASCII case, so
/// `anshan/%` also matched `Anshan/tiexi`, and `%`/`_` in a path would be wildcards. Equality is
/// exact on both backends, so an officer never sees a case-variant neighbour's enterprises.
pub fn below_prefix(j: &str) -> (String, i32) {
    let below = format!("{j}/");
    let n = i32::try_from(below.chars().count()).unwrap_or(i32::MAX);
    (below, n)
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
