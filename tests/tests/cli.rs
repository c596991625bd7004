//! The `qingling` binary as an operator uses it: configuration errors, migrate, create-user,
//! demo and audit verify (which must notice tampering).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;

use diesel::{Connection, RunQueryDsl};
use qingling_api::config::DatabaseUrl;
use qingling_tests::TestDb;

/// What a run of the command line printed and how it exited.
struct Output {
    code: i32,
    text: String,
}

/// Runs `qingling ARGS` — the same entry point `main` calls — with only these variables set.
fn run_env(env: &[(&str, String)], args: &[&str]) -> Output {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let argv = std::iter::once("qingling")
        .chain(args.iter().copied())
        .map(OsString::from);
    let mut out = Vec::new();
    let code = qingling::cli::run(argv, &env, &mut out);
    Output {
        code,
        text: String::from_utf8(out).unwrap(),
    }
}

fn run(data: &Path, url: &DatabaseUrl, args: &[&str]) -> Output {
    run_env(
        &[
            ("QINGLING_DATA_DIR", data.display().to_string()),
            ("QINGLING_DATABASE_URL", url.to_url()),
            ("QINGLING_LOG", "warn".to_owned()),
        ],
        args,
    )
}

#[test]
fn an_unknown_database_scheme_is_a_clear_error_not_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_env(
        &[
            ("QINGLING_DATA_DIR", dir.path().display().to_string()),
            ("QINGLING_DATABASE_URL", "mysql://localhost/q".to_owned()),
        ],
        &["migrate"],
    );
    assert_eq!(o.code, 2);
    assert!(o.text.contains("sqlite://"), "{}", o.text);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing created"
    );
}

#[test]
fn migrate_then_create_user_then_demo_then_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, url) = TestDb::create(dir.path());
    let o = run(dir.path(), &url, &["migrate"]);
    assert_eq!(o.code, 0, "{}", o.text);
    assert!(o.text.contains("applied"));

    let o = run(dir.path(), &url, &["demo"]);
    assert_eq!(o.code, 0, "{}", o.text);
    let out = o.text.clone();
    for needle in [
        "江北钢铁有限公司",
        "江北铝业有限公司",
        "steel.manager",
        "bureau_officer",
        "custodian",
        "admin",
    ] {
        assert!(out.contains(needle), "{needle} missing in {out}");
    }
    let again = run(dir.path(), &url, &["demo"]);
    assert!(again.code != 0, "the demo fills only an empty database");

    let o = run(
        dir.path(),
        &url,
        &[
            "admin",
            "create-user",
            "--username",
            "ops",
            "--password",
            "long enough pw",
            "--role",
            "admin",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.text);
    let o = run(
        dir.path(),
        &url,
        &[
            "admin",
            "create-user",
            "--username",
            "w1",
            "--password",
            "long enough pw",
            "--role",
            "worker",
            "--enterprise",
            "no-such",
        ],
    );
    assert!(o.code != 0);

    let o = run(dir.path(), &url, &["audit", "verify"]);
    assert_eq!(o.code, 0, "{}", o.text);
    assert!(o.text.contains("intact"), "{}", o.text);

    // Tamper: edit one event's details, as someone with database access might.
    let raw = url.connection_string();
    let mut c = qingling_api::store::DbConn::establish(&raw).unwrap();
    diesel::sql_query("UPDATE audit_events SET details = '{\"role\":\"admin\"}' WHERE seq = 3")
        .execute(&mut c)
        .unwrap();
    let o = run(dir.path(), &url, &["audit", "verify"]);
    assert_eq!(o.code, 1, "{}", o.text);
    assert!(o.text.contains("BROKEN at event 3"), "{}", o.text);
}

