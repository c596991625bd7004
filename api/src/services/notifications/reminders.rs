//! Deadline reminders and the daily digest, run by the sweeper on every instance.
//!
//! Each reminder fires once: it is written in the same transaction as its mark in
//! `notification_marks`, whose primary key lets exactly one sweep (of however many instances)
//! insert it. Reminders: a report at 75 % of its triage deadline and past it; a major hazard
//! without a plan at 75 % of `QINGLING_PLAN_DEADLINE` and past it; a major hazard's
//! rectification deadline at 75 % of the time from registration and past it. The digest goes to
//! each enterprise with channels once per Beijing day, from `QINGLING_DIGEST_HOUR`.

use chrono::{Duration, NaiveDateTime};

use crate::config::Deadlines;
use crate::domain::notification::{self, Message, Stage, fact};
use crate::error::{AppError, AppResult};
use crate::store::hazards::HazardRow;
use crate::store::notifications::{self as store, REPORT_TRIAGE_NEAR, REPORT_TRIAGE_PAST};
use crate::store::reports::ReportRow;
use crate::store::{DbConn, write_tx};

use super::Owner;
use super::events::{enqueue, level_zh};

/// What one reminder sweep sent.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReminderStats {
    /// Reminders fired (each once).
    pub reminders: usize,
    /// Digests sent.
    pub digests: usize,
}

fn chrono_dur(d: std::time::Duration) -> AppResult<Duration> {
    Duration::from_std(d).map_err(AppError::internal)
}

