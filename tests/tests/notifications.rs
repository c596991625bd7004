//! Notifications to the people who must act, delivered to real local receivers: a WeCom-shaped
//! robot, a DingTalk-shaped robot that checks the signature, and an SMTP sink. A receiver that
//! cannot start fails the test (no skipping).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use qingling_api::services::notifications::reminders;
use qingling_tests::notify::{NotifiedSite, Robot, SITE_EMAILS, SmtpSink};
use qingling_tests::photos::jpeg;
use qingling_tests::reports::{WORKER_EMPLOYEE_NO, WORKER_NAME, WORKER_PHONE};
use qingling_tests::{TestApp, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DESCRIPTION: &str = "描述里的秘密细节只给受理人看-7f3a";
const PUBLIC: &str = "https://qingling.example.cn";

async fn app_with_mail(
    sink: &SmtpSink,
    adjust: impl FnOnce(&mut qingling_api::config::Settings),
) -> TestApp {
    let url = sink.url.clone();
    spawn_app_with(move |s| {
        s.notify.smtp_url = Some(url.into());
        s.public_url = PUBLIC.into();
        s.webhook_max_attempts = 3;
        adjust(s);
    })
    .await
}

async fn eventually<F>(what: &str, mut f: F)
where
    F: FnMut() -> bool,
{
    for _ in 0..300 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

async fn report(app: &TestApp, n: &NotifiedSite, title: &str) -> String {
    let a = app
        .submit_report(
            &n.site.worker_token,
            json!({ "title": title, "description": DESCRIPTION, "suspected_level": "general" }),
            &[jpeg(64, 48)],
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    a.json["report_id"].as_str().unwrap().to_owned()
}

fn assert_no_identity(text: &str, worker: &Value) {
    for secret in [
        WORKER_NAME,
        WORKER_EMPLOYEE_NO,
        WORKER_PHONE,
        DESCRIPTION,
        worker["username"].as_str().unwrap(),
        worker["id"].as_str().unwrap(),
    ] {
        assert!(
            !text.contains(secret),
            "{secret:?} in a notification: {text}"
        );
    }
}

#[tokio::test]
async fn a_report_sends_exactly_one_message_on_each_channel_with_the_title_and_no_identity() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink, |_| {}).await;
    let n = app.notified_site().await;
    let title = format!("出铁场地面积水-{}", qingling_tests::short_id());
    let id = report(&app, &n, &title).await;
    eventually("a message on each channel", || {
        !n.wecom.accepted_with(&title).is_empty()
            && !n.dingtalk.accepted_with(&title).is_empty()
            && !sink.with(&title).is_empty()
    })
    .await;
    // Give a duplicate time to show.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let link = format!("{PUBLIC}/console/reports/{id}");
    let (w, d, m) = (
        n.wecom.accepted_with(&title),
        n.dingtalk.accepted_with(&title),
        sink.with(&title),
    );
    assert_eq!((w.len(), d.len(), m.len()), (1, 1, 1));
    assert_eq!(w[0].body["msgtype"], "markdown");
    assert_eq!(d[0].body["msgtype"], "markdown");
    assert!(d[0].signature_ok, "DingTalk signature");
    assert!(
        d[0].body["markdown"]["title"]
            .as_str()
            .unwrap()
            .contains("新的隐患报告")
    );
    let mut mail_to = m[0].to.clone();
    mail_to.sort();
    assert_eq!(mail_to, SITE_EMAILS);
    for text in [w[0].text(), d[0].text(), m[0].text()] {
        assert!(text.contains("新的隐患报告"), "{text}");
        assert!(text.contains(&link), "{text}");
        assert_no_identity(&text, &n.site.worker);
    }
    assert!(m[0].text().contains("【清零】新的隐患报告"));
    // Every request the DingTalk robot got was signed right.
    assert!(n.dingtalk.all().iter().all(|r| r.signature_ok));
}

#[tokio::test]
async fn a_triage_deadline_reminds_once_near_and_once_past_however_many_sweeps() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink, |s| {
        s.deadlines.triage = Duration::from_secs(2);
        s.deadlines.triage_major = Duration::from_secs(2);
        s.deadlines.sweep_interval = Duration::from_millis(100);
    })
    .await;
    let n = app.notified_site().await;
    let title = format!("煤气管道泄漏-{}", qingling_tests::short_id());
    report(&app, &n, &title).await;
    eventually("the overdue reminder", || {
        n.wecom
            .accepted_with(&title)
            .iter()
            .any(|m| m.text().contains("已超过受理期限"))
    })
    .await;
    // Many more sweeps: the background ones every 100 ms, and some run here by hand.
    for _ in 0..5 {
        reminders::sweep_once(&app.ctx).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let count = |r: &Robot, needle: &str| {
        r.accepted_with(&title)
            .iter()
            .filter(|m| m.text().contains(needle))
            .count()
    };
    for robot in [&n.wecom, &n.dingtalk] {
        assert_eq!(count(robot, "新的隐患报告"), 1);
        assert_eq!(count(robot, "即将超过受理期限"), 1);
        assert_eq!(count(robot, "已超过受理期限"), 1);
    }
    assert_eq!(sink.with(&title).len(), 3);
}

