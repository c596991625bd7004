//! Every migration applies, reverts and applies again, on this run's backend; the two migration
//! trees keep the same version names.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::Connection;
use qingling_api::store::conn::{self, DbConn};
use qingling_tests::TestDb;

fn versions(dir: &str) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(dir);
    let mut v: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn both_backends_have_the_same_migration_versions() {
    let sqlite = versions("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, versions("postgres"));
}

#[test]
fn migrations_apply_revert_and_apply_again() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, url) = TestDb::create(dir.path());
    let raw = url.connection_string();
    let mut c = DbConn::establish(&raw).unwrap();
    let n = versions("sqlite").len();
    assert_eq!(conn::run_migrations(&mut c).unwrap(), n);
    assert_eq!(conn::revert_all_migrations(&mut c).unwrap(), n);
    assert_eq!(conn::run_migrations(&mut c).unwrap(), n);
    assert_eq!(
        conn::run_migrations(&mut c).unwrap(),
        0,
        "nothing left to apply"
    );
}
