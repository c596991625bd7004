//! 申诉: the escalations a reporter's appeal opened or joined, and one appeal's conversation with
//! the reporter — the appeal's reason, the reporter's later messages and the bureau's replies,
//! read from the escalation's timeline (`services::bureau::get`), with a reply form
//! (`services::bureau::message` to the reporter). The reporter is "举报人" and nothing more: no
//! name, number, pseudonym or id of theirs reaches the page. An escalation without an appeal,
//! or of another jurisdiction, answers 404 here.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use qingling_api::services::bureau::{self, MessageRecipient, MessageRequest};
use qingling_api::services::bureau_board;
use qingling_api::{AppContext, AppError};

use super::NavEntry;
use super::bureau_board::BUREAU;
use super::bureau_escalations::{Filters, MessageForm, Row, rows, status_label};
use crate::csrf::Posted;
use crate::error::{ConsoleError, describe};
use crate::render::{self, Chrome, beijing, see_other, status_of};
use crate::session::SignedInUser;

/// 申诉 in the navigation.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/bureau/appeals",
    label: |m| m.nav_appeals,
    roles: BUREAU,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/bureau/appeals", web::get().to(list))
        .route("/bureau/appeals/{id}", web::get().to(show))
        .route("/bureau/appeals/{id}/reply", web::post().to(reply));
}

#[derive(Template)]
#[template(path = "bureau_appeals.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    next: Option<String>,
}

async fn list(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<Filters>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let f = q.into_inner();
    let page = bureau_board::list(&ctx, &user.actor, f.query(true))
        .await
        .map_err(|e| user.fail(e))?;
    let next = page
        .next_cursor
        .clone()
        .map(|c| f.next_href("/console/bureau/appeals", c));
    render::html(
        user.lang,
        &ListPage {
            chrome: Chrome::new(&user, "/console/bureau/appeals"),
            rows: rows(m, page.items, "/console/bureau/appeals"),
            next,
        },
    )
}

/// One line of the conversation.
#[derive(Debug)]
struct Said {
    from: &'static str,
    at: String,
    body: String,
    ours: bool,
    label: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "bureau_appeal.html")]
struct AppealPage {
    chrome: Chrome,
    error: Option<String>,
    id: String,
    title: String,
    enterprise: String,
    status: &'static str,
    status_class: &'static str,
    opened: String,
    conversation: Vec<Said>,
}

async fn page(
    ctx: &AppContext,
    user: &SignedInUser,
    id: String,
    error: Option<&AppError>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let d = bureau_board::detail(ctx, &user.actor, id)
        .await
        .map_err(|e| user.fail(e))?;
    if !d.appeal {
        return Err(user.fail(AppError::not_found()));
    }
    let e = &d.detail.escalation;
    let (status, status_class) = status_label(m, e.status);
    // The reporter's words (the appeal's reason, later messages) and the bureau's replies to
    // them; the bureau's notes to the enterprise stay on the escalation's page.
    let conversation = d
        .detail
        .events
        .iter()
        .filter_map(|ev| {
            let body = ev.note.clone()?;
            let by_reporter = ev.actor_role.as_deref() == Some("reporter");
            match (by_reporter, ev.kind.as_str()) {
                (true, "opened" | "trigger") => Some(Said {
                    from: m.sender_reporter,
                    at: beijing(&ev.at),
                    body,
                    ours: false,
                    label: Some(m.appeal_reason),
                }),
                (true, _) => Some(Said {
                    from: m.sender_reporter,
                    at: beijing(&ev.at),
                    body,
                    ours: false,
                    label: None,
                }),
                (false, "message_to_reporter") => Some(Said {
                    from: m.sender_bureau,
                    at: beijing(&ev.at),
                    body,
                    ours: true,
                    label: None,
                }),
                _ => None,
            }
        })
        .collect();
    let p = AppealPage {
        chrome: Chrome::new(user, "/console/bureau/appeals"),
        error: error.map(|e| {
            let (t, d) = describe(e, user.lang);
            d.map_or(t.clone(), |d| format!("{t}：{d}"))
        }),
        id: e.id.clone(),
        title: d
            .detail
            .report
            .as_ref()
            .map(|r| r.title.clone())
            .unwrap_or_default(),
        enterprise: d.enterprise.clone(),
        status,
        status_class,
        opened: beijing(&e.opened_at),
        conversation,
    };
    let code = error.map_or(StatusCode::OK, status_of);
    render::html_status(code, user.lang, &p)
}

async fn show(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    page(&ctx, &user, id.into_inner(), None).await
}

async fn reply(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<MessageForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, id) = (posted.user, id.into_inner());
    // Only an appeal's page replies: the same 404 as the page for anything else.
    let appeal = bureau_board::detail(&ctx, &user.actor, id.clone())
        .await
        .map_err(|e| user.fail(e))?
        .appeal;
    if !appeal {
        return Err(user.fail(AppError::not_found()));
    }
    let req = MessageRequest {
        body: posted.form.body,
        to: MessageRecipient::Reporter,
    };
    match bureau::message(&ctx, &user.actor, id.clone(), req).await {
        Ok(_) => Ok(see_other(&format!(
            "/console/bureau/appeals/{id}#conversation"
        ))),
        Err(e) => page(&ctx, &user, id, Some(&e)).await,
    }
}
