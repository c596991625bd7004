//! Audited identity disclosure (custodians only).

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};

use crate::context::AppContext;
use crate::error::AppError;
use crate::http::extract::AuthUser;
use crate::http::problem::Problem;
use crate::services::disclosures::{
    self, CreateDisclosureRequest, DisclosureListItem, DisclosurePage, DisclosureQuery,
    DisclosureView, OpenedDisclosureView,
};

/// Ask to disclose the reporter of a confidential report, with a written reason (a custodian of
/// the report's enterprise).
#[utoipa::path(tag = "disclosures", security(("bearer" = [])), params(("id" = String, Path)), request_body = CreateDisclosureRequest, responses(
    (status = 201, body = DisclosureView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/reports/{id}/disclosures")]
pub async fn request_disclosure(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<CreateDisclosureRequest>,
) -> Result<HttpResponse, AppError> {
    let v = disclosures::request(&ctx, &user.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(v))
}

/// A second custodian (not the requester) approves.
#[utoipa::path(tag = "disclosures", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = DisclosureView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/disclosures/{id}/approve")]
pub async fn approve_disclosure(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<DisclosureView>, AppError> {
    disclosures::decide(&ctx, &user.0, id.into_inner(), true)
        .await
        .map(web::Json)
}

/// A second custodian (not the requester) refuses.
#[utoipa::path(tag = "disclosures", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = DisclosureView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/disclosures/{id}/refuse")]
pub async fn refuse_disclosure(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<DisclosureView>, AppError> {
    disclosures::decide(&ctx, &user.0, id.into_inner(), false)
        .await
        .map(web::Json)
}

/// One request as the enterprise's custodians see it, with what the reader may do about it;
/// never the identity, and reading it changes nothing.
#[utoipa::path(tag = "disclosures", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = DisclosureListItem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/disclosures/{id}")]
pub async fn find_disclosure(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<DisclosureListItem>, AppError> {
    disclosures::find(&ctx, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// The requester opens an approved request and reads the identity, once (then 410
/// `disclosure_already_opened`; before approval 409). A POST, because it changes state (the
/// request becomes `opened`); answered with `Cache-Control: no-store` so no browser or proxy
/// keeps the identity.
#[utoipa::path(tag = "disclosures", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = OpenedDisclosureView), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 409, body = Problem), (status = 410, body = Problem)))]
#[post("/disclosures/{id}/open")]
pub async fn open_disclosure(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let opened = disclosures::open(&ctx, &user.0, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(opened))
}

/// The disclosure requests of the custodian's enterprise, newest first (`status=requested`: the
/// ones waiting for a second custodian). Custodians only; never an identity.
#[utoipa::path(tag = "disclosures", security(("bearer" = [])), params(DisclosureQuery), responses(
    (status = 200, body = DisclosurePage), (status = 400, body = Problem), (status = 403, body = Problem)))]
#[get("/disclosures")]
pub async fn list_disclosures(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<DisclosureQuery>,
) -> Result<web::Json<DisclosurePage>, AppError> {
    disclosures::list(&ctx, &user.0, q.into_inner())
        .await
        .map(web::Json)
}
