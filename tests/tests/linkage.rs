//! What staff can link (issue #16, items 5–7), over real HTTP against the running app:
//!
//! - the reward cap is no oracle: two reports of one worker and one report each of two workers
//!   look the same in every staff answer that shows rewards or reports, whatever policy the
//!   principal tries to set; the cap holds a payment without naming an amount;
//! - an anonymous reporter's payout details are opened by someone other than the approver, the
//!   reporter is told beforehand who will see them and afterwards when and by which role;
//! - timing metadata: staff see report times to the hour, refresh tokens are pruned and kept at
//!   whole hours, a login leaves a per-day count instead of an audit event.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use diesel::prelude::*;
use qingling_api::store::schema::{audit_events, login_days, refresh_tokens};
use qingling_tests::TestApp;
use qingling_tests::rewards::{Person, Site, Submitted, confidential, follow_up, site, worker};
use qingling_tests::spawn_app;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Replaces what differs between two enterprises by nature — ids, pseudonyms, times — with
/// placeholders numbered in order of first appearance, so what is left is what staff could
/// compare.
#[derive(Default)]
struct Normaliser {
    seen: HashMap<String, String>,
}

impl Normaliser {
    fn token(&mut self, s: &str) -> Option<String> {
        let is_id = uuid::Uuid::parse_str(s).is_ok() || s.starts_with("报告人-");
        if is_id {
            let n = self.seen.len();
            return Some(
                self.seen
                    .entry(s.to_owned())
                    .or_insert_with(|| format!("ID#{n}"))
                    .clone(),
            );
        }
        let is_time = chrono::DateTime::parse_from_rfc3339(s).is_ok()
            || chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").is_ok();
        is_time.then(|| "TIME".to_owned())
    }

    fn value(&mut self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.token(s).unwrap_or_else(|| s.clone())),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.value(x)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .filter(|(k, _)| k.as_str() != "request_id")
                    .map(|(k, x)| match k.as_str() {
                        // A duration up to a staff action: when the test ran, like a time.
                        "waited_seconds" => (k.clone(), json!("DURATION")),
                        _ => (k.clone(), self.value(x)),
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn cells(&mut self, rows: Vec<Vec<String>>) -> Value {
        Value::Array(
            rows.into_iter()
                .map(|r| {
                    Value::Array(
                        r.into_iter()
                            .map(|c| Value::String(self.token(&c).unwrap_or(c)))
                            .collect(),
                    )
                })
                .collect(),
        )
    }
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        out.push(vec![name.clone()]);
        out.extend(
            range
                .rows()
                .map(|r| r.iter().map(ToString::to_string).collect::<Vec<_>>()),
        );
    }
    out
}

/// Everything staff can see in one scenario, as (what, normalised answer) pairs.
struct Seen {
    n: Normaliser,
    answers: Vec<(String, Value)>,
}

impl Seen {
    fn add(&mut self, what: &str, status: StatusCode, v: &Value) {
        let v = self.n.value(v);
        self.answers.push((
            what.to_owned(),
            json!({"status": status.as_u16(), "body": v}),
        ));
    }

    async fn get(&mut self, app: &TestApp, what: &str, path: &str, token: &str) {
        let a = app.get(path, token).await;
        assert!(a.status.is_success(), "{path}: {:?}", a.json);
        self.add(what, a.status, &a.json);
    }

