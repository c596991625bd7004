//! An anonymous reporter claims a reward: `POST /m/v1/receipt/reward-claim`.

use actix_web::{post, web};
use qingling_api::AppContext;
use qingling_api::error::AppError;
use qingling_api::http::extract::ReceiptAttempt;
use qingling_api::http::problem::Problem;
use qingling_api::services::rewards::{self, ReporterRewardView};
use serde::Deserialize;
use utoipa::ToSchema;

/// The receipt code and where to pay. The code travels in the body, never in a URL.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardClaim {
    /// The receipt code shown when the report was sent.
    pub receipt_code: String,
    /// Payout details, e.g. a mobile-payment account (sealed at once; opened once, by a payer
    /// who is not the reward's approver, when marking the reward paid).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub payout: String,
}

impl std::fmt::Debug for RewardClaim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RewardClaim(..)")
    }
}

/// Claim the reward of an anonymous report. A wrong receipt code answers 404 like an unknown
/// one; a report with nothing to claim (or already claimed) 409. It spends a receipt lookup like
/// `/receipt`, so it is no faster way to guess codes.
#[utoipa::path(tag = "phone", request_body = RewardClaim, responses(
    (status = 200, body = ReporterRewardView), (status = 400, body = Problem), (status = 404, body = Problem),
    (status = 409, body = Problem), (status = 429, body = Problem)))]
#[post("/receipt/reward-claim")]
pub async fn claim_reward(
    ctx: web::Data<AppContext>,
    _attempt: ReceiptAttempt,
    body: web::Json<RewardClaim>,
) -> Result<web::Json<ReporterRewardView>, AppError> {
    let RewardClaim {
        receipt_code,
        payout,
    } = body.into_inner();
    rewards::claim_reward(&ctx, receipt_code, payout)
        .await
        .map(web::Json)
}
