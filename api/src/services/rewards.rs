//! Rewards: the enterprise's policy, the proposal made when a report is accepted, adjusting,
//! approving, rejecting and paying, the reward ledger, and what the reporter sees and claims.
//!
//! Separation of duties and the threshold live in `domain::reward_state`; amounts and the
//! monthly cap in `domain::reward_policy`. Staff never see who a reporter is: the ledger shows the
//! report's pseudonym, and an anonymous reporter's payout details stay sealed until the payer
//! (never the approver) marks the reward paid, when the answer to that one request carries them;
//! the reporter's follow-up then shows when and by which role they were opened.
//!
//! Nothing staff see depends on the reporter's other rewards (issue #16, item 5): proposals and
//! adjustment bounds come from the policy alone, and the monthly cap is applied only when a
//! payment is recorded, as a hold of the whole reward that names no amount.

use std::collections::{HashMap, HashSet};

use qingling_crypto::{Context, KeyRing, Purpose};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::context::AppContext;
use crate::domain::access::EnterpriseAccess;
use crate::domain::reward_policy::{
    HazardLevel, PolicyError, PolicyErrorKind, RewardPolicy, cap_month, month_bounds, next_month,
};
use crate::domain::reward_state::{self, Refusal, RewardAction, RewardActor, RewardStatus};
use crate::domain::{Actor, Role, inputs};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::admin::enterprise_for;
use crate::services::audit;
use crate::services::followup::report_by_receipt;
use crate::store::pagination::PageRequest;
use crate::store::reports::{self, ReportRow};
use crate::store::rewards::{self as store, PolicyRow, RewardChange, RewardRow};
use crate::store::{DbConn, time, write_tx};

/// `PUT /api/v1/enterprises/{id}/reward-policy`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RewardPolicyRequest {
    /// Reward for a general hazard, fen.
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub general_fen: i64,
    /// Reward for a major hazard, fen (not less than `general_fen`).
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub major_fen: i64,
    /// Rewards strictly above this need a principal's approval, fen.
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub principal_threshold_fen: i64,
    /// Most paid to one confidential reporter per calendar month (China Standard Time), fen: at
    /// least three times `major_fen` (422 `reward_cap_too_low` otherwise). A payment over it is
    /// held until a later month, never cut.
    #[schema(minimum = 1, maximum = 100_000_000)]
    pub monthly_cap_fen: i64,
    /// Whether a duplicate report of an already rewarded hazard is rewarded too (default false).
    #[serde(default)]
    pub duplicates_share: bool,
}

/// An enterprise's reward policy in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct RewardPolicyView {
    /// Enterprise.
    pub enterprise_id: String,
    /// Version (0 = the built-in defaults, none set yet).
    pub version: i64,
    /// Whether these are the built-in defaults.
    pub is_default: bool,
    /// Reward for a general hazard, fen.
    pub general_fen: i64,
    /// Reward for a major hazard, fen.
    pub major_fen: i64,
    /// Above this only a principal approves, fen.
    pub principal_threshold_fen: i64,
    /// Per reporter per calendar month, fen.
    pub monthly_cap_fen: i64,
    /// Whether duplicates are rewarded too.
    pub duplicates_share: bool,
    /// When this version was set (absent for the defaults).
    pub created_at: Option<String>,
}

/// A reward as staff see it: the report's pseudonym, never the reporter.
#[derive(Debug, Serialize, ToSchema)]
pub struct RewardView {
    /// Id.
    pub id: String,
    /// The rewarded report.
    pub report_id: String,
    /// The report's pseudonym.
    pub pseudonym: String,
    /// The hazard.
    pub hazard_id: String,
    /// `first` (first valid report of the hazard) or `duplicate`.
    pub kind: String,
    /// Hazard level.
    pub level: HazardLevel,
    /// Policy version it was computed under (0 = defaults).
    pub policy_version: i64,
    /// Amount, fen.
    pub amount_fen: i64,
    /// Status.
    pub status: RewardStatus,
    /// User id of the proposer (whoever last set the amount).
    pub proposed_by: String,
    /// When proposed.
    pub proposed_at: String,
    /// Why the amount was adjusted.
    pub adjust_reason: Option<String>,
    /// Approver's user id.
    pub approved_by: Option<String>,
    /// When approved.
    pub approved_at: Option<String>,
    /// Why rejected.
    pub rejected_reason: Option<String>,
    /// Payout reference.
    pub paid_reference: Option<String>,
    /// When paid.
    pub paid_at: Option<String>,
    /// Whether an anonymous reporter has left (sealed) payout details.
    pub payout_claimed: bool,
    /// When the payout details were opened (at `/paid`).
    pub payout_opened_at: Option<String>,
    /// Month proposed (`YYYY-MM`, China Standard Time).
    pub month: String,
    /// The policy's monthly cap holds the payment until this month (`YYYY-MM`, China Standard
    /// Time): set when a payment was refused with 409 `reward_held`; names no amount.
    pub held_until: Option<String>,
}

