//! `/api/v1/auth/*`.

use actix_web::{HttpResponse, post, web};

use crate::context::AppContext;
use crate::error::AppError;
use crate::http::extract::{AuthUserPendingPassword, ClientAddr};
use crate::http::problem::Problem;
use crate::services::auth::{self, ChangePasswordRequest, LoginRequest, RefreshRequest, TokenPair};

/// Log in with a username and password.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = TokenPair),
    (status = 401, description = "wrong username or password (the same either way)", body = Problem),
    (status = 429, description = "too many attempts", body = Problem)))]
#[post("/auth/login")]
pub async fn login(
    ctx: web::Data<AppContext>,
    client: ClientAddr,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<TokenPair>, AppError> {
    auth::login(&ctx, body.into_inner(), client.0)
        .await
        .map(web::Json)
}

/// Exchange a refresh token for a new pair; the old one stops working.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenPair), (status = 401, body = Problem)))]
#[post("/auth/refresh")]
pub async fn refresh(
    ctx: web::Data<AppContext>,
    body: web::Json<RefreshRequest>,
) -> Result<web::Json<TokenPair>, AppError> {
    auth::refresh(&ctx, body.into_inner()).await.map(web::Json)
}

/// Log out: the refresh token and every token descended from the same login stop working.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses((status = 204)))]
#[post("/auth/logout")]
pub async fn logout(
    ctx: web::Data<AppContext>,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    auth::logout(&ctx, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change your own password, giving the current one. Every other token, refresh token and
/// session of yours stops working; the answer is a fresh pair for this device.
#[utoipa::path(tag = "auth", security(("bearer" = [])), request_body = ChangePasswordRequest, responses(
    (status = 200, body = TokenPair), (status = 400, body = Problem), (status = 401, body = Problem),
    (status = 403, description = "`current_password_wrong`", body = Problem),
    (status = 429, description = "too many attempts", body = Problem)))]
#[post("/auth/password")]
pub async fn change_password(
    ctx: web::Data<AppContext>,
    user: AuthUserPendingPassword,
    client: ClientAddr,
    body: web::Json<ChangePasswordRequest>,
) -> Result<web::Json<TokenPair>, AppError> {
    auth::change_password(&ctx, &user.0, body.into_inner(), client.0)
        .await
        .map(web::Json)
}
