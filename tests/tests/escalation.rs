//! Escalation to the bureau: the sweeper's triggers, the bureau's inbox and 督办 transitions,
//! appeals without identity, and signed webhook delivery.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use hmac::{Hmac, Mac};
use qingling_tests::escalation::{NewReport, Receiver, trigger_kinds};
use qingling_tests::{TestApp, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

/// Short deadlines: suspected-major 1 s, any report 2 s, sweeping every 100 ms.
async fn fast_app() -> TestApp {
    spawn_app_with(|s| {
        s.deadlines.triage_major = Duration::from_secs(1);
        s.deadlines.triage = Duration::from_secs(2);
        s.deadlines.sweep_interval = Duration::from_millis(100);
    })
    .await
}

async fn sleep_ms(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

/// Waits until `f` holds, up to 10 s.
async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if f().await {
            return;
        }
        sleep_ms(50).await;
    }
    panic!("timed out waiting for: {what}");
}

fn items(a: &Value) -> Vec<Value> {
    a["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_untriaged_major_report_escalates_once_then_gains_the_general_trigger_once() {
    let app = fast_app().await;
    let (eid, officer) = app.enterprise_and_officer().await;
    let major = app
        .stored_report(
            &eid,
            NewReport {
                major: true,
                ..Default::default()
            },
        )
        .await;
    let general = app.stored_report(&eid, NewReport::default()).await;
    assert!(
        app.escalations_of(&major.id).await.is_empty(),
        "not before its deadline"
    );

    eventually("the major report escalates", || async {
        !app.escalations_of(&major.id).await.is_empty()
    })
    .await;
    let first = app.escalations_of(&major.id).await;
    assert_eq!(trigger_kinds(&first[0]), ["major_report_untriaged"]);
    assert!(
        app.escalations_of(&general.id).await.is_empty(),
        "a general report waits for the longer deadline"
    );

    // Past the 2 s deadline and many sweeps later: one escalation each, each trigger once.
    sleep_ms(2500).await;
    let major_escs = app.escalations_of(&major.id).await;
    assert_eq!(major_escs.len(), 1);
    assert_eq!(
        trigger_kinds(&major_escs[0]),
        ["major_report_untriaged", "report_untriaged"]
    );
    let general_escs = app.escalations_of(&general.id).await;
    assert_eq!(general_escs.len(), 1);
    assert_eq!(trigger_kinds(&general_escs[0]), ["report_untriaged"]);

    let inbox = app.get("/api/v1/bureau/escalations", &officer).await;
    assert_eq!(inbox.status, StatusCode::OK, "{:?}", inbox.json);
    assert_eq!(items(&inbox.json).len(), 2);
    let filtered = app
        .get(
            &format!("/api/v1/bureau/escalations?status=open&enterprise_id={eid}&limit=1"),
            &officer,
        )
        .await;
    assert_eq!(items(&filtered.json).len(), 1);
    let cursor = filtered.json["next_cursor"].as_str().unwrap().to_owned();
    let next = app
        .get(
            &format!("/api/v1/bureau/escalations?status=open&limit=1&cursor={cursor}"),
            &officer,
        )
        .await;
    assert_eq!(items(&next.json).len(), 1);
    assert_ne!(items(&next.json)[0]["id"], items(&filtered.json)[0]["id"]);
}

#[tokio::test]
async fn a_triaged_report_does_not_escalate() {
    let app = fast_app().await;
    let (eid, _) = app.enterprise_and_officer().await;
    let r = app
        .stored_report(
            &eid,
            NewReport {
                major: true,
                status: Some("accepted"),
                ..Default::default()
            },
        )
        .await;
    sleep_ms(2600).await;
    assert!(app.escalations_of(&r.id).await.is_empty());
}

#[tokio::test]
async fn an_officer_of_another_jurisdiction_sees_nothing() {
    let app = fast_app().await;
    let (eid, _) = app.enterprise_and_officer().await;
    let (_, stranger) = app.user("bureau_officer", None, Some("other")).await;
    let (_, esc_id) = app.escalated_major_report(&eid).await;

    let inbox = app.get("/api/v1/bureau/escalations", &stranger).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(items(&inbox.json).is_empty());
    let one = app
        .get(&format!("/api/v1/bureau/escalations/{esc_id}"), &stranger)
        .await;
    assert_eq!(one.status, StatusCode::NOT_FOUND);
    assert_eq!(one.code(), "not_found");
    let ack = app
        .post(
            &format!("/api/v1/bureau/escalations/{esc_id}/acknowledge"),
            &stranger,
            json!({}),
        )
        .await;
    assert_eq!(ack.status, StatusCode::NOT_FOUND);
    let overview = app.get("/api/v1/bureau/overview", &stranger).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.json["enterprises"].as_array().unwrap().is_empty());

    let (_, manager) = app.user("safety_manager", Some(&eid), None).await;
    let forbidden = app.get("/api/v1/bureau/escalations", &manager).await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_bureau_supervises_and_closes_and_the_overview_counts() {
    let app = fast_app().await;
    let (eid, officer) = app.enterprise_and_officer().await;
    let (_, id) = app.escalated_major_report(&eid).await;
    let path = |a: &str| format!("/api/v1/bureau/escalations/{id}/{a}");

    let overview = app.get("/api/v1/bureau/overview", &officer).await;
    let ent = &overview.json["enterprises"][0];
    assert_eq!(ent["enterprise_id"], eid.as_str());
    assert_eq!(ent["open_escalations"], 1);
    assert_eq!(ent["cleared_to_zero"], false);

    let early = app.post(&path("close"), &officer, json!({})).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.code(), "transition_not_allowed");

    let ack = app.post(&path("acknowledge"), &officer, json!({})).await;
    assert_eq!(ack.status, StatusCode::OK, "{:?}", ack.json);
    assert_eq!(ack.json["status"], "acknowledged");
    let again = app.post(&path("acknowledge"), &officer, json!({})).await;
    assert_eq!(again.code(), "transition_not_allowed");

    let past = app
        .post(
            &path("supervise"),
            &officer,
            json!({"deadline": "2000-01-01T00:00:00Z", "instructions": "立即停用值守室"}),
        )
        .await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST);
    assert_eq!(past.code(), "validation_failed");
    let deadline = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let sup = app
        .post(
            &path("supervise"),
            &officer,
            json!({"deadline": deadline, "instructions": "立即停用值守室"}),
        )
        .await;
    assert_eq!(sup.status, StatusCode::OK, "{:?}", sup.json);
    assert_eq!(sup.json["status"], "supervising");
    assert_eq!(sup.json["instructions"], "立即停用值守室");

    let msg = app
        .post(
            &path("messages"),
            &officer,
            json!({"body": "请于周五前上报整改方案"}),
        )
        .await;
    assert_eq!(msg.status, StatusCode::OK, "{:?}", msg.json);

    let closed = app.post(&path("close"), &officer, json!({})).await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.json);
    assert_eq!(closed.json["status"], "closed");
    let dismiss = app
        .post(&path("dismiss"), &officer, json!({"reason": "x"}))
        .await;
    assert_eq!(dismiss.code(), "transition_not_allowed");

    let detail = app
        .get(&format!("/api/v1/bureau/escalations/{id}"), &officer)
        .await;
    let kinds: Vec<&str> = detail.json["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.starts_with(&["opened"]), "{kinds:?}");
    assert!(
        kinds.ends_with(&["acknowledged", "supervising", "message", "closed"]),
        "{kinds:?}"
    );
    assert_eq!(detail.json["report"]["title"], "钢包吊运区下方有人员值守室");

    let overview = app.get("/api/v1/bureau/overview", &officer).await;
    let ent = &overview.json["enterprises"][0];
    assert_eq!(ent["open_escalations"], 0);
    assert_eq!(ent["closed_escalations"], 1);
    assert_eq!(ent["cleared_to_zero"], true);
    assert!(ent["average_close_seconds"].as_i64().is_some());
}

