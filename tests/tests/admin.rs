//! Enterprises, users and areas: who may create and see what.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use qingling_tests::{credit_code, spawn_app};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn admin_registers_an_enterprise_with_an_intake_code() {
    let app = spawn_app().await;
    let e = app
        .create_enterprise("nonferrous", "jiangbei/chengguan")
        .await;
    assert_eq!(e["sector"], "nonferrous");
    let code = e["intake_code"].as_str().unwrap();
    assert_eq!(code.len(), 10);
    assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
    let list = app.get("/api/v1/enterprises", &app.admin_token).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == e["id"])
    );
}

#[tokio::test]
async fn a_second_enterprise_with_the_same_credit_code_is_a_conflict() {
    let app = spawn_app().await;
    let code = credit_code();
    let body = json!({"name": "甲", "credit_code": code, "sector": "steel", "jurisdiction": "jb"});
    assert_eq!(
        app.post("/api/v1/enterprises", &app.admin_token, body.clone())
            .await
            .status,
        StatusCode::CREATED
    );
    let again = app
        .post("/api/v1/enterprises", &app.admin_token, body)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "already_exists");
}

#[tokio::test]
async fn invalid_enterprise_fields_are_explained() {
    let app = spawn_app().await;
    let bad_code = app
        .post(
            "/api/v1/enterprises",
            &app.admin_token,
            json!({"name": "甲", "credit_code": "91350100M000100Y44", "sector": "steel", "jurisdiction": "jb"}),
        )
        .await;
    assert_eq!(bad_code.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_code.code(), "validation_failed");
    assert_eq!(bad_code.json["errors"][0]["field"], "credit_code");
    let bad_sector = app
        .post(
            "/api/v1/enterprises",
            &app.admin_token,
            json!({"name": "甲", "credit_code": credit_code(), "sector": "copper", "jurisdiction": "jb"}),
        )
        .await;
    assert_eq!(bad_sector.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_sector.code(), "malformed_json");
}

