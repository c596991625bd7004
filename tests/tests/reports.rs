//! Reporting hazards from phones: confidential and anonymous intake, photo sanitising as seen by
//! staff, receipts and follow-up, idempotency, bad uploads, tenant isolation and — above all —
//! that the reporter's identity is nowhere to be found.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use qingling_tests::photos::{self, MAKE, MODEL, SERIAL};
use qingling_tests::reports::{WORKER_EMPLOYEE_NO, WORKER_NAME, WORKER_PHONE, form};
use qingling_tests::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn report(title: &str) -> Value {
    json!({ "title": title, "description": "铁水包下方地面有积水，距出铁口约五米", "suspected_level": "major",
            "criterion_codes": ["MEM10-4-2"] })
}

fn without_request_id(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("request_id");
    }
    v
}

#[tokio::test]
async fn worker_reports_with_photos_and_follows_up_by_receipt() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    let a = app
        .submit_report(
            &site.worker_token,
            report("出铁场积水"),
            &[photos::jpeg(640, 480), photos::png(300, 200)],
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    assert_eq!(a.json["status"], "submitted");
    let code = a.json["receipt_code"].as_str().unwrap();
    assert!(code.len() >= 20, "{code}");
    let id = a.json["report_id"].as_str().unwrap();

    let follow = app
        .post_anon(
            "/m/v1/receipt",
            json!({ "receipt_code": code.to_lowercase() }),
        )
        .await;
    assert_eq!(follow.status, StatusCode::OK, "{:?}", follow.json);
    assert_eq!(follow.json["report_id"], id);
    assert_eq!(follow.json["status"], "submitted");
    assert_eq!(follow.json["timeline"][0]["kind"], "submitted");
    assert!(
        follow.json["receipt_code"].is_null(),
        "the code is shown only once"
    );

    let mine = app.get("/m/v1/reports", &site.worker_token).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.json["items"][0]["report_id"], id);
    let one = app
        .get(&format!("/m/v1/reports/{id}"), &site.worker_token)
        .await;
    assert_eq!(one.json["title"], "出铁场积水");

    let inbox = app.get("/api/v1/reports", &site.manager_token).await;
    assert_eq!(inbox.status, StatusCode::OK);
    let item = &inbox.json["items"][0];
    assert_eq!(item["id"], id);
    assert_eq!(item["mode"], "confidential");
    assert!(item["pseudonym"].as_str().unwrap().starts_with("报告人-"));
    assert_eq!(item["waiting"]["overdue"], false);
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), &site.manager_token)
        .await;
    assert_eq!(detail.json["photos"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn staff_get_an_upright_photo_without_any_exif() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    let original = photos::phone_jpeg(800, 600);
    // The input really carries what a phone writes.
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&original))
        .unwrap();
    assert!(
        exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );
    assert!(
        exif.get_field(exif::Tag::BodySerialNumber, exif::In::PRIMARY)
            .is_some()
    );
    assert!(
        exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
            .is_some()
    );

    let a = app
        .submit_report(&site.worker_token, report("煤气柜区泄漏"), &[original])
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let id = a.json["report_id"].as_str().unwrap();
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), &site.manager_token)
        .await;
    let photo_id = detail.json["photos"][0]["id"].as_str().unwrap();
    assert_eq!(detail.json["photos"][0]["width"], 600, "rotated upright");
    assert_eq!(detail.json["photos"][0]["height"], 800);

    let resp = app
        .client
        .get(format!(
            "{}/api/v1/reports/{id}/photos/{photo_id}",
            app.base
        ))
        .bearer_auth(&site.manager_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "image/jpeg");
    let bytes = resp.bytes().await.unwrap().to_vec();
    assert!(
        exif::Reader::new()
            .read_from_container(&mut std::io::Cursor::new(&bytes))
            .is_err(),
        "no EXIF survives"
    );
    for needle in [MAKE, MODEL, SERIAL, "MAKERNOTE"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle}"
        );
    }
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    assert_eq!((img.width(), img.height()), (600, 800));
    // Stored sideways with "rotate 90° clockwise": the red top-left corner is now top-right.
    let tr = img.get_pixel(img.width() - 20, 20);
    let tl = img.get_pixel(20, 20);
    assert!(tr[0] > 150 && tr[2] < 100, "top-right is red: {tr:?}");
    assert!(tl[2] > 150, "top-left is blue: {tl:?}");

    let thumb = app
        .client
        .get(format!(
            "{}/api/v1/reports/{id}/photos/{photo_id}?size=thumb",
            app.base
        ))
        .bearer_auth(&site.manager_token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let t = image::load_from_memory(&thumb).unwrap();
    assert_eq!(t.height().max(t.width()), 320);
}

