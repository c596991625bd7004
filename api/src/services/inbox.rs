//! The enterprise's report inbox: what safety managers and principals see of reports — the
//! pseudonym, never the identity — and the photos, messages and triage deadlines.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::context::AppContext;
use crate::domain::Actor;
use crate::error::{AppError, AppResult};
use crate::media::vault::Variant;
use crate::services::followup::{self, MessageBody, MessageView};
use crate::services::{photos, staff_times};
use crate::store::pagination::{Cursor, PageRequest, Side, beyond};
use crate::store::reports::{self, PhotoRow, ReportRow};
use crate::store::schema::reports as r;
use crate::store::{DbConn, time};

/// Query of `GET /api/v1/reports`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// `submitted`, `accepted`, `duplicate` or `rejected`.
    #[param(pattern = "^(submitted|accepted|duplicate|rejected)$")]
    pub status: Option<String>,
    /// Suspected level: `general` or `major`.
    #[param(pattern = "^(general|major)$")]
    pub level: Option<String>,
    /// Area id.
    pub area_id: Option<String>,
    /// Submitted at or after (RFC 3339 or `YYYY-MM-DD`; rounded down to the hour, like the
    /// times shown).
    pub from: Option<String>,
    /// Submitted before (RFC 3339 or `YYYY-MM-DD`; rounded down to the hour).
    pub to: Option<String>,
    /// Cursor from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 512)]
    pub cursor: Option<String>,
    /// Page size (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// How long a report has waited for triage, against its deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct Waiting {
    /// Seconds since the hour of submission (until triage, if triaged).
    pub waited_seconds: i64,
    /// When triage is due, counted from the hour of submission: 24 h for a suspected-major
    /// report, 7 d otherwise (configurable). The escalation sweeper counts from the precise
    /// time, so this is never later than the bureau's clock.
    pub triage_due_at: String,
    /// Whether it is (or was) triaged late.
    pub overdue: bool,
}

/// A row of the inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxItem {
    /// Report id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Area id.
    pub area_id: Option<String>,
    /// Suspected level.
    pub suspected_level: Option<String>,
    /// Status.
    pub status: String,
    /// The reporter's pseudonym for this report.
    pub pseudonym: String,
    /// `confidential` or `anonymous`.
    pub mode: String,
    /// Submitted at, rounded down to the hour (RFC 3339): a precise time could be lined up with
    /// a worker's other traces.
    pub created_at: String,
    /// Waiting time against the triage deadline.
    pub waiting: Waiting,
    /// The first photo, for a thumbnail (`GET /api/v1/reports/{id}/photos/{photo_id}?size=thumb`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_photo_id: Option<String>,
}

/// A page of the inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxPage {
    /// Reports, newest first.
    pub items: Vec<InboxItem>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

pub use crate::services::photos::PhotoMeta;

/// A staff timeline entry: who acted, by id and role.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffTimelineEntry {
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
    /// Staff user who acted (none for the reporter or the system).
    pub actor_id: Option<String>,
    /// Role that acted.
    pub actor_role: Option<String>,
}

/// A report in full, as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDetail {
    /// The inbox fields.
    #[serde(flatten)]
    pub item: InboxItem,
    /// Description.
    pub description: String,
    /// Criteria the reporter ticked.
    pub criterion_codes: Vec<String>,
    /// Hazard it became or joined.
    pub hazard_id: Option<String>,
    /// Reason of the last decision.
    pub status_note: Option<String>,
    /// Photos, in order.
    pub photos: Vec<PhotoMeta>,
    /// Every step.
    pub timeline: Vec<StaffTimelineEntry>,
    /// Messages.
    pub messages: Vec<MessageView>,
}

fn parse_time(field: &str, raw: &str) -> AppResult<NaiveDateTime> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(t.naive_utc());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(d.and_time(chrono::NaiveTime::MIN));
    }
    Err(AppError::invalid(
        field,
        format!("{field} 应为 RFC 3339 时间或 YYYY-MM-DD"),
        format!("{field} must be an RFC 3339 time or YYYY-MM-DD"),
    ))
}

