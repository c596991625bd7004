//! Accounts, enterprises and areas.

use actix_web::{HttpResponse, get, post, web};

use crate::context::AppContext;
use crate::error::AppError;
use crate::http::extract::{AuthUser, AuthUserPendingPassword};
use crate::http::problem::Problem;
use crate::services::accounts::{self, ResetPasswordRequest};
use crate::services::admin::{
    self, AreaView, CreateAreaRequest, CreateEnterpriseRequest, EnterprisePage, EnterpriseView,
    PageQuery,
};
use crate::services::users::{self, CreateUserRequest, UserPage, UserQuery, UserView};
use crate::services::worker_import::{self, ImportResult, MAX_FILE_BYTES};

/// The logged-in user (also while a password change is required: `must_change_password`).
#[utoipa::path(tag = "accounts", security(("bearer" = [])), responses((status = 200, body = UserView), (status = 401, body = Problem)))]
#[get("/me")]
pub async fn me(
    ctx: web::Data<AppContext>,
    user: AuthUserPendingPassword,
) -> Result<web::Json<UserView>, AppError> {
    users::me(&ctx, &user.0).await.map(web::Json)
}

/// Register an enterprise (admin). The answer carries its intake code.
#[utoipa::path(tag = "admin", security(("bearer" = [])), request_body = CreateEnterpriseRequest, responses(
    (status = 201, body = EnterpriseView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
#[post("/enterprises")]
pub async fn create_enterprise(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    body: web::Json<CreateEnterpriseRequest>,
) -> Result<HttpResponse, AppError> {
    let view = admin::create_enterprise(&ctx, Some(&user.0), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Enterprises the caller may see: all (admin), its jurisdiction (bureau), its own (staff).
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(PageQuery), responses((status = 200, body = EnterprisePage)))]
#[get("/enterprises")]
pub async fn list_enterprises(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<PageQuery>,
) -> Result<web::Json<EnterprisePage>, AppError> {
    admin::list_enterprises(&ctx, &user.0, q.into_inner())
        .await
        .map(web::Json)
}

/// One enterprise (404 when the caller may not see it).
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = EnterpriseView), (status = 404, body = Problem)))]
#[get("/enterprises/{id}")]
pub async fn get_enterprise(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<EnterpriseView>, AppError> {
    admin::get_enterprise(&ctx, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// Add an area to an enterprise (admin, its safety manager or principal).
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)), request_body = CreateAreaRequest, responses(
    (status = 201, body = AreaView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/enterprises/{id}/areas")]
pub async fn create_area(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<CreateAreaRequest>,
) -> Result<HttpResponse, AppError> {
    let view = admin::create_area(&ctx, &user.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The areas of an enterprise.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = Vec<AreaView>), (status = 404, body = Problem)))]
#[get("/enterprises/{id}/areas")]
pub async fn list_areas(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<Vec<AreaView>>, AppError> {
    admin::list_areas(&ctx, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// Create a user (admin).
#[utoipa::path(tag = "admin", security(("bearer" = [])), request_body = CreateUserRequest, responses(
    (status = 201, body = UserView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
#[post("/users")]
pub async fn create_user(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    body: web::Json<CreateUserRequest>,
) -> Result<HttpResponse, AppError> {
    let view = users::create_user(&ctx, Some(&user.0), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// List users (admin).
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(UserQuery), responses((status = 200, body = UserPage), (status = 403, body = Problem)))]
#[get("/users")]
pub async fn list_users(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<UserQuery>,
) -> Result<web::Json<UserPage>, AppError> {
    users::list_users(&ctx, &user.0, q.into_inner())
        .await
        .map(web::Json)
}

/// Deactivate a user (admin): they cannot log in, and every token and session of theirs is
/// refused from its next request on. The last active admin cannot be deactivated.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 409, description = "`last_admin`: the platform would have no active admin", body = Problem)))]
#[post("/users/{id}/deactivate")]
pub async fn deactivate_user(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<UserView>, AppError> {
    accounts::deactivate(&ctx, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// Reactivate a user (admin); they log in again (old tokens stay dead).
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[post("/users/{id}/reactivate")]
pub async fn reactivate_user(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<UserView>, AppError> {
    accounts::reactivate(&ctx, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// Reset a user's password to a temporary one (admin). Their tokens end at once; after the next
/// login every route but `POST /api/v1/auth/password` answers 403 `password_change_required`.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)), request_body = ResetPasswordRequest, responses(
    (status = 200, body = UserView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[post("/users/{id}/password-reset")]
pub async fn reset_user_password(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<ResetPasswordRequest>,
) -> Result<web::Json<UserView>, AppError> {
    accounts::reset_password(&ctx, &user.0, id.into_inner(), body.into_inner())
        .await
        .map(web::Json)
}

/// Import workers from an XLSX or UTF-8 CSV file sent as the request body (admin, or the
/// enterprise's safety manager or principal). Headers 工号, 姓名 (required), 手机号, 区域 (an
/// existing area's name). All or nothing: any bad row answers 422 `import_rejected`, each
/// problem in `errors` as `line N: column`, and nobody is created. The answer holds each
/// worker's one-time activation code, shown only here (print the slips from it).
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "text/csv",
        description = "the sheet: CSV (UTF-8) or XLSX (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`)"),
    responses((status = 201, body = ImportResult), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
#[post("/enterprises/{id}/workers/import")]
pub async fn import_workers(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let file = read_capped(body, MAX_FILE_BYTES).await?;
    let result = worker_import::import_workers(&ctx, &user.0, id.into_inner(), file).await?;
    Ok(HttpResponse::Created().json(result))
}

/// Reads a whole request body, refusing it (413) as soon as it grows past `limit`.
async fn read_capped(mut body: web::Payload, limit: usize) -> Result<Vec<u8>, AppError> {
    use futures_util::StreamExt;
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| {
            AppError::new(crate::error::ErrorCode::BadMultipart)
                .detail("请求体读取失败", "the request body could not be read")
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(AppError::new(crate::error::ErrorCode::PayloadTooLarge));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
