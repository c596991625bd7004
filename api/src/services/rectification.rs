//! Rectification under 五落实 (measures, responsible person, funds, deadline, contingency plan):
//! setting the plan (each change a new version), submitting evidence, and verification by
//! someone other than the responsible person — passed closes the hazard (销号), failed sends it
//! back to rectifying with the reason.
//!
//! "Someone other than the responsible person": the plan names the responsible person by name
//! (责任人 on the ledger) and, optionally, by account (`responsible_user_id`). A verifier is
//! refused when their account is that account, or when their display name equals the name on the
//! plan — names are what the paper ledger carries, so a plan written without an account is still
//! protected.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::domain::criteria::Level;
use crate::domain::escalation_state::EscalationStatus;
use crate::domain::hazard_state::{HazardAction, HazardState};
use crate::domain::proof::ProofKind;
use crate::domain::{Actor, inputs};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::hazards::{
    HazardDetail, OWNER_EVIDENCE, hazard_for, load_detail, prepare_photos,
};
use crate::services::ledger_common::{date, lost_race, refused, staff_enterprise};
use crate::services::{audit, notifications, personal, photos, proofs};
use crate::store::hazards::{self, EvidenceRow, HazardChange, HazardEventRow, HazardRow, PlanRow};
use crate::store::{DbConn, escalations, time, users, write_tx};
use qingling_crypto::KeyRing;

/// `PUT /api/v1/hazards/{id}/plan`: 五落实. For a major hazard all five are required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// 整改措施.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub measures: String,
    /// 责任人 (a name).
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub responsible_person: String,
    /// The responsible person's account, if they have one (a user of this enterprise).
    pub responsible_user_id: Option<String>,
    /// 整改资金 in fen (integer ≥ 0).
    #[schema(minimum = 0)]
    pub funds_fen: Option<i64>,
    /// 整改期限 (`YYYY-MM-DD`).
    #[schema(format = Date)]
    pub deadline: Option<String>,
    /// 应急预案.
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub contingency_plan: Option<String>,
}

/// `POST /api/v1/hazards/{id}/evidence`: JSON, or a multipart form with this JSON in part
/// `evidence` and up to five `photo` parts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequest {
    /// What was done. Photos attach to the evidence's id (`photos.owner_type = 'evidence'`).
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub note: String,
}

/// `POST /api/v1/hazards/{id}/verify`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// Whether the rectification holds.
    pub passed: bool,
    /// Note; required (the reason) when it failed.
    #[schema(max_length = 2000, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub note: Option<String>,
}

struct Step {
    action: HazardAction,
    note: Option<String>,
    change: HazardChange,
}

/// Moves a hazard through the state machine with a guarded update and a timeline entry; `extra`
/// writes the step's own rows once the move is known to be allowed.
fn step(
    conn: &mut DbConn,
    actor: &Actor,
    h: &HazardRow,
    s: Step,
    extra: impl FnOnce(&mut DbConn) -> AppResult<()>,
) -> AppResult<()> {
    let (from, to) = allowed(h, s.action, actor)?;
    let now = time::now();
    if !hazards::transition(conn, h, to.as_str(), &s.change, now)? {
        return Err(lost_race());
    }
    extra(conn)?;
    hazards::insert_event(
        conn,
        &HazardEventRow {
            id: uuid::Uuid::new_v4().to_string(),
            hazard_id: h.id.clone(),
            at: now,
            actor_id: Some(actor.user_id.clone()),
            actor_role: Some(actor.role.as_str().to_owned()),
            kind: s.action.kind().to_owned(),
            from_status: Some(from.as_str().to_owned()),
            to_status: Some(to.as_str().to_owned()),
            note: s.note,
        },
    )?;
    audit::record(
        conn,
        Some(actor),
        &format!("hazard.{}", s.action.kind()),
        "hazard",
        Some(&h.id),
        serde_json::json!({ "from": from.as_str(), "to": to.as_str() }),
    )
}

/// The move the state machine allows for this hazard, action and actor, or the refusal.
fn allowed(
    h: &HazardRow,
    action: HazardAction,
    actor: &Actor,
) -> AppResult<(HazardState, HazardState)> {
    let from = HazardState::parse(&h.status)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown hazard status")))?;
    let to = from
        .apply(action, actor.role)
        .map_err(|r| refused(r, "note"))?;
    Ok((from, to))
}

fn required<T>(field: &str, v: Option<T>) -> AppResult<T> {
    v.ok_or_else(|| {
        AppError::invalid(
            field,
            format!("重大隐患的五落实须填写 {field}"),
            format!("{field} is required in the plan of a major hazard"),
        )
    })
}

