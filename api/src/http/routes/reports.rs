//! `/api/v1/reports*`: the enterprise's inbox, a report in full, its photos and messages.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::context::AppContext;
use crate::error::AppError;
use crate::http::extract::AuthUser;
use crate::http::problem::Problem;
use crate::media::vault::Variant;
use crate::services::followup::MessageBody;
use crate::services::inbox::{self, InboxPage, InboxQuery, ReportDetail};

/// The inbox: reports of the caller's enterprise, filterable, newest first.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(InboxQuery),
    responses((status = 200, body = InboxPage), (status = 403, body = Problem)))]
#[get("/reports")]
pub async fn list_reports(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<InboxQuery>,
) -> Result<web::Json<InboxPage>, AppError> {
    inbox::list(&ctx, &user.0, q.into_inner())
        .await
        .map(web::Json)
}

/// One report: pseudonym, photos, timeline, messages — never the reporter's identity.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ReportDetail), (status = 404, body = Problem)))]
#[get("/reports/{id}")]
pub async fn find_report(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<ReportDetail>, AppError> {
    inbox::detail(&ctx, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

/// Write to the reporter (they read it with their receipt code).
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(("id" = String, Path)), request_body = MessageBody,
    responses((status = 201), (status = 404, body = Problem)))]
#[post("/reports/{id}/messages")]
pub async fn message_reporter(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<MessageBody>,
) -> Result<HttpResponse, AppError> {
    inbox::message(&ctx, &user.0, id.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created().finish())
}

/// `?size=thumb` for the thumbnail.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PhotoQuery {
    /// `thumb` for the 320 px thumbnail; the display copy otherwise.
    pub size: Option<String>,
}

/// A report's photo: the sanitised JPEG (no EXIF, re-encoded).
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path), ("photo_id" = String, Path), PhotoQuery),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 404, body = Problem)))]
#[get("/reports/{id}/photos/{photo_id}")]
pub async fn find_report_photo(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    q: web::Query<PhotoQuery>,
) -> Result<HttpResponse, AppError> {
    let variant = q.variant()?;
    let (id, photo_id) = path.into_inner();
    let bytes = inbox::photo(&ctx, &user.0, id, photo_id, variant).await?;
    Ok(jpeg(bytes))
}

impl PhotoQuery {
    /// The variant asked for.
    pub fn variant(&self) -> Result<Variant, AppError> {
        match self.size.as_deref() {
            None | Some("display") => Ok(Variant::Display),
            Some("thumb") => Ok(Variant::Thumb),
            Some(_) => Err(AppError::invalid(
                "size",
                "size 只能是 thumb 或 display",
                "size must be thumb or display",
            )),
        }
    }
}

/// A sanitised photo's answer: never cached by shared caches.
pub fn jpeg(bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header(("cache-control", "private, no-store"))
        .body(bytes)
}
