//! HTTP: routes, extractors, problem+json errors, metrics and the OpenAPI document.
//! Handlers are thin: parse, call one service, shape the answer.

pub mod extract;
pub mod known_routes;
pub mod metrics;
pub mod middleware;
pub mod multipart;
pub mod openapi;
pub mod photo_answer;
pub mod problem;
pub mod routes;
pub mod upload_budget;

pub use routes::configure_staff;
