//! The console's sessions over real HTTP: the idle timeout and the absolute lifetime end a
//! session, a deactivated user's open session is refused at the next request, revocation ends
//! every session of a user, the database never holds a session id, and posts from another
//! origin or without the session's token change nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use diesel::prelude::*;
use qingling_api::services::sessions;
use qingling_api::store::schema::{console_sessions, users};
use qingling_tests::{TestApp, spawn_app_with};
use reqwest::StatusCode;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in through `/console/login`; returns the `name=value` of the session cookie.
async fn sign_in(app: &TestApp, username: &str) -> String {
    let r = app.console_login(username).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly")
            && set.contains("SameSite=Strict")
            && set.contains("Path=/console"),
        "{set}"
    );
    set.split(';').next().unwrap().to_owned()
}

async fn inbox(app: &TestApp, cookie: &str) -> reqwest::Response {
    client()
        .get(format!("{}/console/reports", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

async fn manager(app: &TestApp) -> (String, String) {
    let site = app.ledger_site("steel").await;
    let (m, _) = app.user("safety_manager", Some(&site.id), None).await;
    (
        m["username"].as_str().unwrap().to_owned(),
        m["id"].as_str().unwrap().to_owned(),
    )
}

fn signed_out(r: &reqwest::Response) -> bool {
    r.status() == StatusCode::SEE_OTHER
        && r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/console/login")
}

#[tokio::test]
async fn an_idle_session_ends_and_the_database_holds_no_session_id() {
    let app = spawn_app_with(|s| {
        s.console.idle_timeout = Duration::from_secs(2);
    })
    .await;
    let (username, _) = manager(&app).await;
    let cookie = sign_in(&app, &username).await;
    assert_eq!(inbox(&app, &cookie).await.status(), StatusCode::OK);
    let id = cookie.split_once('=').unwrap().1.to_owned();
    let stored: Vec<String> = app
        .ctx
        .db(|c| {
            Ok(console_sessions::table
                .select(console_sessions::id_hash)
                .load(c)?)
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], id, "only a keyed hash of the id is stored");
    assert!(!stored[0].contains(&id));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let r = inbox(&app, &cookie).await;
    assert!(signed_out(&r), "{:?}", r.status());
    assert_eq!(r.headers()["location"], "/console/login?ended=1");
}

#[tokio::test]
async fn an_htmx_request_of_an_ended_session_sends_the_whole_window_to_the_sign_in_page() {
    let app = spawn_app_with(|s| {
        s.console.idle_timeout = Duration::from_secs(1);
    })
    .await;
    let (username, _) = manager(&app).await;
    let cookie = sign_in(&app, &username).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let r = client()
        .get(format!("{}/console/reports?status=submitted", app.base))
        .header("cookie", &cookie)
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    // Not a 303 (which XMLHttpRequest would follow, swapping the sign-in form into the table).
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{:?}", r.headers());
    assert_eq!(r.headers()["hx-redirect"], "/console/login?ended=1");
    assert!(r.headers().get("location").is_none());
    assert!(r.text().await.unwrap().is_empty());
    // A plain visit still gets the redirect.
    let r = inbox(&app, &cookie).await;
    assert!(signed_out(&r), "{:?}", r.status());
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_however_busy() {
    let app = spawn_app_with(|s| {
        s.console.idle_timeout = Duration::from_secs(2);
        s.console.session_lifetime = Duration::from_secs(3);
    })
    .await;
    let (username, _) = manager(&app).await;
    let cookie = sign_in(&app, &username).await;
    for _ in 0..4 {
        assert_eq!(inbox(&app, &cookie).await.status(), StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(signed_out(&inbox(&app, &cookie).await));
}

#[tokio::test]
async fn a_deactivated_users_open_session_is_refused_at_the_next_request() {
    let app = spawn_app_with(|_| {}).await;
    let (username, user_id) = manager(&app).await;
    let cookie = sign_in(&app, &username).await;
    assert_eq!(inbox(&app, &cookie).await.status(), StatusCode::OK);
    // Deactivation itself is the accounts API's; the console only needs the flag.
    app.ctx
        .db(move |c| {
            diesel::update(users::table.find(user_id))
                .set(users::active.eq(false))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    assert!(signed_out(&inbox(&app, &cookie).await));
}

#[tokio::test]
async fn revoking_a_users_sessions_ends_every_one_of_them() {
    let app = spawn_app_with(|_| {}).await;
    let (username, user_id) = manager(&app).await;
    let first = sign_in(&app, &username).await;
    let second = sign_in(&app, &username).await;
    let n = app
        .ctx
        .db(move |c| sessions::revoke_sessions_of(c, &user_id))
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert!(signed_out(&inbox(&app, &first).await));
    assert!(signed_out(&inbox(&app, &second).await));
}

#[tokio::test]
async fn posts_from_another_origin_or_without_one_are_refused() {
    let app = spawn_app_with(|_| {}).await;
    let (username, _) = manager(&app).await;
    let cookie = sign_in(&app, &username).await;
    for origin in [Some("http://127.0.0.1:1"), Some("null"), None] {
        let mut r = client()
            .post(format!("{}/console/logout", app.base))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("csrf=x");
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{origin:?}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    // Right origin, wrong token: refused too, and the session still works.
    let r = client()
        .post(format!("{}/console/logout", app.base))
        .header("cookie", &cookie)
        .header("origin", &app.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("csrf=AAAA")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(inbox(&app, &cookie).await.status(), StatusCode::OK);
}
