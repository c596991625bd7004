//! The bureau's side of escalations: the inbox, one escalation with its subject (never the
//! reporter), the 督办 transitions, messages to the enterprise and the clearing overview. Every
//! use case is scoped to the officer's jurisdiction: another jurisdiction's escalation is 404.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::context::AppContext;
use crate::domain::escalation_state::{EscalationAction, EscalationStatus, Refused};
use crate::domain::{Actor, Role, inputs};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::media::vault::Variant;
use crate::services::escalations::{Event, record_event, seconds_between};
use crate::services::hazards::{HazardView, hazard_view, today};
use crate::services::{audit, photos, rectification};
use crate::store::enterprises::{self, Scope};
use crate::store::escalations::{self, EscalationRow, InboxFilter, TransitionFields};
use crate::store::pagination::PageRequest;
use crate::store::reports::{self, MessageRow, PhotoRow};
use crate::store::schema::areas;
use crate::store::{DbConn, time, write_tx};
use crate::store::{hazard_counts, hazards};

/// One trigger that fired on an escalation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TriggerView {
    /// `major_report_untriaged`, `report_untriaged`, `appeal`, `bureau_deadline_passed`, …
    pub kind: String,
    /// When it fired (RFC 3339).
    pub at: String,
}

/// An escalation in the bureau's inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationView {
    /// Id.
    pub id: String,
    /// Enterprise of the subject.
    pub enterprise_id: String,
    /// Its jurisdiction.
    pub jurisdiction: String,
    /// `report` or `hazard`.
    pub subject_type: String,
    /// Id of the report or hazard.
    pub subject_id: String,
    /// State.
    pub status: EscalationStatus,
    /// Every trigger that fired, oldest first.
    pub triggers: Vec<TriggerView>,
    /// The bureau's deadline while supervising.
    pub bureau_deadline: Option<String>,
    /// The bureau's instructions.
    pub instructions: Option<String>,
    /// Why it was dismissed.
    pub dismiss_reason: Option<String>,
    /// Whether the bureau's deadline passed unmet (re-escalated).
    pub overdue: bool,
    /// When opened.
    pub opened_at: String,
    /// Last change.
    pub updated_at: String,
    /// When closed or dismissed.
    pub closed_at: Option<String>,
}

/// A page of the inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationPage {
    /// Escalations, newest first.
    pub items: Vec<EscalationView>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Filters of `GET /api/v1/bureau/escalations`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Only this status.
    pub status: Option<EscalationStatus>,
    /// Only this enterprise.
    pub enterprise_id: Option<String>,
    /// Only active ones whose bureau deadline has passed.
    pub overdue: Option<bool>,
    /// Cursor from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 512)]
    pub cursor: Option<String>,
    /// Page size (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// A timeline entry, without who acted (staff ids are not the bureau's business either).
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// When.
    pub at: String,
    /// What happened.
    pub kind: String,
    /// `system`, `reporter`, `bureau_officer`, or a staff role.
    pub actor_role: Option<String>,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: Option<String>,
    /// Reason, instructions, message or appeal text.
    pub note: Option<String>,
}

/// The report an escalation is about, as the bureau sees it: what was reported, where, what
/// happened to it and its photos — never who reported it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportSubject {
    /// Id.
    pub id: String,
    /// One line.
    pub title: String,
    /// What the reporter saw.
    pub description: String,
    /// Area name, if chosen.
    pub area: Option<String>,
    /// `general` or `major`, if suspected.
    pub suspected_level: Option<String>,
    /// Criterion codes ticked.
    pub criterion_codes: Vec<String>,
    /// `submitted`, `accepted`, `duplicate` or `rejected`.
    pub status: String,
    /// Reason given with the last transition.
    pub status_note: Option<String>,
    /// Submitted at.
    pub created_at: String,
    /// The report's timeline.
    pub timeline: Vec<TimelineEntry>,
    /// Photo ids (fetch through the photo route).
    pub photo_ids: Vec<String>,
}

