//! Triage, the hazard ledger, 五落实 rectification, verification and sweeps, over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use qingling_tests::ledger::full_plan;
use qingling_tests::spawn_app;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn kinds(timeline: &Value) -> Vec<String> {
    timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_report_goes_from_accepted_as_major_to_closed_through_a_failed_verification() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let report = app.report_at(&site, "钢包吊运跨下设有休息室").await;

    let t = app
        .triage(
            &site.manager,
            &report,
            json!({"decision": "accept", "level": "general", "criterion_codes": ["MEM10-4-1"]}),
        )
        .await;
    assert_eq!(t.status, StatusCode::OK, "{:?}", t.json);
    assert_eq!(t.json["status"], "accepted");
    let hid = t.json["hazard_id"].as_str().unwrap().to_owned();
    let (r, events) = app.report_state(&report).await;
    assert_eq!(r.status, "accepted");
    assert_eq!(r.hazard_id.as_deref(), Some(hid.as_str()));
    assert_eq!(events.last().unwrap().kind, "accept");
    assert_eq!(
        events.last().unwrap().from_status.as_deref(),
        Some("submitted")
    );

    let h = app
        .get(&format!("/api/v1/hazards/{hid}"), &site.manager)
        .await;
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.json["level"], "major", "a criterion makes it major");
    assert_eq!(h.json["criterion_codes"], json!(["MEM10-4-1"]));
    assert_eq!(h.json["source"], "report");
    assert_eq!(h.json["area_id"], json!(site.area_id));
    assert_eq!(h.json["title"], "钢包吊运跨下设有休息室");
    assert_eq!(h.json["status"], "registered");

    let p = app
        .put(
            &format!("/api/v1/hazards/{hid}/plan"),
            &site.manager,
            full_plan("王工", "2099-12-31"),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.json);
    assert_eq!(p.json["status"], "rectifying");
    assert_eq!(p.json["plan"]["funds_fen"], 1_250_000);
    assert_eq!(p.json["deadline"], "2099-12-31");

    let e = app
        .post(
            &format!("/api/v1/hazards/{hid}/evidence"),
            &site.manager,
            json!({"note": "休息室已拆除"}),
        )
        .await;
    assert_eq!(e.status, StatusCode::OK, "{:?}", e.json);
    assert_eq!(e.json["status"], "awaiting_verification");

    let fail = app
        .post(
            &format!("/api/v1/hazards/{hid}/verify"),
            &site.principal,
            json!({"passed": false, "note": "地基仍有残留设施"}),
        )
        .await;
    assert_eq!(fail.status, StatusCode::OK, "{:?}", fail.json);
    assert_eq!(fail.json["status"], "rectifying");
    assert_eq!(fail.json["closed_at"], Value::Null);

    let e2 = app
        .post(
            &format!("/api/v1/hazards/{hid}/evidence"),
            &site.manager,
            json!({"note": "残留设施已清除"}),
        )
        .await;
    assert_eq!(e2.json["status"], "awaiting_verification");
    let pass = app
        .post(
            &format!("/api/v1/hazards/{hid}/verify"),
            &site.principal,
            json!({"passed": true, "note": "验收合格"}),
        )
        .await;
    assert_eq!(pass.status, StatusCode::OK, "{:?}", pass.json);
    assert_eq!(pass.json["status"], "closed");
    assert!(pass.json["closed_at"].is_string());
    assert_eq!(pass.json["evidence"].as_array().unwrap().len(), 2);
    assert_eq!(
        kinds(&pass.json["timeline"]),
        [
            "registered",
            "plan",
            "evidence",
            "verification_failed",
            "evidence",
            "verified"
        ]
    );
    let failed = &pass.json["timeline"][3];
    assert_eq!(failed["note"], "地基仍有残留设施");
    assert_eq!(failed["from_status"], "awaiting_verification");
    assert_eq!(failed["to_status"], "rectifying");
    assert_eq!(failed["actor_role"], "principal");
}