fn one_of(field: &str, v: &str, allowed: &[&str]) -> AppResult<String> {
    if allowed.contains(&v) {
        Ok(v.to_owned())
    } else {
        Err(AppError::invalid(
            field,
            format!("{field} 应为 {}", allowed.join("、")),
            format!("{field} must be one of {}", allowed.join(", ")),
        ))
    }
}

/// The enterprise whose reports the actor handles (safety manager or principal); others 403.
pub fn handler_enterprise(actor: &Actor) -> AppResult<String> {
    if !actor.role.is_enterprise_staff() {
        return Err(AppError::forbidden());
    }
    actor.enterprise_id.clone().ok_or_else(AppError::forbidden)
}

/// Loads a report the actor handles; another enterprise's report is 404.
pub fn handled_report(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<ReportRow> {
    let enterprise = handler_enterprise(actor)?;
    reports::find(conn, id)?
        .filter(|r| r.enterprise_id == enterprise)
        .ok_or_else(AppError::not_found)
}

fn waiting(ctx: &AppContext, row: &ReportRow) -> Waiting {
    let d = &ctx.settings.deadlines;
    let limit = if row.suspected_level.as_deref() == Some("major") {
        d.triage_major
    } else {
        d.triage
    };
    let limit = chrono::Duration::from_std(limit).unwrap_or(chrono::Duration::MAX);
    let submitted = staff_times::reporter_made(row.created_at);
    let due = submitted
        .checked_add_signed(limit)
        .unwrap_or(NaiveDateTime::MAX);
    let end = row.triaged_at.unwrap_or_else(time::now);
    Waiting {
        waited_seconds: (end - submitted).num_seconds(),
        triage_due_at: time::to_rfc3339(due),
        overdue: end > due,
    }
}

fn item(ctx: &AppContext, row: &ReportRow) -> InboxItem {
    InboxItem {
        id: row.id.clone(),
        title: row.title.clone(),
        area_id: row.area_id.clone(),
        suspected_level: row.suspected_level.clone(),
        status: row.status.clone(),
        pseudonym: row.pseudonym.clone(),
        mode: row.mode.clone(),
        created_at: staff_times::reporter_made_rfc3339(row.created_at),
        waiting: waiting(ctx, row),
        thumbnail_photo_id: None,
    }
}

/// `GET /api/v1/reports`.
pub async fn list(ctx: &AppContext, actor: &Actor, q: InboxQuery) -> AppResult<InboxPage> {
    let enterprise = handler_enterprise(actor)?;
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let status = q
        .status
        .as_deref()
        .map(|s| {
            one_of(
                "status",
                s,
                &["submitted", "accepted", "duplicate", "rejected"],
            )
        })
        .transpose()?;
    let level = q
        .level
        .as_deref()
        .map(|s| one_of("level", s, &["general", "major"]))
        .transpose()?;
    let from = q
        .from
        .as_deref()
        .map(|t| parse_time("from", t).map(staff_times::reporter_made))
        .transpose()?;
    let to =
        q.to.as_deref()
            .map(|t| parse_time("to", t).map(staff_times::reporter_made))
            .transpose()?;
    let p2 = page.clone();
    let rows = ctx
        .db(move |conn| {
            let mut query = r::table
                .filter(r::enterprise_id.eq(enterprise.clone()))
                .select(ReportRow::as_select())
                .into_boxed();
            if let Some(s) = status {
                query = query.filter(r::status.eq(s));
            }
            if let Some(l) = level {
                query = query.filter(r::suspected_level.eq(l));
            }
            if let Some(a) = q.area_id {
                query = query.filter(r::area_id.eq(a));
            }
            if let Some(f) = from {
                query = query.filter(r::created_at.ge(f));
            }
            if let Some(t) = to {
                query = query.filter(r::created_at.lt(t));
            }
            // The cursor names the last report shown, never its time: the position is read
            // back here, so a crafted cursor cannot search for a report's precise time.
            if let Some(c) = &p2.after {
                let position = reports::find(conn, &c.id)?
                    .filter(|r| r.enterprise_id == enterprise)
                    .map(|r| r.cursor())
                    .ok_or_else(|| {
                        AppError::invalid("cursor", "分页游标无效", "cursor is not valid")
                    })?;
                // A row value, as the hazard list has: one index seek however deep the page.
                query = query.filter(beyond("reports", Side::Before, &position));
            }
            let rows: Vec<ReportRow> = query
                .order((r::created_at.desc(), r::id.desc()))
                .limit(p2.limit + 1)
                .load(conn)?;
            let ids: Vec<String> = rows
                .iter()
                .take(p2.limit as usize)
                .map(|r| r.id.clone())
                .collect();
            let thumbs = reports::first_photos(conn, &ids)?;
            Ok((rows, thumbs))
        })
        .await?;
    let (rows, thumbs) = rows;
    let (rows, next_cursor) = page.finish(rows, |r| Cursor {
        created_at: chrono::DateTime::UNIX_EPOCH.naive_utc(),
        id: r.id.clone(),
    });
    let thumbs: std::collections::HashMap<String, String> = thumbs.into_iter().collect();
    Ok(InboxPage {
        items: rows
            .iter()
            .map(|row| InboxItem {
                thumbnail_photo_id: thumbs.get(&row.id).cloned(),
                ..item(ctx, row)
            })
            .collect(),
        next_cursor,
    })
}

/// `GET /api/v1/reports/{id}`.
pub async fn detail(ctx: &AppContext, actor: &Actor, id: String) -> AppResult<ReportDetail> {
    let actor = actor.clone();
    let (row, photo_rows, events, messages) = ctx
        .db(move |conn| {
            let row = handled_report(conn, &actor, &id)?;
            let photo_rows = reports::photos_of(conn, "report", &row.id)?;
            let events = reports::events_of(conn, &row.id)?;
            let messages = reports::messages_of(conn, &row.id, "enterprise")?;
            Ok((row, photo_rows, events, messages))
        })
        .await?;
    Ok(ReportDetail {
        item: item(ctx, &row),
        description: row.description.clone(),
        criterion_codes: serde_json::from_str(&row.criterion_codes).unwrap_or_default(),
        hazard_id: row.hazard_id.clone(),
        status_note: row.status_note.clone(),
        photos: photo_rows.into_iter().map(PhotoMeta::from).collect(),
        timeline: events
            .into_iter()
            .map(|e| StaffTimelineEntry {
                at: staff_times::event_time(e.at, e.actor_role.as_deref()),
                kind: e.kind,
                from_status: e.from_status,
                to_status: e.to_status,
                note: e.note,
                actor_id: e.actor_id,
                actor_role: e.actor_role,
            })
            .collect(),
        messages: followup::staff_message_views(messages),
    })
}

/// `POST /api/v1/reports/{id}/messages`: the handler writes to the reporter.
pub async fn message(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    req: MessageBody,
) -> AppResult<()> {
    let body = followup::message_text(&req.body)?;
    let actor = actor.clone();
    ctx.db(move |conn| {
        let report = handled_report(conn, &actor, &id)?;
        followup::post_message(conn, &report, "enterprise", "reporter", Some(&actor), body)
    })
    .await
}

/// `GET /api/v1/reports/{id}/photos/{photo_id}`: the sanitised JPEG (or its thumbnail).
pub async fn photo(
    ctx: &AppContext,
    actor: &Actor,
    report_id: String,
    photo_id: String,
    variant: Variant,
) -> AppResult<Vec<u8>> {
    let actor = actor.clone();
    let row: PhotoRow = ctx
        .db(move |conn| {
            let report = handled_report(conn, &actor, &report_id)?;
            reports::photos_of(conn, "report", &report.id)?
                .into_iter()
                .find(|p| p.id == photo_id)
                .ok_or_else(AppError::not_found)
        })
        .await?;
    photos::load(ctx, row, variant).await
}
