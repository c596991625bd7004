//! Rows of `users` and `refresh_tokens`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::pagination::{Cursor, PageRequest, Side, beyond};
use super::schema::{refresh_tokens, users};

/// A user as stored. Personal details are sealed in `personal_sealed`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    /// Id (UUID text).
    pub id: String,
    /// Login name (lower case).
    pub username: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Role name.
    pub role: String,
    /// Enterprise of an enterprise-scoped role.
    pub enterprise_id: Option<String>,
    /// Jurisdiction of a bureau officer.
    pub jurisdiction: Option<String>,
    /// Sealed display name, employee number and phone.
    pub personal_sealed: Vec<u8>,
    /// Whether the account may log in.
    pub active: bool,
    /// Creation time (UTC).
    pub created_at: NaiveDateTime,
    /// Moves on whenever the user's tokens must stop working at once (deactivation, password
    /// change or reset); access tokens carry the epoch they were issued in.
    pub token_epoch: i64,
    /// Set by an admin's password reset: until the user picks a new password, every route but
    /// the password change refuses them.
    pub must_change_password: bool,
}

/// What the auth extractor needs to know about a token's user on every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct AuthState {
    /// Whether the account may act at all.
    pub active: bool,
    /// The user's current token epoch.
    pub token_epoch: i64,
    /// Whether the user must change their password first.
    pub must_change_password: bool,
}

/// The state of a user's tokens, one primary-key lookup (the auth extractor's only query).
pub fn auth_state(conn: &mut DbConn, id: &str) -> QueryResult<Option<AuthState>> {
    users::table
        .find(id)
        .select(AuthState::as_select())
        .first(conn)
        .optional()
}

/// Activates or deactivates a user and moves their token epoch on (so a deactivation ends
/// every token at once). Returns whether the row existed.
pub fn set_active(conn: &mut DbConn, id: &str, active: bool) -> QueryResult<bool> {
    let n = diesel::update(users::table.find(id))
        .set((
            users::active.eq(active),
            users::token_epoch.eq(users::token_epoch + 1),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Stores a new password hash, sets or clears the forced change, and moves the token epoch on.
pub fn set_password(
    conn: &mut DbConn,
    id: &str,
    password_hash: &str,
    must_change: bool,
) -> QueryResult<bool> {
    let n = diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::must_change_password.eq(must_change),
            users::token_epoch.eq(users::token_epoch + 1),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The id and sealed details of every user of an enterprise.
pub fn sealed_of_enterprise(
    conn: &mut DbConn,
    enterprise_id: &str,
) -> QueryResult<Vec<(String, Vec<u8>)>> {
    users::table
        .filter(users::enterprise_id.eq(enterprise_id))
        .select((users::id, users::personal_sealed))
        .load(conn)
}

/// Active admins other than `except`.
pub fn count_other_active_admins(conn: &mut DbConn, except: &str) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq("admin"))
        .filter(users::active.eq(true))
        .filter(users::id.ne(except))
        .count()
        .get_result(conn)
}

/// Serialises changes to who is an active admin on PostgreSQL (SQLite's `BEGIN IMMEDIATE`
/// already serialises every writer): two admins deactivating each other at once must not
/// leave the platform with none.
pub fn lock_admins(conn: &mut DbConn) -> QueryResult<()> {
    if super::conn::is_postgres(conn) {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('qingling.admins'))::text")
            .execute(conn)?;
    }
    Ok(())
}

/// Revokes every live refresh token of a user (all their logins).
pub fn revoke_all_refresh(
    conn: &mut DbConn,
    user_id: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(at))
    .execute(conn)
}

impl UserRow {
    /// Position for keyset pagination.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            created_at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// Inserts a user.
pub fn insert(conn: &mut DbConn, row: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Finds a user by login name.
pub fn find_by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Finds a user by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// One page of users, newest first, optionally of one enterprise.
pub fn list(
    conn: &mut DbConn,
    enterprise_id: Option<&str>,
    page: &PageRequest,
) -> QueryResult<Vec<UserRow>> {
    let mut q = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(e) = enterprise_id {
        q = q.filter(users::enterprise_id.eq(e.to_owned()));
    }
    if let Some(c) = &page.after {
        q = q.filter(beyond("users", Side::Before, c));
    }
    q.order((users::created_at.desc(), users::id.desc()))
        .limit(page.limit + 1)
        .load(conn)
}

/// A refresh token as stored (only its hash). Its times are whole UTC hours (created rounded
/// down, expiry rounded up, use and revocation rounded down), so a dump cannot line a worker's
/// token use up with a report's submission to the second.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    /// Id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// All tokens descended from one login share a family; reuse revokes the family.
    pub family_id: String,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Expiry (UTC).
    pub expires_at: NaiveDateTime,
    /// When it was exchanged for a new pair.
    pub used_at: Option<NaiveDateTime>,
    /// When its family was revoked.
    pub revoked_at: Option<NaiveDateTime>,
    /// Creation time (UTC).
    pub created_at: NaiveDateTime,
}

/// Stores a new refresh token.
pub fn insert_refresh(conn: &mut DbConn, row: &RefreshTokenRow) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Finds a refresh token by hash.
pub fn find_refresh(conn: &mut DbConn, hash: &str) -> QueryResult<Option<RefreshTokenRow>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a token used, only if it is still unused and unrevoked. Returns whether this call won:
/// two concurrent refreshes with the same token cannot both succeed.
pub fn mark_refresh_used(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(at))
    .execute(conn)?;
    Ok(n == 1)
}

/// Deletes every refresh token that has expired: a spent token is kept only while it could
/// still be presented, for reuse detection, and then nothing of it remains.
pub fn prune_refresh(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.le(now))).execute(conn)
}

/// Counts a login of a user on a day (`YYYY-MM-DD`, China Standard Time): the only trace a
/// login leaves besides its refresh token.
pub fn count_login(conn: &mut DbConn, user_id: &str, day: &str) -> QueryResult<()> {
    use super::schema::login_days as l;
    let bump = |conn: &mut DbConn| {
        diesel::update(l::table.find((user_id, day)))
            .set(l::logins.eq(l::logins + 1))
            .execute(conn)
    };
    if bump(conn)? == 1 {
        return Ok(());
    }
    // No upsert over MultiConnection: insert in a savepoint, and count again if a concurrent
    // login of the same user inserted the row first.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(l::table)
            .values((l::user_id.eq(user_id), l::day.eq(day), l::logins.eq(1i64)))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(()),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => bump(conn).map(drop),
        Err(e) => Err(e),
    }
}

/// Logins of a user per day, newest first.
pub fn login_days(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<(String, i64)>> {
    use super::schema::login_days as l;
    l::table
        .filter(l::user_id.eq(user_id))
        .order(l::day.desc())
        .select((l::day, l::logins))
        .load(conn)
}

/// Revokes every token of a family.
pub fn revoke_family(conn: &mut DbConn, family_id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(at))
    .execute(conn)
}
