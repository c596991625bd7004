//! Liveness, readiness and metrics.

use actix_web::{HttpRequest, HttpResponse, get, web};
use diesel::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::error::{AppError, ErrorCode};

/// Health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "ops", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The process can reach its database.
#[utoipa::path(tag = "ops", responses((status = 200, body = Health), (status = 503, body = crate::http::problem::Problem)))]
#[get("/readyz")]
pub async fn readyz(ctx: web::Data<AppContext>) -> Result<web::Json<Health>, AppError> {
    ctx.db(|conn| {
        diesel::sql_query("SELECT 1")
            .execute(conn)
            .map_err(|e| AppError {
                source: Some(e.into()),
                ..AppError::new(ErrorCode::Unavailable)
            })
    })
    .await?;
    Ok(web::Json(Health { status: "ok" }))
}

/// Prometheus text exposition, for the bearer of `QINGLING_METRICS_TOKEN` only. Without that
/// token configured, or with a wrong one, the answer is the same 404 as for an unknown route:
/// request counts by route and status tell an outsider when reports are being made.
#[utoipa::path(tag = "ops", security(("bearer" = [])), responses(
    (status = 200, content_type = "text/plain", body = String),
    (status = 404, body = crate::http::problem::Problem)))]
#[get("/metrics")]
pub async fn metrics(
    ctx: web::Data<AppContext>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    use secrecy::ExposeSecret as _;
    let presented = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let allowed = match (&ctx.settings.metrics_token, presented) {
        (Some(token), Some(p)) => {
            qingling_crypto::constant_time_eq(token.expose_secret().as_bytes(), p.as_bytes())
        }
        _ => false,
    };
    if !allowed {
        return Err(AppError::new(ErrorCode::RouteNotFound));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(ctx.metrics.render()))
}
