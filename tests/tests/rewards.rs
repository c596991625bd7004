//! Rewards over real HTTP, end to end: a worker's phone submits (confidential or anonymous, with
//! a real JPEG), a manager triages, staff approve and pay, and the reporter follows the reward
//! with the receipt code or logged in. Also the policy, separation of duties, the threshold,
//! racing approvers, the monthly cap under racing payments, duplicates, anonymous claims and the
//! ledger. What the cap and the payout show staff is in `linkage.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use qingling_tests::rewards::{
    accept, accepted_reward, anonymous, confidential, duplicate, follow_up, my_follow_up,
    reward_of, set_policy, site, worker,
};
use qingling_tests::{spawn_app, spawn_app_with};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn id(reward: &Value) -> &str {
    reward["id"].as_str().unwrap()
}

#[tokio::test]
async fn accepting_a_report_proposes_the_default_amount_and_someone_else_approves_and_pays() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    let mine = my_follow_up(&app, &s.worker, &r.id).await;
    assert!(mine["reward"].is_null(), "no reward before triage");
    let reward = accepted_reward(&app, &s.manager, &r.id, "general").await;
    assert_eq!(reward["amount_fen"], 20_000);
    assert_eq!(reward["policy_version"], 0);
    assert_eq!(reward["status"], "proposed");
    assert_eq!(reward["kind"], "first");
    assert_eq!(reward["pseudonym"], r.pseudonym.as_str());

    let seen = my_follow_up(&app, &s.worker, &r.id).await;
    assert_eq!(seen["status"], "accepted");
    assert_eq!(seen["reward"]["amount_fen"], 20_000);
    assert_eq!(seen["reward"]["status"], "proposed");
    assert_eq!(seen["reward"]["claimable"], false, "paid through payroll");

    let path = |a: &str| format!("/api/v1/rewards/{}/{a}", id(&reward));
    let own = app
        .post(&path("approve"), &s.manager.token, json!({}))
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    assert_eq!(own.code(), "separation_of_duties");

    let paid_early = app
        .post(&path("paid"), &s.manager2.token, json!({"reference": "X"}))
        .await;
    assert_eq!(paid_early.status, StatusCode::CONFLICT);
    assert_eq!(paid_early.code(), "transition_not_allowed");

    let ok = app
        .post(&path("approve"), &s.manager2.token, json!({}))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json);
    assert_eq!(ok.json["status"], "approved");
    assert_eq!(ok.json["approved_by"], s.manager2.id.as_str());
    assert_eq!(ok.json["pseudonym"], r.pseudonym.as_str());

    let paid = app
        .post(
            &path("paid"),
            &s.manager.token,
            json!({"reference": "工资单 2026-12 第 17 号"}),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{:?}", paid.json);
    assert_eq!(paid.json["reward"]["status"], "paid");
    assert_eq!(
        paid.json["reward"]["paid_reference"],
        "工资单 2026-12 第 17 号"
    );
    assert!(
        paid.json["payout"].is_null(),
        "a confidential reporter is paid through payroll"
    );

    let again = app
        .post(
            &path("reject"),
            &s.principal.token,
            json!({"reason": "晚了"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let list = app
        .get("/api/v1/rewards?status=paid", &s.manager.token)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json["items"].as_array().unwrap().len(), 1);
    let none = app
        .get("/api/v1/rewards?status=proposed", &s.manager.token)
        .await;
    assert_eq!(none.json["items"].as_array().unwrap().len(), 0);

    for seen in [
        follow_up(&app, &r).await,
        my_follow_up(&app, &s.worker, &r.id).await,
    ] {
        let w = &seen["reward"];
        assert_eq!(w["amount_fen"], 20_000);
        assert_eq!(w["status"], "paid");
        assert!(w["paid_at"].is_string());
        assert_eq!(w["claimable"], false);
        assert!(
            w.get("paid_reference").is_none(),
            "the payroll reference is the payer's"
        );
    }
}

#[tokio::test]
async fn above_the_threshold_only_a_principal_approves() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    let reward = accepted_reward(&app, &s.manager, &r.id, "major").await;
    assert_eq!(reward["amount_fen"], 200_000);
    let path = format!("/api/v1/rewards/{}/approve", id(&reward));
    let mgr = app.post(&path, &s.manager2.token, json!({})).await;
    assert_eq!(mgr.status, StatusCode::FORBIDDEN);
    assert_eq!(mgr.code(), "principal_approval_required");
    let p = app.post(&path, &s.principal.token, json!({})).await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.json);
    assert_eq!(p.json["status"], "approved");
}

