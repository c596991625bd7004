//! The HTTP surface: problems for bad input, languages, request ids, health, metrics, OpenAPI.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use qingling_tests::spawn_app;
use reqwest::StatusCode;
use serde_json::json;

const METRICS_TOKEN: &str = "scrape-0f3c9a";

#[tokio::test]
async fn malformed_json_wrong_types_and_unknown_fields_are_400_problems() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/enterprises", app.base);
    let send = |body: &'static str| {
        app.client
            .post(&url)
            .bearer_auth(&app.admin_token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for (label, body) in [
        ("truncated", r#"{"name": "甲", "#),
        ("not json", "name=甲"),
        (
            "wrong type",
            r#"{"name": 5, "credit_code": "x", "sector": "steel", "jurisdiction": "jb"}"#,
        ),
        (
            "unknown field",
            r#"{"name": "甲", "credit_code": "x", "sector": "steel", "jurisdiction": "jb", "admin": true}"#,
        ),
        ("missing field", r#"{"name": "甲"}"#),
        ("array", "[]"),
    ] {
        let a = qingling_tests::TestApp::read(send(body).await.unwrap()).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{label}");
        assert_eq!(
            a.headers["content-type"], "application/problem+json",
            "{label}"
        );
        assert_eq!(a.code(), "malformed_json", "{label}");
        assert!(a.json["request_id"].is_string());
    }
}

#[tokio::test]
async fn a_parser_error_does_not_echo_the_value_sent() {
    let app = spawn_app().await;
    let a = app
        .post(
            "/api/v1/users",
            &app.admin_token,
            json!({"username": "x", "password": "long enough pw", "role": "worker", "display_name": ["张三 13800001234"]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(!String::from_utf8_lossy(&a.bytes).contains("13800001234"));
}

#[tokio::test]
async fn oversized_bodies_and_wrong_media_types_are_refused() {
    let app = spawn_app().await;
    let big = "x".repeat(200 * 1024);
    let a = app
        .post(
            "/api/v1/enterprises",
            &app.admin_token,
            json!({"name": big}),
        )
        .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.code(), "payload_too_large");
    let text = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    let t = qingling_tests::TestApp::read(text).await;
    assert_eq!(t.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(t.code(), "unsupported_media_type");
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems_in_the_clients_language() {
    let app = spawn_app().await;
    let zh = app
        .client
        .get(format!("{}/api/v1/nothing-here", app.base))
        .send()
        .await
        .unwrap();
    let zh = qingling_tests::TestApp::read(zh).await;
    assert_eq!(zh.status, StatusCode::NOT_FOUND);
    assert_eq!(zh.code(), "route_not_found");
    assert_eq!(zh.json["title"], "没有这个地址");
    let en = app
        .client
        .get(format!("{}/api/v1/nothing-here", app.base))
        .header("accept-language", "en-GB,en;q=0.9,zh;q=0.3")
        .send()
        .await
        .unwrap();
    let en = qingling_tests::TestApp::read(en).await;
    assert_eq!(en.json["title"], "No such route");
    assert!(en.headers.contains_key("x-request-id"));
    assert_eq!(
        en.json["request_id"],
        en.headers["x-request-id"].to_str().unwrap()
    );
    let put = app
        .client
        .put(format!("{}/api/v1/auth/login", app.base))
        .send()
        .await
        .unwrap();
    let put = qingling_tests::TestApp::read(put).await;
    // A path the API serves, with a method it does not take: 405 naming the ones it does
    // (it answered 404, as for a path that does not exist).
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(put.code(), "method_not_allowed");
    assert_eq!(put.headers["allow"], "POST");
    assert_eq!(put.headers["content-type"], "application/problem+json");
    let trace = app
        .client
        .request(
            reqwest::Method::TRACE,
            format!("{}/api/v1/hazards/h-1", app.base),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(trace.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(trace.headers()["allow"], "GET");
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = qingling_tests::spawn_app_with(|s| {
        s.metrics_token = Some(METRICS_TOKEN.to_owned().into());
    })
    .await;
    let h = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(h.status(), StatusCode::OK);
    let r = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Item 4 of issue 16: /metrics only for the bearer of QINGLING_METRICS_TOKEN.
    for token in [None, Some("wrong-token")] {
        let mut req = app.client.get(format!("{}/metrics", app.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let refused = req.send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{token:?}");
    }
    let m = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(m.status(), StatusCode::OK);
    let text = m.text().await.unwrap();
    assert!(text.contains("qingling_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/readyz\""), "{text}");
}

#[tokio::test]
async fn openapi_describes_every_route_and_the_docs_page_needs_no_network() {
    let app = spawn_app().await;
    let doc = app
        .client
        .get(format!("{}/openapi.json", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(doc.status(), StatusCode::OK);
    let doc: serde_json::Value = doc.json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/enterprises", "post"),
        ("/api/v1/enterprises", "get"),
        ("/api/v1/enterprises/{id}", "get"),
        ("/api/v1/enterprises/{id}/areas", "post"),
        ("/api/v1/users", "post"),
        ("/api/v1/users", "get"),
        ("/m/v1/intake", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    let page = app
        .client
        .get(format!("{}/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("https://"),
        "the docs page must not load anything from the network"
    );
    let js = app
        .client
        .get(format!("{}/docs/swagger-ui-bundle.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.bytes().await.unwrap().len() > 100_000);
}

#[tokio::test]
async fn intake_codes_resolve_to_the_enterprise_and_area() {
    let app = spawn_app().await;
    let e = app.create_enterprise("steel", "jb").await;
    let area = app
        .post(
            &format!("/api/v1/enterprises/{}/areas", e["id"].as_str().unwrap()),
            &app.admin_token,
            json!({"name": "煤气柜区"}),
        )
        .await;
    let by_poster = app
        .post_anon("/m/v1/intake", json!({"code": e["intake_code"]}))
        .await;
    assert_eq!(by_poster.status, StatusCode::OK);
    assert_eq!(by_poster.json["enterprise_name"], e["name"]);
    assert!(by_poster.json["area_id"].is_null());
    let by_qr = app
        .post_anon(
            "/m/v1/intake",
            json!({"code": area.json["qr_token"].as_str().unwrap().to_lowercase()}),
        )
        .await;
    assert_eq!(by_qr.json["area_id"], area.json["id"]);
    let unknown = app.post_anon("/m/v1/intake", json!({"code": "NOPE"})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
