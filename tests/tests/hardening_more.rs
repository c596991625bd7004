//! Issue 16, item 8: the smaller findings of the review, each seen from outside through the
//! running application — jurisdiction prefixes, key rotation, the disclosure reveal, the audit
//! chain, self-verification of supervised hazards, appeals of accepted reports, the intake rate
//! limit, passwords on the command line and the master key beside the database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use qingling_tests::spawn_app_with;
use reqwest::StatusCode;
use serde_json::Value;

fn ids(answer: &Value, list: &str) -> Vec<String> {
    answer[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {answer}"))
        .iter()
        .map(|e| e["enterprise_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_officer_never_sees_a_case_variant_jurisdiction() {
    let app = spawn_app_with(|s| {
        s.deadlines.triage_major = Duration::from_secs(1);
        s.deadlines.sweep_interval = Duration::from_millis(100);
    })
    .await;
    let own = app.create_enterprise("steel", "anshan/tiexi").await;
    let variant = app.create_enterprise("steel", "Anshan/tiexi").await;
    let wildcard = app.create_enterprise("steel", "anshanx/tiexi").await;
    let own_id = own["id"].as_str().unwrap();
    let (_, officer) = app.user("bureau_officer", None, Some("anshan")).await;

    let overview = app.get("/api/v1/bureau/overview", &officer).await;
    assert_eq!(overview.status, StatusCode::OK, "{:?}", overview.json);
    assert_eq!(ids(&overview.json, "enterprises"), vec![own_id.to_owned()]);

    // Escalations are listed by the same prefix rule.
    app.escalated_major_report(own_id).await;
    app.escalated_major_report(variant["id"].as_str().unwrap())
        .await;
    app.escalated_major_report(wildcard["id"].as_str().unwrap())
        .await;
    let inbox = app.get("/api/v1/bureau/escalations", &officer).await;
    assert_eq!(inbox.status, StatusCode::OK, "{:?}", inbox.json);
    assert_eq!(ids(&inbox.json, "items"), vec![own_id.to_owned()]);
}
