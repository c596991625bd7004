//! What a reporter sees of their report — by receipt code (anonymous or not) or logged in — and
//! the messages they exchange with the handler. Staff names never appear here: the reporter sees
//! the role that acted.

use diesel::prelude::*;
use qingling_crypto::KeyRing;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::context::AppContext;
use crate::domain::hazard_state::HazardState;
use crate::domain::{Actor, Role};
use crate::error::{AppError, AppResult};
use crate::media::vault::Variant;
use crate::services::disclosures::{ReporterDisclosureView, disclosures_for_report};
use crate::services::hazards::OWNER_EVIDENCE;
use crate::services::identity;
use crate::services::photos;
use crate::services::rewards::{ReporterRewardView, reward_for_report, rewards_for_reports};
use crate::store::hazards::{self, HazardEventRow, HazardRow};
use crate::store::pagination::PageRequest;
use crate::store::reports::{self, MessageRow, PhotoRow, ReportEventRow, ReportRow};
use crate::store::schema::reports as reports_t;
use crate::store::{DbConn, time, write_tx};

/// `POST /m/v1/receipt` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptLookup {
    /// The receipt code shown at submission (any case, spaces or dashes).
    pub receipt_code: String,
}

impl std::fmt::Debug for ReceiptLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReceiptLookup(..)")
    }
}

/// `POST /m/v1/receipt/messages` body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptMessage {
    /// The receipt code.
    pub receipt_code: String,
    /// The message (1–2000 characters).
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub body: String,
}

impl std::fmt::Debug for ReceiptMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReceiptMessage(..)")
    }
}

/// A message body, for logged-in senders.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    /// The message (1–2000 characters).
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub body: String,
}

/// One step of a report's life as the reporter sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// When (RFC 3339).
    pub at: String,
    /// What happened.
    pub kind: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: Option<String>,
    /// Reason or note.
    pub note: Option<String>,
    /// The role that acted (`reporter`, `safety_manager`, `system`, …); never a name.
    pub by: Option<String>,
}

/// A message on the report's channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    /// `reporter`, `enterprise` or `bureau`.
    pub sender: String,
    /// `reporter`, `enterprise` or `bureau`.
    pub recipient: String,
    /// Text.
    pub body: String,
    /// When (RFC 3339).
    pub created_at: String,
}

/// Everything the reporter may know about their report.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUp {
    /// Report id.
    pub report_id: String,
    /// Title as submitted.
    pub title: String,
    /// `submitted`, `accepted`, `duplicate` or `rejected`.
    pub status: String,
    /// The hazard it became or joined.
    pub hazard_id: Option<String>,
    /// Reason of the last decision (e.g. why it was rejected).
    pub status_note: Option<String>,
    /// Submitted at (RFC 3339).
    pub created_at: String,
    /// Every step so far.
    pub timeline: Vec<TimelineEntry>,
    /// Messages both ways.
    pub messages: Vec<MessageView>,
    /// The reward and its status, once one is proposed.
    pub reward: Option<ReporterRewardView>,
    /// Disclosures of the reporter's identity: to whom, why and when.
    pub disclosures: Vec<ReporterDisclosureView>,
    /// The hazard's progress through rectification, once the report became or joined one
    /// (absent before triage and for a rejected report).
    pub progress: Option<HazardProgress>,
    /// Signed proofs of the report, the first proof (`report.submitted`) first, then later
    /// events (accepted, rectification deadline, 销号, escalated) chained to it. Save the list as
    /// one file: `qingling proof verify` and `/proof/` check it whole.
    #[schema(value_type = Vec<Object>)]
    pub proofs: Vec<serde_json::Value>,
}

/// How the hazard a report became is being dealt with, as its reporter is owed it
/// (安委〔2024〕7号: every report gets feedback). Roles only: no staff name, id or responsible
/// person ever appears here.
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardProgress {
    /// `registered`, `rectifying`, `awaiting_verification` or `closed` (销号).
    pub status: String,
    /// `general` | `major`.
    pub level: String,
    /// Registered on the ledger (RFC 3339).
    pub registered_at: String,
    /// The current 五落实 plan, once there is one.
    pub plan: Option<ReporterPlanView>,
    /// Closed (销号) at (RFC 3339).
    pub closed_at: Option<String>,
    /// Every step of the hazard, oldest first, by role.
    pub steps: Vec<HazardStep>,
    /// The rectification evidence, shown once the hazard is closed (fetch its photos with
    /// `POST /m/v1/receipt/photos/{photo_id}` or `GET /m/v1/reports/{id}/photos/{photo_id}`).
    pub evidence: Vec<ReporterEvidenceView>,
}

