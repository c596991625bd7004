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

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::{QueryableByName, RunQueryDsl};
use qingling_api::store::conn::{DbConn, is_postgres};
use qingling_api::store::pagination::Cursor;
use qingling_tests::bench::{
    HazardFill, client, console_cookie, fill_hazards, minute_of, plan, rebuild_hazard_counts,
    series, time_get,
};
use qingling_tests::spawn_app_with;
use serde_json::json;

const ROWS: i64 = 1_000_000;
const AREAS: usize = 8;

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    created_at: NaiveDateTime,
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

fn fill(c: &mut DbConn, ent: &str, areas: &[String]) {
    let pg = is_postgres(c);
    let arms: String = areas
        .iter()
        .enumerate()
        .map(|(i, a)| format!(" WHEN {i} THEN '{a}'"))
        .collect();
    let t = std::time::Instant::now();
    fill_hazards(
        c,
        &HazardFill {
            rows: ROWS,
            enterprise: &format!("'{ent}'"),
            area: &format!("CASE g % {AREAS}{arms} END"),
        },
    );
    let area = format!("CASE g % {AREAS}{arms} END");
    let (s, created) = (series(pg, ROWS), minute_of(pg));
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
    rebuild_hazard_counts(c);
    c.batch_execute("ANALYZE").unwrap();
    println!(
        "filled {ROWS} hazards, their plans and {ROWS} reports in {:?}",
        t.elapsed()
    );
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

    let client = client();
    let cookie = console_cookie(&app, &username).await;
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