/// One escalation with its timeline and subject.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationDetail {
    /// The escalation.
    #[serde(flatten)]
    pub escalation: EscalationView,
    /// Its own timeline.
    pub events: Vec<TimelineEntry>,
    /// The report, when the subject is a report.
    pub report: Option<ReportSubject>,
    /// The hazard, when the subject is a hazard.
    pub hazard: Option<HazardSubject>,
}

/// The current 五落实 plan as the bureau sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSubject {
    /// Version (1, 2, …).
    pub version: i32,
    /// 整改措施.
    pub measures: String,
    /// 责任人 (the enterprise's named person).
    pub responsible_person: String,
    /// 整改资金, fen.
    pub funds_fen: Option<i64>,
    /// 整改期限.
    pub deadline: Option<String>,
    /// 应急预案.
    pub contingency_plan: Option<String>,
}

/// Rectification evidence as the bureau sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceSubject {
    /// What was done.
    pub note: String,
    /// When.
    pub created_at: String,
    /// Photo ids.
    pub photo_ids: Vec<String>,
}

/// The hazard an escalation is about: the ledger entry, its current plan, evidence and timeline
/// (roles, not staff ids) — never who reported it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardSubject {
    /// The ledger entry.
    #[serde(flatten)]
    pub hazard: HazardView,
    /// The current plan.
    pub plan: Option<PlanSubject>,
    /// Photos taken when the hazard was recorded (a sweep's), by id; fetch through the photo
    /// route.
    pub photo_ids: Vec<String>,
    /// Evidence, oldest first.
    pub evidence: Vec<EvidenceSubject>,
    /// The hazard's timeline.
    pub timeline: Vec<TimelineEntry>,
}

/// `POST …/supervise`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuperviseRequest {
    /// The enterprise's deadline (RFC 3339, in the future).
    #[schema(format = DateTime)]
    pub deadline: String,
    /// What the enterprise must do.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub instructions: String,
}

/// `POST …/dismiss`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissRequest {
    /// Why it is not the bureau's matter.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reason: String,
}

/// Who a bureau message is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageRecipient {
    /// The enterprise (default).
    #[default]
    Enterprise,
    /// The reporter of the escalated report, through the report's anonymous channel.
    Reporter,
}

impl MessageRecipient {
    fn as_str(self) -> &'static str {
        match self {
            Self::Enterprise => "enterprise",
            Self::Reporter => "reporter",
        }
    }
}

/// `POST …/messages`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    /// Text.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub body: String,
    /// `enterprise` (default) or `reporter` (only for a report's escalation).
    #[serde(default)]
    pub to: MessageRecipient,
}

/// A bureau transition with its input.
#[derive(Debug)]
pub enum BureauAction {
    /// Seen.
    Acknowledge,
    /// 督办.
    Supervise(SuperviseRequest),
    /// 销号.
    Close,
    /// Not the bureau's matter.
    Dismiss(DismissRequest),
}

/// Renders a stored escalation.
pub fn view(row: EscalationRow) -> AppResult<EscalationView> {
    Ok(EscalationView {
        status: EscalationStatus::parse(&row.status)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown escalation status")))?,
        triggers: serde_json::from_str(&row.triggers).map_err(AppError::internal)?,
        bureau_deadline: row.bureau_deadline.map(time::to_rfc3339),
        overdue: row.deadline_passed_at.is_some(),
        opened_at: time::to_rfc3339(row.opened_at),
        updated_at: time::to_rfc3339(row.updated_at),
        closed_at: row.closed_at.map(time::to_rfc3339),
        id: row.id,
        enterprise_id: row.enterprise_id,
        jurisdiction: row.jurisdiction,
        subject_type: row.subject_type,
        subject_id: row.subject_id,
        instructions: row.instructions,
        dismiss_reason: row.dismiss_reason,
    })
}

