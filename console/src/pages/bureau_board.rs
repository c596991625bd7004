//! 清零看板, the bureau officer's landing page: the jurisdiction's open major hazards large at
//! the top, every enterprise of the jurisdiction a row (open, overdue and closed major hazards,
//! open escalations, average days to close, 动态清零 ✓ or the number still open), sortable by
//! plain links, each number a link to the list behind it, a twelve-month SVG chart of
//! escalations opened and closed (drawn here, like 概览's), and the same board as XLSX. One
//! enterprise's page lists its open major hazards (`/api/v1/bureau/overview/{id}`). Everything
//! through `services::{bureau, bureau_board}`: the officer sees what the API shows them, and an
//! enterprise of another jurisdiction is 404.

use actix_web::{HttpResponse, web};
use askama::Template;
use qingling_api::AppContext;
use qingling_api::domain::Role;
use qingling_api::services::bureau::{self, DrillDownList};
use qingling_api::services::bureau_board::{self, BoardSort};
use serde::Deserialize;

use super::NavEntry;
use super::exports::{XLSX, attachment};
use super::overview::{Chart, two_bar_chart};
use crate::error::ConsoleError;
use crate::labels;
use crate::messages::Messages;
use crate::render::{self, Chrome, beijing};
use crate::session::SignedInUser;

/// Bureau officers.
pub const BUREAU: &[Role] = &[Role::BureauOfficer];

/// 清零看板 in the navigation (the officer's first entry: the landing page).
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/bureau",
    label: |m| m.nav_board,
    roles: BUREAU,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/bureau", web::get().to(board))
        .route("/bureau/board.xlsx", web::get().to(board_xlsx))
        .route("/bureau/enterprises/{id}", web::get().to(enterprise));
}

/// `?sort=`.
#[derive(Debug, Default, Deserialize)]
struct SortQuery {
    #[serde(default)]
    sort: String,
}

/// A column heading that sorts the board.
#[derive(Debug)]
struct SortLink {
    label: &'static str,
    href: String,
    current: bool,
    numeric: bool,
}

/// A row of the board.
#[derive(Debug)]
struct Line {
    name: String,
    href: String,
    open: i64,
    overdue: i64,
    overdue_href: String,
    closed: i64,
    closed_href: String,
    escalations: i64,
    escalations_href: String,
    days: String,
    cleared: bool,
    still_open: i64,
}

#[derive(Template)]
#[template(path = "bureau_board.html")]
struct BoardPage {
    chrome: Chrome,
    heads: Vec<SortLink>,
    lines: Vec<Line>,
    open_major: i64,
    overdue_major: i64,
    open_escalations: i64,
    cleared: usize,
    total: usize,
    xlsx: String,
    chart: Chart,
    months: Vec<(String, i64, i64)>,
    as_of: String,
}

