//! Follow-up extras for the phone: the rectification-evidence photos a reporter is shown once
//! the hazard is closed (receipt code in the body or a header, never in the URL), and the
//! shared major-hazard catalog for the report form.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use qingling_api::AppContext;
use qingling_api::error::AppError;
use qingling_api::http::extract::{AuthUser, ReceiptAttempt};
use qingling_api::http::photo_answer::{self, PhotoQuery};
use qingling_api::http::problem::Problem;
use qingling_api::services::criteria::{self, CriteriaQuery, CriterionView};
use qingling_api::services::followup::{self, ReceiptPhoto};

/// The header that may carry the receipt code on `GET /m/v1/receipt/photos/{photo_id}`.
pub const RECEIPT_HEADER: &str = "x-receipt-code";

/// A rectification-evidence photo of the report's hazard (once closed), with the receipt code in
/// the body. Any other photo, or a wrong code, answers 404.
#[utoipa::path(tag = "phone", request_body = ReceiptPhoto,
    params(("photo_id" = String, Path), PhotoQuery),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = Problem), (status = 429, body = Problem)))]
#[post("/receipt/photos/{photo_id}")]
pub async fn evidence_photo_by_receipt(
    ctx: web::Data<AppContext>,
    _attempt: ReceiptAttempt,
    photo_id: web::Path<String>,
    q: web::Query<PhotoQuery>,
    body: web::Json<ReceiptPhoto>,
) -> Result<HttpResponse, AppError> {
    let variant = q.variant()?;
    let bytes = followup::evidence_photo_by_receipt(
        &ctx,
        body.into_inner().receipt_code,
        photo_id.into_inner(),
        variant,
    )
    .await?;
    Ok(photo_answer::jpeg(bytes))
}

/// The same photo with the receipt code in an `X-Receipt-Code` header (for an `<img>` fetched
/// by script); 404 without it.
#[utoipa::path(tag = "phone",
    params(("photo_id" = String, Path), ("X-Receipt-Code" = String, Header), PhotoQuery),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = Problem), (status = 429, body = Problem)))]
#[get("/receipt/photos/{photo_id}")]
pub async fn evidence_photo_by_receipt_header(
    ctx: web::Data<AppContext>,
    _attempt: ReceiptAttempt,
    req: HttpRequest,
    photo_id: web::Path<String>,
    q: web::Query<PhotoQuery>,
) -> Result<HttpResponse, AppError> {
    let variant = q.variant()?;
    let code = req
        .headers()
        .get(RECEIPT_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(AppError::not_found)?
        .to_owned();
    let bytes =
        followup::evidence_photo_by_receipt(&ctx, code, photo_id.into_inner(), variant).await?;
    Ok(photo_answer::jpeg(bytes))
}

/// A rectification-evidence photo of one of the logged-in worker's own reports (once closed).
#[utoipa::path(tag = "phone", security(("bearer" = [])),
    params(("id" = String, Path), ("photo_id" = String, Path), PhotoQuery),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = Problem)))]
#[get("/reports/{id}/photos/{photo_id}")]
pub async fn evidence_photo_mine(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    q: web::Query<PhotoQuery>,
) -> Result<HttpResponse, AppError> {
    let variant = q.variant()?;
    let (id, photo_id) = path.into_inner();
    let bytes = followup::evidence_photo_mine(&ctx, &user.0, id, photo_id, variant).await?;
    Ok(photo_answer::jpeg(bytes))
}

/// The shared major-hazard catalog (判定标准) of a sector, for the report form; no login (it is
/// the published standard).
#[utoipa::path(tag = "phone", params(CriteriaQuery),
    responses((status = 200, body = Vec<CriterionView>), (status = 400, body = Problem)))]
#[get("/criteria")]
pub async fn list_criteria(
    ctx: web::Data<AppContext>,
    q: web::Query<CriteriaQuery>,
) -> Result<web::Json<Vec<CriterionView>>, AppError> {
    criteria::public_catalog(&ctx, q.into_inner())
        .await
        .map(web::Json)
}