#[test]
fn audit_verify_notices_a_deleted_or_reordered_event() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, url) = TestDb::create(dir.path());
    assert_eq!(run(dir.path(), &url, &["demo"]).code, 0);
    let raw = url.connection_string();
    let mut c = qingling_api::store::DbConn::establish(&raw).unwrap();
    diesel::sql_query("DELETE FROM audit_events WHERE seq = 5")
        .execute(&mut c)
        .unwrap();
    let o = run(dir.path(), &url, &["audit", "verify"]);
    assert_eq!(o.code, 1);
    assert!(o.text.contains("event 5"), "{}", o.text);

    // Swap two events' contents (keeping their sequence numbers): the links no longer hold.
    let dir2 = tempfile::tempdir().unwrap();
    let (_db2, url2) = TestDb::create(dir2.path());
    assert_eq!(run(dir2.path(), &url2, &["demo"]).code, 0);
    let raw2 = url2.connection_string();
    let mut c2 = qingling_api::store::DbConn::establish(&raw2).unwrap();
    diesel::sql_query("UPDATE audit_events SET seq = -1 WHERE seq = 7")
        .execute(&mut c2)
        .unwrap();
    diesel::sql_query("UPDATE audit_events SET seq = 7 WHERE seq = 8")
        .execute(&mut c2)
        .unwrap();
    diesel::sql_query("UPDATE audit_events SET seq = 8 WHERE seq = -1")
        .execute(&mut c2)
        .unwrap();
    let o = run(dir2.path(), &url2, &["audit", "verify"]);
    assert_eq!(o.code, 1);
    assert!(o.text.contains("BROKEN at event 7"), "{}", o.text);

    // Cut the tail: the head row remembers how long the chain was.
    let dir3 = tempfile::tempdir().unwrap();
    let (_db3, url3) = TestDb::create(dir3.path());
    assert_eq!(run(dir3.path(), &url3, &["demo"]).code, 0);
    let raw3 = url3.connection_string();
    let mut c3 = qingling_api::store::DbConn::establish(&raw3).unwrap();
    diesel::sql_query("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)")
        .execute(&mut c3)
        .unwrap();
    let o = run(dir3.path(), &url3, &["audit", "verify"]);
    assert_eq!(o.code, 1, "{}", o.text);
}

/// Runs with `input` as standard input.
fn run_input(data: &Path, url: &DatabaseUrl, args: &[&str], input: &str) -> Output {
    let env: HashMap<String, String> = [
        ("QINGLING_DATA_DIR", data.display().to_string()),
        ("QINGLING_DATABASE_URL", url.to_url()),
        ("QINGLING_LOG", "warn".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let argv = std::iter::once("qingling")
        .chain(args.iter().copied())
        .map(OsString::from);
    let mut out = Vec::new();
    let mut stdin = std::io::Cursor::new(input.as_bytes().to_vec());
    let code = qingling::cli::run_with_stdin(argv, &env, Some(&mut stdin), &mut out);
    Output {
        code,
        text: String::from_utf8(out).unwrap(),
    }
}

/// Issue 16 item 8: a password on the command line is in every user's `ps`. It can come from
/// standard input instead; the flag still works but says why not to use it; with neither (and
/// no terminal) nothing is created.
#[test]
fn create_user_takes_the_password_from_stdin_and_warns_about_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, url) = TestDb::create(dir.path());
    let create = |name: &str| {
        vec![
            "admin".to_owned(),
            "create-user".to_owned(),
            "--username".to_owned(),
            name.to_owned(),
            "--role".to_owned(),
            "admin".to_owned(),
        ]
    };
    let args = |v: &Vec<String>, extra: &[&'static str]| {
        let mut a: Vec<&str> = v.iter().map(String::as_str).collect();
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let call = |a: Vec<String>, input: &str| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        run_input(dir.path(), &url, &a, input)
    };

    let piped = call(
        args(&create("ops-stdin"), &["--password-stdin"]),
        "stdin password 1\n",
    );
    assert_eq!(piped.code, 0, "{}", piped.text);
    assert!(!piped.text.contains("warning"), "{}", piped.text);
    let flagged = call(
        args(&create("ops-flag"), &["--password", "flag password 1"]),
        "",
    );
    assert_eq!(flagged.code, 0, "{}", flagged.text);
    assert!(flagged.text.contains("process list"), "{}", flagged.text);
    let neither = call(create("ops-none"), "");
    assert_ne!(neither.code, 0, "{}", neither.text);
    assert!(
        neither.text.contains("--password-stdin"),
        "{}",
        neither.text
    );

    // The piped password is the account's password: log in with it over HTTP.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let app = qingling_tests::spawn_app_with(|s| {
            s.data_dir = dir.path().to_path_buf();
            s.database = url.clone();
        })
        .await;
        app.login_ok("ops-stdin", "stdin password 1").await;
        app.login_ok("ops-flag", "flag password 1").await;
        assert_eq!(
            app.login("ops-none", "anything 12345").await.status,
            reqwest::StatusCode::UNAUTHORIZED
        );
    });
}

