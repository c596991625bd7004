//! Proof of report, as a worker and an investigator use it: the proof in the submission's
//! answer verifies against the published keys, any changed byte breaks it, later events are
//! proved by proofs chained to the first, an old key still verifies after rotation, the CLI
//! checks a saved file and its photos, and nothing in a proof names the reporter.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::ffi::OsString;

use qingling::{Application, Sides};
use qingling_api::domain::proof::{self, ProofError, PublishedKey};
use qingling_tests::ledger::full_plan;
use qingling_tests::reports::{WORKER_EMPLOYEE_NO, WORKER_NAME, WORKER_PHONE};
use qingling_tests::{TestApp, photos, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

async fn published(app: &TestApp) -> Vec<PublishedKey> {
    let a = app
        .call(
            reqwest::Method::GET,
            "/.well-known/qingling-proof-keys",
            None,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json["format"], "qingling-proof-keys/1");
    serde_json::from_value(a.json["keys"].clone()).unwrap()
}

/// A report with a photo whose bytes the test keeps; returns (answer json, uploaded photo).
async fn submitted(app: &TestApp, token: &str, title: &str) -> (Value, Vec<u8>) {
    let photo = photos::phone_jpeg(640, 480);
    let a = app
        .submit_report(
            token,
            json!({"title": title, "description": "  铁水包下方地面积水，约两平方米 ", "suspected_level": "major"}),
            std::slice::from_ref(&photo),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    (a.json, photo)
}

#[tokio::test]
async fn the_answer_carries_a_proof_that_verifies_and_states_what_was_sent() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    let (answer, photo) = submitted(&app, &site.worker_token, " 出铁场积水").await;
    let p = &answer["proof"];
    let keys = published(&app).await;
    assert_eq!(keys.len(), 1);
    assert!(keys[0].valid_until.is_none());
    let v = proof::verify(p, &keys).unwrap();
    assert_eq!(v.kind, "report.submitted");
    assert_eq!(p["report_id"], answer["report_id"]);
    assert_eq!(p["enterprise"]["name"], site.enterprise["name"]);
    assert_eq!(
        p["enterprise"]["credit_code"],
        site.enterprise["credit_code"]
    );
    assert_eq!(p["key_id"], keys[0].key_id.as_str());
    assert_eq!(p["suspected_level"], "major");
    // Hashes of the text exactly as sent (spaces included).
    assert_eq!(p["title_sha256"], sha_hex(" 出铁场积水".as_bytes()));
    assert_eq!(
        p["description_sha256"],
        sha_hex("  铁水包下方地面积水，约两平方米 ".as_bytes())
    );
    assert_eq!(p["photos"][0]["uploaded_sha256"], sha_hex(&photo));
    // The stored hash is that of the sanitised photo staff download.
    let report_id = answer["report_id"].as_str().unwrap();
    let detail = app
        .get(&format!("/api/v1/reports/{report_id}"), &site.manager_token)
        .await;
    let photo_id = detail.json["photos"][0]["id"].as_str().unwrap();
    let stored = app
        .get(
            &format!("/api/v1/reports/{report_id}/photos/{photo_id}"),
            &site.manager_token,
        )
        .await;
    assert_eq!(stored.status, StatusCode::OK);
    assert_eq!(p["photos"][0]["stored_sha256"], sha_hex(&stored.bytes));
    // The time the server stored it, to the microsecond, in UTC.
    let at = chrono::DateTime::parse_from_rfc3339(p["at"].as_str().unwrap()).unwrap();
    assert!((chrono::Utc::now() - at.to_utc()).num_seconds().abs() < 60);
    assert!(p["at"].as_str().unwrap().ends_with('Z'));
    // The follow-up offers the same proof again, byte for byte.
    let f = app
        .get(&format!("/m/v1/reports/{report_id}"), &site.worker_token)
        .await;
    assert_eq!(f.json["proofs"], json!([p]));
}

#[tokio::test]
async fn the_proof_names_nothing_about_the_reporter() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    let (answer, _) = submitted(&app, &site.worker_token, "煤气柜区CO报警器失效").await;
    let text = answer["proof"].to_string();
    let report_id = answer["report_id"].as_str().unwrap();
    let detail = app
        .get(&format!("/api/v1/reports/{report_id}"), &site.manager_token)
        .await;
    let pseudonym = detail.json["pseudonym"].as_str().unwrap();
    for needle in [
        WORKER_NAME,
        WORKER_EMPLOYEE_NO,
        WORKER_PHONE,
        site.worker["id"].as_str().unwrap(),
        site.worker["username"].as_str().unwrap(),
        answer["receipt_code"].as_str().unwrap(),
        pseudonym,
        "confidential",
        "铁水包",
        "煤气柜",
    ] {
        assert!(
            !text.contains(needle),
            "the proof contains {needle}: {text}"
        );
    }
    // An anonymous report's proof has exactly the same members.
    let a = app
        .submit_anonymous(
            json!({"title": "t", "intake_code": site.enterprise["intake_code"]}),
            &[photos::jpeg(64, 48)],
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let names = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(names(&a.json["proof"]), names(&answer["proof"]));
}

/// One way of changing a proof.
type Change = Box<dyn Fn(&mut Value)>;

#[tokio::test]
async fn any_changed_byte_breaks_the_proof() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    let (answer, _) = submitted(&app, &site.worker_token, "渣罐区积水").await;
    let keys = published(&app).await;
    let good = answer["proof"].clone();
    assert!(proof::verify(&good, &keys).is_ok());
    let changes: Vec<(&str, Change)> = vec![
        (
            "time",
            Box::new(|p| {
                let t = p["at"].as_str().unwrap().replace(".", ".9");
                p["at"] = json!(t[..t.len() - 2].to_owned() + "Z");
            }),
        ),
        (
            "title hash",
            Box::new(|p| p["title_sha256"] = json!(sha_hex(b"something else"))),
        ),
        (
            "photo hash",
            Box::new(|p| p["photos"][0]["stored_sha256"] = json!(sha_hex(b"x"))),
        ),
        (
            "enterprise",
            Box::new(|p| p["enterprise"]["name"] = json!("别的公司")),
        ),
        (
            "credit code",
            Box::new(|p| p["enterprise"]["credit_code"] = json!("91500105000000000X")),
        ),
        (
            "level",
            Box::new(|p| p["suspected_level"] = json!("general")),
        ),
        ("report id", Box::new(|p| p["report_id"] = json!("another"))),
        (
            "extra member",
            Box::new(|p| p["reporter"] = json!("someone")),
        ),
        (
            "signature",
            Box::new(|p| {
                let s = p["signature"].as_str().unwrap();
                let flipped = if s.starts_with('A') { "B" } else { "A" };
                p["signature"] = json!(format!("{flipped}{}", &s[1..]));
            }),
        ),
    ];
    for (what, change) in changes {
        let mut p = good.clone();
        change(&mut p);
        assert!(
            matches!(
                proof::verify(&p, &keys),
                Err(ProofError::BadSignature | ProofError::OutsideValidity(_))
            ),
            "changed {what} still verifies"
        );
    }
    let mut p = good.clone();
    p["key_id"] = json!("v9-0000000000000000");
    assert!(matches!(
        proof::verify(&p, &keys),
        Err(ProofError::UnknownKey(_))
    ));
    // A key id of the same set but another key does not verify either.
    let mut other = keys.clone();
    other[0].public_key = "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=".into();
    assert_eq!(proof::verify(&good, &other), Err(ProofError::BadSignature));
}