#[tokio::test]
async fn a_principal_who_proposed_may_not_approve_either() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    let reward = accepted_reward(&app, &s.principal, &r.id, "general").await;
    assert_eq!(reward["proposed_by"], s.principal.id.as_str());
    let a = app
        .post(
            &format!("/api/v1/rewards/{}/approve", id(&reward)),
            &s.principal.token,
            json!({}),
        )
        .await;
    assert_eq!(a.code(), "separation_of_duties");
}

#[tokio::test]
async fn two_approvers_racing_exactly_one_succeeds() {
    let app = spawn_app().await;
    let s = site(&app).await;
    for _ in 0..3 {
        let r = anonymous(&app, &s).await;
        let reward = accepted_reward(&app, &s.manager, &r.id, "general").await;
        let path = format!("/api/v1/rewards/{}/approve", id(&reward));
        let (a, b) = tokio::join!(
            app.post(&path, &s.manager2.token, json!({})),
            app.post(&path, &s.principal.token, json!({}))
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{:?} {:?}", a.json, b.json);
        let loser = if a.status == StatusCode::CONFLICT {
            &a
        } else {
            &b
        };
        assert_eq!(loser.code(), "transition_not_allowed");
    }
}

/// Two payments of one worker's rewards recorded at the same moment by two payers: the cap is
/// read and the payment written in one transaction that serialises on the reporter, so the pair
/// never passes it (without the guard both would read "room for one more" and both be paid).
/// Proposals are never cut: the cap waits for the payment (see `tests/tests/linkage.rs`).
#[tokio::test]
async fn two_payments_racing_for_one_reporter_stay_within_the_cap() {
    let app = spawn_app().await;
    let s = site(&app).await;
    set_policy(
        &app,
        &s,
        json!({"general_fen": 20000, "major_fen": 100000, "principal_threshold_fen": 1000000, "monthly_cap_fen": 300000}),
    )
    .await;
    let w = worker(&app, &s.enterprise_id).await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        let r = confidential(&app, &s, &w).await;
        let reward = accepted_reward(&app, &s.manager, &r.id, "major").await;
        assert_eq!(reward["amount_fen"], 100_000);
        let ok = app
            .post(
                &format!("/api/v1/rewards/{}/approve", id(&reward)),
                &s.manager2.token,
                json!({}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json);
        ids.push(id(&reward).to_owned());
    }
    let paid = |i: usize, token: &str| {
        let path = format!("/api/v1/rewards/{}/paid", ids[i]);
        let (app, token) = (&app, token.to_owned());
        async move {
            app.post(&path, &token, json!({"reference": "工资单"}))
                .await
        }
    };
    for i in 0..2 {
        assert_eq!(paid(i, &s.manager.token).await.status, StatusCode::OK);
    }
    let (a, b) = tokio::join!(paid(2, &s.manager.token), paid(3, &s.principal.token));
    let mut codes = [a.status.as_u16(), b.status.as_u16()];
    codes.sort_unstable();
    assert_eq!(codes, [200, 409], "{:?} {:?}", a.json, b.json);
    let held = if a.status == StatusCode::CONFLICT {
        &a
    } else {
        &b
    };
    assert_eq!(held.code(), "reward_held");
}

#[tokio::test]
async fn duplicates_of_a_rewarded_hazard_get_nothing_unless_the_policy_shares() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let first = anonymous(&app, &s).await;
    let dup = anonymous(&app, &s).await;
    let (h, reward) = accept(&app, &s.manager, &first.id, "general").await;
    assert!(reward.is_some());
    assert!(duplicate(&app, &s.manager, &dup.id, &h).await.is_none());
    let seen = follow_up(&app, &dup).await;
    assert_eq!(seen["status"], "duplicate");
    assert_eq!(seen["hazard_id"], h.as_str());
    assert!(seen["reward"].is_null());

    set_policy(
        &app,
        &s,
        json!({"general_fen": 20000, "major_fen": 200000, "principal_threshold_fen": 100000,
               "monthly_cap_fen": 600000, "duplicates_share": true}),
    )
    .await;
    let third = anonymous(&app, &s).await;
    let shared = duplicate(&app, &s.manager, &third.id, &h).await.unwrap();
    assert_eq!(shared["kind"], "duplicate");
    assert_eq!(shared["amount_fen"], 20_000);
    assert_eq!(follow_up(&app, &third).await["reward"]["claimable"], true);
}

