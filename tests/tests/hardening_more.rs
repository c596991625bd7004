//! Issue 16, item 8: the smaller findings of the review, each seen from outside through the
//! running application — jurisdiction prefixes, key rotation, the disclosure reveal, the audit
//! chain, self-verification of supervised hazards, appeals of accepted reports, the intake rate
//! limit, passwords on the command line and the master key beside the database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use qingling_tests::spawn_app_with;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn ids(answer: &Value, list: &str) -> Vec<String> {
    answer[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {answer}"))
        .iter()
        .map(|e| e["enterprise_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_officer_never_sees_a_case_variant_jurisdiction() {
    let app = spawn_app_with(|s| {
        s.deadlines.triage_major = Duration::from_secs(1);
        s.deadlines.sweep_interval = Duration::from_millis(100);
    })
    .await;
    let own = app.create_enterprise("steel", "anshan/tiexi").await;
    let variant = app.create_enterprise("steel", "Anshan/tiexi").await;
    let wildcard = app.create_enterprise("steel", "anshanx/tiexi").await;
    let own_id = own["id"].as_str().unwrap();
    let (_, officer) = app.user("bureau_officer", None, Some("anshan")).await;

    let overview = app.get("/api/v1/bureau/overview", &officer).await;
    assert_eq!(overview.status, StatusCode::OK, "{:?}", overview.json);
    assert_eq!(ids(&overview.json, "enterprises"), vec![own_id.to_owned()]);

    // Escalations are listed by the same prefix rule.
    app.escalated_major_report(own_id).await;
    app.escalated_major_report(variant["id"].as_str().unwrap())
        .await;
    app.escalated_major_report(wildcard["id"].as_str().unwrap())
        .await;
    let inbox = app.get("/api/v1/bureau/escalations", &officer).await;
    assert_eq!(inbox.status, StatusCode::OK, "{:?}", inbox.json);
    assert_eq!(ids(&inbox.json, "items"), vec![own_id.to_owned()]);
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
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not within 10 s");
}

#[tokio::test]
async fn under_supervision_the_author_of_the_plan_cannot_verify_it() {
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
    let bureau = |action: &str| format!("/api/v1/bureau/escalations/{esc}/{action}");
    let ack = app.post(&bureau("acknowledge"), &officer, json!({})).await;
    assert_eq!(ack.status, StatusCode::OK, "{:?}", ack.json);
    let deadline = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let sup = app
        .post(
            &bureau("supervise"),
            &officer,
            json!({"deadline": deadline, "instructions": "七日内完成泄爆改造"}),
        )
        .await;
    assert_eq!(sup.status, StatusCode::OK, "{:?}", sup.json);

    let hazard = format!("/api/v1/hazards/{hid}");
    // The manager writes the plan (naming someone else responsible) and uploads the evidence.
    let plan = app
        .put(
            &format!("{hazard}/plan"),
            &site.manager,
            full_plan("王工", "2099-12-31"),
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{:?}", plan.json);
    let evidence = app
        .post(
            &format!("{hazard}/evidence"),
            &site.manager,
            json!({"note": "泄爆片已安装"}),
        )
        .await;
    assert_eq!(evidence.status, StatusCode::OK, "{:?}", evidence.json);

    let own = app
        .post(
            &format!("{hazard}/verify"),
            &site.manager,
            json!({"passed": true, "note": "验收合格"}),
        )
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{:?}", own.json);
    assert_eq!(own.code(), "verifier_is_planner");
    assert!(
        own.json["title"].as_str().unwrap().contains("督办"),
        "Chinese first: {:?}",
        own.json
    );
    let unchanged = app.get(&hazard, &site.manager).await;
    assert_eq!(unchanged.json["status"], "awaiting_verification");
    assert!(
        !unchanged.json["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"].as_str().unwrap().starts_with("verif")),
        "a refused verification leaves no trace on the timeline: {:?}",
        unchanged.json["timeline"]
    );

    let by_principal = app
        .post(
            &format!("{hazard}/verify"),
            &site.principal,
            json!({"passed": true, "note": "验收合格"}),
        )
        .await;
    assert_eq!(
        by_principal.status,
        StatusCode::OK,
        "{:?}",
        by_principal.json
    );
}

#[tokio::test]
async fn an_accepted_report_can_be_appealed_by_its_reporter() {
    use qingling_tests::rewards;
    let app = spawn_app_with(|_| {}).await;
    let site = rewards::site(&app).await;
    let (_, officer) = app.user("bureau_officer", None, Some("jiangbei")).await;
    let mine = rewards::confidential(&app, &site, &site.worker).await;
    let anon = rewards::anonymous(&app, &site).await;
    rewards::accept(&app, &site.manager, &mine.id, "major").await;
    rewards::accept(&app, &site.manager, &anon.id, "general").await;

    let logged_in = app
        .post(
            &format!("/m/v1/reports/{}/appeal", mine.id),
            &site.worker.token,
            json!({"reason": "整改只是挂了一块警示牌，值守室还在用"}),
        )
        .await;
    assert_eq!(
        logged_in.status,
        StatusCode::CREATED,
        "{:?}",
        logged_in.json
    );
    assert_eq!(logged_in.json["status"], "appealed");
    let by_receipt = app
        .post_anon(
            "/m/v1/receipt/appeal",
            json!({"receipt_code": anon.receipt_code, "reason": "三个月了还没整改"}),
        )
        .await;
    assert_eq!(
        by_receipt.status,
        StatusCode::CREATED,
        "{:?}",
        by_receipt.json
    );
    let again = app
        .post_anon(
            "/m/v1/receipt/appeal",
            json!({"receipt_code": anon.receipt_code, "reason": "再申诉一次"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "already_exists");

    // The bureau receives both; the reports stay accepted.
    let inbox = app.get("/api/v1/bureau/escalations", &officer).await;
    assert_eq!(inbox.status, StatusCode::OK, "{:?}", inbox.json);
    let subjects: Vec<&str> = inbox.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject_id"].as_str().unwrap())
        .collect();
    assert!(subjects.contains(&mine.id.as_str()), "{subjects:?}");
    assert!(subjects.contains(&anon.id.as_str()), "{subjects:?}");
    let follow = rewards::follow_up(&app, &anon).await;
    assert_eq!(follow["status"], "accepted", "{follow:?}");
}

#[tokio::test]
async fn intake_code_lookups_are_rate_limited_per_client() {
    let app = spawn_app_with(|s| s.intake_limit_per_client = 3).await;
    let e = app.create_enterprise("steel", "jb/park").await;
    for _ in 0..3 {
        let a = app
            .post_anon("/m/v1/intake", json!({"code": e["intake_code"]}))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    }
    let guessing = app
        .post_anon("/m/v1/intake", json!({"code": "NOPE-NOPE"}))
        .await;
    assert_eq!(guessing.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(guessing.code(), "rate_limited");
    let real = app
        .post_anon("/m/v1/intake", json!({"code": e["intake_code"]}))
        .await;
    assert_eq!(
        real.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the real code too"
    );
}

/// Runs `qingling ARGS` (what `main` runs) on a plain thread, since the CLI starts its own
/// runtime, with the installation's database and data folder and this master key.
fn cli_with_key(app: &qingling_tests::TestApp, key: &str, args: &[&str]) -> (i32, String) {
    let mut env = std::collections::HashMap::new();
    env.insert(
        "QINGLING_DATA_DIR".to_owned(),
        app.ctx.settings.data_dir.display().to_string(),
    );
    env.insert(
        "QINGLING_DATABASE_URL".to_owned(),
        app.ctx.settings.database.to_url(),
    );
    env.insert("QINGLING_MASTER_KEY".to_owned(), key.to_owned());
    env.insert("QINGLING_LOG".to_owned(), "warn".to_owned());
    let argv: Vec<std::ffi::OsString> = std::iter::once("qingling")
        .chain(args.iter().copied())
        .map(Into::into)
        .collect();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let code = qingling::cli::run(argv, &env, &mut out);
        (code, String::from_utf8(out).unwrap())
    })
    .join()
    .unwrap()
}

/// Issue 16 item 8: the blind index and receipt keys followed the oldest loaded master key, so
/// retiring it after a rotation silently broke every receipt code and 我的举报. A whole rotation —
/// add version 2, re-wrap, retire version 1 — now keeps receipts, 我的举报, the photos and the
/// disclosure of a sealed identity working, through the HTTP API; a key ring that can reach
/// neither the pinned version nor its sealed copy does not start.
#[tokio::test]
async fn a_whole_key_rotation_keeps_receipts_my_reports_and_photos() {
    use base64::Engine as _;
    use qingling_tests::rewards;
    let b64 = base64::engine::general_purpose::STANDARD;
    let (k1, k2, k3) = (
        b64.encode([0x31u8; 32]),
        b64.encode([0x32u8; 32]),
        b64.encode([0x33u8; 32]),
    );
    let v1 = format!("1:{k1}");
    let app = spawn_app_with({
        let v1 = v1.clone();
        move |s| s.master_key = Some(v1.into())
    })
    .await;
    let site = rewards::site(&app).await;
    let (worker, token) = app
        .user_with(
            "worker",
            Some(&site.enterprise_id),
            None,
            json!({"display_name": "轮换测试工人", "phone": "13900001111"}),
        )
        .await;
    let username = worker["username"].as_str().unwrap().to_owned();
    let (m, _) = app
        .user("safety_manager", Some(&site.enterprise_id), None)
        .await;
    let manager_name = m["username"].as_str().unwrap().to_owned();
    let me = rewards::Person {
        id: worker["id"].as_str().unwrap().to_owned(),
        token,
    };
    let mine = rewards::confidential(&app, &site, &me).await;
    let anon = rewards::anonymous(&app, &site).await;
    rewards::accept(&app, &site.manager, &anon.id, "general").await;
    let before_receipt = rewards::follow_up(&app, &anon).await;
    let before_mine = rewards::my_follow_up(&app, &me, &mine.id).await;

    // Add version 2 and re-wrap everything under it.
    let both = format!("1:{k1},2:{k2}");
    let (code, text) = cli_with_key(&app, &both, &["keys", "rewrap"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("can be removed"), "{text}");
    let (again, text2) = cli_with_key(&app, &both, &["keys", "rewrap"]);
    assert_eq!(again, 0, "{text2}");
    assert!(text2.contains(": 0 record(s), 0 photo blob(s)"), "{text2}");

    // Retire version 1: an instance with version 2 only.
    let v2 = format!("2:{k2}");
    let retired = app
        .spawn_sibling({
            let v2 = v2.clone();
            move |s| s.master_key = Some(v2.into())
        })
        .await;
    assert_eq!(retired.ctx.keys.versions(), vec![2]);
    let after_receipt = rewards::follow_up(&retired, &anon).await;
    assert_eq!(after_receipt["status"], before_receipt["status"]);
    assert_eq!(after_receipt["report_id"], anon.id.as_str());
    let token = retired.login_ok(&username, qingling_tests::PASSWORD).await;
    let me = rewards::Person { id: me.id, token };
    let after_mine = rewards::my_follow_up(&retired, &me, &mine.id).await;
    assert_eq!(after_mine["report_id"], before_mine["report_id"]);
    assert_eq!(after_mine["status"], before_mine["status"]);
    // A new confidential report by the same worker joins the same 我的举报.
    let newer = retired
        .submit_report(
            &me.token,
            json!({"title": "轮换后的报告", "description": "出铁口泥炮漏油"}),
            &[qingling_tests::photos::jpeg(64, 48)],
        )
        .await;
    assert_eq!(newer.status, StatusCode::CREATED, "{:?}", newer.json);
    let newer_id = newer.json["report_id"].as_str().unwrap();
    rewards::my_follow_up(&retired, &me, newer_id).await;
    let list = retired.get("/m/v1/reports?limit=200", &me.token).await;
    assert_eq!(
        list.json["items"].as_array().unwrap().len(),
        2,
        "both reports are mine"
    );

    // Staff still see the photos (re-wrapped blobs), and the sealed identity still opens.
    let manager = retired
        .login_ok(&manager_name, qingling_tests::PASSWORD)
        .await;
    let detail = retired
        .get(&format!("/api/v1/reports/{}", mine.id), &manager)
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{:?}", detail.json);
    let photo = detail.json["photos"][0]["id"].as_str().unwrap();
    let img = retired
        .get(
            &format!("/api/v1/reports/{}/photos/{photo}", mine.id),
            &manager,
        )
        .await;
    assert_eq!(img.status, StatusCode::OK, "the re-wrapped photo opens");
    assert!(img.bytes.starts_with(&[0xFF, 0xD8]), "a JPEG");

    // A ring that has neither the pinned version 1 nor version 2 (which seals its copy).
    let settings = {
        let mut s = (*app.ctx.settings).clone();
        s.bind = "127.0.0.1:0".parse().unwrap();
        s.master_key = Some(format!("3:{k3}").into());
        s
    };
    let Err(refused) = qingling::Application::build(settings, qingling::Sides::All) else {
        panic!("a ring without the index key does not start");
    };
    let msg = format!("{refused:#}");
    assert!(
        msg.contains("version 1") && msg.contains("QINGLING_MASTER_KEY"),
        "{msg}"
    );
}
