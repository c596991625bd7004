//! The sweeper's cost over a large table (ignored; run by hand):
//!
//! ```sh
//! QINGLING_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qingling_bench \
//!   cargo test -p qingling-tests --test escalation_bench -- --ignored --nocapture
//! QINGLING_BENCH_DATABASE_URL=/tmp/bench.db cargo test … (SQLite file path)
//! ```
//!
//! `one_sweep_over_a_million_reports` fills an empty database with 1,000,000 reports (99 %
//! triaged; the untriaged 1 % are the newest, a tenth of them suspected major), puts each
//! trigger's watermark ten minutes behind the due line, as a sweeper running every minute would
//! leave it, and times one sweep.
//!
//! `the_sweep_and_the_overview_over_a_million_hazards` fills 1,000,000 hazards over 100
//! enterprises of one jurisdiction (a tenth major; of the majors 99 % closed, the rest open with
//! half of those past their deadline, plus the last four days' majors still unplanned), prints
//! the plans of the sweeper's hazard queries and of the overview's overdue count, and times one
//! sweep (the hazard triggers' due set is a few dozen) and the bureau's overview and drill-down.
//! Run one test at a time (`--test-threads 1`) on one database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use diesel::QueryableByName;
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
    let stats = qingling_api::workers::sweeper::sweep(&mut c, &bench_keys(), &d, now).unwrap();
    let first = t.elapsed();
    let t = Instant::now();
    let again =
        qingling_api::workers::sweeper::sweep(&mut c, &bench_keys(), &d, time::now()).unwrap();
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

#[derive(QueryableByName)]
struct PgPlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

#[derive(QueryableByName)]
struct SqlitePlanLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

/// The database's plan for `sql`, one line per step.
fn plan(c: &mut DbConn, sql: &str) -> String {
    let lines: Vec<String> = if is_postgres(c) {
        diesel::sql_query(format!("EXPLAIN {sql}"))
            .load::<PgPlanLine>(c)
            .unwrap()
            .into_iter()
            .map(|l| l.line)
            .collect()
    } else {
        diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<SqlitePlanLine>(c)
            .unwrap()
            .into_iter()
            .map(|l| l.detail)
            .collect()
    };
    lines.join("\n")
}

