//! 排查: record a quarterly sweep (quarter, who led it, what it covered, the date) and register
//! the hazards it found, with photos, on the ledger — through `services::hazards`
//! (`create_sweep`, `create_hazard` with the sweep's id), which checks the date is in the
//! quarter and sanitises the photos like a report's.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use qingling_api::AppContext;
use qingling_api::AppError;
use qingling_api::domain::criteria::Level;
use qingling_api::domain::ledger_sheet::beijing_date;
use qingling_api::domain::quarter::Quarter;
use qingling_api::services::hazards::{self, CreateHazardRequest, CreateSweepRequest};
use qingling_api::services::photos::MAX_ATTACHED;
use qingling_api::store::time;
use serde::Deserialize;

use super::inbox::{Choice, area_names, choices, some};
use super::{ENTERPRISE_STAFF, NavEntry};
use crate::csrf::Posted;
use crate::error::{ConsoleError, describe};
use crate::form;
use crate::labels;
use crate::render::{self, Chrome, see_other, status_of};
use crate::session::SignedInUser;

/// 排查 in the navigation.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/sweeps",
    label: |m| m.nav_sweeps,
    roles: ENTERPRISE_STAFF,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/sweeps", web::get().to(list))
        .route("/sweeps", web::post().to(record))
        .route("/sweeps/{id}", web::get().to(show))
        .route("/sweeps/{id}/findings", web::post().to(add_finding));
}

#[derive(Debug)]
struct SweepLine {
    href: String,
    quarter: String,
    date: String,
    leader: String,
    scope: String,
}

/// What the sweep form shows: today's quarter and date, or what was typed when refused.
#[derive(Debug, Deserialize)]
struct SweepForm {
    #[serde(default)]
    quarter: String,
    #[serde(default)]
    leader: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    date: String,
}

impl SweepForm {
    fn today() -> Self {
        let day = beijing_date(time::now());
        Self {
            quarter: Quarter::of(day).to_string(),
            leader: String::new(),
            scope: String::new(),
            date: day.format("%Y-%m-%d").to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "sweeps.html")]
struct SweepsPage {
    chrome: Chrome,
    error: Option<String>,
    sweeps: Vec<SweepLine>,
    form: SweepForm,
}

fn words(e: &AppError, user: &SignedInUser) -> String {
    let (t, d) = describe(e, user.lang);
    d.map_or(t.clone(), |d| format!("{t}：{d}"))
}

async fn sweeps_page(
    ctx: &AppContext,
    user: &SignedInUser,
    refused: Option<(&AppError, SweepForm)>,
) -> Result<HttpResponse, ConsoleError> {
    let sweeps = hazards::list_sweeps(ctx, &user.actor)
        .await
        .map_err(|e| user.fail(e))?
        .into_iter()
        .map(|s| SweepLine {
            href: format!("/console/sweeps/{}", s.id),
            quarter: s.quarter,
            date: s.date,
            leader: s.leader,
            scope: s.scope,
        })
        .collect();
    let status = refused
        .as_ref()
        .map_or(StatusCode::OK, |(e, _)| status_of(e));
    let (error, form) = match refused {
        Some((e, typed)) => (Some(words(e, user)), typed),
        None => (None, SweepForm::today()),
    };
    render::html_status(
        status,
        user.lang,
        &SweepsPage {
            chrome: Chrome::new(user, "/console/sweeps"),
            error,
            sweeps,
            form,
        },
    )
}

async fn list(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
) -> Result<HttpResponse, ConsoleError> {
    sweeps_page(&ctx, &user, None).await
}

async fn record(
    ctx: web::Data<AppContext>,
    posted: Posted<SweepForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let req = CreateSweepRequest {
        quarter: f.quarter.clone(),
        leader: f.leader.clone(),
        scope: f.scope.clone(),
        date: f.date.clone(),
    };
    match hazards::create_sweep(&ctx, &user.actor, req).await {
        Ok(s) => Ok(see_other(&format!("/console/sweeps/{}?recorded=1", s.id))),
        Err(e) => sweeps_page(&ctx, &user, Some((&e, f))).await,
    }
}

#[derive(Debug)]
struct Finding {
    href: String,
    title: String,
    level: &'static str,
    level_class: &'static str,
    status: &'static str,
    status_class: &'static str,
}

#[derive(Template)]
#[template(path = "sweep.html")]
struct SweepPage {
    chrome: Chrome,
    error: Option<String>,
    recorded: bool,
    id: String,
    quarter: String,
    date: String,
    leader: String,
    scope: String,
    findings: Vec<Finding>,
    areas: Vec<Choice>,
}

#[derive(Debug, Deserialize)]
struct SweepQuery {
    recorded: Option<String>,
}

async fn sweep_page(
    ctx: &AppContext,
    user: &SignedInUser,
    id: String,
    recorded: bool,
    error: Option<&AppError>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let (sweep, found) = hazards::sweep_findings(ctx, &user.actor, id)
        .await
        .map_err(|e| user.fail(e))?;
    let areas = area_names(ctx, user).await.map_err(|e| user.fail(e))?;
    let mut area_opts = vec![("", m.none)];
    area_opts.extend(areas.iter().map(|(i, n)| (i.as_str(), n.as_str())));
    let page = SweepPage {
        chrome: Chrome::new(user, "/console/sweeps"),
        error: error.map(|e| words(e, user)),
        recorded,
        quarter: sweep.quarter,
        date: sweep.date,
        leader: sweep.leader,
        scope: sweep.scope,
        findings: found
            .into_iter()
            .map(|h| {
                let (level, level_class) = labels::level(m, Some(&h.level));
                let (status, status_class) = labels::hazard_status(m, &h.status);
                Finding {
                    href: format!("/console/hazards/{}", h.id),
                    title: h.title,
                    level,
                    level_class,
                    status,
                    status_class,
                }
            })
            .collect(),
        areas: choices("", &area_opts),
        id: sweep.id,
    };
    render::html_status(error.map_or(StatusCode::OK, status_of), user.lang, &page)
}

async fn show(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    id: web::Path<String>,
    q: web::Query<SweepQuery>,
) -> Result<HttpResponse, ConsoleError> {
    sweep_page(&ctx, &user, id.into_inner(), q.recorded.is_some(), None).await
}

async fn add_finding(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    let form = form::read(&ctx, &req, &user, payload, MAX_ATTACHED).await?;
    let request = CreateHazardRequest {
        title: form.text("title"),
        description: form.text("description"),
        area_id: some(&form.text("area")),
        level: Level::parse(form.text("level").trim()),
        criterion_codes: None,
        sweep_id: Some(id.clone()),
    };
    match hazards::create_hazard(&ctx, &user.actor, request, form.photos).await {
        Ok(h) => Ok(see_other(&format!("/console/hazards/{}", h.hazard.id))),
        Err(e) => sweep_page(&ctx, &user, id, false, Some(&e)).await,
    }
}
