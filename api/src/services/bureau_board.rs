//! What the bureau officer's console shows on top of `services::bureau`: the 清零看板 (every
//! enterprise of the jurisdiction with its counts, in the order asked for, the jurisdiction's
//! totals and twelve months of escalations opened and closed), the 督办事项 list with each
//! escalation's enterprise and subject named and the filters an officer uses (active, overdue,
//! appeals), and both as XLSX with Chinese headers.
//!
//! Scoping is `services::bureau`'s: the same officer check, the same jurisdiction prefix, the
//! same 404 for an escalation of another jurisdiction. Nothing here names a reporter: a subject
//! is its title, an appeal its escalation.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveTime, TimeDelta};

use crate::context::AppContext;
use crate::domain::escalation_state::EscalationStatus;
use crate::domain::ledger_sheet::beijing_date;
use crate::domain::{Actor, Role};
use crate::error::{AppError, AppResult};
use crate::services::bureau::{self, EnterpriseClearing, EscalationDetail, EscalationView};
use crate::services::dashboard::{CHART_MONTHS, month_key, month_start};
use crate::store::escalations::{self, EscalationRow, InboxFilter};
use crate::store::hazard_counts::beijing_month;
use crate::store::pagination::{MAX_LIMIT, PageRequest};
use crate::store::time;

/// How the board's rows are ordered (a column of the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BoardSort {
    /// Most open major hazards first (the default: the worst first).
    #[default]
    OpenMajor,
    /// Most overdue major hazards first.
    Overdue,
    /// Most closed major hazards first.
    Closed,
    /// Most open escalations first.
    Escalations,
    /// Slowest average time to close a major hazard first (none last).
    Days,
    /// Enterprise name.
    Name,
}

impl BoardSort {
    /// Every order, in the table's column order.
    pub const ALL: [Self; 6] = [
        Self::Name,
        Self::OpenMajor,
        Self::Overdue,
        Self::Closed,
        Self::Escalations,
        Self::Days,
    ];

    /// The name in a `sort=` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenMajor => "open",
            Self::Overdue => "overdue",
            Self::Closed => "closed",
            Self::Escalations => "escalations",
            Self::Days => "days",
            Self::Name => "name",
        }
    }

    /// Reads a `sort=` parameter; anything else is the default.
    pub fn parse(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .unwrap_or_default()
    }
}

/// One month of the board's chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationMonth {
    /// `YYYY-MM`, China Standard Time.
    pub month: String,
    /// Escalations opened that month.
    pub opened: i64,
    /// Escalations closed (销号) or dismissed that month.
    pub closed: i64,
}

/// The 清零看板 of the officer's jurisdiction.
#[derive(Debug)]
pub struct Board {
    /// Every enterprise of the jurisdiction, in the order asked for.
    pub enterprises: Vec<EnterpriseClearing>,
    /// Open major hazards of the whole jurisdiction: the number to drive to zero.
    pub open_major: i64,
    /// Of those, past their plan's deadline.
    pub overdue_major: i64,
    /// Escalations still with the bureau.
    pub open_escalations: i64,
    /// Enterprises at 动态清零.
    pub cleared: usize,
    /// Twelve months, oldest first.
    pub months: Vec<EscalationMonth>,
}

fn officer(actor: &Actor) -> AppResult<String> {
    match (&actor.role, &actor.jurisdiction) {
        (Role::BureauOfficer, Some(j)) => Ok(j.clone()),
        _ => Err(AppError::forbidden()),
    }
}

/// Orders the rows: the chosen count, largest first (name ascending), ties by name.
pub fn sort_rows(rows: &mut [EnterpriseClearing], sort: BoardSort) {
    let key = |e: &EnterpriseClearing| -> i64 {
        match sort {
            BoardSort::OpenMajor => e.open_major_hazards,
            BoardSort::Overdue => e.overdue_major_hazards,
            BoardSort::Closed => e.closed_major_hazards,
            BoardSort::Escalations => e.open_escalations,
            BoardSort::Days => e.average_major_hazard_close_seconds.unwrap_or(-1),
            BoardSort::Name => 0,
        }
    };
    rows.sort_by(|a, b| key(b).cmp(&key(a)).then_with(|| a.name.cmp(&b.name)));
}

