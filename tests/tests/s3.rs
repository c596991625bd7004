//! Photos in an S3-compatible bucket, against a real S3 server (`moto_server`, see
//! `qingling_tests::s3`): the store itself, a report over HTTP, an outage in the middle of a
//! burst, and start-up against a bucket that cannot be used.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::Duration;

use futures_util::StreamExt as _;
use object_store::ObjectStoreExt as _;
use object_store::aws::AmazonS3Builder;
use object_store::{ObjectStore, PutPayload};
use qingling::{Application, Sides};
use qingling_api::config::{BlobUrl, DatabaseUrl, Settings};
use qingling_api::media::{BlobStore, S3BlobStore};
use qingling_tests::photos::{self, MAKE, SERIAL};
use qingling_tests::s3::S3Server;
use qingling_tests::{TestApp, spawn_app_with};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A raw client for the bucket, to see exactly what Qingling left there.
fn raw(server: &S3Server, bucket: &str) -> object_store::aws::AmazonS3 {
    AmazonS3Builder::new()
        .with_endpoint(format!("http://127.0.0.1:{}", server.port))
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_bucket_name(bucket)
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .build()
        .unwrap()
}

/// Every object in the bucket: (name, bytes).
async fn objects(server: &S3Server, bucket: &str) -> Vec<(String, Vec<u8>)> {
    let store = raw(server, bucket);
    let metas: Vec<_> = store
        .list(None)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|m| m.unwrap())
        .collect();
    let mut out = Vec::new();
    for m in metas {
        let bytes = store.get(&m.location).await.unwrap().bytes().await.unwrap();
        out.push((m.location.to_string(), bytes.to_vec()));
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn report(title: &str) -> Value {
    json!({ "title": title, "description": "出铁口下方积水", "suspected_level": "general" })
}

#[tokio::test(flavor = "multi_thread")]
async fn s3_store_puts_gets_verifies_and_removes_orphans() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let bucket = server.bucket();
    let s3 = server.s3_settings();
    let store = tokio::task::spawn_blocking(move || {
        let store = S3BlobStore::new(&bucket, "district/7", &s3, Duration::from_secs(5)).unwrap();
        store.probe().unwrap();
        (store, bucket)
    })
    .await
    .unwrap();
    let (store, bucket) = store;
    let store = std::sync::Arc::new(store);

    let s = store.clone();
    let (a, b, keep) = tokio::task::spawn_blocking(move || {
        let a = s.put(b"first sealed blob").unwrap();
        let b = s.put(b"second sealed blob").unwrap();
        let keep = s.put(b"a referenced blob").unwrap();
        assert_eq!(s.put(b"first sealed blob").unwrap(), a, "content-addressed");
        assert_eq!(s.get(&a).unwrap(), b"first sealed blob");
        let mut all = vec![a.clone(), b.clone(), keep.clone()];
        all.sort();
        assert_eq!(s.list_keys().unwrap(), all);
        assert_eq!(
            s.get(&"0".repeat(64)).unwrap_err().kind(),
            std::io::ErrorKind::NotFound
        );
        assert!(s.location().starts_with("s3://qt-") && s.location().ends_with("/district/7"));
        (a, b, keep)
    })
    .await
    .unwrap();

    // Objects live under the prefix, fanned out like the local folder.
    let names: Vec<String> = objects(&server, &bucket)
        .await
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(
        names.contains(&format!("district/7/{}/{}/{a}", &a[..2], &a[2..4])),
        "{names:?}"
    );
    assert_eq!(
        names.len(),
        3,
        "the start-up probe left nothing behind: {names:?}"
    );

    // Bytes changed in the bucket are caught on read, not served.
    let path = object_store::path::Path::from(format!("district/7/{}/{}/{b}", &b[..2], &b[2..4]));
    raw(&server, &bucket)
        .put(&path, PutPayload::from_static(b"bit rot"))
        .await
        .unwrap();
    let s = store.clone();
    let b2 = b.clone();
    let damaged = tokio::task::spawn_blocking(move || s.get(&b2).unwrap_err())
        .await
        .unwrap();
    assert_eq!(damaged.kind(), std::io::ErrorKind::InvalidData);

    // Orphans: only unreferenced objects older than the bound go.
    let s = store.clone();
    let keep2 = keep.clone();
    tokio::task::spawn_blocking(move || {
        let referenced = |k: &str| k == keep2;
        assert_eq!(
            s.remove_orphans(&referenced, Duration::from_secs(3600))
                .unwrap(),
            0,
            "young objects may belong to an upload about to commit"
        );
        assert_eq!(s.remove_orphans(&referenced, Duration::ZERO).unwrap(), 2);
        assert_eq!(s.list_keys().unwrap(), vec![keep2.clone()]);
        s.delete(&keep2).unwrap();
        s.delete(&keep2).unwrap();
        assert!(s.list_keys().unwrap().is_empty());
    })
    .await
    .unwrap();
}

