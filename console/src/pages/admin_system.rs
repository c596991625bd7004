//! 系统 (admin): the webhook outbox's dead letters — entries the bureau's receiver refused too
//! often — each with 重新投递, and the master-key status: which versions this instance holds,
//! which one seals, and which version the blind index and receipt hashes are keyed with. No key
//! is ever shown. The rules are `services::outbox`'s and `services::key_rotation`'s.

use actix_web::{HttpResponse, web};
use askama::Template;
use qingling_api::services::admin::PageQuery;
use qingling_api::services::key_rotation::{self, KeyStatus};
use qingling_api::services::outbox;
use qingling_api::{AppContext, AppError};
use serde::Deserialize;

use super::NavEntry;
use super::admin_enterprises::ADMIN;
use crate::csrf::Posted;
use crate::error::{ConsoleError, sentence};
use crate::render::{self, Chrome, beijing, see_other, status_of};
use crate::session::SignedInUser;

/// 系统 in the navigation.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/admin/system",
    label: |m| m.nav_admin_system,
    roles: ADMIN,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/system", web::get().to(show))
        .route("/admin/system/outbox/{id}/retry", web::post().to(retry));
}

#[derive(Debug, Default, Deserialize)]
struct SystemQuery {
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    done: String,
}

#[derive(Debug)]
struct DeadRow {
    id: String,
    topic: String,
    event_id: String,
    attempts: i32,
    last_error: String,
    created: String,
}

#[derive(Template)]
#[template(path = "admin_system.html")]
struct SystemPage {
    chrome: Chrome,
    error: Option<String>,
    retried: bool,
    dead: Vec<DeadRow>,
    next: Option<String>,
    keys: KeyStatus,
    versions: String,
}

async fn page(
    ctx: &AppContext,
    user: &SignedInUser,
    q: SystemQuery,
    refused: Option<&AppError>,
) -> Result<HttpResponse, ConsoleError> {
    let keys = key_rotation::key_status(ctx, &user.actor).map_err(|e| user.fail(e))?;
    let page = outbox::list_dead(
        ctx,
        &user.actor,
        PageQuery {
            cursor: (!q.cursor.is_empty()).then(|| q.cursor.clone()),
            limit: Some(50),
        },
    )
    .await
    .map_err(|e| user.fail(e))?;
    let view = SystemPage {
        chrome: Chrome::new(user, "/console/admin/system"),
        error: refused.map(|e| sentence(e, user.lang)),
        retried: q.done == "retried",
        dead: page
            .items
            .into_iter()
            .map(|d| DeadRow {
                created: beijing(&d.created_at),
                last_error: d.last_error.unwrap_or_default(),
                id: d.id,
                topic: d.topic,
                event_id: d.event_id,
                attempts: d.attempts,
            })
            .collect(),
        next: page.next_cursor.map(|c| {
            format!(
                "/console/admin/system?{}",
                serde_html_form::to_string([("cursor", c.as_str())]).unwrap_or_default()
            )
        }),
        versions: keys
            .versions
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("、"),
        keys,
    };
    render::html_status(
        refused.map_or(actix_web::http::StatusCode::OK, status_of),
        user.lang,
        &view,
    )
}

async fn show(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<SystemQuery>,
) -> Result<HttpResponse, ConsoleError> {
    page(&ctx, &user, q.into_inner(), None).await
}

#[derive(Debug, Deserialize)]
struct Nothing {}

async fn retry(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<Nothing>,
) -> Result<HttpResponse, ConsoleError> {
    let user = posted.user;
    match outbox::retry(&ctx, &user.actor, id.into_inner()).await {
        Ok(()) => Ok(see_other("/console/admin/system?done=retried")),
        Err(e) => page(&ctx, &user, SystemQuery::default(), Some(&e)).await,
    }
}