#[tokio::test]
async fn anonymous_report_with_the_intake_code_stores_no_sender() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    let mut r = report("深井铸造区联锁失效");
    r["intake_code"] = site.enterprise["intake_code"].clone();
    let a = app.submit_anonymous(r, &[photos::jpeg(320, 240)]).await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let inbox = app.get("/api/v1/reports", &site.manager_token).await;
    assert_eq!(inbox.json["items"][0]["mode"], "anonymous");

    let mut bad = report("x");
    bad["intake_code"] = json!("NOT-A-CODE");
    let refused = app.submit_anonymous(bad, &[photos::jpeg(32, 32)]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let no_code = app
        .submit_anonymous(report("x"), &[photos::jpeg(32, 32)])
        .await;
    assert_eq!(no_code.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_wrong_receipt_code_answers_exactly_like_an_unknown_one() {
    let app = spawn_app().await;
    let malformed = app
        .post_anon("/m/v1/receipt", json!({ "receipt_code": "hello" }))
        .await;
    let unknown = app
        .post_anon(
            "/m/v1/receipt",
            json!({ "receipt_code": "2345-6789-ABCD-EFGH-JKMN" }),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        without_request_id(&malformed.json),
        without_request_id(&unknown.json)
    );
}

#[tokio::test]
async fn receipt_lookups_are_rate_limited() {
    // Every route that takes a receipt code spends the same allowance, so none of them is a
    // faster way to guess codes than another.
    let app = qingling_tests::spawn_app_with(|s| s.receipt_limit_per_client = 5).await;
    let code = json!("nope");
    let tries = [
        ("/m/v1/receipt", json!({ "receipt_code": code })),
        (
            "/m/v1/receipt/messages",
            json!({ "receipt_code": code, "body": "在吗" }),
        ),
        (
            "/m/v1/receipt/appeal",
            json!({ "receipt_code": code, "reason": "无人处理" }),
        ),
        (
            "/m/v1/receipt/bureau-messages",
            json!({ "receipt_code": code, "body": "在吗" }),
        ),
        (
            "/m/v1/receipt/reward-claim",
            json!({ "receipt_code": code, "payout": "alipay:13800000000" }),
        ),
    ];
    for (path, body) in &tries {
        let a = app.post_anon(path, body.clone()).await;
        assert_ne!(
            a.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{path}: {:?}",
            a.json
        );
        assert!(a.status.is_client_error(), "{path}: {:?}", a.json);
    }
    for (path, body) in &tries {
        let limited = app.post_anon(path, body.clone()).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
        assert_eq!(limited.code(), "rate_limited");
    }
}

#[tokio::test]
async fn handler_and_reporter_exchange_messages() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    let a = app
        .submit_report(
            &site.worker_token,
            report("轧钢车间护栏缺失"),
            &[photos::jpeg(64, 64)],
        )
        .await;
    let (id, code) = (
        a.json["report_id"].as_str().unwrap(),
        a.json["receipt_code"].as_str().unwrap(),
    );
    let m = app
        .post(
            &format!("/api/v1/reports/{id}/messages"),
            &site.manager_token,
            json!({"body": "请问具体在几号轧机？"}),
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{:?}", m.json);
    let reply = app
        .post_anon(
            "/m/v1/receipt/messages",
            json!({"receipt_code": code, "body": "三号轧机东侧"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let logged_in = app
        .post(
            &format!("/m/v1/reports/{id}/messages"),
            &site.worker_token,
            json!({"body": "已拍照补充"}),
        )
        .await;
    assert_eq!(logged_in.status, StatusCode::CREATED);
    let follow = app
        .post_anon("/m/v1/receipt", json!({ "receipt_code": code }))
        .await;
    let bodies: Vec<&str> = follow.json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["请问具体在几号轧机？", "三号轧机东侧", "已拍照补充"]
    );
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), &site.manager_token)
        .await;
    assert_eq!(detail.json["messages"].as_array().unwrap().len(), 3);
    let empty = app
        .post_anon(
            "/m/v1/receipt/messages",
            json!({"receipt_code": code, "body": " "}),
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_answer() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    let photo = photos::jpeg(200, 100);
    let first = app
        .post_form(
            "/m/v1/reports",
            Some(&site.worker_token),
            form(&report("重试"), std::slice::from_ref(&photo)),
            Some("retry-key-0001"),
        )
        .await;
    let second = app
        .post_form(
            "/m/v1/reports",
            Some(&site.worker_token),
            form(&report("重试"), std::slice::from_ref(&photo)),
            Some("retry-key-0001"),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(first.json, second.json, "same report id and receipt code");
    let inbox = app.get("/api/v1/reports", &site.manager_token).await;
    assert_eq!(inbox.json["items"].as_array().unwrap().len(), 1);
    let other = app
        .post_form(
            "/m/v1/reports",
            Some(&site.worker_token),
            form(&report("另一份"), &[photo]),
            Some("retry-key-0002"),
        )
        .await;
    assert_ne!(other.json["report_id"], first.json["report_id"]);
}

fn blob_files(app: &TestApp) -> usize {
    fn walk(p: &std::path::Path) -> usize {
        std::fs::read_dir(p)
            .map(|d| {
                d.map(|e| {
                    let e = e.unwrap();
                    if e.file_type().unwrap().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
            })
            .unwrap_or(0)
    }
    walk(&app.dir.path().join("blobs"))
}

#[tokio::test]
async fn bad_uploads_get_a_problem_and_leave_nothing_stored() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    let ok = photos::jpeg(64, 64);
    let mut truncated = photos::jpeg(400, 300);
    truncated.truncate(truncated.len() / 2);
    let mut corrupt = photos::jpeg(400, 300);
    let mid = corrupt.len() / 2;
    corrupt[mid..mid + 64].fill(0xFF);
    corrupt.truncate(corrupt.len() - 2);
    let mut polyglot = b"<html><script>alert(1)</script></html>".to_vec();
    polyglot.extend(photos::jpeg(32, 32));
    let cases: Vec<(&str, Vec<Vec<u8>>, StatusCode, &str)> = vec![
        ("no photo", vec![], StatusCode::BAD_REQUEST, "photo_count"),
        (
            "six photos",
            vec![ok.clone(); 6],
            StatusCode::BAD_REQUEST,
            "photo_count",
        ),
        (
            "random bytes",
            vec![b"definitely not an image at all".repeat(10)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo_unreadable",
        ),
        (
            "HEIC",
            vec![photos::heic()],
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_photo_type",
        ),
        (
            "polyglot",
            vec![polyglot],
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo_unreadable",
        ),
        (
            "bomb",
            vec![photos::png_bomb()],
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo_too_large",
        ),
        (
            "good then truncated",
            vec![ok.clone(), truncated],
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo_unreadable",
        ),
        (
            "corrupt",
            vec![corrupt],
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo_unreadable",
        ),
    ];
    for (label, photos, status, code) in cases {
        let a = app
            .submit_report(&site.worker_token, report(label), &photos)
            .await;
        assert_eq!(a.status, status, "{label}: {:?}", a.json);
        assert_eq!(
            a.headers["content-type"], "application/problem+json",
            "{label}"
        );
        if !code.is_empty() {
            assert_eq!(a.code(), code, "{label}");
        }
        if label == "HEIC" {
            assert!(
                String::from_utf8_lossy(&a.bytes).contains("HEIC"),
                "{:?}",
                a.json
            );
        }
    }
    // Missing report part, unknown part, malformed JSON part.
    let only_photo =
        reqwest::multipart::Form::new().part("photo", reqwest::multipart::Part::bytes(ok.clone()));
    let a = app
        .post_form("/m/v1/reports", Some(&site.worker_token), only_photo, None)
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::BAD_REQUEST, "bad_multipart")
    );
    let extra = form(&report("x"), std::slice::from_ref(&ok)).text("note", "hi");
    let a = app
        .post_form("/m/v1/reports", Some(&site.worker_token), extra, None)
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::BAD_REQUEST, "bad_multipart")
    );
    let bad_json = reqwest::multipart::Form::new()
        .text("report", "{\"title\": ")
        .part("photo", reqwest::multipart::Part::bytes(ok.clone()));
    let a = app
        .post_form("/m/v1/reports", Some(&site.worker_token), bad_json, None)
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    let oversized = vec![0xFFu8; 30 * 1024 * 1024];
    let a = app
        .submit_report(&site.worker_token, report("big"), &[oversized])
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", a.json);
    let no_token = app
        .post_form("/m/v1/reports", None, form(&report("x"), &[ok]), None)
        .await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);

    let inbox = app.get("/api/v1/reports", &site.manager_token).await;
    assert!(
        inbox.json["items"].as_array().unwrap().is_empty(),
        "{:?}",
        inbox.json
    );
    assert_eq!(blob_files(&app), 0, "no photo bytes left behind");
    assert_eq!(
        app.get("/readyz", &site.manager_token).await.status,
        StatusCode::OK,
        "still serving"
    );
}

/// A phone that declares a body larger than any submission can be is refused from its headers,
/// before the server buffers a byte of it, and the answer says why.
#[tokio::test]
async fn a_declared_body_larger_than_any_submission_is_refused_before_it_is_read() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let app = spawn_app().await;
    let addr = app.base.trim_start_matches("http://");
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /m/v1/anonymous-reports HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: multipart/form-data; boundary=x\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n--x\r\n",
        600u64 * 1024 * 1024
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        sock.read_to_end(&mut answer),
    )
    .await
    .expect("answered without waiting for the body")
    .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("\"code\":\"payload_too_large\""),
        "{answer}"
    );
}

