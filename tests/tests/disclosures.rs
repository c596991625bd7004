//! Identity disclosure over real HTTP: two custodians, shown once, audited, seen by the reporter;
//! and no other staff answer ever carries the worker's name, employee number or phone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::prelude::*;
use qingling_api::services::disclosures::disclosures_for_report;
use qingling_api::store::schema::audit_events;
use qingling_tests::rewards::{
    WORKER_EMPLOYEE_NO, WORKER_NAME, WORKER_PHONE, accept, hazard, report, site,
};
use qingling_tests::{Answer, TestApp, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn request(app: &TestApp, token: &str, report_id: &str) -> Answer {
    app.post(
        &format!("/api/v1/reports/{report_id}/disclosures"),
        token,
        json!({"reason": "工伤认定需要核实举报人身份"}),
    )
    .await
}

fn assert_no_identity(what: &str, text: &str) {
    for secret in [WORKER_NAME, WORKER_EMPLOYEE_NO, WORKER_PHONE] {
        assert!(
            !text.contains(secret),
            "{what} contains the worker's identity: {text}"
        );
    }
}

#[tokio::test]
async fn disclosure_needs_a_second_custodian_and_opens_once_for_the_requester() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = report(&app, &s, true).await;
    let d = request(&app, &s.custodian1.token, &r.id).await;
    assert_eq!(d.status, StatusCode::CREATED, "{:?}", d.json);
    assert_eq!(d.json["status"], "requested");
    let id = d.json["id"].as_str().unwrap().to_owned();
    let path = |a: &str| format!("/api/v1/disclosures/{id}{a}");

    let early = app.get(&path(""), &s.custodian1.token).await;
    assert_eq!(
        (early.status, early.code()),
        (StatusCode::CONFLICT, "transition_not_allowed")
    );
    let own = app
        .post(&path("/approve"), &s.custodian1.token, json!({}))
        .await;
    assert_eq!(
        (own.status, own.code()),
        (StatusCode::FORBIDDEN, "separation_of_duties")
    );

    let ok = app
        .post(&path("/approve"), &s.custodian2.token, json!({}))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json);
    assert_eq!(ok.json["status"], "approved");
    assert_no_identity("the approval", &String::from_utf8_lossy(&ok.bytes));
    let again = app
        .post(&path("/refuse"), &s.custodian2.token, json!({}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let not_requester = app.get(&path(""), &s.custodian2.token).await;
    assert_eq!(not_requester.status, StatusCode::FORBIDDEN);

    let opened = app.get(&path(""), &s.custodian1.token).await;
    assert_eq!(opened.status, StatusCode::OK, "{:?}", opened.json);
    assert_eq!(opened.json["identity"]["display_name"], WORKER_NAME);
    assert_eq!(opened.json["identity"]["employee_no"], WORKER_EMPLOYEE_NO);
    assert_eq!(opened.json["identity"]["phone"], WORKER_PHONE);
    assert_eq!(opened.json["identity"]["user_id"], s.worker.id.as_str());
    assert_eq!(opened.json["disclosure"]["status"], "opened");

    let twice = app.get(&path(""), &s.custodian1.token).await;
    assert_eq!(
        (twice.status, twice.code()),
        (StatusCode::GONE, "disclosure_already_opened")
    );
    assert_no_identity("the second read", &String::from_utf8_lossy(&twice.bytes));

    // Every step is audited, and no audit detail holds the identity.
    let events: Vec<(String, String)> = app
        .ctx
        .db(|c| {
            Ok(audit_events::table
                .filter(audit_events::action.like("disclosure.%"))
                .order(audit_events::seq.asc())
                .select((audit_events::action, audit_events::details))
                .load(c)?)
        })
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "disclosure.request",
            "disclosure.approve",
            "disclosure.open"
        ]
    );
    for (_, details) in &events {
        assert_no_identity("an audit detail", details);
    }
}

#[tokio::test]
async fn a_refused_disclosure_never_opens_and_the_reporter_sees_every_request() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = report(&app, &s, true).await;
    let a = request(&app, &s.custodian1.token, &r.id).await;
    let a_id = a.json["id"].as_str().unwrap().to_owned();
    let refused = app
        .post(
            &format!("/api/v1/disclosures/{a_id}/refuse"),
            &s.custodian2.token,
            json!({}),
        )
        .await;
    assert_eq!(refused.json["status"], "refused");
    let read = app
        .get(&format!("/api/v1/disclosures/{a_id}"), &s.custodian1.token)
        .await;
    assert_eq!(read.status, StatusCode::CONFLICT);

    let b = request(&app, &s.custodian2.token, &r.id).await;
    let b_id = b.json["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/disclosures/{b_id}/approve"),
        &s.custodian1.token,
        json!({}),
    )
    .await;
    let opened = app
        .get(&format!("/api/v1/disclosures/{b_id}"), &s.custodian2.token)
        .await;
    assert_eq!(opened.status, StatusCode::OK);

    let keys = app.ctx.keys.clone();
    let rid = r.id.clone();
    let seen = app
        .ctx
        .db(move |c| disclosures_for_report(c, &keys, &rid))
        .await
        .unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].status.as_str(), "refused");
    assert_eq!(seen[0].to_name, "保管员甲");
    assert_eq!(seen[0].reason, "工伤认定需要核实举报人身份");
    assert_eq!(seen[1].status.as_str(), "opened");
    assert_eq!(seen[1].to_name, "保管员乙");
    assert_eq!(seen[1].to_role.as_str(), "custodian");
    assert!(seen[1].opened_at.is_some());
}

