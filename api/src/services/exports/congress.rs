//! The quarter's report to the workers' congress (Safety Production Law art. 41: the major
//! hazards and how each was handled) as an XLSX workbook, from the same
//! [`dashboard::congress_report`] the printable page renders, so the two never disagree: the
//! rows here are [`lines`], one per line of the page, in the page's order.
//!
//! Text cells a spreadsheet could read as a formula are escaped like the ledger's
//! ([`escape_cell`]); dates are Beijing dates.

use rust_xlsxwriter::{Format, Workbook};

use crate::context::AppContext;
use crate::domain::Actor;
use crate::domain::hazard_state::HazardState;
use crate::domain::ledger_sheet::{escape_cell, source_zh};
use crate::error::{AppError, AppResult};
use crate::services::dashboard::{self, CongressLine, CongressReport};

/// Column headers of the hazard table, in order.
pub const HEADERS: [&str; 10] = [
    "序号",
    "隐患名称",
    "区域",
    "来源",
    "发现日期",
    "整改措施",
    "整改期限",
    "是否逾期",
    "状态",
    "销号日期",
];

/// The row of the header line (0-based): a title, the totals and a blank row come first.
pub const HEADER_ROW: u32 = 3;

/// Shown where a hazard has no area, and where it has no plan yet (the page's words).
const NONE: &str = "无";
const NO_PLAN: &str = "尚未制定整改方案";

/// The sheet's title line.
pub fn title(r: &CongressReport) -> String {
    format!("重大事故隐患排查治理情况报告（{}）", r.quarter)
}

/// The totals line under the title.
pub fn totals(r: &CongressReport) -> String {
    let total = r.hazards.len();
    let mut s = format!(
        "重大事故隐患 {total} 项，已销号 {} 项，未销号 {} 项。依据《安全生产法》第四十一条向职工大会或者职工代表大会报告。",
        r.closed,
        total - r.closed
    );
    if r.cut {
        s.push_str(&format!("本表只列出前 {} 项。", dashboard::CONGRESS_MAX));
    }
    s
}

fn line(n: usize, l: &CongressLine) -> [String; 10] {
    let status =
        HazardState::parse(&l.status).map_or_else(|| l.status.clone(), |s| s.zh().to_owned());
    [
        n.to_string(),
        l.title.clone(),
        l.area.clone().unwrap_or_else(|| NONE.to_owned()),
        source_zh(&l.source).to_owned(),
        l.found_on.clone(),
        l.measures.clone().unwrap_or_else(|| NO_PLAN.to_owned()),
        l.deadline.clone().unwrap_or_default(),
        if l.overdue { "逾期" } else { "" }.to_owned(),
        status,
        l.closed_on.clone().unwrap_or_default(),
    ]
}

/// The hazard table's rows, one per major hazard, numbered from 1 like the page.
pub fn lines(r: &CongressReport) -> Vec<[String; 10]> {
    r.hazards
        .iter()
        .enumerate()
        .map(|(i, l)| line(i + 1, l))
        .collect()
}

/// The report of `quarter` (default: the current one) as an XLSX workbook, for the actor's
/// enterprise.
pub async fn congress_xlsx(
    ctx: &AppContext,
    actor: &Actor,
    quarter: Option<&str>,
) -> AppResult<(String, Vec<u8>)> {
    let r = dashboard::congress_report(ctx, actor, quarter).await?;
    let quarter = r.quarter.clone();
    let bytes = ctx.cpu(move || workbook(&r)).await?;
    Ok((quarter, bytes))
}

fn workbook(r: &CongressReport) -> AppResult<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("职代会报告").map_err(AppError::internal)?;
    let bold = Format::new().set_bold();
    let heading = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap();
    sheet
        .write_string_with_format(0, 0, title(r), &heading)
        .map_err(AppError::internal)?;
    sheet
        .write_string(1, 0, totals(r))
        .map_err(AppError::internal)?;
    for (c, h) in HEADERS.iter().enumerate() {
        let c = u16::try_from(c).map_err(AppError::internal)?;
        sheet
            .write_string_with_format(HEADER_ROW, c, *h, &bold)
            .map_err(AppError::internal)?;
    }
    for (width, c) in [6.0, 30.0, 14.0, 10.0, 12.0, 48.0, 12.0, 9.0, 9.0, 12.0]
        .into_iter()
        .zip(0u16..)
    {
        sheet
            .set_column_width(c, width)
            .map_err(AppError::internal)?;
    }
    for (i, row) in lines(r).iter().enumerate() {
        let rn = HEADER_ROW + 1 + u32::try_from(i).map_err(AppError::internal)?;
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).map_err(AppError::internal)?;
            let text = escape_cell(cell);
            if c == 5 {
                sheet.write_string_with_format(rn, c, text, &wrap)
            } else {
                sheet.write_string(rn, c, text)
            }
            .map_err(AppError::internal)?;
        }
    }
    sheet
        .set_freeze_panes(HEADER_ROW + 1, 0)
        .map_err(AppError::internal)?;
    book.save_to_buffer().map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> CongressReport {
        CongressReport {
            quarter: "2026Q4".into(),
            hazards: vec![
                CongressLine {
                    id: "h1".into(),
                    title: "=炉下积水".into(),
                    area: None,
                    source: "report".into(),
                    found_on: "2026-10-02".into(),
                    status: "closed".into(),
                    measures: Some("抽干积水".into()),
                    deadline: Some("2026-10-20".into()),
                    overdue: false,
                    closed_on: Some("2026-10-12".into()),
                },
                CongressLine {
                    id: "h2".into(),
                    title: "联锁未投".into(),
                    area: Some("高炉区".into()),
                    source: "sweep".into(),
                    found_on: "2026-11-02".into(),
                    status: "rectifying".into(),
                    measures: None,
                    deadline: Some("2026-11-20".into()),
                    overdue: true,
                    closed_on: None,
                },
            ],
            closed: 1,
            cut: false,
        }
    }

    #[test]
    fn rows_say_in_chinese_what_the_page_says() {
        let r = report();
        let rows = lines(&r);
        assert_eq!(rows[0][0], "1");
        assert_eq!(rows[0][2], "无");
        assert_eq!(rows[0][3], "职工举报");
        assert_eq!(rows[0][8], "已销号");
        assert_eq!(rows[1][5], "尚未制定整改方案");
        assert_eq!(rows[1][7], "逾期");
        assert_eq!(rows[1][8], "整改中");
        assert!(totals(&r).starts_with("重大事故隐患 2 项，已销号 1 项，未销号 1 项"));
        let bytes = workbook(&r).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
