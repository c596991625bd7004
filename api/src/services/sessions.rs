//! Console sessions: signing in to `/console/` with a username and password (the same Argon2
//! check and login limits as `POST /api/v1/auth/login`), resuming a session on each request, and
//! ending it — on 退出, at its idle timeout or absolute lifetime, and when the user is deactivated.
//!
//! The session id is 256 random bits, held only in the browser's cookie; the database keeps
//! HMAC-SHA256 of it under a key derived from the master key (label `console-session`), so a
//! copied table cannot be replayed as cookies. Every resume re-reads the user's `active` flag,
//! so a deactivated user's open console is refused at the next request, whoever deactivated them.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::context::AppContext;
use crate::domain::Actor;
use crate::error::{AppError, AppResult};
use crate::services::audit;
use crate::services::auth::{self, LoginRequest};
use crate::store::sessions::{self, SessionRow};
use crate::store::{DbConn, time, write_tx};

/// Label of the key that hashes session ids.
const KEY_LABEL: &str = "console-session";

/// How stale `last_seen_at` may get before a request writes it again: a minute, or a quarter
/// of the idle timeout when that is shorter. The idle timeout is only as precise as this, and
/// most requests then cost no write.
fn touch_every(idle: chrono::Duration) -> chrono::Duration {
    (idle / 4).min(chrono::Duration::seconds(60))
}

/// A session id as the browser holds it. `Debug` prints nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId(..)")
    }
}

impl SessionId {
    fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Takes a cookie's value; anything that is not the shape of an id is refused up front.
    pub fn from_cookie(raw: &str) -> Option<Self> {
        let ok = raw.len() == 43
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(raw.to_owned()))
    }

    /// The value for the cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A session that is still good, and who it belongs to.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The user, as every service checks permissions against.
    pub actor: Actor,
    /// Their login name (shown in the console's header).
    pub username: String,
    /// An admin reset their password: the console asks for a new one before anything else.
    pub must_change_password: bool,
}

/// The keyed hash under which a session id is stored.
pub fn id_hash(ctx: &AppContext, id: &SessionId) -> AppResult<String> {
    let keys = &ctx.keys;
    let key = keys
        .derive_platform_key(keys.index_key_version(), KEY_LABEL)
        .map_err(AppError::internal)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.expose_secret()).map_err(AppError::internal)?;
    mac.update(id.0.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

fn duration(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Signs a user in to the console: checks the password like the API's login does (same limits,
/// same answer for every kind of failure), then opens a new session.
pub async fn sign_in(
    ctx: &AppContext,
    req: LoginRequest,
    client: Option<IpAddr>,
) -> AppResult<(SessionId, SignedIn)> {
    let user = auth::authenticate(ctx, req, client).await?;
    let actor = auth::actor_of(&user)?;
    let id = SessionId::generate();
    let hash = id_hash(ctx, &id)?;
    let settings = ctx.settings.console.clone();
    let signed_in = SignedIn {
        actor: actor.clone(),
        username: user.username,
        must_change_password: user.must_change_password,
    };
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            open(conn, &settings, &actor, hash, "console.sign_in")
        })
    })
    .await?;
    Ok((id, signed_in))
}

/// Stores a new session for `actor` (and clears their stale ones), with its audit event.
fn open(
    conn: &mut DbConn,
    settings: &crate::config::ConsoleSettings,
    actor: &Actor,
    hash: String,
    event: &str,
) -> AppResult<()> {
    let now = time::now();
    sessions::delete_stale_of_user(
        conn,
        &actor.user_id,
        now,
        now - duration(settings.idle_timeout),
    )?;
    sessions::insert(
        conn,
        &SessionRow {
            id_hash: hash,
            user_id: actor.user_id.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + duration(settings.session_lifetime),
        },
    )?;
    audit::record(
        conn,
        Some(actor),
        event,
        "user",
        Some(&actor.user_id),
        serde_json::json!({}),
    )
}

/// The console's 修改密码: the same change as `POST /api/v1/auth/password` (current password
/// required, login limits, every other session and token of the user ended), answered with a
/// fresh session for this browser, opened in the same transaction, so the person who changed it
/// stays signed in here and nowhere else.
pub async fn change_password(
    ctx: &AppContext,
    actor: &Actor,
    req: auth::ChangePasswordRequest,
    client: Option<IpAddr>,
) -> AppResult<SessionId> {
    let id = SessionId::generate();
    let hash = id_hash(ctx, &id)?;
    let settings = ctx.settings.console.clone();
    auth::change_password_then(ctx, actor, req, client, move |conn, user| {
        let actor = auth::actor_of(user)?;
        open(conn, &settings, &actor, hash, "console.sign_in")
    })
    .await?;
    Ok(id)
}

/// The session's user when the session is still good: not signed out or revoked, used within
/// the idle timeout, within its absolute lifetime, and its user still active. A session found
/// over either limit is deleted on the way.
pub async fn resume(ctx: &AppContext, id: &SessionId) -> AppResult<Option<SignedIn>> {
    let hash = id_hash(ctx, id)?;
    let settings = ctx.settings.console.clone();
    ctx.db(move |conn| {
        let Some((session, user)) = sessions::find_with_user(conn, &hash)? else {
            return Ok(None);
        };
        let now = time::now();
        let idle_timeout = duration(settings.idle_timeout);
        let idle = now - session.last_seen_at >= idle_timeout;
        if idle || now >= session.expires_at || !user.active {
            sessions::delete(conn, &hash)?;
            return Ok(None);
        }
        if now - session.last_seen_at >= touch_every(idle_timeout) {
            sessions::touch(conn, &hash, now)?;
        }
        Ok(Some(SignedIn {
            actor: auth::actor_of(&user)?,
            must_change_password: user.must_change_password,
            username: user.username,
        }))
    })
    .await
}

/// 退出: ends the session on the server, so its cookie is refused from now on even if a copy
/// of it survives somewhere.
pub async fn sign_out(ctx: &AppContext, id: &SessionId) -> AppResult<()> {
    let hash = id_hash(ctx, id)?;
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            if let Some((session, user)) = sessions::find_with_user(conn, &hash)? {
                sessions::delete(conn, &hash)?;
                let actor = auth::actor_of(&user)?;
                audit::record(
                    conn,
                    Some(&actor),
                    "console.sign_out",
                    "user",
                    Some(&session.user_id),
                    serde_json::json!({}),
                )?;
            }
            Ok(())
        })
    })
    .await
}

/// Ends every console session of a user, in the caller's transaction: call it when a user is
/// deactivated or their password changes. (A deactivated user's sessions are refused anyway,
/// since every resume checks `active`; this also removes the rows.) Returns how many ended.
pub fn revoke_sessions_of(conn: &mut DbConn, user_id: &str) -> AppResult<usize> {
    Ok(sessions::delete_of_user(conn, user_id)?)
}

#[cfg(test)]
mod tests {
    use super::SessionId;

    #[test]
    fn only_well_formed_ids_are_taken_from_a_cookie() {
        let id = SessionId::generate();
        assert_eq!(SessionId::from_cookie(id.as_str()), Some(id.clone()));
        assert!(SessionId::from_cookie("").is_none());
        assert!(SessionId::from_cookie(&"a".repeat(44)).is_none());
        assert!(SessionId::from_cookie(&format!("{}=", &id.as_str()[..42])).is_none());
        assert!(!format!("{id:?}").contains(id.as_str()));
    }
}
