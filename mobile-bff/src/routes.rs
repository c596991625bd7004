//! `/m/v1` routes: thin — read the phone's request, call one service, answer compactly.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use qingling_api::AppContext;
use qingling_api::error::{AppError, ErrorCode};
use qingling_api::http::extract::{AuthUser, ClientAddr, IntakeAttempt, ReceiptAttempt};
use qingling_api::http::problem::Problem;
use qingling_api::services::followup::{
    self, FollowUp, MessageBody, MyReportPage, MyReportQuery, ReceiptLookup, ReceiptMessage,
};
use qingling_api::services::limits::{ANONYMOUS_SUBMISSION, Subject};
use qingling_api::services::submission::{self, Receipt, ReportInput, Reporter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::multipart;

/// Registers the phone routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/m/v1")
            .service(resolve_intake)
            .service(submit_report)
            .service(submit_anonymous_report)
            .service(list_my_reports)
            .service(find_my_report)
            .service(message_my_report)
            .service(find_by_receipt)
            .service(message_by_receipt)
            .service(crate::appeals::appeal_report)
            .service(crate::appeals::appeal_with_receipt)
            .service(crate::appeals::message_bureau)
            .service(crate::appeals::message_bureau_with_receipt)
            .service(crate::rewards::claim_reward)
            .service(crate::board::list_board_hazards)
            .service(crate::activation::activate_account)
            .service(crate::followup::evidence_photo_by_receipt)
            .service(crate::followup::evidence_photo_by_receipt_header)
            .service(crate::followup::evidence_photo_mine)
            .service(crate::followup::list_criteria)
            .service(crate::proof::proof_qr)
            // The phone edge may run apart from the core (`serve --only mobile`): a worker logs
            // in there through the same handlers as `/api/v1/auth/*`.
            .service(qingling_api::http::routes::auth::login)
            .service(qingling_api::http::routes::auth::refresh)
            .service(qingling_api::http::routes::auth::logout)
            // After an admin's reset the phone asks for a new password before anything else.
            .service(qingling_api::http::routes::auth::change_password),
    );
    cfg.map(crate::page::configure);
}

/// The multipart form of a submission, for the OpenAPI document.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct SubmissionForm {
    /// JSON: `{title, description, area_id?, suspected_level?, criterion_codes?}` (anonymous:
    /// plus `intake_code`).
    report: ReportInput,
    /// 1–5 photos (JPEG, PNG or WebP).
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, AppError> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(v) => v.to_str().map(|s| Some(s.to_owned())).map_err(|_| {
            AppError::invalid(
                "Idempotency-Key",
                "Idempotency-Key 含有非法字符",
                "Idempotency-Key has invalid characters",
            )
        }),
    }
}

fn answer(status: u16, body: Vec<u8>) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED))
        .content_type("application/json")
        .body(body)
}

/// Report a hazard as a logged-in worker: your identity is sealed; staff see only a pseudonym.
#[utoipa::path(tag = "phone", security(("bearer" = [])),
    request_body(content = SubmissionForm, content_type = "multipart/form-data"),
    params(("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key returns the first answer")),
    responses((status = 201, body = Receipt), (status = 400, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 409, body = Problem)))]
#[post("/reports")]
pub async fn submit_report(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    req: HttpRequest,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let key = idempotency_key(&req)?;
    let sub = multipart::read(&ctx, &req, form, multipart::Sender::Worker).await?;
    let (status, body) = submission::submit(
        &ctx,
        Reporter::Confidential(&user.0),
        sub.input,
        sub.parts.photos,
        key.as_deref(),
    )
    .await?;
    Ok(answer(status, body))
}

/// Report a hazard without logging in, with the enterprise's intake code (or an area's QR
/// token) in the JSON part. Nothing about the sender is stored; keep the receipt code.
#[utoipa::path(tag = "phone",
    request_body(content = SubmissionForm, content_type = "multipart/form-data"),
    params(("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key returns the first answer")),
    responses((status = 201, body = Receipt), (status = 400, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 429, body = Problem)))]
