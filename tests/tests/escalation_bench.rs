//! The sweeper's cost over a large table (ignored; run by hand):
//!
//! ```sh
//! QINGLING_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qingling_bench \
//!   cargo test -p qingling-tests --test escalation_bench -- --ignored --nocapture
//! QINGLING_BENCH_DATABASE_URL=/tmp/bench.db cargo test … (SQLite file path)
//! ```
//!
//! It fills an empty database with 1,000,000 reports (99 % triaged; the untriaged 1 % are
//! the newest, a tenth of them suspected major), puts each trigger's watermark ten minutes behind
//! the due line, as a sweeper running every minute would leave it, and times one sweep.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl};
use qingling_api::config::Settings;
use qingling_api::store::conn::{self, DbConn, is_postgres};
use qingling_api::store::time;

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[test]
#[ignore = "fills a million rows; run by hand"]
fn one_sweep_over_a_million_reports() {
    let url = std::env::var("QINGLING_BENCH_DATABASE_URL").expect("QINGLING_BENCH_DATABASE_URL");
    let mut c = DbConn::establish(&url).unwrap();
    conn::run_migrations(&mut c).unwrap();
    let settings = Settings::for_data_dir(
        std::path::Path::new("."),
        qingling_api::config::DatabaseUrl::Sqlite("x".into()),
    );
    let d = settings.deadlines.clone();
    let now = time::now();
    let anchor = now - chrono::Duration::days(30);
    let count: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM reports")
        .get_result(&mut c)
        .unwrap();
    if count.n == 0 {
        let t = Instant::now();
        let a = anchor.format("%Y-%m-%d %H:%M:%S");
        c.batch_execute(&format!(
            "INSERT INTO enterprises VALUES ('bench-ent', 'bench', '91500105BENCH0000X', 'steel', \
             'jb/park', 'BENCHCODE', '{a}')"
        ))
        .unwrap();
        let series = if is_postgres(&c) {
            "generate_series(1, 1000000) AS s(g)".to_owned()
        } else {
            "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 1000000) \
             SELECT g FROM s) AS s"
                .to_owned()
        };
        let created = if is_postgres(&c) {
            format!("TIMESTAMP '{a}' + g * INTERVAL '2 seconds'")
        } else {
            format!("datetime('{a}', '+' || (g * 2) || ' seconds')")
        };
        c.batch_execute(&format!(
            "INSERT INTO reports (id, enterprise_id, title, description, suspected_level, \
             criterion_codes, mode, pseudonym, receipt_hash, status, created_at, updated_at) \
             SELECT 'bench-' || g, 'bench-ent', 't', 'd', \
             CASE WHEN g % 10 = 0 THEN 'major' ELSE 'general' END, '[]', 'anonymous', 'p', \
             'h' || g, CASE WHEN g <= 990000 THEN 'accepted' ELSE 'submitted' END, \
             {created}, {created} FROM {series}"
        ))
        .unwrap();
        c.batch_execute("ANALYZE").unwrap();
        println!("filled 1,000,000 reports in {:?}", t.elapsed());
    }
    c.batch_execute(
        "DELETE FROM outbox; DELETE FROM escalation_events; DELETE FROM escalation_triggers; \
         DELETE FROM escalation_stats; DELETE FROM escalations; DELETE FROM sweeper_marks;",
    )
    .unwrap();
    let behind = chrono::Duration::minutes(10);
    for (kind, delay) in [
        ("major_report_untriaged", d.triage_major),
        ("report_untriaged", d.triage),
        ("bureau_deadline_passed", std::time::Duration::ZERO),
    ] {
        let mark = now - chrono::Duration::from_std(delay).unwrap() - behind;
        c.batch_execute(&format!(
            "INSERT INTO sweeper_marks VALUES ('{kind}', '{}')",
            mark.format("%Y-%m-%d %H:%M:%S%.6f")
        ))
        .unwrap();
    }
    let t = Instant::now();
    let stats = qingling_api::workers::sweeper::sweep(&mut c, &d, now).unwrap();
    let first = t.elapsed();
    let t = Instant::now();
    let again = qingling_api::workers::sweeper::sweep(&mut c, &d, time::now()).unwrap();
    println!(
        "backend {}: one sweep {first:?} ({stats:?}); the next sweep {:?} ({again:?})",
        if is_postgres(&c) {
            "postgres"
        } else {
            "sqlite"
        },
        t.elapsed()
    );
}