/// The first instant (UTC) of the chart's first month, and its twelve month keys.
fn chart_months(now: chrono::NaiveDateTime) -> (chrono::NaiveDateTime, Vec<String>) {
    let day = beijing_date(now);
    let keys: Vec<String> = (0..CHART_MONTHS)
        .rev()
        .map(|back| month_key(month_start(day, back)))
        .collect();
    let first = month_start(day, CHART_MONTHS - 1).and_time(NaiveTime::MIN) - TimeDelta::hours(8);
    (first, keys)
}

/// Counts opened and closed escalations per chart month.
fn count_months(
    keys: &[String],
    rows: &[(chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)],
) -> Vec<EscalationMonth> {
    let mut by: BTreeMap<String, (i64, i64)> = keys.iter().map(|k| (k.clone(), (0, 0))).collect();
    for (opened, closed) in rows {
        if let Some(c) = by.get_mut(&beijing_month(*opened)) {
            c.0 += 1;
        }
        if let Some(c) = closed.and_then(|t| by.get_mut(&beijing_month(t))) {
            c.1 += 1;
        }
    }
    by.into_iter()
        .map(|(month, (opened, closed))| EscalationMonth {
            month,
            opened,
            closed,
        })
        .collect()
}

/// The board: the overview's rows (`services::bureau::overview`, maintained counts), sorted,
/// with the jurisdiction's totals and the chart's months.
pub async fn board(ctx: &AppContext, actor: &Actor, sort: BoardSort) -> AppResult<Board> {
    let jurisdiction = officer(actor)?;
    let mut enterprises = bureau::overview(ctx, actor).await?.enterprises;
    sort_rows(&mut enterprises, sort);
    let (since, keys) = chart_months(time::now());
    let rows = ctx
        .db(move |conn| {
            Ok(escalations::opened_and_closed_since(
                conn,
                &jurisdiction,
                since,
            )?)
        })
        .await?;
    Ok(Board {
        open_major: enterprises.iter().map(|e| e.open_major_hazards).sum(),
        overdue_major: enterprises.iter().map(|e| e.overdue_major_hazards).sum(),
        open_escalations: enterprises.iter().map(|e| e.open_escalations).sum(),
        cleared: enterprises.iter().filter(|e| e.cleared_to_zero).count(),
        months: count_months(&keys, &rows),
        enterprises,
    })
}

/// Which escalations the officer's list shows.
#[derive(Debug, Clone, Default)]
pub struct LineQuery {
    /// Only this status.
    pub status: Option<EscalationStatus>,
    /// Only open, acknowledged or supervising ones.
    pub active_only: bool,
    /// Only this enterprise.
    pub enterprise_id: Option<String>,
    /// Only active ones past the bureau's deadline.
    pub overdue: bool,
    /// Only those a reporter appealed.
    pub appeals_only: bool,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size (1–200).
    pub limit: Option<i64>,
}

/// An escalation of the list, with its enterprise and its subject named.
#[derive(Debug)]
pub struct EscalationLine {
    /// The escalation as the API shows it.
    pub escalation: EscalationView,
    /// The enterprise's name.
    pub enterprise: String,
    /// The report's or hazard's title.
    pub subject_title: String,
}

/// A page of the list.
#[derive(Debug)]
pub struct LinePage {
    /// Newest first.
    pub items: Vec<EscalationLine>,
    /// Cursor of the next page.
    pub next_cursor: Option<String>,
}

fn inbox_filter(jurisdiction: String, q: &LineQuery) -> InboxFilter {
    InboxFilter {
        jurisdiction,
        status: q.status.map(|s| s.as_str().to_owned()),
        enterprise_id: q.enterprise_id.clone(),
        active_only: q.active_only,
        overdue_at: q.overdue.then(time::now),
        appeals_only: q.appeals_only,
    }
}

