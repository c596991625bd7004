//! `/m/v1` routes.

use actix_web::{post, web};
use qingling_api::AppContext;
use qingling_api::error::AppError;
use qingling_api::http::problem::Problem;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the phone routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/m/v1")
            .service(resolve_intake)
            .service(crate::rewards::claim_reward),
    );
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
    (status = 200, body = IntakeTarget), (status = 404, body = Problem)))]
#[post("/intake")]
pub async fn resolve_intake(
    ctx: web::Data<AppContext>,
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
