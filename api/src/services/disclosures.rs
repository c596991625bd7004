//! Audited identity disclosure: the only way anyone sees who sent a confidential report.
//!
//! A custodian of the report's enterprise asks with a written reason; a second custodian
//! approves or refuses; only then, and only once, the requester reads the identity. Every step is
//! an audit event (without the identity or the reason's text), and the reporter sees in their
//! follow-up who asked, why and when. No other role has a route to an identity: everyone but the
//! enterprise's custodians gets 404 here (its other staff 403).

use qingling_crypto::KeyRing;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::context::AppContext;
use crate::domain::disclosure_state::{
    self, DisclosureAction, DisclosureRefusal, DisclosureStatus,
};
use crate::domain::{Actor, Role, inputs};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::{audit, personal};
use crate::store::disclosures::{self as store, DisclosureRow};
use crate::store::pagination::PageRequest;
use crate::store::{DbConn, reports, time, users, write_tx};

pub use crate::services::identity::ReporterIdentity;
use crate::services::identity::open as open_identity;
/// Seals a reporter's identity for a report row (the one scheme, in `services::identity`).
pub use crate::services::identity::seal as seal_identity;

/// `POST /api/v1/reports/{id}/disclosures`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDisclosureRequest {
    /// Why the identity is needed (required, 5–1000 characters; the reporter sees it).
    #[schema(
        min_length = 5,
        max_length = 1000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reason: String,
}

/// A disclosure request (never the identity).
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureView {
    /// Id.
    pub id: String,
    /// Report.
    pub report_id: String,
    /// Status.
    pub status: DisclosureStatus,
    /// Requesting custodian's user id.
    pub requested_by: String,
    /// Their reason.
    pub reason: String,
    /// Deciding custodian's user id.
    pub decided_by: Option<String>,
    /// When decided.
    pub decided_at: Option<String>,
    /// When opened.
    pub opened_at: Option<String>,
    /// When asked.
    pub created_at: String,
}

/// Query of `GET /api/v1/disclosures`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DisclosureQuery {
    /// Only requests in this status (`requested`: waiting for a second custodian).
    pub status: Option<DisclosureStatus>,
    /// Cursor from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 512)]
    pub cursor: Option<String>,
    /// Page size (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// A request in the custodians' list, with what the reader may do about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureListItem {
    /// The request (never the identity).
    #[serde(flatten)]
    pub disclosure: DisclosureView,
    /// Whether the reader may approve or refuse it now: it waits for a decision and they did
    /// not ask for it.
    pub may_decide: bool,
    /// Whether the reader may open it now: it is approved and they asked for it.
    pub may_open: bool,
}

/// A page of disclosure requests.
#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosurePage {
    /// Requests, newest first.
    pub items: Vec<DisclosureListItem>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// The one answer that carries an identity: to the requester, once, after approval.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenedDisclosureView {
    /// The request, now `opened`.
    pub disclosure: DisclosureView,
    /// Who sent the report.
    pub identity: ReporterIdentity,
}

/// A disclosure as the reporter sees it: to whom, why and when.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReporterDisclosureView {
    /// The requester's role (always `custodian`).
    pub to_role: Role,
    /// The requesting custodian's display name.
    pub to_name: String,
    /// Their reason.
    pub reason: String,
    /// Status: `requested`, `approved`, `refused` or `opened` (the identity was shown).
    pub status: DisclosureStatus,
    /// When asked.
    pub requested_at: String,
    /// When the second custodian decided.
    pub decided_at: Option<String>,
    /// When the identity was shown.
    pub opened_at: Option<String>,
}

fn parse_status(s: &str) -> AppResult<DisclosureStatus> {
    DisclosureStatus::parse(s)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown disclosure status")))
}

fn view(row: DisclosureRow) -> AppResult<DisclosureView> {
    Ok(DisclosureView {
        status: parse_status(&row.status)?,
        decided_at: row.decided_at.map(time::to_rfc3339),
        opened_at: row.opened_at.map(time::to_rfc3339),
        created_at: time::to_rfc3339(row.created_at),
        id: row.id,
        report_id: row.report_id,
        requested_by: row.requested_by,
        reason: row.reason,
        decided_by: row.decided_by,
    })
}