#[tokio::test]
async fn later_events_are_proved_by_proofs_chained_to_the_first() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let (answer, _) = submitted(&app, &site.worker, "钢包吊运跨下设有休息室").await;
    let report_id = answer["report_id"].as_str().unwrap().to_owned();
    let t = app
        .triage(
            &site.manager,
            &report_id,
            json!({"decision": "accept", "level": "major"}),
        )
        .await;
    assert_eq!(t.status, StatusCode::OK, "{:?}", t.json);
    let hazard = t.json["hazard_id"].as_str().unwrap().to_owned();
    let a = app
        .put(
            &format!("/api/v1/hazards/{hazard}/plan"),
            &site.manager,
            full_plan("张工", "2026-12-31"),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    let a = app
        .post(
            &format!("/api/v1/hazards/{hazard}/evidence"),
            &site.manager,
            json!({"note": "休息室已拆除"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    let a = app
        .post(
            &format!("/api/v1/hazards/{hazard}/verify"),
            &site.principal,
            json!({"passed": true}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);

    let f = app
        .get(&format!("/m/v1/reports/{report_id}"), &site.worker)
        .await;
    let proofs = f.json["proofs"].clone();
    let kinds: Vec<&str> = proofs
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "report.submitted",
            "report.accepted",
            "hazard.plan_deadline",
            "hazard.closed"
        ]
    );
    assert_eq!(proofs[1]["details"]["hazard_id"], hazard.as_str());
    assert_eq!(proofs[1]["details"]["level"], "major");
    assert_eq!(proofs[2]["details"]["deadline"], "2026-12-31");
    assert_eq!(proofs[3]["details"]["closed_by"], "enterprise");
    let keys = published(&app).await;
    assert_eq!(proof::verify_bundle(&proofs, &keys).unwrap().len(), 4);
    // A later proof of another report does not chain to this first proof.
    let (other, _) = submitted(&app, &site.worker, "另一处隐患").await;
    let other_id = other["report_id"].as_str().unwrap();
    let t = app
        .triage(&site.manager, other_id, json!({"decision": "accept"}))
        .await;
    assert_eq!(t.status, StatusCode::OK);
    let of = app
        .get(&format!("/m/v1/reports/{other_id}"), &site.worker)
        .await;
    let mut mixed = proofs.as_array().unwrap().clone();
    mixed.push(of.json["proofs"][1].clone());
    assert!(matches!(
        proof::verify_bundle(&Value::Array(mixed), &keys),
        Err(ProofError::BrokenChain(4))
    ));
}

/// A second application on the same database and data folder, with other settings.
fn second_instance(
    app: &TestApp,
    adjust: impl FnOnce(&mut qingling_api::config::Settings),
) -> TestApp2 {
    let mut settings = (*app.ctx.settings).clone();
    settings.bind = "127.0.0.1:0".parse().unwrap();
    adjust(&mut settings);
    let built = Application::build(settings, Sides::All).expect("second instance starts");
    let base = format!("http://127.0.0.1:{}", built.port());
    tokio::spawn(built.run_until_stopped());
    TestApp2 { base }
}

struct TestApp2 {
    base: String,
}

#[tokio::test]
async fn a_proof_under_a_rotated_out_key_still_verifies_with_the_published_old_key() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let k1 = b64.encode([0x11u8; 32]);
    let k2 = b64.encode([0x22u8; 32]);
    let k1c = k1.clone();
    let app = spawn_app_with(move |s| s.master_key = Some(format!("1:{k1c}").into())).await;
    let site = app.reporting_site().await;
    let (old, _) = submitted(&app, &site.worker_token, "旧密钥下的报告").await;
    // The operator rotates: version 2 is added, version 1 kept to open old data.
    let second = second_instance(&app, |s| {
        s.master_key = Some(format!("1:{k1},2:{k2}").into())
    });
    let client = reqwest::Client::new();
    let keys: Value = client
        .get(format!("{}/.well-known/qingling-proof-keys", second.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys: Vec<PublishedKey> = serde_json::from_value(keys["keys"].clone()).unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys[0].key_id.starts_with("v1-") && keys[0].valid_until.is_some());
    assert!(keys[1].key_id.starts_with("v2-") && keys[1].valid_until.is_none());
    assert!(proof::verify(&old["proof"], &keys).is_ok());
    // New reports through the rotated instance are signed with version 2.
    let resp = client
        .post(format!("{}/m/v1/reports", second.base))
        .bearer_auth(&site.worker_token)
        .multipart(qingling_tests::reports::form(
            &json!({"title": "新密钥下的报告"}),
            &[photos::jpeg(64, 48)],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let new: Value = resp.json().await.unwrap();
    assert_eq!(new["proof"]["key_id"], keys[1].key_id.as_str());
    assert!(proof::verify(&new["proof"], &keys).is_ok());
    // Without the old key the old proof cannot verify: the published old key is what keeps it.
    assert!(matches!(
        proof::verify(&old["proof"], &keys[1..]),
        Err(ProofError::UnknownKey(_))
    ));
}

fn cli(args: &[&str]) -> (i32, String) {
    let argv: Vec<OsString> = std::iter::once("qingling")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect();
    let env: HashMap<String, String> = [("QINGLING_LOG".to_owned(), "warn".to_owned())].into();
    // The CLI starts its own runtime, so it runs on a plain thread.
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let code = qingling::cli::run(argv, &env, &mut out);
        (code, String::from_utf8(out).unwrap())
    })
    .join()
    .unwrap()
}

#[tokio::test]
async fn the_cli_verifies_a_saved_proof_file_and_its_photos_offline() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    let (answer, photo) = submitted(&app, &site.worker_token, "铸造车间漏水").await;
    let dir = tempfile::tempdir().unwrap();
    let keys = app
        .call(
            reqwest::Method::GET,
            "/.well-known/qingling-proof-keys",
            None,
            None,
        )
        .await;
    let path = |n: &str| dir.path().join(n).display().to_string();
    std::fs::write(path("keys.json"), &keys.bytes).unwrap();
    std::fs::write(path("proof.json"), answer["proof"].to_string()).unwrap();
    std::fs::write(path("photo.jpg"), &photo).unwrap();
    std::fs::write(path("other.jpg"), photos::jpeg(32, 32)).unwrap();

    let (code, text) = cli(&[
        "proof",
        "verify",
        &path("proof.json"),
        "--keys",
        &path("keys.json"),
        &path("photo.jpg"),
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("OK report.submitted"), "{text}");
    assert!(text.contains("is a photo of the report"), "{text}");

    let (code, text) = cli(&[
        "proof",
        "verify",
        &path("proof.json"),
        "--keys",
        &path("keys.json"),
        &path("other.jpg"),
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("matches no photo"), "{text}");

    let mut changed = answer["proof"].clone();
    changed["enterprise"]["credit_code"] = json!("915001050000000000");
    std::fs::write(path("changed.json"), changed.to_string()).unwrap();
    let (code, text) = cli(&[
        "proof",
        "verify",
        &path("changed.json"),
        "--keys",
        &path("keys.json"),
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("INVALID"), "{text}");
}

#[tokio::test]
async fn the_proof_page_is_served_with_a_strict_policy_and_the_keys_inside() {
    let app = spawn_app().await;
    let a = app.call(reqwest::Method::GET, "/proof/", None, None).await;
    assert_eq!(a.status, StatusCode::OK);
    let csp = a.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("connect-src 'none'") && csp.contains("script-src 'self'"));
    let html = String::from_utf8(a.bytes).unwrap();
    let keys = published(&app).await;
    assert!(html.contains(&keys[0].public_key));
    assert!(!html.contains("__PUBLISHED_KEYS__"));
    let js = app
        .call(
            reqwest::Method::GET,
            "/proof/vendor/noble-ed25519/index.js",
            None,
            None,
        )
        .await;
    assert_eq!(js.status, StatusCode::OK);
    let missing = app
        .call(reqwest::Method::GET, "/proof/../Cargo.toml", None, None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// Decodes every QR code in a PNG.
fn qr_texts(png: &[u8]) -> Vec<String> {
    let img = image::load_from_memory(png).unwrap().to_luma8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        img.get_pixel(x as u32, y as u32)[0]
    });
    prepared
        .detect_grids()
        .into_iter()
        .map(|g| g.decode().expect("the code decodes").1)
        .collect()
}

#[tokio::test]
async fn the_proof_picture_carries_the_whole_proof_and_only_real_proofs_are_drawn() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    // Five photos: the longest first proof there is.
    let shots: Vec<Vec<u8>> = (0..5).map(|i| photos::phone_jpeg(320 + i, 240)).collect();
    let a = app
        .submit_report(
            &site.worker_token,
            json!({"title": "煤气管道法兰泄漏", "description": "一号高炉煤气管道法兰处有嗤嗤声"}),
            &shots,
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let doc = a.json["proof"].clone();

    let resp = app
        .client
        .post(format!("{}/m/v1/proof/qr", app.base))
        .json(&doc)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let png = resp.bytes().await.unwrap();
    let texts = qr_texts(&png);
    assert_eq!(texts.len(), 1, "one code in the picture");
    let read: Value = serde_json::from_str(&texts[0]).unwrap();
    assert_eq!(read, doc, "the code holds the proof exactly");
    proof::verify(&read, &published(&app).await).expect("what the code holds verifies");

    // A changed proof is not drawn: the server never makes a picture of a false proof.
    let mut forged = doc.clone();
    forged["at"] = json!("2020-01-01T00:00:00.000000Z");
    let a = app
        .call(reqwest::Method::POST, "/m/v1/proof/qr", None, Some(&forged))
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", a.json);
    assert_eq!(a.code(), "proof_invalid");
    let a = app
        .call(
            reqwest::Method::POST,
            "/m/v1/proof/qr",
            None,
            Some(&json!({"hello": "world"})),
        )
        .await;
    assert_eq!(a.code(), "proof_invalid");
    let resp = app
        .client
        .post(format!("{}/m/v1/proof/qr", app.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}