#[post("/anonymous-reports")]
pub async fn submit_anonymous_report(
    ctx: web::Data<AppContext>,
    client: ClientAddr,
    req: HttpRequest,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    if !ctx
        .limits
        .allow(ANONYMOUS_SUBMISSION, Subject::Client(client.0))
        .await
    {
        return Err(AppError::new(ErrorCode::RateLimited));
    }
    let key = idempotency_key(&req)?;
    let sub = multipart::read(&ctx, &req, form, multipart::Sender::Anonymous).await?;
    let (status, body) = submission::submit(
        &ctx,
        Reporter::Anonymous,
        sub.input,
        sub.parts.photos,
        key.as_deref(),
    )
    .await?;
    Ok(answer(status, body))
}

/// The logged-in worker's own reports and their status.
#[utoipa::path(tag = "phone", security(("bearer" = [])), params(MyReportQuery),
    responses((status = 200, body = MyReportPage)))]
#[get("/reports")]
pub async fn list_my_reports(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<MyReportQuery>,
) -> Result<web::Json<MyReportPage>, AppError> {
    followup::mine(&ctx, &user.0, q.into_inner())
        .await
        .map(web::Json)
}

/// One of the worker's own reports: status, timeline, messages.
#[utoipa::path(tag = "phone", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = FollowUp), (status = 404, body = Problem)))]
#[get("/reports/{id}")]
pub async fn find_my_report(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<FollowUp>, AppError> {
    followup::mine_one(&ctx, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// Message the handler of one's own report.
#[utoipa::path(tag = "phone", security(("bearer" = [])), params(("id" = String, Path)), request_body = MessageBody,
    responses((status = 201), (status = 404, body = Problem)))]
#[post("/reports/{id}/messages")]
pub async fn message_my_report(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<MessageBody>,
) -> Result<HttpResponse, AppError> {
    followup::message_mine(&ctx, &user.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().finish())
}

/// Follow a report with its receipt code (in the body, never in a URL). A wrong code answers
/// exactly like an unknown one.
#[utoipa::path(tag = "phone", request_body = ReceiptLookup,
    responses((status = 200, body = FollowUp), (status = 404, body = Problem), (status = 429, body = Problem)))]
#[post("/receipt")]
pub async fn find_by_receipt(
    ctx: web::Data<AppContext>,
    _attempt: ReceiptAttempt,
    body: web::Json<ReceiptLookup>,
) -> Result<web::Json<FollowUp>, AppError> {
    followup::by_receipt(&ctx, body.into_inner())
        .await
        .map(web::Json)
}

/// Message the handler with the receipt code.
#[utoipa::path(tag = "phone", request_body = ReceiptMessage,
    responses((status = 201), (status = 404, body = Problem), (status = 429, body = Problem)))]
#[post("/receipt/messages")]
pub async fn message_by_receipt(
    ctx: web::Data<AppContext>,
    _attempt: ReceiptAttempt,
    body: web::Json<ReceiptMessage>,
) -> Result<HttpResponse, AppError> {
    followup::message_by_receipt(&ctx, body.into_inner()).await?;
    Ok(HttpResponse::Created().finish())
}

/// `POST /m/v1/intake` body: the code from a poster or an area's QR code.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeLookup {
    /// The enterprise's intake code or an area's QR token.
    pub code: String,
}

/// What a phone shows before an anonymous report: whose site it is and its areas.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntakeTarget {
    /// Enterprise name.
    pub enterprise_name: String,
    /// Sector (`steel` | `nonferrous`).
    pub sector: qingling_api::domain::Sector,
    /// The area the QR code names, if it was an area's code.
    pub area_id: Option<String>,
    /// Areas to choose from: `[id, name]`.
    pub areas: Vec<(String, String)>,
}

/// Resolve an intake code (poster) or area QR token before reporting anonymously. No token; the
/// code travels in the body, never in a URL.
#[utoipa::path(tag = "phone", request_body = IntakeLookup, responses(
    (status = 200, body = IntakeTarget), (status = 404, body = Problem),
    (status = 429, body = Problem)))]
#[post("/intake")]
pub async fn resolve_intake(
    ctx: web::Data<AppContext>,
    _attempt: IntakeAttempt,
    body: web::Json<IntakeLookup>,
) -> Result<web::Json<IntakeTarget>, AppError> {
    let t = qingling_api::services::intake::resolve(&ctx, body.into_inner().code).await?;
    Ok(web::Json(IntakeTarget {
        enterprise_name: t.enterprise.name,
        sector: t.sector,
        area_id: t.area_id,
        areas: t.areas,
    }))
}
