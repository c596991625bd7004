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