fn officer_jurisdiction(actor: &Actor) -> AppResult<String> {
    match (&actor.role, &actor.jurisdiction) {
        (Role::BureauOfficer, Some(j)) => Ok(j.clone()),
        _ => Err(AppError::forbidden()),
    }
}

/// Loads an escalation the officer supervises; 404 otherwise (also for another jurisdiction).
fn escalation_for(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<EscalationRow> {
    officer_jurisdiction(actor)?;
    let row = escalations::find(conn, id)?.ok_or_else(AppError::not_found)?;
    if !actor.supervises(&row.jurisdiction) {
        return Err(AppError::not_found());
    }
    Ok(row)
}

/// A photo of an escalation's subject (the report's, the hazard's own or its evidence's), for
/// the officer supervising it; 404 for any other photo, so ids cannot be probed across subjects.
pub async fn photo(
    ctx: &AppContext,
    actor: &Actor,
    escalation_id: String,
    photo_id: String,
    variant: Variant,
) -> AppResult<Vec<u8>> {
    let actor = actor.clone();
    let row = ctx
        .db(move |conn| {
            let esc = escalation_for(conn, &actor, &escalation_id)?;
            let photo = reports::find_photo(conn, &photo_id)?.ok_or_else(AppError::not_found)?;
            if photo_of_subject(conn, &esc, &photo)? {
                Ok(photo)
            } else {
                Err(AppError::not_found())
            }
        })
        .await?;
    photos::load(ctx, row, variant).await
}

/// Whether `photo` shows the escalation's subject.
fn photo_of_subject(conn: &mut DbConn, esc: &EscalationRow, photo: &PhotoRow) -> AppResult<bool> {
    let owner = (photo.owner_type.as_str(), photo.owner_id.as_str());
    Ok(match (esc.subject_type.as_str(), owner) {
        ("report", ("report", id)) | ("hazard", ("hazard", id)) => id == esc.subject_id,
        ("hazard", ("evidence", id)) => hazards::evidence_of(conn, &esc.subject_id)?
            .iter()
            .any(|e| e.id == id),
        _ => false,
    })
}

/// The officer's inbox.
pub async fn list(ctx: &AppContext, actor: &Actor, q: InboxQuery) -> AppResult<EscalationPage> {
    let jurisdiction = officer_jurisdiction(actor)?;
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let filter = InboxFilter {
        jurisdiction,
        status: q.status.map(|s| s.as_str().to_owned()),
        enterprise_id: q.enterprise_id,
        active_only: false,
        overdue_at: q.overdue.unwrap_or(false).then(time::now),
        appeals_only: false,
    };
    let p2 = page.clone();
    let rows = ctx
        .db(move |conn| Ok(escalations::list(conn, &filter, &p2)?))
        .await?;
    let (rows, next_cursor) = page.finish(rows, EscalationRow::cursor);
    Ok(EscalationPage {
        items: rows.into_iter().map(view).collect::<AppResult<_>>()?,
        next_cursor,
    })
}

fn timeline_entry(
    at: chrono::NaiveDateTime,
    kind: String,
    actor_role: Option<String>,
    from_status: Option<String>,
    to_status: Option<String>,
    note: Option<String>,
) -> TimelineEntry {
    TimelineEntry {
        at: crate::services::staff_times::event_time(at, actor_role.as_deref()),
        kind,
        actor_role,
        from_status,
        to_status,
        note,
    }
}

fn report_subject(conn: &mut DbConn, report_id: &str) -> AppResult<Option<ReportSubject>> {
    let Some(r) = reports::find(conn, report_id)? else {
        return Ok(None);
    };
    let area = match &r.area_id {
        Some(a) => areas::table
            .find(a)
            .select(areas::name)
            .first::<String>(conn)
            .optional()?,
        None => None,
    };
    let timeline = reports::events_of(conn, &r.id)?
        .into_iter()
        .map(|e| {
            timeline_entry(
                e.at,
                e.kind,
                e.actor_role,
                e.from_status,
                e.to_status,
                e.note,
            )
        })
        .collect();
    let photo_ids = photo_ids(conn, "report", &r.id)?;
    Ok(Some(ReportSubject {
        criterion_codes: serde_json::from_str(&r.criterion_codes).unwrap_or_default(),
        created_at: crate::services::staff_times::reporter_made_rfc3339(r.created_at),
        id: r.id,
        title: r.title,
        description: r.description,
        area,
        suspected_level: r.suspected_level,
        status: r.status,
        status_note: r.status_note,
        timeline,
        photo_ids,
    }))
}

/// The ids of an owner's photos, in order: what the bureau fetches through the photo route.
fn photo_ids(conn: &mut DbConn, owner_type: &str, owner_id: &str) -> AppResult<Vec<String>> {
    Ok(reports::photos_of(conn, owner_type, owner_id)?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

fn hazard_subject(conn: &mut DbConn, hazard_id: &str) -> AppResult<Option<HazardSubject>> {
    let Some(h) = hazards::find(conn, hazard_id)? else {
        return Ok(None);
    };
    let plan = hazards::plans_of(conn, &h.id)?
        .into_iter()
        .find(|p| p.version == h.plan_version)
        .map(|p| PlanSubject {
            version: p.version,
            measures: p.measures,
            responsible_person: p.responsible_person,
            funds_fen: p.funds_fen,
            deadline: p.deadline,
            contingency_plan: p.contingency_plan,
        });
    let mut evidence = Vec::new();
    for e in hazards::evidence_of(conn, &h.id)? {
        evidence.push(EvidenceSubject {
            photo_ids: photo_ids(conn, "evidence", &e.id)?,
            note: e.note,
            created_at: time::to_rfc3339(e.created_at),
        });
    }
    let timeline = hazards::events_of(conn, &h.id)?
        .into_iter()
        .map(|e| {
            timeline_entry(
                e.at,
                e.kind,
                e.actor_role,
                e.from_status,
                e.to_status,
                e.note,
            )
        })
        .collect();
    let photo_ids = photo_ids(conn, "hazard", &h.id)?;
    Ok(Some(HazardSubject {
        hazard: hazard_view(h, &today()),
        plan,
        photo_ids,
        evidence,
        timeline,
    }))
}

/// One escalation with its timeline and subject.
pub async fn get(ctx: &AppContext, actor: &Actor, id: String) -> AppResult<EscalationDetail> {
    let actor = actor.clone();
    let (row, events, report, hazard) = ctx
        .db(move |conn| {
            let row = escalation_for(conn, &actor, &id)?;
            let events = escalations::events_of(conn, &row.id)?;
            let (report, hazard) = if row.subject_type == "hazard" {
                (None, hazard_subject(conn, &row.subject_id)?)
            } else {
                (report_subject(conn, &row.subject_id)?, None)
            };
            Ok((row, events, report, hazard))
        })
        .await?;
    Ok(EscalationDetail {
        escalation: view(row)?,
        events: events
            .into_iter()
            .map(|e| {
                timeline_entry(
                    e.at,
                    e.kind,
                    e.actor_role,
                    e.from_status,
                    e.to_status,
                    e.note,
                )
            })
            .collect(),
        report,
        hazard,
    })
}

fn parse_deadline(raw: &str) -> AppResult<chrono::NaiveDateTime> {
    let bad = || {
        AppError::invalid(
            "deadline",
            "期限应为将来的 RFC 3339 时间",
            "deadline must be an RFC 3339 time in the future",
        )
    };
    let t = chrono::DateTime::parse_from_rfc3339(raw.trim())
        .map_err(|_| bad())?
        .naive_utc();
    let t = time::truncate(t);
    if t <= time::now() {
        return Err(bad());
    }
    Ok(t)
}

/// Acknowledge, supervise, close or dismiss, with a guarded update, a timeline entry, an outbox
/// event and an audit record in one transaction.
pub async fn act(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    action: BureauAction,
) -> AppResult<EscalationView> {
    let now = time::now();
    let (kind, fields, note) = match action {
        BureauAction::Acknowledge => (
            EscalationAction::Acknowledge,
            TransitionFields::default(),
            None,
        ),
        BureauAction::Supervise(r) => {
            let deadline = parse_deadline(&r.deadline)?;
            let instructions = inputs::text("instructions", &r.instructions, 2000)?;
            (
                EscalationAction::Supervise,
                TransitionFields {
                    bureau_deadline: Some(deadline),
                    instructions: Some(instructions.clone()),
                    ..Default::default()
                },
                Some(instructions),
            )
        }
        BureauAction::Close => (
            EscalationAction::Close,
            TransitionFields {
                closed_at: Some(now),
                ..Default::default()
            },
            None,
        ),
        BureauAction::Dismiss(r) => {
            let reason = inputs::text("reason", &r.reason, 2000)?;
            (
                EscalationAction::Dismiss,
                TransitionFields {
                    dismiss_reason: Some(reason.clone()),
                    closed_at: Some(now),
                    ..Default::default()
                },
                Some(reason),
            )
        }
    };
    let actor = actor.clone();
    let keys = ctx.keys.clone();
    let row = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let mut row = escalation_for(conn, &actor, &id)?;
                let from = EscalationStatus::parse(&row.status).ok_or_else(|| {
                    AppError::internal(anyhow::anyhow!("unknown escalation status"))
                })?;
                let to = from.apply(kind, actor.role).map_err(|r| match r {
                    Refused::Role => AppError::forbidden(),
                    Refused::State => AppError::new(ErrorCode::TransitionNotAllowed),
                })?;
                if kind == EscalationAction::Close && row.subject_type == "hazard" {
                    // A supervised hazard is closed for good (销号) only here.
                    rectification::close_by_bureau(conn, &keys, &actor, &row.subject_id)?;
                }
                if !escalations::transition(
                    conn,
                    &row.id,
                    from.as_str(),
                    to.as_str(),
                    &fields,
                    now,
                )? {
                    return Err(AppError::new(ErrorCode::TransitionNotAllowed));
                }
                if !to.is_active() {
                    let secs = seconds_between(row.opened_at, now);
                    escalations::bump_stats(conn, &row.enterprise_id, -1, Some(secs))?;
                }
                row.status = to.as_str().to_owned();
                row.updated_at = now;
                if fields.bureau_deadline.is_some() {
                    row.bureau_deadline = fields.bureau_deadline;
                    row.instructions = fields.instructions.clone();
                    row.deadline_passed_at = None;
                }
                if fields.closed_at.is_some() {
                    row.closed_at = fields.closed_at;
                    row.dismiss_reason = fields.dismiss_reason.clone();
                }
                record_event(
                    conn,
                    &row,
                    &Event {
                        actor: Some(&actor),
                        actor_role: actor.role.as_str(),
                        kind: kind.as_str(),
                        from_status: Some(from.as_str()),
                        to_status: Some(to.as_str()),
                        note: note.as_deref(),
                        trigger: None,
                    },
                )?;
                audit::record(
                    conn,
                    Some(&actor),
                    &format!("escalation.{}", kind.as_str()),
                    "escalation",
                    Some(&row.id),
                    serde_json::json!({ "from": from.as_str(), "to": to.as_str() }),
                )?;
                Ok(row)
            })
        })
        .await?;
    view(row)
}

