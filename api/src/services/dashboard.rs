//! 概览: where an enterprise stands today, for its safety managers and principal — the 清零
//! number (open major hazards), what is late, this quarter's hazards by level and area, the
//! average time to 销号 and twelve months of hazards registered and closed.
//!
//! Nothing here counts the ledger at request time. The open-major number comes from
//! `hazard_stats` and the months from `hazard_months`, both kept by the hazard transitions in
//! their own transaction (`store::hazard_counts`). What turns late by the clock (an overdue
//! hazard, a report past its triage deadline) cannot be a maintained count; it is counted
//! through a partial or covering index and stops at [`LATE_CAP`], which a page shows as
//! "500+" — the work of a request stays bounded whatever the size of the ledger.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use crate::context::AppContext;
use crate::domain::Actor;
use crate::domain::ledger_sheet::beijing_date;
use crate::domain::quarter::Quarter;
use crate::error::AppResult;
use crate::services::hazards::today;
use crate::services::ledger_common::staff_enterprise;
use crate::store::time;
use crate::store::{hazard_counts, hazards, reports};

/// Late things are counted up to this many; more reads as `LATE_CAP+`.
pub const LATE_CAP: i64 = 500;

/// How many months the chart shows, the current one last.
pub const CHART_MONTHS: u32 = 12;

/// A count that stops at [`LATE_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Capped {
    /// The count, at most [`LATE_CAP`].
    pub count: i64,
    /// Whether there are more than that.
    pub more: bool,
}

impl Capped {
    fn of(n: i64) -> Self {
        Self {
            count: n.min(LATE_CAP),
            more: n > LATE_CAP,
        }
    }
}

/// One month of the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthCounts {
    /// `YYYY-MM` (China Standard Time).
    pub month: String,
    /// Hazards put on the ledger that month.
    pub registered: i64,
    /// Hazards closed (销号) that month.
    pub closed: i64,
}

/// This quarter's hazards of one area (or of none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaCounts {
    /// Area id; `None` for hazards without an area.
    pub area_id: Option<String>,
    /// Its name (`None` for no area or an area since removed).
    pub area: Option<String>,
    /// General hazards registered this quarter.
    pub general: i64,
    /// Major hazards registered this quarter.
    pub major: i64,
}

/// The 概览 of the actor's enterprise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    /// Open major hazards: the number that must be driven to zero (清零).
    pub open_major: i64,
    /// Major hazards closed, ever.
    pub closed_major: i64,
    /// Open hazards of any level past their plan's deadline.
    pub overdue_hazards: Capped,
    /// Reports still waiting for triage past their triage deadline.
    pub late_reports: Capped,
    /// The current quarter (`2026Q4`).
    pub quarter: String,
    /// Hazards registered this quarter: general, major.
    pub quarter_general: i64,
    /// Major hazards registered this quarter.
    pub quarter_major: i64,
    /// This quarter's hazards per area, most first.
    pub quarter_areas: Vec<AreaCounts>,
    /// Hazards closed in the twelve months shown.
    pub closed_in_chart: i64,
    /// Average days from registration to 销号 of those, one decimal (`None` when none closed).
    pub average_close_days: Option<f64>,
    /// Twelve months, oldest first.
    pub months: Vec<MonthCounts>,
}

/// The first day of the month `back` months before `day`'s month.
pub(crate) fn month_start(day: NaiveDate, back: u32) -> NaiveDate {
    let first = day.with_day(1).unwrap_or(day);
    first.checked_sub_months(Months::new(back)).unwrap_or(first)
}

