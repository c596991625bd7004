//! Kill the server with SIGKILL in the middle of a burst of submissions, start it again, and
//! check that every receipt that was handed out can be looked up and every stored report has all
//! its photos. This runs the real `qingling` binary, so it lives in the root package (where Cargo
//! builds the binary for its tests) rather than in `qingling-tests`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_qingling");
const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const PASSWORD: &str = "correct horse battery";

struct Db {
    url: String,
    drop: Option<(String, String)>,
}

impl Db {
    fn create(dir: &Path) -> Self {
        match std::env::var("QINGLING_TEST_DATABASE_URL") {
            Ok(admin) if !admin.is_empty() => {
                let name = format!("qt_crash_{}", std::process::id());
                let mut c = diesel::PgConnection::establish(&admin).unwrap();
                diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut c)
                    .unwrap();
                diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut c)
                    .unwrap();
                let (base, _) = admin.rsplit_once('/').unwrap();
                Db {
                    url: format!("{base}/{name}"),
                    drop: Some((admin, name)),
                }
            }
            _ => Db {
                url: format!("sqlite://{}", dir.join("qingling.db").display()),
                drop: None,
            },
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.drop
            && let Ok(mut c) = diesel::PgConnection::establish(admin)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut c);
        }
    }
}

fn command(dir: &Path, db: &Db, port: u16) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("QINGLING_DATA_DIR", dir)
        .env("QINGLING_DATABASE_URL", &db.url)
        .env("QINGLING_BIND", format!("127.0.0.1:{port}"))
        .env("QINGLING_MASTER_KEY", MASTER_KEY)
        .env("QINGLING_LOG", "warn")
        .env("QINGLING_RECEIPT_LIMIT_PER_CLIENT", "100000")
        .env("QINGLING_LOGIN_LIMIT_PER_CLIENT", "100000");
    c
}

/// Starts `qingling serve`; the caller kills and waits for it.
#[allow(clippy::zombie_processes)]
fn start(dir: &Path, db: &Db, port: u16) -> Child {
    let child = command(dir, db, port)
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn jpeg(seed: u8) -> Vec<u8> {
    use image::ImageEncoder;
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([
            (x as u8).wrapping_add(seed),
            (y as u8).wrapping_mul(3),
            seed,
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(img.as_raw(), 640, 480, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

async fn post(client: &reqwest::Client, url: String, token: Option<&str>, body: Value) -> Value {
    let mut r = client.post(url).json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let resp = r.send().await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    resp.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_receipt_survives_a_sigkill_and_no_report_lacks_a_photo() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::create(dir.path());
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = command(dir.path(), &db, port)
        .args([
            "admin",
            "create-user",
            "--username",
            "ops",
            "--password",
            PASSWORD,
            "--role",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let mut server = start(dir.path(), &db, port);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let login = |u: &'static str| {
        let client = client.clone();
        let base = base.clone();
        async move {
            post(
                &client,
                format!("{base}/api/v1/auth/login"),
                None,
                json!({"username": u, "password": PASSWORD}),
            )
            .await["access_token"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let admin = login("ops").await;
    let ent = post(&client, format!("{base}/api/v1/enterprises"), Some(&admin), json!({
        "name": "崩溃测试冶炼厂", "credit_code": "91350100M000100Y43", "sector": "steel", "jurisdiction": "jb"})).await;
    let eid = ent["id"].as_str().unwrap();
    for (u, role) in [
        ("crash.worker", "worker"),
        ("crash.manager", "safety_manager"),
    ] {
        post(&client, format!("{base}/api/v1/users"), Some(&admin), json!({
            "username": u, "password": PASSWORD, "role": role, "enterprise_id": eid, "display_name": u})).await;
    }
    let worker = login("crash.worker").await;

    // A steady burst of submissions; once a few receipts have come back, kill the server while
    // the rest are in flight.
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut tasks = Vec::new();
    for i in 0..60u8 {
        let (client, base, worker, done) = (
            client.clone(),
            base.clone(),
            worker.clone(),
            done_tx.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let form = Form::new()
                .text(
                    "report",
                    json!({"title": format!("突发 {i}"), "description": "crash test"}).to_string(),
                )
                .part("photo", Part::bytes(jpeg(i)).file_name("a.jpg"))
                .part(
                    "photo",
                    Part::bytes(jpeg(i.wrapping_add(100))).file_name("b.jpg"),
                );
            let resp = client
                .post(format!("{base}/m/v1/reports"))
                .bearer_auth(worker)
                .multipart(form)
                .send()
                .await
                .ok()?;
            if resp.status() != reqwest::StatusCode::CREATED {
                return None;
            }
            let v: Value = resp.json().await.ok()?;
            let _ = done.send(());
            Some(v["receipt_code"].as_str()?.to_owned())
        }));
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    for _ in 0..5 {
        tokio::time::timeout(Duration::from_secs(60), done_rx.recv())
            .await
            .unwrap();
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let mut receipts = Vec::new();
    let mut lost_in_flight = 0;
    for t in tasks {
        match t.await.unwrap() {
            Some(code) => receipts.push(code),
            None => lost_in_flight += 1,
        }
    }
    assert!(receipts.len() >= 5);
    assert!(
        lost_in_flight > 0,
        "the kill must interrupt some submissions"
    );

    let mut server = start(dir.path(), &db, port);
    for code in &receipts {
        let resp = client
            .post(format!("{base}/m/v1/receipt"))
            .json(&json!({ "receipt_code": code }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            reqwest::StatusCode::OK,
            "a returned receipt was lost"
        );
    }
    let manager = login("crash.manager").await;
    let inbox: Value = client
        .get(format!("{base}/api/v1/reports?limit=200"))
        .bearer_auth(&manager)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = inbox["items"].as_array().unwrap();
    assert!(items.len() >= receipts.len());
    for item in items {
        let id = item["id"].as_str().unwrap();
        let detail: Value = client
            .get(format!("{base}/api/v1/reports/{id}"))
            .bearer_auth(&manager)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let photos = detail["photos"].as_array().unwrap();
        assert_eq!(photos.len(), 2, "report {id} lost a photo");
        for p in photos {
            let resp = client
                .get(format!(
                    "{base}/api/v1/reports/{id}/photos/{}",
                    p["id"].as_str().unwrap()
                ))
                .bearer_auth(&manager)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), reqwest::StatusCode::OK);
        }
    }
    eprintln!(
        "crash test: {} receipts returned, {} submissions cut off by the kill, {} reports stored, all complete",
        receipts.len(),
        lost_in_flight,
        items.len()
    );
    server.kill().unwrap();
    let _ = server.wait();
}
