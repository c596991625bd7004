//! 收件箱 and the report page: the enterprise's reports with their triage deadlines, one report
//! in full (photos, pseudonym, timeline, messages with the reporter), and triage — 受理 with a
//! level and criteria of the enterprise's sector, 重复 of a hazard on the ledger, 不予受理 with
//! a reason the reporter is shown. Everything through `services::{inbox, triage}`: a page sees
//! exactly what `GET /api/v1/reports` shows the same user, and another enterprise's report is 404.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use qingling_api::AppContext;
use qingling_api::domain::criteria::Level;
use qingling_api::http::photo_answer::PhotoQuery;
use qingling_api::services::admin;
use qingling_api::services::criteria::{self, CriteriaQuery, CriterionView};
use qingling_api::services::followup::MessageBody;
use qingling_api::services::hazards::{self, HazardQuery};
use qingling_api::services::inbox::{self, InboxItem, InboxQuery, ReportDetail};
use qingling_api::services::triage::{self, Decision, TriageRequest};
use qingling_api::{AppError, AppResult};
use serde::{Deserialize, Serialize};

use super::{ENTERPRISE_STAFF, NavEntry};
use crate::csrf::Posted;
use crate::error::{ConsoleError, describe};
use crate::labels;
use crate::messages::Messages;
use crate::render::{self, Chrome, beijing, is_htmx, role_name, see_other, span, status_of};
use crate::session::SignedInUser;

/// 收件箱 in the navigation.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/reports",
    label: |m| m.nav_inbox,
    roles: ENTERPRISE_STAFF,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/reports", web::get().to(list))
        .route("/reports/{id}", web::get().to(show))
        .route("/reports/{id}/triage", web::post().to(triage_report))
        .route("/reports/{id}/messages", web::post().to(message_reporter))
        .route("/reports/{id}/photos/{photo_id}", web::get().to(photo));
}

/// The inbox's filters, as the filter form and the paging links carry them.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct InboxFilters {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    level: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    area: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    from: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    to: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    cursor: String,
}

pub(crate) fn some(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A choice of a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// What it says.
    pub label: String,
    /// The current choice.
    pub selected: bool,
}

pub(crate) fn choices(current: &str, options: &[(&str, &str)]) -> Vec<Choice> {
    options
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).to_owned(),
            label: (*l).to_owned(),
            selected: *v == current,
        })
        .collect()
}

/// How a report stands against its triage deadline, in words and colour.
struct Clock {
    text: String,
    class: &'static str,
}

fn clock(m: &'static Messages, item: &InboxItem, now: DateTime<Utc>) -> Clock {
    let w = &item.waiting;
    if item.status != "submitted" {
        return Clock {
            text: format!("{} {}", m.triaged_after, span(m, w.waited_seconds)),
            class: if w.overdue {
                "clock late"
            } else {
                "clock done"
            },
        };
    }
    let due = DateTime::parse_from_rfc3339(&w.triage_due_at).map(|d| d.with_timezone(&Utc));
    let created = DateTime::parse_from_rfc3339(&item.created_at).map(|d| d.with_timezone(&Utc));
    match (due, created) {
        (Ok(due), Ok(created)) => {
            let left = (due - now).num_seconds();
            let window = (due - created).num_seconds().max(1);
            if left < 0 {
                Clock {
                    text: format!("{} {}", m.overdue_by, span(m, -left)),
                    class: "clock late",
                }
            } else {
                Clock {
                    text: format!("{} {}", m.time_left, span(m, left)),
                    // Near: the last quarter of the window (6 h of a major report's 24 h).
                    class: if left * 4 < window {
                        "clock near"
                    } else {
                        "clock ok"
                    },
                }
            }
        }
        _ => Clock {
            text: String::new(),
            class: "clock",
        },
    }
}

/// A row of the inbox.
#[derive(Debug)]
pub struct Row {
    href: String,
    title: String,
    status: &'static str,
    status_class: &'static str,
    level: &'static str,
    level_class: &'static str,
    area: String,
    submitted: String,
    due: String,
    clock: String,
    clock_class: &'static str,
    thumb: Option<String>,
    pseudonym: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    rows: Vec<Row>,
    statuses: Vec<Choice>,
    levels: Vec<Choice>,
    areas: Vec<Choice>,
    f: InboxFilters,
    next: Option<String>,
    paged: bool,
}

