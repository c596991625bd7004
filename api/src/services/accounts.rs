//! The account life cycle an admin runs: deactivating and reactivating a user, and resetting a
//! password the user must then replace. Each ends the user's tokens at once by moving their
//! token epoch on and revoking every refresh token, in the same transaction as the change.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::domain::inputs::NewPassword;
use crate::domain::{Actor, Role};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::users::{UserView, view};
use crate::services::{audit, passwords};
use crate::store::users::{self, UserRow};
use crate::store::{DbConn, time, write_tx};

/// `POST /api/v1/users/{id}/password-reset`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// A temporary password (10–128 characters) to hand to the user, who must replace it at
    /// their next login.
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
}

impl std::fmt::Debug for ResetPasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResetPasswordRequest(..)")
    }
}

/// Revokes every refresh token and console session of a user. With the token epoch that the
/// change itself moved on (every access token refused on its next request), this ends
/// everything they are signed in with.
pub fn end_tokens(conn: &mut DbConn, user_id: &str) -> AppResult<()> {
    // Whole hours, like every refresh-token time (see `auth`): these rows must not time logins.
    users::revoke_all_refresh(conn, user_id, time::floor_hour(time::now()))?;
    crate::services::sessions::revoke_sessions_of(conn, user_id)?;
    Ok(())
}

fn admin_only(actor: &Actor) -> AppResult<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

fn find_user(conn: &mut DbConn, id: &str) -> AppResult<UserRow> {
    users::find(conn, id)?.ok_or_else(AppError::not_found)
}

/// Deactivates a user (admin): they cannot log in, and their access tokens, refresh tokens and
/// console sessions stop working on their next request. The last active admin cannot be
/// deactivated (by themself or anyone). Deactivating an inactive user changes nothing.
pub async fn deactivate(ctx: &AppContext, actor: &Actor, user_id: String) -> AppResult<UserView> {
    admin_only(actor)?;
    let actor = actor.clone();
    let row = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let user = find_user(conn, &user_id)?;
                if !user.active {
                    return Ok(user);
                }
                if user.role == Role::Admin.as_str() {
                    users::lock_admins(conn)?;
                    if users::count_other_active_admins(conn, &user.id)? == 0 {
                        return Err(AppError::new(ErrorCode::LastAdmin).detail(
                            "平台至少要有一个可用的管理员",
                            "the platform needs at least one active admin",
                        ));
                    }
                }
                users::set_active(conn, &user.id, false)?;
                end_tokens(conn, &user.id)?;
                audit::record(
                    conn,
                    Some(&actor),
                    "user.deactivate",
                    "user",
                    Some(&user.id),
                    serde_json::json!({}),
                )?;
                find_user(conn, &user.id)
            })
        })
        .await?;
    view(ctx, &row)
}

/// Reactivates a user (admin). Tokens from before the deactivation stay dead: the user logs in
/// again.
pub async fn reactivate(ctx: &AppContext, actor: &Actor, user_id: String) -> AppResult<UserView> {
    admin_only(actor)?;
    let actor = actor.clone();
    let row = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let user = find_user(conn, &user_id)?;
                if user.active {
                    return Ok(user);
                }
                users::set_active(conn, &user.id, true)?;
                audit::record(
                    conn,
                    Some(&actor),
                    "user.reactivate",
                    "user",
                    Some(&user.id),
                    serde_json::json!({}),
                )?;
                find_user(conn, &user.id)
            })
        })
        .await?;
    view(ctx, &row)
}

/// Resets a user's password to one the admin hands over (admin). The user's tokens end at once;
/// at their next login the answer says `password_change_required`, and every route but the
/// password change refuses them until they pick their own.
pub async fn reset_password(
    ctx: &AppContext,
    actor: &Actor,
    user_id: String,
    req: ResetPasswordRequest,
) -> AppResult<UserView> {
    admin_only(actor)?;
    let password = NewPassword::parse(&req.password)?;
    let hash = ctx.cpu(move || passwords::hash(password.expose())).await?;
    let actor = actor.clone();
    let row = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let user = find_user(conn, &user_id)?;
                users::set_password(conn, &user.id, &hash, true)?;
                end_tokens(conn, &user.id)?;
                audit::record(
                    conn,
                    Some(&actor),
                    "user.password_reset",
                    "user",
                    Some(&user.id),
                    serde_json::json!({}),
                )?;
                find_user(conn, &user.id)
            })
        })
        .await?;
    view(ctx, &row)
}