/// A message from the bureau to the enterprise or, on a report's escalation, to the reporter: on
/// the escalation's timeline, and on the report's message channel when the subject is a report
/// (the reporter reads it there, by receipt code or logged in; the enterprise does not).
pub async fn message(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    req: MessageRequest,
) -> AppResult<EscalationView> {
    let body = inputs::text("body", &req.body, 2000)?;
    let to = req.to;
    let actor = actor.clone();
    let row = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let row = escalation_for(conn, &actor, &id)?;
                if to == MessageRecipient::Reporter && row.subject_type != "report" {
                    return Err(AppError::invalid(
                        "to",
                        "只有举报的督办事项可以回复举报人",
                        "only an escalated report has a reporter to reply to",
                    ));
                }
                if row.subject_type == "report" {
                    reports::insert_message(
                        conn,
                        &MessageRow {
                            id: uuid::Uuid::new_v4().to_string(),
                            report_id: row.subject_id.clone(),
                            sender: "bureau".into(),
                            recipient: to.as_str().into(),
                            author_id: Some(actor.user_id.clone()),
                            body: body.clone(),
                            created_at: time::now(),
                        },
                    )?;
                }
                record_event(
                    conn,
                    &row,
                    &Event {
                        actor: Some(&actor),
                        actor_role: actor.role.as_str(),
                        kind: match to {
                            MessageRecipient::Enterprise => "message",
                            MessageRecipient::Reporter => "message_to_reporter",
                        },
                        from_status: None,
                        to_status: None,
                        note: Some(&body),
                        trigger: None,
                    },
                )?;
                audit::record(
                    conn,
                    Some(&actor),
                    "escalation.message",
                    "escalation",
                    Some(&row.id),
                    serde_json::json!({}),
                )?;
                Ok(row)
            })
        })
        .await?;
    view(row)
}