/// The current plan as the reporter sees it: what will be done and by when (the responsible
/// person's name and the funds stay with the enterprise).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReporterPlanView {
    /// 整改措施.
    pub measures: String,
    /// 整改期限 (`YYYY-MM-DD`).
    pub deadline: Option<String>,
    /// Open and past its deadline.
    pub overdue: bool,
}

/// One step of the hazard's life.
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardStep {
    /// When (RFC 3339).
    pub at: String,
    /// What happened.
    pub kind: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: Option<String>,
    /// The role that acted; never a name.
    pub by: Option<String>,
}

/// Rectification evidence: what was done, and its sanitised photos' ids.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReporterEvidenceView {
    /// What was done.
    pub note: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// Photo ids.
    pub photo_ids: Vec<String>,
}

/// `POST /m/v1/receipt/photos/{photo_id}` body (the code may travel in an `X-Receipt-Code`
/// header instead).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptPhoto {
    /// The receipt code.
    pub receipt_code: String,
}

impl std::fmt::Debug for ReceiptPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReceiptPhoto(..)")
    }
}

/// One of "my reports", compactly.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyReport {
    /// Report id.
    pub report_id: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: String,
    /// Hazard it became or joined.
    pub hazard_id: Option<String>,
    /// Submitted at (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// The reward and its status, once one is proposed.
    pub reward: Option<ReporterRewardView>,
}