/// Sets (or revises) the 五落实 plan: registered → rectifying, or a new version while rectifying.
pub async fn set_plan(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    req: PlanRequest,
) -> AppResult<HazardDetail> {
    let ent = staff_enterprise(actor)?;
    let measures = inputs::text("measures", &req.measures, 2000)?;
    let person = inputs::text("responsible_person", &req.responsible_person, 64)?;
    let contingency =
        inputs::optional_text("contingency_plan", req.contingency_plan.as_deref(), 2000)?;
    let deadline = req
        .deadline
        .as_deref()
        .map(|d| date("deadline", d))
        .transpose()?
        .map(|d| d.format("%Y-%m-%d").to_string());
    if req.funds_fen.is_some_and(|f| f < 0) {
        return Err(AppError::invalid(
            "funds_fen",
            "整改资金不能为负数",
            "funds_fen must be zero or more",
        ));
    }
    let actor = actor.clone();
    let keys = ctx.keys.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            let h = hazard_for(conn, &ent, &id)?;
            if Level::parse(&h.level) == Some(Level::Major) {
                required("funds_fen", req.funds_fen)?;
                required("deadline", deadline.as_ref())?;
                required("contingency_plan", contingency.as_ref())?;
            }
            if let Some(u) = &req.responsible_user_id
                && users::find(conn, u)?.is_none_or(|u| u.enterprise_id.as_deref() != Some(&ent))
            {
                return Err(AppError::invalid(
                    "responsible_user_id",
                    "责任人账号不属于本企业",
                    "responsible_user_id must be a user of this enterprise",
                ));
            }
            let version = h.plan_version + 1;
            let changed_deadline = deadline.clone().filter(|d| h.deadline.as_ref() != Some(d));
            let plan = PlanRow {
                id: uuid::Uuid::new_v4().to_string(),
                hazard_id: h.id.clone(),
                version,
                measures,
                responsible_person: person,
                responsible_user_id: req.responsible_user_id,
                funds_fen: req.funds_fen,
                deadline: deadline.clone(),
                contingency_plan: contingency,
                author_id: actor.user_id.clone(),
                created_at: time::now(),
            };
            let s = Step {
                action: HazardAction::SetPlan,
                note: Some(format!("五落实第 {version} 版 / plan v{version}")),
                change: HazardChange {
                    plan: Some((version, deadline)),
                    closed_at: None,
                },
            };
            step(conn, &actor, &h, s, |conn| {
                Ok(hazards::insert_plan(conn, &plan)?)
            })?;
            if let Some(d) = changed_deadline {
                proofs::issue_for_hazard(
                    conn,
                    &keys,
                    &h.id,
                    &ent,
                    ProofKind::PlanDeadline,
                    &[("hazard_id", h.id.clone()), ("deadline", d)],
                )?;
            }
            load_detail(conn, &ent, &id)
        })
    })
    .await
}

/// Submits rectification evidence with up to five photos (sanitised like a report's):
/// rectifying → awaiting verification. The move is checked before the photos are decoded, so a
/// refused step costs no image work, and checked again, guarded, when it is written.
pub async fn add_evidence(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    req: EvidenceRequest,
    uploads: Vec<Vec<u8>>,
) -> AppResult<HazardDetail> {
    let ent = staff_enterprise(actor)?;
    let note = inputs::text("note", &req.note, 2000)?;
    let (e, i, a) = (ent.clone(), id.clone(), actor.clone());
    ctx.db(move |conn| {
        let h = hazard_for(conn, &e, &i)?;
        allowed(&h, HazardAction::SubmitEvidence, &a).map(drop)
    })
    .await?;
    let prepared = prepare_photos(ctx, uploads).await?;
    let actor = actor.clone();
    let evidence_id = uuid::Uuid::new_v4().to_string();
    let (ent_c, eid) = (ent.clone(), evidence_id.clone());
    photos::commit_with(
        ctx,
        &ent,
        OWNER_EVIDENCE,
        &evidence_id,
        prepared,
        move |conn| {
            let ent = ent_c;
            let h = hazard_for(conn, &ent, &id)?;
            let row = EvidenceRow {
                id: eid,
                hazard_id: h.id.clone(),
                note,
                author_id: actor.user_id.clone(),
                created_at: time::now(),
            };
            let s = Step {
                action: HazardAction::SubmitEvidence,
                note: None,
                change: HazardChange::default(),
            };
            step(conn, &actor, &h, s, |conn| {
                Ok(hazards::insert_evidence(conn, &row)?)
            })?;
            notifications::events::verification_waiting(conn, &h)?;
            load_detail(conn, &ent, &id)
        },
    )
    .await
}

