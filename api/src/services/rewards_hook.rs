//! Where the reward workflow plugs into triage: after a report is accepted, in the same
//! transaction, the reward proposal is made here (DESIGN.md, "Rewards": accepting a report
//! proposes its reward from the policy). The rewards work replaces this body; triage already
//! calls it at the right moment with everything it needs, so nothing else has to change.

use crate::domain::Actor;
use crate::domain::criteria::Level;
use crate::error::AppResult;
use crate::store::DbConn;
use crate::store::reports::ReportRow;

/// Called once per accepted report, inside the triage transaction; an error rolls the triage
/// back. Does nothing until the reward workflow is built.
pub fn on_report_accepted(
    _conn: &mut DbConn,
    _actor: &Actor,
    _report: &ReportRow,
    _hazard_id: &str,
    _level: Level,
) -> AppResult<()> {
    Ok(())
}
