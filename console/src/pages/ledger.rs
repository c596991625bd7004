//! 隐患台账 and the hazard page: the ledger with its filters (status, level, overdue, area,
//! source), and one hazard with its 五落实 plan (保存整改方案; funds entered and shown in 元,
//! stored as fen), 上传整改证据 (a note and photos), 验收通过 / 验收不通过, the plan history and
//! timeline, and the photos before and after side by side. The rules — all five for a major
//! hazard, a verifier other than the responsible person, which step is allowed when — are the
//! services' (`services::{hazards, rectification}`); a refusal is shown in their words.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use qingling_api::AppContext;
use qingling_api::domain::criteria::Level;
use qingling_api::http::photo_answer::PhotoQuery;
use qingling_api::services::criteria::{self, CriteriaQuery};
use qingling_api::services::hazards::{self, HazardDetail, HazardQuery, Source};
use qingling_api::services::inbox;
use qingling_api::services::photos::MAX_ATTACHED;
use qingling_api::services::rectification::{self, EvidenceRequest, PlanRequest, VerifyRequest};
use qingling_api::{AppError, AppResult};
use serde::{Deserialize, Serialize};

use super::inbox::{Choice, PhotoLink, Step, area_names, choices, some};
use super::{ENTERPRISE_STAFF, NavEntry};
use crate::csrf::Posted;
use crate::error::{ConsoleError, describe};
use crate::form;
use crate::labels;
use crate::messages::Messages;
use crate::render::{self, Chrome, beijing, is_htmx, role_name, see_other, status_of, yuan};
use crate::session::SignedInUser;

/// 隐患台账 in the navigation.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/hazards",
    label: |m| m.nav_ledger,
    roles: ENTERPRISE_STAFF,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/hazards", web::get().to(list))
        .route("/hazards/{id}", web::get().to(show))
        .route("/hazards/{id}/plan", web::post().to(save_plan))
        .route("/hazards/{id}/evidence", web::post().to(upload_evidence))
        .route("/hazards/{id}/verify", web::post().to(verify))
        .route("/hazards/{id}/photos/{photo_id}", web::get().to(photo));
}

/// The ledger's filters, as the filter form and the paging links carry them.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct LedgerFilters {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    level: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    area: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    overdue: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    cursor: String,
}

#[derive(Debug)]
struct Row {
    href: String,
    title: String,
    level: &'static str,
    level_class: &'static str,
    status: &'static str,
    status_class: &'static str,
    area: String,
    source: &'static str,
    registered: String,
    deadline: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    chrome: Chrome,
    rows: Vec<Row>,
    statuses: Vec<Choice>,
    levels: Vec<Choice>,
    areas: Vec<Choice>,
    sources: Vec<Choice>,
    f: LedgerFilters,
    next: Option<String>,
    paged: bool,
}

#[derive(Template)]
#[template(path = "ledger_rows_partial.html")]
struct LedgerRows {
    chrome: Chrome,
    rows: Vec<Row>,
    next: Option<String>,
    paged: bool,
}

fn ledger_query(f: &LedgerFilters) -> HazardQuery {
    HazardQuery {
        level: Level::parse(f.level.trim()),
        status: some(&f.status),
        area_id: some(&f.area),
        source: match f.source.as_str() {
            "report" => Some(Source::Report),
            "sweep" => Some(Source::Sweep),
            _ => None,
        },
        quarter: None,
        overdue: (!f.overdue.is_empty()).then_some(true),
        cursor: some(&f.cursor),
        limit: Some(50),
    }
}