/// Settings for an app on `bucket` of `server`.
fn on_bucket<'a>(server: &'a S3Server, bucket: &'a str) -> impl FnOnce(&mut Settings) + 'a {
    move |s: &mut Settings| server.apply(s, bucket, "photos")
}

/// The photo ids of a report, as its manager sees them.
async fn photo_ids(app: &TestApp, token: &str, report_id: &str) -> Vec<String> {
    let d = app
        .get(&format!("/api/v1/reports/{report_id}"), token)
        .await;
    assert_eq!(d.status, StatusCode::OK, "{:?}", d.json);
    d.json["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn fetch_photo(app: &TestApp, token: &str, report_id: &str, photo_id: &str) -> Vec<u8> {
    let a = app
        .get(
            &format!("/api/v1/reports/{report_id}/photos/{photo_id}"),
            token,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert_eq!(a.headers["content-type"], "image/jpeg");
    a.bytes
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_over_http_lands_in_the_bucket_sealed() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let bucket = server.bucket();
    let app = spawn_app_with(on_bucket(&server, &bucket)).await;
    let site = app.reporting_site().await;
    let originals = [
        photos::phone_jpeg(800, 600),
        photos::phone_jpeg(640, 480),
        photos::jpeg(500, 400),
    ];
    let a = app
        .submit_report(&site.worker_token, report("煤气柜区泄漏"), &originals)
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let id = a.json["report_id"].as_str().unwrap();

    let stored = objects(&server, &bucket).await;
    assert_eq!(stored.len(), 6, "display copy and thumbnail of each photo");
    for (name, bytes) in &stored {
        assert!(name.starts_with("photos/"), "{name}");
        assert!(!contains(bytes, &[0xFF, 0xD8, 0xFF]), "{name} holds a JPEG");
        assert!(!contains(bytes, b"Exif"), "{name} holds EXIF");
        assert!(!contains(bytes, b"JFIF"), "{name} holds a JFIF header");
        assert!(!contains(bytes, MAKE.as_bytes()) && !contains(bytes, SERIAL.as_bytes()));
    }
    assert!(
        !app.dir.path().join("blobs").exists(),
        "nothing went to the local folder"
    );

    // Served back from the bucket, decrypted and upright.
    for pid in photo_ids(&app, &site.manager_token, id).await {
        let jpeg = fetch_photo(&app, &site.manager_token, id, &pid).await;
        assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(image::load_from_memory(&jpeg).is_ok());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_store_mid_burst_gives_503_and_loses_no_acknowledged_report() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let bucket = server.bucket();
    let app = spawn_app_with(|s| {
        server.apply(s, &bucket, "photos");
        s.blob_timeout = Duration::from_secs(2);
        s.anonymous_limit_per_client = 10_000;
    })
    .await;
    let site = app.reporting_site().await;
    let photo = photos::jpeg(320, 240);

    let send = |n: usize| {
        let app = &app;
        let token = site.worker_token.clone();
        let photo = photo.clone();
        async move {
            app.submit_report(
                &token,
                report(&format!("第 {n} 份")),
                &[photo.clone(), photo.clone(), photo],
            )
            .await
        }
    };
    // A burst: the first wave lands, then the store stops answering while the second wave
    // is in flight, then it comes back for the third.
    let mut answers = Vec::new();
    for n in 0..4 {
        answers.push(send(n).await);
    }
    server.freeze();
    let frozen = futures_util::future::join_all((4..10).map(send)).await;
    server.resume();
    for n in 10..14 {
        answers.push(send(n).await);
    }

    let mut refused = 0;
    for a in &frozen {
        match a.status {
            StatusCode::CREATED => answers.push(a.clone()),
            StatusCode::SERVICE_UNAVAILABLE => {
                refused += 1;
                assert_eq!(a.code(), "photo_store_unavailable", "{:?}", a.json);
                assert_eq!(
                    a.headers["content-type"], "application/problem+json",
                    "a problem the phone can show"
                );
            }
            other => panic!("unexpected {other}: {:?}", a.json),
        }
    }
    assert!(refused > 0, "the outage was seen");
    for a in &answers {
        assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    }

    // Exactly the acknowledged reports exist, each with all three photos readable.
    let inbox = app.get("/api/v1/reports", &site.manager_token).await;
    let listed = inbox.json["items"].as_array().unwrap().len();
    assert_eq!(listed, answers.len(), "no half-stored report");
    for a in &answers {
        let id = a.json["report_id"].as_str().unwrap();
        let ids = photo_ids(&app, &site.manager_token, id).await;
        assert_eq!(ids.len(), 3);
        for pid in ids {
            let jpeg = fetch_photo(&app, &site.manager_token, id, &pid).await;
            assert!(jpeg.starts_with(&[0xFF, 0xD8]));
        }
        let follow = app
            .post_anon(
                "/m/v1/receipt",
                json!({ "receipt_code": a.json["receipt_code"] }),
            )
            .await;
        assert_eq!(follow.status, StatusCode::OK, "receipt {:?}", follow.json);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_refuses_to_start_when_the_bucket_cannot_be_used() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let settings = |bucket: &str, port: u16| {
        let mut s =
            Settings::for_data_dir(dir.path(), DatabaseUrl::Sqlite(dir.path().join("q.db")));
        s.bind = "127.0.0.1:0".parse().unwrap();
        server.apply(&mut s, bucket, "");
        s.s3.endpoint = Some(format!("http://127.0.0.1:{port}"));
        s.blob_timeout = Duration::from_secs(2);
        s
    };
    // A bucket that does not exist.
    let s = settings("no-such-bucket", server.port);
    let err = tokio::task::spawn_blocking(move || Application::build(s, Sides::All).unwrap_err())
        .await
        .unwrap();
    let msg = format!("{err:#}");
    assert!(
        msg.contains("QINGLING_BLOB_URL=s3://no-such-bucket"),
        "{msg}"
    );
    assert!(msg.contains("AWS_ENDPOINT"), "{msg}");
    // Nothing listening at the endpoint.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let s = settings("qt-bucket", closed);
    let err = tokio::task::spawn_blocking(move || Application::build(s, Sides::All).unwrap_err())
        .await
        .unwrap();
    assert!(format!("{err:#}").contains("QINGLING_BLOB_URL"), "{err:#}");
    // The blob URL is what the settings say.
    assert!(matches!(
        Settings::for_data_dir(dir.path(), DatabaseUrl::Sqlite(dir.path().join("q.db"))).blob,
        BlobUrl::File(_)
    ));
}

/// Runs `qingling ARGS` (the real command line) with `env`, on a thread of its own since the
/// command starts its own runtime; returns the exit code and what it printed.
async fn qingling(args: &[&str], env: HashMap<String, String>) -> (i32, String) {
    let args: Vec<std::ffi::OsString> = std::iter::once("qingling")
        .chain(args.iter().copied())
        .map(Into::into)
        .collect();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let code = qingling::cli::run(args, &env, &mut out);
        let _ = tx.send((code, String::from_utf8_lossy(&out).into_owned()));
    });
    rx.await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn blobs_migrate_moves_a_few_hundred_photos_then_the_bucket_alone_serves_them() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let bucket = server.bucket();
    let app = spawn_app_with(|_| {}).await;
    let site = app.reporting_site().await;
    // 40 reports of 5 photos: 200 photos, 400 blobs in the local folder.
    let mut reports = Vec::new();
    for n in 0..40u32 {
        let photos: Vec<Vec<u8>> = (0..5).map(|i| photos::jpeg(96 + n, 64 + i)).collect();
        let a = app
            .submit_report(&site.worker_token, report(&format!("第 {n} 份")), &photos)
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
        reports.push(a.json["report_id"].as_str().unwrap().to_owned());
    }
    let local = app.ctx.vault.store.list_keys().unwrap();
    assert_eq!(local.len(), 400);

    let mut env: HashMap<String, String> = server.env().into_iter().collect();
    env.insert(
        "QINGLING_DATA_DIR".into(),
        app.dir.path().display().to_string(),
    );
    env.insert(
        "QINGLING_DATABASE_URL".into(),
        app.ctx.settings.database.to_url(),
    );
    env.insert("QINGLING_LOG".into(), "warn".into());
    let to = format!("s3://{bucket}/district-7");
    let (code, printed) = qingling(&["blobs", "migrate", "--to", &to], env.clone()).await;
    assert_eq!(code, 0, "{printed}");
    assert!(
        printed.contains("400 copied and verified, 0 already there"),
        "{printed}"
    );
    assert!(
        printed.contains(&format!("QINGLING_BLOB_URL={to}")),
        "{printed}"
    );
    let stored = objects(&server, &bucket).await;
    assert_eq!(stored.len(), 400);

    // Interrupted runs resume: take ten objects away and damage one, run again.
    let raw_store = raw(&server, &bucket);
    for (name, _) in stored.iter().take(10) {
        raw_store
            .delete(&object_store::path::Path::from(name.as_str()))
            .await
            .unwrap();
    }
    raw_store
        .put(
            &object_store::path::Path::from(stored[20].0.as_str()),
            PutPayload::from_static(b"half an upload"),
        )
        .await
        .unwrap();
    let (code, printed) = qingling(&["blobs", "migrate", "--to", &to], env.clone()).await;
    assert_eq!(code, 0, "{printed}");
    assert!(
        printed.contains(
            "10 copied and verified, 389 already there, 1 damaged there and copied again"
        ),
        "{printed}"
    );

    // The same command against a bucket that is not there fails, naming the option.
    let (code, printed) = qingling(&["blobs", "migrate", "--to", "s3://no-such-bucket"], env).await;
    assert_eq!(code, 1, "{printed}");
    assert!(printed.contains("--to=s3://no-such-bucket"), "{printed}");

    // Now the bucket alone: the local folder is gone and a new instance serves every photo.
    std::fs::rename(
        app.dir.path().join("blobs"),
        app.dir.path().join("blobs.moved"),
    )
    .unwrap();
    let on_s3 = app
        .spawn_sibling(|s| server.apply(s, &bucket, "district-7"))
        .await;
    let mut served = 0;
    for rid in &reports {
        for pid in photo_ids(&on_s3, &site.manager_token, rid).await {
            let jpeg = fetch_photo(&on_s3, &site.manager_token, rid, &pid).await;
            assert!(jpeg.starts_with(&[0xFF, 0xD8]));
            served += 1;
        }
    }
    assert_eq!(served, 200);
}
