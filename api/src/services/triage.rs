//! Triage: a safety manager or principal decides what a submitted report is — a new hazard on
//! the ledger, a duplicate of one already there, or not a hazard (with a reason the reporter
//! sees). The state machine decides what is allowed; a guarded update makes sure that of two
//! managers triaging at once only one succeeds.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::domain::criteria::{self as rules, Level};
use crate::domain::hazard_state::HazardState;
use crate::domain::proof::ProofKind;
use crate::domain::quarter::Quarter;
use crate::domain::report_state::{ReportAction, ReportState};
use crate::domain::{Actor, inputs};
use crate::error::{AppError, AppResult};
use crate::services::ledger_common::{
    criterion_codes, lost_race, refused, same_tenant, staff_enterprise,
};
use crate::services::{audit, proofs, rewards_hook};
use crate::store::hazards::{self, HazardEventRow, HazardRow};
use crate::store::reports::{self, ReportEventRow, ReportRow};
use crate::store::{DbConn, time, write_tx};
use qingling_crypto::KeyRing;

/// What the manager decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// A new hazard on the ledger.
    Accept,
    /// Joins an existing hazard (`duplicate_of`).
    Duplicate,
    /// Not a hazard (`reason` required, shown to the reporter).
    Reject,
}

/// `POST /api/v1/reports/{id}/triage`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    /// The decision.
    pub decision: Decision,
    /// Level for an accepted report (major whenever a criterion is given).
    pub level: Option<Level>,
    /// Major-hazard criteria the hazard meets.
    #[schema(max_items = 20, inline, value_type = Option<Vec<crate::http::openapi::CriterionCode>>)]
    pub criterion_codes: Option<Vec<String>>,
    /// Hazard id the report duplicates.
    pub duplicate_of: Option<String>,
    /// Reason (required to reject); shown to the reporter.
    #[schema(max_length = 1000, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub reason: Option<String>,
}

/// The report after triage.
#[derive(Debug, Serialize, ToSchema)]
pub struct TriageView {
    /// `accepted`, `duplicate` or `rejected`.
    pub status: String,
    /// The hazard it became or joined.
    pub hazard_id: Option<String>,
}

/// Triage a report of the actor's enterprise.
pub async fn triage(
    ctx: &AppContext,
    actor: &Actor,
    report_id: String,
    req: TriageRequest,
) -> AppResult<TriageView> {
    let ent = staff_enterprise(actor)?;
    let reason = inputs::optional_text("reason", req.reason.as_deref(), 1000)?;
    let actor = actor.clone();
    let keys = ctx.keys.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            triage_tx(conn, &keys, &actor, &ent, &report_id, req, reason)
        })
    })
    .await
}