#[tokio::test]
async fn a_dismissal_needs_a_reason() {
    let app = fast_app().await;
    let (eid, officer) = app.enterprise_and_officer().await;
    let (_, id) = app.escalated_major_report(&eid).await;
    let url = format!("/api/v1/bureau/escalations/{id}/dismiss");
    let empty = app.post(&url, &officer, json!({"reason": " "})).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let ok = app
        .post(&url, &officer, json!({"reason": "已由企业当日整改"}))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json["status"], "dismissed");
    assert_eq!(ok.json["dismiss_reason"], "已由企业当日整改");
}

#[tokio::test]
async fn a_missed_bureau_deadline_re_escalates_visibly_once() {
    let app = fast_app().await;
    let (eid, officer) = app.enterprise_and_officer().await;
    let (r, id) = app.escalated_major_report(&eid).await;
    let deadline = (chrono::Utc::now() + chrono::Duration::seconds(1)).to_rfc3339();
    let sup = app
        .post(
            &format!("/api/v1/bureau/escalations/{id}/supervise"),
            &officer,
            json!({"deadline": deadline, "instructions": "限期整改"}),
        )
        .await;
    assert_eq!(sup.status, StatusCode::OK, "{:?}", sup.json);
    assert_eq!(sup.json["overdue"], false);
    let url = format!("/api/v1/bureau/escalations/{id}");
    eventually("marked overdue", || async {
        app.get(&url, &officer).await.json["overdue"] == true
    })
    .await;
    sleep_ms(500).await;
    let esc = app.escalations_of(&r.id).await;
    assert_eq!(esc.len(), 1);
    let kinds = trigger_kinds(&esc[0]);
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "bureau_deadline_passed")
            .count(),
        1,
        "{kinds:?}"
    );
}

/// Everything that could name the worker.
struct Identity {
    values: Vec<String>,
}

impl Identity {
    fn assert_absent(&self, what: &str, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        for v in &self.values {
            assert!(!text.contains(v.as_str()), "{what} leaks {v}");
        }
    }
}

