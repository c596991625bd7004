//! The bureau's 清零看板 of a jurisdiction of 500 enterprises over a million hazards (ignored;
//! run by hand, one backend at a time; the figures in the README's bureau section come from
//! PostgreSQL):
//!
//! ```sh
//! QINGLING_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo test -p qingling-tests --test bureau_bench -- --ignored --nocapture
//! ```
//!
//! It starts the real application and writes, by SQL: 500 enterprises in the jurisdiction
//! `bench` (half of them in `bench/park-N` below it, which the officer also supervises) and 25
//! in another, one area each, 1,050,000 hazards (1,000,000 in the jurisdiction; 10 % major, the
//! newest 100,000 in every state; the enterprises take turns in runs of 50, so each has hazards
//! of every age, kind and state) with their plans, and an escalation for every fifth major
//! hazard older than 40 days (~20,000 in the jurisdiction; the closed hazards' ones closed or
//! dismissed, the open ones open, acknowledged or under 督办, one in ten appealed). The counts
//! the board reads are rebuilt as the migrations and transitions keep them. Then an officer of
//! `bench` signs in through `/console/login`, and it
//!
//! - prints the plan of every query the board sends (EXPLAIN ANALYZE on PostgreSQL);
//! - checks the board shows the 500 enterprises and none of the other jurisdiction;
//! - times the board (each order), its XLSX, `GET /api/v1/bureau/overview`, an enterprise's
//!   drill-down and the 督办事项 list with its filters over HTTP (the server is this process,
//!   on loopback): median and 90th percentile of 20 requests each.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::connection::SimpleConnection;
use diesel::{QueryableByName, RunQueryDsl};
use qingling_api::store::conn::{DbConn, is_postgres};
use qingling_tests::bench::{
    HazardFill, client, console_cookie, fill_hazards, plan, rebuild_hazard_counts, series, time_get,
};
use qingling_tests::spawn_app_with;

/// Enterprises of the officer's jurisdiction, and of another one.
const OURS: i64 = 500;
const OTHERS: i64 = 25;
const HAZARDS: i64 = 1_050_000;