/// The answer to `/paid`: the reward and, for an anonymous reporter who claimed it, the payout
/// details — shown in this answer only.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaidView {
    /// The reward, now paid.
    pub reward: RewardView,
    /// The anonymous reporter's payout details (e.g. a mobile-payment account), if claimed.
    pub payout: Option<String>,
}

/// A page of rewards.
#[derive(Debug, Serialize, ToSchema)]
pub struct RewardPage {
    /// Rewards, newest first.
    pub items: Vec<RewardView>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Query of `GET /api/v1/rewards` (and the exports, which ignore paging).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RewardQuery {
    /// Only rewards in this status.
    pub status: Option<RewardStatus>,
    /// Cursor from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 512)]
    pub cursor: Option<String>,
    /// Page size (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// `POST /api/v1/rewards/{id}/adjust`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustRequest {
    /// New amount, fen: at least 1, at most the policy's standard for the reward's level (never
    /// anything that depends on the reporter's other rewards).
    #[schema(minimum = 1, maximum = 100_000_000)]
    pub amount_fen: i64,
    /// Why (required).
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reason: String,
}

/// `POST /api/v1/rewards/{id}/reject`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why (required; the reporter sees it).
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reason: String,
}

/// `POST /api/v1/rewards/{id}/paid`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaidRequest {
    /// Payout reference (payroll slip, transfer number).
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reference: String,
}

/// Who will see an anonymous reporter's payout details, shown before they claim.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayoutAudience {
    /// The roles that may open them: one person of these, once.
    pub roles: Vec<Role>,
    /// Never the person who approved the reward: opening takes a second person.
    pub not_the_approver: bool,
    /// Opened once, when the payment is recorded; never shown again.
    pub once: bool,
    /// The same in words (Chinese).
    pub notice_zh: &'static str,
    /// The same in words (English).
    pub notice_en: &'static str,
}

impl PayoutAudience {
    /// The rule `mark_paid` enforces, in one place for every face that shows it.
    fn current() -> Self {
        Self {
            roles: vec![Role::SafetyManager, Role::Principal],
            not_the_approver: true,
            once: true,
            notice_zh: "领取信息加密保存。只有在记录发放时，由本企业一名未批准该奖励的安全管理人员或主要负责人查看一次；查看的时间和角色会显示在这里。",
            notice_en: "Your payout details are sealed. They are opened once, when the payment is recorded, by one safety manager or principal of the enterprise who did not approve the reward; when and by which role will be shown here.",
        }
    }
}

/// The reward as the reporter sees it in their follow-up.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReporterRewardView {
    /// Amount, fen.
    pub amount_fen: i64,
    /// Status.
    pub status: RewardStatus,
    /// Why it was rejected.
    pub rejected_reason: Option<String>,
    /// When it was paid.
    pub paid_at: Option<String>,
    /// Whether payout details were left (anonymous reporters).
    pub payout_claimed: bool,
    /// Whether the reporter can claim it now with the receipt code and payout details
    /// (anonymous reports; confidential reporters are paid through payroll).
    pub claimable: bool,
    /// Who will see the payout details (anonymous reports), before and after claiming.
    pub payout_seen_by: Option<PayoutAudience>,
    /// When the payout details were opened.
    pub payout_opened_at: Option<String>,
    /// The role of whoever opened them.
    pub payout_opened_by_role: Option<Role>,
    /// The monthly cap holds the payment until this month (`YYYY-MM`, China Standard Time).
    pub held_until: Option<String>,
}

fn policy_error(e: PolicyError) -> AppError {
    match e.kind {
        PolicyErrorKind::Invalid => AppError::invalid(e.field, e.zh, e.en),
        PolicyErrorKind::CapTooLow => {
            let mut err = AppError::new(ErrorCode::RewardCapTooLow).detail(e.zh, e.en.clone());
            err.fields.push((e.field.to_owned(), e.en));
            err
        }
    }
}