fn lines(
    conn: &mut crate::store::DbConn,
    rows: Vec<EscalationRow>,
) -> AppResult<Vec<EscalationLine>> {
    let mut ents: Vec<String> = rows.iter().map(|r| r.enterprise_id.clone()).collect();
    ents.sort();
    ents.dedup();
    let pick = |t: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r.subject_type == t)
            .map(|r| r.subject_id.clone())
            .collect()
    };
    let (report_ids, hazard_ids) = (pick("report"), pick("hazard"));
    let names: HashMap<String, String> = escalations::enterprise_names(conn, &ents)?
        .into_iter()
        .collect();
    let titles: HashMap<String, String> =
        escalations::subject_titles(conn, &report_ids, &hazard_ids)?
            .into_iter()
            .collect();
    rows.into_iter()
        .map(|r| {
            Ok(EscalationLine {
                enterprise: names.get(&r.enterprise_id).cloned().unwrap_or_default(),
                subject_title: titles.get(&r.subject_id).cloned().unwrap_or_default(),
                escalation: bureau::view(r)?,
            })
        })
        .collect()
}

/// One page of the officer's escalations, newest first (keyset-paginated like the API's).
pub async fn list(ctx: &AppContext, actor: &Actor, q: LineQuery) -> AppResult<LinePage> {
    let filter = inbox_filter(officer(actor)?, &q);
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let p2 = page.clone();
    let (rows, next_cursor) = ctx
        .db(move |conn| {
            let rows = escalations::list(conn, &filter, &p2)?;
            let (rows, next) = p2.finish(rows, EscalationRow::cursor);
            Ok((lines(conn, rows)?, next))
        })
        .await?;
    Ok(LinePage {
        items: rows,
        next_cursor,
    })
}

/// One escalation as the officer's page shows it: the API's detail, its enterprise's name and
/// whether a reporter appealed it.
#[derive(Debug)]
pub struct Detail {
    /// What `GET /api/v1/bureau/escalations/{id}` answers.
    pub detail: EscalationDetail,
    /// The enterprise's name.
    pub enterprise: String,
    /// Whether a reporter's appeal opened or joined it.
    pub appeal: bool,
}

/// One escalation the officer supervises; 404 for any other (`services::bureau::get`'s check).
pub async fn detail(ctx: &AppContext, actor: &Actor, id: String) -> AppResult<Detail> {
    let detail = bureau::get(ctx, actor, id).await?;
    let (eid, esc) = (
        detail.escalation.enterprise_id.clone(),
        detail.escalation.id.clone(),
    );
    let (enterprise, appeal) = ctx
        .db(move |conn| {
            let name = escalations::enterprise_names(conn, &[eid])?
                .pop()
                .map(|(_, n)| n)
                .unwrap_or_default();
            Ok((name, escalations::has_appeal(conn, &esc)?))
        })
        .await?;
    Ok(Detail {
        detail,
        enterprise,
        appeal,
    })
}

/// Whether the bureau's deadline of a still active escalation has passed (the sweeper marks it
/// within a sweep; this also says so before it has).
pub fn past_deadline(e: &EscalationView, now: chrono::DateTime<chrono::Utc>) -> bool {
    e.status.is_active()
        && (e.overdue
            || e.bureau_deadline
                .as_deref()
                .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
                .is_some_and(|d| d < now))
}

/// Most rows an escalation export holds.
pub const EXPORT_LIMIT: usize = 20_000;

/// A status in the words of the console and the exports.
pub fn status_zh(s: EscalationStatus) -> &'static str {
    match s {
        EscalationStatus::Open => "待签收",
        EscalationStatus::Acknowledged => "已签收",
        EscalationStatus::Supervising => "督办中",
        EscalationStatus::Closed => "已销号",
        EscalationStatus::Dismissed => "不予立案",
    }
}

