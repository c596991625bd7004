//! The OpenAPI document's frame. Paths and schemas are collected from the handlers themselves as
//! they are registered (utoipa-actix-web), so a route cannot be served without being described.

use utoipa::Modify;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

/// Title, version and the bearer scheme.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Qingling 清零",
        description = "Whistleblower hazard reporting for metal-smelting enterprises. Staff and bureau routes under /api/v1, phone routes under /m/v1. Errors are RFC 9457 problem+json with a stable `code`.",
    ),
    components(schemas(
        super::problem::Problem,
        super::problem::FieldProblem,
        crate::services::hazards::Source
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// Adds the `bearer` security scheme that protected routes refer to.
#[derive(Debug)]
pub struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// One item of a `criterion_codes` list, as the schema states it (the lists themselves stay
/// `Vec<String>`; their fields point here with `value_type`). The submission's rule: 1–32
/// letters, digits or `-`; whether the code exists in the catalog is the database's answer.
#[derive(Debug, utoipa::ToSchema)]
#[schema(pattern = r"^[A-Za-z0-9-]{1,32}$", example = "MEM10-4-2")]
pub struct CriterionCode(pub String);

/// One notification e-mail address, as `domain::notification::is_email` checks it: a local
/// part of the listed characters without leading, trailing or double dots, and a domain of two
/// or more labels of letters, digits and inner `-`. (Lengths: 64 for the local part, 63 a label,
/// 254 in all.)
#[derive(Debug, utoipa::ToSchema)]
#[schema(
    format = Email,
    pattern = r"^(?=.{3,254}$)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
    example = "safety@example.com"
)]
pub struct NotificationEmail(pub String);
