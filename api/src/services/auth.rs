//! Logging in, refreshing and logging out.
//!
//! Refresh tokens rotate: each use returns a new pair and spends the old token. A spent token
//! presented again means it was stolen (or the client is confused): the whole family descended
//! from that login is revoked, so the thief's copy dies with the victim's.
//!
//! What a login leaves behind is kept coarse (issue #16, item 7): token times are whole hours,
//! expired tokens are deleted at every login and refresh (a spent one is needed for reuse
//! detection only until it expires), and a login is counted per account per day
//! (`login_days`) instead of being an audit event with a microsecond time and a place in the
//! chain next to a report's submission.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::domain::{Actor, Role};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::limits::{self, Subject};
use crate::services::{audit, passwords};
use crate::store::users::{self, RefreshTokenRow, UserRow};
use crate::store::{DbConn, time, write_tx};

/// `POST /api/v1/auth/login`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginRequest(..)")
    }
}

/// `POST /api/v1/auth/refresh` and `/logout`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshRequest(..)")
    }
}

/// An access token and the refresh token that renews it.
#[derive(Serialize, ToSchema)]
pub struct TokenPair {
    /// Short-lived JWT for the `Authorization: Bearer` header.
    pub access_token: String,
    /// Single-use token for `POST /api/v1/auth/refresh`.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// An admin reset the password: every route but `POST /api/v1/auth/password` (and
    /// `GET /api/v1/me`) answers 403 `password_change_required` until the user changes it.
    pub password_change_required: bool,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenPair(..)")
    }
}

/// The actor a stored user acts as.
pub fn actor_of(user: &UserRow) -> AppResult<Actor> {
    let role = Role::parse(&user.role)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown role in the database")))?;
    Ok(Actor {
        user_id: user.id.clone(),
        role,
        enterprise_id: user.enterprise_id.clone(),
        jurisdiction: user.jurisdiction.clone(),
    })
}

fn hash_refresh(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Stores a new refresh token in `family` and signs an access token in the user's current
/// token epoch.
fn issue_pair(
    ctx: &AppContext,
    conn: &mut DbConn,
    user: &UserRow,
    family: &str,
) -> AppResult<TokenPair> {
    let actor = actor_of(user)?;
    let refresh = new_refresh_token();
    let now = time::now();
    let ttl =
        chrono::Duration::from_std(ctx.settings.refresh_token_ttl).map_err(AppError::internal)?;
    users::prune_refresh(conn, now)?;
    users::insert_refresh(
        conn,
        &RefreshTokenRow {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: actor.user_id.clone(),
            family_id: family.to_owned(),
            token_hash: hash_refresh(&refresh),
            expires_at: time::ceil_hour(now + ttl),
            used_at: None,
            revoked_at: None,
            created_at: time::floor_hour(now),
        },
    )?;
    Ok(TokenPair {
        access_token: ctx.tokens.issue(&actor, user.token_epoch)?,
        refresh_token: refresh,
        token_type: "Bearer",
        expires_in: ctx.tokens.ttl_secs(),
        password_change_required: user.must_change_password,
    })
}

/// Spends one attempt of the login budgets of `account` and of `client` (shared across
/// instances); `rate_limited` when either is exhausted. Both are spent on every attempt,
/// whichever is exhausted. Everything that checks a secret a person typed (a password, an
/// activation code) goes through here.
pub async fn spend_login_budget(
    ctx: &AppContext,
    account: &str,
    client: Option<IpAddr>,
) -> AppResult<()> {
    let account_ok = ctx
        .limits
        .allow(limits::LOGIN_PER_ACCOUNT, Subject::Account(account))
        .await;
    let client_ok = ctx
        .limits
        .allow(limits::LOGIN_PER_CLIENT, Subject::Client(client))
        .await;
    if account_ok && client_ok {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::RateLimited))
    }
}

