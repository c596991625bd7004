//! The ledger at a million hazards (ignored; run by hand, one backend at a time):
//!
//! ```sh
//! cargo test --release -p qingling-tests --test ledger_bench -- --ignored --nocapture
//! QINGLING_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo test --release -p qingling-tests --test ledger_bench -- --ignored --nocapture
//! ```
//!
//! It starts the real application on a fresh database (as every test does), registers an
//! enterprise with eight areas through the API, fills 1,000,000 hazards over two years (10 %
//! major, 20 % from sweeps; the oldest 90 % closed but for a few left rectifying past their
//! deadline, the newest 100,000 in every state) with a 五落实 plan for each planned one, and then:
//!
//! - for the ledger page query under each filter (none, level, status, area, source, quarter,
//!   overdue) and the workers' board, prints the plan the database chose for the SQL the store
//!   really sends (captured through diesel's instrumentation) and times `store::hazards::list`
//!   itself: the first page and a page half a million rows deep;
//! - downloads `ledger.csv` and `ledger.xlsx` over HTTP for the whole range, printing rows per
//!   second and the server's peak resident memory (this process is the server: the peak is
//!   reset through `/proc/self/clear_refs` before each export and read from `VmHWM` after).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::connection::{Connection, InstrumentationEvent, SimpleConnection};
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};
use qingling_api::services::hazards::today;
use qingling_api::store::conn::{DbConn, is_postgres};
use qingling_api::store::hazards::{self, ExportRange, HazardFilter};
use qingling_api::store::pagination::{Cursor, PageRequest};
use qingling_tests::bench::{HazardFill, fill_hazards};
use qingling_tests::{TestApp, spawn_app_with};
use serde_json::json;

const ROWS: i64 = 1_000_000;
const AREAS: usize = 8;
/// The page size the exports use.
const EXPORT_PAGE: i64 = 2000;

#[derive(QueryableByName)]
struct SqlitePlan {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[diesel(column_name = "QUERY PLAN")]
    line: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    created_at: NaiveDateTime,
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

fn fill(c: &mut DbConn, ent: &str, areas: &[String]) {
    let arms: String = areas
        .iter()
        .enumerate()
        .map(|(i, a)| format!(" WHEN {i} THEN '{a}'"))
        .collect();
    let t = Instant::now();
    fill_hazards(
        c,
        &HazardFill {
            rows: ROWS,
            enterprise: &format!("'{ent}'"),
            area: &format!("CASE g % {AREAS}{arms} END"),
        },
    );
    c.batch_execute("ANALYZE").unwrap();
    println!("filled {ROWS} hazards and their plans in {:?}", t.elapsed());
}

/// The SQL of the next query `f` runs on `c` and its binds as SQL literals.
fn captured_sql(c: &mut DbConn, f: impl FnOnce(&mut DbConn)) -> (String, Vec<String>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = seen.clone();
    c.set_instrumentation(move |e: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = e {
            sink.lock().unwrap().push(query.to_string());
        }
    });
    f(c);
    c.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    let text = seen.lock().unwrap().last().cloned().unwrap();
    let (sql, binds) = text.rsplit_once(" -- binds: ").unwrap();
    let literals: Vec<String> = binds
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(", ")
        .filter(|b| !b.is_empty())
        .map(|b| {
            if let Some(s) = b.strip_prefix('"') {
                format!("'{}'", s.trim_end_matches('"'))
            } else if b.parse::<i64>().is_ok() {
                b.to_owned()
            } else {
                // A timestamp: stored as 'YYYY-MM-DD HH:MM:SS…' text on SQLite.
                format!("'{}'", b.replace('T', " "))
            }
        })
        .collect();
    (sql.to_owned(), literals)
}

/// The plan of the query as the application sends it: on PostgreSQL, with the values written
/// in (the application's unnamed statements are planned for their values) and run (ANALYZE);
/// on SQLite, with the values bound as parameters, as the application binds them — SQLite
/// plans differently for literals (a parameter never implies a partial index's WHERE).
fn explain(c: &mut DbConn, sql: &str, literals: &[String]) -> Vec<String> {
    if is_postgres(c) {
        let mut sql = sql.to_owned();
        for (i, l) in literals.iter().enumerate().rev() {
            sql = sql.replace(&format!("${}", i + 1), l);
        }
        diesel::sql_query(format!("EXPLAIN (ANALYZE, BUFFERS) {sql}"))
            .load::<PgPlan>(c)
            .unwrap()
            .into_iter()
            .map(|p| p.line)
            .collect()
    } else {
        let mut q = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).into_boxed();
        for l in literals {
            q = match l.strip_prefix('\'') {
                Some(text) => q.bind::<Text, _>(text.trim_end_matches('\'').to_owned()),
                None => q.bind::<BigInt, _>(l.parse::<i64>().unwrap()),
            };
        }
        q.load::<SqlitePlan>(c)
            .unwrap()
            .into_iter()
            .map(|p| p.detail)
            .collect()
    }
}

