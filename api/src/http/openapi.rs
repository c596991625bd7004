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
    components(schemas(super::problem::Problem, super::problem::FieldProblem)),
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