    async fn export(&mut self, app: &TestApp, path: &str, token: &str) {
        let a = app.get(path, token).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        let rows = if path.contains(".csv") {
            csv_rows(&a.bytes)
        } else {
            xlsx_rows(&a.bytes)
        };
        let v = self.n.cells(rows);
        self.answers.push((path.to_owned(), v));
    }
}

async fn act(app: &TestApp, seen: &mut Seen, what: &str, path: &str, by: &Person, body: Value) {
    let a = app.post(path, &by.token, body).await;
    seen.add(what, a.status, &a.json);
}

/// One enterprise where `reporters` submit two confidential reports (both by the first, or one
/// each), and staff do the same things to them; returns every staff answer.
async fn scenario(app: &TestApp, s: &Site, reporters: [&Person; 2]) -> Seen {
    let mut seen = Seen {
        n: Normaliser::default(),
        answers: Vec::new(),
    };
    // The principal tries a cap that two rewards would reach: refused, or at least no oracle.
    let put = app
        .call(
            Method::PUT,
            &format!("/api/v1/enterprises/{}/reward-policy", s.enterprise_id),
            Some(&s.principal.token),
            Some(&json!({"general_fen": 20000, "major_fen": 200000,
                         "principal_threshold_fen": 100000, "monthly_cap_fen": 30000})),
        )
        .await;
    seen.add("policy", put.status, &put.json);

    let mut reports: Vec<Submitted> = Vec::new();
    for w in reporters {
        reports.push(confidential(app, s, w).await);
    }
    for r in &reports {
        act(
            app,
            &mut seen,
            "triage",
            &format!("/api/v1/reports/{}/triage", r.id),
            &s.manager,
            json!({"decision": "accept", "level": "general"}),
        )
        .await;
    }
    let rewards = app.get("/api/v1/rewards", &s.manager.token).await;
    let mut ids: Vec<String> = rewards.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_owned())
        .collect();
    ids.reverse(); // oldest first: the first report's reward first
    assert_eq!(ids.len(), 2);
    let path = |id: &str, a: &str| format!("/api/v1/rewards/{id}/{a}");
    // A manager probes the second reward's bound, then sets an amount within it.
    for amount in [20_001, 20_000, 19_999] {
        act(
            app,
            &mut seen,
            "adjust",
            &path(&ids[1], "adjust"),
            &s.manager2,
            json!({"amount_fen": amount, "reason": "核对"}),
        )
        .await;
    }
    act(
        app,
        &mut seen,
        "approve",
        &path(&ids[0], "approve"),
        &s.manager2,
        json!({}),
    )
    .await;
    act(
        app,
        &mut seen,
        "approve",
        &path(&ids[1], "approve"),
        &s.manager,
        json!({}),
    )
    .await;
    act(
        app,
        &mut seen,
        "paid",
        &path(&ids[0], "paid"),
        &s.manager,
        json!({"reference": "工资单 1"}),
    )
    .await;
    act(
        app,
        &mut seen,
        "paid",
        &path(&ids[1], "paid"),
        &s.principal,
        json!({"reference": "工资单 2"}),
    )
    .await;

    let m = &s.manager.token;
    seen.get(app, "inbox", "/api/v1/reports", m).await;
    for r in &reports {
        seen.get(app, "report", &format!("/api/v1/reports/{}", r.id), m)
            .await;
    }
    seen.get(app, "rewards", "/api/v1/rewards", m).await;
    for id in &ids {
        seen.get(app, "reward", &format!("/api/v1/rewards/{id}"), m)
            .await;
    }
    seen.get(app, "hazards", "/api/v1/hazards", m).await;
    seen.get(
        app,
        "policy now",
        &format!("/api/v1/enterprises/{}/reward-policy", s.enterprise_id),
        m,
    )
    .await;
    let today = qingling_api::domain::ledger_sheet::beijing_date(qingling_api::store::time::now());
    use chrono::Datelike;
    let quarter = format!("{}Q{}", today.year(), today.month0() / 3 + 1);
    for export in [
        "/api/v1/rewards.csv".to_owned(),
        "/api/v1/rewards.xlsx".to_owned(),
        format!("/api/v1/ledger.csv?quarter={quarter}"),
        format!("/api/v1/ledger.xlsx?quarter={quarter}"),
    ] {
        seen.export(app, &export, m).await;
    }
    seen
}

#[tokio::test]
async fn two_reports_of_one_worker_look_like_reports_of_two_workers_to_staff() {
    let app = spawn_app().await;
    let one = site(&app).await;
    let two = site(&app).await;
    let second = worker(&app, &two.enterprise_id).await;
    let a = scenario(&app, &one, [&one.worker, &one.worker]).await;
    let b = scenario(&app, &two, [&two.worker, &second]).await;
    assert_eq!(a.answers.len(), b.answers.len());
    for ((what, x), (_, y)) in a.answers.iter().zip(&b.answers) {
        assert_eq!(x, y, "{what} tells one reporter from two");
    }
    // And the scenario did what it says: the cap was refused, both rewards paid in full.
    assert_eq!(a.answers[0].1["status"], 422);
    let paid: Vec<&Value> = a
        .answers
        .iter()
        .filter(|(w, _)| w == "paid")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(paid.len(), 2);
    for p in paid {
        assert_eq!(p["status"], 200, "{p}");
    }
}

