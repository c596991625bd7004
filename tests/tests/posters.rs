//! Poster data and QR codes (`qingling_api::posters`, which the console's poster pages render):
//! the QR code decoded back opens the phone page on the configured public address with the
//! area pre-selected, the amounts are the policy in force, and only the enterprise's managers
//! and admins get a poster.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use qingling_api::domain::{Actor, Role};
use qingling_api::posters;
use qingling_tests::spawn_app_with;
use reqwest::StatusCode;
use serde_json::json;

fn actor(user: &serde_json::Value) -> Actor {
    Actor {
        user_id: user["id"].as_str().unwrap().into(),
        role: serde_json::from_value::<Role>(user["role"].clone()).unwrap(),
        enterprise_id: user["enterprise_id"].as_str().map(Into::into),
        jurisdiction: user["jurisdiction"].as_str().map(Into::into),
    }
}

#[tokio::test]
async fn an_area_poster_leads_to_the_phone_page_with_that_area_and_the_current_rewards() {
    let app = spawn_app_with(|s| s.public_url = "https://qingling.example.cn".into()).await;
    let ent = app.create_enterprise("steel", "jb/park").await;
    let ent_id = ent["id"].as_str().unwrap();
    let area = app
        .post(
            &format!("/api/v1/enterprises/{ent_id}/areas"),
            &app.admin_token,
            json!({ "name": "炼钢车间" }),
        )
        .await;
    let (principal, principal_token) = app.user("principal", Some(ent_id), None).await;
    let policy = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/enterprises/{ent_id}/reward-policy"),
            Some(&principal_token),
            Some(&json!({ "general_fen": 5000, "major_fen": 100000,
                          "principal_threshold_fen": 200000, "monthly_cap_fen": 1000000 })),
        )
        .await;
    assert_eq!(policy.status, StatusCode::OK, "{:?}", policy.json);

    let area_id = area.json["id"].as_str().unwrap().to_owned();
    let poster = posters::area_poster(&app.ctx, &actor(&principal), area_id.clone())
        .await
        .unwrap();
    let token = area.json["qr_token"].as_str().unwrap();
    assert_eq!(
        poster.url,
        format!("https://qingling.example.cn/m/#a={token}")
    );
    assert_eq!(poster.area_name.as_deref(), Some("炼钢车间"));
    assert_eq!(poster.enterprise_name, ent["name"].as_str().unwrap());
    assert_eq!((poster.general_fen, poster.major_fen), (5000, 100000));

    // The bare PNG says exactly that URL when a phone's decoder reads it.
    let png = posters::qr_png(&poster.url, 6).unwrap();
    let img = image::load_from_memory(&png).unwrap().to_luma8();
    let (w, h) = img.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            img.get_pixel(x as u32, y as u32).0[0]
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    assert_eq!(grids[0].decode().unwrap().1, poster.url);

    let whole = posters::enterprise_poster(&app.ctx, &actor(&principal), ent_id.into())
        .await
        .unwrap();
    let intake = ent["intake_code"].as_str().unwrap();
    assert_eq!(
        whole.url,
        format!("https://qingling.example.cn/m/#i={intake}")
    );
    assert_eq!(whole.area_name, None);
}

#[tokio::test]
async fn only_the_enterprises_managers_and_admins_get_its_posters() {
    let app = spawn_app_with(|_| {}).await;
    let ent = app.create_enterprise("nonferrous", "jb/park").await;
    let ent_id = ent["id"].as_str().unwrap();
    let other = app.create_enterprise("steel", "jb/park").await;
    let (worker, _) = app.user("worker", Some(ent_id), None).await;
    let (stranger, _) = app.user("safety_manager", other["id"].as_str(), None).await;
    let (officer, _) = app.user("bureau_officer", None, Some("jb")).await;
    let (manager, _) = app.user("safety_manager", Some(ent_id), None).await;
    let status = |r: Result<posters::Poster, qingling_api::error::AppError>| {
        r.map(|_| 200).unwrap_or_else(|e| e.code.status())
    };
    for (label, who, expected) in [
        ("worker", &worker, 403),
        ("other enterprise's manager", &stranger, 404),
        ("bureau officer", &officer, 403),
        ("manager", &manager, 200),
    ] {
        let got = status(posters::enterprise_poster(&app.ctx, &actor(who), ent_id.into()).await);
        assert_eq!(got, expected, "{label}");
    }
    let missing = posters::area_poster(&app.ctx, &actor(&manager), "no-such-area".into()).await;
    assert_eq!(status(missing), 404);
}