#[tokio::test]
async fn the_bureau_hears_of_a_new_escalation_through_its_jurisdictions_channels() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink, |s| {
        s.deadlines.triage = Duration::from_secs(1);
        s.deadlines.triage_major = Duration::from_secs(1);
        s.deadlines.sweep_interval = Duration::from_millis(100);
    })
    .await;
    let n = app.notified_site().await;
    let (town, district) = (Robot::wecom().await, Robot::wecom().await);
    for (path, robot) in [("jb/park", &town), ("jb", &district)] {
        let a = app
            .put_notifications(
                &format!("/api/v1/jurisdictions/{path}/notifications"),
                &app.admin_token,
                &json!({ "wecom_webhook": robot.url }),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
        assert_eq!(a.json["owner_id"], path);
    }
    let title = format!("除尘器无泄爆-{}", qingling_tests::short_id());
    report(&app, &n, &title).await;
    eventually("the bureau's messages", || {
        !town.accepted_with("新的隐患上报").is_empty()
            && !district.accepted_with("新的隐患上报").is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    for robot in [&town, &district] {
        let got = robot.accepted_with("新的隐患上报");
        assert_eq!(got.len(), 1);
        let text = got[0].text();
        assert!(text.contains("/console/bureau/escalations/"), "{text}");
        assert!(text.contains("隐患报告超时未受理"), "{text}");
        assert_no_identity(&text, &n.site.worker);
    }
}

#[tokio::test]
async fn a_failing_robot_is_retried_then_a_dead_letter_the_admin_sees_and_retries() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink, |_| {}).await;
    let n = app.notified_site().await;
    n.wecom
        .failing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let title = format!("行车轨道变形-{}", qingling_tests::short_id());
    report(&app, &n, &title).await;
    // Three attempts (1 s, 2 s back-off), then dead.
    let mut dead = Value::Null;
    for _ in 0..200 {
        let a = app.get("/api/v1/admin/outbox/dead", &app.admin_token).await;
        assert_eq!(a.status, StatusCode::OK);
        if let Some(item) = a.json["items"].as_array().unwrap().iter().find(|i| {
            i["topic"] == "notify.report_submitted"
                && i["event_id"].as_str().unwrap().ends_with(":wecom")
        }) {
            dead = item.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!dead.is_null(), "no dead letter");
    assert_eq!(dead["attempts"], 3);
    let err = dead["last_error"].as_str().unwrap();
    assert!(err.contains("errcode 45009"), "{err}");
    assert!(!err.contains(&n.wecom.key) && !dead["payload"].to_string().contains(&n.wecom.key));
    let tries = n
        .wecom
        .all()
        .iter()
        .filter(|m| m.text().contains(&title))
        .count();
    assert_eq!(tries, 3, "one request per attempt");
    // The other channels were not held back by the failing one.
    assert_eq!(n.dingtalk.accepted_with(&title).len(), 1);
    // A non-admin may not retry; the admin can.
    let id = dead["id"].as_str().unwrap();
    let a = app
        .post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            &n.principal_token,
            json!({}),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    n.wecom
        .failing
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let a = app
        .post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert!(a.status.is_success(), "{:?}", a.json);
    eventually("delivery after the retry", || {
        n.wecom.accepted_with(&title).len() == 1
    })
    .await;
}

#[tokio::test]
async fn two_instances_send_each_message_once() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink, |_| {}).await;
    let second = app.spawn_sibling(|_| {}).await;
    let n = app.notified_site().await;
    let tag = qingling_tests::short_id();
    let mut titles = Vec::new();
    for i in 0..6 {
        let title = format!("双实例-{tag}-{i}");
        // Half of them through each instance.
        report(if i % 2 == 0 { &app } else { &second }, &n, &title).await;
        titles.push(title);
    }
    eventually("every message", || {
        titles.iter().all(|t| {
            !n.wecom.accepted_with(t).is_empty()
                && !n.dingtalk.accepted_with(t).is_empty()
                && !sink.with(t).is_empty()
        })
    })
    .await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    for t in &titles {
        assert_eq!(n.wecom.accepted_with(t).len(), 1, "{t}");
        assert_eq!(n.dingtalk.accepted_with(t).len(), 1, "{t}");
        assert_eq!(sink.with(t).len(), 1, "{t}");
    }
}

