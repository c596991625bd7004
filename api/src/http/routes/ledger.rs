//! Triage, the hazard ledger, rectification, sweeps and the criteria catalog.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};

use crate::context::AppContext;
use crate::error::AppError;
use crate::http::extract::AuthUser;
use crate::http::multipart::json_or_form;
use crate::http::photo_answer::{PhotoQuery, jpeg};
use crate::http::problem::Problem;
use crate::services::criteria::{self, CreateCriterionRequest, CriteriaQuery, CriterionView};
use crate::services::exports::{self, ExportQuery};
use crate::services::hazards::{
    self, CreateHazardRequest, CreateSweepRequest, HazardDetail, HazardPage, HazardQuery, SweepView,
};
use crate::services::photos::MAX_ATTACHED;
use crate::services::rectification::{self, EvidenceRequest, PlanRequest, VerifyRequest};
use crate::services::triage::{self, TriageRequest, TriageView};

/// Triage a report: accept (a new hazard), duplicate (joins a hazard) or reject (with a reason).
#[utoipa::path(tag = "ledger", security(("bearer" = [])), params(("id" = String, Path)), request_body = TriageRequest, responses(
    (status = 200, body = TriageView), (status = 400, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/reports/{id}/triage")]
pub async fn triage_report(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<TriageRequest>,
) -> Result<web::Json<TriageView>, AppError> {
    triage::triage(&ctx, &user.0, id.into_inner(), body.into_inner())
        .await
        .map(web::Json)
}

/// The ledger (台账) of the caller's enterprise, newest first.
#[utoipa::path(tag = "ledger", security(("bearer" = [])), params(HazardQuery), responses(
    (status = 200, body = HazardPage), (status = 400, body = Problem), (status = 403, body = Problem)))]
#[get("/hazards")]
pub async fn list_hazards(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<HazardQuery>,
) -> Result<web::Json<HazardPage>, AppError> {
    hazards::list_hazards(&ctx, &user.0, q.into_inner())
        .await
        .map(web::Json)
}

/// One hazard with its plan, plan history, evidence and timeline.
#[utoipa::path(tag = "ledger", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = HazardDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/hazards/{id}")]
pub async fn find_hazard(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<HazardDetail>, AppError> {
    hazards::get_hazard(&ctx, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// The multipart form of a sweep finding, for the OpenAPI document.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct HazardForm {
    /// JSON, as the plain JSON body.
    hazard: CreateHazardRequest,
    /// 0–5 photos (JPEG, PNG or WebP), sanitised like a report's.
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
}

/// The multipart form of rectification evidence, for the OpenAPI document.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct EvidenceForm {
    /// JSON, as the plain JSON body.
    evidence: EvidenceRequest,
    /// 0–5 photos (JPEG, PNG or WebP), sanitised like a report's.
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
}

/// Record a hazard found in a quarterly sweep: JSON, or a multipart form with the JSON in part
/// `hazard` and up to five `photo` parts.
#[utoipa::path(tag = "ledger", security(("bearer" = [])),
    request_body(content(
        (CreateHazardRequest = "application/json"),
        (HazardForm = "multipart/form-data"))),
    responses((status = 201, body = HazardDetail), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 413, body = Problem), (status = 415, body = Problem)))]
#[post("/hazards")]
pub async fn create_hazard(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (body, photos) =
        json_or_form::<CreateHazardRequest>(&ctx, &req, payload, "hazard", MAX_ATTACHED).await?;
    let view = hazards::create_hazard(&ctx, &user.0, body, photos.photos).await?;
    Ok(HttpResponse::Created().json(view))
}

/// A photo of a hazard found in a sweep or of its rectification evidence: the sanitised JPEG
/// (`?size=thumb` for the thumbnail).
#[utoipa::path(tag = "ledger", security(("bearer" = [])),
    params(("id" = String, Path), ("photo_id" = String, Path), PhotoQuery),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 404, body = Problem)))]
#[get("/hazards/{id}/photos/{photo_id}")]
pub async fn find_hazard_photo(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    q: web::Query<PhotoQuery>,
) -> Result<HttpResponse, AppError> {
    let variant = q.variant()?;
    let (id, photo_id) = path.into_inner();
    let bytes = hazards::photo(&ctx, &user.0, id, photo_id, variant).await?;
    Ok(jpeg(bytes))
}

/// Set or revise the 五落实 plan (each call a new version).
#[utoipa::path(tag = "ledger", security(("bearer" = [])), params(("id" = String, Path)), request_body = PlanRequest, responses(
    (status = 200, body = HazardDetail), (status = 400, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem)))]