fn policy_from_row(row: &PolicyRow) -> RewardPolicy {
    RewardPolicy {
        general_fen: row.general_fen,
        major_fen: row.major_fen,
        principal_threshold_fen: row.principal_threshold_fen,
        monthly_cap_fen: row.monthly_cap_fen,
        duplicates_share: row.duplicates_share,
    }
}

/// The policy in force for an enterprise and its version (0 = defaults).
pub fn effective_policy(conn: &mut DbConn, enterprise_id: &str) -> AppResult<(i64, RewardPolicy)> {
    Ok(
        store::current_policy(conn, enterprise_id)?.map_or((0, RewardPolicy::DEFAULT), |r| {
            (r.version, policy_from_row(&r))
        }),
    )
}

/// The policy a reward was computed under.
fn policy_at(conn: &mut DbConn, enterprise_id: &str, version: i64) -> AppResult<RewardPolicy> {
    if version == 0 {
        return Ok(RewardPolicy::DEFAULT);
    }
    store::policy_version(conn, enterprise_id, version)?
        .map(|r| policy_from_row(&r))
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("reward policy version missing")))
}

fn policy_view(
    enterprise_id: String,
    version: i64,
    p: RewardPolicy,
    created_at: Option<String>,
) -> RewardPolicyView {
    RewardPolicyView {
        enterprise_id,
        version,
        is_default: version == 0,
        general_fen: p.general_fen,
        major_fen: p.major_fen,
        principal_threshold_fen: p.principal_threshold_fen,
        monthly_cap_fen: p.monthly_cap_fen,
        duplicates_share: p.duplicates_share,
        created_at,
    }
}

/// The policy in force (anyone who may see the enterprise, so workers can read the standards).
pub async fn get_policy(
    ctx: &AppContext,
    actor: &Actor,
    enterprise_id: String,
) -> AppResult<RewardPolicyView> {
    let actor = actor.clone();
    ctx.db(move |conn| {
        let ent = enterprise_for(conn, &actor, &enterprise_id, EnterpriseAccess::Read)?;
        let row = store::current_policy(conn, &ent.id)?;
        Ok(match row {
            Some(r) => policy_view(
                ent.id,
                r.version,
                policy_from_row(&r),
                Some(time::to_rfc3339(r.created_at)),
            ),
            None => policy_view(ent.id, 0, RewardPolicy::DEFAULT, None),
        })
    })
    .await
}

/// Sets a new policy version (the enterprise's principal, or an admin). Earlier versions stay,
/// and rewards keep the version they were computed under.
pub async fn set_policy(
    ctx: &AppContext,
    actor: &Actor,
    enterprise_id: String,
    req: RewardPolicyRequest,
) -> AppResult<RewardPolicyView> {
    let policy = RewardPolicy {
        general_fen: req.general_fen,
        major_fen: req.major_fen,
        principal_threshold_fen: req.principal_threshold_fen,
        monthly_cap_fen: req.monthly_cap_fen,
        duplicates_share: req.duplicates_share,
    }
    .parse()
    .map_err(policy_error)?;
    let actor = actor.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            let ent = enterprise_for(conn, &actor, &enterprise_id, EnterpriseAccess::Read)?;
            if !(actor.is_admin() || (actor.role == Role::Principal && actor.is_member_of(&ent.id)))
            {
                return Err(AppError::forbidden());
            }
            let version = store::current_policy(conn, &ent.id)?.map_or(0, |r| r.version) + 1;
            let row = PolicyRow {
                enterprise_id: ent.id.clone(),
                version,
                general_fen: policy.general_fen,
                major_fen: policy.major_fen,
                principal_threshold_fen: policy.principal_threshold_fen,
                monthly_cap_fen: policy.monthly_cap_fen,
                duplicates_share: policy.duplicates_share,
                created_by: actor.user_id.clone(),
                created_at: time::now(),
            };
            store::insert_policy(conn, &row)?;
            audit::record(
                conn,
                Some(&actor),
                "reward_policy.set",
                "enterprise",
                Some(&ent.id),
                serde_json::json!({
                    "version": version,
                    "general_fen": policy.general_fen,
                    "major_fen": policy.major_fen,
                    "principal_threshold_fen": policy.principal_threshold_fen,
                    "monthly_cap_fen": policy.monthly_cap_fen,
                    "duplicates_share": policy.duplicates_share,
                }),
            )?;
            Ok(policy_view(
                ent.id,
                version,
                policy,
                Some(time::to_rfc3339(row.created_at)),
            ))
        })
    })
    .await
}

