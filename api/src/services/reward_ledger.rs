//! The reward ledger as regulators ask enterprises to keep it (奖励台账): every reward proposed,
//! approved, rejected and paid, as CSV or XLSX with Chinese headers. Reporters appear only by
//! their report's pseudonym; staff by their display names.
//!
//! Every text cell that a spreadsheet could read as a formula (starting with `=`, `+`, `-`, `@`,
//! a tab or a carriage return) is prefixed with `'`, so a reason typed as `=HYPERLINK(…)` stays
//! text when the file is opened. Amounts are written as exact yuan text (`200.00`), never floats.
//! Times are China Standard Time (UTC+08:00).

use std::collections::HashMap;

use crate::context::AppContext;
use crate::domain::Actor;
use crate::domain::ledger_sheet::{beijing, escape_cell, fen_to_yuan};
use crate::domain::reward_policy::HazardLevel;
use crate::domain::reward_state::RewardStatus;
use crate::error::{AppError, AppResult};
use crate::services::personal;
use crate::store::pagination::{MAX_LIMIT, PageRequest};
use crate::store::rewards::{self as store, RewardRow};
use crate::store::{DbConn, users};

/// Column headers, in order.
pub const HEADERS: [&str; 16] = [
    "序号",
    "报告编号",
    "举报人代号",
    "隐患编号",
    "隐患等级",
    "奖励金额(元)",
    "状态",
    "提议人",
    "提议时间",
    "调整理由",
    "批准人",
    "批准时间",
    "驳回理由",
    "发放凭证",
    "发放时间",
    "政策版本",
];

/// Most rows one export holds.
pub const MAX_ROWS: usize = 50_000;

/// Loads every reward of the enterprise (optionally of one status), newest first.
fn all_rewards(
    conn: &mut DbConn,
    enterprise_id: &str,
    status: Option<&str>,
) -> AppResult<Vec<(RewardRow, String)>> {
    let mut out = Vec::new();
    let mut page = PageRequest::parse(None, Some(MAX_LIMIT))?;
    loop {
        let rows = store::list(conn, enterprise_id, status, &page)?;
        let (rows, next) = page.finish(rows, |(r, _)| r.cursor());
        out.extend(rows);
        if out.len() > MAX_ROWS {
            return Err(AppError::invalid(
                "status",
                format!("导出超过 {MAX_ROWS} 行，请按状态筛选"),
                format!("more than {MAX_ROWS} rows; filter by status"),
            ));
        }
        match next {
            Some(c) => page = PageRequest::parse(Some(&c), Some(MAX_LIMIT))?,
            None => return Ok(out),
        }
    }
}

/// Display names of staff members, opened once each.
fn names(
    conn: &mut DbConn,
    ctx: &AppContext,
    ids: impl Iterator<Item = String>,
) -> AppResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        let name = match users::find(conn, &id)? {
            Some(u) => {
                personal::open(
                    &ctx.keys,
                    u.enterprise_id.as_deref(),
                    &u.id,
                    &u.personal_sealed,
                )?
                .display_name
            }
            None => String::new(),
        };
        out.insert(id, name);
    }
    Ok(out)
}

/// The ledger's rows as text cells (header first), escaped.
pub async fn ledger_rows(
    ctx: &AppContext,
    actor: &Actor,
    status: Option<RewardStatus>,
) -> AppResult<Vec<Vec<String>>> {
    let ent = match (&actor.enterprise_id, actor.role.is_enterprise_staff()) {
        (Some(e), true) => e.clone(),
        _ => return Err(AppError::forbidden()),
    };
    let ctx2 = ctx.clone();
    ctx.db(move |conn| {
        let rows = all_rewards(conn, &ent, status.map(RewardStatus::as_str))?;
        let people = rows
            .iter()
            .flat_map(|(r, _)| std::iter::once(r.proposed_by.clone()).chain(r.approved_by.clone()));
        let people: Vec<String> = people.collect();
        let names = names(conn, &ctx2, people.into_iter())?;
        let name = |id: &Option<String>| {
            id.as_ref()
                .and_then(|i| names.get(i).cloned())
                .unwrap_or_default()
        };
        let mut out = vec![HEADERS.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()];
        for (i, (r, pseudonym)) in rows.into_iter().enumerate() {
            let level = HazardLevel::parse(&r.level).map_or("", HazardLevel::zh);
            let status = RewardStatus::parse(&r.status).map_or("", RewardStatus::zh);
            let cells = [
                (i + 1).to_string(),
                r.report_id.clone(),
                pseudonym,
                r.hazard_id.clone(),
                level.to_owned(),
                fen_to_yuan(r.amount_fen),
                status.to_owned(),
                name(&Some(r.proposed_by.clone())),
                beijing(r.proposed_at),
                r.adjust_reason.clone().unwrap_or_default(),
                name(&r.approved_by),
                r.approved_at.map(beijing).unwrap_or_default(),
                r.rejected_reason.clone().unwrap_or_default(),
                r.paid_reference.clone().unwrap_or_default(),
                r.paid_at.map(beijing).unwrap_or_default(),
                r.policy_version.to_string(),
            ];
            out.push(cells.iter().map(|c| escape_cell(c).into_owned()).collect());
        }
        Ok(out)
    })
    .await
}

/// The ledger as UTF-8 CSV with a byte-order mark (so spreadsheet programs read the Chinese).
pub async fn csv(
    ctx: &AppContext,
    actor: &Actor,
    status: Option<RewardStatus>,
) -> AppResult<Vec<u8>> {
    let rows = ledger_rows(ctx, actor, status).await?;
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    for r in rows {
        w.write_record(&r).map_err(AppError::internal)?;
    }
    w.into_inner()
        .map_err(|e| AppError::internal(anyhow::anyhow!("csv: {e}")))
}

/// The ledger as an XLSX workbook with one sheet, 奖励台账.
pub async fn xlsx(
    ctx: &AppContext,
    actor: &Actor,
    status: Option<RewardStatus>,
) -> AppResult<Vec<u8>> {
    let rows = ledger_rows(ctx, actor, status).await?;
    ctx.cpu(move || {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("奖励台账").map_err(AppError::internal)?;
        for (i, row) in rows.iter().enumerate() {
            let r = u32::try_from(i).map_err(AppError::internal)?;
            for (j, cell) in row.iter().enumerate() {
                let c = u16::try_from(j).map_err(AppError::internal)?;
                sheet.write_string(r, c, cell).map_err(AppError::internal)?;
            }
        }
        book.save_to_buffer().map_err(AppError::internal)
    })
    .await
}