pub(crate) fn month_key(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// The 概览 of the actor's enterprise (safety managers and principals; others 403).
pub async fn dashboard(ctx: &AppContext, actor: &Actor) -> AppResult<Dashboard> {
    let ent = staff_enterprise(actor)?;
    let now = time::now();
    let day = beijing_date(now);
    let quarter = Quarter::of(day);
    let chart_keys: Vec<String> = (0..CHART_MONTHS)
        .rev()
        .map(|back| month_key(month_start(day, back)))
        .collect();
    let from = chart_keys.first().cloned().unwrap_or_default();
    let to = month_key(day);
    let (q_from, q_to) = (
        month_key(quarter.first_day()),
        month_key(month_start(quarter.end(), 1)),
    );
    // A report is late once its hour-floored submission time plus the deadline has passed
    // (the inbox's clock, `services::inbox`): floor_hour(created) < now − limit.
    let d = &ctx.settings.deadlines;
    let cutoff = |limit: std::time::Duration| {
        let limit = chrono::Duration::from_std(limit).unwrap_or(chrono::Duration::MAX);
        now.checked_sub_signed(limit)
            .map_or(chrono::NaiveDateTime::MIN, |t| {
                time::floor_hour(t) + chrono::Duration::hours(1)
            })
    };
    let (any_before, major_before) = (cutoff(d.triage), cutoff(d.triage_major));
    let q_lo = q_from.clone();
    let today = today();
    let (stats, rows, overdue, late, areas) = ctx
        .db(move |conn| {
            let stats = hazard_counts::of(conn, std::slice::from_ref(&ent))?;
            let lo = from.min(q_lo);
            let rows = hazard_counts::months_of(conn, &ent, &lo, &to)?;
            let overdue = hazard_counts::overdue_of(conn, &ent, &today, LATE_CAP + 1)?;
            let late = reports::untriaged_late(conn, &ent, any_before, major_before, LATE_CAP + 1)?;
            let area_ids: Vec<String> = rows
                .iter()
                .filter(|r| !r.area_id.is_empty())
                .map(|r| r.area_id.clone())
                .collect();
            let areas = hazards::area_names(conn, &ent, &area_ids)?;
            Ok((stats, rows, overdue, late, areas))
        })
        .await?;
    let areas: BTreeMap<String, String> = areas.into_iter().collect();
    let mut by_month: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut by_area: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let (mut closed, mut closed_secs) = (0i64, 0i64);
    let (mut q_general, mut q_major) = (0i64, 0i64);
    for r in &rows {
        if chart_keys.contains(&r.month) {
            let m = by_month.entry(r.month.as_str()).or_default();
            m.0 += r.registered;
            m.1 += r.closed;
            closed += r.closed;
            closed_secs += r.closed_seconds;
        }
        if r.month.as_str() >= q_from.as_str() && r.month.as_str() <= q_to.as_str() {
            let a = by_area.entry(r.area_id.as_str()).or_default();
            if r.level == "major" {
                a.1 += r.registered;
                q_major += r.registered;
            } else {
                a.0 += r.registered;
                q_general += r.registered;
            }
        }
    }
    let mut quarter_areas: Vec<AreaCounts> = by_area
        .into_iter()
        .filter(|(_, (g, m))| g + m > 0)
        .map(|(id, (general, major))| AreaCounts {
            area_id: (!id.is_empty()).then(|| id.to_owned()),
            area: areas.get(id).cloned(),
            general,
            major,
        })
        .collect();
    quarter_areas.sort_by_key(|a| std::cmp::Reverse(a.general + a.major));
    let stats = stats.first();
    Ok(Dashboard {
        open_major: stats.map_or(0, |s| s.open_major),
        closed_major: stats.map_or(0, |s| s.closed_major),
        overdue_hazards: Capped::of(overdue),
        late_reports: Capped::of(late),
        quarter: quarter.to_string(),
        quarter_general: q_general,
        quarter_major: q_major,
        quarter_areas,
        closed_in_chart: closed,
        average_close_days: (closed > 0)
            .then(|| (closed_secs as f64 / closed as f64 / 86_400.0 * 10.0).round() / 10.0),
        months: chart_keys
            .iter()
            .map(|k| {
                let (registered, closed) = by_month.get(k.as_str()).copied().unwrap_or_default();
                MonthCounts {
                    month: k.clone(),
                    registered,
                    closed,
                }
            })
            .collect(),
    })
}

/// The most major hazards one report to the workers' congress lists (a quarter with more is
/// itself the news; the page says the list is cut).
pub const CONGRESS_MAX: usize = 2000;

/// A major hazard as the report to the workers' congress lists it (Safety Production Law
/// art. 41: the major hazards and how each was handled). No report, reporter or staff names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CongressLine {
    /// Hazard id.
    pub id: String,
    /// 隐患名称.
    pub title: String,
    /// Area name.
    pub area: Option<String>,
    /// `report` | `sweep`.
    pub source: String,
    /// Day it went on the ledger (Beijing date).
    pub found_on: String,
    /// State name.
    pub status: String,
    /// The current plan's measures (整改措施).
    pub measures: Option<String>,
    /// 整改期限.
    pub deadline: Option<String>,
    /// Open and past its deadline.
    pub overdue: bool,
    /// Day it was closed (销号), Beijing date.
    pub closed_on: Option<String>,
}