#[tokio::test]
async fn every_refused_transition_answers_409_and_changes_nothing() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let hid = app
        .accepted_hazard(&site, json!({"decision": "accept"}))
        .await;
    let path = |s: &str| format!("/api/v1/hazards/{hid}{s}");
    let before = app.get(&path(""), &site.manager).await.json;

    // registered: no evidence, no verification
    for (p, body) in [
        ("/evidence", json!({"note": "x"})),
        ("/verify", json!({"passed": true})),
        ("/verify", json!({"passed": false, "note": "x"})),
    ] {
        let a = app.post(&path(p), &site.manager, body).await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{p}");
        assert_eq!(a.code(), "transition_not_allowed");
    }
    assert_eq!(app.get(&path(""), &site.manager).await.json, before);

    // rectifying: no verification yet
    app.put(
        &path("/plan"),
        &site.manager,
        full_plan("王工", "2099-01-01"),
    )
    .await;
    let before = app.get(&path(""), &site.manager).await.json;
    let a = app
        .post(&path("/verify"), &site.principal, json!({"passed": true}))
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(app.get(&path(""), &site.manager).await.json, before);

    // awaiting verification: no new plan, no second evidence; a failed check needs a reason
    app.post(&path("/evidence"), &site.manager, json!({"note": "已整改"}))
        .await;
    let before = app.get(&path(""), &site.manager).await.json;
    let a = app
        .put(
            &path("/plan"),
            &site.manager,
            full_plan("王工", "2099-01-01"),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let a = app
        .post(&path("/evidence"), &site.manager, json!({"note": "again"}))
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let a = app
        .post(&path("/verify"), &site.principal, json!({"passed": false}))
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.code(), "validation_failed");
    assert_eq!(a.json["errors"][0]["field"], "note");
    assert_eq!(app.get(&path(""), &site.manager).await.json, before);

    // closed: nothing more
    app.post(&path("/verify"), &site.principal, json!({"passed": true}))
        .await;
    let before = app.get(&path(""), &site.manager).await.json;
    assert_eq!(before["status"], "closed");
    for (p, body) in [
        ("/evidence", json!({"note": "x"})),
        ("/verify", json!({"passed": true})),
        ("/verify", json!({"passed": false, "note": "x"})),
    ] {
        assert_eq!(
            app.post(&path(p), &site.manager, body).await.status,
            StatusCode::CONFLICT
        );
    }
    let a = app
        .put(
            &path("/plan"),
            &site.manager,
            full_plan("王工", "2099-01-01"),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(app.get(&path(""), &site.manager).await.json, before);
}

#[tokio::test]
async fn a_triaged_report_cannot_be_triaged_again() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let r = app.report_at(&site, "煤气柜区无一氧化碳报警").await;
    let a = app
        .triage(
            &site.manager,
            &r,
            json!({"decision": "reject", "reason": "已有设施，误报"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert_eq!(a.json["status"], "rejected");
    assert_eq!(a.json["hazard_id"], Value::Null);
    for body in [
        json!({"decision": "accept"}),
        json!({"decision": "reject", "reason": "again"}),
    ] {
        let again = app.triage(&site.principal, &r, body).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(again.code(), "transition_not_allowed");
    }
    let (row, events) = app.report_state(&r).await;
    assert_eq!(row.status, "rejected");
    assert_eq!(
        row.status_note.as_deref(),
        Some("已有设施，误报"),
        "the reporter sees the reason"
    );
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].note.as_deref(), Some("已有设施，误报"));
}

#[tokio::test]
async fn rejecting_without_a_reason_or_accepting_an_unknown_criterion_changes_nothing() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let r = app.report_at(&site, "渣坑积水").await;
    let a = app
        .triage(
            &site.manager,
            &r,
            json!({"decision": "reject", "reason": "  "}),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json["errors"][0]["field"], "reason");
    let a = app
        .triage(
            &site.manager,
            &r,
            json!({"decision": "accept", "criterion_codes": ["MEM10-99-1"]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json["errors"][0]["field"], "criterion_codes");
    let a = app
        .triage(&site.manager, &r, json!({"decision": "duplicate"}))
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json["errors"][0]["field"], "duplicate_of");
    let (row, events) = app.report_state(&r).await;
    assert_eq!(row.status, "submitted");
    assert!(events.is_empty());
    let ledger = app.get("/api/v1/hazards", &site.manager).await;
    assert_eq!(ledger.json["items"], json!([]));
}

