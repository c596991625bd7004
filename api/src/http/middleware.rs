//! The request envelope: a request id on every answer and log line, problem+json for every
//! error in the client's language, one log line per request, and metrics.
//!
//! Log lines carry the method, the route *pattern* and the status — never the query string, a
//! header or a body — so tokens, codes and identities cannot reach the log through here.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tracing::Instrument;

use super::problem::{self, Lang};
use crate::context::AppContext;
use crate::error::AppError;

/// The id of the current request, stored in its extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Wraps every request (install with `actix_web::middleware::from_fn(request_envelope)`).
pub async fn request_envelope(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let lang = Lang::of(req.request());
    let method = req.method().to_string();
    let ctx = req.app_data::<web::Data<AppContext>>().cloned();
    let span = tracing::info_span!("request", request_id = %request_id, method = %method);

    let res = next.call(req).instrument(span.clone()).await;
    let res = match res {
        Ok(res) => res.map_into_boxed_body(),
        // An error before a response exists (rare: most errors become responses).
        Err(err) => {
            return Err(err);
        }
    };
    let _entered = span.enter();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = res.status();

    // Log the cause once, here where the error is handled: 5xx in full (Debug prints the cause
    // chain), 4xx as a scrubbed one-liner at debug level.
    if let Some(original) = res.response().error() {
        if status.is_server_error() {
            tracing::error!(error = ?original, "request failed");
        } else {
            tracing::debug!(error = %problem::scrub_values(&original.to_string()), "request refused");
        }
    }
    // Re-render errors as problems in the client's language with the request id; turn bare
    // statuses from actix itself (no route, wrong method) into problems too. A page that
    // answered with its own HTML (the console's 403 and 404 pages) keeps it, and so does an
    // error that answers with a redirect (the console's "sign in first").
    let is_page = res
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let is_failure = status.is_client_error() || status.is_server_error();
    let replacement = match res.response().error() {
        _ if is_page || !is_failure => None,
        Some(e) => Some(match e.as_error::<AppError>() {
            Some(a) => {
                let mut copy = AppError::new(a.code);
                copy.detail = a.detail.clone();
                copy.fields = a.fields.clone();
                copy
            }
            None => problem::from_status(status),
        }),
        None if is_failure => {
            let is_problem = res
                .headers()
                .get(actix_web::http::header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
            (!is_problem).then(|| problem::from_status(status))
        }
        None => None,
    };
    let mut res = match replacement {
        Some(e) => {
            // A 405 names the methods the path takes; the re-rendered problem keeps that.
            let allow = res.headers().get(actix_web::http::header::ALLOW).cloned();
            let (req, _) = res.into_parts();
            let mut rendered = problem::render(&e, lang, Some(&request_id));
            if let Some(v) = allow {
                rendered
                    .headers_mut()
                    .insert(actix_web::http::header::ALLOW, v);
            }
            ServiceResponse::new(req, rendered)
        }
        None => res,
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), v);
    }
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    if let Some(ctx) = ctx {
        ctx.metrics.observe(&method, &route, status, elapsed);
    }
    tracing::info!(
        route = %route,
        status,
        elapsed_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    Ok(res)
}