/// The report of a quarter to the workers' congress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CongressReport {
    /// `2026Q4`.
    pub quarter: String,
    /// The quarter's major hazards, oldest first.
    pub hazards: Vec<CongressLine>,
    /// Of which closed.
    pub closed: usize,
    /// Whether the list stopped at [`CONGRESS_MAX`].
    pub cut: bool,
}

/// The major hazards registered in `quarter` (default: the current one) and how each was
/// handled, read through the ledger's `(enterprise, level, created_at)` index page by page.
pub async fn congress_report(
    ctx: &AppContext,
    actor: &Actor,
    quarter: Option<&str>,
) -> AppResult<CongressReport> {
    let ent = staff_enterprise(actor)?;
    let quarter = match quarter.filter(|q| !q.trim().is_empty()) {
        Some(q) => crate::services::hazards::quarter(q.trim())?,
        None => Quarter::of(beijing_date(time::now())),
    };
    let filter = hazards::HazardFilter {
        enterprise_id: ent.clone(),
        level: Some("major".to_owned()),
        quarter: Some(quarter.to_string()),
        ..hazards::HazardFilter::default()
    };
    let today = today();
    let (rows, measures, areas) = ctx
        .db(move |conn| {
            let mut rows = Vec::new();
            let mut page = crate::store::pagination::PageRequest::parse(None, Some(200))?;
            loop {
                let got = hazards::list(conn, &filter, &page)?;
                let (got, next) = page.finish(got, hazards::HazardRow::cursor);
                rows.extend(got);
                match next {
                    Some(c) if rows.len() < CONGRESS_MAX + 1 => {
                        page = crate::store::pagination::PageRequest::parse(Some(&c), Some(200))?;
                    }
                    _ => break,
                }
            }
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let area_ids: Vec<String> = rows.iter().filter_map(|r| r.area_id.clone()).collect();
            let measures = hazards::current_measures(conn, &ids)?;
            let areas = hazards::area_names(conn, &ent, &area_ids)?;
            Ok((rows, measures, areas))
        })
        .await?;
    let measures: BTreeMap<String, String> = measures.into_iter().collect();
    let areas: BTreeMap<String, String> = areas.into_iter().collect();
    let cut = rows.len() > CONGRESS_MAX;
    let mut lines: Vec<CongressLine> = rows
        .into_iter()
        .take(CONGRESS_MAX)
        .map(|r| CongressLine {
            overdue: r.status != "closed"
                && r.deadline.as_deref().is_some_and(|d| d < today.as_str()),
            area: r.area_id.as_ref().and_then(|a| areas.get(a)).cloned(),
            measures: measures.get(&r.id).cloned(),
            found_on: beijing_date(r.created_at).to_string(),
            closed_on: r.closed_at.map(|t| beijing_date(t).to_string()),
            id: r.id,
            title: r.title,
            source: r.source,
            status: r.status,
            deadline: r.deadline,
        })
        .collect();
    lines.reverse();
    Ok(CongressReport {
        quarter: quarter.to_string(),
        closed: lines.iter().filter(|l| l.status == "closed").count(),
        hazards: lines,
        cut,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_starts_eleven_months_before_this_one_across_a_year() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(month_key(month_start(d, 11)), "2025-04");
        assert_eq!(month_key(month_start(d, 0)), "2026-03");
        let q = Quarter::of(d);
        assert_eq!(month_key(month_start(q.end(), 1)), "2026-03");
    }

    #[test]
    fn a_late_count_stops_at_the_cap() {
        assert_eq!(
            Capped::of(3),
            Capped {
                count: 3,
                more: false
            }
        );
        assert_eq!(
            Capped::of(LATE_CAP + 1),
            Capped {
                count: LATE_CAP,
                more: true
            }
        );
    }
}
