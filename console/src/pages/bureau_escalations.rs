//! 督办事项: the officer's escalations (filters: status, enterprise, overdue; keyset pages; the
//! same list as XLSX) and one escalation in full — its triggers, its subject (the report or the
//! hazard with its 五落实 plan, evidence photos through the bureau's photo service, and the
//! enterprise's timeline by role), the bureau's deadline (a past one marked) and the actions
//! 签收, 督办 (a deadline date and instructions), 销号 and 不予立案 (a reason), plus a message to
//! the enterprise. Every rule is `services::bureau`'s: 销号 before the enterprise's passed
//! verification is refused there, in its words, shown here; another jurisdiction's escalation
//! is 404. Nothing here names a reporter.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use qingling_api::domain::escalation_state::EscalationStatus;
use qingling_api::http::photo_answer::PhotoQuery;
use qingling_api::services::bureau::{
    self, BureauAction, DismissRequest, MessageRecipient, MessageRequest, SuperviseRequest,
    TimelineEntry, TriggerView,
};
use qingling_api::services::bureau_board::{self, Detail, LineQuery};
use qingling_api::{AppContext, AppError};
use serde::{Deserialize, Serialize};

use super::NavEntry;
use super::bureau_board::BUREAU;
use super::exports::{XLSX, attachment};
use super::inbox::{Choice, PhotoLink, Step, choices, event_words, some};
use super::ledger::hazard_event_words;
use crate::csrf::Posted;
use crate::error::{ConsoleError, describe};
use crate::labels;
use crate::messages::Messages;
use crate::render::{self, Chrome, beijing, role_name, see_other, status_of, yuan};
use crate::session::SignedInUser;

/// 督办事项 in the navigation.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/bureau/escalations",
    label: |m| m.nav_escalations,
    roles: BUREAU,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/bureau/escalations", web::get().to(list))
        .route("/bureau/escalations.xlsx", web::get().to(xlsx))
        .route("/bureau/escalations/{id}", web::get().to(show))
        .route(
            "/bureau/escalations/{id}/acknowledge",
            web::post().to(acknowledge),
        )
        .route(
            "/bureau/escalations/{id}/supervise",
            web::post().to(supervise),
        )
        .route("/bureau/escalations/{id}/close", web::post().to(close))
        .route("/bureau/escalations/{id}/dismiss", web::post().to(dismiss))
        .route("/bureau/escalations/{id}/messages", web::post().to(message))
        .route(
            "/bureau/escalations/{id}/photos/{photo_id}",
            web::get().to(photo),
        );
}

/// An escalation's status in words, and its badge class.
pub fn status_label(m: &'static Messages, s: EscalationStatus) -> (&'static str, &'static str) {
    match s {
        EscalationStatus::Open => (m.esc_open, "badge waiting"),
        EscalationStatus::Acknowledged => (m.esc_acknowledged, "badge working"),
        EscalationStatus::Supervising => (m.esc_supervising, "badge review"),
        EscalationStatus::Closed => (m.esc_closed, "badge ok"),
        EscalationStatus::Dismissed => (m.esc_dismissed, "badge muted"),
    }
}

