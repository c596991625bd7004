//! 奖励: the enterprise's rewards by status, with 批准 / 驳回 (a reason the reporter sees) /
//! 调整 (an amount in 元 and a reason) / 标记已发放 (a payout reference), and the reward policy
//! (amounts shown and entered in 元, stored as fen). Every rule — separation of duties, the
//! principal's threshold, the policy's bounds, the monthly cap's hold — is the service's
//! (`services::rewards`); a refusal is shown in its words, and the page keeps none of its own.
//! Staff see the report's pseudonym, never the reporter.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use qingling_api::AppContext;
use qingling_api::domain::reward_state::RewardStatus;
use qingling_api::services::rewards::{
    self, AdjustRequest, PaidRequest, RejectRequest, RewardPolicyRequest, RewardPolicyView,
    RewardQuery, RewardView,
};
use qingling_api::{AppError, AppResult};
use serde::Deserialize;

use super::inbox::{Choice, choices};
use super::{ENTERPRISE_STAFF, NavEntry};
use crate::csrf::Posted;
use crate::error::{ConsoleError, describe};
use crate::labels;
use crate::messages::Messages;
use crate::render::{self, Chrome, beijing, parse_yuan, see_other, status_of, yuan};
use crate::session::SignedInUser;

/// 奖励 in the navigation.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/rewards",
    label: |m| m.nav_rewards,
    roles: ENTERPRISE_STAFF,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/rewards", web::get().to(list))
        .route("/rewards/policy", web::get().to(policy))
        .route("/rewards/policy", web::post().to(save_policy))
        .route("/rewards/{id}/approve", web::post().to(approve))
        .route("/rewards/{id}/reject", web::post().to(reject))
        .route("/rewards/{id}/adjust", web::post().to(adjust))
        .route("/rewards/{id}/paid", web::post().to(mark_paid));
}

/// The list's filter.
#[derive(Debug, Default, Deserialize)]
struct RewardFilter {
    #[serde(default)]
    status: String,
    #[serde(default)]
    cursor: String,
}

#[derive(Debug)]
struct RewardRow {
    id: String,
    pseudonym: String,
    level: &'static str,
    level_class: &'static str,
    kind: &'static str,
    amount: String,
    status: &'static str,
    status_class: &'static str,
    proposed: String,
    note: String,
    proposed_state: bool,
    approved_state: bool,
}

#[derive(Template)]
#[template(path = "rewards.html")]
struct RewardsPage {
    chrome: Chrome,
    error: Option<String>,
    statuses: Vec<Choice>,
    status: String,
    rows: Vec<RewardRow>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "reward_paid.html")]