/// The jurisdiction of enterprise `be{k}`, as an SQL expression of `k`.
fn jurisdiction_of(k: &str) -> String {
    format!(
        "CASE WHEN {k} > {OURS} THEN 'other' WHEN {k} % 2 = 0 THEN 'bench' \
         ELSE 'bench/park-' || ({k} % 10) END"
    )
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(c: &mut DbConn, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(c).unwrap().n
}

fn fill(c: &mut DbConn) {
    let pg = is_postgres(c);
    let t = std::time::Instant::now();
    let all = OURS + OTHERS;
    let now = qingling_api::store::time::now();
    let at = now.format("%Y-%m-%d %H:%M:%S").to_string();
    c.batch_execute(&format!(
        "INSERT INTO enterprises (id, name, credit_code, sector, jurisdiction, intake_code, \
         created_at) SELECT 'be' || g, '冶炼厂 ' || g, 'BENCHCREDIT' || g, \
         CASE WHEN g % 3 = 0 THEN 'nonferrous' ELSE 'steel' END, {}, 'bench-intake-' || g, \
         '{at}' FROM {s}; \
         INSERT INTO areas (id, enterprise_id, name, description, qr_token, created_at) \
         SELECT 'ba' || g, 'be' || g, '炼钢车间', '', 'bench-qr-' || g, '{at}' FROM {s};",
        jurisdiction_of("g"),
        s = series(pg, all),
    ))
    .unwrap();
    fill_hazards(
        c,
        &HazardFill {
            rows: HAZARDS,
            enterprise: &format!("'be' || (1 + (g / 50) % {all})"),
            area: &format!("'ba' || (1 + (g / 50) % {all})"),
        },
    );
    let cutoff = (now - chrono::Duration::days(40))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let (opened, closed, seconds) = if pg {
        (
            "h.created_at + INTERVAL '31 days'",
            "h.created_at + INTERVAL '43 days'",
            "CAST(EXTRACT(EPOCH FROM (closed_at - opened_at)) AS BIGINT)",
        )
    } else {
        (
            "datetime(h.created_at, '+31 days')",
            "datetime(h.created_at, '+43 days')",
            "CAST((julianday(closed_at) - julianday(opened_at)) * 86400 AS INTEGER)",
        )
    };
    let done = "h.status = 'closed'";
    c.batch_execute(&format!(
        "INSERT INTO escalations (id, enterprise_id, jurisdiction, subject_type, subject_id, \
         status, triggers, bureau_deadline, instructions, dismiss_reason, deadline_passed_at, \
         opened_at, updated_at, closed_at) \
         SELECT 'esc' || h.id, h.enterprise_id, e.jurisdiction, 'hazard', h.id, \
         CASE WHEN {done} THEN (CASE WHEN n % 7 = 0 THEN 'dismissed' ELSE 'closed' END) \
         ELSE (CASE n % 3 WHEN 0 THEN 'open' WHEN 1 THEN 'acknowledged' ELSE 'supervising' END) END, \
         CASE WHEN n % 10 = 0 \
           THEN '[{{\"kind\":\"plan_overdue\",\"at\":\"2026-01-01T00:00:00Z\"}},{{\"kind\":\"appeal\",\"at\":\"2026-01-02T00:00:00Z\"}}]' \
           ELSE '[{{\"kind\":\"plan_overdue\",\"at\":\"2026-01-01T00:00:00Z\"}}]' END, \
         CASE WHEN NOT {done} AND n % 3 = 2 THEN {closed} ELSE NULL END, \
         CASE WHEN NOT {done} AND n % 3 = 2 THEN '限期完成整改并报送验收材料' ELSE NULL END, \
         CASE WHEN {done} AND n % 7 = 0 THEN '已整改完毕' ELSE NULL END, NULL, \
         {opened}, {opened}, CASE WHEN {done} THEN {closed} ELSE NULL END \
         FROM (SELECT hazards.*, CAST(substr(hazards.id, 2) AS INTEGER) AS n FROM hazards \
               WHERE level = 'major' AND created_at < '{cutoff}') AS h \
         JOIN enterprises e ON e.id = h.enterprise_id WHERE h.n % 50 = 0; \
         INSERT INTO escalation_triggers (subject_type, subject_id, kind, escalation_id, at) \
         SELECT 'hazard', subject_id, 'plan_overdue', id, opened_at FROM escalations; \
         INSERT INTO escalation_triggers (subject_type, subject_id, kind, escalation_id, at) \
         SELECT 'hazard', subject_id, 'appeal', id, opened_at FROM escalations \
         WHERE triggers LIKE '%appeal%'; \
         DELETE FROM escalation_stats; \
         INSERT INTO escalation_stats (enterprise_id, open_count, closed_count, \
         closed_seconds_total) SELECT enterprise_id, \
         SUM(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END), \
         SUM(CASE WHEN closed_at IS NULL THEN 0 ELSE 1 END), \
         COALESCE(SUM(CASE WHEN closed_at IS NULL THEN NULL ELSE {seconds} END), 0) \
         FROM escalations GROUP BY enterprise_id;"
    ))
    .unwrap();
    rebuild_hazard_counts(c);
    c.batch_execute("ANALYZE").unwrap();
    let ours = count(
        c,
        "SELECT COUNT(*) AS n FROM hazards JOIN enterprises e ON e.id = hazards.enterprise_id \
         WHERE e.jurisdiction = 'bench' OR e.jurisdiction LIKE 'bench/%'",
    );
    let escalations = count(
        c,
        "SELECT COUNT(*) AS n FROM escalations WHERE jurisdiction <> 'other'",
    );
    println!(
        "filled {all} enterprises, {HAZARDS} hazards ({ours} in the jurisdiction) with their \
         plans and {escalations} escalations of the jurisdiction in {:?}",
        t.elapsed()
    );
}

/// The board's queries as `services::bureau::overview` and `bureau_board::board` send them.
fn plans(c: &mut DbConn) {
    let ids: Vec<String> = (1..=OURS).map(|k| format!("'be{k}'")).collect();
    let ids = ids.join(", ");
    let today = qingling_api::store::time::now().format("%Y-%m-%d");
    let since = (qingling_api::store::time::now() - chrono::Duration::days(366))
        .format("%Y-%m-%d %H:%M:%S");
    let j =
        "(enterprises.jurisdiction = 'bench' OR substr(enterprises.jurisdiction, 1, 6) = 'bench/')";
    for (what, sql) in [
        (
            "the jurisdiction's enterprises, a page of 201",
            format!(
                "SELECT id, name, jurisdiction FROM enterprises WHERE {j} \
                 ORDER BY created_at, id LIMIT 201"
            ),
        ),
        (
            "hazard_stats of the 500",
            format!("SELECT * FROM hazard_stats WHERE enterprise_id IN ({ids})"),
        ),
        (
            "overdue open major hazards per enterprise",
            format!(
                "SELECT enterprise_id, COUNT(*) FROM hazards WHERE level = 'major' \
                 AND status <> 'closed' AND enterprise_id IN ({ids}) AND deadline < '{today}' \
                 GROUP BY enterprise_id"
            ),
        ),
        (
            "escalation_stats of the 500",
            format!("SELECT * FROM escalation_stats WHERE enterprise_id IN ({ids})"),
        ),
        (
            "the chart: escalations opened or closed in twelve months",
            format!(
                "SELECT opened_at, closed_at FROM escalations WHERE (jurisdiction = 'bench' \
                 OR substr(jurisdiction, 1, 6) = 'bench/') \
                 AND (opened_at >= '{since}' OR closed_at >= '{since}')"
            ),
        ),
        (
            "督办事项, first page of 51",
            "SELECT id FROM escalations WHERE (jurisdiction = 'bench' \
             OR substr(jurisdiction, 1, 6) = 'bench/') ORDER BY opened_at DESC, id DESC LIMIT 51"
                .to_owned(),
        ),
        (
            "督办事项, appeals only",
            "SELECT id FROM escalations WHERE (jurisdiction = 'bench' \
             OR substr(jurisdiction, 1, 6) = 'bench/') AND id IN (SELECT escalation_id \
             FROM escalation_triggers WHERE kind = 'appeal') \
             ORDER BY opened_at DESC, id DESC LIMIT 51"
                .to_owned(),
        ),
    ] {
        println!("\n{what}:");
        plan(c, &sql);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "fills 525 enterprises and a million hazards; run by hand"]
async fn the_board_of_500_enterprises_over_a_million_hazards() {
    let app = spawn_app_with(|s| {
        s.log_filter = "error".into();
    })
    .await;
    let (officer, token) = app.user("bureau_officer", None, Some("bench")).await;
    let username = officer["username"].as_str().unwrap().to_owned();
    app.ctx
        .db(|c| {
            fill(c);
            plans(c);
            Ok(())
        })
        .await
        .unwrap();

    let client = client();
    let b = app.base.as_str();
    let cookie = console_cookie(&app, &username).await;
    let board = client
        .get(format!("{b}/console/bureau?sort=name"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let shown = (1..=OURS + OTHERS)
        .filter(|k| board.contains(&format!("/console/bureau/enterprises/be{k}\"")))
        .collect::<Vec<_>>();
    assert_eq!(
        shown,
        (1..=OURS).collect::<Vec<_>>(),
        "the board lists the jurisdiction's 500 enterprises and no other"
    );

    let mut pages: Vec<(String, String)> = ["open", "name", "overdue", "days"]
        .iter()
        .map(|s| {
            (
                format!("清零看板, sort={s}"),
                format!("{b}/console/bureau?sort={s}"),
            )
        })
        .collect();
    pages.extend([
        (
            "清零看板 XLSX".to_owned(),
            format!("{b}/console/bureau/board.xlsx"),
        ),
        (
            "an enterprise's open majors".to_owned(),
            format!("{b}/console/bureau/enterprises/be2"),
        ),
        (
            "督办事项".to_owned(),
            format!("{b}/console/bureau/escalations"),
        ),
        (
            "督办事项, overdue".to_owned(),
            format!("{b}/console/bureau/escalations?overdue=1"),
        ),
        ("申诉".to_owned(), format!("{b}/console/bureau/appeals")),
    ]);
    println!();
    let (med, p90) = time_get(
        &client,
        &format!("{b}/api/v1/bureau/overview"),
        None,
        Some(&token),
    )
    .await;
    println!("GET /api/v1/bureau/overview: median {med:?}, p90 {p90:?}");
    for (name, url) in &pages {
        let (med, p90) = time_get(&client, url, Some(&cookie), None).await;
        println!("{name}: median {med:?}, p90 {p90:?}");
    }
}