#[tokio::test]
async fn a_manager_adjusts_within_the_policy_with_a_reason_and_then_may_not_approve() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    let reward = accepted_reward(&app, &s.manager, &r.id, "general").await;
    let path = |a: &str| format!("/api/v1/rewards/{}/{a}", id(&reward));
    let too_much = app
        .post(
            &path("adjust"),
            &s.manager2.token,
            json!({"amount_fen": 20001, "reason": "加急"}),
        )
        .await;
    assert_eq!(too_much.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_much.code(), "validation_failed");
    let no_reason = app
        .post(
            &path("adjust"),
            &s.manager2.token,
            json!({"amount_fen": 15000, "reason": " "}),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let ok = app
        .post(
            &path("adjust"),
            &s.manager2.token,
            json!({"amount_fen": 15000, "reason": "部分重复"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json);
    assert_eq!(ok.json["amount_fen"], 15000);
    assert_eq!(ok.json["proposed_by"], s.manager2.id.as_str());
    assert_eq!(ok.json["adjust_reason"], "部分重复");
    let own = app
        .post(&path("approve"), &s.manager2.token, json!({}))
        .await;
    assert_eq!(own.code(), "separation_of_duties");
    let other = app
        .post(&path("approve"), &s.manager.token, json!({}))
        .await;
    assert_eq!(other.status, StatusCode::OK);
    let late = app
        .post(
            &path("adjust"),
            &s.manager2.token,
            json!({"amount_fen": 100, "reason": "x"}),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn rejecting_needs_a_reason_and_the_reporter_sees_it() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    let reward = accepted_reward(&app, &s.manager, &r.id, "general").await;
    let path = format!("/api/v1/rewards/{}/reject", id(&reward));
    let bad = app.post(&path, &s.manager2.token, json!({})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let ok = app
        .post(&path, &s.manager2.token, json!({"reason": "经核实不属实"}))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json);
    for seen in [
        follow_up(&app, &r).await,
        my_follow_up(&app, &s.worker, &r.id).await,
    ] {
        assert_eq!(seen["reward"]["status"], "rejected");
        assert_eq!(seen["reward"]["rejected_reason"], "经核实不属实");
    }
}

#[tokio::test]
async fn the_reward_policy_has_defaults_history_and_only_a_principal_or_admin_sets_it() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let other = site(&app).await;
    let path = format!("/api/v1/enterprises/{}/reward-policy", s.enterprise_id);
    let d = app.get(&path, &s.worker.token).await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.json["version"], 0);
    assert_eq!(d.json["is_default"], true);
    assert_eq!(d.json["general_fen"], 20000);
    assert_eq!(d.json["major_fen"], 200000);
    assert_eq!(d.json["principal_threshold_fen"], 100000);
    assert_eq!(d.json["monthly_cap_fen"], 600000);
    assert_eq!(d.json["duplicates_share"], false);

    let body = json!({"general_fen": 30000, "major_fen": 300000, "principal_threshold_fen": 50000, "monthly_cap_fen": 900000});
    let put = |token: &str| {
        let token = token.to_owned();
        let (app, path, body) = (&app, &path, &body);
        async move { app.call(Method::PUT, path, Some(&token), Some(body)).await }
    };
    let r = put(&s.manager.token).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let r = put(&other.principal.token).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = put(&s.principal.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.json["version"], 1);
    let r = put(&app.admin_token).await;
    assert_eq!(r.json["version"], 2);
    let bad = app
        .call(Method::PUT, &path, Some(&s.principal.token),
              Some(&json!({"general_fen": 300, "major_fen": 200, "principal_threshold_fen": 0, "monthly_cap_fen": 1})))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.code(), "validation_failed");
    let floats = app
        .call(Method::PUT, &path, Some(&s.principal.token),
              Some(&json!({"general_fen": 1.5, "major_fen": 200, "principal_threshold_fen": 0, "monthly_cap_fen": 1})))
        .await;
    assert_eq!(floats.status, StatusCode::BAD_REQUEST);
    let now = app.get(&path, &s.manager.token).await;
    assert_eq!(now.json["version"], 2);
    assert_eq!(now.json["general_fen"], 30000);

    let r = confidential(&app, &s, &s.worker).await;
    let w = accepted_reward(&app, &s.manager, &r.id, "general").await;
    assert_eq!(
        (&w["policy_version"], &w["amount_fen"]),
        (&json!(2), &json!(30_000))
    );
}

