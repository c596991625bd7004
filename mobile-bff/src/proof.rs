//! 保存举报凭证: the QR picture of a proof of report the phone already holds, so a worker can
//! keep the proof in the photo album (WeChat's browser saves pictures, not downloaded files).

use actix_web::{HttpResponse, post, web};
use qingling_api::AppContext;
use qingling_api::error::AppError;
use qingling_api::http::problem::Problem;
use qingling_api::services::proofs;
use serde_json::Value;

/// The QR code (PNG) of one proof of report, sent in the body as the server issued it. Only a
/// proof that verifies under the published keys is drawn; it names no one, so no login is
/// needed, and nothing of it is stored.
#[utoipa::path(tag = "phone", request_body(content = Object, description = "a proof of report"),
    responses((status = 200, content_type = "image/png", description = "the proof as a QR code"),
              (status = 400, body = Problem), (status = 422, body = Problem)))]
#[post("/proof/qr")]
pub async fn proof_qr(
    ctx: web::Data<AppContext>,
    body: web::Json<Value>,
) -> Result<HttpResponse, AppError> {
    let png = proofs::qr_png(&ctx, &body).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header(("Cache-Control", "no-store"))
        .body(png))
}
