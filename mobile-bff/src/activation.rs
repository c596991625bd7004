//! Account activation: a worker imported in bulk sets their first password with the one-time
//! code from their slip (the phone page's `/m/#activate` view calls this).

use actix_web::{post, web};
use qingling_api::AppContext;
use qingling_api::error::AppError;
use qingling_api::http::extract::ClientAddr;
use qingling_api::http::problem::Problem;
use qingling_api::services::worker_import::{self, ActivateRequest, Activated};

/// Set your password with the activation code from your slip; the answer names the login name
/// to sign in with. Unknown, used and expired codes answer alike.
#[utoipa::path(tag = "phone", request_body = ActivateRequest, responses(
    (status = 200, body = Activated),
    (status = 400, description = "`invalid_activation_code`, or `validation_failed` for a password of the wrong length", body = Problem),
    (status = 429, description = "too many attempts from this client", body = Problem)))]
#[post("/activate")]
pub async fn activate_account(
    ctx: web::Data<AppContext>,
    client: ClientAddr,
    body: web::Json<ActivateRequest>,
) -> Result<web::Json<Activated>, AppError> {
    worker_import::activate(&ctx, body.into_inner(), client.0)
        .await
        .map(web::Json)
}
