//! 概览, the landing page of safety managers and principals: the 清零 number large, what is
//! late, this quarter by level and area, the average time to 销号, and a twelve-month chart of
//! hazards registered and closed — an SVG drawn here on the server (no chart script), with the
//! same numbers as a table beside it for screen readers and print. The numbers come from
//! `services::dashboard`, which reads maintained counts, never the ledger.

use actix_web::{HttpResponse, web};
use askama::Template;
use qingling_api::AppContext;
use qingling_api::services::dashboard::{self, Capped, Dashboard, MonthCounts};

use super::{ENTERPRISE_STAFF, NavEntry};
use crate::error::ConsoleError;
use crate::messages::Messages;
use crate::render::{self, Chrome};
use crate::session::SignedInUser;

/// 概览 in the navigation (first: the landing page).
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/overview",
    label: |m| m.nav_overview,
    roles: ENTERPRISE_STAFF,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/overview", web::get().to(overview));
}

/// The chart's drawing area, in SVG units.
const WIDTH: i64 = 720;
const HEIGHT: i64 = 240;
const LEFT: i64 = 40;
const BOTTOM: i64 = 28;
const TOP: i64 = 12;

/// A bar of the chart.
#[derive(Debug)]
pub(crate) struct Bar {
    pub(crate) class: &'static str,
    pub(crate) x: i64,
    pub(crate) y: i64,
    pub(crate) w: i64,
    pub(crate) h: i64,
    /// What a pointer or a screen reader gets: "2026-11 登记 12".
    pub(crate) title: String,
}

/// A label on an axis.
#[derive(Debug)]
pub(crate) struct Tick {
    pub(crate) x: i64,
    pub(crate) y: i64,
    pub(crate) text: String,
}

/// The chart, ready to draw.
#[derive(Debug)]
pub(crate) struct Chart {
    pub(crate) width: i64,
    pub(crate) height: i64,
    pub(crate) base: i64,
    pub(crate) bars: Vec<Bar>,
    pub(crate) months: Vec<Tick>,
    pub(crate) scale: Vec<Tick>,
    pub(crate) left: i64,
    pub(crate) right: i64,
}

/// A round top for the axis: 1, 2, 5 × 10ⁿ at or above `max` (at least 4, so a quiet year
/// still has a scale).
fn axis_top(max: i64) -> i64 {
    let max = max.max(4);
    let mut step = 1i64;
    loop {
        for f in [1, 2, 5] {
            if f * step >= max {
                return f * step;
            }
        }
        step = step.saturating_mul(10);
    }
}

fn chart(m: &'static Messages, months: &[MonthCounts]) -> Chart {
    let series: Vec<(String, i64, i64)> = months
        .iter()
        .map(|c| (c.month.clone(), c.registered, c.closed))
        .collect();
    two_bar_chart(
        m,
        &series,
        [
            ("bar registered", m.chart_registered),
            ("bar closed", m.chart_closed),
        ],
    )
}

/// A chart of two bars a month (`(month, first, second)`, oldest first), each bar with its
/// class and label: 概览's hazards registered and closed, the bureau board's escalations opened
/// and closed.
pub(crate) fn two_bar_chart(
    m: &'static Messages,
    months: &[(String, i64, i64)],
    bars_of: [(&'static str, &'static str); 2],
) -> Chart {
    let top = axis_top(months.iter().map(|c| c.1.max(c.2)).max().unwrap_or(0));
    let plot_h = HEIGHT - BOTTOM - TOP;
    let base = HEIGHT - BOTTOM;
    let n = i64::try_from(months.len()).unwrap_or(1).max(1);
    let slot = (WIDTH - LEFT) / n;
    let bar_w = (slot - 8) / 2;
    let height_of = |v: i64| v * plot_h / top;
    let mut bars = Vec::with_capacity(months.len() * 2);
    let mut ticks = Vec::with_capacity(months.len());
    for (i, c) in (0i64..).zip(months) {
        let x0 = LEFT + i * slot + 4;
        for (k, (class, label, v)) in [
            (bars_of[0].0, bars_of[0].1, c.1),
            (bars_of[1].0, bars_of[1].1, c.2),
        ]
        .into_iter()
        .enumerate()
        {
            let h = height_of(v);
            bars.push(Bar {
                class,
                x: x0 + i64::try_from(k).unwrap_or(0) * bar_w,
                y: base - h,
                w: bar_w,
                h,
                title: format!("{} {label} {v}", c.0),
            });
        }
        ticks.push(Tick {
            x: x0 + bar_w,
            y: base + 18,
            text: month_label(m, &c.0, i == 0),
        });
    }
    let scale = [0, top / 2, top]
        .into_iter()
        .map(|v| Tick {
            x: LEFT - 6,
            y: base - height_of(v) + 4,
            text: v.to_string(),
        })
        .collect();
    Chart {
        width: WIDTH,
        height: HEIGHT,
        base,
        bars,
        months: ticks,
        scale,
        left: LEFT,
        right: WIDTH,
    }
}

