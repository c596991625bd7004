//! What the ignored million-row benchmarks share (`console_bench` for an enterprise's console,
//! `bureau_bench` for the bureau's 清零看板): filling the ledger by SQL on either backend,
//! rebuilding the counts the pages read with the migrations' own back-fill statements, printing
//! PostgreSQL's plans, signing in to the console and timing pages over real HTTP.
//!
//! Rows are written by SQL, not through the services: a million hazards through the hazard
//! transitions would take hours, and the pages under test only read them.

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{QueryableByName, RunQueryDsl};
use qingling_api::store::conn::{DbConn, is_postgres};

use crate::{TestApp, session_cookie};

#[derive(QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[diesel(column_name = "QUERY PLAN")]
    line: String,
}

/// `FROM` item of the integers 1..=`rows` as `s(g)`: `generate_series` on PostgreSQL, a
/// recursive CTE on SQLite.
pub fn series(pg: bool, rows: i64) -> String {
    if pg {
        format!("generate_series(1, {rows}) AS s(g)")
    } else {
        format!(
            "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {rows}) \
             SELECT g FROM s) AS s"
        )
    }
}

/// The SQL of a hazard's registration time, one minute apart from two years ago, as an
/// expression of `g`.
pub fn minute_of(pg: bool) -> String {
    let anchor = (qingling_api::store::time::now() - chrono::Duration::days(730))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    if pg {
        format!("TIMESTAMP '{anchor}' + g * INTERVAL '1 minute'")
    } else {
        format!("datetime('{anchor}', '+' || g || ' minutes')")
    }
}

/// Which hazards [`fill_hazards`] writes.
#[derive(Debug)]
pub struct HazardFill<'a> {
    /// How many (`g` runs from 1 to this).
    pub rows: i64,
    /// The enterprise id, an SQL expression of `g`.
    pub enterprise: &'a str,
    /// The area id, an SQL expression of `g`.
    pub area: &'a str,
}

/// Writes hazards `h{1000000+g}`, one a minute for two years: 10 % major (`g % 10 = 0`), 20 %
/// from sweeps, the newest 100,000 in every state (registered, rectifying, awaiting
/// verification, closed) and the older ones closed but one in 500, each planned one with its
/// plan (a deadline 30 days after registration, so the open ones are overdue).
pub fn fill_hazards(c: &mut DbConn, f: &HazardFill<'_>) {
    let pg = is_postgres(c);
    let (quarter, deadline, closed) = if pg {
        (
            "to_char(c, 'YYYY\"Q\"Q')",
            "to_char(c + INTERVAL '30 days', 'YYYY-MM-DD')",
            "c + INTERVAL '20 days'",
        )
    } else {
        (
            "strftime('%Y', c) || 'Q' || ((CAST(strftime('%m', c) AS INTEGER) + 2) / 3)",
            "date(c, '+30 days')",
            "datetime(c, '+20 days')",
        )
    };
    let newest = f.rows - 100_000;
    let status = format!(
        "CASE WHEN g <= {newest} THEN (CASE WHEN g % 500 = 0 THEN 'rectifying' ELSE 'closed' END) \
         ELSE (CASE g % 20 WHEN 0 THEN 'registered' WHEN 1 THEN 'rectifying' \
         WHEN 2 THEN 'rectifying' WHEN 3 THEN 'awaiting_verification' ELSE 'closed' END) END"
    );
    let (s, created, ent, area) = (series(pg, f.rows), minute_of(pg), f.enterprise, f.area);
    c.batch_execute(&format!(
        "INSERT INTO hazards (id, enterprise_id, area_id, title, description, level, \
         criterion_codes, source, report_id, sweep_id, status, quarter, deadline, plan_version, \
         created_by, created_at, closed_at, updated_at) \
         SELECT 'h' || (1000000 + g), {ent}, {area}, '隐患 ' || g, 'd', \
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
         '停炉并撤离', 'bench', created_at FROM hazards WHERE plan_version = 1 AND id LIKE 'h%'",
    )
    .unwrap();
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
pub fn rebuild_hazard_counts(c: &mut DbConn) {
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

/// Prints `EXPLAIN (ANALYZE, BUFFERS)` of `sql` (PostgreSQL only; SQLite prints nothing).
pub fn plan(c: &mut DbConn, sql: &str) {
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

/// Signs `username` in through `/console/login`; returns the session cookie as a `Cookie`
/// header value.
pub async fn console_cookie(app: &TestApp, username: &str) -> String {
    let signed_in = app.console_login(username).await;
    assert_eq!(signed_in.status(), reqwest::StatusCode::SEE_OTHER);
    session_cookie(&signed_in).expect("a session cookie")
}

/// Median and 90th percentile of 20 `GET`s of `url`, each asserted 200.
pub async fn time_get(
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

/// A client that does not follow redirects (a console login answers 303).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
