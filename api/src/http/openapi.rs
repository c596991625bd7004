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

/// States the errors the way the server sends them, in every operation of the finished
/// document (run after the routes are collected): an error is `application/problem+json`, not
/// the `application/json` utoipa writes for `body = Problem`; and the answers every route of a
/// kind shares, given by the common extractors and middleware rather than by the handler, are
/// listed where the handler's annotation leaves them out: 401 and 403 where a token is needed,
/// 400 where the route takes parameters or a body, 415 where it takes a body.
pub fn document_problems(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    const PROBLEM: &str = "application/problem+json";
    let problem = |what: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(what)
                .content(
                    PROBLEM,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    let is_problem = |c: &utoipa::openapi::Content| matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"));
    for item in api.paths.paths.values_mut() {
        let shared_params = item.parameters.as_ref().is_some_and(|p| !p.is_empty());
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            for r in op.responses.responses.values_mut() {
                if let RefOr::T(r) = r
                    && r.content.get("application/json").is_some_and(is_problem)
                    && let Some(c) = r.content.shift_remove("application/json")
                {
                    r.content.insert(PROBLEM.to_owned(), c);
                }
            }
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let takes_input = shared_params
                || op.parameters.as_ref().is_some_and(|p| !p.is_empty())
                || op.request_body.is_some();
            let mut add = |code: &str, what: &str| {
                op.responses
                    .responses
                    .entry(code.to_owned())
                    .or_insert_with(|| problem(what));
            };
            if secured {
                add("401", "no valid token");
                add("403", "the token's role or scope may not do this");
            }
            if takes_input {
                add("400", "a parameter or the body is not valid");
            }
            if op.request_body.is_some() {
                add("415", "the body is not of a type this route takes");
            }
        }
    }
}