/// Proposes the reward for a report that triage has just accepted (or linked to `hazard_id` as
/// a duplicate), inside the triage transaction. `actor` (who triaged) becomes the proposer, so
/// someone else must approve.
///
/// - The first valid report of a hazard gets the policy's amount for `level`, whatever the
///   reporter was given before (the cap waits for the payment: see [`mark_paid`]).
/// - A later report of a hazard that already has a live reward gets nothing (`Ok(None)`) unless
///   the policy says duplicates share, when it gets its own reward computed the same way.
/// - Calling it again for the same report returns the existing reward.
pub fn propose_for_accepted(
    conn: &mut DbConn,
    actor: &Actor,
    report: &ReportRow,
    hazard_id: &str,
    level: &str,
) -> AppResult<Option<RewardRow>> {
    let level = HazardLevel::parse(level).ok_or_else(|| {
        AppError::invalid(
            "level",
            "隐患等级应为 general 或 major",
            "level must be general or major",
        )
    })?;
    if let Some(existing) = store::find_by_report(conn, &report.id)? {
        return Ok(Some(existing));
    }
    let (version, policy) = effective_policy(conn, &report.enterprise_id)?;
    let duplicate = store::hazard_has_live_reward(conn, hazard_id)?;
    if duplicate && !policy.duplicates_share {
        return Ok(None);
    }
    let now = time::now();
    let month = cap_month(now);
    let amount = policy.proposal(level);
    let row = RewardRow {
        id: uuid::Uuid::new_v4().to_string(),
        enterprise_id: report.enterprise_id.clone(),
        report_id: report.id.clone(),
        hazard_id: hazard_id.to_owned(),
        kind: if duplicate { "duplicate" } else { "first" }.to_owned(),
        level: level.as_str().to_owned(),
        policy_version: version,
        amount_fen: amount,
        status: RewardStatus::Proposed.as_str().to_owned(),
        proposed_by: actor.user_id.clone(),
        proposed_at: now,
        adjust_reason: None,
        approved_by: None,
        approved_at: None,
        rejected_reason: None,
        paid_reference: None,
        paid_at: None,
        payout_sealed: None,
        reporter_index: report.reporter_index.clone(),
        month,
        updated_at: now,
        held_until: None,
        payout_opened_at: None,
        payout_opened_role: None,
    };
    store::insert(conn, &row)?;
    audit::record(
        conn,
        Some(actor),
        "reward.propose",
        "reward",
        Some(&row.id),
        serde_json::json!({
            "report_id": row.report_id,
            "hazard_id": row.hazard_id,
            "kind": row.kind,
            "amount_fen": row.amount_fen,
            "policy_version": row.policy_version,
            "status": row.status,
        }),
    )?;
    Ok(Some(row))
}

fn parse_status(s: &str) -> AppResult<RewardStatus> {
    RewardStatus::parse(s)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown reward status")))
}

fn parse_level(s: &str) -> AppResult<HazardLevel> {
    HazardLevel::parse(s).ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown hazard level")))
}

fn ts(t: Option<chrono::NaiveDateTime>) -> Option<String> {
    t.map(time::to_rfc3339)
}

/// Renders a reward for staff.
fn view(row: RewardRow, pseudonym: String) -> AppResult<RewardView> {
    Ok(RewardView {
        level: parse_level(&row.level)?,
        status: parse_status(&row.status)?,
        proposed_at: time::to_rfc3339(row.proposed_at),
        approved_at: ts(row.approved_at),
        paid_at: ts(row.paid_at),
        payout_claimed: row.payout_sealed.is_some(),
        payout_opened_at: ts(row.payout_opened_at),
        held_until: row.held_until,
        id: row.id,
        report_id: row.report_id,
        pseudonym,
        hazard_id: row.hazard_id,
        kind: row.kind,
        policy_version: row.policy_version,
        amount_fen: row.amount_fen,
        proposed_by: row.proposed_by,
        adjust_reason: row.adjust_reason,
        approved_by: row.approved_by,
        rejected_reason: row.rejected_reason,
        paid_reference: row.paid_reference,
        month: row.month,
    })
}