/// Checks a username and password: the one credential check behind the API's login and the
/// console's sign-in. Unknown user, wrong password and inactive account answer alike
/// (`invalid_credentials`), after the same Argon2 work; attempts are limited per account and
/// per client (`rate_limited`).
pub async fn authenticate(
    ctx: &AppContext,
    req: LoginRequest,
    client: Option<IpAddr>,
) -> AppResult<UserRow> {
    let username = req.username.trim().to_ascii_lowercase();
    spend_login_budget(ctx, &username, client).await?;
    let lookup = username.clone();
    let user = ctx
        .db(move |conn| Ok(users::find_by_username(conn, &lookup)?))
        .await?;
    let password = req.password;
    let user = ctx
        .cpu(move || {
            Ok(match user {
                Some(u) if passwords::verify_or_dummy(&password, &u.password_hash) => Some(u),
                Some(_) => None,
                None => {
                    passwords::verify_dummy(&password);
                    None
                }
            })
        })
        .await?;
    user.filter(|u| u.active).ok_or_else(|| {
        tracing::info!("login failed");
        AppError::new(ErrorCode::InvalidCredentials)
    })
}

/// Logs a user in (see [`authenticate`]) and issues a token pair.
pub async fn login(
    ctx: &AppContext,
    req: LoginRequest,
    client: Option<IpAddr>,
) -> AppResult<TokenPair> {
    let user = authenticate(ctx, req, client).await?;
    let actor = actor_of(&user)?;
    let ctx2 = ctx.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            // Deactivated or given a new password since the password was checked: the tokens
            // would be born revoked (or outlive a deactivation through a reactivation).
            let now = users::find(conn, &user.id)?;
            if now
                .as_ref()
                .is_none_or(|u| !u.active || u.token_epoch != user.token_epoch)
            {
                return Err(AppError::new(ErrorCode::InvalidCredentials));
            }
            let family = uuid::Uuid::new_v4().to_string();
            let pair = issue_pair(&ctx2, conn, &user, &family)?;
            let day = crate::domain::ledger_sheet::beijing_date(time::now()).to_string();
            users::count_login(conn, &actor.user_id, &day)?;
            Ok(pair)
        })
    })
    .await
}

enum RefreshOutcome {
    Issued(TokenPair),
    Refused,
}

/// Exchanges a refresh token for a new pair; reuse of a spent token revokes its family.
pub async fn refresh(ctx: &AppContext, req: RefreshRequest) -> AppResult<TokenPair> {
    let hash = hash_refresh(req.refresh_token.trim());
    let ctx2 = ctx.clone();
    let outcome = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let Some(token) = users::find_refresh(conn, &hash)? else {
                    return Ok(RefreshOutcome::Refused);
                };
                let now = time::now();
                let hour = time::floor_hour(now);
                let spent = token.used_at.is_some() || token.revoked_at.is_some();
                if spent || !users::mark_refresh_used(conn, &token.id, hour)? {
                    if token.revoked_at.is_none() {
                        users::revoke_family(conn, &token.family_id, hour)?;
                        audit::record(
                            conn,
                            None,
                            "auth.refresh_reuse",
                            "user",
                            Some(&token.user_id),
                            serde_json::json!({ "family": token.family_id }),
                        )?;
                        tracing::warn!(
                            "a spent refresh token was presented; its family is revoked"
                        );
                    }
                    return Ok(RefreshOutcome::Refused);
                }
                if token.expires_at <= now {
                    return Ok(RefreshOutcome::Refused);
                }
                let user = users::find(conn, &token.user_id)?.filter(|u| u.active);
                let Some(user) = user else {
                    return Ok(RefreshOutcome::Refused);
                };
                issue_pair(&ctx2, conn, &user, &token.family_id).map(RefreshOutcome::Issued)
            })
        })
        .await?;
    match outcome {
        RefreshOutcome::Issued(pair) => Ok(pair),
        RefreshOutcome::Refused => Err(AppError::new(ErrorCode::InvalidRefreshToken)),
    }
}

/// Revokes the refresh token's family. Unknown tokens are ignored: logging out twice is fine.
pub async fn logout(ctx: &AppContext, req: RefreshRequest) -> AppResult<()> {
    let hash = hash_refresh(req.refresh_token.trim());
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            if let Some(token) = users::find_refresh(conn, &hash)? {
                users::revoke_family(conn, &token.family_id, time::floor_hour(time::now()))?;
            }
            Ok(())
        })
    })
    .await
}

/// Whether a route lets in a user who must change their password first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// Refuse them with 403 `password_change_required` (every route but a few).
    Refuse,
    /// Let them in (the password change itself, "who am I").
    Allow,
}