async fn list(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<LedgerFilters>,
) -> Result<HttpResponse, ConsoleError> {
    let f = q.into_inner();
    let m = user.lang.messages();
    let page = hazards::list_hazards(&ctx, &user.actor, ledger_query(&f))
        .await
        .map_err(|e| user.fail(e))?;
    let areas = area_names(&ctx, &user).await.map_err(|e| user.fail(e))?;
    let names: HashMap<&str, &str> = areas
        .iter()
        .map(|(i, n)| (i.as_str(), n.as_str()))
        .collect();
    let rows = page
        .items
        .iter()
        .map(|h| {
            let (level, level_class) = labels::level(m, Some(&h.level));
            let (status, status_class) = labels::hazard_status(m, &h.status);
            Row {
                href: format!("/console/hazards/{}", h.id),
                title: h.title.clone(),
                level,
                level_class,
                status,
                status_class,
                area: h
                    .area_id
                    .as_deref()
                    .and_then(|a| names.get(a).copied())
                    .unwrap_or("—")
                    .to_owned(),
                source: labels::source(m, &h.source),
                registered: beijing(&h.created_at),
                deadline: h.deadline.clone().unwrap_or_else(|| "—".to_owned()),
                overdue: h.overdue,
            }
        })
        .collect();
    let next = page.next_cursor.map(|c| {
        let mut n = f.clone();
        n.cursor = c;
        format!(
            "/console/hazards?{}",
            serde_html_form::to_string(&n).unwrap_or_default()
        )
    });
    let chrome = Chrome::new(&user, "/console/hazards");
    let paged = !f.cursor.is_empty();
    if is_htmx(&req) {
        return render::html(
            user.lang,
            &LedgerRows {
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
        &LedgerPage {
            statuses: choices(
                &f.status,
                &[
                    ("", m.any),
                    ("registered", m.hazard_registered),
                    ("rectifying", m.hazard_rectifying),
                    ("awaiting_verification", m.hazard_awaiting_verification),
                    ("closed", m.hazard_closed),
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
            sources: choices(
                &f.source,
                &[
                    ("", m.any),
                    ("report", m.source_report),
                    ("sweep", m.source_sweep),
                ],
            ),
            chrome,
            rows,
            f,
            next,
            paged,
        },
    )
}

#[derive(Debug)]
struct CriterionLine {
    code: String,
    article: String,
    summary: String,
}

#[derive(Debug)]
struct PlanLines {
    version: i32,
    measures: String,
    responsible_person: String,
    funds: String,
    deadline: String,
    contingency: String,
    at: String,
}

#[derive(Debug)]
struct EvidenceLines {
    note: String,
    at: String,
    photos: Vec<PhotoLink>,
}

/// What the plan form shows: the current plan, or what was just typed when it was refused.
#[derive(Debug, Default, Deserialize)]
struct PlanForm {
    #[serde(default)]
    measures: String,
    #[serde(default)]
    responsible_person: String,
    #[serde(default)]
    funds_yuan: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    contingency_plan: String,
}

#[derive(Template)]
#[template(path = "hazard.html")]
struct HazardPage {
    chrome: Chrome,
    error: Option<String>,
    id: String,
    title: String,
    description: String,
    level: &'static str,
    level_class: &'static str,
    major: bool,
    status: &'static str,
    status_class: &'static str,
    area: String,
    source: &'static str,
    report_href: Option<String>,
    quarter: String,
    registered: String,
    deadline: String,
    overdue: bool,
    closed: Option<String>,
    criteria: Vec<CriterionLine>,
    before: Vec<PhotoLink>,
    after: Vec<PhotoLink>,
    plan: Option<PlanLines>,
    history: Vec<PlanLines>,
    evidence: Vec<EvidenceLines>,
    timeline: Vec<Step>,
    can_plan: bool,
    can_evidence: bool,
    can_verify: bool,
    form: PlanForm,
}

fn plan_lines(m: &'static Messages, p: &qingling_api::services::hazards::PlanView) -> PlanLines {
    PlanLines {
        version: p.version,
        measures: p.measures.clone(),
        responsible_person: p.responsible_person.clone(),
        funds: p
            .funds_fen
            .map_or_else(|| "—".to_owned(), |f| format!("{} {}", yuan(f), m.yuan)),
        deadline: p.deadline.clone().unwrap_or_else(|| "—".to_owned()),
        contingency: p.contingency_plan.clone().unwrap_or_else(|| "—".to_owned()),
        at: beijing(&p.created_at),
    }
}

pub(crate) fn hazard_event_words(m: &'static Messages, kind: &str) -> String {
    match kind {
        "registered" => m.ev_registered,
        "plan" => m.ev_plan,
        "evidence" => m.ev_evidence,
        "verified" => m.verify_pass,
        "verification_failed" => m.verify_fail,
        "bureau_closed" => m.ev_bureau_closed,
        other => other,
    }
    .to_owned()
}

fn hazard_photo(id: &str, photo_id: &str, alt: String) -> PhotoLink {
    PhotoLink {
        thumb: format!("/console/hazards/{id}/photos/{photo_id}?size=thumb"),
        full: format!("/console/hazards/{id}/photos/{photo_id}"),
        alt,
    }
}

async fn hazard_page(
    ctx: &AppContext,
    user: &SignedInUser,
    id: String,
    error: Option<(&AppError, PlanForm)>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let d: HazardDetail = hazards::get_hazard(ctx, &user.actor, id)
        .await
        .map_err(|e| user.fail(e))?;
    let h = &d.hazard;
    let catalog = criteria::list_criteria(ctx, &user.actor, CriteriaQuery { sector: None })
        .await
        .map_err(|e| user.fail(e))?;
    let areas = area_names(ctx, user).await.map_err(|e| user.fail(e))?;
    // Before: the report's photos (for a reported hazard) or the sweep's; after: the evidence.
    let mut before: Vec<PhotoLink> = d
        .photos
        .iter()
        .enumerate()
        .map(|(i, p)| {
            hazard_photo(
                &h.id,
                &p.id,
                format!("{} {} {}", m.before, m.photo_alt, i + 1),
            )
        })
        .collect();
    if let Some(rid) = &h.report_id {
        let report = inbox::detail(ctx, &user.actor, rid.clone())
            .await
            .map_err(|e| user.fail(e))?;
        before.extend(report.photos.iter().enumerate().map(|(i, p)| PhotoLink {
            thumb: format!("/console/reports/{rid}/photos/{}?size=thumb", p.id),
            full: format!("/console/reports/{rid}/photos/{}", p.id),
            alt: format!("{} {} {}", m.before, m.photo_alt, i + 1),
        }));
    }
    let evidence: Vec<EvidenceLines> = d
        .evidence
        .iter()
        .map(|e| EvidenceLines {
            note: e.note.clone(),
            at: beijing(&e.created_at),
            photos: e
                .photos
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    hazard_photo(
                        &h.id,
                        &p.id,
                        format!("{} {} {}", m.after, m.photo_alt, i + 1),
                    )
                })
                .collect(),
        })
        .collect();
    let after = evidence
        .last()
        .map(|e| e.photos.clone())
        .unwrap_or_default();
    let (level, level_class) = labels::level(m, Some(&h.level));
    let (status, status_class) = labels::hazard_status(m, &h.status);
    let (error, typed) = match error {
        Some((e, typed)) => (Some(e), Some(typed)),
        None => (None, None),
    };
    let form = match typed {
        Some(typed) => typed,
        None => d
            .plan
            .as_ref()
            .map_or_else(PlanForm::default, |p| PlanForm {
                measures: p.measures.clone(),
                responsible_person: p.responsible_person.clone(),
                funds_yuan: p.funds_fen.map(yuan).unwrap_or_default(),
                deadline: p.deadline.clone().unwrap_or_default(),
                contingency_plan: p.contingency_plan.clone().unwrap_or_default(),
            }),
    };
    let page = HazardPage {
        chrome: Chrome::new(user, "/console/hazards"),
        error: error.map(|e| {
            let (t, d) = describe(e, user.lang);
            d.map_or(t.clone(), |d| format!("{t}：{d}"))
        }),
        title: h.title.clone(),
        description: h.description.clone(),
        level,
        level_class,
        major: h.level == "major",
        status,
        status_class,
        area: h
            .area_id
            .as_deref()
            .and_then(|a| areas.iter().find(|(i, _)| i == a))
            .map_or_else(|| "—".to_owned(), |(_, n)| n.clone()),
        source: labels::source(m, &h.source),
        report_href: h
            .report_id
            .as_ref()
            .map(|r| format!("/console/reports/{r}")),
        quarter: h.quarter.clone(),
        registered: beijing(&h.created_at),
        deadline: h.deadline.clone().unwrap_or_else(|| "—".to_owned()),
        overdue: h.overdue,
        closed: h.closed_at.as_deref().map(beijing),
        criteria: h
            .criterion_codes
            .iter()
            .map(|code| {
                let c = catalog.iter().find(|c| &c.code == code);
                CriterionLine {
                    code: code.clone(),
                    article: c.map(|c| c.article.clone()).unwrap_or_default(),
                    summary: c
                        .map(|c| user.lang.pick(&c.summary_zh, &c.summary_en).to_owned())
                        .unwrap_or_default(),
                }
            })
            .collect(),
        before,
        after,
        plan: d.plan.as_ref().map(|p| plan_lines(m, p)),
        history: d
            .plan_history
            .iter()
            .rev()
            .filter(|p| Some(p.version) != d.plan.as_ref().map(|c| c.version))
            .map(|p| plan_lines(m, p))
            .collect(),
        evidence,
        timeline: d
            .timeline
            .iter()
            .map(|e| Step {
                at: beijing(&e.at),
                who: role_name(m, e.actor_role.as_deref()),
                what: hazard_event_words(m, &e.kind),
                note: e.note.clone(),
            })
            .collect(),
        can_plan: matches!(h.status.as_str(), "registered" | "rectifying"),
        can_evidence: h.status == "rectifying",
        can_verify: h.status == "awaiting_verification",
        form,
        id: h.id.clone(),
    };
    let status = error.map_or(StatusCode::OK, status_of);
    render::html_status(status, user.lang, &page)
}

async fn show(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    hazard_page(&ctx, &user, id.into_inner(), None).await
}

fn plan_request(f: &PlanForm) -> AppResult<PlanRequest> {
    let funds_fen = match f.funds_yuan.trim() {
        "" => None,
        raw => Some(render::parse_yuan(raw).ok_or_else(|| {
            AppError::invalid(
                "funds_fen",
                "整改资金应为金额（元），最多两位小数",
                "funds must be an amount in yuan with at most two decimals",
            )
        })?),
    };
    Ok(PlanRequest {
        measures: f.measures.clone(),
        responsible_person: f.responsible_person.clone(),
        responsible_user_id: None,
        funds_fen,
        deadline: some(&f.deadline),
        contingency_plan: some(&f.contingency_plan),
    })
}

async fn save_plan(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<PlanForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, typed) = (posted.user, posted.form);
    let id = id.into_inner();
    let result = match plan_request(&typed) {
        Ok(req) => rectification::set_plan(&ctx, &user.actor, id.clone(), req).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/console/hazards/{id}#plan"))),
        Err(e) => hazard_page(&ctx, &user, id, Some((&e, typed))).await,
    }
}

async fn upload_evidence(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    let form = form::read(&ctx, &req, &user, payload, MAX_ATTACHED).await?;
    let result = rectification::add_evidence(
        &ctx,
        &user.actor,
        id.clone(),
        EvidenceRequest {
            note: form.text("note"),
        },
        form.photos,
    )
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/console/hazards/{id}#evidence"))),
        Err(e) => hazard_page(&ctx, &user, id, Some((&e, PlanForm::default()))).await,
    }
}

#[derive(Debug, Deserialize)]
struct VerifyForm {
    #[serde(default)]
    passed: String,
    #[serde(default)]
    note: String,
}

async fn verify(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<VerifyForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let id = id.into_inner();
    let req = VerifyRequest {
        passed: f.passed == "true",
        note: some(&f.note),
    };
    match rectification::verify(&ctx, &user.actor, id.clone(), req).await {
        Ok(_) => Ok(see_other(&format!("/console/hazards/{id}"))),
        Err(e) => hazard_page(&ctx, &user, id, Some((&e, PlanForm::default()))).await,
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
        hazards::photo(&ctx, &user.actor, id, photo_id, v)
    })
    .await
}