struct PaidPage {
    chrome: Chrome,
    pseudonym: String,
    amount: String,
    reference: String,
    payout: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct PolicyForm {
    #[serde(default)]
    general_yuan: String,
    #[serde(default)]
    major_yuan: String,
    #[serde(default)]
    threshold_yuan: String,
    #[serde(default)]
    cap_yuan: String,
    #[serde(default)]
    duplicates_share: String,
}

#[derive(Template)]
#[template(path = "reward_policy.html")]
struct PolicyPage {
    chrome: Chrome,
    error: Option<String>,
    version: i64,
    is_default: bool,
    set_at: String,
    f: PolicyForm,
}

fn status_words(m: &'static Messages, s: RewardStatus) -> (&'static str, &'static str) {
    match s {
        RewardStatus::Proposed => (m.reward_proposed, "badge waiting"),
        RewardStatus::Approved => (m.reward_approved, "badge review"),
        RewardStatus::Rejected => (m.reward_rejected, "badge muted"),
        RewardStatus::Paid => (m.reward_paid, "badge ok"),
    }
}

fn error_words(e: &AppError, user: &SignedInUser) -> String {
    let (t, d) = describe(e, user.lang);
    d.map_or(t.clone(), |d| format!("{t}：{d}"))
}

fn row(m: &'static Messages, r: &RewardView) -> RewardRow {
    let (level, level_class) = labels::level(m, Some(r.level.as_str()));
    let (status, status_class) = status_words(m, r.status);
    let mut note = Vec::new();
    if let Some(a) = &r.adjust_reason {
        note.push(format!("{}：{a}", m.reward_adjusted_because));
    }
    if let Some(a) = &r.rejected_reason {
        note.push(format!("{}：{a}", m.reward_rejected_because));
    }
    if let Some(a) = &r.paid_reference {
        note.push(format!("{}：{a}", m.reward_reference));
    }
    if let Some(a) = &r.held_until {
        note.push(format!("{} {a}", m.reward_held_until));
    }
    RewardRow {
        id: r.id.clone(),
        pseudonym: r.pseudonym.clone(),
        level,
        level_class,
        kind: if r.kind == "duplicate" {
            m.reward_kind_duplicate
        } else {
            m.reward_kind_first
        },
        amount: format!("{} {}", yuan(r.amount_fen), m.yuan),
        status,
        status_class,
        proposed: beijing(&r.proposed_at),
        note: note.join("；"),
        proposed_state: r.status == RewardStatus::Proposed,
        approved_state: r.status == RewardStatus::Approved,
    }
}

async fn list_page(
    ctx: &AppContext,
    user: &SignedInUser,
    f: RewardFilter,
    error: Option<&AppError>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let status = RewardStatus::parse(f.status.trim());
    let page = rewards::list_rewards(
        ctx,
        &user.actor,
        RewardQuery {
            status,
            cursor: (!f.cursor.is_empty()).then(|| f.cursor.clone()),
            limit: Some(50),
        },
    )
    .await
    .map_err(|e| user.fail(e))?;
    let status_value = status.map(RewardStatus::as_str).unwrap_or_default();
    let next = page.next_cursor.map(|c| {
        format!(
            "/console/rewards?{}",
            serde_html_form::to_string([("status", status_value), ("cursor", c.as_str())])
                .unwrap_or_default()
        )
    });
    let view = RewardsPage {
        chrome: Chrome::new(user, "/console/rewards"),
        error: error.map(|e| error_words(e, user)),
        statuses: choices(
            status_value,
            &[
                ("", m.any),
                ("proposed", m.reward_proposed),
                ("approved", m.reward_approved),
                ("rejected", m.reward_rejected),
                ("paid", m.reward_paid),
            ],
        ),
        status: status_value.to_owned(),
        rows: page.items.iter().map(|r| row(m, r)).collect(),
        next,
    };
    match error {
        Some(e) => render::html_status(status_of(e), user.lang, &view),
        None => render::html(user.lang, &view),
    }
}

async fn list(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<RewardFilter>,
) -> Result<HttpResponse, ConsoleError> {
    list_page(&ctx, &user, q.into_inner(), None).await
}

/// What every action form posts besides its own fields: the list filter to come back to.
#[derive(Debug, Default, Deserialize)]
struct ActionForm {
    #[serde(default)]
    back_status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    amount_yuan: String,
    #[serde(default)]
    reference: String,
}

/// After an action: back to the list it was taken from, or the list with the refusal.
async fn answer(
    ctx: &AppContext,
    user: &SignedInUser,
    f: &ActionForm,
    result: AppResult<RewardView>,
) -> Result<HttpResponse, ConsoleError> {
    match result {
        Ok(_) if f.back_status.is_empty() => Ok(see_other("/console/rewards")),
        Ok(_) => Ok(see_other(&format!(
            "/console/rewards?{}",
            serde_html_form::to_string([("status", f.back_status.as_str())]).unwrap_or_default()
        ))),
        Err(e) => {
            let filter = RewardFilter {
                status: f.back_status.clone(),
                cursor: String::new(),
            };
            list_page(ctx, user, filter, Some(&e)).await
        }
    }
}

async fn approve(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<ActionForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let result = rewards::approve(&ctx, &user.actor, id.into_inner()).await;
    answer(&ctx, &user, &f, result).await
}

async fn reject(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<ActionForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let req = RejectRequest {
        reason: f.reason.clone(),
    };
    let result = rewards::reject(&ctx, &user.actor, id.into_inner(), req).await;
    answer(&ctx, &user, &f, result).await
}

fn amount(field: &str, raw: &str) -> AppResult<i64> {
    parse_yuan(raw).ok_or_else(|| {
        AppError::invalid(
            field,
            "金额须是以元为单位、最多两位小数的数",
            "the amount must be in yuan with at most two decimals",
        )
    })
}

async fn adjust(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<ActionForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let result = match amount("amount_fen", &f.amount_yuan) {
        Ok(amount_fen) => {
            let req = AdjustRequest {
                amount_fen,
                reason: f.reason.clone(),
            };
            rewards::adjust(&ctx, &user.actor, id.into_inner(), req).await
        }
        Err(e) => Err(e),
    };
    answer(&ctx, &user, &f, result).await
}

/// 标记已发放: the answer shows an anonymous reporter's payout details this once (the service
/// opens them for this answer only), so it is a page of its own, never cached.
async fn mark_paid(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<ActionForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let req = PaidRequest {
        reference: f.reference.clone(),
    };
    match rewards::mark_paid(&ctx, &user.actor, id.into_inner(), req).await {
        Ok(paid) => {
            let m = user.lang.messages();
            render::html(
                user.lang,
                &PaidPage {
                    chrome: Chrome::new(&user, "/console/rewards"),
                    pseudonym: paid.reward.pseudonym.clone(),
                    amount: format!("{} {}", yuan(paid.reward.amount_fen), m.yuan),
                    reference: paid.reward.paid_reference.clone().unwrap_or_default(),
                    payout: paid.payout,
                },
            )
        }
        Err(e) => {
            let filter = RewardFilter {
                status: f.back_status.clone(),
                cursor: String::new(),
            };
            list_page(&ctx, &user, filter, Some(&e)).await
        }
    }
}

fn enterprise_of(user: &SignedInUser) -> AppResult<String> {
    user.actor
        .enterprise_id
        .clone()
        .ok_or_else(AppError::forbidden)
}

fn policy_form(p: &RewardPolicyView) -> PolicyForm {
    PolicyForm {
        general_yuan: yuan(p.general_fen),
        major_yuan: yuan(p.major_fen),
        threshold_yuan: yuan(p.principal_threshold_fen),
        cap_yuan: yuan(p.monthly_cap_fen),
        duplicates_share: if p.duplicates_share { "1" } else { "" }.to_owned(),
    }
}

async fn policy_page(
    ctx: &AppContext,
    user: &SignedInUser,
    refused: Option<(&AppError, PolicyForm)>,
) -> Result<HttpResponse, ConsoleError> {
    let ent = enterprise_of(user).map_err(|e| user.fail(e))?;
    let p = rewards::get_policy(ctx, &user.actor, ent)
        .await
        .map_err(|e| user.fail(e))?;
    let status = refused.as_ref().map(|(e, _)| status_of(e));
    let (error, f) = match refused {
        Some((e, typed)) => (Some(error_words(e, user)), typed),
        None => (None, policy_form(&p)),
    };
    let page = PolicyPage {
        chrome: Chrome::new(user, "/console/rewards"),
        error,
        version: p.version,
        is_default: p.is_default,
        set_at: p.created_at.as_deref().map(beijing).unwrap_or_default(),
        f,
    };
    render::html_status(status.unwrap_or(StatusCode::OK), user.lang, &page)
}

async fn policy(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
) -> Result<HttpResponse, ConsoleError> {
    policy_page(&ctx, &user, None).await
}

fn policy_request(f: &PolicyForm) -> AppResult<RewardPolicyRequest> {
    Ok(RewardPolicyRequest {
        general_fen: amount("general_fen", &f.general_yuan)?,
        major_fen: amount("major_fen", &f.major_yuan)?,
        principal_threshold_fen: amount("principal_threshold_fen", &f.threshold_yuan)?,
        monthly_cap_fen: amount("monthly_cap_fen", &f.cap_yuan)?,
        duplicates_share: !f.duplicates_share.is_empty(),
    })
}

async fn save_policy(
    ctx: web::Data<AppContext>,
    posted: Posted<PolicyForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let result = match (policy_request(&f), enterprise_of(&user)) {
        (Ok(req), Ok(ent)) => rewards::set_policy(&ctx, &user.actor, ent, req).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other("/console/rewards/policy")),
        Err(e) => policy_page(&ctx, &user, Some((&e, f))).await,
    }
}
