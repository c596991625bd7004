//! The workers' board (`GET /m/v1/hazards`) over real HTTP: what a worker sees of the hazards
//! found in their enterprise, and that nothing on it leads back to who reported them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use qingling_tests::ledger::full_plan;
use qingling_tests::{photos, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

const NAME: &str = "张三丰";
const PHONE: &str = "13912345678";
const EMPLOYEE_NO: &str = "GH-20931";
const RESPONSIBLE: &str = "李责任";

#[tokio::test]
async fn workers_see_how_hazards_were_handled_but_never_who_reported_them() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let (reporter, reporter_token) = app
        .user_with(
            "worker",
            Some(&site.id),
            None,
            json!({"display_name": NAME, "phone": PHONE, "employee_no": EMPLOYEE_NO}),
        )
        .await;
    let submitted = app
        .submit_report(
            &reporter_token,
            json!({"title": "钢包吊运跨下设有休息室", "description": format!("我是{NAME}，工号{EMPLOYEE_NO}，夜班发现"), "area_id": site.area_id}),
            &[photos::jpeg(320, 240)],
        )
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::CREATED,
        "{:?}",
        submitted.json
    );
    let report_id = submitted.json["report_id"].as_str().unwrap().to_owned();
    let receipt = submitted.json["receipt_code"].as_str().unwrap().to_owned();
    let pseudonym = app
        .get(&format!("/api/v1/reports/{report_id}"), &site.manager)
        .await
        .json["pseudonym"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = app
        .triage(
            &site.manager,
            &report_id,
            json!({"decision": "accept", "criterion_codes": ["MEM10-4-1"]}),
        )
        .await;
    assert_eq!(t.status, StatusCode::OK, "{:?}", t.json);
    let hid = t.json["hazard_id"].as_str().unwrap().to_owned();
    let path = |s: &str| format!("/api/v1/hazards/{hid}{s}");
    let plan = app
        .put(
            &path("/plan"),
            &site.manager,
            full_plan(RESPONSIBLE, "2099-12-31"),
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{:?}", plan.json);
    let ev = app
        .post(
            &path("/evidence"),
            &site.manager,
            json!({"note": "休息室已拆除"}),
        )
        .await;
    assert_eq!(ev.status, StatusCode::OK, "{:?}", ev.json);
    let ok = app
        .post(
            &path("/verify"),
            &site.principal,
            json!({"passed": true, "note": "复查合格"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json);
    let sweep = app
        .post(
            "/api/v1/hazards",
            &site.manager,
            json!({"title": "出铁场地坪积水", "description": "雨后积水", "area_id": site.area_id}),
        )
        .await;
    assert_eq!(sweep.status, StatusCode::CREATED, "{:?}", sweep.json);

    // Another worker of the same enterprise reads the board.
    let board = app.get("/m/v1/hazards", &site.worker).await;
    assert_eq!(board.status, StatusCode::OK, "{:?}", board.json);
    let items = board.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let (found, closed) = (&items[0], &items[1]);
    assert_eq!(found["title"], "出铁场地坪积水");
    assert_eq!(found["source"], "sweep");
    assert_eq!(found["status"], "registered");
    assert_eq!(found["level"], "general");
    assert_eq!(found["measures"], Value::Null);
    assert_eq!(closed["id"], hid.as_str());
    assert_eq!(closed["title"], "钢包吊运跨下设有休息室");
    assert_eq!(closed["level"], "major");
    assert_eq!(closed["area"], "炼钢车间");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["source"], "report");
    assert_eq!(closed["measures"], "拆除吊运跨下休息室，人员迁出");
    assert_eq!(closed["deadline"], "2099-12-31");
    assert_eq!(closed["overdue"], false);
    let day = |v: &Value| v.as_str().unwrap().len() == 10 && v.as_str().unwrap().starts_with("20");
    assert!(day(&closed["found_on"]), "{}", closed["found_on"]);
    assert!(day(&closed["closed_on"]), "{}", closed["closed_on"]);
    assert_eq!(found["closed_on"], Value::Null);

    // Nothing that leads to the reporter, or to the staff who handled it.
    let text = String::from_utf8(board.bytes.clone()).unwrap();
    let reporter_id = reporter["id"].as_str().unwrap();
    for needle in [
        NAME,
        PHONE,
        EMPLOYEE_NO,
        reporter_id,
        &report_id,
        &receipt,
        &pseudonym,
        RESPONSIBLE,
        &site.manager_id,
        "夜班",
        "description",
        "report_id",
        "created_by",
    ] {
        assert!(!text.contains(needle), "the board shows {needle}: {text}");
    }
    // The reporter sees the same board, and nothing more.
    let own = app.get("/m/v1/hazards", &reporter_token).await;
    assert_eq!(own.json, board.json);
}

#[tokio::test]
async fn the_board_pages_by_keyset_and_filters() {
    let app = spawn_app().await;
    let site = app.ledger_site("nonferrous").await;
    for i in 0..5 {
        let a = app
            .post(
                "/api/v1/hazards",
                &site.manager,
                json!({"title": format!("排查发现 {i}"), "description": "d", "level": if i % 2 == 0 { "general" } else { "major" }}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("/m/v1/hazards?limit=2&cursor={c}"),
            None => "/m/v1/hazards?limit=2".to_owned(),
        };
        let page = app.get(&q, &site.worker).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.json);
        let items = page.json["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|i| i["title"].as_str().unwrap().to_owned()),
        );
        match page.json["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..5).rev().map(|i| format!("排查发现 {i}")).collect();
    assert_eq!(seen, expected, "newest first, each once");

    let majors = app.get("/m/v1/hazards?level=major", &site.worker).await;
    assert_eq!(majors.json["items"].as_array().unwrap().len(), 2);
    let open = app.get("/m/v1/hazards?status=closed", &site.worker).await;
    assert_eq!(open.json["items"].as_array().unwrap().len(), 0);
    for bad in [
        "/m/v1/hazards?status=done",
        "/m/v1/hazards?cursor=%%%",
        "/m/v1/hazards?limit=0",
        "/m/v1/hazards?reporter=x",
    ] {
        let a = app.get(bad, &site.worker).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}: {:?}", a.json);
        assert!(a.json["code"].is_string(), "{bad}: {:?}", a.json);
    }
}

#[tokio::test]
async fn a_worker_sees_only_their_own_enterprises_board() {
    let app = spawn_app().await;
    let ours = app.ledger_site("steel").await;
    let theirs = app.ledger_site("steel").await;
    let a = app
        .post(
            "/api/v1/hazards",
            &theirs.manager,
            json!({"title": "别家的隐患", "description": "d"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let mine = app.get("/m/v1/hazards", &ours.worker).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.json["items"], json!([]));
    let theirs_board = app.get("/m/v1/hazards", &theirs.worker).await;
    assert_eq!(theirs_board.json["items"].as_array().unwrap().len(), 1);

    // No enterprise, no board; no token, no board.
    let (_, officer) = app.user("bureau_officer", None, Some("jb/park")).await;
    assert_eq!(
        app.get("/m/v1/hazards", &officer).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/m/v1/hazards", &app.admin_token).await.status,
        StatusCode::FORBIDDEN
    );
    let anon = app
        .client
        .get(format!("{}/m/v1/hazards", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
}