#[tokio::test]
#[ignore = "fills a million hazards; run by hand"]
async fn the_sweep_and_the_overview_over_a_million_hazards() {
    use qingling_api::config::DatabaseUrl;
    use qingling_api::domain::{Actor, Role};
    use qingling_api::services::bureau;

    let url = std::env::var("QINGLING_BENCH_DATABASE_URL").expect("QINGLING_BENCH_DATABASE_URL");
    let mut c = DbConn::establish(&url).unwrap();
    conn::run_migrations(&mut c).unwrap();
    let pg = is_postgres(&c);
    let filled_at = time::now();
    let count: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM hazards")
        .get_result(&mut c)
        .unwrap();
    if count.n == 0 {
        let t = Instant::now();
        let anchor = filled_at - chrono::Duration::days(25);
        let a = anchor.format("%Y-%m-%d %H:%M:%S");
        let recent = (filled_at - chrono::Duration::minutes(5)).format("%Y-%m-%d %H:%M:%S");
        let series = |n: u32| qingling_tests::bench::series(pg, i64::from(n));
        let plus = |secs: &str| {
            if pg {
                format!("TIMESTAMP '{a}' + ({secs}) * INTERVAL '1 second'")
            } else {
                format!("datetime('{a}', '+' || ({secs}) || ' seconds')")
            }
        };
        c.batch_execute(&format!(
            "INSERT INTO enterprises (id, name, credit_code, sector, jurisdiction, intake_code, \
             created_at) SELECT 'hz-ent-' || (g - 1), 'bench ' || (g - 1), \
             '91500105HZ' || (g - 1), 'steel', 'jb/park' || (g - 1), 'HZCODE' || (g - 1), '{a}' \
             FROM {}",
            series(100)
        ))
        .unwrap();
        // created: anchor + 2 s × g (25 days ago up to 2 days ago).
        let created = plus("g * 2");
        let closed = plus("g * 2 + 86400");
        // Majors created in the last four days of the range stay registered (unplanned);
        // otherwise one major in a hundred is open (half of those overdue), the rest closed.
        let status = "CASE WHEN g % 10 <> 0 THEN 'closed' \
             WHEN g > 880000 THEN 'registered' \
             WHEN g % 1000 = 0 THEN 'rectifying' ELSE 'closed' END";
        let recent = if pg {
            format!("TIMESTAMP '{recent}'")
        } else {
            format!("'{recent}'")
        };
        c.batch_execute(&format!(
            "INSERT INTO hazards (id, enterprise_id, title, description, level, criterion_codes, \
             source, status, quarter, deadline, plan_version, created_by, created_at, closed_at, \
             updated_at) \
             SELECT 'hz-' || g, 'hz-ent-' || (g % 100), 't', 'd', \
             CASE WHEN g % 10 = 0 THEN 'major' ELSE 'general' END, '[]', 'sweep', {status}, \
             '2026Q4', \
             CASE WHEN g % 10 = 0 AND g > 880000 THEN NULL \
                  WHEN g % 2000 = 0 THEN '2026-01-01' ELSE '2099-12-31' END, \
             CASE WHEN g % 10 = 0 AND g > 880000 THEN 0 ELSE 1 END, 'bench', \
             {created}, CASE WHEN ({status}) = 'closed' THEN {closed} END, \
             CASE WHEN g % 2000 = 0 AND g > 860000 THEN {recent} ELSE {created} END \
             FROM {}",
            series(1_000_000)
        ))
        .unwrap();
        qingling_api::store::hazard_counts::rebuild(&mut c).unwrap();
        c.batch_execute("ANALYZE").unwrap();
        println!("filled 1,000,000 hazards in {:?}", t.elapsed());
    }
    c.batch_execute(
        "DELETE FROM outbox; DELETE FROM escalation_events; DELETE FROM escalation_triggers; \
         DELETE FROM escalation_stats; DELETE FROM escalations; DELETE FROM sweeper_marks;",
    )
    .unwrap();
    let now = time::now();
    let settings = Settings::for_data_dir(
        std::path::Path::new("."),
        qingling_api::config::DatabaseUrl::Sqlite("x".into()),
    );
    let d = settings.deadlines.clone();
    let behind = chrono::Duration::minutes(10);
    for (kind, delay) in [
        ("major_report_untriaged", d.triage_major),
        ("report_untriaged", d.triage),
        ("plan_missing", d.plan),
        ("plan_overdue", std::time::Duration::ZERO),
        ("bureau_deadline_passed", std::time::Duration::ZERO),
    ] {
        let mark = now - chrono::Duration::from_std(delay).unwrap() - behind;
        c.batch_execute(&format!(
            "INSERT INTO sweeper_marks VALUES ('{kind}', '{}')",
            mark.format("%Y-%m-%d %H:%M:%S%.6f")
        ))
        .unwrap();
    }

    let ts = |t: chrono::NaiveDateTime| format!("'{}'", t.format("%Y-%m-%d %H:%M:%S%.6f"));
    let lit = |t: chrono::NaiveDateTime| {
        if pg {
            format!("TIMESTAMP {}", ts(t))
        } else {
            ts(t)
        }
    };
    let plan_to = now - chrono::Duration::from_std(d.plan).unwrap();
    let plan_from = plan_to - behind - chrono::Duration::minutes(1);
    let from = now - behind - chrono::Duration::minutes(1);
    let day = |t: chrono::NaiveDateTime| t.format("'%Y-%m-%d'").to_string();
    let not_fired = "NOT EXISTS (SELECT 1 FROM escalation_triggers t WHERE t.subject_type = \
                     'hazard' AND t.subject_id = hazards.id AND t.kind = 'k')";
    let queries = [
        (
            "plan_missing",
            format!(
                "SELECT id, enterprise_id FROM hazards WHERE level = 'major' AND status = \
                 'registered' AND created_at > {} AND created_at <= {} AND {not_fired}",
                lit(plan_from),
                lit(plan_to)
            ),
        ),
        (
            "plan_overdue by deadline",
            format!(
                "SELECT id, enterprise_id FROM hazards WHERE level = 'major' AND status <> \
                 'closed' AND deadline IS NOT NULL AND deadline < {} AND deadline >= {} AND \
                 {not_fired}",
                day(now),
                day(from)
            ),
        ),
        (
            "plan_overdue by late plan",
            format!(
                "SELECT id, enterprise_id FROM hazards WHERE level = 'major' AND status <> \
                 'closed' AND deadline IS NOT NULL AND deadline < {} AND updated_at > {} AND \
                 updated_at <= {} AND {not_fired}",
                day(now),
                lit(from),
                lit(now)
            ),
        ),
        (
            "overview: overdue majors per enterprise",
            format!(
                "SELECT enterprise_id, COUNT(*) FROM hazards WHERE level = 'major' AND status <> \
                 'closed' AND enterprise_id IN ('hz-ent-0', 'hz-ent-1', 'hz-ent-2') AND \
                 deadline < {} GROUP BY enterprise_id",
                day(now)
            ),
        ),
    ];
    let backend = if pg { "postgres" } else { "sqlite" };
    for (what, sql) in &queries {
        println!("plan ({backend}) {what}:\n{}", plan(&mut c, sql));
    }

    let t = Instant::now();
    let stats = qingling_api::workers::sweeper::sweep(&mut c, &bench_keys(), &d, now).unwrap();
    let first = t.elapsed();
    let mut next = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let s =
            qingling_api::workers::sweeper::sweep(&mut c, &bench_keys(), &d, time::now()).unwrap();
        next.push((t.elapsed(), s.due));
    }
    println!(
        "backend {backend}: one sweep over 1M hazards {first:?} ({stats:?}); \
         the next three (time, due): {next:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let db = if pg {
        DatabaseUrl::Postgres(url.clone())
    } else {
        DatabaseUrl::Sqlite(url.clone().into())
    };
    let mut s = Settings::for_data_dir(dir.path(), db);
    s.pool_size = 2;
    let ctx = qingling_api::bootstrap::open(s).unwrap();
    let officer = Actor {
        user_id: "bench-officer".into(),
        role: Role::BureauOfficer,
        enterprise_id: None,
        jurisdiction: Some("jb".into()),
    };
    let mut times = Vec::new();
    let mut ov = None;
    for _ in 0..5 {
        let t = Instant::now();
        ov = Some(bureau::overview(&ctx, &officer).await.unwrap());
        times.push(t.elapsed());
    }
    let ov = ov.unwrap();
    let open: i64 = ov.enterprises.iter().map(|e| e.open_major_hazards).sum();
    let overdue: i64 = ov.enterprises.iter().map(|e| e.overdue_major_hazards).sum();
    println!(
        "backend {backend}: overview of {} enterprises over 1M hazards: {times:?} \
         (open majors {open}, overdue {overdue})",
        ov.enterprises.len()
    );
    let t = Instant::now();
    let one = bureau::drill_down(&ctx, &officer, "hz-ent-0".into())
        .await
        .unwrap();
    println!(
        "backend {backend}: drill-down of one enterprise {:?} ({} open majors listed)",
        t.elapsed(),
        one.open_major_hazards_list.len()
    );
    assert!(
        times.iter().skip(1).all(|t| t.as_millis() < 200),
        "{times:?}"
    );
}

/// A key ring for proofs signed while sweeping (the bench runs the sweep on its own connection).
fn bench_keys() -> qingling_crypto::KeyRing {
    qingling_crypto::KeyRing::new(1, qingling_crypto::MasterKey::generate())
}