#[derive(Template)]
#[template(path = "inbox_rows_partial.html")]
struct InboxRows {
    chrome: Chrome,
    rows: Vec<Row>,
    next: Option<String>,
    paged: bool,
}

/// The areas of the user's enterprise by id.
pub(crate) async fn area_names(
    ctx: &AppContext,
    user: &SignedInUser,
) -> AppResult<Vec<(String, String)>> {
    let ent = inbox::handler_enterprise(&user.actor)?;
    Ok(admin::list_areas(ctx, &user.actor, ent)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
}

async fn list(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<InboxFilters>,
) -> Result<HttpResponse, ConsoleError> {
    let f = q.into_inner();
    let m = user.lang.messages();
    let page = inbox::list(
        &ctx,
        &user.actor,
        InboxQuery {
            status: some(&f.status),
            level: some(&f.level),
            area_id: some(&f.area),
            from: some(&f.from),
            to: some(&f.to),
            cursor: some(&f.cursor),
            limit: Some(50),
        },
    )
    .await
    .map_err(|e| user.fail(e))?;
    let areas = area_names(&ctx, &user).await.map_err(|e| user.fail(e))?;
    let names: HashMap<&str, &str> = areas
        .iter()
        .map(|(i, n)| (i.as_str(), n.as_str()))
        .collect();
    let now = Utc::now();
    let rows = page
        .items
        .iter()
        .map(|item| {
            let (status, status_class) = labels::report_status(m, &item.status);
            let (level, level_class) = labels::level(m, item.suspected_level.as_deref());
            let c = clock(m, item, now);
            Row {
                href: format!("/console/reports/{}", item.id),
                title: item.title.clone(),
                status,
                status_class,
                level,
                level_class,
                area: item
                    .area_id
                    .as_deref()
                    .and_then(|a| names.get(a).copied())
                    .unwrap_or("—")
                    .to_owned(),
                submitted: beijing(&item.created_at),
                due: beijing(&item.waiting.triage_due_at),
                clock: c.text,
                clock_class: c.class,
                thumb: item
                    .thumbnail_photo_id
                    .as_ref()
                    .map(|p| format!("/console/reports/{}/photos/{p}?size=thumb", item.id)),
                pseudonym: item.pseudonym.clone(),
            }
        })
        .collect();
    let next = page.next_cursor.map(|c| {
        let mut n = f.clone();
        n.cursor = c;
        format!(
            "/console/reports?{}",
            serde_html_form::to_string(&n).unwrap_or_default()
        )
    });
    let chrome = Chrome::new(&user, "/console/reports");
    let paged = !f.cursor.is_empty();
    if is_htmx(&req) {
        return render::html(
            user.lang,
            &InboxRows {
                chrome,
                rows,
                next,
                paged,
            },
        );
    }
    let mut area_opts = vec![("", m.any)];
    area_opts.extend(areas.iter().map(|(i, n)| (i.as_str(), n.as_str())));
    render::html(
        user.lang,
        &InboxPage {
            statuses: choices(
                &f.status,
                &[
                    ("", m.any),
                    ("submitted", m.report_submitted),
                    ("accepted", m.report_accepted),
                    ("duplicate", m.report_duplicate),
                    ("rejected", m.report_rejected),
                ],
            ),
            levels: choices(
                &f.level,
                &[
                    ("", m.any),
                    ("major", m.level_major),
                    ("general", m.level_general),
                ],
            ),
            areas: choices(&f.area, &area_opts),
            chrome,
            rows,
            f,
            next,
            paged,
        },
    )
}

/// A photo on a page: thumbnail and full copy.
#[derive(Debug, Clone)]
pub struct PhotoLink {
    /// The thumbnail's URL.
    pub thumb: String,
    /// The display copy's URL.
    pub full: String,
    /// Alt text.
    pub alt: String,
}

/// A timeline entry in words.
#[derive(Debug, Clone)]
pub struct Step {
    /// When.
    pub at: String,
    /// Which role acted.
    pub who: &'static str,
    /// What happened.
    pub what: String,
    /// Its note.
    pub note: Option<String>,
}

#[derive(Debug)]
struct MessageLine {
    from: &'static str,
    at: String,
    body: String,
    ours: bool,
}

#[derive(Debug)]
struct CriterionChoice {
    code: String,
    article: String,
    summary: String,
    checked: bool,
}

#[derive(Debug)]
struct HazardChoice {
    id: String,
    label: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    chrome: Chrome,
    error: Option<String>,
    id: String,
    title: String,
    description: String,
    status: &'static str,
    status_class: &'static str,
    level: &'static str,
    level_class: &'static str,
    area: String,
    submitted: String,
    due: String,
    clock: String,
    clock_class: &'static str,
    pseudonym: String,
    mode: &'static str,
    reporter_criteria: Vec<CriterionChoice>,
    photos: Vec<PhotoLink>,
    timeline: Vec<Step>,
    messages: Vec<MessageLine>,
    can_triage: bool,
    hazard_href: Option<String>,
    status_note: Option<String>,
    criteria: Vec<CriterionChoice>,
    open_hazards: Vec<HazardChoice>,
}

fn criterion_summary(m: &'static Messages, c: &CriterionView) -> String {
    if std::ptr::eq(m, &crate::messages::EN) {
        c.summary_en.clone()
    } else {
        c.summary_zh.clone()
    }
}

/// What a report event says, in words: the status it moved to, else its kind.
pub(crate) fn event_words(m: &'static Messages, kind: &str, to: Option<&str>) -> String {
    match to {
        Some(s) => labels::report_status(m, s).0.to_owned(),
        None => kind.to_owned(),
    }
}

async fn report_page(
    ctx: &AppContext,
    user: &SignedInUser,
    id: String,
    error: Option<&AppError>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let d: ReportDetail = inbox::detail(ctx, &user.actor, id)
        .await
        .map_err(|e| user.fail(e))?;
    let ent = inbox::handler_enterprise(&user.actor).map_err(|e| user.fail(e))?;
    let enterprise = admin::get_enterprise(ctx, &user.actor, ent)
        .await
        .map_err(|e| user.fail(e))?;
    let catalog = criteria::list_criteria(
        ctx,
        &user.actor,
        CriteriaQuery {
            sector: Some(enterprise.sector),
        },
    )
    .await
    .map_err(|e| user.fail(e))?;
    let areas = area_names(ctx, user).await.map_err(|e| user.fail(e))?;
    let can_triage = d.item.status == "submitted";
    let open_hazards = if can_triage {
        hazards::list_hazards(
            ctx,
            &user.actor,
            HazardQuery {
                level: None,
                status: None,
                area_id: None,
                source: None,
                quarter: None,
                overdue: None,
                cursor: None,
                limit: Some(100),
            },
        )
        .await
        .map_err(|e| user.fail(e))?
        .items
        .into_iter()
        .filter(|h| h.status != "closed")
        .map(|h| HazardChoice {
            label: format!(
                "{} · {} · {}",
                h.title,
                labels::level(m, Some(&h.level)).0,
                beijing(&h.created_at)
            ),
            id: h.id,
        })
        .collect()
    } else {
        Vec::new()
    };
    let (status, status_class) = labels::report_status(m, &d.item.status);
    let (level, level_class) = labels::level(m, d.item.suspected_level.as_deref());
    let c = clock(m, &d.item, Utc::now());
    let rid = d.item.id.clone();
    let page = ReportPage {
        chrome: Chrome::new(user, "/console/reports"),
        error: error.map(|e| {
            let (t, d) = describe(e, user.lang);
            d.map_or(t.clone(), |d| format!("{t}：{d}"))
        }),
        title: d.item.title.clone(),
        description: d.description.clone(),
        status,
        status_class,
        level,
        level_class,
        area: d
            .item
            .area_id
            .as_deref()
            .and_then(|a| areas.iter().find(|(i, _)| i == a))
            .map_or_else(|| "—".to_owned(), |(_, n)| n.clone()),
        submitted: beijing(&d.item.created_at),
        due: beijing(&d.item.waiting.triage_due_at),
        clock: c.text,
        clock_class: c.class,
        pseudonym: d.item.pseudonym.clone(),
        mode: if d.item.mode == "anonymous" {
            m.mode_anonymous
        } else {
            m.mode_confidential
        },
        reporter_criteria: d
            .criterion_codes
            .iter()
            .map(|code| {
                let c = catalog.iter().find(|c| &c.code == code);
                CriterionChoice {
                    code: code.clone(),
                    article: c.map(|c| c.article.clone()).unwrap_or_default(),
                    summary: c.map(|c| criterion_summary(m, c)).unwrap_or_default(),
                    checked: true,
                }
            })
            .collect(),
        photos: d
            .photos
            .iter()
            .enumerate()
            .map(|(i, p)| PhotoLink {
                thumb: format!("/console/reports/{rid}/photos/{}?size=thumb", p.id),
                full: format!("/console/reports/{rid}/photos/{}", p.id),
                alt: format!("{} {}", m.photo_alt, i + 1),
            })
            .collect(),
        timeline: d
            .timeline
            .iter()
            .map(|e| Step {
                at: beijing(&e.at),
                who: if e.actor_role.is_none() && e.kind == "submitted" {
                    m.role_worker
                } else {
                    role_name(m, e.actor_role.as_deref())
                },
                what: event_words(m, &e.kind, e.to_status.as_deref()),
                note: e.note.clone(),
            })
            .collect(),
        messages: d
            .messages
            .iter()
            .map(|msg| MessageLine {
                from: labels::sender(m, &msg.sender),
                at: beijing(&msg.created_at),
                body: msg.body.clone(),
                ours: msg.sender == "enterprise",
            })
            .collect(),
        can_triage,
        hazard_href: d
            .hazard_id
            .as_ref()
            .map(|h| format!("/console/hazards/{h}")),
        status_note: d.status_note.clone(),
        criteria: catalog
            .iter()
            .map(|c| CriterionChoice {
                code: c.code.clone(),
                article: c.article.clone(),
                summary: criterion_summary(m, c),
                checked: d.criterion_codes.contains(&c.code),
            })
            .collect(),
        open_hazards,
        id: rid,
    };
    let status = error.map_or(StatusCode::OK, status_of);
    render::html_status(status, user.lang, &page)
}

async fn show(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    report_page(&ctx, &user, id.into_inner(), None).await
}

/// The triage forms: 受理 (level, criteria), 重复 (hazard), 不予受理 (reason).
#[derive(Debug, Deserialize)]
struct TriageForm {
    decision: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    criterion: Vec<String>,
    #[serde(default)]
    duplicate_of: String,
    #[serde(default)]
    reason: String,
}

fn triage_request(f: TriageForm) -> AppResult<TriageRequest> {
    let decision = match f.decision.as_str() {
        "accept" => Decision::Accept,
        "duplicate" => Decision::Duplicate,
        "reject" => Decision::Reject,
        _ => {
            return Err(AppError::invalid(
                "decision",
                "请选择受理、重复或不予受理",
                "choose accept, duplicate or reject",
            ));
        }
    };
    Ok(TriageRequest {
        decision,
        level: Level::parse(f.level.trim()),
        criterion_codes: (!f.criterion.is_empty()).then_some(f.criterion),
        duplicate_of: some(&f.duplicate_of),
        reason: some(&f.reason),
    })
}

async fn triage_report(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<TriageForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, form) = (posted.user, posted.form);
    let id = id.into_inner();
    let result = match triage_request(form) {
        Ok(req) => triage::triage(&ctx, &user.actor, id.clone(), req).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(view) => Ok(see_other(&match view.hazard_id {
            Some(h) if view.status == "accepted" => format!("/console/hazards/{h}"),
            _ => format!("/console/reports/{id}"),
        })),
        Err(e) => report_page(&ctx, &user, id, Some(&e)).await,
    }
}

#[derive(Debug, Deserialize)]
struct MessageForm {
    #[serde(default)]
    body: String,
}

async fn message_reporter(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<MessageForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, form) = (posted.user, posted.form);
    let id = id.into_inner();
    match inbox::message(
        &ctx,
        &user.actor,
        id.clone(),
        MessageBody { body: form.body },
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/console/reports/{id}#messages"))),
        Err(e) => report_page(&ctx, &user, id, Some(&e)).await,
    }
}

async fn photo(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    path: web::Path<(String, String)>,
    q: web::Query<PhotoQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let (id, photo_id) = path.into_inner();
    render::photo(&user, &q, |v| {
        inbox::photo(&ctx, &user.actor, id, photo_id, v)
    })
    .await
}
