//! The console and the report inbox at a million rows (ignored; run by hand, one backend at a
//! time; the figures in the console's README section come from PostgreSQL):
//!
//! ```sh
//! QINGLING_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo test --release -p qingling-tests --test console_bench -- --ignored --nocapture
//! ```
//!
//! It starts the real application, registers an enterprise with eight areas through the API,
//! fills 1,000,000 hazards (10 % major, 20 % from sweeps, the newest 100,000 in every state)
//! with a plan for each planned one, and 1,000,000 reports (the newest 1,000 awaiting triage),
//! signs a manager in through `/console/login`, and then
//!
//! - prints the plan of the inbox's page query 500,000 rows deep, as the row-value keyset the
//!   service now sends, and as the `created_at < ? OR (created_at = ? AND id < ?)` it sent
//!   before (EXPLAIN ANALYZE on PostgreSQL);
//! - times `GET /api/v1/reports` at that depth, and each console page over HTTP (the server
//!   is this process, on loopback): the inbox (first page and 500,000 deep), the ledger
//!   unfiltered and with its filters, a hazard, the report page and 概览 — median and 90th
//!   percentile of 20 requests each.
//!
//! The rows are written by SQL, not through the hazard transitions, so the counts 概览 reads
//! (`hazard_stats`, `hazard_months`) are rebuilt afterwards with the very statements their
//! migrations back-fill them with.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::{QueryableByName, RunQueryDsl};
use qingling_api::store::conn::{DbConn, is_postgres};
use qingling_api::store::pagination::Cursor;
use qingling_tests::{PASSWORD, spawn_app_with};
use serde_json::json;

const ROWS: i64 = 1_000_000;
const AREAS: usize = 8;

#[derive(QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[diesel(column_name = "QUERY PLAN")]
    line: String,
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    created_at: NaiveDateTime,
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

fn series(pg: bool) -> String {
    if pg {
        format!("generate_series(1, {ROWS}) AS s(g)")
    } else {
        format!(
            "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {ROWS}) \
             SELECT g FROM s) AS s"
        )
    }
}

fn fill(c: &mut DbConn, ent: &str, areas: &[String]) {
    let pg = is_postgres(c);
    let anchor = (qingling_api::store::time::now() - chrono::Duration::days(730))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let (created, quarter, deadline, closed) = if pg {
        (
            format!("TIMESTAMP '{anchor}' + g * INTERVAL '1 minute'"),
            "to_char(c, 'YYYY\"Q\"Q')".to_owned(),
            "to_char(c + INTERVAL '30 days', 'YYYY-MM-DD')".to_owned(),
            "c + INTERVAL '20 days'".to_owned(),
        )
    } else {
        (
            format!("datetime('{anchor}', '+' || g || ' minutes')"),
            "strftime('%Y', c) || 'Q' || ((CAST(strftime('%m', c) AS INTEGER) + 2) / 3)".to_owned(),
            "date(c, '+30 days')".to_owned(),
            "datetime(c, '+20 days')".to_owned(),
        )
    };
    let arms: String = areas
        .iter()
        .enumerate()
        .map(|(i, a)| format!(" WHEN {i} THEN '{a}'"))
        .collect();
    let area = format!("CASE g % {AREAS}{arms} END");
    let newest = ROWS - 100_000;
    let status = format!(
        "CASE WHEN g <= {newest} THEN (CASE WHEN g % 500 = 0 THEN 'rectifying' ELSE 'closed' END) \
         ELSE (CASE g % 20 WHEN 0 THEN 'registered' WHEN 1 THEN 'rectifying' \
         WHEN 2 THEN 'rectifying' WHEN 3 THEN 'awaiting_verification' ELSE 'closed' END) END"
    );
    let s = series(pg);
    let t = Instant::now();
    c.batch_execute(&format!(
        "INSERT INTO hazards (id, enterprise_id, area_id, title, description, level, \
         criterion_codes, source, report_id, sweep_id, status, quarter, deadline, plan_version, \
         created_by, created_at, closed_at, updated_at) \
         SELECT 'h' || (1000000 + g), '{ent}', {area}, '隐患 ' || g, 'd', \
         CASE WHEN g % 10 = 0 THEN 'major' ELSE 'general' END, '[]', \
         CASE WHEN g % 5 = 0 THEN 'sweep' ELSE 'report' END, NULL, NULL, st, {quarter}, \
         CASE WHEN st = 'registered' THEN NULL ELSE {deadline} END, \
         CASE WHEN st = 'registered' THEN 0 ELSE 1 END, 'bench', c, \
         CASE WHEN st = 'closed' THEN {closed} ELSE NULL END, c \
         FROM (SELECT g, {created} AS c, {status} AS st FROM {s}) AS x"
    ))
    .unwrap();
    c.batch_execute(
        "INSERT INTO hazard_plans (id, hazard_id, version, measures, responsible_person, \
         responsible_user_id, funds_fen, deadline, contingency_plan, author_id, created_at) \
         SELECT 'p' || id, id, 1, '更换水冷元件并加装联锁', '王工', NULL, 125000, deadline, \
         '停炉并撤离', 'bench', created_at FROM hazards WHERE plan_version = 1",
    )
    .unwrap();
    let untriaged = ROWS - 1000;
    c.batch_execute(&format!(
        "INSERT INTO reports (id, enterprise_id, area_id, title, description, suspected_level, \
         criterion_codes, mode, pseudonym, reporter_index, identity_sealed, receipt_hash, status, \
         hazard_id, status_note, created_at, triaged_at, updated_at) \
         SELECT 'r' || (1000000 + g), '{ent}', {area}, '举报 ' || g, 'd', \
         CASE WHEN g % 10 = 0 THEN 'major' ELSE NULL END, '[]', 'anonymous', '报告人-' || g, \
         NULL, NULL, 'bench' || g, \
         CASE WHEN g > {untriaged} THEN 'submitted' ELSE 'accepted' END, NULL, NULL, c, \
         CASE WHEN g > {untriaged} THEN NULL ELSE c END, c \
         FROM (SELECT g, {created} AS c FROM {s}) AS x"
    ))
    .unwrap();
    rebuild_counts(c);
    c.batch_execute("ANALYZE").unwrap();
    println!(
        "filled {ROWS} hazards, their plans and {ROWS} reports in {:?}",
        t.elapsed()
    );
}