/// The rule for a token (or a console session) that verified: its user must still exist, be
/// active and be in the epoch the token was issued in, else 401 as for any bad token; a user
/// waiting to replace an admin's reset is refused where `pending` says so.
pub fn judge_live(state: Option<users::AuthState>, epoch: i64, pending: Pending) -> AppResult<()> {
    match state {
        Some(s) if s.active && s.token_epoch == epoch => {
            if s.must_change_password && pending == Pending::Refuse {
                Err(AppError::new(ErrorCode::PasswordChangeRequired))
            } else {
                Ok(())
            }
        }
        _ => Err(AppError::new(ErrorCode::Unauthenticated)),
    }
}

/// Checks that a verified access token has not been revoked since it was issued: one
/// primary-key read of the user's state per request, so a deactivation or password change on
/// any instance ends the token at once, not at its expiry.
pub async fn check_live(
    ctx: &AppContext,
    verified: crate::services::tokens::Verified,
    pending: Pending,
) -> AppResult<Actor> {
    let id = verified.actor.user_id.clone();
    let state = ctx
        .db(move |conn| Ok(users::auth_state(conn, &id)?))
        .await?;
    judge_live(state, verified.epoch, pending)?;
    Ok(verified.actor)
}

/// `POST /api/v1/auth/password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password in use now (after an admin's reset: the one the admin set).
    pub current_password: String,
    /// The new password (10–128 characters).
    #[schema(min_length = 10, max_length = 128)]
    pub new_password: String,
}

impl std::fmt::Debug for ChangePasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangePasswordRequest(..)")
    }
}

/// A user changes their own password, giving the current one. Every token and session of the
/// user ends (the epoch moves on, every refresh token is revoked), and the caller gets a fresh
/// pair so this device stays signed in. Wrong current passwords are limited like logins.
pub async fn change_password(
    ctx: &AppContext,
    actor: &Actor,
    req: ChangePasswordRequest,
    client: Option<IpAddr>,
) -> AppResult<TokenPair> {
    let ctx2 = ctx.clone();
    change_password_then(ctx, actor, req, client, move |conn, user| {
        issue_pair(&ctx2, conn, user, &uuid::Uuid::new_v4().to_string())
    })
    .await
}

/// The password change itself, for the API (a fresh token pair) and the console (a fresh
/// session): checks the current password, stores the new one, ends every token and session of
/// the user, and then runs `then` in the same transaction with the updated user, so the
/// caller's one new credential is the only one left.
pub async fn change_password_then<T: Send + 'static>(
    ctx: &AppContext,
    actor: &Actor,
    req: ChangePasswordRequest,
    client: Option<IpAddr>,
    then: impl FnOnce(&mut DbConn, &UserRow) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let new = crate::domain::inputs::NewPassword::parse(&req.new_password)
        .map_err(|e| rename_field(e, "new_password"))?;
    let id = actor.user_id.clone();
    let user = ctx
        .db(move |conn| users::find(conn, &id)?.ok_or_else(AppError::not_found))
        .await?;
    spend_login_budget(ctx, &user.username, client).await?;
    let current = req.current_password;
    let stored = user.password_hash.clone();
    let hash = ctx
        .cpu(move || {
            if !passwords::verify_or_dummy(&current, &stored) {
                return Err(AppError::new(ErrorCode::CurrentPasswordWrong));
            }
            passwords::hash(new.expose())
        })
        .await?;
    let actor = actor.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            // The password checked above must still be the one stored (no reset in between).
            let fresh = users::find(conn, &user.id)?.ok_or_else(AppError::not_found)?;
            if fresh.password_hash != user.password_hash || !fresh.active {
                return Err(AppError::new(ErrorCode::CurrentPasswordWrong));
            }
            users::set_password(conn, &user.id, &hash, false)?;
            crate::services::accounts::end_tokens(conn, &user.id)?;
            audit::record(
                conn,
                Some(&actor),
                "auth.password_change",
                "user",
                Some(&user.id),
                serde_json::json!({}),
            )?;
            let user = users::find(conn, &user.id)?.ok_or_else(AppError::not_found)?;
            then(conn, &user)
        })
    })
    .await
}

/// A password problem reported under the request's own field name.
fn rename_field(mut e: AppError, field: &str) -> AppError {
    for f in &mut e.fields {
        f.0 = field.to_owned();
    }
    e
}