/// What someone with write access to the database (and no master key) can do to the unkeyed
/// chain: rewrite event `seq`'s details and recompute every hash from it on, and the head's.
fn forge_from(url: &DatabaseUrl, seq: i64, details: &str) {
    use diesel::prelude::*;
    use qingling_api::store::audit::{AuditEvent, chain_hash};
    use qingling_api::store::schema::{audit_events, audit_head};
    let mut c = qingling_api::store::DbConn::establish(&url.connection_string()).unwrap();
    let events: Vec<AuditEvent> = audit_events::table
        .order(audit_events::seq.asc())
        .select(AuditEvent::as_select())
        .load(&mut c)
        .unwrap();
    let mut prev = qingling_api::store::audit::GENESIS.to_owned();
    for mut ev in events {
        if ev.seq == seq {
            ev.details = details.to_owned();
        }
        if ev.seq >= seq {
            let hash = chain_hash(
                &prev,
                ev.seq,
                ev.at,
                ev.actor_id.as_deref(),
                ev.actor_role.as_deref(),
                &ev.action,
                &ev.target_type,
                ev.target_id.as_deref(),
                &ev.details,
            );
            diesel::update(audit_events::table.filter(audit_events::seq.eq(ev.seq)))
                .set((
                    audit_events::details.eq(&ev.details),
                    audit_events::prev_hash.eq(&prev),
                    audit_events::hash.eq(&hash),
                ))
                .execute(&mut c)
                .unwrap();
            ev.hash = hash;
        }
        prev = ev.hash;
    }
    diesel::update(audit_head::table)
        .set(audit_head::hash.eq(&prev))
        .execute(&mut c)
        .unwrap();
}