/// The enterprise whose rewards the actor handles: its safety managers and principal only.
fn staff_enterprise(actor: &Actor) -> AppResult<String> {
    match (&actor.enterprise_id, actor.role.is_enterprise_staff()) {
        (Some(e), true) => Ok(e.clone()),
        _ => Err(AppError::forbidden()),
    }
}

fn pseudonym_of(conn: &mut DbConn, report_id: &str) -> AppResult<String> {
    reports::find(conn, report_id)?
        .map(|r| r.pseudonym)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("reward without report")))
}

/// A reward of the actor's enterprise; another enterprise's is 404.
fn load_for_staff(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<RewardRow> {
    let ent = staff_enterprise(actor)?;
    store::find(conn, id)?
        .filter(|r| r.enterprise_id == ent)
        .ok_or_else(AppError::not_found)
}

fn refusal(r: Refusal) -> AppError {
    match r {
        Refusal::Role => AppError::forbidden(),
        Refusal::State => AppError::new(ErrorCode::TransitionNotAllowed),
        Refusal::OwnProposal => AppError::new(ErrorCode::SeparationOfDuties).detail(
            "提议人不能批准自己提议的奖励",
            "the proposer cannot approve their own proposal",
        ),
        Refusal::PrincipalRequired => AppError::new(ErrorCode::PrincipalApprovalRequired),
        Refusal::OwnApproval => AppError::new(ErrorCode::SeparationOfDuties).detail(
            "批准人不能记录发放（记录发放会打开领取信息），须由另一人发放",
            "the approver cannot record the payment (which opens the payout details); someone else must",
        ),
    }
}

/// The actor relative to a reward: whether they proposed or approved it.
fn actor_on(actor: &Actor, row: &RewardRow) -> RewardActor {
    RewardActor {
        role: actor.role,
        is_proposer: row.proposed_by == actor.user_id,
        is_approver: row.approved_by.as_deref() == Some(actor.user_id.as_str()),
    }
}

/// Checks an action against the state machine and writes it with a guarded update (status,
/// amount and proposer as read), so of two people acting at once exactly one succeeds.
fn act(
    conn: &mut DbConn,
    actor: &Actor,
    row: &RewardRow,
    action: RewardAction,
    mut change: RewardChange,
) -> AppResult<RewardRow> {
    let status = parse_status(&row.status)?;
    let policy = policy_at(conn, &row.enterprise_id, row.policy_version)?;
    let who = actor_on(actor, row);
    let next = reward_state::apply(status, action, who, policy.needs_principal(row.amount_fen))
        .map_err(refusal)?;
    change.status = Some(next.as_str().to_owned());
    change.updated_at = Some(time::now());
    if !store::transition(
        conn,
        &row.id,
        status.as_str(),
        row.amount_fen,
        &row.proposed_by,
        &change,
    )? {
        return Err(AppError::new(ErrorCode::TransitionNotAllowed));
    }
    store::find(conn, &row.id)?.ok_or_else(AppError::not_found)
}

/// Runs one staff action on a reward in a write transaction and audits it.
async fn staff_action<F>(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    audit_action: &'static str,
    f: F,
) -> AppResult<(RewardRow, String)>
where
    F: FnOnce(&mut DbConn, &Actor, &RewardRow) -> AppResult<(RewardRow, serde_json::Value)>
        + Send
        + 'static,
{
    let actor = actor.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            let row = load_for_staff(conn, &actor, &id)?;
            let (after, details) = f(conn, &actor, &row)?;
            audit::record(
                conn,
                Some(&actor),
                audit_action,
                "reward",
                Some(&after.id),
                details,
            )?;
            let pseudonym = pseudonym_of(conn, &after.report_id)?;
            Ok((after, pseudonym))
        })
    })
    .await
}

/// One page of the actor's enterprise's rewards.
pub async fn list_rewards(
    ctx: &AppContext,
    actor: &Actor,
    q: RewardQuery,
) -> AppResult<RewardPage> {
    let ent = staff_enterprise(actor)?;
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let p2 = page.clone();
    let rows = ctx
        .db(move |conn| {
            Ok(store::list(
                conn,
                &ent,
                q.status.map(RewardStatus::as_str),
                &p2,
            )?)
        })
        .await?;
    let (rows, next_cursor) = page.finish(rows, |(r, _)| r.cursor());
    Ok(RewardPage {
        items: rows
            .into_iter()
            .map(|(r, p)| view(r, p))
            .collect::<AppResult<_>>()?,
        next_cursor,
    })
}