#[tokio::test]
async fn a_workers_appeal_lands_in_the_bureau_inbox_without_identity() {
    let receiver = Receiver::start(0).await;
    let url = receiver.url.clone();
    let app = spawn_app_with(move |s| {
        s.deadlines.sweep_interval = Duration::from_millis(100);
        s.webhook_url = Some(url);
        s.webhook_secret = Some("s3cret".to_owned().into());
    })
    .await;
    let (eid, officer) = app.enterprise_and_officer().await;
    let (worker, token) = app
        .user_with(
            "worker",
            Some(&eid),
            None,
            json!({"display_name": "王秘密", "phone": "13912345678", "employee_no": "E-77123"}),
        )
        .await;
    let worker_id = worker["id"].as_str().unwrap().to_owned();
    let r = app
        .stored_report(
            &eid,
            NewReport {
                status: Some("rejected"),
                worker_id: Some(worker_id.clone()),
                ..Default::default()
            },
        )
        .await;
    let (_, other_worker) = app.user("worker", Some(&eid), None).await;
    let not_mine = app
        .post(
            &format!("/m/v1/reports/{}/appeal", r.id),
            &other_worker,
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(not_mine.status, StatusCode::NOT_FOUND);

    let appeal = app
        .post(
            &format!("/m/v1/reports/{}/appeal", r.id),
            &token,
            json!({"reason": "驳回理由不成立，值守室仍在使用"}),
        )
        .await;
    assert_eq!(appeal.status, StatusCode::CREATED, "{:?}", appeal.json);
    let twice = app
        .post(
            &format!("/m/v1/reports/{}/appeal", r.id),
            &token,
            json!({"reason": "再次申诉"}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    let inbox = app.get("/api/v1/bureau/escalations", &officer).await;
    let list = items(&inbox.json);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["triggers"][0]["kind"], "appeal");
    let id = list[0]["id"].as_str().unwrap();
    let detail = app
        .get(&format!("/api/v1/bureau/escalations/{id}"), &officer)
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.json["report"]["status"], "rejected");
    assert!(detail.json["report"]["timeline"].is_array());
    assert!(detail.json["report"]["photo_ids"].is_array());
    assert_eq!(
        detail.json["events"][0]["note"],
        "驳回理由不成立，值守室仍在使用"
    );

    let pseudonym = format!("举报人-{}", &r.id[..4]);
    let identity = Identity {
        values: vec![
            "王秘密".into(),
            "13912345678".into(),
            "E-77123".into(),
            worker_id,
            worker["username"].as_str().unwrap().to_owned(),
            pseudonym,
        ],
    };
    identity.assert_absent("inbox", &inbox.bytes);
    identity.assert_absent("detail", &detail.bytes);
    let overview = app.get("/api/v1/bureau/overview", &officer).await;
    identity.assert_absent("overview", &overview.bytes);
    eventually("the webhook arrives", || async {
        !receiver.requests().is_empty()
    })
    .await;
    for req in receiver.requests() {
        identity.assert_absent("webhook", req.body.as_bytes());
        assert!(
            !req.body.contains("值守室仍在使用"),
            "the reporter's words stay out"
        );
    }
}

#[tokio::test]
async fn an_anonymous_appeal_by_receipt_code_and_a_wrong_code_answers_like_an_unknown_one() {
    let app = fast_app().await;
    let (eid, officer) = app.enterprise_and_officer().await;
    let dup = app
        .stored_report(
            &eid,
            NewReport {
                status: Some("duplicate"),
                ..Default::default()
            },
        )
        .await;
    let accepted = app
        .stored_report(
            &eid,
            NewReport {
                status: Some("accepted"),
                ..Default::default()
            },
        )
        .await;

    let unknown = app
        .post_anon(
            "/m/v1/receipt/appeal",
            json!({"receipt_code": "2222-2222-2222-2222-2222", "reason": "x"}),
        )
        .await;
    let malformed = app
        .post_anon(
            "/m/v1/receipt/appeal",
            json!({"receipt_code": "not a code", "reason": "x"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(malformed.status, StatusCode::NOT_FOUND);
    let strip = |v: &Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("instance");
        v.as_object_mut().unwrap().remove("request_id");
        v
    };
    assert_eq!(strip(&unknown.json), strip(&malformed.json));

    // An accepted report can be appealed too (the rectification may be fake or slow); twice
    // is refused.
    let on_accepted = app
        .post_anon(
            "/m/v1/receipt/appeal",
            json!({"receipt_code": accepted.receipt_code, "reason": "整改只是挂了块牌子"}),
        )
        .await;
    assert_eq!(
        on_accepted.status,
        StatusCode::CREATED,
        "{:?}",
        on_accepted.json
    );
    let refused = app
        .post_anon(
            "/m/v1/receipt/appeal",
            json!({"receipt_code": accepted.receipt_code, "reason": "x"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.code(), "already_exists");

    let ok = app
        .post_anon(
            "/m/v1/receipt/appeal",
            json!({"receipt_code": dup.receipt_code.to_lowercase(), "reason": "不是重复报告"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.json);
    let inbox = app.get("/api/v1/bureau/escalations", &officer).await;
    let list = items(&inbox.json);
    let mut subjects: Vec<&str> = list
        .iter()
        .map(|e| e["subject_id"].as_str().unwrap())
        .collect();
    subjects.sort_unstable();
    let mut expected = vec![dup.id.as_str(), accepted.id.as_str()];
    expected.sort_unstable();
    assert_eq!(subjects, expected);
    assert!(!String::from_utf8_lossy(&inbox.bytes).contains(&dup.receipt_code));
}

fn valid_signature(secret: &[u8], ts: &str, body: &str, header: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(format!("{ts}.{body}").as_bytes());
    header == format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn the_webhook_is_signed_retried_after_a_failure_and_delivered_once_per_event() {
    let receiver = Receiver::start(1).await;
    let url = receiver.url.clone();
    let app = spawn_app_with(move |s| {
        s.deadlines.triage_major = Duration::from_secs(1);
        s.deadlines.triage = Duration::from_secs(3600);
        s.deadlines.sweep_interval = Duration::from_millis(100);
        s.webhook_url = Some(url);
        s.webhook_secret = Some("s3cret".to_owned().into());
    })
    .await;
    let (eid, officer) = app.enterprise_and_officer().await;
    let (_, id) = app.escalated_major_report(&eid).await;
    let ack = app
        .post(
            &format!("/api/v1/bureau/escalations/{id}/acknowledge"),
            &officer,
            json!({}),
        )
        .await;
    assert_eq!(ack.status, StatusCode::OK);

    eventually("both events delivered", || async {
        receiver
            .requests()
            .iter()
            .filter(|r| r.answered == 200)
            .count()
            >= 2
    })
    .await;
    sleep_ms(1500).await;
    let reqs = receiver.requests();
    assert_eq!(reqs[0].answered, 500, "the first attempt failed");
    let first_event = reqs[0].header("x-qingling-event-id").unwrap().to_owned();
    assert!(
        reqs[1..]
            .iter()
            .any(|r| r.header("x-qingling-event-id") == Some(&first_event) && r.answered == 200),
        "the failed event was retried"
    );
    let mut delivered: Vec<String> = Vec::new();
    for req in &reqs {
        let ts = req.header("x-qingling-timestamp").unwrap();
        let sig = req.header("x-qingling-signature").unwrap();
        assert!(valid_signature(b"s3cret", ts, &req.body, sig), "signature");
        assert!(!valid_signature(b"wrong", ts, &req.body, sig));
        let body: Value = serde_json::from_str(&req.body).unwrap();
        assert_eq!(body["event_id"], req.header("x-qingling-event-id").unwrap());
        assert_eq!(body["escalation"]["id"], id.as_str());
        if req.answered == 200 {
            delivered.push(body["event_id"].as_str().unwrap().to_owned());
        }
    }
    let topics: Vec<String> = reqs
        .iter()
        .filter(|r| r.answered == 200)
        .map(|r| {
            serde_json::from_str::<Value>(&r.body).unwrap()["topic"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(
        topics.contains(&"escalation.opened".to_owned()),
        "{topics:?}"
    );
    assert!(
        topics.contains(&"escalation.acknowledged".to_owned()),
        "{topics:?}"
    );
    let n = delivered.len();
    delivered.sort();
    delivered.dedup();
    assert_eq!(n, delivered.len(), "each event delivered once");
    assert_eq!(n, 2);
}

#[tokio::test]
async fn a_dead_letter_is_listed_for_admins_and_retried() {
    let receiver = Receiver::start(0).await;
    receiver
        .always_fail
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let url = receiver.url.clone();
    let app = spawn_app_with(move |s| {
        s.deadlines.triage_major = Duration::from_secs(1);
        s.deadlines.triage = Duration::from_secs(3600);
        s.deadlines.sweep_interval = Duration::from_millis(100);
        s.webhook_url = Some(url);
        s.webhook_secret = Some("s3cret".to_owned().into());
        s.webhook_max_attempts = 2;
    })
    .await;
    let (eid, officer) = app.enterprise_and_officer().await;
    app.stored_report(
        &eid,
        NewReport {
            major: true,
            ..Default::default()
        },
    )
    .await;
    let dead = || async { app.get("/api/v1/admin/outbox/dead", &app.admin_token).await };
    eventually("a dead letter", || async {
        !items(&dead().await.json).is_empty()
    })
    .await;
    assert_eq!(receiver.requests().len(), 2, "two attempts, then dead");
    let letter = items(&dead().await.json)[0].clone();
    assert_eq!(letter["attempts"], 2);
    assert_eq!(letter["last_error"], "status 500");

    let not_admin = app.get("/api/v1/admin/outbox/dead", &officer).await;
    assert_eq!(not_admin.status, StatusCode::FORBIDDEN);

    receiver
        .always_fail
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let lid = letter["id"].as_str().unwrap();
    let retry = app
        .post(
            &format!("/api/v1/admin/outbox/{lid}/retry"),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(retry.status, StatusCode::NO_CONTENT);
    eventually("delivered after the retry", || async {
        receiver.requests().iter().any(|r| r.answered == 200)
    })
    .await;
    assert!(items(&dead().await.json).is_empty());
    let again = app
        .post(
            &format!("/api/v1/admin/outbox/{lid}/retry"),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn concurrent_sweepers_open_one_escalation_per_subject() {
    let app = spawn_app_with(|s| {
        s.deadlines.triage_major = Duration::ZERO;
        s.deadlines.triage = Duration::ZERO;
        s.deadlines.plan = Duration::ZERO;
        s.deadlines.sweep_interval = Duration::from_secs(3600);
        s.pool_size = 8;
    })
    .await;
    let site = app.ledger_site("steel").await;
    let eid = site.id.clone();
    let mut all = Vec::new();
    let mut hazards = Vec::new();
    for round in 0..10 {
        let mut batch = Vec::new();
        for i in 0..6 {
            let major = (i + round) % 2 == 0;
            let r = app
                .stored_report(
                    &eid,
                    NewReport {
                        major,
                        ..Default::default()
                    },
                )
                .await;
            batch.push((r.id, major));
        }
        // A major hazard with no plan (plan_missing) and one whose plan's deadline has passed
        // (plan_overdue), both due at once for every sweeper.
        let unplanned = app.swept_hazard(&site, "major").await;
        let overdue = app.swept_hazard(&site, "major").await;
        let p = app
            .put(
                &format!("/api/v1/hazards/{overdue}/plan"),
                &site.manager,
                qingling_tests::ledger::full_plan("王工", &yesterday()),
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{:?}", p.json);
        let sweeps: Vec<_> = (0..4)
            .map(|_| {
                let ctx = app.ctx.clone();
                tokio::spawn(async move { qingling_api::workers::sweeper::sweep_once(&ctx).await })
            })
            .collect();
        for s in sweeps {
            s.await.unwrap().unwrap();
        }
        all.extend(batch);
        hazards.push((unplanned, "plan_missing"));
        hazards.push((overdue, "plan_overdue"));
    }
    for (id, major) in all {
        let escs = app.escalations_of(&id).await;
        assert_eq!(escs.len(), 1, "one escalation for {id}");
        let mut kinds = trigger_kinds(&escs[0]);
        kinds.sort();
        let expected: Vec<&str> = if major {
            vec!["major_report_untriaged", "report_untriaged"]
        } else {
            vec!["report_untriaged"]
        };
        assert_eq!(kinds, expected, "{id}");
    }
    for (id, kind) in hazards {
        let escs = app.escalations_of_subject("hazard", &id).await;
        assert_eq!(escs.len(), 1, "one escalation for hazard {id}");
        assert_eq!(trigger_kinds(&escs[0]), [kind], "hazard {id}");
    }
}

#[tokio::test]
async fn different_triggers_racing_on_one_report_share_one_escalation() {
    use qingling_api::domain::escalation_state::TriggerKind;
    use qingling_api::services::escalations::{Subject, fire};
    let app = spawn_app_with(|s| s.pool_size = 8).await;
    let (eid, _) = app.enterprise_and_officer().await;
    for _ in 0..20 {
        let r = app.stored_report(&eid, NewReport::default()).await;
        let fires: Vec<_> = [
            TriggerKind::MajorReportUntriaged,
            TriggerKind::ReportUntriaged,
            TriggerKind::Appeal,
        ]
        .into_iter()
        .map(|kind| {
            let ctx = app.ctx.clone();
            let subject = Subject {
                subject_type: "report",
                subject_id: r.id.clone(),
                enterprise_id: eid.clone(),
            };
            tokio::spawn(async move {
                let keys = ctx.keys.clone();
                ctx.db(move |conn| fire(conn, &keys, &subject, kind, None, false, &|_, _| Ok(())))
                    .await
            })
        })
        .collect();
        for f in fires {
            f.await.unwrap().unwrap();
        }
        let escs = app.escalations_of(&r.id).await;
        assert_eq!(escs.len(), 1, "one open escalation");
        assert_eq!(
            trigger_kinds(&escs[0]).len(),
            3,
            "every trigger recorded once"
        );
    }
}

#[tokio::test]
async fn several_instances_delivering_at_once_send_each_event_once() {
    let receiver = Receiver::start(0).await;
    let url = receiver.url.clone();
    let app = spawn_app_with(move |s| {
        s.deadlines.triage_major = Duration::ZERO;
        s.deadlines.triage = Duration::from_secs(3600);
        s.deadlines.sweep_interval = Duration::from_millis(50);
        s.webhook_url = Some(url);
        s.webhook_secret = Some("s3cret".to_owned().into());
        s.pool_size = 8;
    })
    .await;
    let (eid, _) = app.enterprise_and_officer().await;
    for _ in 0..15 {
        app.stored_report(
            &eid,
            NewReport {
                major: true,
                ..Default::default()
            },
        )
        .await;
    }
    let client = qingling_api::workers::outbox::client().unwrap();
    for _ in 0..20 {
        let rounds: Vec<_> = (0..3)
            .map(|_| {
                let ctx = app.ctx.clone();
                let client = client.clone();
                tokio::spawn(async move {
                    qingling_api::workers::outbox::deliver_due(&ctx, &client).await
                })
            })
            .collect();
        for r in rounds {
            r.await.unwrap().unwrap();
        }
        sleep_ms(50).await;
    }
    eventually("15 events delivered", || async {
        receiver.requests().len() >= 15
    })
    .await;
    sleep_ms(500).await;
    let mut ids: Vec<String> = receiver
        .requests()
        .iter()
        .map(|r| r.header("x-qingling-event-id").unwrap().to_owned())
        .collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(n, ids.len(), "no event sent twice");
    assert_eq!(n, 15);
}

/// Yesterday's UTC date, `YYYY-MM-DD`: a plan deadline that has already passed.
fn yesterday() -> String {
    (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn a_major_hazard_without_a_plan_escalates_once_and_its_passed_deadline_joins_once() {
    use qingling_tests::ledger::full_plan;
    let app = spawn_app_with(|s| {
        s.deadlines.plan = Duration::from_secs(2);
        s.deadlines.sweep_interval = Duration::from_millis(100);
    })
    .await;
    let site = app.ledger_site("steel").await;
    let (_, officer) = app.user("bureau_officer", None, Some("jb")).await;
    let (_, stranger) = app.user("bureau_officer", None, Some("xx")).await;
    let unplanned = app.swept_hazard(&site, "major").await;
    let general = app.swept_hazard(&site, "general").await;
    let planned = app.swept_hazard(&site, "major").await;
    let p = app
        .put(
            &format!("/api/v1/hazards/{planned}/plan"),
            &site.manager,
            full_plan("王工", "2099-12-31"),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.json);

    eventually("the unplanned major hazard escalates", || async {
        !app.escalations_of_subject("hazard", &unplanned)
            .await
            .is_empty()
    })
    .await;
    let escs = app.escalations_of_subject("hazard", &unplanned).await;
    assert_eq!(escs.len(), 1);
    assert_eq!(trigger_kinds(&escs[0]), ["plan_missing"]);
    let inbox = app.get("/api/v1/bureau/escalations", &officer).await;
    let list = items(&inbox.json);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["subject_type"], "hazard");
    assert_eq!(list[0]["subject_id"], unplanned.as_str());
    let theirs = app.get("/api/v1/bureau/escalations", &stranger).await;
    assert!(
        items(&theirs.json).is_empty(),
        "another jurisdiction sees nothing"
    );

    // A plan written late with a deadline already past: overdue now, recorded on the open
    // escalation rather than opening another.
    let late = app
        .put(
            &format!("/api/v1/hazards/{unplanned}/plan"),
            &site.manager,
            full_plan("王工", &yesterday()),
        )
        .await;
    assert_eq!(late.status, StatusCode::OK, "{:?}", late.json);
    eventually("the passed deadline joins the escalation", || async {
        let e = app.escalations_of_subject("hazard", &unplanned).await;
        trigger_kinds(&e[0]).len() == 2
    })
    .await;
    sleep_ms(600).await; // several more sweeps
    let escs = app.escalations_of_subject("hazard", &unplanned).await;
    assert_eq!(escs.len(), 1, "still one escalation");
    assert_eq!(trigger_kinds(&escs[0]), ["plan_missing", "plan_overdue"]);
    let detail = app
        .get(
            &format!("/api/v1/bureau/escalations/{}", escs[0].id),
            &officer,
        )
        .await;
    let kinds: Vec<&str> = detail.json["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "trigger"]);
    assert_eq!(detail.json["report"], Value::Null);
    let hazard = &detail.json["hazard"];
    assert_eq!(hazard["id"], unplanned.as_str());
    assert_eq!(hazard["level"], "major");
    assert_eq!(hazard["overdue"], true);
    assert_eq!(hazard["plan"]["measures"], "拆除吊运跨下休息室，人员迁出");
    assert_eq!(hazard["plan"]["deadline"], yesterday().as_str());
    let roles: Vec<&str> = hazard["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor_role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["safety_manager", "safety_manager"]);
    assert!(
        !String::from_utf8_lossy(&detail.bytes).contains(&site.manager_id),
        "staff ids are not the bureau's business"
    );

    assert!(
        app.escalations_of_subject("hazard", &general)
            .await
            .is_empty()
    );
    assert!(
        app.escalations_of_subject("hazard", &planned)
            .await
            .is_empty(),
        "a major hazard planned in time, deadline ahead, stays with the enterprise"
    );
}

#[tokio::test]
async fn the_overview_counts_major_hazards_through_their_real_path() {
    use qingling_tests::ledger::full_plan;
    let app = qingling_tests::spawn_app().await;
    let site = app.ledger_site("steel").await;
    let other = app.ledger_site("nonferrous").await;
    let (_, officer) = app.user("bureau_officer", None, Some("jb")).await;
    let (_, stranger) = app.user("bureau_officer", None, Some("xx")).await;
    let clearing = |ov: &Value, id: &str| {
        ov["enterprises"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["enterprise_id"] == id)
            .cloned()
            .unwrap()
    };

    let before = app.get("/api/v1/bureau/overview", &officer).await;
    let e = clearing(&before.json, &site.id);
    assert_eq!(e["open_major_hazards"], 0);
    assert_eq!(e["overdue_major_hazards"], 0);
    assert_eq!(e["average_major_hazard_close_seconds"], Value::Null);
    assert_eq!(e["cleared_to_zero"], true);

    // A report accepted as major, a major hazard from a sweep (plan past its deadline), a
    // general one, and one major hazard at the other site.
    let accepted = app
        .accepted_hazard(
            &site,
            json!({"decision": "accept", "level": "major", "criterion_codes": ["MEM10-4-1"]}),
        )
        .await;
    let swept = app.swept_hazard(&site, "major").await;
    app.swept_hazard(&site, "general").await;
    app.swept_hazard(&other, "major").await;
    for (hid, deadline) in [(&accepted, "2099-12-31".to_owned()), (&swept, yesterday())] {
        let p = app
            .put(
                &format!("/api/v1/hazards/{hid}/plan"),
                &site.manager,
                full_plan("王工", &deadline),
            )
            .await;
        assert_eq!(p.status, StatusCode::OK, "{:?}", p.json);
    }
    let mid = app.get("/api/v1/bureau/overview", &officer).await;
    let e = clearing(&mid.json, &site.id);
    assert_eq!(e["open_major_hazards"], 2);
    assert_eq!(e["overdue_major_hazards"], 1);
    assert_eq!(e["closed_major_hazards"], 0);
    assert_eq!(e["cleared_to_zero"], false);
    assert_eq!(clearing(&mid.json, &other.id)["open_major_hazards"], 1);

    // Close the accepted one: evidence, then verification by the principal.
    let ev = app
        .post(
            &format!("/api/v1/hazards/{accepted}/evidence"),
            &site.manager,
            json!({"note": "休息室已拆除"}),
        )
        .await;
    assert_eq!(ev.status, StatusCode::OK, "{:?}", ev.json);
    let pass = app
        .post(
            &format!("/api/v1/hazards/{accepted}/verify"),
            &site.principal,
            json!({"passed": true, "note": "验收合格"}),
        )
        .await;
    assert_eq!(pass.json["status"], "closed", "{:?}", pass.json);
    let after = app.get("/api/v1/bureau/overview", &officer).await;
    let e = clearing(&after.json, &site.id);
    assert_eq!(e["open_major_hazards"], 1);
    assert_eq!(e["overdue_major_hazards"], 1);
    assert_eq!(e["closed_major_hazards"], 1);
    assert!(e["average_major_hazard_close_seconds"].as_i64().unwrap() >= 0);
    assert_eq!(e["cleared_to_zero"], false);

    let drill = app
        .get(&format!("/api/v1/bureau/overview/{}", site.id), &officer)
        .await;
    assert_eq!(drill.status, StatusCode::OK, "{:?}", drill.json);
    assert_eq!(drill.json["open_major_hazards"], 1);
    let list = drill.json["open_major_hazards_list"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], swept.as_str());
    assert_eq!(list[0]["overdue"], true);
    let hidden = app
        .get(&format!("/api/v1/bureau/overview/{}", site.id), &stranger)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let staff = app
        .get(
            &format!("/api/v1/bureau/overview/{}", site.id),
            &site.manager,
        )
        .await;
    assert_eq!(staff.status, StatusCode::FORBIDDEN);

    // The counts the transitions kept are the ledger's own: a rebuild from scratch agrees.
    let ids = vec![site.id.clone(), other.id.clone()];
    let (kept, rebuilt) = app
        .ctx
        .db(move |conn| {
            use qingling_api::store::hazard_counts;
            let kept = hazard_counts::of(conn, &ids)?;
            hazard_counts::rebuild(conn)?;
            Ok((kept, hazard_counts::of(conn, &ids)?))
        })
        .await
        .unwrap();
    let strip = |v: Vec<qingling_api::store::hazard_counts::HazardStatsRow>| {
        let mut v: Vec<_> = v
            .into_iter()
            .map(|r| (r.enterprise_id, r.open_major, r.closed_major))
            .collect();
        v.sort();
        v
    };
    assert_eq!(strip(kept), strip(rebuilt));
}

#[tokio::test]
async fn after_an_anonymous_appeal_the_reporter_and_the_bureau_talk_through_the_receipt_code() {
    let app = fast_app().await;
    let (eid, officer) = app.enterprise_and_officer().await;
    let (_, manager) = app.user("safety_manager", Some(&eid), None).await;
    let r = app
        .stored_report(
            &eid,
            NewReport {
                status: Some("rejected"),
                ..Default::default()
            },
        )
        .await;
    let say = |body: &str| json!({"receipt_code": r.receipt_code, "body": body});
    let early = app
        .post_anon("/m/v1/receipt/bureau-messages", say("先留言"))
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{:?}", early.json);
    assert_eq!(early.code(), "transition_not_allowed");
    let wrong = app
        .post_anon(
            "/m/v1/receipt/bureau-messages",
            json!({"receipt_code": "2222-2222-2222-2222-2222", "body": "x"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);

    let appeal = app
        .post_anon(
            "/m/v1/receipt/appeal",
            json!({"receipt_code": r.receipt_code, "reason": "驳回不实"}),
        )
        .await;
    assert_eq!(appeal.status, StatusCode::CREATED, "{:?}", appeal.json);
    let sent = app
        .post_anon(
            "/m/v1/receipt/bureau-messages",
            say("值守室今天仍有人员，附近钢包每小时吊运"),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.json);
    let empty = app
        .post_anon("/m/v1/receipt/bureau-messages", say("   "))
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);

    let esc = app.escalations_of(&r.id).await.remove(0);
    let detail = app
        .get(&format!("/api/v1/bureau/escalations/{}", esc.id), &officer)
        .await;
    let last = detail.json["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "reporter_message");
    assert_eq!(last["actor_role"], "reporter");
    assert_eq!(last["note"], "值守室今天仍有人员，附近钢包每小时吊运");

    let reply = app
        .post(
            &format!("/api/v1/bureau/escalations/{}/messages", esc.id),
            &officer,
            json!({"body": "已收到，将于本周现场核查", "to": "reporter"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json);
    let to_enterprise = app
        .post(
            &format!("/api/v1/bureau/escalations/{}/messages", esc.id),
            &officer,
            json!({"body": "请说明驳回依据"}),
        )
        .await;
    assert_eq!(to_enterprise.status, StatusCode::OK);

    let follow = app
        .post_anon("/m/v1/receipt", json!({"receipt_code": r.receipt_code}))
        .await;
    assert_eq!(follow.status, StatusCode::OK, "{:?}", follow.json);
    let msgs: Vec<(String, String, String)> = follow.json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["sender"].as_str().unwrap().to_owned(),
                m["recipient"].as_str().unwrap().to_owned(),
                m["body"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        msgs,
        [
            (
                "reporter".to_owned(),
                "bureau".to_owned(),
                "值守室今天仍有人员，附近钢包每小时吊运".to_owned()
            ),
            (
                "bureau".to_owned(),
                "reporter".to_owned(),
                "已收到，将于本周现场核查".to_owned()
            ),
        ],
        "the reporter reads their exchange with the bureau, not the bureau's word to the enterprise"
    );

    let staff = app
        .get(&format!("/api/v1/reports/{}", r.id), &manager)
        .await;
    assert_eq!(staff.status, StatusCode::OK, "{:?}", staff.json);
    let staff_msgs: Vec<&str> = staff.json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        staff_msgs,
        ["请说明驳回依据"],
        "the enterprise does not read what the reporter and the bureau say"
    );
}

#[tokio::test]
async fn a_logged_in_reporter_messages_the_bureau_without_identity() {
    let app = fast_app().await;
    let (eid, officer) = app.enterprise_and_officer().await;
    let (worker, token) = app
        .user_with(
            "worker",
            Some(&eid),
            None,
            json!({"display_name": "李隐名", "phone": "13800001111", "employee_no": "E-55501"}),
        )
        .await;
    let worker_id = worker["id"].as_str().unwrap().to_owned();
    let r = app
        .stored_report(
            &eid,
            NewReport {
                status: Some("duplicate"),
                worker_id: Some(worker_id.clone()),
                ..Default::default()
            },
        )
        .await;
    let path = format!("/m/v1/reports/{}/bureau-messages", r.id);
    let appeal = app
        .post(
            &format!("/m/v1/reports/{}/appeal", r.id),
            &token,
            json!({"reason": "并非重复"}),
        )
        .await;
    assert_eq!(appeal.status, StatusCode::CREATED, "{:?}", appeal.json);
    let (_, other) = app.user("worker", Some(&eid), None).await;
    let not_mine = app.post(&path, &other, json!({"body": "x"})).await;
    assert_eq!(not_mine.status, StatusCode::NOT_FOUND);
    let sent = app
        .post(&path, &token, json!({"body": "两处隐患位置不同，请核实"}))
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.json);

    let esc = app.escalations_of(&r.id).await.remove(0);
    let detail = app
        .get(&format!("/api/v1/bureau/escalations/{}", esc.id), &officer)
        .await;
    let notes: Vec<&str> = detail.json["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "reporter_message")
        .map(|e| e["note"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["两处隐患位置不同，请核实"]);
    let identity = Identity {
        values: vec![
            "李隐名".into(),
            "13800001111".into(),
            "E-55501".into(),
            worker_id,
            worker["username"].as_str().unwrap().to_owned(),
        ],
    };
    identity.assert_absent("detail", &detail.bytes);
    let mine = app.get(&format!("/m/v1/reports/{}", r.id), &token).await;
    assert_eq!(mine.json["messages"][0]["recipient"], "bureau");
}

#[tokio::test]
async fn a_plan_deadline_passing_at_midnight_escalates_on_the_next_sweep_once() {
    use qingling_api::workers::sweeper::sweep;
    use qingling_tests::ledger::full_plan;
    let app = spawn_app_with(|s| {
        s.deadlines.sweep_interval = Duration::from_secs(3600);
    })
    .await;
    let site = app.ledger_site("steel").await;
    let hid = app.swept_hazard(&site, "major").await;
    let today = chrono::Utc::now().date_naive();
    let p = app
        .put(
            &format!("/api/v1/hazards/{hid}/plan"),
            &site.manager,
            full_plan("王工", &today.format("%Y-%m-%d").to_string()),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.json);
    // Sweeps at chosen instants: now and two minutes on (the plan is not overdue yet; the
    // second moves the watermark past the plan's change), then just after midnight, when only
    // the deadline itself makes the hazard due.
    let d = app.ctx.settings.deadlines.clone();
    let keys = app.ctx.keys.clone();
    let now = qingling_api::store::time::now();
    let midnight = (today + chrono::Duration::days(1))
        .and_hms_opt(0, 0, 1)
        .unwrap();
    let stats = app
        .ctx
        .db(move |conn| {
            let mut all = Vec::new();
            for at in [now, now + chrono::Duration::minutes(2), midnight, midnight] {
                all.push(sweep(conn, &keys, &d, at.max(now))?);
            }
            Ok(all)
        })
        .await
        .unwrap();
    let opened: Vec<usize> = stats.iter().map(|s| s.opened).collect();
    assert_eq!(opened, [0, 0, 1, 0], "{stats:?}");
    let escs = app.escalations_of_subject("hazard", &hid).await;
    assert_eq!(escs.len(), 1);
    assert_eq!(trigger_kinds(&escs[0]), ["plan_overdue"]);
}

#[tokio::test]
async fn an_https_webhook_url_is_accepted_and_delivery_speaks_tls() {
    use tokio::io::AsyncReadExt;
    // A bare TCP listener standing in for the bureau's https receiver: it records the first
    // bytes the outbox sends and hangs up. A TLS ClientHello starts with 0x16 0x03.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/hook", listener.local_addr().unwrap());
    let first: std::sync::Arc<std::sync::Mutex<Vec<u8>>> = Default::default();
    let seen = first.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 16];
            if let Ok(n) = sock.read(&mut buf).await {
                let mut s = seen.lock().unwrap();
                if s.is_empty() {
                    s.extend_from_slice(&buf[..n]);
                }
            }
        }
    });
    let app = spawn_app_with(move |s| {
        s.deadlines.sweep_interval = Duration::from_millis(100);
        s.webhook_url = Some(url);
        s.webhook_secret = Some("s3cret".to_owned().into());
    })
    .await;
    let (eid, _) = app.enterprise_and_officer().await;
    let r = app
        .stored_report(
            &eid,
            NewReport {
                status: Some("rejected"),
                ..Default::default()
            },
        )
        .await;
    let appeal = app
        .post_anon(
            "/m/v1/receipt/appeal",
            json!({"receipt_code": r.receipt_code, "reason": "驳回不实"}),
        )
        .await;
    assert_eq!(appeal.status, StatusCode::CREATED);
    eventually("the outbox opens a TLS handshake", || async {
        first.lock().unwrap().len() >= 2
    })
    .await;
    let bytes = first.lock().unwrap().clone();
    assert_eq!(
        &bytes[..2],
        &[0x16, 0x03],
        "a TLS handshake record, not plain HTTP"
    );
}

/// Fetches a photo as `token`; returns the status and the bytes.
async fn photo_as(app: &TestApp, path: &str, token: &str) -> (StatusCode, Vec<u8>) {
    let resp = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_bureau_sees_an_appealed_reports_photos_sanitised_and_only_its_own() {
    let app = spawn_app_with(|_| {}).await;
    let site = app.reporting_site().await;
    let (_, officer) = app.user("bureau_officer", None, Some("jb")).await;
    let (_, stranger) = app.user("bureau_officer", None, Some("xh")).await;
    let report = json!({"title": "煤气柜区泄漏", "description": "煤气柜活塞油泵房有煤气味"});
    let a = app
        .submit_report(
            &site.worker_token,
            report.clone(),
            &[qingling_tests::photos::phone_jpeg(800, 600)],
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let rid = a.json["report_id"].as_str().unwrap().to_owned();
    let other = app
        .submit_report(
            &site.worker_token,
            report,
            &[qingling_tests::photos::jpeg(64, 48)],
        )
        .await;
    let other_id = other.json["report_id"].as_str().unwrap();
    let other_photo = app
        .get(&format!("/api/v1/reports/{other_id}"), &site.manager_token)
        .await
        .json["photos"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let triage = app
        .post(
            &format!("/api/v1/reports/{rid}/triage"),
            &site.manager_token,
            json!({"decision": "reject", "reason": "误报"}),
        )
        .await;
    assert_eq!(triage.status, StatusCode::OK, "{:?}", triage.json);
    let appeal = app
        .post(
            &format!("/m/v1/reports/{rid}/appeal"),
            &site.worker_token,
            json!({"reason": "现场确有煤气味"}),
        )
        .await;
    assert_eq!(appeal.status, StatusCode::CREATED, "{:?}", appeal.json);

    let inbox = app.get("/api/v1/bureau/escalations", &officer).await;
    let esc = inbox.json["items"][0]["id"].as_str().unwrap().to_owned();
    let detail = app
        .get(&format!("/api/v1/bureau/escalations/{esc}"), &officer)
        .await;
    let photo = detail.json["report"]["photo_ids"][0].as_str().unwrap();
    let path = format!("/api/v1/bureau/escalations/{esc}/photos/{photo}");

    let (status, bytes) = photo_as(&app, &path, &officer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        exif::Reader::new()
            .read_from_container(&mut std::io::Cursor::new(&bytes))
            .is_err(),
        "no EXIF reaches the bureau"
    );
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (600, 800), "upright");
    let (status, thumb) = photo_as(&app, &format!("{path}?size=thumb"), &officer).await;
    assert_eq!(status, StatusCode::OK);
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (240, 320));
    let bad = app.get(&format!("{path}?size=huge"), &officer).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let (status, _) = photo_as(&app, &path, &stranger).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another jurisdiction");
    let unrelated = format!("/api/v1/bureau/escalations/{esc}/photos/{other_photo}");
    let (status, _) = photo_as(&app, &unrelated, &officer).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a photo of another report");
    let (status, _) = photo_as(&app, &path, &site.manager_token).await;
    assert!(status.is_client_error(), "staff use their own route");
}

#[tokio::test]
async fn a_supervised_hazard_is_closed_for_good_only_by_the_bureau_after_verification() {
    use qingling_tests::ledger::full_plan;
    let app = spawn_app_with(|s| {
        s.deadlines.plan = Duration::from_secs(1);
        s.deadlines.sweep_interval = Duration::from_millis(100);
    })
    .await;
    let site = app.ledger_site("steel").await;
    let (_, officer) = app.user("bureau_officer", None, Some("jb")).await;
    let hid = app.swept_hazard(&site, "major").await;
    eventually("the unplanned major hazard escalates", || async {
        !app.escalations_of_subject("hazard", &hid).await.is_empty()
    })
    .await;
    let esc = app.escalations_of_subject("hazard", &hid).await[0]
        .id
        .clone();
    let act = |action: &'static str, body: Value| {
        let (app, officer, esc) = (&app, &officer, &esc);
        async move {
            app.post(
                &format!("/api/v1/bureau/escalations/{esc}/{action}"),
                officer,
                body,
            )
            .await
        }
    };
    assert_eq!(act("acknowledge", json!({})).await.status, StatusCode::OK);
    let deadline = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let sup = act(
        "supervise",
        json!({"deadline": deadline, "instructions": "七日内完成泄爆改造"}),
    )
    .await;
    assert_eq!(sup.status, StatusCode::OK, "{:?}", sup.json);

    let hazard = format!("/api/v1/hazards/{hid}");
    let plan = app
        .put(
            &format!("{hazard}/plan"),
            &site.manager,
            full_plan("王工", "2099-12-31"),
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{:?}", plan.json);
    let early = act("close", json!({})).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{:?}", early.json);
    assert_eq!(early.code(), "transition_not_allowed");
    let evidence = app
        .post(
            &format!("{hazard}/evidence"),
            &site.manager,
            json!({"note": "泄爆片已安装"}),
        )
        .await;
    assert_eq!(evidence.status, StatusCode::OK, "{:?}", evidence.json);
    assert_eq!(
        act("close", json!({})).await.status,
        StatusCode::CONFLICT,
        "evidence is not yet a verification"
    );

    let passed = app
        .post(
            &format!("{hazard}/verify"),
            &site.principal,
            json!({"passed": true, "note": "验收合格"}),
        )
        .await;
    assert_eq!(passed.status, StatusCode::OK, "{:?}", passed.json);
    assert_eq!(
        passed.json["status"], "awaiting_verification",
        "under supervision the enterprise's verification does not close it"
    );
    assert_eq!(passed.json["closed_at"], Value::Null);
    let overview = app.get("/api/v1/bureau/overview", &officer).await;
    let row = &overview.json["enterprises"][0];
    assert_eq!(row["open_major_hazards"], 1, "{:?}", overview.json);

    let by_staff = app
        .post(
            &format!("/api/v1/bureau/escalations/{esc}/close"),
            &site.principal,
            json!({}),
        )
        .await;
    assert!(by_staff.status.is_client_error());
    let closed = act("close", json!({})).await;
    assert_eq!(closed.status, StatusCode::OK, "{:?}", closed.json);
    assert_eq!(closed.json["status"], "closed");
    let h = app.get(&hazard, &site.manager).await;
    assert_eq!(h.json["status"], "closed", "{:?}", h.json);
    assert!(h.json["closed_at"].is_string());
    let kinds: Vec<&str> = h.json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.last(), Some(&"bureau_closed"), "{kinds:?}");
    let overview = app.get("/api/v1/bureau/overview", &officer).await;
    let row = &overview.json["enterprises"][0];
    assert_eq!(row["open_major_hazards"], 0, "{:?}", overview.json);
    assert_eq!(row["closed_major_hazards"], 1);
}