fn label(m: &'static Messages, s: BoardSort) -> &'static str {
    match s {
        BoardSort::Name => m.board_enterprise,
        BoardSort::OpenMajor => m.board_col_open,
        BoardSort::Overdue => m.board_col_overdue,
        BoardSort::Closed => m.board_col_closed,
        BoardSort::Escalations => m.board_col_escalations,
        BoardSort::Days => m.board_col_days,
    }
}

async fn board(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<SortQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let sort = BoardSort::parse(&q.sort);
    let b = bureau_board::board(&ctx, &user.actor, sort)
        .await
        .map_err(|e| user.fail(e))?;
    let heads = BoardSort::ALL
        .into_iter()
        .map(|s| SortLink {
            label: label(m, s),
            href: format!("/console/bureau?sort={}", s.as_str()),
            current: s == sort,
            numeric: s != BoardSort::Name,
        })
        .collect();
    let lines = b
        .enterprises
        .iter()
        .map(|e| {
            let href = format!("/console/bureau/enterprises/{}", e.enterprise_id);
            Line {
                name: e.name.clone(),
                overdue_href: format!("{href}?overdue=1"),
                closed_href: format!("{href}?closed=1"),
                href,
                open: e.open_major_hazards,
                overdue: e.overdue_major_hazards,
                closed: e.closed_major_hazards,
                escalations: e.open_escalations,
                escalations_href: format!(
                    "/console/bureau/escalations?enterprise={}&status=active",
                    e.enterprise_id
                ),
                days: bureau_board::days(e.average_major_hazard_close_seconds),
                cleared: e.cleared_to_zero,
                still_open: e.open_major_hazards + e.open_escalations,
            }
        })
        .collect();
    let months: Vec<(String, i64, i64)> = b
        .months
        .iter()
        .map(|c| (c.month.clone(), c.opened, c.closed))
        .collect();
    let page = BoardPage {
        chrome: Chrome::new(&user, "/console/bureau"),
        heads,
        lines,
        open_major: b.open_major,
        overdue_major: b.overdue_major,
        open_escalations: b.open_escalations,
        cleared: b.cleared,
        total: b.enterprises.len(),
        xlsx: format!("/console/bureau/board.xlsx?sort={}", sort.as_str()),
        chart: two_bar_chart(
            m,
            &months,
            [
                ("bar registered", m.chart_opened),
                ("bar closed", m.chart_done),
            ],
        ),
        months,
        as_of: beijing(&qingling_api::store::time::to_rfc3339(
            qingling_api::store::time::now(),
        )),
    };
    render::html(user.lang, &page)
}

async fn board_xlsx(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<SortQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let bytes = bureau_board::board_xlsx(&ctx, &user.actor, BoardSort::parse(&q.sort))
        .await
        .map_err(|e| user.fail(e))?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header(attachment("qingling-board.xlsx"))
        .body(bytes))
}

/// `?overdue=1` (only the overdue open ones) or `?closed=1` (the closed ones instead).
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    closed: String,
}

#[derive(Debug)]
struct HazardLine {
    title: String,
    status: &'static str,
    status_class: &'static str,
    registered: String,
    deadline: String,
    overdue: bool,
    closed_on: String,
}

#[derive(Template)]
#[template(path = "bureau_enterprise.html")]
struct EnterprisePage {
    chrome: Chrome,
    id: String,
    name: String,
    open: i64,
    overdue: i64,
    closed: i64,
    escalations: i64,
    days: String,
    cleared: bool,
    only_overdue: bool,
    show_closed: bool,
    cut: bool,
    hazards: Vec<HazardLine>,
}

async fn enterprise(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    id: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let show_closed = !q.closed.is_empty();
    let list = if show_closed {
        DrillDownList::Closed
    } else {
        DrillDownList::Open
    };
    let d = bureau::drill_down_of(&ctx, &user.actor, id.into_inner(), list)
        .await
        .map_err(|e| user.fail(e))?;
    let only_overdue = !show_closed && !q.overdue.is_empty();
    let cut =
        i64::try_from(d.open_major_hazards_list.len()).unwrap_or(0) >= bureau::DRILL_DOWN_LIMIT;
    let hazards = d
        .open_major_hazards_list
        .iter()
        .filter(|h| !only_overdue || h.overdue)
        .map(|h| {
            let (status, status_class) = labels::hazard_status(m, &h.status);
            HazardLine {
                title: h.title.clone(),
                status,
                status_class,
                registered: beijing(&h.created_at),
                deadline: h.deadline.clone().unwrap_or_else(|| "—".to_owned()),
                overdue: h.overdue,
                closed_on: h.closed_at.as_deref().map(beijing).unwrap_or_default(),
            }
        })
        .collect();
    let c = &d.clearing;
    render::html(
        user.lang,
        &EnterprisePage {
            chrome: Chrome::new(&user, "/console/bureau"),
            id: c.enterprise_id.clone(),
            name: c.name.clone(),
            open: c.open_major_hazards,
            overdue: c.overdue_major_hazards,
            closed: c.closed_major_hazards,
            escalations: c.open_escalations,
            days: bureau_board::days(c.average_major_hazard_close_seconds),
            cleared: c.cleared_to_zero,
            only_overdue,
            show_closed,
            cut,
            hazards,
        },
    )
}