/// Who may act on disclosures of an enterprise: its custodians. Its other members get 403,
/// everyone else 404 (they cannot tell the record exists).
fn check_custodian(actor: &Actor, enterprise_id: &str) -> AppResult<()> {
    if actor.role == Role::Custodian && actor.is_member_of(enterprise_id) {
        Ok(())
    } else if actor.is_member_of(enterprise_id) {
        Err(AppError::forbidden())
    } else {
        Err(AppError::not_found())
    }
}

fn refusal(r: DisclosureRefusal, action: DisclosureAction) -> AppError {
    match (r, action) {
        (DisclosureRefusal::Role, _) => AppError::forbidden(),
        (DisclosureRefusal::WrongPerson, DisclosureAction::Open) => AppError::forbidden(),
        (DisclosureRefusal::WrongPerson, _) => AppError::new(ErrorCode::SeparationOfDuties).detail(
            "须由另一位身份保管人审批",
            "a second custodian, not the requester, must decide",
        ),
        (DisclosureRefusal::State, _) => AppError::new(ErrorCode::TransitionNotAllowed),
        (DisclosureRefusal::AlreadyOpened, _) => AppError::new(ErrorCode::DisclosureAlreadyOpened),
    }
}

/// The requests of the custodian's enterprise, newest first, so a second custodian finds what
/// waits for them. Only the enterprise's custodians list them (everyone else 403); the list
/// never carries an identity.
pub async fn list(
    ctx: &AppContext,
    actor: &Actor,
    q: DisclosureQuery,
) -> AppResult<DisclosurePage> {
    let ent = match (&actor.enterprise_id, actor.role) {
        (Some(e), Role::Custodian) => e.clone(),
        _ => return Err(AppError::forbidden()),
    };
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let p2 = page.clone();
    let rows = ctx
        .db(move |conn| {
            Ok(store::of_enterprise(
                conn,
                &ent,
                q.status.map(DisclosureStatus::as_str),
                &p2,
            )?)
        })
        .await?;
    let (rows, next_cursor) = page.finish(rows, DisclosureRow::cursor);
    let items = rows
        .into_iter()
        .map(|row| list_item(actor, row))
        .collect::<AppResult<_>>()?;
    Ok(DisclosurePage { items, next_cursor })
}

/// A request with what `actor` may do about it.
fn list_item(actor: &Actor, row: DisclosureRow) -> AppResult<DisclosureListItem> {
    let status = parse_status(&row.status)?;
    let mine = row.requested_by == actor.user_id;
    let may = |action| disclosure_state::apply(status, action, actor.role, mine).is_ok();
    Ok(DisclosureListItem {
        may_decide: may(DisclosureAction::Approve),
        may_open: may(DisclosureAction::Open),
        disclosure: view(row)?,
    })
}

/// `GET /api/v1/disclosures/{id}`: one request as its enterprise's custodians see it (never the
/// identity). Reading changes nothing: the identity is opened only by [`open`], a POST.
pub async fn find(ctx: &AppContext, actor: &Actor, id: String) -> AppResult<DisclosureListItem> {
    let a = actor.clone();
    let (row, _) = ctx.db(move |conn| load(conn, &a, &id)).await?;
    list_item(actor, row)
}

/// A custodian asks to disclose the reporter of a confidential report.
pub async fn request(
    ctx: &AppContext,
    actor: &Actor,
    report_id: String,
    req: CreateDisclosureRequest,
) -> AppResult<DisclosureView> {
    let reason = inputs::text("reason", &req.reason, 1000)?;
    if reason.chars().count() < 5 {
        return Err(AppError::invalid(
            "reason",
            "请写明申请披露身份的理由（至少 5 个字）",
            "reason must explain the request (at least 5 characters)",
        ));
    }
    let actor = actor.clone();
    let row = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let report = reports::find(conn, &report_id)?.ok_or_else(AppError::not_found)?;
                check_custodian(&actor, &report.enterprise_id)?;
                if report.identity_sealed.is_none() {
                    return Err(AppError::new(ErrorCode::TransitionNotAllowed).detail(
                        "匿名举报没有可披露的身份",
                        "an anonymous report has no identity to disclose",
                    ));
                }
                let row = DisclosureRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    enterprise_id: report.enterprise_id,
                    report_id: report.id,
                    requested_by: actor.user_id.clone(),
                    reason,
                    status: DisclosureStatus::Requested.as_str().to_owned(),
                    decided_by: None,
                    decided_at: None,
                    opened_at: None,
                    created_at: time::now(),
                };
                store::insert(conn, &row)?;
                audit::record(
                    conn,
                    Some(&actor),
                    "disclosure.request",
                    "disclosure",
                    Some(&row.id),
                    serde_json::json!({ "report_id": row.report_id }),
                )?;
                Ok(row)
            })
        })
        .await?;
    view(row)
}

