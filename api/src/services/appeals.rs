//! A reporter takes a report to the bureau (安委〔2024〕7号: where a reported hazard is not fixed,
//! the employee may go to the regulator). The appeal opens (or joins) the report's escalation;
//! the bureau sees the report, its timeline and photos and the appeal's reason, never who wrote it.
//! After appealing, the reporter writes to the bureau and reads its replies on the report's
//! message channel, logged in or with the receipt code, as anonymous as the appeal itself.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::domain::escalation_state::TriggerKind;
use crate::domain::{Actor, Role, inputs};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::escalations::{Event, Fired, Subject, fire, record_event};
use crate::services::followup::{
    MessageBody, ReceiptMessage, message_text, own_report, report_by_receipt,
};
use crate::store::escalations;
use crate::store::reports::{self, MessageRow, ReportEventRow, ReportRow};
use crate::store::{DbConn, time, write_tx};

/// Report states an appeal is allowed from: every one. Brushed aside (rejected, duplicate),
/// untouched (submitted), or accepted while the reporter sees the rectification as fake or slow
/// (安委〔2024〕7号: where a reported hazard is not fixed, the employee may go to the regulator).
const APPEALABLE: [&str; 4] = ["rejected", "duplicate", "submitted", "accepted"];

/// `POST /m/v1/reports/{id}/appeal`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    /// Why the bureau should look at it.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reason: String,
}

/// `POST /m/v1/receipt/appeal`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptAppealRequest {
    /// The receipt code shown at submission.
    pub receipt_code: String,
    /// Why the bureau should look at it.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reason: String,
}

/// The receipt code is the reporter's only key: never print it.
impl std::fmt::Debug for ReceiptAppealRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReceiptAppealRequest(..)")
    }
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
        appeal(conn, &keys, &report, &reason)
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
        appeal(conn, &keys, &report, &reason)
    })
    .await
}

fn appeal(
    conn: &mut DbConn,
    keys: &qingling_crypto::KeyRing,
    report: &ReportRow,
    reason: &str,
) -> AppResult<AppealView> {
    if !APPEALABLE.contains(&report.status.as_str()) {
        return Err(AppError::new(ErrorCode::TransitionNotAllowed).detail(
            "该报告当前状态不能申诉",
            "this report cannot be appealed in its current state",
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
        keys,
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

/// `POST /m/v1/reports/{id}/bureau-messages`: a logged-in worker writes to the bureau about one
/// of their appealed reports (another worker's report is 404).
pub async fn message_bureau_as_reporter(
    ctx: &AppContext,
    actor: &Actor,
    report_id: String,
    req: MessageBody,
) -> AppResult<()> {
    let body = message_text(&req.body)?;
    let (ctx2, actor) = (ctx.clone(), actor.clone());
    ctx.db(move |conn| {
        let report = own_report(&ctx2, conn, &actor, &report_id)?;
        to_bureau(conn, &report, body)
    })
    .await
}

/// `POST /m/v1/receipt/bureau-messages`: the same with the receipt code in the body. A wrong
/// code answers like an unknown one.
pub async fn message_bureau_with_receipt(ctx: &AppContext, req: ReceiptMessage) -> AppResult<()> {
    let body = message_text(&req.body)?;
    let ctx2 = ctx.clone();
    ctx.db(move |conn| {
        let report = report_by_receipt(&ctx2.keys, conn, &req.receipt_code)?;
        to_bureau(conn, &report, body)
    })
    .await
}

/// The escalation a reporter's message goes to: the report's open one, else the one its appeal
/// opened or joined. None before an appeal.
fn appealed_escalation(
    conn: &mut DbConn,
    report_id: &str,
) -> AppResult<Option<escalations::EscalationRow>> {
    let Some(appeal) =
        escalations::trigger_escalation(conn, "report", report_id, TriggerKind::Appeal.as_str())?
    else {
        return Ok(None);
    };
    if let Some(open) = escalations::find_active(conn, "report", report_id)? {
        return Ok(Some(open));
    }
    Ok(escalations::find(conn, &appeal)?)
}

/// Writes the message on the report's channel (reporter → bureau, no author) and on the
/// escalation's timeline, which the bureau reads; the webhook for it carries no text.
fn to_bureau(conn: &mut DbConn, report: &ReportRow, body: String) -> AppResult<()> {
    write_tx(conn, |conn| {
        let esc = appealed_escalation(conn, &report.id)?.ok_or_else(|| {
            AppError::new(ErrorCode::TransitionNotAllowed).detail(
                "申诉后才能给监管部门留言",
                "a report can be taken to the bureau only after an appeal",
            )
        })?;
        reports::insert_message(
            conn,
            &MessageRow {
                id: uuid::Uuid::new_v4().to_string(),
                report_id: report.id.clone(),
                sender: "reporter".into(),
                recipient: "bureau".into(),
                author_id: None,
                body: body.clone(),
                created_at: time::now(),
            },
        )?;
        record_event(
            conn,
            &esc,
            &Event {
                actor: None,
                actor_role: "reporter",
                kind: "reporter_message",
                from_status: None,
                to_status: None,
                note: Some(&body),
                trigger: None,
            },
        )
    })
}
