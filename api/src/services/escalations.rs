//! Opening escalations and recording their events: the one path every trigger (sweeper, appeal)
//! and every bureau action goes through, so each event lands in the timeline, the audit trail
//! and the outbox in the same transaction.

use crate::domain::proof::ProofKind;
use crate::services::{notifications, proofs};
use chrono::NaiveDateTime;
use qingling_crypto::KeyRing;
use serde_json::json;

use crate::domain::Actor;
use crate::domain::escalation_state::TriggerKind;
use crate::error::{AppError, AppResult};
use crate::services::audit;
use crate::store::escalations::{self, EscalationEventRow, EscalationRow};
use crate::store::outbox::{self, OutboxRow};
use crate::store::{DbConn, enterprises, time, write_tx};

/// The report or hazard an escalation is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// `report` or `hazard`.
    pub subject_type: &'static str,
    /// Its id.
    pub subject_id: String,
    /// Its enterprise.
    pub enterprise_id: String,
}

/// What firing a trigger did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fired {
    /// A new escalation was opened.
    Opened(String),
    /// The trigger was added to the subject's open escalation.
    Appended(String),
    /// This trigger had already fired for the subject; nothing changed.
    AlreadyFired,
}

/// Why one attempt at firing stopped.
#[derive(Debug)]
enum FireError {
    AlreadyFired,
    /// Another instance opened an escalation for the subject at the same moment; try again and
    /// append to it.
    Raced,
    App(AppError),
}

impl From<diesel::result::Error> for FireError {
    fn from(e: diesel::result::Error) -> Self {
        Self::App(e.into())
    }
}

impl From<AppError> for FireError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Extra work done in the firing transaction once the escalation is known (e.g. the report's
/// timeline entry for an appeal).
pub type OnFired<'a> = &'a dyn Fn(&mut DbConn, &EscalationRow) -> AppResult<()>;

/// Fires `kind` on `subject`: opens an escalation, or records the trigger on the subject's open
/// one. Each kind fires at most once per subject (the `escalation_triggers` key), and a subject
/// has at most one open escalation (the partial unique index): when another instance wins the
/// race to open it, this one retries and appends instead.
pub fn fire(
    conn: &mut DbConn,
    keys: &KeyRing,
    subject: &Subject,
    kind: TriggerKind,
    note: Option<&str>,
    by_reporter: bool,
    on_fired: OnFired<'_>,
) -> AppResult<Fired> {
    const ATTEMPTS: usize = 5;
    for _ in 0..ATTEMPTS {
        match write_tx(conn, |conn| {
            fire_once(conn, keys, subject, kind, note, by_reporter, on_fired)
        }) {
            Ok(f) => return Ok(f),
            Err(FireError::AlreadyFired) => return Ok(Fired::AlreadyFired),
            Err(FireError::Raced) => continue,
            Err(FireError::App(e)) => return Err(e),
        }
    }
    Err(AppError::internal(anyhow::anyhow!(
        "escalation of a subject kept racing after {ATTEMPTS} attempts"
    )))
}

fn fire_once(
    conn: &mut DbConn,
    keys: &KeyRing,
    subject: &Subject,
    kind: TriggerKind,
    note: Option<&str>,
    by_reporter: bool,
    on_fired: OnFired<'_>,
) -> Result<Fired, FireError> {
    let now = time::now();
    let existing = escalations::find_active(conn, subject.subject_type, &subject.subject_id)?;
    let trigger = json!({ "kind": kind.as_str(), "at": time::to_rfc3339(now) });
    let role = if by_reporter { "reporter" } else { "system" };
    let (row, fired) = match existing {
        Some(mut row) => {
            insert_trigger(conn, subject, kind, &row.id, now)?;
            let mut list: Vec<serde_json::Value> =
                serde_json::from_str(&row.triggers).map_err(AppError::internal)?;
            list.push(trigger);
            let new = serde_json::Value::Array(list).to_string();
            if !escalations::set_triggers_if(conn, &row.id, &row.triggers, &new, now)? {
                return Err(FireError::Raced);
            }
            row.triggers = new;
            row.updated_at = now;
            let id = row.id.clone();
            (row, Fired::Appended(id))
        }
        None => {
            let ent = enterprises::find(conn, &subject.enterprise_id)?
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("subject without enterprise")))?;
            let row = EscalationRow {
                id: uuid::Uuid::new_v4().to_string(),
                enterprise_id: ent.id,
                jurisdiction: ent.jurisdiction,
                subject_type: subject.subject_type.to_owned(),
                subject_id: subject.subject_id.clone(),
                status: "open".into(),
                triggers: serde_json::Value::Array(vec![trigger]).to_string(),
                bureau_deadline: None,
                instructions: None,
                dismiss_reason: None,
                deadline_passed_at: None,
                opened_at: now,
                updated_at: now,
                closed_at: None,
            };
            match escalations::insert(conn, &row) {
                Err(e) if is_unique_violation(&e) => return Err(FireError::Raced),
                other => other?,
            }
            insert_trigger(conn, subject, kind, &row.id, now)?;
            match escalations::bump_stats(conn, &row.enterprise_id, 1, None) {
                Err(e) if is_unique_violation(&e) => return Err(FireError::Raced),
                other => other?,
            }
            let id = row.id.clone();
            (row, Fired::Opened(id))
        }
    };
    let event_kind = match fired {
        Fired::Opened(_) => "opened",
        _ => "trigger",
    };
    record_event(
        conn,
        &row,
        &Event {
            actor: None,
            actor_role: role,
            kind: event_kind,
            from_status: None,
            to_status: Some(&row.status),
            note,
            trigger: Some(kind),
        },
    )?;
    notifications::events::escalation_fired(conn, &row, kind, matches!(fired, Fired::Opened(_)))?;
    audit::record(
        conn,
        None,
        &format!("escalation.{event_kind}"),
        "escalation",
        Some(&row.id),
        json!({ "trigger": kind.as_str(), "subject_type": row.subject_type }),
    )?;
    if matches!(fired, Fired::Opened(_)) {
        let details = [
            ("escalation_id", row.id.clone()),
            ("trigger", kind.as_str().to_owned()),
        ];
        if row.subject_type == "hazard" {
            proofs::issue_for_hazard(
                conn,
                keys,
                &row.subject_id,
                &row.enterprise_id,
                ProofKind::Escalated,
                &details,
            )?;
        } else {
            proofs::issue_event(
                conn,
                keys,
                &row.subject_id,
                &row.enterprise_id,
                ProofKind::Escalated,
                &details,
            )?;
        }
    }
    on_fired(conn, &row)?;
    Ok(fired)
}

