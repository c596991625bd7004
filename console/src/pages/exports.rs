//! 导出: a quarter (the current one unless another is picked) or a date range; the ledger as
//! CSV or XLSX and the reward ledger as CSV or XLSX through `services::exports` and
//! `services::reward_ledger` (the same bytes as `/api/v1/ledger.*` and `/api/v1/rewards.*`),
//! and the quarter's report to the workers' congress (Safety Production Law art. 41) as a
//! printable page (`services::dashboard::congress_report`; the print stylesheet drops the
//! console's frame) and as XLSX (`services::exports::congress`, from the same report).

use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpResponse, web};
use askama::Template;
use qingling_api::AppContext;
use qingling_api::domain::ledger_sheet::beijing_date;
use qingling_api::domain::quarter::Quarter;
use qingling_api::services::dashboard::{self, CongressLine};
use qingling_api::services::exports::{self, ExportQuery};
use qingling_api::services::reward_ledger;
use qingling_api::store::time;
use serde::Deserialize;

use super::{ENTERPRISE_STAFF, NavEntry};
use crate::error::ConsoleError;
use crate::labels;
use crate::render::{self, Chrome};
use crate::session::SignedInUser;

/// 导出 in the navigation.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/exports",
    label: |m| m.nav_exports,
    roles: ENTERPRISE_STAFF,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/exports", web::get().to(page))
        .route("/exports/ledger.csv", web::get().to(ledger_csv))
        .route("/exports/ledger.xlsx", web::get().to(ledger_xlsx))
        .route("/exports/rewards.csv", web::get().to(rewards_csv))
        .route("/exports/rewards.xlsx", web::get().to(rewards_xlsx))
        .route("/exports/congress", web::get().to(congress))
        .route("/exports/congress.xlsx", web::get().to(congress_xlsx));
}

/// What the forms send: a quarter, or a range (both ends inclusive).
#[derive(Debug, Default, Deserialize)]
struct RangeForm {
    #[serde(default)]
    quarter: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl RangeForm {
    /// A range when both ends are given, else the quarter (the current one when empty).
    fn query(&self) -> ExportQuery {
        let t = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        match (t(&self.from), t(&self.to)) {
            (Some(from), Some(to)) => ExportQuery {
                quarter: None,
                from: Some(from),
                to: Some(to),
            },
            _ => ExportQuery {
                quarter: Some(t(&self.quarter).unwrap_or_else(current_quarter)),
                from: None,
                to: None,
            },
        }
    }
}

fn current_quarter() -> String {
    Quarter::of(beijing_date(time::now())).to_string()
}

#[derive(Template)]
#[template(path = "exports.html")]
struct ExportsPage {
    chrome: Chrome,
    quarter: String,
}

async fn page(user: SignedInUser) -> Result<HttpResponse, ConsoleError> {
    // Only the ledger's staff export; the check is the service's (the download would refuse).
    qingling_api::services::ledger_common::staff_enterprise(&user.actor)
        .map_err(|e| user.fail(e))?;
    render::html(
        user.lang,
        &ExportsPage {
            chrome: Chrome::new(&user, "/console/exports"),
            quarter: current_quarter(),
        },
    )
}

pub(crate) fn attachment(name: &str) -> (actix_web::http::header::HeaderName, String) {
    (
        CONTENT_DISPOSITION,
        format!("attachment; filename=\"{name}\""),
    )
}

const CSV: &str = "text/csv; charset=utf-8";
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The ledger file's name: `台账` is left out so every browser keeps it (ASCII only).
fn ledger_name(q: &ExportQuery, ext: &str) -> String {
    match (&q.quarter, &q.from, &q.to) {
        (Some(qr), _, _) => format!("ledger-{qr}.{ext}"),
        (_, Some(f), Some(t)) => format!("ledger-{f}-{t}.{ext}"),
        _ => format!("ledger.{ext}"),
    }
}

async fn ledger_csv(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    f: web::Query<RangeForm>,
) -> Result<HttpResponse, ConsoleError> {
    let q = f.query();
    let range = exports::export_range(&user.actor, &q).map_err(|e| user.fail(e))?;
    Ok(HttpResponse::Ok()
        .content_type(CSV)
        .insert_header(attachment(&ledger_name(&q, "csv")))
        .streaming(exports::csv_stream(&ctx, range)))
}

async fn ledger_xlsx(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    f: web::Query<RangeForm>,
) -> Result<HttpResponse, ConsoleError> {
    let q = f.query();
    let range = exports::export_range(&user.actor, &q).map_err(|e| user.fail(e))?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header(attachment(&ledger_name(&q, "xlsx")))
        .streaming(exports::xlsx_stream(&ctx, range)))
}

async fn rewards_csv(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
) -> Result<HttpResponse, ConsoleError> {
    let bytes = reward_ledger::csv(&ctx, &user.actor, None)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(HttpResponse::Ok()
        .content_type(CSV)
        .insert_header(attachment("rewards.csv"))
        .body(bytes))
}

async fn rewards_xlsx(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
) -> Result<HttpResponse, ConsoleError> {
    let bytes = reward_ledger::xlsx(&ctx, &user.actor, None)
        .await
        .map_err(|e| user.fail(e))?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header(attachment("rewards.xlsx"))
        .body(bytes))
}

async fn congress_xlsx(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    f: web::Query<RangeForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (quarter, bytes) =
        exports::congress::congress_xlsx(&ctx, &user.actor, Some(f.quarter.as_str()))
            .await
            .map_err(|e| user.fail(e))?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header(attachment(&format!("congress-{quarter}.xlsx")))
        .body(bytes))
}

/// A line of the congress report, in words.
#[derive(Debug)]
struct Line {
    href: String,
    title: String,
    area: String,
    source: &'static str,
    found_on: String,
    status: &'static str,
    status_class: &'static str,
    measures: String,
    deadline: String,
    overdue: bool,
    closed_on: String,
}

#[derive(Template)]
#[template(path = "congress.html")]
struct CongressPage {
    chrome: Chrome,
    quarter: String,
    xlsx_href: String,
    lines: Vec<Line>,
    total: usize,
    closed: usize,
    open: usize,
    cut: bool,
}

async fn congress(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    f: web::Query<RangeForm>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let r = dashboard::congress_report(&ctx, &user.actor, Some(f.quarter.as_str()))
        .await
        .map_err(|e| user.fail(e))?;
    let line = |h: CongressLine| {
        let (status, status_class) = labels::hazard_status(m, &h.status);
        Line {
            href: format!("/console/hazards/{}", h.id),
            title: h.title,
            area: h.area.unwrap_or_else(|| m.none.to_owned()),
            source: labels::source(m, &h.source),
            found_on: h.found_on,
            status,
            status_class,
            measures: h.measures.unwrap_or_else(|| m.congress_no_plan.to_owned()),
            deadline: h.deadline.unwrap_or_default(),
            overdue: h.overdue,
            closed_on: h.closed_on.unwrap_or_default(),
        }
    };
    let total = r.hazards.len();
    render::html(
        user.lang,
        &CongressPage {
            chrome: Chrome::new(&user, "/console/exports"),
            xlsx_href: format!("/console/exports/congress.xlsx?quarter={}", r.quarter),
            quarter: r.quarter,
            total,
            closed: r.closed,
            open: total - r.closed,
            cut: r.cut,
            lines: r.hazards.into_iter().map(line).collect(),
        },
    )
}
