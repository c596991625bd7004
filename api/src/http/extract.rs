//! Extractors: the authenticated user and the client address.

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::context::AppContext;
use crate::domain::Actor;
use crate::error::{AppError, ErrorCode};
use crate::services::auth::{self, Pending};

/// The user named by a valid, live `Authorization: Bearer` access token: 401 when the token is
/// missing, invalid, expired or revoked (the account deactivated, the password changed or
/// reset since it was issued), 403 `password_change_required` while an admin's reset waits to
/// be replaced by the user's own password.
#[derive(Debug, Clone)]
pub struct AuthUser(pub Actor);

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked = bearer(req, Pending::Refuse);
        Box::pin(async move { checked?.await.map(AuthUser) })
    }
}

/// Like [`AuthUser`], but also a user who must change their password first: only for the
/// routes such a user needs to do that (the password change itself, "who am I").
#[derive(Debug, Clone)]
pub struct AuthUserPendingPassword(pub Actor);

impl FromRequest for AuthUserPendingPassword {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked = bearer(req, Pending::Allow);
        Box::pin(async move { checked?.await.map(AuthUserPendingPassword) })
    }
}

/// Verifies the bearer token's signature now and returns the database check still to run.
fn bearer(
    req: &HttpRequest,
    pending: Pending,
) -> Result<LocalBoxFuture<'static, Result<Actor, AppError>>, AppError> {
    let ctx = req
        .app_data::<web::Data<AppContext>>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no application context")))?
        .clone();
    let token = bearer_token(req)?;
    let verified = ctx.tokens.verify(token)?;
    Ok(Box::pin(async move {
        auth::check_live(&ctx, verified, pending).await
    }))
}

fn bearer_token(req: &HttpRequest) -> Result<&str, AppError> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::new(ErrorCode::Unauthenticated))
}

/// The address of the connecting peer (not a forwarded header, which a client could forge).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequest for ClientAddr {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(ClientAddr(req.peer_addr().map(|a| a.ip()))))
    }
}

/// Proof that the connecting client may try one more receipt code: every route that looks a
/// report up by its receipt code takes this, so guessing codes through any of them spends the
/// same per-client allowance (429 `rate_limited` when it is used up).
#[derive(Debug, Clone, Copy)]
pub struct ReceiptAttempt;

impl FromRequest for ReceiptAttempt {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let allowed = req
            .app_data::<web::Data<AppContext>>()
            .map(|ctx| {
                ctx.phone_limits
                    .allow_receipt_lookup(req.peer_addr().map(|a| a.ip()))
            })
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no application context")));
        ready(match allowed {
            Ok(true) => Ok(ReceiptAttempt),
            Ok(false) => Err(AppError::new(ErrorCode::RateLimited)),
            Err(e) => Err(e),
        })
    }
}