fn insert_trigger(
    conn: &mut DbConn,
    subject: &Subject,
    kind: TriggerKind,
    escalation_id: &str,
    at: NaiveDateTime,
) -> Result<(), FireError> {
    match escalations::insert_trigger(
        conn,
        subject.subject_type,
        &subject.subject_id,
        kind.as_str(),
        escalation_id,
        at,
    ) {
        Err(e) if is_unique_violation(&e) => Err(FireError::AlreadyFired),
        other => Ok(other?),
    }
}

/// One entry of an escalation's timeline.
#[derive(Debug)]
pub struct Event<'a> {
    /// The officer who acted, if any.
    pub actor: Option<&'a Actor>,
    /// `bureau_officer`, `system` or `reporter`.
    pub actor_role: &'a str,
    /// What happened.
    pub kind: &'a str,
    /// Status before.
    pub from_status: Option<&'a str>,
    /// Status after.
    pub to_status: Option<&'a str>,
    /// Instructions, reason, message or appeal text.
    pub note: Option<&'a str>,
    /// The trigger that fired, for trigger events.
    pub trigger: Option<TriggerKind>,
}

/// Writes a timeline entry and its outbox event (same transaction). The webhook payload carries
/// the escalation, never the reporter: text a reporter wrote (an appeal's reason) is left out.
pub fn record_event(conn: &mut DbConn, esc: &EscalationRow, ev: &Event<'_>) -> AppResult<()> {
    let now = time::now();
    let row = EscalationEventRow {
        id: uuid::Uuid::new_v4().to_string(),
        escalation_id: esc.id.clone(),
        at: now,
        actor_id: ev.actor.map(|a| a.user_id.clone()),
        actor_role: Some(ev.actor_role.to_owned()),
        kind: ev.kind.to_owned(),
        from_status: ev.from_status.map(str::to_owned),
        to_status: ev.to_status.map(str::to_owned),
        note: ev.note.map(str::to_owned),
    };
    escalations::insert_event(conn, &row)?;
    let topic = format!("escalation.{}", ev.kind);
    let payload = json!({
        "event_id": row.id,
        "topic": topic,
        "at": time::to_rfc3339(now),
        "escalation": {
            "id": esc.id,
            "enterprise_id": esc.enterprise_id,
            "jurisdiction": esc.jurisdiction,
            "subject_type": esc.subject_type,
            "subject_id": esc.subject_id,
            "status": esc.status,
            "triggers": serde_json::from_str::<serde_json::Value>(&esc.triggers)
                .map_err(AppError::internal)?,
            "bureau_deadline": esc.bureau_deadline.map(time::to_rfc3339),
            "opened_at": time::to_rfc3339(esc.opened_at),
        },
        "trigger": ev.trigger.map(TriggerKind::as_str),
        "from_status": ev.from_status,
        "to_status": ev.to_status,
        "note": if ev.actor_role == "bureau_officer" { ev.note } else { None },
    });
    outbox::insert(
        conn,
        &OutboxRow::pending(row.id, topic, payload.to_string(), outbox::WEBHOOK, now),
    )?;

    Ok(())
}

/// Seconds between two instants, for the close-time statistics.
pub fn seconds_between(from: NaiveDateTime, to: NaiveDateTime) -> i64 {
    (to - from).num_seconds().max(0)
}
