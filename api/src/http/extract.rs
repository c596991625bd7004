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
use crate::services::limits::{INTAKE_LOOKUP, Limit, RECEIPT_LOOKUP, Subject};

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

/// The client's address: the connecting peer's, or — when the peer is one of
/// `QINGLING_TRUSTED_PROXIES` — the one that proxy saw, from `X-Forwarded-For`. From any other
/// peer the header is ignored, since a client can write anything there.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequest for ClientAddr {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trusted = req
            .app_data::<web::Data<AppContext>>()
            .map(|ctx| ctx.settings.trusted_proxies.as_slice())
            .unwrap_or_default();
        ready(Ok(ClientAddr(client_addr(req, trusted))))
    }
}

/// The client address of `req` given the trusted proxies: the peer, unless it is trusted; then
/// `X-Forwarded-For` is read from the right (the entry the nearest proxy appended) past every
/// trusted proxy to the first address that is not one. An entry that is not an address ends
/// the walk at the last trusted hop, so a mangled header cannot name an arbitrary client.
pub fn client_addr(req: &HttpRequest, trusted: &[ipnet::IpNet]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip().to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let entries: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Some(ip) = parse_forwarded(entry) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// An `X-Forwarded-For` entry: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:80`.
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<std::net::SocketAddr>().map(|a| a.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// Proof that the connecting client may try one more receipt code: every route that looks a
/// report up by its receipt code takes this, so guessing codes through any of them spends the
/// same per-client allowance (429 `rate_limited` when it is used up), counted across instances.
#[derive(Debug, Clone, Copy)]
pub struct ReceiptAttempt;

impl FromRequest for ReceiptAttempt {
    type Error = AppError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        spend(req, RECEIPT_LOOKUP, ReceiptAttempt)
    }
}

/// Proof that the connecting client may look up one more intake code (`POST /m/v1/intake`);
/// 429 `rate_limited` past `QINGLING_INTAKE_LIMIT_PER_CLIENT` a minute, counted across
/// instances, by the client address the trusted-proxy rule gives.
#[derive(Debug, Clone, Copy)]
pub struct IntakeAttempt;

impl FromRequest for IntakeAttempt {
    type Error = AppError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        spend(req, INTAKE_LOOKUP, IntakeAttempt)
    }
}

/// Counts one attempt of `limit` against the request's client address; `proof` when allowed.
fn spend<T: 'static>(
    req: &HttpRequest,
    limit: Limit,
    proof: T,
) -> futures_util::future::LocalBoxFuture<'static, Result<T, AppError>> {
    let ctx = req.app_data::<web::Data<AppContext>>().cloned();
    let client = ctx
        .as_ref()
        .and_then(|c| client_addr(req, &c.settings.trusted_proxies));
    Box::pin(async move {
        let ctx =
            ctx.ok_or_else(|| AppError::internal(anyhow::anyhow!("no application context")))?;
        if ctx.limits.allow(limit, Subject::Client(client)).await {
            Ok(proof)
        } else {
            Err(AppError::new(ErrorCode::RateLimited))
        }
    })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn nets(list: &[&str]) -> Vec<ipnet::IpNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn from(peer: &str, xff: &[&str]) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(peer.parse().unwrap());
        for h in xff {
            r = r.append_header(("X-Forwarded-For", *h));
        }
        r.to_http_request()
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_header_is_ignored_from_an_untrusted_peer() {
        let trusted = nets(&["10.0.0.0/8"]);
        let r = from("203.0.113.9:5000", &["198.51.100.1"]);
        assert_eq!(client_addr(&r, &trusted), ip("203.0.113.9"));
        assert_eq!(client_addr(&r, &[]), ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_a_spoofed_prefix_is_skipped() {
        let trusted = nets(&["10.0.0.0/8", "192.168.0.1/32"]);
        // The client wrote "1.1.1.1" itself; the edge proxy appended the real peer.
        let r = from("10.0.0.2:443", &["1.1.1.1, 198.51.100.7"]);
        assert_eq!(client_addr(&r, &trusted), ip("198.51.100.7"));
        // Two proxies in a row, over two header lines.
        let r = from("10.0.0.2:443", &["198.51.100.7", "192.168.0.1"]);
        assert_eq!(client_addr(&r, &trusted), ip("198.51.100.7"));
        // With ports and brackets.
        let r = from("10.0.0.2:443", &["[2001:db8::7]:1234"]);
        assert_eq!(client_addr(&r, &trusted), ip("2001:db8::7"));
        let r = from("10.0.0.2:443", &["198.51.100.7:80"]);
        assert_eq!(client_addr(&r, &trusted), ip("198.51.100.7"));
    }

    #[test]
    fn a_mangled_or_missing_header_stops_at_the_last_trusted_hop() {
        let trusted = nets(&["10.0.0.0/8"]);
        let r = from("10.0.0.2:443", &["198.51.100.7, not-an-ip"]);
        assert_eq!(client_addr(&r, &trusted), ip("10.0.0.2"));
        let r = from("10.0.0.2:443", &[]);
        assert_eq!(client_addr(&r, &trusted), ip("10.0.0.2"));
        let r = from("10.0.0.2:443", &["10.1.1.1, 10.2.2.2"]);
        assert_eq!(
            client_addr(&r, &trusted),
            ip("10.1.1.1"),
            "all trusted: the farthest"
        );
    }
}
