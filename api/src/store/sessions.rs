//! Rows of `console_sessions`: a signed-in browser of the console, keyed by a keyed hash of its
//! session id (the id itself is only ever in the browser's cookie).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{console_sessions, users};
use super::users::UserRow;

/// A console session as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = console_sessions)]
pub struct SessionRow {
    /// HMAC-SHA256 of the session id (hex).
    pub id_hash: String,
    /// Who signed in.
    pub user_id: String,
    /// When they signed in.
    pub created_at: NaiveDateTime,
    /// Last request seen (to within a minute): drives the idle timeout.
    pub last_seen_at: NaiveDateTime,
    /// Absolute end of the session.
    pub expires_at: NaiveDateTime,
}

/// Inserts a session.
pub fn insert(conn: &mut DbConn, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(console_sessions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// A session and its user, by the session id's hash.
pub fn find_with_user(
    conn: &mut DbConn,
    id_hash: &str,
) -> QueryResult<Option<(SessionRow, UserRow)>> {
    console_sessions::table
        .inner_join(users::table)
        .filter(console_sessions::id_hash.eq(id_hash))
        .select((SessionRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()
}

/// Records that the session was used at `at`.
pub fn touch(conn: &mut DbConn, id_hash: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(console_sessions::table.find(id_hash))
        .set(console_sessions::last_seen_at.eq(at))
        .execute(conn)
        .map(drop)
}

/// Deletes one session; `true` when it existed.
pub fn delete(conn: &mut DbConn, id_hash: &str) -> QueryResult<bool> {
    diesel::delete(console_sessions::table.find(id_hash))
        .execute(conn)
        .map(|n| n > 0)
}

/// Deletes every session of a user; returns how many there were.
pub fn delete_of_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(console_sessions::table.filter(console_sessions::user_id.eq(user_id)))
        .execute(conn)
}

/// Deletes the user's sessions that are past their absolute end or idle since `idle_before`.
pub fn delete_stale_of_user(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
    idle_before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        console_sessions::table
            .filter(console_sessions::user_id.eq(user_id))
            .filter(
                console_sessions::expires_at
                    .le(now)
                    .or(console_sessions::last_seen_at.le(idle_before)),
            ),
    )
    .execute(conn)
}