#[tokio::test]
async fn nobody_but_the_enterprises_custodians_has_a_route_to_an_identity() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let other = site(&app).await;
    let (_, bureau) = app.user("bureau_officer", None, Some("jiangbei")).await;
    let r = report(&app, &s, true).await;
    for (token, status) in [
        (&s.manager.token, StatusCode::FORBIDDEN),
        (&s.principal.token, StatusCode::FORBIDDEN),
        (&s.worker.token, StatusCode::FORBIDDEN),
        (&app.admin_token, StatusCode::NOT_FOUND),
        (&bureau, StatusCode::NOT_FOUND),
        (&other.custodian1.token, StatusCode::NOT_FOUND),
    ] {
        let a = request(&app, token, &r.id).await;
        assert_eq!(a.status, status, "{:?}", a.json);
    }
    let d = request(&app, &s.custodian1.token, &r.id).await;
    let id = d.json["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/disclosures/{id}/approve"),
        &s.custodian2.token,
        json!({}),
    )
    .await;
    for token in [
        &s.manager.token,
        &s.principal.token,
        &app.admin_token,
        &bureau,
        &other.custodian1.token,
    ] {
        let a = app.get(&format!("/api/v1/disclosures/{id}"), token).await;
        assert!(matches!(a.status.as_u16(), 403 | 404), "{:?}", a.json);
        assert_no_identity("a refused read", &String::from_utf8_lossy(&a.bytes));
    }
    // Still unopened: the requester reads it.
    let a = app
        .get(&format!("/api/v1/disclosures/{id}"), &s.custodian1.token)
        .await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn a_disclosure_needs_a_written_reason_and_an_identity() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = report(&app, &s, true).await;
    let short = app
        .post(
            &format!("/api/v1/reports/{}/disclosures", r.id),
            &s.custodian1.token,
            json!({"reason": "查"}),
        )
        .await;
    assert_eq!(
        (short.status, short.code()),
        (StatusCode::BAD_REQUEST, "validation_failed")
    );
    let anon = report(&app, &s, false).await;
    let a = request(&app, &s.custodian1.token, &anon.id).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::CONFLICT, "transition_not_allowed")
    );
    let missing = request(&app, &s.custodian1.token, "no-such-report").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn no_staff_route_answers_with_the_workers_name_employee_number_or_phone() {
    let app = spawn_app().await;
    let s = site(&app).await;
    let r = report(&app, &s, true).await;
    let reward = accept(&app, &s.manager, &r.id, &hazard(), "general")
        .await
        .unwrap();
    let d = request(&app, &s.custodian1.token, &r.id).await;
    let did = d.json["id"].as_str().unwrap().to_owned();
    let mut answers = Vec::new();
    let e = &s.enterprise_id;
    let staff = [
        &s.manager,
        &s.manager2,
        &s.principal,
        &s.custodian1,
        &s.custodian2,
    ];
    for p in staff {
        for path in [
            "/api/v1/rewards".to_owned(),
            format!("/api/v1/rewards/{}", reward.id),
            "/api/v1/rewards.csv".to_owned(),
            format!("/api/v1/enterprises/{e}/reward-policy"),
            format!("/api/v1/enterprises/{e}"),
            "/api/v1/enterprises".to_owned(),
            format!("/api/v1/enterprises/{e}/areas"),
            format!("/api/v1/disclosures/{did}"),
        ] {
            answers.push((path.clone(), app.get(&path, &p.token).await));
        }
    }
    let adjust = app
        .post(
            &format!("/api/v1/rewards/{}/adjust", reward.id),
            &s.manager2.token,
            json!({"amount_fen": 100, "reason": "调整"}),
        )
        .await;
    answers.push(("adjust".into(), adjust));
    let approve = app
        .post(
            &format!("/api/v1/rewards/{}/approve", reward.id),
            &s.manager.token,
            json!({}),
        )
        .await;
    answers.push(("approve".into(), approve));
    let paid = app
        .post(
            &format!("/api/v1/rewards/{}/paid", reward.id),
            &s.principal.token,
            json!({"reference": "R1"}),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK);
    answers.push(("paid".into(), paid));
    let put = app
        .call(Method::PUT, &format!("/api/v1/enterprises/{e}/reward-policy"), Some(&s.principal.token),
              Some(&json!({"general_fen": 1, "major_fen": 2, "principal_threshold_fen": 0, "monthly_cap_fen": 3})))
        .await;
    answers.push(("put policy".into(), put));
    let xlsx = app.get("/api/v1/rewards.xlsx", &s.manager.token).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
        let range = book.worksheet_range("奖励台账").unwrap();
        for cell in range.cells() {
            assert_no_identity("the xlsx ledger", &cell.2.to_string());
        }
    }
    assert!(answers.len() > 40);
    for (what, a) in &answers {
        assert!(a.status.as_u16() < 500, "{what}: {:?}", a.json);
        assert_no_identity(what, &String::from_utf8_lossy(&a.bytes));
    }
    // The openapi document lists every route; none of ours is missing.
    let spec = app.call(Method::GET, "/openapi.json", None, None).await;
    let paths = spec.json["paths"].as_object().unwrap();
    for p in [
        "/api/v1/rewards",
        "/api/v1/rewards.csv",
        "/api/v1/rewards.xlsx",
        "/api/v1/rewards/{id}",
        "/api/v1/rewards/{id}/adjust",
        "/api/v1/rewards/{id}/approve",
        "/api/v1/rewards/{id}/reject",
        "/api/v1/rewards/{id}/paid",
        "/api/v1/enterprises/{id}/reward-policy",
        "/api/v1/reports/{id}/disclosures",
        "/api/v1/disclosures/{id}",
        "/api/v1/disclosures/{id}/approve",
        "/api/v1/disclosures/{id}/refuse",
        "/m/v1/receipt/reward-claim",
    ] {
        assert!(paths.contains_key(p), "{p} missing from /openapi.json");
    }
}