/// The back-fill of a maintained count: its migration's statements from `INSERT INTO table`
/// to the end of that statement.
fn backfill(migration: &str, table: &str) -> String {
    let start = migration
        .find(&format!("INSERT INTO {table}"))
        .unwrap_or_else(|| panic!("{table}'s migration back-fills it"));
    let end = migration[start..].find(';').unwrap() + start + 1;
    migration[start..end].to_owned()
}

/// Rebuilds `hazard_stats` and `hazard_months` from the hazards, as their migrations do.
fn rebuild_counts(c: &mut DbConn) {
    let (stats, months) = if is_postgres(c) {
        (
            include_str!("../../migrations/postgres/2026-11-30-000006_hazard_escalation/up.sql"),
            include_str!("../../migrations/postgres/2026-12-01-180001_hazard_months/up.sql"),
        )
    } else {
        (
            include_str!("../../migrations/sqlite/2026-11-30-000006_hazard_escalation/up.sql"),
            include_str!("../../migrations/sqlite/2026-12-01-180001_hazard_months/up.sql"),
        )
    };
    c.batch_execute(&format!(
        "DELETE FROM hazard_stats; {} DELETE FROM hazard_months; {}",
        backfill(stats, "hazard_stats"),
        backfill(months, "hazard_months")
    ))
    .unwrap();
}

fn plan(c: &mut DbConn, sql: &str) {
    if !is_postgres(c) {
        return;
    }
    for p in diesel::sql_query(format!("EXPLAIN (ANALYZE, BUFFERS) {sql}"))
        .load::<PgPlan>(c)
        .unwrap()
    {
        println!("    {}", p.line);
    }
}

