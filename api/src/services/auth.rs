//! Logging in, refreshing and logging out.
//!
//! Refresh tokens rotate: each use returns a new pair and spends the old token. A spent token
//! presented again means it was stolen (or the client is confused): the whole family descended
//! from that login is revoked, so the thief's copy dies with the victim's.

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

/// Stores a new refresh token in `family` and signs an access token.
fn issue_pair(
    ctx: &AppContext,
    conn: &mut DbConn,
    actor: &Actor,
    family: &str,
) -> AppResult<TokenPair> {
    let refresh = new_refresh_token();
    let now = time::now();
    let ttl =
        chrono::Duration::from_std(ctx.settings.refresh_token_ttl).map_err(AppError::internal)?;
    users::insert_refresh(
        conn,
        &RefreshTokenRow {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: actor.user_id.clone(),
            family_id: family.to_owned(),
            token_hash: hash_refresh(&refresh),
            expires_at: now + ttl,
            used_at: None,
            revoked_at: None,
            created_at: now,
        },
    )?;
    Ok(TokenPair {
        access_token: ctx.tokens.issue(actor)?,
        refresh_token: refresh,
        token_type: "Bearer",
        expires_in: ctx.tokens.ttl_secs(),
    })
}

/// Logs a user in. Unknown user, wrong password and inactive account answer alike, after the
/// same Argon2 work; attempts are limited per account and per client.
pub async fn login(
    ctx: &AppContext,
    req: LoginRequest,
    client: Option<IpAddr>,
) -> AppResult<TokenPair> {
    let username = req.username.trim().to_ascii_lowercase();
    // Both budgets are spent on every attempt, whichever is exhausted.
    let account_ok = ctx
        .limits
        .allow(limits::LOGIN_PER_ACCOUNT, Subject::Account(&username))
        .await;
    let client_ok = ctx
        .limits
        .allow(limits::LOGIN_PER_CLIENT, Subject::Client(client))
        .await;
    if !(account_ok && client_ok) {
        return Err(AppError::new(ErrorCode::RateLimited));
    }
    let lookup = username.clone();
    let user = ctx
        .db(move |conn| Ok(users::find_by_username(conn, &lookup)?))
        .await?;
    let password = req.password;
    let user = ctx
        .cpu(move || {
            Ok(match user {
                Some(u) if passwords::verify(&password, &u.password_hash) => Some(u),
                Some(_) => None,
                None => {
                    passwords::verify_dummy(&password);
                    None
                }
            })
        })
        .await?;
    let Some(user) = user.filter(|u| u.active) else {
        tracing::info!("login failed");
        return Err(AppError::new(ErrorCode::InvalidCredentials));
    };
    let actor = actor_of(&user)?;
    let ctx2 = ctx.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            let family = uuid::Uuid::new_v4().to_string();
            let pair = issue_pair(&ctx2, conn, &actor, &family)?;
            audit::record(
                conn,
                Some(&actor),
                "auth.login",
                "user",
                Some(&actor.user_id),
                serde_json::json!({}),
            )?;
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
                let spent = token.used_at.is_some() || token.revoked_at.is_some();
                if spent || !users::mark_refresh_used(conn, &token.id, now)? {
                    if token.revoked_at.is_none() {
                        users::revoke_family(conn, &token.family_id, now)?;
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
                let actor = actor_of(&user)?;
                issue_pair(&ctx2, conn, &actor, &token.family_id).map(RefreshOutcome::Issued)
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
                users::revoke_family(conn, &token.family_id, time::now())?;
                audit::record(
                    conn,
                    None,
                    "auth.logout",
                    "user",
                    Some(&token.user_id),
                    serde_json::json!({}),
                )?;
            }
            Ok(())
        })
    })
    .await
}