/// "11月" (or "Nov") under a month, with the year where it changes: January, and the first.
fn month_label(m: &'static Messages, key: &str, first: bool) -> String {
    let (y, mo) = key.split_once('-').unwrap_or((key, ""));
    let Some(name) = mo
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| m.month_names.get(i))
    else {
        return key.to_owned();
    };
    if first || mo == "01" {
        m.month_of_year.replace("{y}", y).replace("{m}", name)
    } else {
        (*name).to_owned()
    }
}

fn capped(c: Capped) -> String {
    if c.more {
        format!("{}+", c.count)
    } else {
        c.count.to_string()
    }
}

/// A line of the by-area table.
#[derive(Debug)]
struct AreaLine {
    area: String,
    general: i64,
    major: i64,
    href: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    chrome: Chrome,
    d: Dashboard,
    overdue: String,
    late: String,
    average_days: String,
    areas: Vec<AreaLine>,
    chart: Chart,
}

async fn overview(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let d = dashboard::dashboard(&ctx, &user.actor)
        .await
        .map_err(|e| user.fail(e))?;
    let areas = d
        .quarter_areas
        .iter()
        .map(|a| AreaLine {
            area: match (&a.area_id, &a.area) {
                (None, _) => m.no_area.to_owned(),
                (Some(_), Some(name)) => name.clone(),
                (Some(id), None) => id.clone(),
            },
            general: a.general,
            major: a.major,
            href: match &a.area_id {
                Some(id) => format!("/console/hazards?area={id}"),
                None => "/console/hazards".to_owned(),
            },
        })
        .collect();
    let page = OverviewPage {
        chrome: Chrome::new(&user, "/console/overview"),
        overdue: capped(d.overdue_hazards),
        late: capped(d.late_reports),
        average_days: d
            .average_close_days
            .map_or_else(|| m.none.to_owned(), |v| format!("{v:.1}")),
        areas,
        chart: chart(m, &d.months),
        d,
    };
    render::html(user.lang, &page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::{EN, ZH};

    #[test]
    fn the_axis_rounds_up_to_one_two_or_five() {
        assert_eq!(axis_top(0), 5);
        assert_eq!(axis_top(7), 10);
        assert_eq!(axis_top(11), 20);
        assert_eq!(axis_top(180), 200);
        assert_eq!(axis_top(201), 500);
    }

    #[test]
    fn each_month_has_a_bar_for_registered_and_one_for_closed_scaled_to_the_axis() {
        let months: Vec<MonthCounts> = (1..=12)
            .map(|i| MonthCounts {
                month: format!("2026-{i:02}"),
                registered: i,
                closed: 0,
            })
            .collect();
        let c = chart(&ZH, &months);
        assert_eq!(c.bars.len(), 24);
        let tallest = c.bars.iter().map(|b| b.h).max().unwrap();
        // 12 on an axis of 20: three fifths of the plot.
        assert_eq!(tallest, 12 * (HEIGHT - BOTTOM - TOP) / 20);
        assert!(c.bars.iter().all(|b| b.y + b.h == c.base));
        assert_eq!(c.months[0].text, "2026年1月");
        assert_eq!(c.months[1].text, "2月");
        let en = chart(&EN, &months);
        assert_eq!(en.months[0].text, "Jan 2026");
        assert_eq!(en.months[11].text, "Dec");
    }
}
