//! Reward policy, rewards and the reward ledger exports.

use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::context::AppContext;
use crate::domain::reward_state::RewardStatus;
use crate::error::AppError;
use crate::http::extract::AuthUser;
use crate::http::problem::Problem;
use crate::services::reward_ledger;
use crate::services::rewards::{
    self, AdjustRequest, PaidRequest, PaidView, RejectRequest, RewardPage, RewardPolicyRequest,
    RewardPolicyView, RewardQuery, RewardView,
};

/// Query of the ledger exports.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// Only rewards in this status.
    pub status: Option<RewardStatus>,
}

/// The enterprise's reward policy in force (the built-in defaults, version 0, until one is set).
#[utoipa::path(tag = "rewards", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = RewardPolicyView), (status = 404, body = Problem)))]
#[get("/enterprises/{id}/reward-policy")]
pub async fn get_reward_policy(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<RewardPolicyView>, AppError> {
    rewards::get_policy(&ctx, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// Set a new version of the reward policy (the enterprise's principal, or an admin).
#[utoipa::path(tag = "rewards", security(("bearer" = [])), params(("id" = String, Path)), request_body = RewardPolicyRequest, responses(
    (status = 200, body = RewardPolicyView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[put("/enterprises/{id}/reward-policy")]
pub async fn put_reward_policy(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<RewardPolicyRequest>,
) -> Result<web::Json<RewardPolicyView>, AppError> {
    rewards::set_policy(&ctx, &user.0, id.into_inner(), body.into_inner())
        .await
        .map(web::Json)
}

/// The enterprise's rewards, newest first (safety managers and principal).
#[utoipa::path(tag = "rewards", security(("bearer" = [])), params(RewardQuery), responses(
    (status = 200, body = RewardPage), (status = 400, body = Problem), (status = 403, body = Problem)))]
#[get("/rewards")]
pub async fn list_rewards(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<RewardQuery>,
) -> Result<web::Json<RewardPage>, AppError> {
    rewards::list_rewards(&ctx, &user.0, q.into_inner())
        .await
        .map(web::Json)
}

/// One reward.
#[utoipa::path(tag = "rewards", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = RewardView), (status = 404, body = Problem)))]
#[get("/rewards/{id}")]
pub async fn get_reward(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<RewardView>, AppError> {
    rewards::get_reward(&ctx, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// Adjust a proposed amount within the policy, with a reason; the adjuster becomes the proposer.
#[utoipa::path(tag = "rewards", security(("bearer" = [])), params(("id" = String, Path)), request_body = AdjustRequest, responses(
    (status = 200, body = RewardView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/rewards/{id}/adjust")]
pub async fn adjust_reward(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<AdjustRequest>,
) -> Result<web::Json<RewardView>, AppError> {
    rewards::adjust(&ctx, &user.0, id.into_inner(), body.into_inner())
        .await
        .map(web::Json)
}

/// Approve (not the proposer: 403 `separation_of_duties`; above the threshold only a
/// principal: 403 `principal_approval_required`).
#[utoipa::path(tag = "rewards", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = RewardView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/rewards/{id}/approve")]
pub async fn approve_reward(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<RewardView>, AppError> {
    rewards::approve(&ctx, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// Reject with a reason (the reporter sees it).
#[utoipa::path(tag = "rewards", security(("bearer" = [])), params(("id" = String, Path)), request_body = RejectRequest, responses(
    (status = 200, body = RewardView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/rewards/{id}/reject")]
pub async fn reject_reward(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<RejectRequest>,
) -> Result<web::Json<RewardView>, AppError> {
    rewards::reject(&ctx, &user.0, id.into_inner(), body.into_inner())
        .await
        .map(web::Json)
}

/// Record the payment of an approved reward; an anonymous reporter's payout details are in this
/// answer only.
#[utoipa::path(tag = "rewards", security(("bearer" = [])), params(("id" = String, Path)), request_body = PaidRequest, responses(
    (status = 200, body = PaidView), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[post("/rewards/{id}/paid")]
pub async fn mark_reward_paid(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<PaidRequest>,
) -> Result<web::Json<PaidView>, AppError> {
    rewards::mark_paid(&ctx, &user.0, id.into_inner(), body.into_inner())
        .await
        .map(web::Json)
}

/// The reward ledger as CSV (UTF-8 with BOM, Chinese headers, pseudonyms only).
#[utoipa::path(tag = "rewards", security(("bearer" = [])), params(ExportQuery), responses(
    (status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem)))]
#[get("/rewards.csv")]
pub async fn export_rewards_csv(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, AppError> {
    let bytes = reward_ledger::csv(&ctx, &user.0, q.into_inner().status).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            "attachment; filename=\"rewards.csv\"",
        ))
        .body(bytes))
}

/// The reward ledger as XLSX (sheet 奖励台账).
#[utoipa::path(tag = "rewards", security(("bearer" = [])), params(ExportQuery), responses(
    (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
    (status = 403, body = Problem)))]
#[get("/rewards.xlsx")]
pub async fn export_rewards_xlsx(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, AppError> {
    let bytes = reward_ledger::xlsx(&ctx, &user.0, q.into_inner().status).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            "content-disposition",
            "attachment; filename=\"rewards.xlsx\"",
        ))
        .body(bytes))
}