/// A page of my reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyReportPage {
    /// Reports, newest first.
    pub items: Vec<MyReport>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Query of `GET /m/v1/reports`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MyReportQuery {
    /// Cursor from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 512)]
    pub cursor: Option<String>,
    /// Page size (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Text of a message, checked.
pub fn message_text(raw: &str) -> AppResult<String> {
    crate::domain::inputs::text("body", raw, 2000)
}

/// The reporter's view of timeline entries (roles, never names or ids).
pub fn reporter_timeline(events: Vec<ReportEventRow>) -> Vec<TimelineEntry> {
    events
        .into_iter()
        .map(|e| TimelineEntry {
            at: time::to_rfc3339(e.at),
            kind: e.kind,
            from_status: e.from_status,
            to_status: e.to_status,
            note: e.note,
            by: e.actor_role,
        })
        .collect()
}

/// Messages as staff and the bureau see them: as [`message_views`], with the reporter's own
/// messages at the hour only (`services::staff_times`).
pub fn staff_message_views(rows: Vec<MessageRow>) -> Vec<MessageView> {
    rows.into_iter()
        .map(|m| MessageView {
            created_at: crate::services::staff_times::message_time(m.created_at, &m.sender),
            sender: m.sender,
            recipient: m.recipient,
            body: m.body,
        })
        .collect()
}

/// Messages as the reporter sees them (staff authors are not named).
pub fn message_views(rows: Vec<MessageRow>) -> Vec<MessageView> {
    rows.into_iter()
        .map(|m| MessageView {
            sender: m.sender,
            recipient: m.recipient,
            body: m.body,
            created_at: time::to_rfc3339(m.created_at),
        })
        .collect()
}

fn follow_up(ctx: &AppContext, conn: &mut DbConn, report: ReportRow) -> AppResult<FollowUp> {
    let reward = reward_for_report(conn, &report.id)?;
    let disclosures = disclosures_for_report(conn, &ctx.keys, &report.id)?;
    let timeline = reporter_timeline(reports::events_of(conn, &report.id)?);
    let messages = message_views(reports::messages_of(conn, &report.id, "reporter")?);
    let progress = match &report.hazard_id {
        Some(id) => hazards::find(conn, id)?
            .filter(|h| h.enterprise_id == report.enterprise_id)
            .map(|h| progress_of(conn, h))
            .transpose()?,
        None => None,
    };
    let proofs = crate::services::proofs::list(conn, &report.id)?;
    Ok(FollowUp {
        report_id: report.id,
        title: report.title,
        status: report.status,
        hazard_id: report.hazard_id,
        status_note: report.status_note,
        created_at: time::to_rfc3339(report.created_at),
        timeline,
        messages,
        reward,
        disclosures,
        progress,
        proofs,
    })
}

fn hazard_step(e: HazardEventRow) -> HazardStep {
    HazardStep {
        at: time::to_rfc3339(e.at),
        kind: e.kind,
        from_status: e.from_status,
        to_status: e.to_status,
        by: e.actor_role,
    }
}

/// The evidence of a hazard, if it is closed: the reporter sees the proof once the work is
/// accepted, not drafts the enterprise may still replace.
fn closed_evidence(conn: &mut DbConn, h: &HazardRow) -> AppResult<Vec<ReporterEvidenceView>> {
    if h.status != HazardState::Closed.as_str() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for e in hazards::evidence_of(conn, &h.id)? {
        let photo_ids = reports::photos_of(conn, OWNER_EVIDENCE, &e.id)?
            .into_iter()
            .map(|p| p.id)
            .collect();
        out.push(ReporterEvidenceView {
            note: e.note,
            created_at: time::to_rfc3339(e.created_at),
            photo_ids,
        });
    }
    Ok(out)
}

fn progress_of(conn: &mut DbConn, h: HazardRow) -> AppResult<HazardProgress> {
    let view = crate::services::hazards::hazard_view(h.clone(), &crate::services::hazards::today());
    let plan = hazards::plans_of(conn, &h.id)?
        .into_iter()
        .find(|p| p.version == h.plan_version)
        .map(|p| ReporterPlanView {
            measures: p.measures,
            deadline: p.deadline,
            overdue: view.overdue,
        });
    Ok(HazardProgress {
        evidence: closed_evidence(conn, &h)?,
        steps: hazards::events_of(conn, &h.id)?
            .into_iter()
            .map(hazard_step)
            .collect(),
        status: view.status,
        level: view.level,
        registered_at: view.created_at,
        plan,
        closed_at: view.closed_at,
    })
}

/// A rectification-evidence photo of the report's hazard, once closed; 404 for any other photo,
/// so ids cannot be probed through a receipt.
fn evidence_photo_of(conn: &mut DbConn, report: &ReportRow, photo_id: &str) -> AppResult<PhotoRow> {
    let hazard = match &report.hazard_id {
        Some(id) => hazards::find(conn, id)?.ok_or_else(AppError::not_found)?,
        None => return Err(AppError::not_found()),
    };
    let photo = reports::find_photo(conn, photo_id)?.ok_or_else(AppError::not_found)?;
    let shown = photo.owner_type == OWNER_EVIDENCE
        && photo.enterprise_id == report.enterprise_id
        && hazard.enterprise_id == report.enterprise_id
        && closed_evidence(conn, &hazard)?
            .iter()
            .any(|e| e.photo_ids.iter().any(|p| p == photo_id));
    if shown {
        Ok(photo)
    } else {
        Err(AppError::not_found())
    }
}

/// `POST /m/v1/receipt/photos/{photo_id}`: an evidence photo, for the holder of the receipt.
pub async fn evidence_photo_by_receipt(
    ctx: &AppContext,
    receipt_code: String,
    photo_id: String,
    variant: Variant,
) -> AppResult<Vec<u8>> {
    let ctx2 = ctx.clone();
    let row = ctx
        .db(move |conn| {
            let report = report_by_receipt(&ctx2.keys, conn, &receipt_code)?;
            evidence_photo_of(conn, &report, &photo_id)
        })
        .await?;
    photos::load(ctx, row, variant).await
}

/// `GET /m/v1/reports/{id}/photos/{photo_id}`: the same, for the logged-in reporter.
pub async fn evidence_photo_mine(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    photo_id: String,
    variant: Variant,
) -> AppResult<Vec<u8>> {
    let (ctx2, actor) = (ctx.clone(), actor.clone());
    let row = ctx
        .db(move |conn| {
            let report = own_report(&ctx2, conn, &actor, &id)?;
            evidence_photo_of(conn, &report, &photo_id)
        })
        .await?;
    photos::load(ctx, row, variant).await
}

/// Finds the report a receipt code belongs to: the one lookup behind every receipt route
/// (follow-up, messages, appeal, reward claim). A malformed code and an unknown one answer the
/// same 404, after the same work, so the answer says nothing about which codes exist.
pub fn report_by_receipt(keys: &KeyRing, conn: &mut DbConn, code: &str) -> AppResult<ReportRow> {
    let hash = match qingling_crypto::ReceiptCode::parse(code) {
        Ok(c) => hex::encode(keys.receipt_hash(&c)),
        // Hash something of the same shape so both paths cost a lookup.
        Err(_) => "0".repeat(64),
    };
    reports::find_by_receipt(conn, &hash)?.ok_or_else(AppError::not_found)
}

/// `POST /m/v1/receipt`.
pub async fn by_receipt(ctx: &AppContext, req: ReceiptLookup) -> AppResult<FollowUp> {
    let ctx2 = ctx.clone();
    ctx.db(move |conn| {
        let report = report_by_receipt(&ctx2.keys, conn, &req.receipt_code)?;
        follow_up(&ctx2, conn, report)
    })
    .await
}

/// The logged-in worker's own report; anyone else's answers 404.
pub fn own_report(
    ctx: &AppContext,
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
) -> AppResult<ReportRow> {
    if actor.role != Role::Worker {
        return Err(AppError::not_found());
    }
    let report = reports::find(conn, id)?.ok_or_else(AppError::not_found)?;
    let mine = report.reporter_index.as_deref()
        == Some(
            identity::reporter_index(&ctx.keys, &report.enterprise_id, &actor.user_id).as_str(),
        );
    if mine {
        Ok(report)
    } else {
        Err(AppError::not_found())
    }
}

/// `GET /m/v1/reports/{id}`.
pub async fn mine_one(ctx: &AppContext, actor: &Actor, id: String) -> AppResult<FollowUp> {
    let (ctx2, actor) = (ctx.clone(), actor.clone());
    ctx.db(move |conn| {
        let report = own_report(&ctx2, conn, &actor, &id)?;
        follow_up(&ctx2, conn, report)
    })
    .await
}

/// `GET /m/v1/reports`: the worker's own reports, found through the blind index.
pub async fn mine(ctx: &AppContext, actor: &Actor, q: MyReportQuery) -> AppResult<MyReportPage> {
    if actor.role != Role::Worker {
        return Err(AppError::forbidden());
    }
    let enterprise = actor
        .enterprise_id
        .clone()
        .ok_or_else(AppError::forbidden)?;
    let index = identity::reporter_index(&ctx.keys, &enterprise, &actor.user_id);
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let p2 = page.clone();
    let (rows, mut rewards) = ctx
        .db(move |conn| {
            let mut query = reports_t::table
                .filter(reports_t::reporter_index.eq(index))
                .select(ReportRow::as_select())
                .into_boxed();
            if let Some(c) = &p2.after {
                query = query.filter(
                    reports_t::created_at
                        .lt(c.created_at)
                        .or(reports_t::created_at
                            .eq(c.created_at)
                            .and(reports_t::id.lt(c.id.clone()))),
                );
            }
            let rows: Vec<ReportRow> = query
                .order((reports_t::created_at.desc(), reports_t::id.desc()))
                .limit(p2.limit + 1)
                .load(conn)?;
            let rewards = rewards_for_reports(conn, &rows)?;
            Ok((rows, rewards))
        })
        .await?;
    let (rows, next_cursor) = page.finish(rows, ReportRow::cursor);
    Ok(MyReportPage {
        items: rows
            .into_iter()
            .map(|r| MyReport {
                reward: rewards.remove(&r.id),
                report_id: r.id,
                title: r.title,
                status: r.status,
                hazard_id: r.hazard_id,
                created_at: time::to_rfc3339(r.created_at),
                updated_at: time::to_rfc3339(r.updated_at),
            })
            .collect(),
        next_cursor,
    })
}

/// Appends a message on a report's channel, with its timeline entry, in one transaction.
pub fn post_message(
    conn: &mut DbConn,
    report: &ReportRow,
    sender: &str,
    recipient: &str,
    author: Option<&Actor>,
    body: String,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let now = time::now();
        reports::insert_message(
            conn,
            &MessageRow {
                id: uuid::Uuid::new_v4().to_string(),
                report_id: report.id.clone(),
                sender: sender.to_owned(),
                recipient: recipient.to_owned(),
                author_id: author.map(|a| a.user_id.clone()),
                body,
                created_at: now,
            },
        )?;
        diesel::update(reports_t::table.filter(reports_t::id.eq(&report.id)))
            .set(reports_t::updated_at.eq(now))
            .execute(conn)?;
        Ok(())
    })
}

/// `POST /m/v1/receipt/messages`: the reporter writes to the handler.
pub async fn message_by_receipt(ctx: &AppContext, req: ReceiptMessage) -> AppResult<()> {
    let body = message_text(&req.body)?;
    let ctx2 = ctx.clone();
    ctx.db(move |conn| {
        let report = report_by_receipt(&ctx2.keys, conn, &req.receipt_code)?;
        post_message(conn, &report, "reporter", "enterprise", None, body)
    })
    .await
}

/// `POST /m/v1/reports/{id}/messages`: the same, logged in.
pub async fn message_mine(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    req: MessageBody,
) -> AppResult<()> {
    let body = message_text(&req.body)?;
    let (ctx2, actor) = (ctx.clone(), actor.clone());
    ctx.db(move |conn| {
        let report = own_report(&ctx2, conn, &actor, &id)?;
        // The reporter's account is not recorded as the author: the channel stays pseudonymous.
        post_message(conn, &report, "reporter", "enterprise", None, body)
    })
    .await
}
