//! Login, refresh rotation and reuse, logout, and tokens that must be refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use qingling_tests::{PASSWORD, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn login_returns_a_bearer_pair_that_opens_me() {
    let app = spawn_app().await;
    let (user, _) = app.user("admin", None, None).await;
    let a = app
        .login(user["username"].as_str().unwrap(), PASSWORD)
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json["token_type"], "Bearer");
    assert!(a.json["expires_in"].as_i64().unwrap() > 0);
    let me = app
        .get("/api/v1/me", a.json["access_token"].as_str().unwrap())
        .await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["id"], user["id"]);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_answer_alike() {
    let app = spawn_app().await;
    let (user, _) = app.user("admin", None, None).await;
    let wrong = app
        .login(user["username"].as_str().unwrap(), "not the password")
        .await;
    let unknown = app.login("nobody-here", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.code(), "invalid_credentials");
    let strip = |v: &serde_json::Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("request_id");
        v
    };
    assert_eq!(strip(&wrong.json), strip(&unknown.json));
}

#[tokio::test]
async fn failed_logins_are_limited_per_account_whether_or_not_it_exists() {
    let app = spawn_app_with(|s| s.login_limit_per_account = 4).await;
    // The helper logs the new user in once: one of the four attempts is spent.
    let (user, _) = app.user("admin", None, None).await;
    let name = user["username"].as_str().unwrap();
    for _ in 0..3 {
        assert_eq!(
            app.login(name, "wrong password").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.login("ghost", "wrong password").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = app.login(name, PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.code(), "rate_limited");
    // The unknown account is held back after the same four attempts.
    assert_eq!(
        app.login("ghost", "x").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("ghost", "x").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn failed_logins_are_limited_per_client() {
    // The harness's admin login is the first of five attempts from this client.
    let app = spawn_app_with(|s| s.login_limit_per_client = 5).await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        statuses.push(
            app.login(&format!("someone-{i}"), "wrong password")
                .await
                .status,
        );
    }
    assert!(
        statuses[..4].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let (user, _) = app.user("admin", None, None).await;
    let first = app
        .login(user["username"].as_str().unwrap(), PASSWORD)
        .await;
    let r1 = first.json["refresh_token"].as_str().unwrap().to_owned();

    let second = app
        .post_anon("/api/v1/auth/refresh", json!({ "refresh_token": r1 }))
        .await;
    assert_eq!(second.status, StatusCode::OK);
    let r2 = second.json["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    let me = app
        .get("/api/v1/me", second.json["access_token"].as_str().unwrap())
        .await;
    assert_eq!(me.status, StatusCode::OK);

    // The spent token is presented again: refused, and the whole family dies with it.
    let reuse = app
        .post_anon("/api/v1/auth/refresh", json!({ "refresh_token": r1 }))
        .await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reuse.code(), "invalid_refresh_token");
    let after = app
        .post_anon("/api/v1/auth/refresh", json!({ "refresh_token": r2 }))
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_ends_the_refresh_family() {
    let app = spawn_app().await;
    let (user, _) = app.user("admin", None, None).await;
    let pair = app
        .login(user["username"].as_str().unwrap(), PASSWORD)
        .await;
    let r = pair.json["refresh_token"].as_str().unwrap();
    let out = app
        .post_anon("/api/v1/auth/logout", json!({ "refresh_token": r }))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let again = app
        .post_anon("/api/v1/auth/refresh", json!({ "refresh_token": r }))
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_short_lived_token_is_refused() {
    let app = spawn_app_with(|s| s.access_token_ttl = std::time::Duration::from_secs(1)).await;
    let (_, token) = app.user("admin", None, None).await;
    assert_eq!(app.get("/api/v1/me", &token).await.status, StatusCode::OK);
    // Validation allows 5 s of clock skew.
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    let a = app.get("/api/v1/me", &token).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.code(), "unauthenticated");
}

fn parts(token: &str) -> (serde_json::Value, serde_json::Value, String) {
    let mut it = token.split('.');
    let h = URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap();
    let c = URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap();
    (
        serde_json::from_slice(&h).unwrap(),
        serde_json::from_slice(&c).unwrap(),
        it.next().unwrap().to_owned(),
    )
}

fn assemble(header: &serde_json::Value, claims: &serde_json::Value, sig: &str) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        sig
    )
}

#[tokio::test]
async fn forged_alg_none_and_wrong_audience_tokens_are_refused() {
    let app = spawn_app().await;
    let ent = app.create_enterprise("steel", "jb/park").await;
    let (_, token) = app.user("worker", ent["id"].as_str(), None).await;
    let (header, claims, sig) = parts(&token);

    // Claims changed to admin, original signature: forged.
    let mut admin_claims = claims.clone();
    admin_claims["role"] = json!("admin");
    let forged = assemble(&header, &admin_claims, &sig);
    // alg none, no signature.
    let none = assemble(
        &json!({"alg": "none", "typ": "JWT", "kid": header["kid"]}),
        &admin_claims,
        "",
    );
    // Signed with a key of our own choosing for the right kid.
    let other_key = jsonwebtoken::encode(
        &jsonwebtoken::Header {
            kid: header["kid"].as_str().map(Into::into),
            ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
        },
        &admin_claims,
        &jsonwebtoken::EncodingKey::from_secret(b"guessed secret").unwrap(),
    )
    .unwrap();
    // A token for another audience, correctly shaped otherwise.
    let mut aud = claims.clone();
    aud["aud"] = json!("someone-else");
    let wrong_aud = assemble(&header, &aud, &sig);

    for (label, t) in [
        ("forged", forged),
        ("alg none", none),
        ("other key", other_key),
        ("wrong audience", wrong_aud),
        ("garbage", "abc.def.ghi".to_owned()),
    ] {
        let a = app.get("/api/v1/me", &t).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{label}");
        assert_eq!(a.code(), "unauthenticated", "{label}");
    }
    let none_at_all = app
        .call(reqwest::Method::GET, "/api/v1/me", None, None)
        .await;
    assert_eq!(none_at_all.status, StatusCode::UNAUTHORIZED);
}
