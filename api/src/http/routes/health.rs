//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, get, web};
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

/// Prometheus text exposition.
#[utoipa::path(tag = "ops", responses((status = 200, content_type = "text/plain", body = String)))]
#[get("/metrics")]
pub async fn metrics(ctx: web::Data<AppContext>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(ctx.metrics.render())
}
