//! A reporter takes a report to the bureau (安委〔2024〕7号: where a reported hazard is not fixed,
//! the employee may go to the regulator). The appeal opens (or joins) the report's escalation;
//! the bureau sees the report, its timeline and photos and the appeal's reason, never who wrote it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::domain::escalation_state::TriggerKind;
use crate::domain::{Actor, Role, inputs};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::escalations::{Fired, Subject, fire};
use crate::services::followup::report_by_receipt;
use crate::store::reports::{self, ReportEventRow, ReportRow};
use crate::store::{DbConn, time};

/// Report states an appeal is allowed from: brushed aside (rejected, duplicate) or untouched.
const APPEALABLE: [&str; 3] = ["rejected", "duplicate", "submitted"];

/// `POST /m/v1/reports/{id}/appeal`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    /// Why the bureau should look at it.
    pub reason: String,
}

/// `POST /m/v1/receipt/appeal`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptAppealRequest {
    /// The receipt code shown at submission.
    pub receipt_code: String,
    /// Why the bureau should look at it.
    pub reason: String,
}

/// The appeal was received.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppealView {
    /// The report.
    pub report_id: String,
    /// `appealed`.
    pub status: String,
}

/// A logged-in worker appeals one of their own reports (found through the blind index; another
/// worker's report is 404).
pub async fn appeal_as_reporter(
    ctx: &AppContext,
    actor: &Actor,
    report_id: String,
    req: AppealRequest,
) -> AppResult<AppealView> {
    if actor.role != Role::Worker {
        return Err(AppError::forbidden());
    }
    let reason = inputs::text("reason", &req.reason, 2000)?;
    let keys = ctx.keys.clone();
    let user_id = actor.user_id.clone();
    ctx.db(move |conn| {
        let report = reports::find(conn, &report_id)?.ok_or_else(AppError::not_found)?;
        let mine =
            crate::services::identity::reporter_index(&keys, &report.enterprise_id, &user_id);
        if report.reporter_index.as_deref() != Some(mine.as_str()) {
            return Err(AppError::not_found());
        }
        appeal(conn, &report, &reason)
    })
    .await
}

/// An anonymous reporter appeals with the receipt code. A malformed, wrong or unknown code all
/// answer the same 404.
pub async fn appeal_with_receipt(
    ctx: &AppContext,
    req: ReceiptAppealRequest,
) -> AppResult<AppealView> {
    let reason = inputs::text("reason", &req.reason, 2000)?;
    let keys = ctx.keys.clone();
    ctx.db(move |conn| {
        let report = report_by_receipt(&keys, conn, &req.receipt_code)?;
        appeal(conn, &report, &reason)
    })
    .await
}

fn appeal(conn: &mut DbConn, report: &ReportRow, reason: &str) -> AppResult<AppealView> {
    if !APPEALABLE.contains(&report.status.as_str()) {
        return Err(AppError::new(ErrorCode::TransitionNotAllowed).detail(
            "只有被驳回、判为重复或未处理的报告可以申诉",
            "only a rejected, duplicate or untriaged report can be appealed",
        ));
    }
    let subject = Subject {
        subject_type: "report",
        subject_id: report.id.clone(),
        enterprise_id: report.enterprise_id.clone(),
    };
    let report_id = report.id.clone();
    let status = report.status.clone();
    let on_fired = move |conn: &mut DbConn, _: &_| -> AppResult<()> {
        reports::insert_event(
            conn,
            &ReportEventRow {
                id: uuid::Uuid::new_v4().to_string(),
                report_id: report_id.clone(),
                at: time::now(),
                actor_id: None,
                actor_role: Some("reporter".into()),
                kind: "appealed".into(),
                from_status: Some(status.clone()),
                to_status: Some(status.clone()),
                note: None,
            },
        )?;
        Ok(())
    };
    match fire(
        conn,
        &subject,
        TriggerKind::Appeal,
        Some(reason),
        true,
        &on_fired,
    )? {
        Fired::AlreadyFired => Err(AppError::new(ErrorCode::AlreadyExists)
            .detail("该报告已申诉过", "this report has already been appealed")),
        Fired::Opened(_) | Fired::Appended(_) => Ok(AppealView {
            report_id: report.id.clone(),
            status: "appealed".into(),
        }),
    }
}