/// One reward of the actor's enterprise.
pub async fn get_reward(ctx: &AppContext, actor: &Actor, id: String) -> AppResult<RewardView> {
    let actor = actor.clone();
    let (row, pseudonym) = ctx
        .db(move |conn| {
            let row = load_for_staff(conn, &actor, &id)?;
            let p = pseudonym_of(conn, &row.report_id)?;
            Ok((row, p))
        })
        .await?;
    view(row, pseudonym)
}

/// Changes a proposed amount within the policy, with a reason. The adjuster becomes the
/// proposer: whoever sets the amount may not approve it. The bound is the level's standard,
/// whatever else the reporter was given, and a refused adjustment is audited
/// (`reward.adjust_refused`), so probing leaves a trail.
pub async fn adjust(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    req: AdjustRequest,
) -> AppResult<RewardView> {
    let amount = req.amount_fen;
    let id2 = id.clone();
    let done = async {
        let reason = inputs::text("reason", &req.reason, 500)?;
        staff_action(ctx, actor, id2, "reward.adjust", move |conn, actor, row| {
            let policy = policy_at(conn, &row.enterprise_id, row.policy_version)?;
            // The state and role are checked first, so a paid reward answers 409, not 400.
            reward_state::apply(
                parse_status(&row.status)?,
                RewardAction::Adjust,
                RewardActor {
                    role: actor.role,
                    is_proposer: true,
                    is_approver: false,
                },
                false,
            )
            .map_err(refusal)?;
            policy
                .check_adjustment(parse_level(&row.level)?, amount)
                .map_err(policy_error)?;
            let after = act(
                conn,
                actor,
                row,
                RewardAction::Adjust,
                RewardChange {
                    amount_fen: Some(amount),
                    proposed_by: Some(actor.user_id.clone()),
                    adjust_reason: Some(reason),
                    ..RewardChange::default()
                },
            )?;
            let details = serde_json::json!({ "from_fen": row.amount_fen, "to_fen": amount });
            Ok((after, details))
        })
        .await
    }
    .await;
    match done {
        Ok((row, p)) => view(row, p),
        Err(e) => {
            audit_refused_adjustment(ctx, actor, id, amount, e.code).await;
            Err(e)
        }
    }
}

/// Records a refused adjustment of one of the actor's enterprise's rewards, in a transaction
/// of its own (the refused one rolled back). Another enterprise's or a missing reward leaves no
/// event: it answered 404 and there is nothing of the actor's to audit.
async fn audit_refused_adjustment(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    requested_fen: i64,
    code: ErrorCode,
) {
    if matches!(
        code,
        ErrorCode::NotFound | ErrorCode::Internal | ErrorCode::Unavailable
    ) {
        return;
    }
    let actor = actor.clone();
    let recorded = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let Ok(row) = load_for_staff(conn, &actor, &id) else {
                    return Ok(());
                };
                audit::record(
                    conn,
                    Some(&actor),
                    "reward.adjust_refused",
                    "reward",
                    Some(&row.id),
                    serde_json::json!({ "requested_fen": requested_fen, "code": code.as_str() }),
                )
            })
        })
        .await;
    if let Err(e) = recorded {
        tracing::warn!(error = ?e, "could not audit a refused reward adjustment");
    }
}

/// Approves a proposed reward (not the proposer; above the threshold, a principal).
pub async fn approve(ctx: &AppContext, actor: &Actor, id: String) -> AppResult<RewardView> {
    let (row, p) = staff_action(ctx, actor, id, "reward.approve", |conn, actor, row| {
        let now = time::now();
        let after = act(
            conn,
            actor,
            row,
            RewardAction::Approve,
            RewardChange {
                approved_by: Some(actor.user_id.clone()),
                approved_at: Some(now),
                ..RewardChange::default()
            },
        )?;
        Ok((after, serde_json::json!({ "amount_fen": row.amount_fen })))
    })
    .await?;
    view(row, p)
}

/// Rejects a reward with a reason the reporter sees.
pub async fn reject(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    req: RejectRequest,
) -> AppResult<RewardView> {
    let reason = inputs::text("reason", &req.reason, 500)?;
    let (row, p) = staff_action(ctx, actor, id, "reward.reject", move |conn, actor, row| {
        let after = act(
            conn,
            actor,
            row,
            RewardAction::Reject,
            RewardChange {
                rejected_reason: Some(reason),
                ..RewardChange::default()
            },
        )?;
        Ok((after, serde_json::json!({ "from": row.status })))
    })
    .await?;
    view(row, p)
}

