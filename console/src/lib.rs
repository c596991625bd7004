//! qingling-console: the browser console for enterprise staff, bureau officers and admins at
//! `/console/`, server-rendered (askama) over `qingling-api`'s services in-process — the same
//! use cases, permission checks and answers as `/api/v1`, never an HTTP call to itself.
//!
//! - [`session`]: the signed-in user (cookie → `services::sessions`), [`csrf`]: origin check and
//!   per-session tokens, [`form`]: multipart forms with photos;
//! - [`messages`]: every word, zh-CN and en; [`render`]: the frame and the response;
//! - [`pages`]: one module per area, each with its routes, view models and navigation entry.
//!
//! Every response of the scope carries the strict [`CSP`] and `frame-ancestors 'none'`, and
//! every page `Cache-Control: no-store`.

pub mod assets;
pub mod csrf;
pub mod error;
pub mod form;
pub mod labels;
pub mod messages;
pub mod pages;
pub mod render;
pub mod session;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::web;

/// The console's Content-Security-Policy: nothing but this origin's own files, no inline
/// script or style, no framing, forms posting only here. Pinned by a unit test: loosening it
/// must be a visible change.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                       connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                       base-uri 'none'";

/// Adds the console's security headers to every response of its scope.
async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let mut res = next.call(req).await?.map_into_boxed_body();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Report URLs stay within the console: another site never learns which page linked to it.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// The `/console` scope, for the binary to mount (`Sides::All` and `Sides::Staff`).
pub fn scope() -> actix_web::Scope<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    web::scope("/console")
        .app_data(web::FormConfig::default().limit(csrf::FORM_LIMIT))
        .app_data(web::PayloadConfig::default().limit(csrf::FORM_LIMIT))
        .configure(pages::configure)
        .route("/assets/{hash}/{name}", web::get().to(assets::serve))
        .wrap(from_fn(csrf::origin_guard))
        .wrap(from_fn(security_headers))
}

#[cfg(test)]
mod tests {
    use super::CSP;

    #[test]
    fn the_content_security_policy_is_strict() {
        assert_eq!(
            CSP,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        );
        assert!(!CSP.contains("unsafe"));
    }
}