/// One enterprise's clearing status.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseClearing {
    /// Enterprise id.
    pub enterprise_id: String,
    /// Name.
    pub name: String,
    /// Jurisdiction.
    pub jurisdiction: String,
    /// Escalations open, acknowledged or supervising.
    pub open_escalations: i64,
    /// Escalations closed or dismissed.
    pub closed_escalations: i64,
    /// Mean time from opening to closing or dismissal, seconds (none before the first).
    pub average_close_seconds: Option<i64>,
    /// Major hazards on the ledger not yet closed (销号).
    pub open_major_hazards: i64,
    /// Of those, the ones past their plan's deadline.
    pub overdue_major_hazards: i64,
    /// Major hazards closed.
    pub closed_major_hazards: i64,
    /// Mean time from registering a major hazard to closing it, seconds (none before the first).
    pub average_major_hazard_close_seconds: Option<i64>,
    /// 动态清零: no open major hazard and nothing open with the bureau.
    pub cleared_to_zero: bool,
}

/// `GET /api/v1/bureau/overview`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    /// Per enterprise in the officer's jurisdiction.
    pub enterprises: Vec<EnterpriseClearing>,
}

/// `GET /api/v1/bureau/overview/{enterprise_id}`: one enterprise's counts and the major hazards
/// behind them.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseDrillDown {
    /// The counts.
    #[serde(flatten)]
    pub clearing: EnterpriseClearing,
    /// Open major hazards, earliest deadline first (overdue ones lead; unplanned ones last), at
    /// most [`DRILL_DOWN_LIMIT`].
    pub open_major_hazards_list: Vec<HazardView>,
}