/// Beijing time for a message, `2026-12-01 08:00`.
fn beijing(t: NaiveDateTime) -> String {
    use chrono::TimeZone as _;
    notification::beijing()
        .from_utc_datetime(&t)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Fires what is due now (the sweeper runs this on every tick, after the escalation triggers).
pub async fn sweep_once(ctx: &crate::context::AppContext) -> AppResult<ReminderStats> {
    let deadlines = ctx.settings.deadlines.clone();
    let hour = ctx.settings.notify.digest_hour;
    ctx.db(move |conn| sweep(conn, &deadlines, hour, crate::store::time::now()))
        .await
}

/// Fires what is due at `now`.
pub fn sweep(
    conn: &mut DbConn,
    deadlines: &Deadlines,
    digest_hour: u32,
    now: NaiveDateTime,
) -> AppResult<ReminderStats> {
    let mut stats = ReminderStats::default();
    let (major, any) = (
        chrono_dur(deadlines.triage_major)?,
        chrono_dur(deadlines.triage)?,
    );
    for (is_major, limit) in [(true, major), (false, any)] {
        let near = now - Duration::milliseconds(limit.num_milliseconds() * 3 / 4);
        for r in store::untriaged_reports_due(conn, is_major, near, now - limit)? {
            let deadline = r.created_at + limit;
            if let Some(stage) = notification::reminder_stage(r.created_at, deadline, now) {
                stats.reminders += report_reminder(conn, &r, deadline, stage, now)?;
            }
        }
    }
    let plan = chrono_dur(deadlines.plan)?;
    for h in store::open_major_hazards(conn)? {
        if h.status == "registered" {
            let deadline = h.created_at + plan;
            if let Some(stage) = notification::reminder_stage(h.created_at, deadline, now) {
                stats.reminders += hazard_reminder(conn, &h, "plan", deadline, stage, now)?;
            }
        }
        if let Some(end) = h.deadline.as_deref().and_then(notification::deadline_end)
            && let Some(stage) = notification::reminder_stage(h.created_at, end, now)
        {
            stats.reminders += hazard_reminder(conn, &h, "deadline", end, stage, now)?;
        }
    }
    if let Some(date) = notification::digest_date(now, digest_hour) {
        for enterprise_id in store::enterprises_with_channels(conn)? {
            stats.digests += digest(conn, &enterprise_id, date, (now - any, now - major), now)?;
        }
    }
    Ok(stats)
}

/// Marks and enqueues in one transaction; 1 if this call fired it, 0 if it had fired before.
fn once(
    conn: &mut DbConn,
    kind: &str,
    subject: &str,
    now: NaiveDateTime,
    send: impl FnOnce(&mut DbConn) -> AppResult<usize>,
) -> AppResult<usize> {
    write_tx(conn, |conn| {
        if !store::mark_once(conn, kind, subject, now)? {
            return Ok(0);
        }
        send(conn).map(|_| 1)
    })
}

fn report_reminder(
    conn: &mut DbConn,
    r: &ReportRow,
    deadline: NaiveDateTime,
    stage: Stage,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let kind = match stage {
        Stage::Near => REPORT_TRIAGE_NEAR,
        Stage::Past => REPORT_TRIAGE_PAST,
    };
    let title = match stage {
        Stage::Near => "隐患报告即将超过受理期限",
        Stage::Past => "隐患报告已超过受理期限，仍未受理",
    };
    let msg = Message::new(
        title,
        vec![fact("标题", &r.title), fact("受理期限", &beijing(deadline))],
        format!("/console/reports/{}", r.id),
    );
    once(conn, kind, &r.id, now, |conn| {
        enqueue(
            conn,
            &Owner::Enterprise(r.enterprise_id.clone()),
            &format!("{kind}:{}", r.id),
            "notify.report_triage",
            &msg,
            now,
        )
    })
}

fn hazard_reminder(
    conn: &mut DbConn,
    h: &HazardRow,
    what: &str,
    deadline: NaiveDateTime,
    stage: Stage,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let kind = format!("hazard.{what}.{}", stage.as_str());
    let title = match (what, stage) {
        ("plan", Stage::Near) => "重大隐患尚未制定五落实整改方案，期限将至",
        ("plan", Stage::Past) => "重大隐患超过期限仍未制定五落实整改方案",
        (_, Stage::Near) => "重大隐患整改期限将至",
        (_, Stage::Past) => "重大隐患已超过整改期限，尚未销号",
    };
    let msg = Message::new(
        title,
        vec![
            fact("隐患", &h.title),
            fact("等级", level_zh(&h.level)),
            fact("期限", &beijing(deadline)),
        ],
        format!("/console/hazards/{}", h.id),
    );
    // A new plan with a new deadline is a new clock: the deadline is part of the mark.
    let subject = if what == "deadline" {
        format!("{}:{}", h.id, h.deadline.as_deref().unwrap_or_default())
    } else {
        h.id.clone()
    };
    once(conn, &kind, &subject, now, |conn| {
        enqueue(
            conn,
            &Owner::Enterprise(h.enterprise_id.clone()),
            &format!("{kind}:{subject}"),
            "notify.hazard_deadline",
            &msg,
            now,
        )
    })
}

fn digest(
    conn: &mut DbConn,
    enterprise_id: &str,
    date: chrono::NaiveDate,
    cutoffs: (NaiveDateTime, NaiveDateTime),
    now: NaiveDateTime,
) -> AppResult<usize> {
    let subject = format!("{enterprise_id}:{date}");
    let today = now.date().format("%Y-%m-%d").to_string();
    once(conn, "digest", &subject, now, |conn| {
        let c = store::digest_counts(conn, enterprise_id, &today, cutoffs)?;
        let msg = Message::new(
            &format!("清零日报 {date}"),
            vec![
                fact("未销号重大隐患（清零数）", &c.open_major.to_string()),
                fact("超期未整改隐患", &c.overdue_hazards.to_string()),
                fact("超期未受理报告", &c.untriaged_overdue.to_string()),
                fact("待受理报告（安全管理人员）", &c.untriaged.to_string()),
                fact(
                    "待制定整改方案的重大隐患（安全管理人员）",
                    &c.unplanned_major.to_string(),
                ),
                fact(
                    "待验收隐患（安全管理人员）",
                    &c.awaiting_verification.to_string(),
                ),
                fact(
                    "待审批奖励（安全管理人员、主要负责人）",
                    &c.rewards_proposed.to_string(),
                ),
            ],
            "/console/".to_owned(),
        );
        enqueue(
            conn,
            &Owner::Enterprise(enterprise_id.to_owned()),
            &format!("digest:{subject}"),
            "notify.digest",
            &msg,
            now,
        )
    })
}