/// A trigger kind in Chinese.
pub fn trigger_zh(kind: &str) -> &'static str {
    match kind {
        "major_report_untriaged" => "重大隐患举报超时未处理",
        "report_untriaged" => "举报超时未处理",
        "appeal" => "举报人申诉",
        "plan_missing" => "重大隐患未按期制定整改方案",
        "plan_overdue" => "重大隐患逾期未整改",
        "bureau_deadline_passed" => "督办期限已过",
        _ => "其他",
    }
}

/// Seconds as days with one decimal (`1.5`), rounded half up; empty for none.
pub fn days(seconds: Option<i64>) -> String {
    seconds.map_or_else(String::new, |s| {
        let tenths = (s * 10 + 43_200) / 86_400;
        format!("{}.{}", tenths / 10, tenths % 10)
    })
}

fn sheet(name: &str, rows: Vec<Vec<String>>) -> AppResult<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(name).map_err(AppError::internal)?;
    for (i, row) in rows.iter().enumerate() {
        let r = u32::try_from(i).map_err(AppError::internal)?;
        for (j, cell) in row.iter().enumerate() {
            let c = u16::try_from(j).map_err(AppError::internal)?;
            sheet.write_string(r, c, cell).map_err(AppError::internal)?;
        }
    }
    book.save_to_buffer().map_err(AppError::internal)
}

/// The headers of the board's workbook.
pub const BOARD_HEADERS: [&str; 11] = [
    "企业名称",
    "辖区",
    "未销号重大隐患",
    "逾期重大隐患",
    "已销号重大隐患",
    "重大隐患平均销号天数",
    "未办结督办事项",
    "已办结督办事项",
    "督办事项平均办结天数",
    "动态清零",
    "统计时间",
];

/// The board as an XLSX workbook (sheet 清零看板), rows in the order asked for, with a last
/// line of the jurisdiction's totals.
pub async fn board_xlsx(ctx: &AppContext, actor: &Actor, sort: BoardSort) -> AppResult<Vec<u8>> {
    let b = board(ctx, actor, sort).await?;
    let at = beijing_date(time::now()).to_string();
    let mut rows = vec![BOARD_HEADERS.iter().map(|h| (*h).to_owned()).collect()];
    for e in &b.enterprises {
        rows.push(vec![
            e.name.clone(),
            e.jurisdiction.clone(),
            e.open_major_hazards.to_string(),
            e.overdue_major_hazards.to_string(),
            e.closed_major_hazards.to_string(),
            days(e.average_major_hazard_close_seconds),
            e.open_escalations.to_string(),
            e.closed_escalations.to_string(),
            days(e.average_close_seconds),
            if e.cleared_to_zero {
                "✓".to_owned()
            } else {
                format!("未清零（{}）", e.open_major_hazards + e.open_escalations)
            },
            at.clone(),
        ]);
    }
    rows.push(vec![
        "合计".to_owned(),
        String::new(),
        b.open_major.to_string(),
        b.overdue_major.to_string(),
        b.enterprises
            .iter()
            .map(|e| e.closed_major_hazards)
            .sum::<i64>()
            .to_string(),
        String::new(),
        b.open_escalations.to_string(),
        b.enterprises
            .iter()
            .map(|e| e.closed_escalations)
            .sum::<i64>()
            .to_string(),
        String::new(),
        format!("{}/{}", b.cleared, b.enterprises.len()),
        at,
    ]);
    ctx.cpu(move || sheet("清零看板", rows)).await
}

/// The headers of the escalations' workbook.
pub const ESCALATION_HEADERS: [&str; 11] = [
    "企业名称",
    "督办对象",
    "对象名称",
    "状态",
    "触发原因",
    "开启时间",
    "督办期限",
    "是否逾期",
    "督办要求",
    "办结时间",
    "不予立案理由",
];