fn load(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
) -> AppResult<(DisclosureRow, DisclosureStatus)> {
    let row = store::find(conn, id)?.ok_or_else(AppError::not_found)?;
    check_custodian(actor, &row.enterprise_id)?;
    let status = parse_status(&row.status)?;
    Ok((row, status))
}

/// A second custodian approves (`approve = true`) or refuses a request.
pub async fn decide(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    approve: bool,
) -> AppResult<DisclosureView> {
    let action = if approve {
        DisclosureAction::Approve
    } else {
        DisclosureAction::Refuse
    };
    let actor = actor.clone();
    let row = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let (row, status) = load(conn, &actor, &id)?;
                let next = disclosure_state::apply(
                    status,
                    action,
                    actor.role,
                    row.requested_by == actor.user_id,
                )
                .map_err(|r| refusal(r, action))?;
                if !store::decide(conn, &row.id, next.as_str(), &actor.user_id, time::now())? {
                    return Err(AppError::new(ErrorCode::TransitionNotAllowed));
                }
                let name = if approve {
                    "disclosure.approve"
                } else {
                    "disclosure.refuse"
                };
                audit::record(
                    conn,
                    Some(&actor),
                    name,
                    "disclosure",
                    Some(&row.id),
                    serde_json::json!({ "report_id": row.report_id }),
                )?;
                store::find(conn, &row.id)?.ok_or_else(AppError::not_found)
            })
        })
        .await?;
    view(row)
}

/// The requester reads an approved request: the identity, once. Before approval 409; after
/// opening 410 `disclosure_already_opened`.
pub async fn open(ctx: &AppContext, actor: &Actor, id: String) -> AppResult<OpenedDisclosureView> {
    let actor = actor.clone();
    let keys = ctx.keys.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            let (row, status) = load(conn, &actor, &id)?;
            let action = DisclosureAction::Open;
            disclosure_state::apply(
                status,
                action,
                actor.role,
                row.requested_by == actor.user_id,
            )
            .map_err(|r| refusal(r, action))?;
            if !store::mark_opened(conn, &row.id, time::now())? {
                return Err(AppError::new(ErrorCode::DisclosureAlreadyOpened));
            }
            let report = reports::find(conn, &row.report_id)?.ok_or_else(AppError::not_found)?;
            let sealed = report.identity_sealed.ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("disclosure of a report without identity"))
            })?;
            let identity = open_identity(&keys, &report.enterprise_id, &report.id, &sealed)?;
            audit::record(
                conn,
                Some(&actor),
                "disclosure.open",
                "disclosure",
                Some(&row.id),
                serde_json::json!({ "report_id": row.report_id }),
            )?;
            let row = store::find(conn, &row.id)?.ok_or_else(AppError::not_found)?;
            Ok(OpenedDisclosureView {
                disclosure: view(row)?,
                identity,
            })
        })
    })
    .await
}

/// Every disclosure request about a report, as its reporter sees them (for the follow-up).
pub fn disclosures_for_report(
    conn: &mut DbConn,
    keys: &KeyRing,
    report_id: &str,
) -> AppResult<Vec<ReporterDisclosureView>> {
    let mut out = Vec::new();
    for row in store::of_report(conn, report_id)? {
        let to_name = match users::find(conn, &row.requested_by)? {
            Some(u) => {
                personal::open(keys, u.enterprise_id.as_deref(), &u.id, &u.personal_sealed)?
                    .display_name
            }
            None => String::new(),
        };
        out.push(ReporterDisclosureView {
            to_role: Role::Custodian,
            to_name,
            status: parse_status(&row.status)?,
            requested_at: time::to_rfc3339(row.created_at),
            decided_at: row.decided_at.map(time::to_rfc3339),
            opened_at: row.opened_at.map(time::to_rfc3339),
            reason: row.reason,
        });
    }
    Ok(out)
}