#[tokio::test]
async fn only_admins_create_enterprises_and_users() {
    let app = spawn_app().await;
    let e = app.create_enterprise("steel", "jb/park").await;
    let eid = e["id"].as_str().unwrap();
    for role in ["worker", "safety_manager", "principal", "custodian"] {
        let (_, token) = app.user(role, Some(eid), None).await;
        let a = app
            .post(
                "/api/v1/enterprises",
                &token,
                json!({"name": "乙", "credit_code": credit_code(), "sector": "steel", "jurisdiction": "jb"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(a.code(), "forbidden");
        let u = app
            .post(
                "/api/v1/users",
                &token,
                json!({"username": "sneaky", "password": "long enough pw", "role": "admin", "display_name": "x"}),
            )
            .await;
        assert_eq!(u.status, StatusCode::FORBIDDEN, "{role}");
        assert_eq!(
            app.get("/api/v1/users", &token).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let (_, officer) = app.user("bureau_officer", None, Some("jb")).await;
    assert_eq!(
        app.get("/api/v1/users", &officer).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn manager_of_another_enterprise_gets_404_and_a_worker_403() {
    let app = spawn_app().await;
    let a = app.create_enterprise("steel", "jb/park").await;
    let b = app.create_enterprise("nonferrous", "jb/town").await;
    let (aid, bid) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let (_, manager_a) = app.user("safety_manager", Some(aid), None).await;
    let (_, worker_a) = app.user("worker", Some(aid), None).await;

    // Own enterprise: visible, areas manageable.
    assert_eq!(
        app.get(&format!("/api/v1/enterprises/{aid}"), &manager_a)
            .await
            .status,
        StatusCode::OK
    );
    let area = app
        .post(
            &format!("/api/v1/enterprises/{aid}/areas"),
            &manager_a,
            json!({"name": "炼钢车间"}),
        )
        .await;
    assert_eq!(area.status, StatusCode::CREATED);
    assert_eq!(area.json["qr_token"].as_str().unwrap().len(), 16);

    // Another enterprise: as if it did not exist.
    let other = app
        .get(&format!("/api/v1/enterprises/{bid}"), &manager_a)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(other.code(), "not_found");
    let other_area = app
        .post(
            &format!("/api/v1/enterprises/{bid}/areas"),
            &manager_a,
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(other_area.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/api/v1/enterprises/{bid}/areas"), &manager_a)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A worker sees their enterprise but may not add areas.
    let w = app
        .post(
            &format!("/api/v1/enterprises/{aid}/areas"),
            &worker_a,
            json!({"name": "煤气柜区"}),
        )
        .await;
    assert_eq!(w.status, StatusCode::FORBIDDEN);

    // Listing shows only their own.
    let list = app.get("/api/v1/enterprises", &manager_a).await;
    let ids: Vec<_> = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].clone())
        .collect();
    assert_eq!(ids, vec![a["id"].clone()]);

    // Duplicate area name in the same enterprise.
    let dup = app
        .post(
            &format!("/api/v1/enterprises/{aid}/areas"),
            &manager_a,
            json!({"name": "炼钢车间"}),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn bureau_officer_sees_only_its_jurisdiction() {
    let app = spawn_app().await;
    let park = app.create_enterprise("steel", "jb/park").await;
    let park_sub = app.create_enterprise("steel", "jb/park/east").await;
    let town = app.create_enterprise("nonferrous", "jb/town").await;
    // A neighbour whose name matches the LIKE wildcard if '_' were not escaped.
    let tricky = app.create_enterprise("steel", "jbxpark").await;
    let (_, officer) = app.user("bureau_officer", None, Some("jb/park")).await;
    let list = app.get("/api/v1/enterprises", &officer).await;
    let mut ids: Vec<_> = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    let mut expected = vec![
        park["id"].as_str().unwrap().to_owned(),
        park_sub["id"].as_str().unwrap().to_owned(),
    ];
    expected.sort();
    assert_eq!(ids, expected);
    let t = app
        .get(
            &format!("/api/v1/enterprises/{}", town["id"].as_str().unwrap()),
            &officer,
        )
        .await;
    assert_eq!(t.status, StatusCode::NOT_FOUND);
    let (_, underscore) = app.user("bureau_officer", None, Some("jb_park")).await;
    let l2 = app.get("/api/v1/enterprises", &underscore).await;
    assert!(
        l2.json["items"].as_array().unwrap().is_empty(),
        "{:?} {tricky}",
        l2.json
    );
}

#[tokio::test]
async fn user_roles_need_the_right_scope() {
    let app = spawn_app().await;
    let e = app.create_enterprise("steel", "jb").await;
    let cases = [
        json!({"role": "worker"}),
        json!({"role": "bureau_officer"}),
        json!({"role": "bureau_officer", "jurisdiction": "jb", "enterprise_id": e["id"]}),
        json!({"role": "admin", "enterprise_id": e["id"]}),
        json!({"role": "worker", "enterprise_id": "no-such-enterprise"}),
        json!({"role": "worker", "enterprise_id": e["id"], "phone": "call me maybe"}),
    ];
    for extra in cases {
        let mut body = json!({"username": format!("u{}", qingling_tests::short_id()), "password": "long enough pw", "display_name": "张三"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let a = app
            .post("/api/v1/users", &app.admin_token, body.clone())
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body} → {:?}", a.json);
        assert_eq!(a.code(), "validation_failed");
    }
}

#[tokio::test]
async fn usernames_are_unique_and_lists_paginate() {
    let app = spawn_app().await;
    let body = json!({"username": "Zhang.San", "password": "long enough pw", "role": "admin", "display_name": "张三"});
    assert_eq!(
        app.post("/api/v1/users", &app.admin_token, body.clone())
            .await
            .status,
        StatusCode::CREATED
    );
    let mut again = body.clone();
    again["username"] = json!("zhang.san");
    let dup = app.post("/api/v1/users", &app.admin_token, again).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);

    for _ in 0..3 {
        app.user("admin", None, None).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?limit=2&cursor={c}"),
            None => "/api/v1/users?limit=2".to_owned(),
        };
        let page = app.get(&path, &app.admin_token).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.json);
        for u in page.json["items"].as_array().unwrap() {
            seen.push(u["id"].as_str().unwrap().to_owned());
        }
        match page.json["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let total = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), total, "no user appears twice");
    assert_eq!(total, 5, "the test admin, Zhang.San and three more");
    let bad = app
        .get("/api/v1/users?cursor=%21%21", &app.admin_token)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
