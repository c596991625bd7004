//! Cross-site request forgery: every state-changing request to the console must come from the
//! console's own origin (`Origin`, or `Referer` when a browser sends no `Origin`) and carry the
//! session's CSRF token. The token is HMAC-SHA256 of the session id under a key derived from the
//! master key (label `console-csrf`): bound to the session, nothing stored, and useless with
//! another session's cookie.
//!
//! Both checks matter: a page on another port of the same host is *same-site*, so the
//! `SameSite=Strict` cookie goes along with its post, and only the origin check and the token
//! stop it.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HOST, ORIGIN, REFERER};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, ResponseError, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::future::LocalBoxFuture;
use hmac::{Hmac, Mac};
use qingling_api::services::sessions::SessionId;
use qingling_api::{AppContext, AppError, AppResult, ErrorCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

use crate::error::ConsoleError;
use crate::messages::Lang;
use crate::session::{SignedInUser, context};

const KEY_LABEL: &str = "console-csrf";

/// Largest urlencoded form body the console accepts.
pub const FORM_LIMIT: usize = 64 * 1024;

fn mac(ctx: &AppContext, id: &SessionId) -> AppResult<Hmac<Sha256>> {
    let keys = &ctx.keys;
    let key = keys
        .derive_platform_key(keys.index_key_version(), KEY_LABEL)
        .map_err(AppError::internal)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.expose_secret()).map_err(AppError::internal)?;
    mac.update(id.as_str().as_bytes());
    Ok(mac)
}

/// The CSRF token of a session.
pub fn token_for(ctx: &AppContext, id: &SessionId) -> AppResult<String> {
    Ok(URL_SAFE_NO_PAD.encode(mac(ctx, id)?.finalize().into_bytes()))
}

/// Whether `submitted` is the session's token (compared in constant time).
pub fn is_valid(ctx: &AppContext, id: &SessionId, submitted: &str) -> bool {
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(submitted.trim()) else {
        return false;
    };
    mac(ctx, id).is_ok_and(|m| m.verify_slice(&bytes).is_ok())
}

/// The `host[:port]` of an origin or URL (`http://127.0.0.1:8080/x` → `127.0.0.1:8080`).
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// Whether the request says it comes from a page of this host: `Origin` (or, without one,
/// `Referer`) names the host the request was sent to. A request naming neither is refused:
/// every browser sends `Origin` with a form post.
pub fn same_origin(req: &HttpRequest) -> bool {
    let host = req
        .headers()
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_owned()));
    let Some(host) = host else {
        return false;
    };
    let from = req
        .headers()
        .get(ORIGIN)
        .or_else(|| req.headers().get(REFERER))
        .and_then(|v| v.to_str().ok());
    from.and_then(authority)
        .is_some_and(|a| a.eq_ignore_ascii_case(&host))
}

/// Middleware on the console's scope: a state-changing request from another origin is
/// refused with 403 before any handler runs.
pub async fn origin_guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !same_origin(req.request()) {
        tracing::info!("console: cross-origin post refused");
        let lang = Lang::of(req.request());
        let res = ConsoleError::CrossSite(lang).error_response();
        return Ok(req.into_response(res));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[derive(Deserialize)]
struct TokenField {
    #[serde(default)]
    csrf: String,
}

/// A form post of a signed-in user whose CSRF token checked out: take it as a handler argument
/// instead of `web::Form<T>`. `T` reads the urlencoded body (repeated keys into a `Vec`, as for
/// a group of checkboxes) and may ignore the `csrf` field.
#[derive(Debug)]
pub struct Posted<T> {
    /// Who posted.
    pub user: SignedInUser,
    /// What they posted.
    pub form: T,
}

/// Reads a form body into `T` with a problem that never echoes what was sent.
pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    serde_html_form::from_bytes(body).map_err(|_| {
        AppError::new(ErrorCode::ValidationFailed).detail(
            "表单内容不完整或格式不对",
            "the form is incomplete or malformed",
        )
    })
}

/// Checks a submitted token against the user's session.
pub fn check(ctx: &AppContext, user: &SignedInUser, submitted: &str) -> Result<(), ConsoleError> {
    if is_valid(ctx, &user.session, submitted) {
        Ok(())
    } else {
        tracing::info!("console: post without a valid CSRF token refused");
        Err(ConsoleError::CrossSite(user.lang))
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = ConsoleError;
    type Future = LocalBoxFuture<'static, Result<Self, ConsoleError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let user = SignedInUser::of(&req).await?;
            let ctx = context(&req)?;
            let body = body
                .await
                .map_err(|_| user.fail(AppError::new(ErrorCode::PayloadTooLarge)))?;
            let token: TokenField = parse_form(&body).map_err(|e| user.fail(e))?;
            check(&ctx, &user, &token.csrf)?;
            let form = parse_form(&body).map_err(|e| user.fail(e))?;
            Ok(Posted { user, form })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn a_post_from_another_port_of_the_same_host_is_not_same_origin() {
        let req = TestRequest::post()
            .insert_header((HOST, "127.0.0.1:8080"))
            .insert_header((ORIGIN, "http://127.0.0.1:9090"))
            .to_http_request();
        assert!(!same_origin(&req));
        let req = TestRequest::post()
            .insert_header((HOST, "127.0.0.1:8080"))
            .insert_header((ORIGIN, "http://127.0.0.1:8080"))
            .to_http_request();
        assert!(same_origin(&req));
    }

    #[test]
    fn referer_stands_in_for_a_missing_origin_and_neither_is_refused() {
        let req = TestRequest::post()
            .insert_header((HOST, "qingling.example"))
            .insert_header((REFERER, "https://qingling.example/console/reports?x=1"))
            .to_http_request();
        assert!(same_origin(&req));
        let req = TestRequest::post()
            .insert_header((HOST, "qingling.example"))
            .to_http_request();
        assert!(!same_origin(&req));
        let req = TestRequest::post()
            .insert_header((HOST, "qingling.example"))
            .insert_header((ORIGIN, "null"))
            .to_http_request();
        assert!(!same_origin(&req));
    }
}