#[tokio::test]
async fn a_duplicate_joins_the_existing_hazard() {
    let app = spawn_app().await;
    let site = app.ledger_site("nonferrous").await;
    let hid = app
        .accepted_hazard(&site, json!({"decision": "accept", "level": "general"}))
        .await;
    let r2 = app.report_at(&site, "同一处休息室").await;
    let a = app
        .triage(
            &site.principal,
            &r2,
            json!({"decision": "duplicate", "duplicate_of": hid}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert_eq!(a.json, json!({"status": "duplicate", "hazard_id": hid}));
    let (row, events) = app.report_state(&r2).await;
    assert_eq!(row.hazard_id.as_deref(), Some(hid.as_str()));
    assert_eq!(events[0].kind, "duplicate");
    let ledger = app.get("/api/v1/hazards", &site.manager).await;
    assert_eq!(
        ledger.json["items"].as_array().unwrap().len(),
        1,
        "no new hazard"
    );
}

#[tokio::test]
async fn two_managers_triaging_at_once_cannot_both_succeed() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let (_, second) = app.user("safety_manager", Some(&site.id), None).await;
    for _ in 0..3 {
        let r = app.report_at(&site, "水冷元件无流量报警").await;
        let (a, b) = tokio::join!(
            app.triage(
                &site.manager,
                &r,
                json!({"decision": "accept", "level": "major"})
            ),
            app.triage(&second, &r, json!({"decision": "reject", "reason": "误报"})),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "{:?} {:?}",
            a.json,
            b.json
        );
        let (row, events) = app.report_state(&r).await;
        assert_eq!(events.len(), 1);
        let winner = if a.status == StatusCode::OK { &a } else { &b };
        assert_eq!(row.status, winner.json["status"].as_str().unwrap());
    }
    let ledger = app.get("/api/v1/hazards?limit=200", &site.manager).await;
    let accepted = ledger.json["items"].as_array().unwrap().len();
    assert!(accepted <= 3);
}

#[tokio::test]
async fn the_responsible_person_cannot_verify_their_own_rectification() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    // by account
    let hid = app
        .accepted_hazard(&site, json!({"decision": "accept"}))
        .await;
    let mut plan = full_plan("王工", "2099-01-01");
    plan["responsible_user_id"] = json!(site.manager_id);
    app.put(
        &format!("/api/v1/hazards/{hid}/plan"),
        &site.principal,
        plan,
    )
    .await;
    app.post(
        &format!("/api/v1/hazards/{hid}/evidence"),
        &site.manager,
        json!({"note": "done"}),
    )
    .await;
    let a = app
        .post(
            &format!("/api/v1/hazards/{hid}/verify"),
            &site.manager,
            json!({"passed": true}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(a.code(), "verifier_is_responsible");
    let h = app
        .get(&format!("/api/v1/hazards/{hid}"), &site.manager)
        .await;
    assert_eq!(h.json["status"], "awaiting_verification");
    let ok = app
        .post(
            &format!("/api/v1/hazards/{hid}/verify"),
            &site.principal,
            json!({"passed": true}),
        )
        .await;
    assert_eq!(ok.json["status"], "closed");

    // by name (the test helper names every user "测试 <role>")
    let hid = app
        .accepted_hazard(&site, json!({"decision": "accept"}))
        .await;
    app.put(
        &format!("/api/v1/hazards/{hid}/plan"),
        &site.manager,
        full_plan("测试 principal", "2099-01-01"),
    )
    .await;
    app.post(
        &format!("/api/v1/hazards/{hid}/evidence"),
        &site.manager,
        json!({"note": "done"}),
    )
    .await;
    let a = app
        .post(
            &format!("/api/v1/hazards/{hid}/verify"),
            &site.principal,
            json!({"passed": true}),
        )
        .await;
    assert_eq!(a.code(), "verifier_is_responsible");
}

#[tokio::test]
async fn a_major_hazard_needs_all_five_and_every_plan_version_is_kept() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let hid = app
        .accepted_hazard(&site, json!({"decision": "accept", "level": "major"}))
        .await;
    let path = format!("/api/v1/hazards/{hid}/plan");
    for missing in ["funds_fen", "deadline", "contingency_plan"] {
        let mut plan = full_plan("王工", "2099-01-01");
        plan.as_object_mut().unwrap().remove(missing);
        let a = app.put(&path, &site.manager, plan).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{missing}");
        assert_eq!(a.json["errors"][0]["field"], missing);
    }
    let mut neg = full_plan("王工", "2099-01-01");
    neg["funds_fen"] = json!(-1);
    assert_eq!(
        app.put(&path, &site.manager, neg).await.json["errors"][0]["field"],
        "funds_fen"
    );
    let mut bad_date = full_plan("王工", "2099-13-01");
    bad_date["funds_fen"] = json!(0);
    assert_eq!(
        app.put(&path, &site.manager, bad_date).await.json["errors"][0]["field"],
        "deadline"
    );
    let h = app
        .get(&format!("/api/v1/hazards/{hid}"), &site.manager)
        .await;
    assert_eq!(h.json["status"], "registered");
    assert_eq!(h.json["plan_history"], json!([]));

    app.put(&path, &site.manager, full_plan("王工", "2099-01-01"))
        .await;
    let v2 = app
        .put(&path, &site.manager, full_plan("李工", "2099-02-01"))
        .await;
    assert_eq!(v2.status, StatusCode::OK);
    assert_eq!(v2.json["plan"]["version"], 2);
    assert_eq!(v2.json["plan"]["responsible_person"], "李工");
    assert_eq!(v2.json["deadline"], "2099-02-01");
    let history = v2.json["plan_history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["responsible_person"], "王工");

    // a general hazard's plan needs only measures and the responsible person
    let g = app
        .accepted_hazard(&site, json!({"decision": "accept", "level": "general"}))
        .await;
    let a = app
        .put(
            &format!("/api/v1/hazards/{g}/plan"),
            &site.manager,
            json!({"measures": "清理积水", "responsible_person": "王工"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
}

#[tokio::test]
async fn the_ledger_filters_and_pages() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let sweep = app
        .post(
            "/api/v1/sweeps",
            &site.principal,
            json!({"quarter": "2026Q4", "leader": "厂长", "scope": "全厂", "date": "2026-11-20"}),
        )
        .await;
    assert_eq!(sweep.status, StatusCode::CREATED, "{:?}", sweep.json);
    let sid = sweep.json["id"].as_str().unwrap();
    for i in 0..3 {
        let a = app
            .post(
                "/api/v1/hazards",
                &site.manager,
                json!({"title": format!("排查隐患 {i}"), "description": "除尘器未泄爆", "sweep_id": sid,
                       "area_id": site.area_id, "criterion_codes": if i == 0 { json!(["MEM10-11-3"]) } else { json!([]) }}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
        assert_eq!(a.json["source"], "sweep");
    }
    let from_report = app
        .accepted_hazard(&site, json!({"decision": "accept", "level": "general"}))
        .await;
    app.put(
        &format!("/api/v1/hazards/{from_report}/plan"),
        &site.manager,
        json!({"measures": "m", "responsible_person": "王工", "deadline": "2020-01-01"}),
    )
    .await;

    let ids = |a: &qingling_tests::Answer| -> Vec<String> {
        a.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = app.get("/api/v1/hazards", &site.manager).await;
    assert_eq!(ids(&all).len(), 4);
    assert_eq!(
        ids(&app.get("/api/v1/hazards?level=major", &site.manager).await).len(),
        1
    );
    assert_eq!(
        ids(&app.get("/api/v1/hazards?source=sweep", &site.manager).await).len(),
        3
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/hazards?source=report", &site.manager)
            .await),
        std::slice::from_ref(&from_report)
    );
    assert_eq!(
        ids(&app.get("/api/v1/hazards?overdue=true", &site.manager).await),
        std::slice::from_ref(&from_report)
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/hazards?status=rectifying", &site.manager)
            .await),
        [from_report]
    );
    assert_eq!(
        ids(&app
            .get(
                &format!("/api/v1/hazards?area_id={}", site.area_id),
                &site.manager
            )
            .await)
        .len(),
        4
    );
    let q = all.json["items"][0]["quarter"].as_str().unwrap().to_owned();
    assert_eq!(
        ids(&app
            .get(&format!("/api/v1/hazards?quarter={q}"), &site.manager)
            .await)
        .len(),
        4
    );
    assert_eq!(
        ids(&app
            .get("/api/v1/hazards?quarter=2001Q1", &site.manager)
            .await)
        .len(),
        0
    );
    let bad = app
        .get("/api/v1/hazards?quarter=2026Q5", &site.manager)
        .await;
    assert_eq!(bad.code(), "validation_failed");
    let bad = app.get("/api/v1/hazards?status=open", &site.manager).await;
    assert_eq!(bad.code(), "validation_failed");

    let mut seen = Vec::new();
    let mut url = "/api/v1/hazards?limit=3".to_owned();
    loop {
        let page = app.get(&url, &site.manager).await;
        seen.extend(ids(&page));
        match page.json["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/hazards?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ids(&all));
}

#[tokio::test]
async fn sweeps_and_sweep_hazards_are_checked() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let a = app
        .post(
            "/api/v1/sweeps",
            &site.principal,
            json!({"quarter": "2026Q4", "leader": "厂长", "scope": "全厂", "date": "2026-05-01"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json["errors"][0]["field"], "date");
    let a = app
        .post(
            "/api/v1/sweeps",
            &site.principal,
            json!({"quarter": "Q4", "leader": "厂长", "scope": "全厂", "date": "2026-11-01"}),
        )
        .await;
    assert_eq!(a.json["errors"][0]["field"], "quarter");
    let a = app
        .post(
            "/api/v1/hazards",
            &site.manager,
            json!({"title": "t", "description": "d", "sweep_id": "nope"}),
        )
        .await;
    assert_eq!(a.json["errors"][0]["field"], "sweep_id");
    let a = app
        .post(
            "/api/v1/hazards",
            &site.worker,
            json!({"title": "t", "description": "d"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_criteria_catalog_is_listed_by_sector_and_admins_extend_it() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let other = app.ledger_site("steel").await;
    let codes = |a: &qingling_tests::Answer| -> Vec<String> {
        a.json
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_str().unwrap().to_owned())
            .collect()
    };
    let steel = app.get("/api/v1/criteria?sector=steel", &site.worker).await;
    assert_eq!(steel.status, StatusCode::OK);
    let c = codes(&steel);
    for want in [
        "MEM10-3-1",
        "MEM10-4-2",
        "MEM10-4-6",
        "MEM10-11-3",
        "MEM10-13-2",
        "MEM10-14-1",
    ] {
        assert!(c.contains(&want.to_owned()), "{want}");
    }
    assert!(!c.iter().any(|c| c.starts_with("MEM10-5-")));
    let item = steel
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "MEM10-4-2")
        .unwrap();
    assert_eq!(item["sector"], "steel");
    assert_eq!(item["article"], "第4条第2项");
    assert!(item["summary_zh"].as_str().unwrap().contains("积水"));
    assert!(item["summary_en"].as_str().unwrap().contains("water"));
    let nf = codes(
        &app.get("/api/v1/criteria?sector=nonferrous", &site.manager)
            .await,
    );
    assert!(nf.contains(&"MEM10-5-6".to_owned()) && !nf.contains(&"MEM10-4-2".to_owned()));
    // Art. 5 has twelve items (fixed and tilting casting furnaces are items 8 and 9).
    let nonferrous = app
        .get("/api/v1/criteria?sector=nonferrous", &site.manager)
        .await;
    let summary = |code: &str| -> String {
        let item = nonferrous
            .json
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap_or_else(|| panic!("{code} is listed"));
        assert_eq!(
            item["article"],
            format!("第5条第{}项", code.rsplit('-').next().unwrap())
        );
        item["summary_zh"].as_str().unwrap().to_owned()
    };
    assert!(summary("MEM10-5-8").contains("固定式"));
    assert!(summary("MEM10-5-9").contains("倾动式"));
    assert!(summary("MEM10-5-10").contains("钢丝绳"));
    assert!(summary("MEM10-5-11").contains("砷化氢"));
    assert!(summary("MEM10-5-12").contains("送风"));
    assert_eq!(nf.iter().filter(|c| c.starts_with("MEM10-5-")).count(), 12);
    assert_eq!(
        app.get("/api/v1/criteria?sector=copper", &site.manager)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    let body = json!({"code": "JG-HOT-1", "enterprise_id": site.id, "sector": "steel", "article": "企业规定第1条",
                      "summary_zh": "铁水罐超期服役", "summary_en": "Hot-metal ladle in service past its limit"});
    assert_eq!(
        app.post("/api/v1/criteria", &site.manager, body.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let a = app
        .post("/api/v1/criteria", &app.admin_token, body.clone())
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    assert_eq!(
        app.post("/api/v1/criteria", &app.admin_token, body)
            .await
            .code(),
        "already_exists"
    );
    let reserved_body = json!({"code": "MEM10-4-99", "enterprise_id": site.id, "sector": "steel",
                               "article": "x", "summary_zh": "x", "summary_en": "x"});
    assert_eq!(
        app.post("/api/v1/criteria", &app.admin_token, reserved_body)
            .await
            .json["errors"][0]["field"],
        "code"
    );

    assert!(
        codes(&app.get("/api/v1/criteria", &site.manager).await).contains(&"JG-HOT-1".to_owned())
    );
    assert!(
        !codes(&app.get("/api/v1/criteria", &other.manager).await).contains(&"JG-HOT-1".to_owned())
    );
    // the enterprise may tag with it; another may not
    let hid = app
        .accepted_hazard(
            &site,
            json!({"decision": "accept", "criterion_codes": ["JG-HOT-1"]}),
        )
        .await;
    let h = app
        .get(&format!("/api/v1/hazards/{hid}"), &site.manager)
        .await;
    assert_eq!(h.json["level"], "major");
    let r = app.report_at(&other, "x").await;
    let a = app
        .triage(
            &other.manager,
            &r,
            json!({"decision": "accept", "criterion_codes": ["JG-HOT-1"]}),
        )
        .await;
    assert_eq!(a.json["errors"][0]["field"], "criterion_codes");
}

#[tokio::test]
async fn staff_of_another_enterprise_get_404_on_every_ledger_route() {
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let other = app.ledger_site("steel").await;
    let report = app.report_at(&site, "x").await;
    let hid = app
        .accepted_hazard(&site, json!({"decision": "accept"}))
        .await;
    for token in [&other.manager, &other.principal] {
        let a = app
            .triage(token, &report, json!({"decision": "accept"}))
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        assert_eq!(a.code(), "not_found");
        assert_eq!(
            app.get(&format!("/api/v1/hazards/{hid}"), token)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let a = app
            .put(
                &format!("/api/v1/hazards/{hid}/plan"),
                token,
                full_plan("x", "2099-01-01"),
            )
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        let a = app
            .post(
                &format!("/api/v1/hazards/{hid}/evidence"),
                token,
                json!({"note": "x"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        let a = app
            .post(
                &format!("/api/v1/hazards/{hid}/verify"),
                token,
                json!({"passed": true}),
            )
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.get("/api/v1/hazards", token).await.json["items"],
            json!([])
        );
    }
    // another enterprise's hazard is not a valid duplicate target, nor its sweep or area
    let r = app.report_at(&other, "y").await;
    let a = app
        .triage(
            &other.manager,
            &r,
            json!({"decision": "duplicate", "duplicate_of": hid}),
        )
        .await;
    assert_eq!(a.json["errors"][0]["field"], "duplicate_of");
    let a = app
        .post(
            "/api/v1/hazards",
            &other.manager,
            json!({"title": "t", "description": "d", "area_id": site.area_id}),
        )
        .await;
    assert_eq!(a.json["errors"][0]["field"], "area_id");
    // workers, custodians, bureau and admins do not keep the ledger
    let (_, custodian) = app.user("custodian", Some(&site.id), None).await;
    let (_, bureau) = app.user("bureau_officer", None, Some("jb")).await;
    for token in [&site.worker, &custodian, &bureau, &app.admin_token] {
        assert_eq!(
            app.triage(token, &report, json!({"decision": "accept"}))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&format!("/api/v1/hazards/{hid}"), token)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get("/api/v1/hazards", token).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let (row, _) = app.report_state(&report).await;
    assert_eq!(row.status, "submitted");
}

/// Whether a JPEG still carries any EXIF, or any of the test camera's identifying strings.
fn assert_clean_jpeg(bytes: &[u8]) {
    use qingling_tests::photos::{MAKE, MODEL, SERIAL};
    assert!(
        exif::Reader::new()
            .read_from_container(&mut std::io::Cursor::new(bytes))
            .is_err(),
        "no EXIF survives"
    );
    for needle in [MAKE, MODEL, SERIAL, "MAKERNOTE"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle}"
        );
    }
    let img = image::load_from_memory(bytes).unwrap();
    assert_eq!((img.width(), img.height()), (600, 800), "rotated upright");
}

async fn photo_rows(app: &qingling_tests::TestApp, owner_type: &'static str) -> usize {
    use diesel::prelude::*;
    use qingling_api::store::schema::photos;
    app.ctx
        .db(move |conn| {
            let n: i64 = photos::table
                .filter(photos::owner_type.eq(owner_type))
                .count()
                .get_result(conn)?;
            Ok(n as usize)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn sweep_and_evidence_photos_lose_their_exif_like_report_photos() {
    use qingling_tests::photos::phone_jpeg;
    use qingling_tests::reports::form_with;
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;
    let original = phone_jpeg(800, 600);
    let gps = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&original))
        .unwrap();
    assert!(
        gps.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );

    // A sweep finding with a phone photo.
    let a = app
        .post_form(
            "/api/v1/hazards",
            Some(&site.manager),
            form_with(
                "hazard",
                &json!({"title": "煤气柜区未设CO报警", "description": "排查发现", "area_id": site.area_id}),
                std::slice::from_ref(&original),
            ),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let hid = a.json["id"].as_str().unwrap().to_owned();
    assert_eq!(a.json["photos"].as_array().unwrap().len(), 1);
    assert_eq!(a.json["photos"][0]["width"], 600);
    let pid = a.json["photos"][0]["id"].as_str().unwrap().to_owned();
    let got = app
        .get(
            &format!("/api/v1/hazards/{hid}/photos/{pid}"),
            &site.manager,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.headers["content-type"], "image/jpeg");
    assert_clean_jpeg(&got.bytes);
    let thumb = app
        .get(
            &format!("/api/v1/hazards/{hid}/photos/{pid}?size=thumb"),
            &site.principal,
        )
        .await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert!(thumb.bytes.len() < got.bytes.len());

    // Evidence with two phone photos.
    let plan = app
        .put(
            &format!("/api/v1/hazards/{hid}/plan"),
            &site.manager,
            full_plan("李责任", "2099-12-31"),
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{:?}", plan.json);
    let e = app
        .post_form(
            &format!("/api/v1/hazards/{hid}/evidence"),
            Some(&site.manager),
            form_with(
                "evidence",
                &json!({"note": "已加装固定式CO报警仪"}),
                &[original.clone(), original.clone()],
            ),
            None,
        )
        .await;
    assert_eq!(e.status, StatusCode::OK, "{:?}", e.json);
    assert_eq!(e.json["status"], "awaiting_verification");
    let shots = e.json["evidence"][0]["photos"].as_array().unwrap();
    assert_eq!(shots.len(), 2);
    for s in shots {
        let got = app
            .get(
                &format!("/api/v1/hazards/{hid}/photos/{}", s["id"].as_str().unwrap()),
                &site.manager,
            )
            .await;
        assert_eq!(got.status, StatusCode::OK);
        assert_clean_jpeg(&got.bytes);
    }
    // The detail shows them too.
    let d = app
        .get(&format!("/api/v1/hazards/{hid}"), &site.manager)
        .await;
    assert_eq!(d.json["photos"].as_array().unwrap().len(), 1);
    assert_eq!(d.json["evidence"][0]["photos"].as_array().unwrap().len(), 2);

    // Staff of another enterprise, a worker, or a report's photo through a hazard: 404 / 403.
    let other = app.ledger_site("steel").await;
    let foreign = app
        .get(
            &format!("/api/v1/hazards/{hid}/photos/{pid}"),
            &other.manager,
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let worker = app
        .get(&format!("/api/v1/hazards/{hid}/photos/{pid}"), &site.worker)
        .await;
    assert_eq!(worker.status, StatusCode::FORBIDDEN);
    let report = app.report_at(&site, "出铁场积水").await;
    let rd = app
        .get(&format!("/api/v1/reports/{report}"), &site.manager)
        .await;
    let report_photo = rd.json["photos"][0]["id"].as_str().unwrap();
    let wrong_owner = app
        .get(
            &format!("/api/v1/hazards/{hid}/photos/{report_photo}"),
            &site.manager,
        )
        .await;
    assert_eq!(wrong_owner.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_refused_or_hostile_photo_upload_leaves_nothing_behind() {
    use qingling_tests::photos::{phone_jpeg, png_bomb};
    use qingling_tests::reports::form_with;
    let app = spawn_app().await;
    let site = app.ledger_site("steel").await;

    // A decompression bomb on a sweep finding: 4xx, no hazard, no photo.
    let bomb = app
        .post_form(
            "/api/v1/hazards",
            Some(&site.manager),
            form_with(
                "hazard",
                &json!({"title": "炸弹", "description": "d"}),
                &[phone_jpeg(64, 48), png_bomb()],
            ),
            None,
        )
        .await;
    assert!(bomb.status.is_client_error(), "{:?}", bomb.json);
    assert!(bomb.json["code"].is_string(), "{:?}", bomb.json);
    let ledger = app.get("/api/v1/hazards", &site.manager).await;
    assert_eq!(ledger.json["items"], json!([]));
    assert_eq!(photo_rows(&app, "hazard").await, 0);

    // Six photos are too many; an unknown part is refused.
    let six = app
        .post_form(
            "/api/v1/hazards",
            Some(&site.manager),
            form_with(
                "hazard",
                &json!({"title": "多图", "description": "d"}),
                &vec![phone_jpeg(64, 48); 6],
            ),
            None,
        )
        .await;
    assert_eq!(six.status, StatusCode::BAD_REQUEST, "{:?}", six.json);
    assert_eq!(six.json["code"], "photo_count");

    // Evidence on a hazard that has no plan yet: 409, no evidence, no photo.
    let h = app
        .post(
            "/api/v1/hazards",
            &site.manager,
            json!({"title": "未整改", "description": "d"}),
        )
        .await;
    let hid = h.json["id"].as_str().unwrap();
    let early = app
        .post_form(
            &format!("/api/v1/hazards/{hid}/evidence"),
            Some(&site.manager),
            form_with("evidence", &json!({"note": "x"}), &[phone_jpeg(64, 48)]),
            None,
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{:?}", early.json);
    let d = app
        .get(&format!("/api/v1/hazards/{hid}"), &site.manager)
        .await;
    assert_eq!(d.json["status"], "registered");
    assert_eq!(d.json["evidence"], json!([]));
    assert_eq!(photo_rows(&app, "evidence").await, 0);
}
