//! The account life cycle over HTTP: deactivation and reactivation, changing one's own password,
//! an admin's reset, and tokens that stop working at once rather than at expiry.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use qingling_tests::{PASSWORD, TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A user created by the admin, logged in once: `(user, access token, refresh token)`.
async fn signed_in(
    app: &TestApp,
    role: &str,
    enterprise_id: Option<&str>,
) -> (Value, String, String) {
    let (user, _) = app.user(role, enterprise_id, None).await;
    let pair = app
        .login(user["username"].as_str().unwrap(), PASSWORD)
        .await;
    assert_eq!(pair.status, StatusCode::OK, "{:?}", pair.json);
    assert_eq!(
        pair.json["password_change_required"], false,
        "{:?}",
        pair.json
    );
    (
        user,
        pair.json["access_token"].as_str().unwrap().to_owned(),
        pair.json["refresh_token"].as_str().unwrap().to_owned(),
    )
}

fn id(user: &Value) -> &str {
    user["id"].as_str().unwrap()
}

fn name(user: &Value) -> &str {
    user["username"].as_str().unwrap()
}

async fn refresh(app: &TestApp, token: &str) -> qingling_tests::Answer {
    app.post_anon("/api/v1/auth/refresh", json!({ "refresh_token": token }))
        .await
}