#[put("/hazards/{id}/plan")]
pub async fn set_plan(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<PlanRequest>,
) -> Result<web::Json<HazardDetail>, AppError> {
    rectification::set_plan(&ctx, &user.0, id.into_inner(), body.into_inner())
        .await
        .map(web::Json)
}

/// Submit rectification evidence: JSON, or a multipart form with the JSON in part `evidence` and
/// up to five `photo` parts.
#[utoipa::path(tag = "ledger", security(("bearer" = [])), params(("id" = String, Path)),
    request_body(content(
        (EvidenceRequest = "application/json"),
        (EvidenceForm = "multipart/form-data"))),
    responses((status = 200, body = HazardDetail), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem)))]
#[post("/hazards/{id}/evidence")]
pub async fn add_evidence(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<web::Json<HazardDetail>, AppError> {
    let (body, photos) =
        json_or_form::<EvidenceRequest>(&ctx, &req, payload, "evidence", MAX_ATTACHED).await?;
    rectification::add_evidence(&ctx, &user.0, id.into_inner(), body, photos.photos)
        .await
        .map(web::Json)
}

/// Verify the rectification: passed closes the hazard (销号); failed sends it back.
#[utoipa::path(tag = "ledger", security(("bearer" = [])), params(("id" = String, Path)), request_body = VerifyRequest, responses(
    (status = 200, body = HazardDetail), (status = 400, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/hazards/{id}/verify")]
pub async fn verify_hazard(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<VerifyRequest>,
) -> Result<web::Json<HazardDetail>, AppError> {
    rectification::verify(&ctx, &user.0, id.into_inner(), body.into_inner())
        .await
        .map(web::Json)
}

/// Record a quarterly sweep.
#[utoipa::path(tag = "ledger", security(("bearer" = [])), request_body = CreateSweepRequest, responses(
    (status = 201, body = SweepView), (status = 400, body = Problem), (status = 403, body = Problem)))]
#[post("/sweeps")]
pub async fn create_sweep(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    body: web::Json<CreateSweepRequest>,
) -> Result<HttpResponse, AppError> {
    let view = hazards::create_sweep(&ctx, &user.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The major-hazard criteria catalog (判定标准), optionally of one sector.
#[utoipa::path(tag = "ledger", security(("bearer" = [])), params(CriteriaQuery), responses(
    (status = 200, body = Vec<CriterionView>), (status = 400, body = Problem)))]
#[get("/criteria")]
pub async fn list_criteria(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<CriteriaQuery>,
) -> Result<web::Json<Vec<CriterionView>>, AppError> {
    criteria::list_criteria(&ctx, &user.0, q.into_inner())
        .await
        .map(web::Json)
}

/// Add an enterprise-specific criterion (admin).
#[utoipa::path(tag = "ledger", security(("bearer" = [])), request_body = CreateCriterionRequest, responses(
    (status = 201, body = CriterionView), (status = 400, body = Problem), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/criteria")]
pub async fn create_criterion(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    body: web::Json<CreateCriterionRequest>,
) -> Result<HttpResponse, AppError> {
    let view = criteria::create_criterion(&ctx, &user.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The 台账 as CSV (UTF-8 with BOM, Chinese headers) for a quarter or a date range, streamed.
#[utoipa::path(tag = "ledger", security(("bearer" = [])), params(ExportQuery), responses(
    (status = 200, content_type = "text/csv", body = String), (status = 400, body = Problem), (status = 403, body = Problem)))]
#[get("/ledger.csv")]
pub async fn ledger_csv(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, AppError> {
    let range = exports::export_range(&user.0, &q)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(disposition("csv"))
        .streaming(exports::csv_stream(&ctx, range)))
}

/// The 台账 as an XLSX workbook (general and major hazards on separate sheets), streamed.
#[utoipa::path(tag = "ledger", security(("bearer" = [])), params(ExportQuery), responses(
    (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
    (status = 400, body = Problem), (status = 403, body = Problem)))]
#[get("/ledger.xlsx")]
pub async fn ledger_xlsx(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, AppError> {
    let range = exports::export_range(&user.0, &q)?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header(disposition("xlsx"))
        .streaming(exports::xlsx_stream(&ctx, range)))
}

fn disposition(ext: &str) -> (actix_web::http::header::HeaderName, String) {
    (
        actix_web::http::header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"ledger.{ext}\""),
    )
}