enum PaidOutcome {
    Paid(Box<RewardRow>, String),
    Held(String),
}

/// Records the payment of an approved reward (not by its approver). The answer carries an
/// anonymous reporter's payout details, opened for this answer only; the reporter's follow-up
/// then shows when and by which role.
///
/// The monthly cap is applied here, and only here: when what was already paid this month to
/// the same confidential reporter plus this reward would pass the cap, nothing is paid, the
/// reward stays approved and is held until next month (`held_until`), and the payer gets 409
/// `reward_held` naming the month and no amount. Because the cap holds at least three major
/// rewards, no reporter's first three payments of a month are ever held.
pub async fn mark_paid(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    req: PaidRequest,
) -> AppResult<PaidView> {
    let reference = inputs::text("reference", &req.reference, 128)?;
    let actor = actor.clone();
    let outcome = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let row = load_for_staff(conn, &actor, &id)?;
                let status = parse_status(&row.status)?;
                reward_state::apply(
                    status,
                    RewardAction::MarkPaid,
                    actor_on(&actor, &row),
                    false,
                )
                .map_err(refusal)?;
                let now = time::now();
                if let Some(ri) = row.reporter_index.as_deref() {
                    let (_, policy) = effective_policy(conn, &row.enterprise_id)?;
                    store::lock_reporter(conn, ri)?;
                    let (from, until) = month_bounds(now);
                    let paid = store::paid_total(conn, ri, from, until)?;
                    if !policy.payment_fits(paid, row.amount_fen) {
                        let month = next_month(now);
                        if !store::hold(conn, &row.id, &month, now)? {
                            return Err(AppError::new(ErrorCode::TransitionNotAllowed));
                        }
                        audit::record(
                            conn,
                            Some(&actor),
                            "reward.hold",
                            "reward",
                            Some(&row.id),
                            serde_json::json!({ "until": month }),
                        )?;
                        return Ok(PaidOutcome::Held(month));
                    }
                }
                let opened = row.payout_sealed.is_some();
                let after = act(
                    conn,
                    &actor,
                    &row,
                    RewardAction::MarkPaid,
                    RewardChange {
                        paid_reference: Some(reference),
                        paid_at: Some(now),
                        held_until: row.held_until.is_some().then_some(None),
                        payout_opened_at: opened.then_some(now),
                        payout_opened_role: opened.then(|| actor.role.as_str().to_owned()),
                        ..RewardChange::default()
                    },
                )?;
                audit::record(
                    conn,
                    Some(&actor),
                    "reward.paid",
                    "reward",
                    Some(&after.id),
                    serde_json::json!({
                        "amount_fen": row.amount_fen,
                        "payout_opened": opened,
                    }),
                )?;
                let pseudonym = pseudonym_of(conn, &after.report_id)?;
                Ok(PaidOutcome::Paid(Box::new(after), pseudonym))
            })
        })
        .await?;
    let (row, p) = match outcome {
        PaidOutcome::Paid(row, p) => (*row, p),
        PaidOutcome::Held(month) => {
            return Err(AppError::new(ErrorCode::RewardHeld).detail(
                format!("按奖励制度的每月上限，该奖励暂缓至 {month} 发放，届时请再记录发放"),
                format!(
                    "the reward policy's monthly cap holds this payment until {month}; record it again then"
                ),
            ));
        }
    };
    let payout = match &row.payout_sealed {
        Some(sealed) => Some(open_payout(&ctx.keys, &row, sealed)?),
        None => None,
    };
    Ok(PaidView {
        reward: view(row, p)?,
        payout,
    })
}

/// The sealing context's record id for a reward's payout details.
pub(crate) fn payout_record_id(reward_id: &str) -> String {
    format!("reward:{reward_id}")
}

fn open_payout(keys: &KeyRing, row: &RewardRow, sealed: &[u8]) -> AppResult<String> {
    let rid = payout_record_id(&row.id);
    let ctx = Context {
        enterprise_id: &row.enterprise_id,
        record_id: &rid,
    };
    let sealed = qingling_crypto::Sealed::from_bytes(sealed)
        .map_err(|e| AppError::internal(anyhow::anyhow!("payout details: {e}")))?;
    let plain = keys
        .open(Purpose::Payout, &ctx, &sealed)
        .map_err(|e| AppError::internal(anyhow::anyhow!("opening payout details: {e}")))?;
    String::from_utf8(plain.expose_secret().to_vec()).map_err(AppError::internal)
}

