//! The escalation sweeper: on every tick, for each trigger, finds the subjects that became due
//! since the last sweep and fires the trigger on each.
//!
//! Cost grows with what is due, not with the size of the tables: each trigger keeps a watermark
//! (`sweeper_marks`) and reads only the window `(watermark − SLACK, now − delay]` through a
//! partial index; subjects whose trigger already fired are skipped by the `escalation_triggers`
//! primary key. SLACK re-reads a minute behind the watermark so that a row written with a
//! timestamp just before a sweep but committed just after it is not missed; the trigger key
//! keeps the re-read from firing twice.
//!
//! Adding a trigger is one entry in [`TRIGGERS`] and one `due` function. The hazard ledger's
//! two: a major hazard without a (complete) plan `QINGLING_PLAN_DEADLINE` after registration,
//! and a major hazard still open once its plan's deadline has passed.

use std::time::Duration;

use chrono::NaiveDateTime;

use crate::config::Deadlines;
use crate::context::AppContext;
use crate::domain::escalation_state::TriggerKind;
use crate::error::{AppError, AppResult};
use crate::services::escalations::{Fired, Subject, fire};
use crate::services::notifications::reminders;
use crate::store::escalations::{self, EscalationRow};
use crate::store::{DbConn, time};

/// How far behind its watermark each sweep looks again.
pub const SLACK: Duration = Duration::from_secs(60);

/// One trigger: which subjects it watches, how long after their clock starts they are due,
/// and how to find those due in a window.
#[derive(Debug)]
pub struct Trigger {
    /// The kind recorded on the escalation.
    pub kind: TriggerKind,
    /// Delay after the subject's clock (submission, registration, deadline) before it is due.
    pub delay: fn(&Deadlines) -> Duration,
    /// Subjects whose clock fell in `(from, to]` and on which `kind` has not fired.
    pub due: fn(&mut DbConn, TriggerKind, NaiveDateTime, NaiveDateTime) -> AppResult<Vec<Subject>>,
    /// Work done in the firing transaction (e.g. marking the bureau's deadline passed).
    pub on_fired: fn(&mut DbConn, &EscalationRow) -> AppResult<()>,
}

/// Every trigger the sweeper checks.
pub const TRIGGERS: &[Trigger] = &[
    Trigger {
        kind: TriggerKind::MajorReportUntriaged,
        delay: |d| d.triage_major,
        due: |conn, kind, from, to| untriaged_reports(conn, kind, true, from, to),
        on_fired: nothing,
    },
    Trigger {
        kind: TriggerKind::ReportUntriaged,
        delay: |d| d.triage,
        due: |conn, kind, from, to| untriaged_reports(conn, kind, false, from, to),
        on_fired: nothing,
    },
    Trigger {
        kind: TriggerKind::PlanMissing,
        delay: |d| d.plan,
        due: |conn, kind, from, to| {
            hazard_subjects(escalations::unplanned_major_hazards_due(
                conn,
                kind.as_str(),
                from,
                to,
            )?)
        },
        on_fired: nothing,
    },
    Trigger {
        kind: TriggerKind::PlanOverdue,
        delay: |_| Duration::ZERO,
        due: |conn, kind, from, to| {
            hazard_subjects(escalations::overdue_major_hazards_due(
                conn,
                kind.as_str(),
                from,
                to,
            )?)
        },
        on_fired: nothing,
    },
    Trigger {
        kind: TriggerKind::BureauDeadlinePassed,
        delay: |_| Duration::ZERO,
        due: bureau_deadlines,
        on_fired: mark_deadline_passed,
    },
];

fn nothing(_: &mut DbConn, _: &EscalationRow) -> AppResult<()> {
    Ok(())
}

fn untriaged_reports(
    conn: &mut DbConn,
    kind: TriggerKind,
    major_only: bool,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> AppResult<Vec<Subject>> {
    Ok(
        escalations::untriaged_reports_due(conn, kind.as_str(), major_only, from, to)?
            .into_iter()
            .map(|d| Subject {
                subject_type: "report",
                subject_id: d.subject_id,
                enterprise_id: d.enterprise_id,
            })
            .collect(),
    )
}

fn hazard_subjects(due: Vec<escalations::Due>) -> AppResult<Vec<Subject>> {
    Ok(due
        .into_iter()
        .map(|d| Subject {
            subject_type: "hazard",
            subject_id: d.subject_id,
            enterprise_id: d.enterprise_id,
        })
        .collect())
}

fn bureau_deadlines(
    conn: &mut DbConn,
    _: TriggerKind,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> AppResult<Vec<Subject>> {
    escalations::bureau_deadlines_due(conn, from, to)?
        .into_iter()
        .map(|e| {
            Ok(Subject {
                subject_type: if e.subject_type == "hazard" {
                    "hazard"
                } else {
                    "report"
                },
                subject_id: e.subject_id,
                enterprise_id: e.enterprise_id,
            })
        })
        .collect()
}

fn mark_deadline_passed(conn: &mut DbConn, esc: &EscalationRow) -> AppResult<()> {
    escalations::mark_deadline_passed(conn, &esc.id, time::now())?;
    Ok(())
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepStats {
    /// Subjects found due.
    pub due: usize,
    /// Escalations opened.
    pub opened: usize,
    /// Triggers added to open escalations.
    pub appended: usize,
}

/// Runs every trigger once.
pub async fn sweep_once(ctx: &AppContext) -> AppResult<SweepStats> {
    let deadlines = ctx.settings.deadlines.clone();
    let keys = ctx.keys.clone();
    let digest_hour = ctx.settings.notify.digest_hour;
    ctx.db(move |conn| {
        let now = time::now();
        let stats = sweep(conn, &keys, &deadlines, now)?;
        reminders::sweep(conn, &deadlines, digest_hour, now)?;
        Ok(stats)
    })
    .await
}

/// Runs every trigger once at `now` on one connection.
pub fn sweep(
    conn: &mut DbConn,
    keys: &qingling_crypto::KeyRing,
    deadlines: &Deadlines,
    now: NaiveDateTime,
) -> AppResult<SweepStats> {
    let mut stats = SweepStats::default();
    for t in TRIGGERS {
        let delay = chrono::Duration::from_std((t.delay)(deadlines)).map_err(AppError::internal)?;
        let slack = chrono::Duration::from_std(SLACK).map_err(AppError::internal)?;
        let cutoff = now - delay;
        let mark = escalations::mark(conn, t.kind.as_str())?;
        let from = mark.checked_sub_signed(slack).unwrap_or(mark);
        let due = (t.due)(conn, t.kind, from, cutoff)?;
        stats.due += due.len();
        for subject in &due {
            let on_fired = |c: &mut DbConn, e: &EscalationRow| (t.on_fired)(c, e);
            match fire(conn, keys, subject, t.kind, None, false, &on_fired)? {
                Fired::Opened(_) => stats.opened += 1,
                Fired::Appended(_) => stats.appended += 1,
                Fired::AlreadyFired => {}
            }
        }
        escalations::advance_mark(conn, t.kind.as_str(), cutoff)?;
    }
    Ok(stats)
}
