//! Rows of `key_pins`: which master key version a one-way keyed hash family is pinned to, with
//! that version's key sealed under a loaded version.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::key_pins;

/// The pin of the blind index, receipt hashes and index-version platform keys.
pub const INDEX: &str = "index";

/// A pin as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = key_pins)]
pub struct KeyPinRow {
    /// Which family (`index`).
    pub name: String,
    /// The pinned master key version.
    pub version: i32,
    /// That version's master key, sealed under a loaded version (`Purpose::IndexKey`).
    pub sealed: Vec<u8>,
    /// When it was written or re-sealed.
    pub updated_at: NaiveDateTime,
}

/// The pin named `name`, if written.
pub fn find(conn: &mut DbConn, name: &str) -> QueryResult<Option<KeyPinRow>> {
    key_pins::table
        .find(name)
        .select(KeyPinRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the first pin; `false` when another instance wrote it first (read it then).
pub fn insert_first(conn: &mut DbConn, row: &KeyPinRow) -> QueryResult<bool> {
    let inserted =
        conn.transaction(|c| diesel::insert_into(key_pins::table).values(row).execute(c));
    match inserted {
        Ok(n) => Ok(n == 1),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Replaces the sealed copy (after a rotation), keeping the version.
pub fn reseal(conn: &mut DbConn, name: &str, sealed: &[u8], at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(key_pins::table.find(name))
        .set((key_pins::sealed.eq(sealed), key_pins::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}