#[tokio::test]
async fn a_deactivated_manager_is_refused_at_once_with_every_token() {
    let app = spawn_app().await;
    let ent = app.create_enterprise("steel", "jb/park").await;
    let ent_id = ent["id"].as_str().unwrap();
    let (manager, access, refresh_token) = signed_in(&app, "safety_manager", Some(ent_id)).await;
    assert_eq!(
        app.get("/api/v1/reports", &access).await.status,
        StatusCode::OK
    );

    let off = app
        .post(
            &format!("/api/v1/users/{}/deactivate", id(&manager)),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{:?}", off.json);
    assert_eq!(off.json["active"], false);

    // The access token is minutes from its expiry, and refused on the very next request.
    let after = app.get("/api/v1/reports", &access).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.code(), "unauthenticated");
    assert_eq!(
        app.get("/api/v1/me", &access).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = refresh(&app, &refresh_token).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "invalid_refresh_token");
    let login = app.login(name(&manager), PASSWORD).await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login.code(), "invalid_credentials");

    // Reactivated: the old tokens stay dead, a new login works.
    let on = app
        .post(
            &format!("/api/v1/users/{}/reactivate", id(&manager)),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK);
    assert_eq!(on.json["active"], true);
    assert_eq!(
        app.get("/api/v1/reports", &access).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh(&app, &refresh_token).await.status,
        StatusCode::UNAUTHORIZED
    );
    let fresh = app.login_ok(name(&manager), PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/reports", &fresh).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_deactivated_workers_phone_token_is_refused_on_the_phone_routes() {
    let app = spawn_app().await;
    let ent = app.create_enterprise("steel", "jb/park").await;
    let (worker, access, _) = signed_in(&app, "worker", ent["id"].as_str()).await;
    assert_eq!(
        app.get("/m/v1/reports", &access).await.status,
        StatusCode::OK
    );
    app.post(
        &format!("/api/v1/users/{}/deactivate", id(&worker)),
        &app.admin_token,
        json!({}),
    )
    .await;
    assert_eq!(
        app.get("/m/v1/reports", &access).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn only_admins_change_accounts_and_unknown_users_are_404() {
    let app = spawn_app().await;
    let ent = app.create_enterprise("steel", "jb/park").await;
    let ent_id = ent["id"].as_str().unwrap();
    let (worker, _, _) = signed_in(&app, "worker", Some(ent_id)).await;
    let (_, principal, _) = signed_in(&app, "principal", Some(ent_id)).await;
    for action in ["deactivate", "reactivate"] {
        let a = app
            .post(
                &format!("/api/v1/users/{}/{action}", id(&worker)),
                &principal,
                json!({}),
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{action}");
    }
    let reset = app
        .post(
            &format!("/api/v1/users/{}/password-reset", id(&worker)),
            &principal,
            json!({ "password": "a temporary one" }),
        )
        .await;
    assert_eq!(reset.status, StatusCode::FORBIDDEN);
    let missing = app
        .post(
            "/api/v1/users/no-such-user/deactivate",
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // The worker is untouched by the refused attempts.
    assert_eq!(
        app.login(name(&worker), PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_last_admin_cannot_deactivate_themself() {
    let app = spawn_app().await;
    let me = app.get("/api/v1/me", &app.admin_token).await;
    let first = me.json["id"].as_str().unwrap().to_owned();
    let alone = app
        .post(
            &format!("/api/v1/users/{first}/deactivate"),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(alone.status, StatusCode::CONFLICT);
    assert_eq!(alone.code(), "last_admin");
    assert_eq!(
        app.get("/api/v1/me", &app.admin_token).await.status,
        StatusCode::OK,
        "the refused deactivation changed nothing"
    );

    // With a second admin, the first may step down; the second then is the last one.
    let (second, second_token, _) = signed_in(&app, "admin", None).await;
    let step_down = app
        .post(
            &format!("/api/v1/users/{first}/deactivate"),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(step_down.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", &app.admin_token).await.status,
        StatusCode::UNAUTHORIZED
    );
    let last = app
        .post(
            &format!("/api/v1/users/{}/deactivate", id(&second)),
            &second_token,
            json!({}),
        )
        .await;
    assert_eq!(last.code(), "last_admin");
}

#[tokio::test]
async fn changing_ones_password_ends_every_other_session() {
    let app = spawn_app().await;
    let ent = app.create_enterprise("nonferrous", "jb/park").await;
    let (manager, laptop, laptop_refresh) =
        signed_in(&app, "safety_manager", ent["id"].as_str()).await;
    let phone = app.login(name(&manager), PASSWORD).await;
    let phone_access = phone.json["access_token"].as_str().unwrap();
    let phone_refresh = phone.json["refresh_token"].as_str().unwrap();

    let wrong = app
        .post(
            "/api/v1/auth/password",
            &laptop,
            json!({ "current_password": "not my password", "new_password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(wrong.code(), "current_password_wrong");
    let short = app
        .post(
            "/api/v1/auth/password",
            &laptop,
            json!({ "current_password": PASSWORD, "new_password": "short" }),
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert_eq!(short.json["errors"][0]["field"], "new_password");
    assert_eq!(
        app.get("/api/v1/reports", &laptop).await.status,
        StatusCode::OK,
        "refused changes end nothing"
    );

    let changed = app
        .post(
            "/api/v1/auth/password",
            &laptop,
            json!({ "current_password": PASSWORD, "new_password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.json);
    let new_access = changed.json["access_token"].as_str().unwrap();
    let new_refresh = changed.json["refresh_token"].as_str().unwrap();

    for (label, token) in [("laptop", laptop.as_str()), ("phone", phone_access)] {
        assert_eq!(
            app.get("/api/v1/reports", token).await.status,
            StatusCode::UNAUTHORIZED,
            "{label}"
        );
    }
    for (label, token) in [
        ("laptop", laptop_refresh.as_str()),
        ("phone", phone_refresh),
    ] {
        assert_eq!(
            refresh(&app, token).await.status,
            StatusCode::UNAUTHORIZED,
            "{label}"
        );
    }
    assert_eq!(
        app.get("/api/v1/reports", new_access).await.status,
        StatusCode::OK
    );
    assert_eq!(refresh(&app, new_refresh).await.status, StatusCode::OK);
    assert_eq!(
        app.login(name(&manager), PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.login_ok(name(&manager), "a brand new passphrase").await;
}

#[tokio::test]
async fn after_a_reset_the_user_must_change_the_password_before_anything_else() {
    let app = spawn_app().await;
    let ent = app.create_enterprise("steel", "jb/park").await;
    let (principal, before, _) = signed_in(&app, "principal", ent["id"].as_str()).await;
    let short = app
        .post(
            &format!("/api/v1/users/{}/password-reset", id(&principal)),
            &app.admin_token,
            json!({ "password": "short" }),
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);

    let reset = app
        .post(
            &format!("/api/v1/users/{}/password-reset", id(&principal)),
            &app.admin_token,
            json!({ "password": "temporary passphrase" }),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{:?}", reset.json);
    assert_eq!(reset.json["must_change_password"], true);
    assert_eq!(
        app.get("/api/v1/me", &before).await.status,
        StatusCode::UNAUTHORIZED,
        "tokens from before the reset end at once"
    );
    assert_eq!(
        app.login(name(&principal), PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );

    let login = app.login(name(&principal), "temporary passphrase").await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(login.json["password_change_required"], true);
    let temp = login.json["access_token"].as_str().unwrap();
    let refused = app.get("/api/v1/hazards", temp).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "password_change_required");
    let me = app.get("/api/v1/me", temp).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["must_change_password"], true);

    let changed = app
        .post(
            "/api/v1/auth/password",
            temp,
            json!({ "current_password": "temporary passphrase", "new_password": "my own passphrase" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.json);
    assert_eq!(changed.json["password_change_required"], false);
    let own = changed.json["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/hazards", own).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/me", own).await.json["must_change_password"],
        false
    );
    let again = app.login(name(&principal), "my own passphrase").await;
    assert_eq!(again.json["password_change_required"], false);
}
