//! Helpers shared by the triage, hazard and rectification use cases: who may act on an
//! enterprise's ledger, how a refused transition reads, and parsing of the ledger's inputs.

use chrono::NaiveDate;

use crate::domain::Actor;
use crate::domain::report_state::Refused;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::store::{DbConn, criteria};

/// The enterprise whose ledger the actor keeps: safety managers and principals only (others get
/// 403; another enterprise's records then answer 404 through [`same_tenant`]).
pub fn staff_enterprise(actor: &Actor) -> AppResult<String> {
    match (&actor.enterprise_id, actor.role.is_enterprise_staff()) {
        (Some(e), true) => Ok(e.clone()),
        _ => Err(AppError::forbidden()),
    }
}

/// 404 unless the record belongs to the actor's enterprise (existence is not revealed).
pub fn same_tenant(record_enterprise: &str, actor_enterprise: &str) -> AppResult<()> {
    if record_enterprise == actor_enterprise {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

/// The answer for a transition the state machine refused; `reason_field` names the request
/// field that must carry the reason.
pub fn refused(r: Refused, reason_field: &str) -> AppError {
    match r {
        Refused::Role => AppError::forbidden(),
        Refused::State => AppError::new(ErrorCode::TransitionNotAllowed).detail(
            "记录当前状态不允许此操作（可能已被他人处理）",
            "the record's current state does not allow this (someone may have acted first)",
        ),
        Refused::ReasonRequired => AppError::invalid(
            reason_field,
            "此操作需要填写原因",
            "a reason is required for this action",
        ),
    }
}

/// The answer when a guarded update found the record already moved by someone else.
pub fn lost_race() -> AppError {
    refused(Refused::State, "")
}

/// Parses a `YYYY-MM-DD` date.
pub fn date(field: &str, raw: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::invalid(
            field,
            format!("{field} 应为 YYYY-MM-DD 格式的日期"),
            format!("{field} must be a date as YYYY-MM-DD"),
        )
    })
}

/// Checks criterion codes against what the enterprise may use; returns them sorted and unique.
pub fn criterion_codes(
    conn: &mut DbConn,
    codes: Option<Vec<String>>,
    enterprise_id: &str,
) -> AppResult<Vec<String>> {
    let mut codes: Vec<String> = codes
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.trim().to_owned())
        .collect();
    codes.sort();
    codes.dedup();
    if codes.len() > 20 {
        return Err(AppError::invalid(
            "criterion_codes",
            "判定标准最多 20 项",
            "at most 20 criterion codes",
        ));
    }
    let known = criteria::usable_codes(conn, &codes, enterprise_id)?;
    if let Some(bad) = codes.iter().find(|c| !known.contains(c)) {
        return Err(AppError::invalid(
            "criterion_codes",
            format!("未知的判定标准：{bad}"),
            format!("unknown criterion code: {bad}"),
        ));
    }
    Ok(codes)
}
