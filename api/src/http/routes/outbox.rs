//! Admin routes over the webhook outbox's dead letters.

use actix_web::{HttpResponse, get, post, web};

use crate::context::AppContext;
use crate::error::AppError;
use crate::http::extract::AuthUser;
use crate::http::problem::Problem;
use crate::services::admin::PageQuery;
use crate::services::outbox::{self, OutboxPage};

/// Events that could not be delivered after the configured attempts.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(PageQuery), responses(
    (status = 200, body = OutboxPage), (status = 403, body = Problem)))]
#[get("/admin/outbox/dead")]
pub async fn list_dead_letters(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<PageQuery>,
) -> Result<web::Json<OutboxPage>, AppError> {
    outbox::list_dead(&ctx, &user.0, q.into_inner())
        .await
        .map(web::Json)
}

/// Queue a dead letter again with fresh attempts.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[post("/admin/outbox/{id}/retry")]
pub async fn retry_dead_letter(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    outbox::retry(&ctx, &user.0, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