/// Verifies the rectification: passed → closed (销号), failed → rectifying with the reason.
pub async fn verify(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    req: VerifyRequest,
) -> AppResult<HazardDetail> {
    let ent = staff_enterprise(actor)?;
    let note = inputs::optional_text("note", req.note.as_deref(), 2000)?;
    let actor = actor.clone();
    let keys = ctx.keys.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            let h = hazard_for(conn, &ent, &id)?;
            let under_supervision = supervised(conn, &h.id)?;
            let s = verification_step(req.passed, under_supervision, note);
            allowed(&h, s.action, &actor)?;
            if let Some(plan) = hazards::plans_of(conn, &h.id)?
                .into_iter()
                .find(|p| p.version == h.plan_version)
            {
                // Under the bureau's supervision (督办) the enterprise's verification is what the
                // bureau's 销号 relies on: whoever wrote the plan must not also pass it.
                if under_supervision && plan.author_id == actor.user_id {
                    return Err(AppError::new(ErrorCode::VerifierIsPlanner));
                }
                let me = users::find(conn, &actor.user_id)?.ok_or_else(AppError::not_found)?;
                let name =
                    personal::open(&keys, Some(&ent), &me.id, &me.personal_sealed)?.display_name;
                if plan.responsible_user_id.as_deref() == Some(actor.user_id.as_str())
                    || name.trim() == plan.responsible_person.trim()
                {
                    return Err(AppError::new(ErrorCode::VerifierIsResponsible));
                }
            }
            let closes = s.change.closed_at.is_some();
            step(conn, &actor, &h, s, |_| Ok(()))?;
            if closes {
                closed_proofs(conn, &keys, &h, "enterprise")?;
            }
            load_detail(conn, &ent, &id)
        })
    })
    .await
}

fn verification_step(passed: bool, supervised: bool, note: Option<String>) -> Step {
    if passed {
        Step {
            action: HazardAction::VerifyPassed { supervised },
            note,
            change: HazardChange {
                plan: None,
                // Under supervision the bureau's close is the 销号.
                closed_at: (!supervised).then(time::now),
            },
        }
    } else {
        Step {
            action: HazardAction::VerifyFailed {
                with_reason: note.is_some(),
            },
            note,
            change: HazardChange::default(),
        }
    }
}

/// Whether the bureau supervises (督办) the hazard through an escalation.
fn supervised(conn: &mut DbConn, hazard_id: &str) -> AppResult<bool> {
    Ok(escalations::find_active(conn, "hazard", hazard_id)?
        .is_some_and(|e| e.status == EscalationStatus::Supervising.as_str()))
}

/// The bureau's close of a supervised hazard (销号), in the caller's transaction: allowed only
/// once the enterprise's latest verification has passed; a hazard the enterprise closed before
/// supervision began stays as it is.
pub fn close_by_bureau(
    conn: &mut DbConn,
    keys: &KeyRing,
    actor: &Actor,
    hazard_id: &str,
) -> AppResult<()> {
    let h = hazards::find(conn, hazard_id)?.ok_or_else(AppError::not_found)?;
    if h.status == HazardState::Closed.as_str() {
        return Ok(());
    }
    // The latest step of the rectification round (plan, evidence, verification) must be a
    // passed verification.
    let round = [
        HazardAction::SetPlan,
        HazardAction::SubmitEvidence,
        HazardAction::VerifyPassed { supervised: true },
        HazardAction::VerifyFailed { with_reason: true },
    ]
    .map(HazardAction::kind);
    let verified = hazards::events_of(conn, &h.id)?
        .iter()
        .rev()
        .find(|e| round.contains(&e.kind.as_str()))
        .is_some_and(|e| e.kind == round[2]);
    let s = Step {
        action: HazardAction::BureauClose { verified },
        note: None,
        change: HazardChange {
            plan: None,
            closed_at: Some(time::now()),
        },
    };
    step(conn, actor, &h, s, |_| Ok(())).map_err(|e| {
        if e.code == ErrorCode::TransitionNotAllowed {
            e.detail(
                "企业验收通过后，督办部门方可销号",
                "the enterprise must pass its verification before the bureau closes the hazard",
            )
        } else {
            e
        }
    })?;
    closed_proofs(conn, keys, &h, "bureau")
}

/// The 销号 proof for every report of a closed hazard; `by` is `enterprise` or `bureau`.
fn closed_proofs(conn: &mut DbConn, keys: &KeyRing, h: &HazardRow, by: &str) -> AppResult<()> {
    proofs::issue_for_hazard(
        conn,
        keys,
        &h.id,
        &h.enterprise_id,
        ProofKind::Closed,
        &[("hazard_id", h.id.clone()), ("closed_by", by.to_owned())],
    )
}