/// Issue 16 item 8: the audit chain was unkeyed and its head lived in the same database, so
/// whoever could write the database could rewrite or cut it and recompute every hash. Keyed, an
/// edited event fails even with its hashes recomputed; a cut tail fails against the head
/// exported by `qingling audit head`, even when the database's own head was rewound.
#[test]
fn the_keyed_audit_chain_catches_a_recomputed_edit_and_an_exported_head_a_cut_tail() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, url) = TestDb::create(dir.path());
    assert_eq!(run(dir.path(), &url, &["demo"]).code, 0);
    let head = run(dir.path(), &url, &["audit", "head"]);
    assert_eq!(head.code, 0, "{}", head.text);
    let exported = head.text.trim().to_owned();
    let (seq, _) = exported.split_once(':').expect("SEQ:HEX");
    let seq: i64 = seq.parse().unwrap();
    assert!(seq > 5, "{exported}");
    let head_file = dir.path().join("audit-head.txt");
    std::fs::write(&head_file, format!("{exported}\n")).unwrap();
    let ok = run(
        dir.path(),
        &url,
        &["audit", "verify", "--head", head_file.to_str().unwrap()],
    );
    assert_eq!(ok.code, 0, "{}", ok.text);
    assert!(ok.text.contains(&format!("{seq} keyed")), "{}", ok.text);

    // Edit event 3 and recompute the unkeyed chain, as someone without the key can.
    forge_from(&url, 3, "{\"role\":\"worker\"}");
    let o = run(dir.path(), &url, &["audit", "verify"]);
    assert_eq!(o.code, 1, "{}", o.text);
    assert!(o.text.contains("BROKEN at event 3"), "{}", o.text);
    assert!(o.text.contains("keyed MAC"), "{}", o.text);

    // Another installation: cut the last two events and rewind the head.
    let dir2 = tempfile::tempdir().unwrap();
    let (_db2, url2) = TestDb::create(dir2.path());
    assert_eq!(run(dir2.path(), &url2, &["demo"]).code, 0);
    let exported = run(dir2.path(), &url2, &["audit", "head"])
        .text
        .trim()
        .to_owned();
    let last: i64 = exported.split_once(':').unwrap().0.parse().unwrap();
    let mut c = qingling_api::store::DbConn::establish(&url2.connection_string()).unwrap();
    diesel::sql_query(format!("DELETE FROM audit_events WHERE seq > {}", last - 2))
        .execute(&mut c)
        .unwrap();
    diesel::sql_query(format!(
        "UPDATE audit_head SET seq = {0}, hash = (SELECT hash FROM audit_events WHERE seq = {0})",
        last - 2
    ))
    .execute(&mut c)
    .unwrap();
    let o = run(dir2.path(), &url2, &["audit", "verify"]);
    assert_eq!(o.code, 1, "the keyed head still says {last}: {}", o.text);
    // A thorough cutter also wipes every MAC and the keyed head, so the chain looks unkeyed and
    // is keyed again at the next start: only the exported head tells.
    diesel::sql_query("UPDATE audit_events SET mac = NULL")
        .execute(&mut c)
        .unwrap();
    diesel::sql_query("UPDATE audit_head SET keyed_seq = 0, mac = NULL, keyed_from = NULL")
        .execute(&mut c)
        .unwrap();
    let o = run(dir2.path(), &url2, &["audit", "verify"]);
    assert_eq!(
        o.code, 0,
        "without the exported head it cannot tell: {}",
        o.text
    );
    let o = run(
        dir2.path(),
        &url2,
        &["audit", "verify", "--head", &exported],
    );
    assert_eq!(o.code, 1, "{}", o.text);
    assert!(o.text.contains("exported head"), "{}", o.text);
}

/// The demo's printed `username role password who` lines, as `username → password`.
fn demo_passwords(printed: &str) -> HashMap<String, String> {
    printed
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let (user, role, pw) = (w.next()?, w.next()?, w.next()?);
            qingling_api::domain::Role::parse(role).map(|_| (user.to_owned(), pw.to_owned()))
        })
        .collect()
}

/// The text of an HTML fragment, tags dropped and white space collapsed.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The cells of the congress page's hazard table, row by row.
fn congress_page_rows(html: &str) -> Vec<Vec<String>> {
    let Some(table) = html.split("id=\"congress-hazards\"").nth(1) else {
        return Vec::new();
    };
    let body = table
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tbody>")
        .next()
        .unwrap();
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| text_of(&format!("<td{cell}")))
                .collect()
        })
        .collect()
}

async fn console_sign_in(app: &qingling_tests::TestApp, user: &str, pw: &str) -> String {
    let r = app
        .client
        .post(format!("{}/console/login", app.base))
        .header("origin", &app.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username={user}&password={pw}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "console sign-in of {user}");
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    set.split(';').next().unwrap().to_owned()
}

/// `qingling demo` leaves a quarter of history that every console page can show: checked
/// through the real API and the console as each role sees it (issue 13, item 6), and the
/// congress XLSX against the printable page (item 3).
///
/// The demo runs before the server starts, as the README says: a serving instance's escalation
/// sweeper works on the real clock and would move its marks past the demo's simulated days.
#[test]
fn demo_fills_a_quarter_of_history_that_every_page_can_show() {
    let dir = tempfile::tempdir().unwrap();
    let (db, url) = TestDb::create(dir.path());
    let started = std::time::Instant::now();
    let o = run(dir.path(), &url, &["demo"]);
    let took = started.elapsed();
    let audit = run(dir.path(), &url, &["audit", "verify"]);
    assert_eq!(audit.code, 0, "{}", audit.text);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(check_demo(dir, db, url, o, took));
}

