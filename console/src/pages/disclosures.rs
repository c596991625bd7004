//! 身份披露, the custodians' pages over `services::disclosures`: the requests waiting for my
//! decision and those I made, a request with a written reason for a report, 批准 / 驳回 by a
//! second custodian, and the one-time reveal.
//!
//! The reveal is a POST (`/console/disclosures/{id}/open`): a GET would sit in the history and
//! be fetched again by the back button or a prefetch, and it is the one answer of the console
//! that carries an identity. Its page says `Cache-Control: no-store` like every page, warns
//! that the reveal is audited and shown to the reporter, and is never rendered twice — the
//! service refuses a second opening (410), so going back to it shows that refusal.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use qingling_api::AppContext;
use qingling_api::AppError;
use qingling_api::domain::Role;
use qingling_api::domain::disclosure_state::DisclosureStatus;
use qingling_api::services::disclosures::{
    self, CreateDisclosureRequest, DisclosureListItem, DisclosureQuery,
};
use serde::Deserialize;

use super::NavEntry;
use crate::csrf::Posted;
use crate::error::{ConsoleError, describe};
use crate::messages::Messages;
use crate::render::{self, Chrome, beijing, see_other, status_of};
use crate::session::SignedInUser;

/// 身份披露 in the navigation: custodians only.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/disclosures",
    label: |m| m.nav_disclosures,
    roles: &[Role::Custodian],
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/disclosures", web::get().to(list))
        .route("/disclosures", web::post().to(request))
        .route("/disclosures/{id}/approve", web::post().to(approve))
        .route("/disclosures/{id}/refuse", web::post().to(refuse))
        .route("/disclosures/{id}/open", web::post().to(open));
}

/// A request as a line of one of the two lists.
#[derive(Debug)]
struct Line {
    id: String,
    report_id: String,
    reason: String,
    status: &'static str,
    status_class: &'static str,
    requested_at: String,
    decided_at: String,
    may_decide: bool,
    may_open: bool,
}

fn status_words(m: &'static Messages, s: DisclosureStatus) -> (&'static str, &'static str) {
    match s {
        DisclosureStatus::Requested => (m.disclosure_requested, "badge waiting"),
        DisclosureStatus::Approved => (m.disclosure_approved, "badge review"),
        DisclosureStatus::Refused => (m.disclosure_refused, "badge muted"),
        DisclosureStatus::Opened => (m.disclosure_opened, "badge ok"),
    }
}

fn line(m: &'static Messages, item: DisclosureListItem) -> Line {
    let d = item.disclosure;
    let (status, status_class) = status_words(m, d.status);
    Line {
        status,
        status_class,
        requested_at: beijing(&d.created_at),
        decided_at: d.decided_at.as_deref().map(beijing).unwrap_or_default(),
        may_decide: item.may_decide,
        may_open: item.may_open,
        id: d.id,
        report_id: d.report_id,
        reason: d.reason,
    }
}

#[derive(Debug, Default, Deserialize)]
struct RequestForm {
    #[serde(default)]
    report: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "disclosures.html")]
struct ListPage {
    chrome: Chrome,
    error: Option<String>,
    notice: Option<&'static str>,
    waiting: Vec<Line>,
    mine: Vec<Line>,
    others: Vec<Line>,
    form: RequestForm,
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    report: Option<String>,
    done: Option<String>,
}

fn words(e: &AppError, user: &SignedInUser) -> String {
    let (t, d) = describe(e, user.lang);
    d.map_or(t.clone(), |d| format!("{t}：{d}"))
}

/// How many requests the page lists (newest first).
const LISTED: i64 = 200;

async fn list_page(
    ctx: &AppContext,
    user: &SignedInUser,
    form: RequestForm,
    notice: Option<&'static str>,
    refused: Option<&AppError>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let page = disclosures::list(
        ctx,
        &user.actor,
        DisclosureQuery {
            status: None,
            cursor: None,
            limit: Some(LISTED),
        },
    )
    .await
    .map_err(|e| user.fail(e))?;
    let (mut waiting, mut mine, mut others) = (Vec::new(), Vec::new(), Vec::new());
    for item in page.items {
        let by_me = item.disclosure.requested_by == user.actor.user_id;
        let l = line(m, item);
        if l.may_decide {
            waiting.push(l);
        } else if by_me {
            mine.push(l);
        } else {
            others.push(l);
        }
    }
    render::html_status(
        refused.map_or(StatusCode::OK, status_of),
        user.lang,
        &ListPage {
            chrome: Chrome::new(user, "/console/disclosures"),
            error: refused.map(|e| words(e, user)),
            notice,
            waiting,
            mine,
            others,
            form,
        },
    )
}

async fn list(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let q = q.into_inner();
    let m = user.lang.messages();
    let notice = match q.done.as_deref() {
        Some("requested") => Some(m.disclosure_done_requested),
        Some("approved") => Some(m.disclosure_done_approved),
        Some("refused") => Some(m.disclosure_done_refused),
        _ => None,
    };
    let form = RequestForm {
        report: q.report.unwrap_or_default(),
        reason: String::new(),
    };
    list_page(&ctx, &user, form, notice, None).await
}

async fn request(
    ctx: web::Data<AppContext>,
    posted: Posted<RequestForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let req = CreateDisclosureRequest {
        reason: f.reason.clone(),
    };
    match disclosures::request(&ctx, &user.actor, f.report.trim().to_owned(), req).await {
        Ok(_) => Ok(see_other("/console/disclosures?done=requested")),
        // Another enterprise's report or none at all: the same words, the form kept.
        Err(e) => list_page(&ctx, &user, f, None, Some(&e)).await,
    }
}

#[derive(Debug, Deserialize)]
struct Nothing {}

async fn decide(
    ctx: &AppContext,
    user: SignedInUser,
    id: String,
    approve: bool,
) -> Result<HttpResponse, ConsoleError> {
    match disclosures::decide(ctx, &user.actor, id, approve).await {
        Ok(_) => Ok(see_other(if approve {
            "/console/disclosures?done=approved"
        } else {
            "/console/disclosures?done=refused"
        })),
        Err(e) if e.code == qingling_api::ErrorCode::NotFound => Err(user.fail(e)),
        Err(e) => list_page(ctx, &user, RequestForm::default(), None, Some(&e)).await,
    }
}

async fn approve(
    ctx: web::Data<AppContext>,
    posted: Posted<Nothing>,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    decide(&ctx, posted.user, id.into_inner(), true).await
}

async fn refuse(
    ctx: web::Data<AppContext>,
    posted: Posted<Nothing>,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    decide(&ctx, posted.user, id.into_inner(), false).await
}

#[derive(Template)]
#[template(path = "disclosure_reveal.html")]
struct RevealPage {
    chrome: Chrome,
    report_id: String,
    reason: String,
    display_name: String,
    employee_no: Option<String>,
    phone: Option<String>,
}

async fn open(
    ctx: web::Data<AppContext>,
    posted: Posted<Nothing>,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let user = posted.user;
    let opened = disclosures::open(&ctx, &user.actor, id.into_inner())
        .await
        .map_err(|e| user.fail(e))?;
    let i = opened.identity;
    let mut res = render::html(
        user.lang,
        &RevealPage {
            chrome: Chrome::new(&user, "/console/disclosures"),
            report_id: opened.disclosure.report_id,
            reason: opened.disclosure.reason,
            display_name: i.display_name,
            employee_no: i.employee_no,
            phone: i.phone,
        },
    )?;
    // Not even a private cache, and nothing kept for the back button (bfcache).
    res.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store, private, max-age=0"),
    );
    Ok(res)
}