/// The reward of a report as its reporter sees it (for the follow-up answers).
pub fn reward_for_report(
    conn: &mut DbConn,
    report_id: &str,
) -> AppResult<Option<ReporterRewardView>> {
    let Some(row) = store::find_by_report(conn, report_id)? else {
        return Ok(None);
    };
    let anonymous = reports::find(conn, report_id)?.is_some_and(|r| r.mode == "anonymous");
    reporter_view(row, anonymous).map(Some)
}

/// The rewards of a page of one reporter's reports, by report id (for "my reports").
pub fn rewards_for_reports(
    conn: &mut DbConn,
    reports: &[ReportRow],
) -> AppResult<HashMap<String, ReporterRewardView>> {
    let ids: Vec<String> = reports.iter().map(|r| r.id.clone()).collect();
    let anonymous: HashSet<&str> = reports
        .iter()
        .filter(|r| r.mode == "anonymous")
        .map(|r| r.id.as_str())
        .collect();
    store::of_reports(conn, &ids)?
        .into_iter()
        .map(|row| {
            let anon = anonymous.contains(row.report_id.as_str());
            Ok((row.report_id.clone(), reporter_view(row, anon)?))
        })
        .collect()
}

/// A reward as its reporter sees it. Only an anonymous reporter claims (confidential ones are
/// paid through payroll), and only while the reward is open, unclaimed and not zero.
fn reporter_view(row: RewardRow, anonymous: bool) -> AppResult<ReporterRewardView> {
    let status = parse_status(&row.status)?;
    let open = matches!(status, RewardStatus::Proposed | RewardStatus::Approved);
    let opened_by = row
        .payout_opened_role
        .as_deref()
        .map(|r| Role::parse(r).ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown role"))))
        .transpose()?;
    Ok(ReporterRewardView {
        amount_fen: row.amount_fen,
        status,
        rejected_reason: row.rejected_reason,
        paid_at: ts(row.paid_at),
        payout_claimed: row.payout_sealed.is_some(),
        claimable: anonymous && open && row.payout_sealed.is_none() && row.amount_fen > 0,
        payout_seen_by: anonymous.then(PayoutAudience::current),
        payout_opened_at: ts(row.payout_opened_at),
        payout_opened_by_role: opened_by,
        held_until: row.held_until,
    })
}

/// An anonymous reporter claims their reward with the receipt code and payout details, which
/// are sealed at once and opened only when the payer marks the reward paid. A wrong code answers
/// exactly like an unknown one (404).
pub async fn claim_reward(
    ctx: &AppContext,
    receipt_code: String,
    payout: String,
) -> AppResult<ReporterRewardView> {
    let payout = inputs::text("payout", &payout, 200)?;
    let keys = ctx.keys.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            let report = report_by_receipt(&keys, conn, &receipt_code)?;
            if report.mode != "anonymous" {
                return Err(AppError::new(ErrorCode::TransitionNotAllowed).detail(
                    "实名（保密）举报的奖励通过工资发放，无需领取",
                    "rewards of confidential reports are paid through payroll; nothing to claim",
                ));
            }
            let no_claim = || {
                AppError::new(ErrorCode::TransitionNotAllowed).detail(
                    "没有可领取的奖励，或已提交过领取信息",
                    "there is no reward to claim, or it was claimed already",
                )
            };
            let row = store::find_by_report(conn, &report.id)?.ok_or_else(no_claim)?;
            let rid = payout_record_id(&row.id);
            let sealed = keys
                .seal(
                    Purpose::Payout,
                    &Context {
                        enterprise_id: &row.enterprise_id,
                        record_id: &rid,
                    },
                    payout.as_bytes(),
                )
                .map_err(|e| AppError::internal(anyhow::anyhow!("sealing payout details: {e}")))?
                .to_bytes();
            if row.amount_fen == 0 || !store::set_payout(conn, &row.id, &sealed, time::now())? {
                return Err(no_claim());
            }
            audit::record(
                conn,
                None,
                "reward.claim",
                "reward",
                Some(&row.id),
                serde_json::json!({}),
            )?;
            reward_for_report(conn, &report.id)?.ok_or_else(AppError::not_found)
        })
    })
    .await
}
