//! Bureau routes: escalations in the officer's jurisdiction and the clearing overview.

use actix_web::{HttpResponse, get, post, web};

use crate::context::AppContext;
use crate::error::AppError;
use crate::http::extract::AuthUser;
use crate::http::photo_answer::{self, PhotoQuery};
use crate::http::problem::Problem;
use crate::services::bureau::{
    self, BureauAction, DismissRequest, EnterpriseDrillDown, EscalationDetail, EscalationPage,
    EscalationView, InboxQuery, MessageRequest, Overview, SuperviseRequest,
};

/// The officer's escalations (filter by status or enterprise; keyset-paginated).
#[utoipa::path(tag = "bureau", security(("bearer" = [])), params(InboxQuery), responses(
    (status = 200, body = EscalationPage), (status = 403, body = Problem)))]
#[get("/bureau/escalations")]
pub async fn list_escalations(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<InboxQuery>,
) -> Result<web::Json<EscalationPage>, AppError> {
    bureau::list(&ctx, &user.0, q.into_inner())
        .await
        .map(web::Json)
}

/// A photo of the escalation's subject: the report's, the hazard's own or its evidence's —
/// the sanitised JPEG, with nothing that could name who took it.
#[utoipa::path(tag = "bureau", security(("bearer" = [])),
    params(("id" = String, Path), ("photo_id" = String, Path), PhotoQuery),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 404, body = Problem)))]
#[get("/bureau/escalations/{id}/photos/{photo_id}")]
pub async fn find_escalation_photo(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    q: web::Query<PhotoQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, photo_id) = path.into_inner();
    let bytes = bureau::photo(&ctx, &user.0, id, photo_id, q.variant()?).await?;
    Ok(photo_answer::jpeg(bytes))
}

/// One escalation with its timeline and the report's title, description, area, timeline and
/// photo ids — never the reporter.
#[utoipa::path(tag = "bureau", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = EscalationDetail), (status = 404, body = Problem)))]
#[get("/bureau/escalations/{id}")]
pub async fn find_escalation(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<EscalationDetail>, AppError> {
    bureau::get(&ctx, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// Acknowledge an open escalation.
#[utoipa::path(tag = "bureau", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = EscalationView), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/bureau/escalations/{id}/acknowledge")]
pub async fn acknowledge_escalation(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<EscalationView>, AppError> {
    bureau::act(&ctx, &user.0, id.into_inner(), BureauAction::Acknowledge)
        .await
        .map(web::Json)
}

/// 督办: set the enterprise's deadline and instructions (again, to renew them).
#[utoipa::path(tag = "bureau", security(("bearer" = [])), params(("id" = String, Path)), request_body = SuperviseRequest, responses(
    (status = 200, body = EscalationView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/bureau/escalations/{id}/supervise")]
pub async fn supervise_escalation(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<SuperviseRequest>,
) -> Result<web::Json<EscalationView>, AppError> {
    bureau::act(
        &ctx,
        &user.0,
        id.into_inner(),
        BureauAction::Supervise(body.into_inner()),
    )
    .await
    .map(web::Json)
}

/// 销号: close a supervised escalation for good.
#[utoipa::path(tag = "bureau", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = EscalationView), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/bureau/escalations/{id}/close")]
pub async fn close_escalation(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<EscalationView>, AppError> {
    bureau::act(&ctx, &user.0, id.into_inner(), BureauAction::Close)
        .await
        .map(web::Json)
}

/// Dismiss with a reason.
#[utoipa::path(tag = "bureau", security(("bearer" = [])), params(("id" = String, Path)), request_body = DismissRequest, responses(
    (status = 200, body = EscalationView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/bureau/escalations/{id}/dismiss")]
pub async fn dismiss_escalation(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<DismissRequest>,
) -> Result<web::Json<EscalationView>, AppError> {
    bureau::act(
        &ctx,
        &user.0,
        id.into_inner(),
        BureauAction::Dismiss(body.into_inner()),
    )
    .await
    .map(web::Json)
}

/// A message to the enterprise about the escalation.
#[utoipa::path(tag = "bureau", security(("bearer" = [])), params(("id" = String, Path)), request_body = MessageRequest, responses(
    (status = 200, body = EscalationView), (status = 400, body = Problem), (status = 404, body = Problem)))]
#[post("/bureau/escalations/{id}/messages")]
pub async fn message_enterprise(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<MessageRequest>,
) -> Result<web::Json<EscalationView>, AppError> {
    bureau::message(&ctx, &user.0, id.into_inner(), body.into_inner())
        .await
        .map(web::Json)
}

/// Per enterprise in the jurisdiction: open escalations and major hazards, overdue ones, average
/// times to close, 动态清零.
#[utoipa::path(tag = "bureau", security(("bearer" = [])), responses(
    (status = 200, body = Overview), (status = 403, body = Problem)))]
#[get("/bureau/overview")]
pub async fn overview(
    ctx: web::Data<AppContext>,
    user: AuthUser,
) -> Result<web::Json<Overview>, AppError> {
    bureau::overview(&ctx, &user.0).await.map(web::Json)
}

/// One enterprise of the jurisdiction: its counts and its open major hazards.
#[utoipa::path(tag = "bureau", security(("bearer" = [])), params(("enterprise_id" = String, Path)), responses(
    (status = 200, body = EnterpriseDrillDown), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/bureau/overview/{enterprise_id}")]
pub async fn overview_enterprise(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    enterprise_id: web::Path<String>,
) -> Result<web::Json<EnterpriseDrillDown>, AppError> {
    bureau::drill_down(&ctx, &user.0, enterprise_id.into_inner())
        .await
        .map(web::Json)
}