async fn check_demo(
    dir: tempfile::TempDir,
    db: TestDb,
    url: DatabaseUrl,
    o: Output,
    took: std::time::Duration,
) {
    use serde_json::Value;
    let app = qingling_tests::spawn_app_on(dir, db, url, |_| {}).await;
    assert_eq!(o.code, 0, "{}", o.text);
    println!(
        "qingling demo took {took:?}: {}",
        o.text
            .lines()
            .filter(|l| l.starts_with("History"))
            .collect::<String>()
    );
    assert!(o.text.contains("History of the last"), "{}", o.text);
    let pw = demo_passwords(&o.text);
    assert_eq!(pw.len(), 14, "{pw:?}");
    let token = |u: &str| {
        let p = pw[u].clone();
        let app = &app;
        let u = u.to_owned();
        async move { app.login_ok(&u, &p).await }
    };
    let items = |a: &qingling_tests::Answer| -> Vec<Value> {
        assert_eq!(a.status, 200, "{:?}", a.json);
        a.json["items"].as_array().cloned().unwrap_or_default()
    };

    let now = chrono::Utc::now();
    for firm in ["steel", "alu"] {
        let m = token(&format!("{firm}.manager")).await;
        // The ledger has hazards in every state, from reports and from the quarterly sweep.
        for status in [
            "registered",
            "rectifying",
            "awaiting_verification",
            "closed",
        ] {
            let a = app
                .get(&format!("/api/v1/hazards?status={status}"), &m)
                .await;
            assert!(!items(&a).is_empty(), "{firm}: no {status} hazard");
        }
        let sweep = items(&app.get("/api/v1/hazards?source=sweep", &m).await);
        assert!(!sweep.is_empty(), "{firm}: no sweep finding");
        assert!(
            sweep.iter().all(|h| h["sweep_id"].is_string()),
            "{firm}: {sweep:?}"
        );
        // Rectifying hazards carry a plan; closed ones carry evidence.
        for (status, what) in [("rectifying", "plan"), ("closed", "evidence")] {
            let h = &items(
                &app.get(&format!("/api/v1/hazards?status={status}"), &m)
                    .await,
            )[0];
            let d = app
                .get(
                    &format!("/api/v1/hazards/{}", h["id"].as_str().unwrap()),
                    &m,
                )
                .await;
            assert!(
                !d.json[what].is_null() && d.json[what] != Value::Array(vec![]),
                "{firm}: {status} hazard without {what}: {}",
                d.json
            );
        }
        // Reports over the last quarter, confidential and anonymous, with photos, some waiting.
        let reports = items(&app.get("/api/v1/reports?limit=200", &m).await);
        assert!(reports.len() >= 8, "{firm}: {} reports", reports.len());
        let modes: std::collections::HashSet<&str> =
            reports.iter().filter_map(|r| r["mode"].as_str()).collect();
        assert!(
            modes.contains("confidential") && modes.contains("anonymous"),
            "{firm}: {modes:?}"
        );
        assert!(
            reports.iter().any(|r| r["status"] == "submitted"),
            "{firm}: nothing to triage"
        );
        let oldest = reports
            .iter()
            .filter_map(|r| r["created_at"].as_str())
            .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .min()
            .unwrap();
        let age = now.signed_duration_since(oldest).num_days();
        assert!(
            (60..=95).contains(&age),
            "{firm}: oldest report {age} days old"
        );
        let with_photo = &reports.iter().find(|r| r["status"] == "accepted").unwrap()["id"];
        let detail = app
            .get(
                &format!("/api/v1/reports/{}", with_photo.as_str().unwrap()),
                &m,
            )
            .await;
        let photo = &detail.json["photos"][0]["id"];
        let jpeg = app
            .get(
                &format!(
                    "/api/v1/reports/{}/photos/{}",
                    with_photo.as_str().unwrap(),
                    photo.as_str().unwrap()
                ),
                &m,
            )
            .await;
        assert_eq!(jpeg.status, 200, "{}", detail.json);
        assert_eq!(&jpeg.bytes[..2], &[0xFF, 0xD8]);
        // A failed verification on the way.
        let mut failed = false;
        for h in items(&app.get("/api/v1/hazards?limit=200", &m).await) {
            let d = app
                .get(
                    &format!("/api/v1/hazards/{}", h["id"].as_str().unwrap()),
                    &m,
                )
                .await;
            failed |= d.json["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["kind"] == "verification_failed");
        }
        assert!(failed, "{firm}: no failed verification");
        // A disclosure request at each smelter.
        let c = token(&format!("{firm}.custodian1")).await;
        assert!(
            !items(&app.get("/api/v1/disclosures", &c).await).is_empty(),
            "{firm}: no disclosure"
        );
    }
    // Rewards in every status (over the two smelters).
    let mut statuses = std::collections::HashSet::new();
    for firm in ["steel", "alu"] {
        let m = token(&format!("{firm}.manager")).await;
        for r in items(&app.get("/api/v1/rewards?limit=200", &m).await) {
            statuses.insert(r["status"].as_str().unwrap().to_owned());
        }
    }
    for s in ["proposed", "approved", "rejected", "paid"] {
        assert!(statuses.contains(s), "no {s} reward: {statuses:?}");
    }
    // The bureau sees an escalation under supervision (督办), and others.
    let b = token("bureau.district").await;
    let esc = items(&app.get("/api/v1/bureau/escalations?limit=200", &b).await);
    let kinds: std::collections::HashSet<&str> =
        esc.iter().filter_map(|e| e["status"].as_str()).collect();
    for s in ["supervising", "acknowledged", "open"] {
        assert!(kinds.contains(s), "no {s} escalation: {kinds:?}");
    }

    // The console: the overview and the congress report, as a page and as XLSX, agree.
    let cookie = console_sign_in(&app, "steel.manager", &pw["steel.manager"]).await;
    let get = |path: String| {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            app.client
                .get(format!("{}{path}", app.base))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    let overview = get("/console/overview".into()).await;
    assert_eq!(overview.status(), 200);
    let exports = get("/console/exports".into()).await.text().await.unwrap();
    assert!(
        exports.contains("/console/exports/congress.xlsx"),
        "导出 links the XLSX"
    );
    let quarter = {
        use chrono::Datelike;
        let d = (now + chrono::TimeDelta::hours(8)).date_naive();
        format!("{}Q{}", d.year(), (d.month() - 1) / 3 + 1)
    };
    let page = get(format!("/console/exports/congress?quarter={quarter}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("/console/exports/congress.xlsx?quarter={quarter}")));
    let page_rows = congress_page_rows(&html);
    assert!(
        page_rows.len() >= 3,
        "{quarter}: {} major hazards on the page",
        page_rows.len()
    );
    let x = get(format!("/console/exports/congress.xlsx?quarter={quarter}")).await;
    assert_eq!(x.status(), 200);
    assert!(
        x.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("congress-{quarter}.xlsx"))
    );
    assert!(
        x.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let bytes = x.bytes().await.unwrap();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("职代会报告").unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(cells[0][0].contains(&quarter), "{:?}", cells[0]);
    let header = cells
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "序号"))
        .unwrap();
    assert_eq!(
        cells[header],
        [
            "序号",
            "隐患名称",
            "区域",
            "来源",
            "发现日期",
            "整改措施",
            "整改期限",
            "是否逾期",
            "状态",
            "销号日期"
        ]
    );
    let sheet_rows = &cells[header + 1..];
    assert_eq!(sheet_rows.len(), page_rows.len());
    for (s, p) in sheet_rows.iter().zip(&page_rows) {
        // The page: #, title, area, source, found, measures, deadline (+ 逾期 badge), status, closed.
        let source = p[3].as_str();
        let deadline = if s[7] == "逾期" {
            format!("{} 逾期", s[6])
        } else {
            s[6].clone()
        };
        assert_eq!(
            (
                &s[0],
                &s[1],
                &s[2],
                s[3].as_str(),
                &s[4],
                &s[5],
                &deadline,
                &s[8],
                &s[9]
            ),
            (
                &p[0], &p[1], &p[2], source, &p[4], &p[5], &p[6], &p[7], &p[8]
            ),
        );
    }
    let totals = &cells[1][0];
    assert!(
        totals.contains(&format!("重大事故隐患 {} 项", page_rows.len())),
        "{totals}"
    );
}
