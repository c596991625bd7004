//! Where the reward workflow plugs into triage: in the same transaction as the decision,
//! accepting a report proposes its reward from the policy (DESIGN.md, "Rewards"), and marking a
//! report a duplicate gives the policy its say on whether duplicates share (by default they get
//! nothing). An error here rolls the triage back.

use crate::domain::Actor;
use crate::domain::criteria::Level;
use crate::error::{AppError, AppResult};
use crate::services::{notifications, rewards};
use crate::store::reports::ReportRow;
use crate::store::rewards::RewardRow;
use crate::store::{DbConn, hazards};

/// Called once per accepted report with the new hazard's level.
pub fn on_report_accepted(
    conn: &mut DbConn,
    actor: &Actor,
    report: &ReportRow,
    hazard_id: &str,
    level: Level,
) -> AppResult<()> {
    let reward = rewards::propose_for_accepted(conn, actor, report, hazard_id, level.as_str())?;
    waiting(conn, reward)
}

/// A proposed reward waits for approval: tell the enterprise.
fn waiting(conn: &mut DbConn, reward: Option<RewardRow>) -> AppResult<()> {
    match reward {
        Some(r) if r.status == "proposed" => notifications::events::reward_waiting(conn, &r),
        _ => Ok(()),
    }
}

/// Called once per report marked a duplicate of an existing hazard.
pub fn on_report_duplicated(
    conn: &mut DbConn,
    actor: &Actor,
    report: &ReportRow,
    hazard_id: &str,
) -> AppResult<()> {
    let hazard = hazards::find(conn, hazard_id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("duplicate of a missing hazard")))?;
    let reward = rewards::propose_for_accepted(conn, actor, report, hazard_id, &hazard.level)?;
    waiting(conn, reward)
}
