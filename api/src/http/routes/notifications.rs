//! Notification channels of an enterprise (its principal or an admin) and of a jurisdiction
//! (admins): `GET` shows them masked, `PUT` replaces them.

use actix_web::{get, put, web};

use crate::context::AppContext;
use crate::error::AppError;
use crate::http::extract::AuthUser;
use crate::http::problem::Problem;
use crate::services::notifications::{self, ChannelsRequest, ChannelsView};

/// The enterprise's notification channels, with URLs masked and the DingTalk secret hidden.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = ChannelsView), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/enterprises/{id}/notifications")]
pub async fn get_enterprise_notifications(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<ChannelsView>, AppError> {
    notifications::get_channels(&ctx, &user.0, "enterprise", id.into_inner())
        .await
        .map(web::Json)
}

/// Replaces the enterprise's notification channels (its principal, or an admin): a WeCom group
/// robot, a DingTalk group robot with its 加签 secret, e-mail addresses. A field left out or
/// empty removes that channel.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = String, Path)), request_body = ChannelsRequest, responses(
    (status = 200, body = ChannelsView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[put("/enterprises/{id}/notifications")]
pub async fn put_enterprise_notifications(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<ChannelsRequest>,
) -> Result<web::Json<ChannelsView>, AppError> {
    notifications::put_channels(
        &ctx,
        &user.0,
        "enterprise",
        id.into_inner(),
        body.into_inner(),
    )
    .await
    .map(web::Json)
}

/// The bureau's notification channels for a jurisdiction (`jb` or `jb/town`; admins).
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("path" = String, Path, description = "jurisdiction path, slashes included")), responses(
    (status = 200, body = ChannelsView), (status = 400, body = Problem), (status = 403, body = Problem)))]
#[get("/jurisdictions/{path:.+}/notifications")]
pub async fn get_jurisdiction_notifications(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<web::Json<ChannelsView>, AppError> {
    notifications::get_channels(&ctx, &user.0, "jurisdiction", path.into_inner())
        .await
        .map(web::Json)
}

/// Replaces the bureau's notification channels for a jurisdiction (admins). Messages about an
/// enterprise go to its jurisdiction and every jurisdiction above it.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("path" = String, Path, description = "jurisdiction path, slashes included")), request_body = ChannelsRequest, responses(
    (status = 200, body = ChannelsView), (status = 400, body = Problem), (status = 403, body = Problem)))]
#[put("/jurisdictions/{path:.+}/notifications")]
pub async fn put_jurisdiction_notifications(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<ChannelsRequest>,
) -> Result<web::Json<ChannelsView>, AppError> {
    notifications::put_channels(
        &ctx,
        &user.0,
        "jurisdiction",
        path.into_inner(),
        body.into_inner(),
    )
    .await
    .map(web::Json)
}
