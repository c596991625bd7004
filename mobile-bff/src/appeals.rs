//! Appeals to the bureau from phones: a logged-in worker's own report, or any report by its
//! receipt code (which travels in the body, never in a URL); then messages to the bureau on the
//! same channel (the bureau's replies show in the report's follow-up).

use actix_web::{HttpResponse, post, web};
use qingling_api::AppContext;
use qingling_api::error::AppError;
use qingling_api::http::extract::{AuthUser, ReceiptAttempt};
use qingling_api::http::problem::Problem;
use qingling_api::services::appeals::{self, AppealRequest, AppealView, ReceiptAppealRequest};
use qingling_api::services::followup::{MessageBody, ReceiptMessage};

/// Appeal one of my reports to the bureau (in any state: an accepted one too, when the
/// rectification looks fake or slow), once.
#[utoipa::path(tag = "phone", security(("bearer" = [])), params(("id" = String, Path)), request_body = AppealRequest, responses(
    (status = 201, body = AppealView), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/reports/{id}/appeal")]
pub async fn appeal_report(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<AppealRequest>,
) -> Result<HttpResponse, AppError> {
    let v = appeals::appeal_as_reporter(&ctx, &user.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(v))
}

/// Appeal a report with its receipt code (anonymous). A wrong code answers like an unknown one.
#[utoipa::path(tag = "phone", request_body = ReceiptAppealRequest, responses(
    (status = 201, body = AppealView), (status = 404, body = Problem), (status = 409, body = Problem),
    (status = 429, body = Problem)))]
#[post("/receipt/appeal")]
pub async fn appeal_with_receipt(
    ctx: web::Data<AppContext>,
    _attempt: ReceiptAttempt,
    body: web::Json<ReceiptAppealRequest>,
) -> Result<HttpResponse, AppError> {
    let v = appeals::appeal_with_receipt(&ctx, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(v))
}

/// Write to the bureau about one of my appealed reports.
#[utoipa::path(tag = "phone", security(("bearer" = [])), params(("id" = String, Path)), request_body = MessageBody, responses(
    (status = 201), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/reports/{id}/bureau-messages")]
pub async fn message_bureau(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<MessageBody>,
) -> Result<HttpResponse, AppError> {
    appeals::message_bureau_as_reporter(&ctx, &user.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().finish())
}

/// Write to the bureau about an appealed report with its receipt code (anonymous).
#[utoipa::path(tag = "phone", request_body = ReceiptMessage, responses(
    (status = 201), (status = 404, body = Problem), (status = 409, body = Problem), (status = 429, body = Problem)))]
#[post("/receipt/bureau-messages")]
pub async fn message_bureau_with_receipt(
    ctx: web::Data<AppContext>,
    _attempt: ReceiptAttempt,
    body: web::Json<ReceiptMessage>,
) -> Result<HttpResponse, AppError> {
    appeals::message_bureau_with_receipt(&ctx, body.into_inner()).await?;
    Ok(HttpResponse::Created().finish())
}