fn beijing_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            (t.naive_utc() + TimeDelta::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// The officer's escalations matching `q` (all pages, at most [`EXPORT_LIMIT`]) as an XLSX
/// workbook (sheet 督办事项).
pub async fn escalations_xlsx(
    ctx: &AppContext,
    actor: &Actor,
    mut q: LineQuery,
) -> AppResult<Vec<u8>> {
    let mut rows = vec![
        ESCALATION_HEADERS
            .iter()
            .map(|h| (*h).to_owned())
            .collect::<Vec<_>>(),
    ];
    q.limit = Some(MAX_LIMIT);
    q.cursor = None;
    loop {
        let page = list(ctx, actor, q.clone()).await?;
        for l in page.items {
            let e = l.escalation;
            let overdue = past_deadline(&e, chrono::Utc::now());
            rows.push(vec![
                l.enterprise,
                if e.subject_type == "hazard" {
                    "隐患"
                } else {
                    "举报"
                }
                .to_owned(),
                l.subject_title,
                status_zh(e.status).to_owned(),
                e.triggers
                    .iter()
                    .map(|t| trigger_zh(&t.kind))
                    .collect::<Vec<_>>()
                    .join("；"),
                beijing_time(&e.opened_at),
                e.bureau_deadline
                    .as_deref()
                    .map(beijing_time)
                    .unwrap_or_default(),
                if overdue { "逾期" } else { "" }.to_owned(),
                e.instructions.unwrap_or_default(),
                e.closed_at.as_deref().map(beijing_time).unwrap_or_default(),
                e.dismiss_reason.unwrap_or_default(),
            ]);
        }
        match page.next_cursor {
            Some(c) if rows.len() <= EXPORT_LIMIT => q.cursor = Some(c),
            _ => break,
        }
    }
    ctx.cpu(move || sheet("督办事项", rows)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, open: i64, days: Option<i64>) -> EnterpriseClearing {
        EnterpriseClearing {
            enterprise_id: name.to_owned(),
            name: name.to_owned(),
            jurisdiction: "jb".into(),
            open_escalations: 0,
            closed_escalations: 0,
            average_close_seconds: None,
            open_major_hazards: open,
            overdue_major_hazards: 0,
            closed_major_hazards: 0,
            average_major_hazard_close_seconds: days,
            cleared_to_zero: open == 0,
        }
    }

    #[test]
    fn the_board_sorts_the_worst_first_and_by_name_on_ties() {
        let mut rows = vec![
            row("乙", 1, None),
            row("甲", 3, Some(10)),
            row("丙", 1, Some(99)),
        ];
        sort_rows(&mut rows, BoardSort::OpenMajor);
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["甲", "丙", "乙"]);
        sort_rows(&mut rows, BoardSort::Days);
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["丙", "甲", "乙"]);
        assert_eq!(BoardSort::parse("nonsense"), BoardSort::OpenMajor);
        assert_eq!(BoardSort::parse("name"), BoardSort::Name);
    }

    #[test]
    fn the_chart_counts_by_beijing_month_and_starts_at_its_midnight() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 3, 15)
            .unwrap()
            .and_hms_opt(4, 0, 0)
            .unwrap();
        let (since, keys) = chart_months(now);
        assert_eq!(keys.first().map(String::as_str), Some("2025-04"));
        assert_eq!(keys.last().map(String::as_str), Some("2026-03"));
        assert_eq!(since.to_string(), "2025-03-31 16:00:00");
        // 2026-02-28 17:00 UTC is already March in Beijing.
        let t = chrono::NaiveDate::from_ymd_opt(2026, 2, 28)
            .unwrap()
            .and_hms_opt(17, 0, 0)
            .unwrap();
        let months = count_months(&keys, &[(t, Some(now)), (since, None)]);
        assert_eq!(months.len(), 12);
        assert_eq!(months[11].opened, 1);
        assert_eq!(months[11].closed, 1);
        assert_eq!(months[0].opened, 1);
        assert_eq!(days(Some(86_400 * 3 / 2)), "1.5");
    }
}