#[tokio::test]
async fn a_cap_below_three_major_rewards_is_refused_with_its_own_code() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let path = format!("/api/v1/enterprises/{}/reward-policy", s.enterprise_id);
    let put = |cap: i64| {
        let body = json!({"general_fen": 20000, "major_fen": 100000,
                          "principal_threshold_fen": 100000, "monthly_cap_fen": cap});
        let (app, path, token) = (&app, &path, s.principal.token.clone());
        async move { app.call(Method::PUT, path, Some(&token), Some(&body)).await }
    };
    let low = put(299_999).await;
    assert_eq!(
        (low.status, low.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "reward_cap_too_low")
    );
    assert!(
        low.json.to_string().contains("monthly_cap_fen"),
        "{:?}",
        low.json
    );
    let now = app.get(&path, &s.manager.token).await;
    assert_eq!(now.json["version"], 0, "nothing was set");
    let ok = put(300_000).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json);
}

#[tokio::test]
async fn the_cap_holds_a_payment_whole_naming_no_amount_and_the_reporter_sees_until_when() {
    let app = spawn_app().await;
    let s = site(&app).await;
    qingling_tests::rewards::set_policy(
        &app,
        &s,
        json!({"general_fen": 20000, "major_fen": 100000,
               "principal_threshold_fen": 1000000, "monthly_cap_fen": 300000}),
    )
    .await;
    let mut rs = Vec::new();
    for _ in 0..4 {
        let r = confidential(&app, &s, &s.worker).await;
        let w = qingling_tests::rewards::accepted_reward(&app, &s.manager, &r.id, "major").await;
        assert_eq!(w["amount_fen"], 100_000, "proposals are never cut");
        let id = w["id"].as_str().unwrap().to_owned();
        let ok = app
            .post(
                &format!("/api/v1/rewards/{id}/approve"),
                &s.manager2.token,
                json!({}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json);
        rs.push((r, id));
    }
    let pay = |id: &str| {
        let p = format!("/api/v1/rewards/{id}/paid");
        let (app, token) = (&app, s.manager.token.clone());
        async move { app.post(&p, &token, json!({"reference": "工资单"})).await }
    };
    for (_, id) in &rs[..3] {
        let a = pay(id).await;
        assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    }
    let (held_report, held_id) = &rs[3];
    let held = pay(held_id).await;
    assert_eq!(
        (held.status, held.code()),
        (StatusCode::CONFLICT, "reward_held"),
        "{:?}",
        held.json
    );
    let text = held.json.to_string();
    let next = qingling_api::domain::reward_policy::next_month(qingling_api::store::time::now());
    assert!(text.contains(&next), "{text}");
    for amount in ["100000", "1000.00", "300000", "200000", "0 fen"] {
        assert!(!text.contains(amount), "{amount} in {text}");
    }
    let seen = app
        .get(&format!("/api/v1/rewards/{held_id}"), &s.manager.token)
        .await;
    assert_eq!(seen.json["status"], "approved");
    assert_eq!(seen.json["amount_fen"], 100_000);
    assert_eq!(seen.json["held_until"], next.as_str());
    let mine = follow_up(&app, held_report).await;
    assert_eq!(mine["reward"]["status"], "approved");
    assert_eq!(mine["reward"]["held_until"], next.as_str());
    // Another worker's payment is not held.
    let other = worker(&app, &s.enterprise_id).await;
    let r = confidential(&app, &s, &other).await;
    let w = qingling_tests::rewards::accepted_reward(&app, &s.manager, &r.id, "major").await;
    let id = w["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/rewards/{id}/approve"),
        &s.manager2.token,
        json!({}),
    )
    .await;
    assert_eq!(pay(id).await.status, StatusCode::OK);
}

