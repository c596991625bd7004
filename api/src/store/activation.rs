//! Rows of `activation_codes`: one-time codes with which a worker imported in bulk sets their
//! first password. Only a keyed hash of each code is stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::activation_codes;

/// An activation code as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = activation_codes)]
pub struct ActivationRow {
    /// The worker it activates (one live code per worker).
    pub user_id: String,
    /// Keyed hash of the code, hex.
    pub code_hash: String,
    /// The import that issued it (to print that import's slips).
    pub batch_id: String,
    /// After this the code no longer works (UTC).
    pub expires_at: NaiveDateTime,
    /// When it was used; a used code never works again.
    pub used_at: Option<NaiveDateTime>,
    /// When it was issued (UTC).
    pub created_at: NaiveDateTime,
}

/// Stores a code.
pub fn insert(conn: &mut DbConn, row: &ActivationRow) -> QueryResult<()> {
    diesel::insert_into(activation_codes::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Finds an unused code by its hash, whether or not it has expired.
pub fn find_unused(conn: &mut DbConn, code_hash: &str) -> QueryResult<Option<ActivationRow>> {
    activation_codes::table
        .filter(activation_codes::code_hash.eq(code_hash))
        .filter(activation_codes::used_at.is_null())
        .select(ActivationRow::as_select())
        .first(conn)
        .optional()
}

/// Spends a code, only if it is still unused and unexpired. Returns whether this call won, so
/// two phones racing with the same code cannot both set a password.
pub fn spend(conn: &mut DbConn, user_id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        activation_codes::table
            .filter(activation_codes::user_id.eq(user_id))
            .filter(activation_codes::used_at.is_null())
            .filter(activation_codes::expires_at.gt(now)),
    )
    .set(activation_codes::used_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}