#[tokio::test]
async fn manager_of_another_enterprise_gets_404_for_the_report_and_its_photos() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    let other = app.create_enterprise("nonferrous", "jb/town").await;
    let (_, other_manager) = app.user("safety_manager", other["id"].as_str(), None).await;
    let (_, other_worker) = app
        .user(
            "worker",
            Some(site.enterprise["id"].as_str().unwrap()),
            None,
        )
        .await;
    let a = app
        .submit_report(&site.worker_token, report("隔离"), &[photos::jpeg(64, 64)])
        .await;
    let id = a.json["report_id"].as_str().unwrap();
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), &site.manager_token)
        .await;
    let photo_id = detail.json["photos"][0]["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/reports/{id}"),
        format!("/api/v1/reports/{id}/photos/{photo_id}"),
    ] {
        let a = app.get(&path, &other_manager).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert!(
        app.get("/api/v1/reports", &other_manager).await.json["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A colleague cannot read the worker's report either.
    assert_eq!(
        app.get(&format!("/m/v1/reports/{id}"), &other_worker)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        app.get("/m/v1/reports", &other_worker).await.json["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Workers and custodians have no inbox.
    assert_eq!(
        app.get("/api/v1/reports", &site.worker_token).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_reporters_identity_is_in_no_staff_answer_no_database_byte_and_no_blob() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    let a = app
        .submit_report(
            &site.worker_token,
            report("身份保护"),
            &[photos::phone_jpeg(400, 300)],
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let id = a.json["report_id"].as_str().unwrap();
    let worker_id = site.worker["id"].as_str().unwrap();
    let needles = [WORKER_NAME, WORKER_EMPLOYEE_NO, WORKER_PHONE, worker_id];
    for path in [
        "/api/v1/reports".to_owned(),
        format!("/api/v1/reports/{id}"),
    ] {
        let body =
            String::from_utf8_lossy(&app.get(&path, &site.manager_token).await.bytes).into_owned();
        for n in needles {
            assert!(!body.contains(n), "{path} leaks {n}");
        }
    }
    // Everything at rest: the database and the photo folder.
    let mut haystack: Vec<u8> = Vec::new();
    match qingling_tests::backend() {
        "sqlite" => {
            for f in ["qingling.db", "qingling.db-wal"] {
                if let Ok(b) = std::fs::read(app.dir.path().join(f)) {
                    haystack.extend(b);
                }
            }
        }
        _ => {
            let url = app.ctx.settings.database.connection_string();
            let out = std::process::Command::new("pg_dump")
                .arg(&url)
                .output()
                .expect("pg_dump runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            haystack.extend(out.stdout);
        }
    }
    assert!(
        haystack.windows(b"reports".len()).any(|w| w == b"reports"),
        "the dump is real"
    );
    fn walk(p: &std::path::Path, out: &mut Vec<u8>) {
        if let Ok(d) = std::fs::read_dir(p) {
            for e in d.flatten() {
                if e.file_type().unwrap().is_dir() {
                    walk(&e.path(), out)
                } else {
                    out.extend(std::fs::read(e.path()).unwrap());
                }
            }
        }
    }
    walk(&app.dir.path().join("blobs"), &mut haystack);
    for n in [WORKER_NAME, WORKER_EMPLOYEE_NO, WORKER_PHONE, MAKE, SERIAL] {
        assert!(
            !haystack.windows(n.len()).any(|w| w == n.as_bytes()),
            "{n} found at rest"
        );
    }
}

#[tokio::test]
async fn inbox_filters_and_pages() {
    let app = spawn_app().await;
    let site = app.reporting_site().await;
    for i in 0..3 {
        let mut r = report(&format!("报告 {i}"));
        if i == 0 {
            r["suspected_level"] = json!("general");
        }
        app.submit_report(&site.worker_token, r, &[photos::jpeg(32, 32)])
            .await;
    }
    let major = app
        .get("/api/v1/reports?level=major", &site.manager_token)
        .await;
    assert_eq!(major.json["items"].as_array().unwrap().len(), 2);
    let page = app
        .get("/api/v1/reports?limit=2", &site.manager_token)
        .await;
    assert_eq!(page.json["items"].as_array().unwrap().len(), 2);
    let cursor = page.json["next_cursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/v1/reports?limit=2&cursor={cursor}"),
            &site.manager_token,
        )
        .await;
    assert_eq!(rest.json["items"].as_array().unwrap().len(), 1);
    assert!(rest.json["next_cursor"].is_null());
    let bad = app
        .get("/api/v1/reports?status=lost", &site.manager_token)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let from_future = app
        .get("/api/v1/reports?from=2999-01-01", &site.manager_token)
        .await;
    assert!(from_future.json["items"].as_array().unwrap().is_empty());
}