#[tokio::test]
async fn the_digest_goes_out_once_a_day_with_the_clearing_number() {
    let sink = SmtpSink::start().await;
    // Hour 0, Beijing time: the digest is due whenever the test runs.
    let app = app_with_mail(&sink, |s| s.notify.digest_hour = 0).await;
    let n = app.notified_site().await;
    report(&app, &n, &format!("待受理-{}", qingling_tests::short_id())).await;
    for _ in 0..4 {
        reminders::sweep_once(&app.ctx).await.unwrap();
    }
    eventually("the digest", || {
        !n.wecom.accepted_with("清零日报").is_empty() && !sink.with("清零日报").is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    for _ in 0..3 {
        reminders::sweep_once(&app.ctx).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got = n.wecom.accepted_with("清零日报");
    assert_eq!(got.len(), 1);
    let text = got[0].text();
    assert!(text.contains("未销号重大隐患（清零数）：0"), "{text}");
    assert!(text.contains("待受理报告（安全管理人员）：1"), "{text}");
    assert_eq!(n.dingtalk.accepted_with("清零日报").len(), 1);
    assert_eq!(sink.with("清零日报").len(), 1);
}

#[tokio::test]
async fn get_masks_the_keys_and_the_secret_and_strangers_are_refused() {
    let sink = SmtpSink::start().await;
    let app = app_with_mail(&sink, |_| {}).await;
    let n = app.notified_site().await;
    let path = format!("/api/v1/enterprises/{}/notifications", n.enterprise_id);
    let a = app.get(&path, &n.principal_token).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    let shown = a.json.to_string();
    assert!(!shown.contains(&n.wecom.key), "{shown}");
    assert!(!shown.contains(&n.dingtalk.key), "{shown}");
    assert!(
        !shown.contains(n.dingtalk.secret.as_deref().unwrap()),
        "{shown}"
    );
    assert_eq!(a.json["dingtalk_secret_set"], true);
    assert!(
        a.json["wecom_webhook"].as_str().unwrap().contains("key=")
            && a.json["wecom_webhook"].as_str().unwrap().contains("****")
    );
    assert_eq!(a.json["emails"], json!(SITE_EMAILS));
    // The admin sees the same masked view.
    assert_eq!(app.get(&path, &app.admin_token).await.json, a.json);

    // The enterprise's safety manager may not read or set them; another enterprise's
    // principal does not even see the enterprise; nor may a principal set a jurisdiction's.
    assert_eq!(
        app.get(&path, &n.site.manager_token).await.status,
        StatusCode::FORBIDDEN
    );
    let body = json!({ "wecom_webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x" });
    assert_eq!(
        app.put_notifications(&path, &n.site.manager_token, &body)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let other = app.create_enterprise("steel", "jb/park").await;
    let (_, other_principal) = app
        .user("principal", Some(other["id"].as_str().unwrap()), None)
        .await;
    assert_eq!(
        app.get(&path, &other_principal).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.put_notifications(&path, &other_principal, &body)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let jpath = "/api/v1/jurisdictions/jb/park/notifications";
    assert_eq!(
        app.put_notifications(jpath, &n.principal_token, &body)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let (_, officer) = app.user("bureau_officer", None, Some("jb")).await;
    assert_eq!(app.get(jpath, &officer).await.status, StatusCode::FORBIDDEN);
    // Refused changes left the settings as they were.
    assert_eq!(app.get(&path, &n.principal_token).await.json, a.json);

    // Bad input: a stable code each, nothing changed.
    let cases = [
        (
            json!({ "wecom_webhook": "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x" }),
            "notification_url_invalid",
        ),
        (
            json!({ "wecom_webhook": "javascript:alert(1)" }),
            "notification_url_invalid",
        ),
        (
            json!({ "dingtalk_webhook": "https://oapi.dingtalk.com/robot/send?access_token=x" }),
            "validation_failed",
        ),
        (
            json!({ "emails": ["not-an-address"] }),
            "notification_email_invalid",
        ),
        (
            json!({ "emails": (0..11).map(|i| format!("u{i}@example.cn")).collect::<Vec<_>>() }),
            "notification_too_many",
        ),
        (json!({ "emails": "a@example.cn" }), "malformed_json"),
        (json!({ "sms": "138" }), "malformed_json"),
    ];
    for (body, code) in cases {
        let r = app
            .put_notifications(&path, &n.principal_token, &body)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body} {:?}", r.json);
        assert_eq!(r.code(), code, "{body}");
    }
    assert_eq!(app.get(&path, &n.principal_token).await.json, a.json);

    // Removing a channel: the next report goes only where channels remain.
    let r = app
        .put_notifications(
            &path,
            &n.principal_token,
            &json!({ "emails": ["anquan@example.cn"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json["wecom_webhook"].is_null() && r.json["dingtalk_secret_set"] == false);
    let title = format!("只发邮件-{}", qingling_tests::short_id());
    report(&app, &n, &title).await;
    eventually("the e-mail", || !sink.with(&title).is_empty()).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        n.wecom.accepted_with(&title).is_empty() && n.dingtalk.accepted_with(&title).is_empty()
    );
}