fn time_page(c: &mut DbConn, f: &HazardFilter, page: &PageRequest) -> (Duration, Duration, usize) {
    let mut runs = Vec::new();
    let mut n = 0;
    for _ in 0..25 {
        let t = Instant::now();
        n = hazards::list(c, f, page).unwrap().len();
        runs.push(t.elapsed());
    }
    runs.sort();
    (runs[runs.len() / 2], runs[runs.len() * 9 / 10], n)
}

fn peak_rss_reset() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

fn status_kb(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

async fn export(app: &TestApp, token: &str, ext: &str) {
    peak_rss_reset();
    let before = status_kb("VmRSS:");
    let t = Instant::now();
    let mut resp = app
        .client
        .get(format!(
            "{}/api/v1/ledger.{ext}?from=2020-01-01&to=2029-12-31",
            app.base
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = resp.chunk().await.unwrap() {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let secs = t.elapsed().as_secs_f64();
    let peak = status_kb("VmHWM:");
    if ext == "csv" {
        assert_eq!(lines as i64, ROWS + 1, "header and every hazard");
    }
    println!(
        "ledger.{ext}: {bytes} bytes in {secs:.2} s = {:.0} rows/s; process RSS {} MB before, \
         peak {} MB during (server and client in one process)",
        ROWS as f64 / secs,
        before / 1024,
        peak / 1024
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "fills a million hazards; run by hand"]
async fn the_ledger_at_a_million_hazards() {
    let app = spawn_app_with(|s| {
        s.log_filter = "error".into();
    })
    .await;
    let site = app.ledger_site("steel").await;
    let mut areas = vec![site.area_id.clone()];
    for i in 1..AREAS {
        let a = app
            .post(
                &format!("/api/v1/enterprises/{}/areas", site.id),
                &site.manager,
                json!({ "name": format!("区域 {i}") }),
            )
            .await;
        areas.push(a.json["id"].as_str().unwrap().to_owned());
    }
    let ent = site.id.clone();
    let area3 = areas[3].clone();
    app.ctx
        .db(move |c| {
            fill(c, &ent, &areas);
            Ok(())
        })
        .await
        .unwrap();

    let ent = site.id.clone();
    app.ctx
        .db(move |c| {
            let backend = if is_postgres(c) { "postgres" } else { "sqlite" };
            let n: Count = diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM hazards WHERE status <> 'closed' AND deadline < '{}'",
                today()
            ))
            .get_result(c)
            .unwrap();
            println!("backend {backend}: {} overdue hazards", n.n);
            let deep: Position = diesel::sql_query(
                "SELECT created_at, id FROM hazards ORDER BY created_at DESC, id DESC \
                 LIMIT 1 OFFSET 500000",
            )
            .get_result(c)
            .unwrap();
            let base = HazardFilter {
                enterprise_id: ent.clone(),
                ..HazardFilter::default()
            };
            let cases: Vec<(&str, HazardFilter)> = vec![
                ("no filter", base.clone()),
                (
                    "level=major",
                    HazardFilter {
                        level: Some("major".into()),
                        ..base.clone()
                    },
                ),
                (
                    "status=rectifying",
                    HazardFilter {
                        status: Some("rectifying".into()),
                        ..base.clone()
                    },
                ),
                (
                    "status=closed (board filter)",
                    HazardFilter {
                        status: Some("closed".into()),
                        ..base.clone()
                    },
                ),
                (
                    "area_id",
                    HazardFilter {
                        area_id: Some(area3.clone()),
                        ..base.clone()
                    },
                ),
                (
                    "source=sweep",
                    HazardFilter {
                        source: Some("sweep".into()),
                        ..base.clone()
                    },
                ),
                (
                    "quarter",
                    HazardFilter {
                        quarter: Some(quarter_of(c)),
                        ..base.clone()
                    },
                ),
                (
                    "overdue",
                    HazardFilter {
                        overdue_on: Some(today()),
                        ..base.clone()
                    },
                ),
                (
                    "level=major&overdue",
                    HazardFilter {
                        level: Some("major".into()),
                        overdue_on: Some(today()),
                        ..base.clone()
                    },
                ),
            ];
            for (name, f) in cases {
                let first = PageRequest::parse(None, Some(50)).unwrap();
                let deep_page = PageRequest::parse(
                    Some(
                        &Cursor {
                            created_at: deep.created_at,
                            id: deep.id.clone(),
                        }
                        .encode(),
                    ),
                    Some(50),
                )
                .unwrap();
                let (sql, binds) = captured_sql(c, |c| {
                    hazards::list(c, &f, &deep_page).unwrap();
                });
                println!("\n== {backend}: ledger page, {name}\n{sql}\n   binds: {binds:?}");
                for line in explain(c, &sql, &binds) {
                    println!("   {line}");
                }
                let (med, p90, n) = time_page(c, &f, &first);
                let (dmed, dp90, dn) = time_page(c, &f, &deep_page);
                println!(
                    "   first page ({n} rows): median {med:?}, p90 {p90:?}; \
                     500k deep ({dn} rows): median {dmed:?}, p90 {dp90:?}"
                );
            }
            export_query(c, &ent, &deep);
            Ok(())
        })
        .await
        .unwrap();

    export(&app, &site.manager, "csv").await;
    export(&app, &site.manager, "xlsx").await;
}

/// The export's page query: its plan half a million rows deep, and how fast the store alone
/// reads the whole ledger through it (what the exports cannot go faster than, but for overlap).
fn export_query(c: &mut DbConn, ent: &str, deep: &Position) {
    let backend = if is_postgres(c) { "postgres" } else { "sqlite" };
    let range = ExportRange {
        enterprise_id: ent.to_owned(),
        from: chrono::NaiveDate::from_ymd_opt(2019, 12, 31)
            .unwrap()
            .and_hms_opt(16, 0, 0)
            .unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2029, 12, 31)
            .unwrap()
            .and_hms_opt(16, 0, 0)
            .unwrap(),
        level: None,
    };
    let cursor = Cursor {
        created_at: deep.created_at,
        id: deep.id.clone(),
    };
    let (sql, binds) = captured_sql(c, |c| {
        hazards::export_page(c, &range, Some(&cursor), EXPORT_PAGE).unwrap();
    });
    println!("\n== {backend}: export page, 500k deep\n{sql}\n   binds: {binds:?}");
    for line in explain(c, &sql, &binds) {
        println!("   {line}");
    }
    let backend_pid = if is_postgres(c) {
        #[derive(QueryableByName)]
        struct Pid {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            pid: i32,
        }
        let p: Pid = diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result(c)
            .unwrap();
        Some(p.pid.to_string())
    } else {
        None
    };
    let cpu = |who: &str| -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{who}/stat")).unwrap();
        let f: Vec<&str> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
    };
    let (ours0, theirs0) = (cpu("thread-self"), backend_pid.as_deref().map(cpu));
    let t = Instant::now();
    let (mut after, mut n) = (None, 0usize);
    loop {
        let lines = hazards::export_page(c, &range, after.as_ref(), EXPORT_PAGE).unwrap();
        n += lines.len();
        if (lines.len() as i64) < EXPORT_PAGE {
            break;
        }
        after = lines.last().map(|l| l.cursor());
    }
    let secs = t.elapsed().as_secs_f64();
    let ours = cpu("thread-self") - ours0;
    let theirs = backend_pid
        .as_deref()
        .map(|p| {
            format!(
                ", the PostgreSQL backend {:.2} s",
                cpu(p) - theirs0.unwrap_or(0.0)
            )
        })
        .unwrap_or_default();
    assert_eq!(n as i64, ROWS);
    println!(
        "   the store alone reads all {n} lines in pages of {EXPORT_PAGE}: {secs:.2} s = {:.0} rows/s",
        n as f64 / secs
    );
    println!("   CPU time: this thread {ours:.2} s{theirs}");
}

/// A quarter in the middle of the filled range.
fn quarter_of(c: &mut DbConn) -> String {
    #[derive(QueryableByName)]
    struct Q {
        #[diesel(sql_type = diesel::sql_types::Text)]
        quarter: String,
    }
    diesel::sql_query("SELECT quarter FROM hazards ORDER BY created_at, id LIMIT 1 OFFSET 500000")
        .get_result::<Q>(c)
        .unwrap()
        .quarter
}