/// How many open major hazards the drill-down lists.
pub const DRILL_DOWN_LIMIT: i64 = 200;

/// The counts of `ents`: escalation and hazard counts kept by the transitions, and overdue major
/// hazards counted through their partial index. Reads a few rows per enterprise, whatever the
/// size of the ledger.
fn clearing(
    conn: &mut DbConn,
    ents: Vec<enterprises::EnterpriseRow>,
) -> AppResult<Vec<EnterpriseClearing>> {
    let ids: Vec<String> = ents.iter().map(|e| e.id.clone()).collect();
    // Keyed by enterprise: a board of hundreds of enterprises must not search each list per row.
    let stats: HashMap<String, escalations::StatsRow> = escalations::stats_of(conn, &ids)?
        .into_iter()
        .map(|s| (s.enterprise_id.clone(), s))
        .collect();
    let hazard_stats: HashMap<String, hazard_counts::HazardStatsRow> =
        hazard_counts::of(conn, &ids)?
            .into_iter()
            .map(|h| (h.enterprise_id.clone(), h))
            .collect();
    let overdue: HashMap<String, i64> = hazard_counts::overdue_major(conn, &ids, &today())?
        .into_iter()
        .collect();
    Ok(ents
        .into_iter()
        .map(|e| {
            let s = stats.get(&e.id);
            let h = hazard_stats.get(&e.id);
            let open = s.map_or(0, |s| s.open_count);
            let open_major = h.map_or(0, |h| h.open_major);
            EnterpriseClearing {
                open_escalations: open,
                closed_escalations: s.map_or(0, |s| s.closed_count),
                average_close_seconds: s
                    .filter(|s| s.closed_count > 0)
                    .map(|s| s.closed_seconds_total / s.closed_count),
                open_major_hazards: open_major,
                overdue_major_hazards: overdue.get(&e.id).copied().unwrap_or(0),
                closed_major_hazards: h.map_or(0, |h| h.closed_major),
                average_major_hazard_close_seconds: h
                    .filter(|h| h.closed_major > 0)
                    .map(|h| h.closed_major_seconds / h.closed_major),
                cleared_to_zero: open == 0 && open_major == 0,
                enterprise_id: e.id,
                name: e.name,
                jurisdiction: e.jurisdiction,
            }
        })
        .collect())
}

