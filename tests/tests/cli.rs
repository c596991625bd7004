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