#[tokio::test]
async fn refused_adjustments_are_audited_without_changing_the_reward() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    let w = qingling_tests::rewards::accepted_reward(&app, &s.manager, &r.id, "general").await;
    let id = w["id"].as_str().unwrap().to_owned();
    let a = app
        .post(
            &format!("/api/v1/rewards/{id}/adjust"),
            &s.manager2.token,
            json!({"amount_fen": 20001, "reason": "试探"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.json.to_string().contains("20000"),
        "the bound is the standard"
    );
    let id2 = id.clone();
    let events: Vec<(String, Option<String>, String)> = app
        .ctx
        .db(move |conn| {
            Ok(audit_events::table
                .filter(audit_events::target_id.eq(id2))
                .select((
                    audit_events::action,
                    audit_events::actor_id,
                    audit_events::details,
                ))
                .load(conn)?)
        })
        .await
        .unwrap();
    let refused: Vec<_> = events
        .iter()
        .filter(|(a, _, _)| a == "reward.adjust_refused")
        .collect();
    assert_eq!(refused.len(), 1, "{events:?}");
    assert_eq!(refused[0].1.as_deref(), Some(s.manager2.id.as_str()));
    assert!(refused[0].2.contains("20001") && refused[0].2.contains("validation_failed"));
    let now = app
        .get(&format!("/api/v1/rewards/{id}"), &s.manager.token)
        .await;
    assert_eq!(now.json["amount_fen"], 20_000);
}

#[tokio::test]
async fn the_approver_cannot_open_the_payout_and_the_reporter_sees_who_will_and_who_did() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = qingling_tests::rewards::anonymous(&app, &s).await;
    let w = qingling_tests::rewards::accepted_reward(&app, &s.manager, &r.id, "general").await;
    let id = w["id"].as_str().unwrap().to_owned();
    let before = follow_up(&app, &r).await;
    let who = &before["reward"]["payout_seen_by"];
    assert_eq!(
        who["roles"],
        json!(["safety_manager", "principal"]),
        "{before}"
    );
    assert_eq!(who["not_the_approver"], true);
    assert_eq!(who["once"], true);
    assert!(who["notice_zh"].as_str().unwrap().contains("未批准"));
    assert!(before["reward"]["payout_opened_at"].is_null());
    let claim = app
        .post_anon(
            "/m/v1/receipt/reward-claim",
            json!({"receipt_code": r.receipt_code, "payout": "支付宝 138****0000 李"}),
        )
        .await;
    assert_eq!(claim.status, StatusCode::OK, "{:?}", claim.json);
    assert_eq!(claim.json["payout_seen_by"]["not_the_approver"], true);
    let path = |a: &str| format!("/api/v1/rewards/{id}/{a}");
    let ok = app
        .post(&path("approve"), &s.manager2.token, json!({}))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let own = app
        .post(
            &path("paid"),
            &s.manager2.token,
            json!({"reference": "转账 1"}),
        )
        .await;
    assert_eq!(
        (own.status, own.code()),
        (StatusCode::FORBIDDEN, "separation_of_duties")
    );
    assert!(!own.bytes.windows(3).any(|w| w == "支".as_bytes()));
    let still = follow_up(&app, &r).await;
    assert!(
        still["reward"]["payout_opened_at"].is_null(),
        "nothing opened"
    );
    let paid = app
        .post(
            &path("paid"),
            &s.principal.token,
            json!({"reference": "转账 1"}),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{:?}", paid.json);
    assert_eq!(paid.json["payout"], "支付宝 138****0000 李");
    let after = follow_up(&app, &r).await;
    assert_eq!(after["reward"]["payout_opened_by_role"], "principal");
    let at = after["reward"]["payout_opened_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok());
    assert!(!after.to_string().contains("支付宝"));
}

fn on_the_hour(t: &str) -> bool {
    let t = chrono::DateTime::parse_from_rfc3339(t).unwrap();
    use chrono::Timelike;
    (t.minute(), t.second(), t.nanosecond()) == (0, 0, 0)
}

#[tokio::test]
async fn staff_see_report_times_to_the_hour_and_cannot_search_for_finer() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let mut rs = Vec::new();
    for _ in 0..3 {
        rs.push(confidential(&app, &s, &s.worker).await);
    }
    let r = &rs[0];
    let sent = app
        .post(
            &format!("/m/v1/reports/{}/messages", r.id),
            &s.worker.token,
            json!({"body": "补充：下午两点后有人值守"}),
        )
        .await;
    assert!(sent.status.is_success(), "{:?}", sent.json);
    let m = &s.manager.token;
    let inbox = app.get("/api/v1/reports?limit=1", m).await;
    let item = &inbox.json["items"][0];
    assert!(on_the_hour(item["created_at"].as_str().unwrap()), "{item}");
    assert!(on_the_hour(
        item["waiting"]["triage_due_at"].as_str().unwrap()
    ));
    // The cursor names the report, not its time.
    use base64::Engine;
    let cursor = inbox.json["next_cursor"].as_str().unwrap();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .unwrap();
    assert!(String::from_utf8(raw).unwrap().starts_with("0|"));
    let next = app
        .get(&format!("/api/v1/reports?limit=5&cursor={cursor}"), m)
        .await;
    assert_eq!(next.json["items"].as_array().unwrap().len(), 2);
    // A crafted cursor with a time is read by its report only.
    let crafted = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        "{}|{}",
        i64::MAX / 2,
        "no-such-report"
    ));
    let bad = app
        .get(&format!("/api/v1/reports?cursor={crafted}"), m)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let detail = app.get(&format!("/api/v1/reports/{}", r.id), m).await;
    assert!(on_the_hour(detail.json["created_at"].as_str().unwrap()));
    let submitted = detail.json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "submitted")
        .unwrap();
    assert!(
        on_the_hour(submitted["at"].as_str().unwrap()),
        "{submitted}"
    );
    let msg = &detail.json["messages"][0];
    assert_eq!(msg["sender"], "reporter");
    assert!(on_the_hour(msg["created_at"].as_str().unwrap()), "{msg}");

    // `from` a second after the precise time still finds it: filters see hours only.
    let id = r.id.clone();
    let precise = app
        .ctx
        .db(move |conn| {
            Ok(qingling_api::store::reports::find(conn, &id)?
                .unwrap()
                .created_at)
        })
        .await
        .unwrap();
    let from = qingling_api::store::time::to_rfc3339(precise + chrono::Duration::seconds(1));
    let found = app
        .get(&format!("/api/v1/reports?limit=200&from={from}"), m)
        .await;
    assert_eq!(found.status, StatusCode::OK, "{:?}", found.json);
    assert!(
        found.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == r.id.as_str()),
        "from={from}"
    );
    // The reporter still sees their own times exactly.
    let mine = follow_up(&app, r).await;
    assert_eq!(
        mine["created_at"].as_str().unwrap(),
        qingling_api::store::time::to_rfc3339(precise)
    );
}