async fn time_get(
    client: &reqwest::Client,
    url: &str,
    cookie: Option<&str>,
    bearer: Option<&str>,
) -> (Duration, Duration) {
    let mut runs = Vec::new();
    for _ in 0..20 {
        let mut r = client.get(url);
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        if let Some(b) = bearer {
            r = r.bearer_auth(b);
        }
        let t = Instant::now();
        let resp = r.send().await.unwrap();
        let status = resp.status();
        let body = resp.bytes().await.unwrap();
        runs.push(t.elapsed());
        assert_eq!(
            status,
            reqwest::StatusCode::OK,
            "{url}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    runs.sort();
    (runs[runs.len() / 2], runs[runs.len() * 9 / 10])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "fills a million hazards and a million reports; run by hand"]
async fn the_console_at_a_million_rows() {
    let app = spawn_app_with(|s| {
        s.log_filter = "error".into();
    })
    .await;
    let site = app.ledger_site("steel").await;
    let (manager, _) = app.user("safety_manager", Some(&site.id), None).await;
    let username = manager["username"].as_str().unwrap().to_owned();
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
    let area3 = areas[3].clone();
    let ent = site.id.clone();
    let deep = app
        .ctx
        .db(move |c| {
            fill(c, &ent, &areas);
            let deep: Position = diesel::sql_query(format!(
                "SELECT created_at, id FROM reports WHERE enterprise_id = '{ent}' \
                 ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 500000"
            ))
            .get_result(c)
            .unwrap();
            let at = deep.created_at.format("%Y-%m-%d %H:%M:%S%.6f");
            let cols = "reports.id, reports.title, reports.status, reports.created_at";
            println!("\nthe inbox's page 500,000 rows deep, as the service sends it now:");
            plan(c, &format!(
                "SELECT {cols} FROM reports WHERE reports.enterprise_id = '{ent}' \
                 AND (reports.created_at, reports.id) < ('{at}', '{}') \
                 ORDER BY reports.created_at DESC, reports.id DESC LIMIT 51", deep.id));
            println!("\nthe same page as the OR form the service sent before:");
            plan(c, &format!(
                "SELECT {cols} FROM reports WHERE reports.enterprise_id = '{ent}' \
                 AND (reports.created_at < '{at}' OR (reports.created_at = '{at}' AND reports.id < '{}')) \
                 ORDER BY reports.created_at DESC, reports.id DESC LIMIT 51", deep.id));
            let today = qingling_api::store::time::now().format("%Y-%m-%d");
            let cap = qingling_api::services::dashboard::LATE_CAP + 1;
            println!("\n概览's overdue hazards (capped at {cap}):");
            plan(c, &format!(
                "SELECT hazards.id FROM hazards WHERE hazards.enterprise_id = '{ent}' \
                 AND hazards.status <> 'closed' AND hazards.deadline < '{today}' LIMIT {cap}"));
            println!("\n概览's reports past their triage deadline (capped at {cap}):");
            plan(c, &format!(
                "SELECT reports.id FROM reports WHERE reports.enterprise_id = '{ent}' \
                 AND reports.status = 'submitted' AND reports.created_at < '{today}' \
                 AND (reports.created_at < '{today}' OR (reports.suspected_level = 'major' \
                 AND reports.created_at < '{today}')) LIMIT {cap}"));
            println!("\n概览's twelve months:");
            plan(c, &format!(
                "SELECT * FROM hazard_months WHERE enterprise_id = '{ent}' \
                 AND month >= '2025-12' AND month <= '2026-12'"));
            Ok(Cursor { created_at: deep.created_at, id: deep.id }.encode())
        })
        .await
        .unwrap();

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = client
        .post(format!("{}/console/login", app.base))
        .header("origin", &app.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "username={username}&password={}",
            PASSWORD.replace(' ', "+")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), reqwest::StatusCode::SEE_OTHER);
    let cookie = signed_in
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let base = &app.base;
    let b = base.as_str();
    let pages = [
        (
            "console inbox, first page".to_owned(),
            format!("{b}/console/reports"),
        ),
        (
            "console inbox, 500,000 deep".to_owned(),
            format!("{b}/console/reports?cursor={deep}"),
        ),
        (
            "console inbox, major awaiting triage".to_owned(),
            format!("{b}/console/reports?status=submitted&level=major"),
        ),
        ("console ledger".to_owned(), format!("{b}/console/hazards")),
        (
            "console ledger, major rectifying".to_owned(),
            format!("{b}/console/hazards?level=major&status=rectifying"),
        ),
        (
            "console ledger, overdue".to_owned(),
            format!("{b}/console/hazards?overdue=1"),
        ),
        (
            "console ledger, area + sweep".to_owned(),
            format!("{b}/console/hazards?area={area3}&source=sweep"),
        ),
        (
            "console hazard page".to_owned(),
            format!("{b}/console/hazards/h1999980"),
        ),
        (
            "console report page".to_owned(),
            format!("{b}/console/reports/r1999990"),
        ),
        ("console 概览".to_owned(), format!("{b}/console/overview")),
    ];
    println!();
    let (med, p90) = time_get(
        &client,
        &format!("{b}/api/v1/reports?cursor={deep}"),
        None,
        Some(&site.manager),
    )
    .await;
    println!("GET /api/v1/reports 500,000 deep: median {med:?}, p90 {p90:?}");
    for (name, url) in &pages {
        let (med, p90) = time_get(&client, url, Some(&cookie), None).await;
        println!("{name}: median {med:?}, p90 {p90:?}");
    }
}