fn triage_tx(
    conn: &mut DbConn,
    keys: &KeyRing,
    actor: &Actor,
    ent: &str,
    report_id: &str,
    req: TriageRequest,
    reason: Option<String>,
) -> AppResult<TriageView> {
    let report = reports::find(conn, report_id)?.ok_or_else(AppError::not_found)?;
    same_tenant(&report.enterprise_id, ent)?;
    let from = ReportState::parse(&report.status)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown report status")))?;
    let action = match req.decision {
        Decision::Accept => ReportAction::Accept,
        Decision::Duplicate => ReportAction::MarkDuplicate,
        Decision::Reject => ReportAction::Reject {
            with_reason: reason.is_some(),
        },
    };
    let to = from
        .apply(action, actor.role)
        .map_err(|r| refused(r, "reason"))?;
    let now = time::now();
    let (hazard_id, level) = match req.decision {
        Decision::Accept => {
            let codes = criterion_codes(conn, req.criterion_codes, ent)?;
            (
                Some(uuid::Uuid::new_v4().to_string()),
                Some(rules::effective_level(req.level, &codes)).zip(Some(codes)),
            )
        }
        Decision::Duplicate => (Some(duplicate_target(conn, ent, req.duplicate_of)?), None),
        Decision::Reject => (None, None),
    };
    if !reports::transition(
        conn,
        &report.id,
        from.as_str(),
        to.as_str(),
        hazard_id.as_deref(),
        reason.as_deref(),
        now,
    )? {
        return Err(lost_race());
    }
    reports::insert_event(
        conn,
        &ReportEventRow {
            id: uuid::Uuid::new_v4().to_string(),
            report_id: report.id.clone(),
            at: now,
            actor_id: Some(actor.user_id.clone()),
            actor_role: Some(actor.role.as_str().to_owned()),
            kind: action.kind().to_owned(),
            from_status: Some(from.as_str().to_owned()),
            to_status: Some(to.as_str().to_owned()),
            note: reason,
        },
    )?;
    match (&hazard_id, level) {
        (Some(hid), Some((level, codes))) => {
            register_hazard(conn, actor, &report, hid, level, &codes, now)?;
            rewards_hook::on_report_accepted(conn, actor, &report, hid, level)?;
            proofs::issue_event(
                conn,
                keys,
                &report.id,
                ent,
                ProofKind::Accepted,
                &[
                    ("decision", "accept".into()),
                    ("hazard_id", hid.clone()),
                    ("level", level.as_str().to_owned()),
                ],
            )?;
        }
        (Some(hid), None) => {
            rewards_hook::on_report_duplicated(conn, actor, &report, hid)?;
            proofs::issue_event(
                conn,
                keys,
                &report.id,
                ent,
                ProofKind::Accepted,
                &[("decision", "duplicate".into()), ("hazard_id", hid.clone())],
            )?;
        }
        _ => {}
    }
    audit::record(
        conn,
        Some(actor),
        "report.triage",
        "report",
        Some(&report.id),
        serde_json::json!({ "decision": req.decision, "hazard_id": hazard_id }),
    )?;
    Ok(TriageView {
        status: to.as_str().to_owned(),
        hazard_id,
    })
}

fn duplicate_target(conn: &mut DbConn, ent: &str, id: Option<String>) -> AppResult<String> {
    let missing = || {
        AppError::invalid(
            "duplicate_of",
            "duplicate_of 应为本企业已登记隐患的编号",
            "duplicate_of must name a hazard of this enterprise",
        )
    };
    let id = id.ok_or_else(missing)?;
    match hazards::find(conn, &id)? {
        Some(h) if h.enterprise_id == ent => Ok(h.id),
        _ => Err(missing()),
    }
}

fn register_hazard(
    conn: &mut DbConn,
    actor: &Actor,
    report: &ReportRow,
    id: &str,
    level: Level,
    codes: &[String],
    now: chrono::NaiveDateTime,
) -> AppResult<()> {
    let row = HazardRow {
        id: id.to_owned(),
        enterprise_id: report.enterprise_id.clone(),
        area_id: report.area_id.clone(),
        title: report.title.clone(),
        description: report.description.clone(),
        level: level.as_str().to_owned(),
        criterion_codes: serde_json::to_string(codes).map_err(AppError::internal)?,
        source: crate::services::hazards::Source::Report.as_str().to_owned(),
        report_id: Some(report.id.clone()),
        sweep_id: None,
        status: HazardState::Registered.as_str().to_owned(),
        quarter: Quarter::of(crate::domain::ledger_sheet::beijing_date(now)).to_string(),
        deadline: None,
        plan_version: 0,
        created_by: actor.user_id.clone(),
        created_at: now,
        closed_at: None,
        updated_at: now,
    };
    hazards::insert(conn, &row)?;
    registered_event(conn, actor, id, now, "来自举报 / from a report")
}

/// Records a hazard's first timeline entry.
pub fn registered_event(
    conn: &mut DbConn,
    actor: &Actor,
    hazard_id: &str,
    at: chrono::NaiveDateTime,
    note: &str,
) -> AppResult<()> {
    hazards::insert_event(
        conn,
        &HazardEventRow {
            id: uuid::Uuid::new_v4().to_string(),
            hazard_id: hazard_id.to_owned(),
            at,
            actor_id: Some(actor.user_id.clone()),
            actor_role: Some(actor.role.as_str().to_owned()),
            kind: "registered".into(),
            from_status: None,
            to_status: Some(HazardState::Registered.as_str().to_owned()),
            note: Some(note.to_owned()),
        },
    )?;
    Ok(())
}