/// Per enterprise in the officer's jurisdiction.
pub async fn overview(ctx: &AppContext, actor: &Actor) -> AppResult<Overview> {
    let jurisdiction = officer_jurisdiction(actor)?;
    let enterprises = ctx
        .db(move |conn| {
            let mut ents = Vec::new();
            let mut page = PageRequest::parse(None, Some(crate::store::pagination::MAX_LIMIT))?;
            loop {
                let rows = enterprises::list(conn, Scope::Jurisdiction(&jurisdiction), &page)?;
                let (rows, next) = page.finish(rows, |r| r.cursor());
                ents.extend(rows);
                match next {
                    Some(c) => page = PageRequest::parse(Some(&c), Some(page.limit))?,
                    None => break,
                }
            }
            clearing(conn, ents)
        })
        .await?;
    Ok(Overview { enterprises })
}

/// Which major hazards a drill-down lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DrillDownList {
    /// Open ones, earliest deadline first (the API's drill-down).
    #[default]
    Open,
    /// Closed (销号) ones, newest registered first: what the board's closed count stands for.
    Closed,
}

/// One enterprise of the officer's jurisdiction (404 for any other) with its open major hazards.
pub async fn drill_down(
    ctx: &AppContext,
    actor: &Actor,
    enterprise_id: String,
) -> AppResult<EnterpriseDrillDown> {
    drill_down_of(ctx, actor, enterprise_id, DrillDownList::Open).await
}

/// One enterprise of the officer's jurisdiction (404 for any other) with the open or the closed
/// major hazards (at most [`DRILL_DOWN_LIMIT`]) in `open_major_hazards_list`.
pub async fn drill_down_of(
    ctx: &AppContext,
    actor: &Actor,
    enterprise_id: String,
    list: DrillDownList,
) -> AppResult<EnterpriseDrillDown> {
    officer_jurisdiction(actor)?;
    let actor = actor.clone();
    ctx.db(move |conn| {
        let ent = enterprises::find(conn, &enterprise_id)?
            .filter(|e| actor.supervises(&e.jurisdiction))
            .ok_or_else(AppError::not_found)?;
        let rows = match list {
            DrillDownList::Open => hazard_counts::open_major_of(conn, &ent.id, DRILL_DOWN_LIMIT)?,
            DrillDownList::Closed => {
                hazard_counts::closed_major_of(conn, &ent.id, DRILL_DOWN_LIMIT)?
            }
        };
        let today = today();
        let clearing = clearing(conn, vec![ent])?
            .pop()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no clearing row")))?;
        Ok(EnterpriseDrillDown {
            clearing,
            open_major_hazards_list: rows.into_iter().map(|r| hazard_view(r, &today)).collect(),
        })
    })
    .await
}