/// A trigger kind in words.
pub fn trigger_label(m: &'static Messages, kind: &str) -> &'static str {
    match kind {
        "major_report_untriaged" => m.trig_major_report_untriaged,
        "report_untriaged" => m.trig_report_untriaged,
        "appeal" => m.trig_appeal,
        "plan_missing" => m.trig_plan_missing,
        "plan_overdue" => m.trig_plan_overdue,
        "bureau_deadline_passed" => m.trig_bureau_deadline_passed,
        _ => m.trig_other,
    }
}

/// The kind of subject in words.
pub fn subject_label(m: &'static Messages, subject_type: &str) -> &'static str {
    if subject_type == "hazard" {
        m.subject_hazard
    } else {
        m.subject_report
    }
}

/// The triggers of an escalation in words, joined.
pub fn triggers_text(m: &'static Messages, triggers: &[TriggerView]) -> String {
    let sep = if std::ptr::eq(m, &crate::messages::EN) {
        "; "
    } else {
        "；"
    };
    triggers
        .iter()
        .map(|t| trigger_label(m, &t.kind))
        .collect::<Vec<_>>()
        .join(sep)
}

/// The list's filters, as the filter form and the paging links carry them.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct Filters {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    enterprise: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    overdue: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    cursor: String,
}

impl Filters {
    /// The link to the page after this one (`cursor` from the service), filters kept.
    pub fn next_href(&self, base: &str, cursor: String) -> String {
        let mut n = self.clone();
        n.cursor = cursor;
        format!(
            "{base}?{}",
            serde_html_form::to_string(&n).unwrap_or_default()
        )
    }

    /// The service's query for these filters.
    pub fn query(&self, appeals_only: bool) -> LineQuery {
        LineQuery {
            status: EscalationStatus::parse(self.status.trim()),
            active_only: self.status == "active",
            enterprise_id: some(&self.enterprise),
            overdue: !self.overdue.is_empty(),
            appeals_only,
            cursor: some(&self.cursor),
            limit: Some(50),
        }
    }
}

/// A row of the list (also the appeals' list).
#[derive(Debug)]
pub struct Row {
    /// The escalation's (or the appeal's) page.
    pub href: String,
    /// Subject title.
    pub title: String,
    /// 举报 or 隐患.
    pub subject: &'static str,
    /// Enterprise name.
    pub enterprise: String,
    /// Status in words.
    pub status: &'static str,
    /// Its badge.
    pub status_class: &'static str,
    /// Triggers in words.
    pub triggers: String,
    /// Opened, Beijing time.
    pub opened: String,
    /// Bureau deadline, Beijing time, or "".
    pub deadline: String,
    /// Past the bureau's deadline while active.
    pub past: bool,
    /// Last change, Beijing time.
    pub updated: String,
}

/// The rows of a page of escalations; `base` is the path of each row's page.
pub fn rows(
    m: &'static Messages,
    items: Vec<bureau_board::EscalationLine>,
    base: &str,
) -> Vec<Row> {
    let now = Utc::now();
    items
        .into_iter()
        .map(|l| {
            let e = &l.escalation;
            let (status, status_class) = status_label(m, e.status);
            Row {
                href: format!("{base}/{}", e.id),
                subject: subject_label(m, &e.subject_type),
                triggers: triggers_text(m, &e.triggers),
                opened: beijing(&e.opened_at),
                deadline: e
                    .bureau_deadline
                    .as_deref()
                    .map(beijing)
                    .unwrap_or_default(),
                past: bureau_board::past_deadline(e, now),
                updated: beijing(&e.updated_at),
                status,
                status_class,
                title: l.subject_title,
                enterprise: l.enterprise,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "bureau_escalations.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    statuses: Vec<Choice>,
    enterprises: Vec<Choice>,
    f: Filters,
    xlsx: String,
    next: Option<String>,
    paged: bool,
}

async fn list(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<Filters>,
) -> Result<HttpResponse, ConsoleError> {
    let f = q.into_inner();
    let m = user.lang.messages();
    let page = bureau_board::list(&ctx, &user.actor, f.query(false))
        .await
        .map_err(|e| user.fail(e))?;
    let overview = bureau::overview(&ctx, &user.actor)
        .await
        .map_err(|e| user.fail(e))?;
    let mut ents = vec![("", m.any)];
    ents.extend(
        overview
            .enterprises
            .iter()
            .map(|e| (e.enterprise_id.as_str(), e.name.as_str())),
    );
    let next = page
        .next_cursor
        .clone()
        .map(|c| f.next_href("/console/bureau/escalations", c));
    let mut all = f.clone();
    all.cursor.clear();
    render::html(
        user.lang,
        &ListPage {
            chrome: Chrome::new(&user, "/console/bureau/escalations"),
            rows: rows(m, page.items, "/console/bureau/escalations"),
            statuses: choices(
                &f.status,
                &[
                    ("", m.any),
                    ("active", m.esc_active),
                    ("open", m.esc_open),
                    ("acknowledged", m.esc_acknowledged),
                    ("supervising", m.esc_supervising),
                    ("closed", m.esc_closed),
                    ("dismissed", m.esc_dismissed),
                ],
            ),
            enterprises: choices(&f.enterprise, &ents),
            xlsx: format!(
                "/console/bureau/escalations.xlsx?{}",
                serde_html_form::to_string(&all).unwrap_or_default()
            ),
            paged: !f.cursor.is_empty(),
            f,
            next,
        },
    )
}

async fn xlsx(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<Filters>,
) -> Result<HttpResponse, ConsoleError> {
    let bytes = bureau_board::escalations_xlsx(&ctx, &user.actor, q.query(false))
        .await
        .map_err(|e| user.fail(e))?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header(attachment("qingling-escalations.xlsx"))
        .body(bytes))
}

/// What an escalation event says, in words.
fn escalation_words(m: &'static Messages, e: &TimelineEntry) -> String {
    match e.kind.as_str() {
        "opened" => m.ev_esc_opened,
        "trigger" => m.ev_esc_trigger,
        "acknowledged" => m.ev_esc_acknowledged,
        "supervising" => m.ev_esc_supervising,
        "closed" => m.ev_esc_closed,
        "dismissed" => m.ev_esc_dismissed,
        "message" => m.ev_esc_message,
        "message_to_reporter" => m.ev_esc_to_reporter,
        "reporter_message" => m.ev_esc_reporter_message,
        other => other,
    }
    .to_owned()
}

/// Who acted, by role: the reporter is named by role only, like everyone else.
pub fn who(m: &'static Messages, role: Option<&str>) -> &'static str {
    match role {
        Some("reporter") => m.sender_reporter,
        r => role_name(m, r),
    }
}

/// The steps of a timeline.
fn steps(
    m: &'static Messages,
    entries: &[TimelineEntry],
    words: impl Fn(&TimelineEntry) -> String,
) -> Vec<Step> {
    entries
        .iter()
        .map(|e| Step {
            at: beijing(&e.at),
            who: who(m, e.actor_role.as_deref()),
            what: words(e),
            note: e.note.clone(),
        })
        .collect()
}

#[derive(Debug)]
struct TriggerLine {
    what: &'static str,
    at: String,
}

#[derive(Debug)]
struct PlanLines {
    version: i32,
    measures: String,
    responsible_person: String,
    funds: String,
    deadline: String,
    contingency: String,
}

#[derive(Debug)]
struct EvidenceLines {
    note: String,
    at: String,
    photos: Vec<PhotoLink>,
}

/// The subject as the page shows it (report or hazard).
#[derive(Debug)]
struct Subject {
    title: String,
    description: String,
    kind: &'static str,
    area: String,
    level: &'static str,
    level_class: &'static str,
    status: &'static str,
    status_class: &'static str,
    status_note: Option<String>,
    at: String,
    deadline: Option<String>,
    overdue: bool,
    photos: Vec<PhotoLink>,
    plan: Option<PlanLines>,
    evidence: Vec<EvidenceLines>,
    is_hazard: bool,
}

#[derive(Template)]
#[template(path = "bureau_escalation.html")]
struct EscalationPage {
    chrome: Chrome,
    error: Option<String>,
    id: String,
    enterprise: String,
    status: &'static str,
    status_class: &'static str,
    triggers: Vec<TriggerLine>,
    opened: String,
    deadline: Option<String>,
    past: bool,
    instructions: Option<String>,
    dismiss_reason: Option<String>,
    closed: Option<String>,
    subject: Option<Subject>,
    subject_timeline: Vec<Step>,
    timeline: Vec<Step>,
    appeal_href: Option<String>,
    can_acknowledge: bool,
    can_supervise: bool,
    can_close: bool,
    active: bool,
    min_date: String,
}

fn photo_links(m: &'static Messages, id: &str, ids: &[String], what: &str) -> Vec<PhotoLink> {
    ids.iter()
        .enumerate()
        .map(|(i, p)| PhotoLink {
            thumb: format!("/console/bureau/escalations/{id}/photos/{p}?size=thumb"),
            full: format!("/console/bureau/escalations/{id}/photos/{p}"),
            alt: format!("{what} {} {}", m.photo_alt, i + 1),
        })
        .collect()
}

fn subject_of(m: &'static Messages, d: &Detail) -> (Option<Subject>, Vec<Step>) {
    let id = &d.detail.escalation.id;
    if let Some(r) = &d.detail.report {
        let (level, level_class) = labels::level(m, r.suspected_level.as_deref());
        let (status, status_class) = labels::report_status(m, &r.status);
        let timeline = steps(m, &r.timeline, |e| {
            event_words(m, &e.kind, e.to_status.as_deref())
        });
        return (
            Some(Subject {
                title: r.title.clone(),
                description: r.description.clone(),
                kind: m.esc_subject_report,
                area: r.area.clone().unwrap_or_else(|| "—".to_owned()),
                level,
                level_class,
                status,
                status_class,
                status_note: r.status_note.clone(),
                at: beijing(&r.created_at),
                deadline: None,
                overdue: false,
                photos: photo_links(m, id, &r.photo_ids, ""),
                plan: None,
                evidence: Vec::new(),
                is_hazard: false,
            }),
            timeline,
        );
    }
    let Some(h) = &d.detail.hazard else {
        return (None, Vec::new());
    };
    let v = &h.hazard;
    let (level, level_class) = labels::level(m, Some(&v.level));
    let (status, status_class) = labels::hazard_status(m, &v.status);
    (
        Some(Subject {
            title: v.title.clone(),
            description: v.description.clone(),
            kind: m.esc_subject_hazard,
            area: "—".to_owned(),
            level,
            level_class,
            status,
            status_class,
            status_note: None,
            at: beijing(&v.created_at),
            deadline: v.deadline.clone(),
            overdue: v.overdue,
            photos: photo_links(m, id, &h.photo_ids, m.before),
            plan: h.plan.as_ref().map(|p| PlanLines {
                version: p.version,
                measures: p.measures.clone(),
                responsible_person: p.responsible_person.clone(),
                funds: p
                    .funds_fen
                    .map_or_else(|| "—".to_owned(), |f| format!("{} {}", yuan(f), m.yuan)),
                deadline: p.deadline.clone().unwrap_or_else(|| "—".to_owned()),
                contingency: p.contingency_plan.clone().unwrap_or_else(|| "—".to_owned()),
            }),
            evidence: h
                .evidence
                .iter()
                .map(|e| EvidenceLines {
                    note: e.note.clone(),
                    at: beijing(&e.created_at),
                    photos: photo_links(m, id, &e.photo_ids, m.after),
                })
                .collect(),
            is_hazard: true,
        }),
        steps(m, &h.timeline, |e| hazard_event_words(m, &e.kind)),
    )
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
    let e = &d.detail.escalation;
    let (status, status_class) = status_label(m, e.status);
    let (subject, subject_timeline) = subject_of(m, &d);
    let today = qingling_api::domain::ledger_sheet::beijing_date(qingling_api::store::time::now());
    let p = EscalationPage {
        chrome: Chrome::new(user, "/console/bureau/escalations"),
        error: error.map(|e| {
            let (t, d) = describe(e, user.lang);
            d.map_or(t.clone(), |d| format!("{t}：{d}"))
        }),
        id: e.id.clone(),
        enterprise: d.enterprise.clone(),
        status,
        status_class,
        triggers: e
            .triggers
            .iter()
            .map(|t| TriggerLine {
                what: trigger_label(m, &t.kind),
                at: beijing(&t.at),
            })
            .collect(),
        opened: beijing(&e.opened_at),
        deadline: e.bureau_deadline.as_deref().map(beijing),
        past: bureau_board::past_deadline(e, Utc::now()),
        instructions: e.instructions.clone(),
        dismiss_reason: e.dismiss_reason.clone(),
        closed: e.closed_at.as_deref().map(beijing),
        subject,
        subject_timeline,
        timeline: steps(m, &d.detail.events, |ev| escalation_words(m, ev)),
        appeal_href: d
            .appeal
            .then(|| format!("/console/bureau/appeals/{}", e.id)),
        can_acknowledge: e.status == EscalationStatus::Open,
        can_supervise: e.status.is_active(),
        can_close: e.status == EscalationStatus::Supervising,
        active: e.status.is_active(),
        min_date: (today + chrono::TimeDelta::days(1)).to_string(),
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

/// Runs a bureau action and answers with the escalation's page (303), or the page with the
/// service's refusal in words.
async fn act(
    ctx: &AppContext,
    user: SignedInUser,
    id: String,
    action: BureauAction,
) -> Result<HttpResponse, ConsoleError> {
    match bureau::act(ctx, &user.actor, id.clone(), action).await {
        Ok(_) => Ok(see_other(&format!("/console/bureau/escalations/{id}"))),
        Err(e) => page(ctx, &user, id, Some(&e)).await,
    }
}

/// A form with nothing but its token.
#[derive(Debug, Deserialize)]
struct Empty {}

async fn acknowledge(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<Empty>,
) -> Result<HttpResponse, ConsoleError> {
    act(
        &ctx,
        posted.user,
        id.into_inner(),
        BureauAction::Acknowledge,
    )
    .await
}

async fn close(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<Empty>,
) -> Result<HttpResponse, ConsoleError> {
    act(&ctx, posted.user, id.into_inner(), BureauAction::Close).await
}

#[derive(Debug, Deserialize)]
struct SuperviseForm {
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    instructions: String,
}

/// A deadline date (`2026-12-31`) as the end of that day in Beijing; anything else is passed on
/// as typed, for the service to refuse in its words.
fn end_of_day(date: &str) -> String {
    let d = date.trim();
    match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
        Ok(day) => format!("{day}T23:59:59+08:00"),
        Err(_) => d.to_owned(),
    }
}

async fn supervise(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<SuperviseForm>,
) -> Result<HttpResponse, ConsoleError> {
    let f = posted.form;
    let action = BureauAction::Supervise(SuperviseRequest {
        deadline: end_of_day(&f.deadline),
        instructions: f.instructions,
    });
    act(&ctx, posted.user, id.into_inner(), action).await
}

#[derive(Debug, Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn dismiss(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<ReasonForm>,
) -> Result<HttpResponse, ConsoleError> {
    let action = BureauAction::Dismiss(DismissRequest {
        reason: posted.form.reason,
    });
    act(&ctx, posted.user, id.into_inner(), action).await
}

/// A message's text.
#[derive(Debug, Deserialize)]
pub struct MessageForm {
    /// Its text.
    #[serde(default)]
    pub body: String,
}

async fn message(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<MessageForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, id) = (posted.user, id.into_inner());
    let req = MessageRequest {
        body: posted.form.body,
        to: MessageRecipient::Enterprise,
    };
    match bureau::message(&ctx, &user.actor, id.clone(), req).await {
        Ok(_) => Ok(see_other(&format!(
            "/console/bureau/escalations/{id}#events"
        ))),
        Err(e) => page(&ctx, &user, id, Some(&e)).await,
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
        bureau::photo(&ctx, &user.actor, id, photo_id, v)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_date_is_the_end_of_that_day_in_beijing() {
        assert_eq!(end_of_day("2026-12-31"), "2026-12-31T23:59:59+08:00");
        assert_eq!(end_of_day(" x "), "x");
    }
}