#[tokio::test]
async fn refresh_tokens_are_pruned_once_expired_and_logins_leave_a_daily_count() {
    let app = qingling_tests::spawn_app_with(|s| {
        s.refresh_token_ttl = std::time::Duration::from_secs(1);
    })
    .await;
    let s = site(&app).await;
    let (u, _) = app
        .user_with("worker", Some(&s.enterprise_id), None, json!({}))
        .await;
    let username = u["username"].as_str().unwrap().to_owned();
    let first = app.login(&username, qingling_tests::PASSWORD).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.json);
    let refresh = first.json["refresh_token"].as_str().unwrap().to_owned();
    let used = app
        .post_anon("/api/v1/auth/refresh", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(used.status, StatusCode::OK);
    let user_id = u["id"].as_str().unwrap().to_owned();
    let uid = user_id.clone();
    let rows: Vec<(
        chrono::NaiveDateTime,
        chrono::NaiveDateTime,
        Option<chrono::NaiveDateTime>,
    )> = app
        .ctx
        .db(move |conn| {
            Ok(refresh_tokens::table
                .filter(refresh_tokens::user_id.eq(uid))
                .select((
                    refresh_tokens::created_at,
                    refresh_tokens::expires_at,
                    refresh_tokens::used_at,
                ))
                .load(conn)?)
        })
        .await
        .unwrap();
    // The login of `user_with`, the first login's spent token (kept for reuse detection) and
    // the one it was exchanged for.
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows.iter().filter(|r| r.2.is_some()).count(), 1);
    for (c, e, u) in &rows {
        for t in [Some(*c), Some(*e), *u].into_iter().flatten() {
            assert_eq!(
                t,
                qingling_api::store::time::floor_hour(t),
                "{t} is not a whole hour"
            );
        }
    }
    // Once expired (the TTL is a second; expiry is rounded up to the hour, so move it back),
    // the next login deletes every expired token, spent or not.
    let uid = user_id.clone();
    app.ctx
        .db(move |conn| {
            diesel::update(refresh_tokens::table.filter(refresh_tokens::user_id.eq(uid)))
                .set(
                    refresh_tokens::expires_at
                        .eq(qingling_api::store::time::now() - chrono::Duration::hours(1)),
                )
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    let again = app.login(&username, qingling_tests::PASSWORD).await;
    assert_eq!(again.status, StatusCode::OK);
    let uid = user_id.clone();
    let left: i64 = app
        .ctx
        .db(move |conn| {
            Ok(refresh_tokens::table
                .filter(refresh_tokens::user_id.eq(uid))
                .count()
                .get_result(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(left, 1, "only the new login's token remains");
    let uid = user_id.clone();
    let (audited, days): (i64, Vec<(String, i64)>) = app
        .ctx
        .db(move |conn| {
            let audited = audit_events::table
                .filter(audit_events::action.like("auth.log%"))
                .count()
                .get_result(conn)?;
            let days = login_days::table
                .filter(login_days::user_id.eq(uid))
                .select((login_days::day, login_days::logins))
                .load(conn)?;
            Ok((audited, days))
        })
        .await
        .unwrap();
    assert_eq!(audited, 0, "no login or logout is an audit event");
    assert_eq!(days.len(), 1, "{days:?}");
    assert_eq!(days[0].1, 3, "three logins that day");
}