#[tokio::test]
async fn rewards_are_only_for_their_enterprise_managers_and_principal() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let other = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    let reward = accepted_reward(&app, &s.manager, &r.id, "general").await;
    let path = format!("/api/v1/rewards/{}/approve", id(&reward));
    let a = app.post(&path, &other.manager2.token, json!({})).await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, "not_found"));
    for token in [&s.worker.token, &s.custodian1.token, &app.admin_token] {
        let a = app.post(&path, token, json!({})).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{:?}", a.json);
        let l = app.get("/api/v1/rewards", token).await;
        assert_eq!(l.status, StatusCode::FORBIDDEN);
        let c = app.get("/api/v1/rewards.csv", token).await;
        assert_eq!(c.status, StatusCode::FORBIDDEN);
    }
    let l = app.get("/api/v1/rewards", &other.manager.token).await;
    assert_eq!(l.json["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn an_anonymous_reporter_claims_with_the_receipt_code_and_the_payer_sees_the_payout_once() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = anonymous(&app, &s).await;
    let reward = accepted_reward(&app, &s.manager, &r.id, "general").await;
    let before = follow_up(&app, &r).await;
    assert_eq!(before["reward"]["status"], "proposed");
    assert_eq!(before["reward"]["claimable"], true);
    assert_eq!(before["reward"]["payout_claimed"], false);

    let claim = |code: &str, payout: &str| {
        app.post_anon(
            "/m/v1/receipt/reward-claim",
            json!({"receipt_code": code, "payout": payout}),
        )
    };
    let unknown = claim(qingling_crypto::ReceiptCode::generate().as_str(), "x").await;
    let garbage = claim("not-a-code", "x").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let strip = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("request_id");
        v
    };
    assert_eq!(
        strip(unknown.json.clone()),
        strip(garbage.json.clone()),
        "a wrong code answers like an unknown one"
    );

    let ok = claim(&r.receipt_code, "支付宝 138****0000 李").await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json);
    assert_eq!(ok.json["payout_claimed"], true);
    assert_eq!(ok.json["claimable"], false);
    let twice = claim(&r.receipt_code, "another").await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    let listed = app.get("/api/v1/rewards", &s.manager.token).await;
    assert_eq!(listed.json["items"][0]["payout_claimed"], true);
    assert!(!String::from_utf8_lossy(&listed.bytes).contains("支付宝"));

    let path = |a: &str| format!("/api/v1/rewards/{}/{a}", id(&reward));
    assert_eq!(
        app.post(&path("approve"), &s.manager2.token, json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let paid = app
        .post(
            &path("paid"),
            &s.manager.token,
            json!({"reference": "转账 0042"}),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{:?}", paid.json);
    assert_eq!(paid.json["payout"], "支付宝 138****0000 李");
    let after = app
        .get(
            &format!("/api/v1/rewards/{}", id(&reward)),
            &s.manager2.token,
        )
        .await;
    assert!(!String::from_utf8_lossy(&after.bytes).contains("支付宝"));
    let seen = follow_up(&app, &r).await;
    assert_eq!(seen["reward"]["status"], "paid");
    assert_eq!(seen["reward"]["payout_claimed"], true);
    assert!(!seen.to_string().contains("支付宝"));
}

#[tokio::test]
async fn reward_claims_spend_the_receipt_lookup_limit() {
    let app = spawn_app_with(|s| s.receipt_limit_per_client = 2).await;
    for _ in 0..2 {
        let a = app
            .post_anon(
                "/m/v1/receipt/reward-claim",
                json!({"receipt_code": "2345-6789-ABCD-EFGH-JKMN", "payout": "x"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{:?}", a.json);
    }
    let limited = app
        .post_anon(
            "/m/v1/receipt/reward-claim",
            json!({"receipt_code": "2345-6789-ABCD-EFGH-JKMN", "payout": "x"}),
        )
        .await;
    assert_eq!(
        (limited.status, limited.code()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
}

#[tokio::test]
async fn a_confidential_reporter_is_paid_through_payroll_and_cannot_claim() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    accepted_reward(&app, &s.manager, &r.id, "general").await;
    let a = app
        .post_anon(
            "/m/v1/receipt/reward-claim",
            json!({"receipt_code": r.receipt_code, "payout": "x"}),
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::CONFLICT, "transition_not_allowed")
    );
}

#[tokio::test]
async fn the_ledger_exports_read_back_cell_by_cell_with_formulas_escaped() {
    use calamine::Reader;
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = confidential(&app, &s, &s.worker).await;
    let reward = accepted_reward(&app, &s.manager, &r.id, "major").await;
    let adj = app
        .post(
            &format!("/api/v1/rewards/{}/adjust", id(&reward)),
            &s.manager2.token,
            json!({"amount_fen": 123456, "reason": "=HYPERLINK(\"http://x\")"}),
        )
        .await;
    assert_eq!(adj.status, StatusCode::OK, "{:?}", adj.json);

    let csv = app.get("/api/v1/rewards.csv", &s.manager.token).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = csv
        .bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF][..])
        .expect("a UTF-8 BOM");
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body);
    let rows: Vec<Vec<String>> = rd
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let xlsx = app.get("/api/v1/rewards.xlsx", &s.manager.token).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let range = book.worksheet_range("奖励台账").unwrap();
    let sheet: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect();

    for table in [&rows, &sheet] {
        assert_eq!(table.len(), 2);
        let h = &table[0];
        assert_eq!(
            &h[..7],
            [
                "序号",
                "报告编号",
                "举报人代号",
                "隐患编号",
                "隐患等级",
                "奖励金额(元)",
                "状态"
            ]
        );
        assert!(h.contains(&"提议人".to_owned()) && h.contains(&"批准人".to_owned()));
        assert!(h.contains(&"发放凭证".to_owned()) && h.contains(&"发放时间".to_owned()));
        let row = &table[1];
        let col = |name: &str| &row[h.iter().position(|x| x == name).unwrap()];
        assert_eq!(col("序号"), "1");
        assert_eq!(col("报告编号"), &r.id);
        assert_eq!(col("举报人代号"), &r.pseudonym);
        assert_eq!(col("隐患等级"), "重大");
        assert_eq!(col("奖励金额(元)"), "1234.56");
        assert_eq!(col("状态"), "待批准");
        assert_eq!(col("提议人"), "测试 safety_manager");
        assert_eq!(col("调整理由"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(col("批准人"), "");
    }
}
