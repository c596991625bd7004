//! Many instances: two `qingling serve` instances on one database (PostgreSQL when
//! `QINGLING_TEST_DATABASE_URL` is set, otherwise one SQLite file) and one bucket serve the same
//! people with no sticky sessions; the limits hold across both (through the database, or
//! through Redis); `X-Forwarded-For` is believed only from a configured proxy.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::Duration;

use qingling_api::config::Settings;
use qingling_tests::escalation::Receiver;
use qingling_tests::photos;
use qingling_tests::reports::form;
use qingling_tests::s3::S3Server;
use qingling_tests::{Answer, PASSWORD, TestApp, spawn_app_with, within_one_limit_window};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn report(title: &str) -> Value {
    json!({ "title": title, "description": "煤气柜区域有异味", "suspected_level": "major" })
}

async fn eventually<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..300 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// An anonymous report sent to `app`, as if from `forwarded_for` behind a proxy (when given).
async fn anonymous(app: &TestApp, intake: &Value, forwarded_for: Option<&str>) -> Answer {
    let mut r = report("匿名举报");
    r["intake_code"] = intake.clone();
    let mut req = app
        .client
        .post(format!("{}/m/v1/anonymous-reports", app.base))
        .multipart(form(&r, &[photos::jpeg(160, 120)]));
    if let Some(ip) = forwarded_for {
        req = req.header("X-Forwarded-For", ip);
    }
    TestApp::read(req.send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_on_one_database_and_bucket_serve_the_same_people() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let bucket = server.bucket();
    let receiver = Receiver::start(0).await;
    let url = receiver.url.clone();
    let shared = move |s: &mut Settings| {
        s.deadlines.triage_major = Duration::from_secs(1);
        s.deadlines.triage = Duration::from_secs(3600);
        s.deadlines.sweep_interval = Duration::from_millis(100);
        s.webhook_url = Some(url.clone());
        s.webhook_secret = Some("s3cret".to_owned().into());
        s.anonymous_limit_per_client = 3;
        s.login_limit_per_account = 3;
    };
    let shared_b = shared.clone();
    let a = spawn_app_with(|s| {
        server.apply(s, &bucket, "photos");
        shared(s);
    })
    .await;
    let b = a.spawn_sibling(shared_b).await;
    assert_ne!(a.base, b.base);
    let site = a.reporting_site().await;

    // A report sent to A; its phone's retry lands on B and gets A's answer back.
    let photo = photos::phone_jpeg(640, 480);
    let first = a
        .post_form(
            "/m/v1/reports",
            Some(&site.worker_token),
            form(&report("煤气柜区泄漏"), std::slice::from_ref(&photo)),
            Some("phone-retry-0001"),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.json);
    let retry = b
        .post_form(
            "/m/v1/reports",
            Some(&site.worker_token),
            form(&report("煤气柜区泄漏"), &[photo]),
            Some("phone-retry-0001"),
        )
        .await;
    assert_eq!(retry.status, StatusCode::CREATED, "{:?}", retry.json);
    assert_eq!(
        retry.json, first.json,
        "the same report id and receipt code"
    );
    let rid = first.json["report_id"].as_str().unwrap();
    let inbox = b.get("/api/v1/reports", &site.manager_token).await;
    assert_eq!(
        inbox.json["items"].as_array().unwrap().len(),
        1,
        "one report"
    );

    // Triaged through B, with the token A issued; its photo read through B from the bucket.
    let detail = b
        .get(&format!("/api/v1/reports/{rid}"), &site.manager_token)
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{:?}", detail.json);
    let pid = detail.json["photos"][0]["id"].as_str().unwrap();
    let jpeg = b
        .get(
            &format!("/api/v1/reports/{rid}/photos/{pid}"),
            &site.manager_token,
        )
        .await;
    assert_eq!(jpeg.status, StatusCode::OK);
    assert!(jpeg.bytes.starts_with(&[0xFF, 0xD8]));

    // Both sweepers run: the untriaged suspected-major report is escalated once, and each
    // webhook event is delivered once although both outboxes poll.
    eventually("the escalation's webhook arrives", || async {
        !receiver.requests().is_empty()
    })
    .await;
    let triage = b
        .post(
            &format!("/api/v1/reports/{rid}/triage"),
            &site.manager_token,
            json!({"decision": "reject", "reason": "误报"}),
        )
        .await;
    assert_eq!(triage.status, StatusCode::OK, "{:?}", triage.json);
    let seen_by_a = a
        .get(&format!("/api/v1/reports/{rid}"), &site.manager_token)
        .await;
    assert_eq!(seen_by_a.json["status"], triage.json["status"]);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(a.escalations_of(rid).await.len(), 1, "one escalation");
    let mut per_event: HashMap<String, usize> = HashMap::new();
    for r in receiver.requests() {
        *per_event
            .entry(r.header("x-qingling-event-id").unwrap().to_owned())
            .or_default() += 1;
    }
    assert!(!per_event.is_empty());
    assert!(
        per_event.values().all(|n| *n == 1),
        "each event delivered once: {per_event:?}"
    );

    // The anonymous limit (3 a minute) counts across both instances, and then the login limit:
    // both within one fixed minute.
    let intake = site.enterprise["intake_code"].clone();
    within_one_limit_window(Duration::from_secs(40)).await;
    for (app, n) in [(&a, 1), (&b, 2), (&a, 3)] {
        let r = anonymous(app, &intake, None).await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "submission {n}: {:?}",
            r.json
        );
    }
    for app in [&b, &a] {
        let r = anonymous(app, &intake, None).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.json);
        assert_eq!(r.code(), "rate_limited");
    }

    // So does the login limit (3 a minute per account): wrong passwords on A and B, and then
    // even the right one is refused on either.
    let (user, _) = a
        .user(
            "safety_manager",
            Some(site.enterprise["id"].as_str().unwrap()),
            None,
        )
        .await;
    let name = user["username"].as_str().unwrap();
    // One attempt was spent by `user` logging in.
    for app in [&a, &b] {
        let r = app.login(name, "wrong password!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.json);
    }
    for app in [&b, &a] {
        let r = app.login(name, PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", r.json);
    }
}

/// Redis at 127.0.0.1:6379, or `None` after saying loudly that the Redis test did not run
/// (failing under `CI`, where `.ci/run` starts it).
fn redis_url() -> Option<String> {
    if std::net::TcpStream::connect(("127.0.0.1", 6379)).is_ok() {
        return Some("redis://127.0.0.1:6379".into());
    }
    let bar = "=".repeat(78);
    eprintln!("\n{bar}\nREDIS TEST DID NOT RUN: nothing listens on 127.0.0.1:6379\n{bar}\n");
    assert!(std::env::var("CI").is_err(), "CI must run the Redis test");
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn with_redis_the_limits_hold_across_instances_and_keep_no_address() {
    let Some(url) = redis_url() else {
        return;
    };
    let with_redis = move |s: &mut Settings| {
        s.redis_url = Some(url.clone().into());
        s.receipt_limit_per_client = 4;
        s.anonymous_limit_per_client = 2;
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    };
    let a = spawn_app_with(with_redis.clone()).await;
    let b = a.spawn_sibling(with_redis).await;
    let site = a.reporting_site().await;
    let intake = site.enterprise["intake_code"].clone();
    // A client address no other test uses, forwarded by the (trusted) proxy.
    let client = format!("198.51.100.{}", 1 + rand_byte() % 250);
    within_one_limit_window(Duration::from_secs(40)).await;
    assert_eq!(
        anonymous(&a, &intake, Some(&client)).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        anonymous(&b, &intake, Some(&client)).await.status,
        StatusCode::CREATED
    );
    let third = anonymous(&a, &intake, Some(&client)).await;
    assert_eq!(
        third.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        third.json
    );

    // Receipt lookups too: four wrong codes spread over both, then the fifth is refused.
    for (i, app) in [&a, &b, &a, &b].into_iter().enumerate() {
        let r = app
            .client
            .post(format!("{}/m/v1/receipt", app.base))
            .header("X-Forwarded-For", &client)
            .json(&json!({ "receipt_code": format!("WRONG-CODE-{i}") }))
            .send()
            .await
            .unwrap();
        assert_ne!(r.status(), StatusCode::TOO_MANY_REQUESTS, "lookup {i}");
    }
    let r = b
        .client
        .post(format!("{}/m/v1/receipt", b.base))
        .header("X-Forwarded-For", &client)
        .json(&json!({ "receipt_code": "WRONG-CODE-5" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);

    // What Redis holds: hashed keys that expire, no address, no count a reader could tie to one.
    let keys = std::process::Command::new("redis-cli")
        .args(["--scan", "--pattern", "qingling:rl:*"])
        .output();
    if let Ok(out) = keys {
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            !text.contains(&client) && !text.contains("198.51"),
            "{text}"
        );
        let one = text.lines().next().expect("counts are in Redis");
        assert!(
            one["qingling:rl:".len()..]
                .bytes()
                .all(|c| c.is_ascii_hexdigit()),
            "{one}"
        );
        let ttl = std::process::Command::new("redis-cli")
            .args(["TTL", one])
            .output()
            .unwrap();
        let ttl: i64 = String::from_utf8_lossy(&ttl.stdout).trim().parse().unwrap();
        assert!((1..=120).contains(&ttl), "short-lived: {ttl}");
    }
}

fn rand_byte() -> u8 {
    uuid::Uuid::new_v4().as_bytes()[0]
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
    // No trusted proxy: a client that writes its own X-Forwarded-For is still counted by its
    // address, however it varies the header.
    let open = spawn_app_with(|s| s.anonymous_limit_per_client = 2).await;
    let site = open.reporting_site().await;
    let intake = site.enterprise["intake_code"].clone();
    for n in 0..2 {
        let ip = format!("203.0.113.{n}");
        assert_eq!(
            anonymous(&open, &intake, Some(&ip)).await.status,
            StatusCode::CREATED
        );
    }
    let spoofed = anonymous(&open, &intake, Some("203.0.113.99")).await;
    assert_eq!(
        spoofed.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the spoofed header was ignored"
    );

    // Behind a trusted proxy (this machine): the address the proxy appended is the client.
    let proxied = spawn_app_with(|s| {
        s.anonymous_limit_per_client = 2;
        s.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    let site = proxied.reporting_site().await;
    let intake = site.enterprise["intake_code"].clone();
    for _ in 0..2 {
        let r = anonymous(&proxied, &intake, Some("1.1.1.1, 198.51.100.20")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json);
    }
    // The same client, whatever it prepends, is at its limit…
    let again = anonymous(&proxied, &intake, Some("9.9.9.9, 198.51.100.20")).await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    // …while another client behind the same proxy is not.
    let other = anonymous(&proxied, &intake, Some("198.51.100.21")).await;
    assert_eq!(other.status, StatusCode::CREATED, "{:?}", other.json);
}
