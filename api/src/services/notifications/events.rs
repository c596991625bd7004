//! The messages written when something needs someone: each is one outbox row per channel the
//! owner has set, in the caller's transaction, so the message exists exactly when the change
//! does. The row carries the message, not the channel's URL or secret: the delivery worker
//! opens the owner's sealed settings when it sends.
//!
//! What a message says is chosen here, field by field: titles, areas, levels, amounts, counts and
//! a link to the console page. Never the reporter (not even the pseudonym) and never a report's
//! description.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::domain::escalation_state::TriggerKind;
use crate::domain::notification::{Message, fact};
use crate::error::AppResult;
use crate::store::escalations::EscalationRow;
use crate::store::hazards::HazardRow;
use crate::store::notifications as store;
use crate::store::outbox::{self, OutboxRow};
use crate::store::reports::ReportRow;
use crate::store::rewards::RewardRow;
use crate::store::{DbConn, enterprises, time};

use super::Owner;

/// Writes `msg` for every channel `owner` has set; `key` names the event (unique per event:
/// the outbox row's event id is `key:channel`). Returns how many rows were written.
pub fn enqueue(
    conn: &mut DbConn,
    owner: &Owner,
    key: &str,
    topic: &str,
    msg: &Message,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let Some(row) = store::find(conn, owner.kind(), owner.id())? else {
        return Ok(0);
    };
    let mut n = 0;
    for channel in row.channel_names() {
        let event_id = format!("{key}:{channel}");
        let payload = json!({
            "event_id": event_id,
            "topic": topic,
            "owner_type": owner.kind(),
            "owner_id": owner.id(),
            "at": time::to_rfc3339(now),
            "message": msg,
        });
        outbox::insert(
            conn,
            &OutboxRow::pending(
                event_id,
                topic.to_owned(),
                payload.to_string(),
                channel,
                now,
            ),
        )?;
        n += 1;
    }
    Ok(n)
}

/// The owners a bureau message goes to: the enterprise's jurisdiction and every jurisdiction
/// above it (`jb/town` → `jb/town`, `jb`), as officers of each see it.
pub fn bureau_owners(jurisdiction: &str) -> Vec<Owner> {
    let mut owners = Vec::new();
    let mut path = jurisdiction;
    loop {
        owners.push(Owner::Jurisdiction(path.to_owned()));
        match path.rsplit_once('/') {
            Some((parent, _)) => path = parent,
            None => break,
        }
    }
    owners
}

fn area_line(conn: &mut DbConn, area_id: Option<&str>) -> AppResult<String> {
    let name = match area_id {
        Some(id) => enterprises::find_area(conn, id)?.map(|a| a.name),
        None => None,
    };
    Ok(fact("区域", name.as_deref().unwrap_or("未指定")))
}

/// A new report: its title and area, nothing else.
pub fn report_submitted(conn: &mut DbConn, r: &ReportRow) -> AppResult<()> {
    let msg = Message::new(
        "新的隐患报告，请及时受理",
        vec![
            fact("标题", &r.title),
            area_line(conn, r.area_id.as_deref())?,
        ],
        format!("/console/reports/{}", r.id),
    );
    enqueue(
        conn,
        &Owner::Enterprise(r.enterprise_id.clone()),
        &format!("report.submitted:{}", r.id),
        "notify.report_submitted",
        &msg,
        time::now(),
    )
    .map(drop)
}

/// Rectification evidence is in: the hazard waits for verification (验收).
pub fn verification_waiting(conn: &mut DbConn, h: &HazardRow) -> AppResult<()> {
    let msg = Message::new(
        "整改已完成，等待验收",
        vec![
            fact("隐患", &h.title),
            fact("等级", level_zh(&h.level)),
            area_line(conn, h.area_id.as_deref())?,
        ],
        format!("/console/hazards/{}", h.id),
    );
    enqueue(
        conn,
        &Owner::Enterprise(h.enterprise_id.clone()),
        &format!("hazard.verification:{}:{}", h.id, uuid::Uuid::new_v4()),
        "notify.verification_waiting",
        &msg,
        time::now(),
    )
    .map(drop)
}

/// A reward was proposed and waits for approval.
pub fn reward_waiting(conn: &mut DbConn, r: &RewardRow) -> AppResult<()> {
    let msg = Message::new(
        "奖励待审批",
        vec![
            fact("金额", &yuan(r.amount_fen)),
            fact("隐患等级", level_zh(&r.level)),
        ],
        "/console/rewards?status=proposed".to_owned(),
    );
    enqueue(
        conn,
        &Owner::Enterprise(r.enterprise_id.clone()),
        &format!("reward.proposed:{}", r.id),
        "notify.reward_waiting",
        &msg,
        time::now(),
    )
    .map(drop)
}

/// For the bureau: a new escalation (any trigger, an appeal among them), an appeal added to an
/// open one, or a 督办 deadline passed. Other triggers added to an open escalation are in the
/// bureau's webhook and console, not pushed again.
pub fn escalation_fired(
    conn: &mut DbConn,
    esc: &EscalationRow,
    kind: TriggerKind,
    opened: bool,
) -> AppResult<()> {
    let title = match (opened, kind) {
        (_, TriggerKind::Appeal) => "举报人向监管部门申诉",
        (_, TriggerKind::BureauDeadlinePassed) => "督办期限已过，隐患仍未销号",
        (true, _) => "新的隐患上报（企业未按时处理）",
        (false, _) => return Ok(()),
    };
    let enterprise = enterprises::find(conn, &esc.enterprise_id)?
        .map(|e| e.name)
        .unwrap_or_default();
    let mut lines = vec![fact("企业", &enterprise), fact("原因", trigger_zh(kind))];
    lines.push(fact(
        "对象",
        if esc.subject_type == "hazard" {
            "隐患"
        } else {
            "隐患报告"
        },
    ));
    let msg = Message::new(
        title,
        lines,
        format!("/console/bureau/escalations/{}", esc.id),
    );
    let key = format!(
        "escalation.{}:{}:{}",
        kind.as_str(),
        esc.id,
        uuid::Uuid::new_v4()
    );
    let now = time::now();
    for owner in bureau_owners(&esc.jurisdiction) {
        enqueue(
            conn,
            &owner,
            &format!("{key}:{}", owner.id()),
            "notify.escalation",
            &msg,
            now,
        )?;
    }
    Ok(())
}

/// The Chinese word for a hazard level.
pub fn level_zh(level: &str) -> &'static str {
    if level == "major" {
        "重大隐患"
    } else {
        "一般隐患"
    }
}

/// Why an escalation fired, in Chinese.
pub fn trigger_zh(kind: TriggerKind) -> &'static str {
    match kind {
        TriggerKind::MajorReportUntriaged => "疑似重大隐患报告超时未受理",
        TriggerKind::ReportUntriaged => "隐患报告超时未受理",
        TriggerKind::Appeal => "举报人申诉",
        TriggerKind::PlanMissing => "重大隐患未按时制定五落实整改方案",
        TriggerKind::PlanOverdue => "重大隐患超过整改期限未销号",
        TriggerKind::BureauDeadlinePassed => "超过督办期限",
    }
}

/// Fen as yuan with two decimals.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02} 元", fen / 100, (fen % 100).abs())
}
