//! Helpers for the reward and disclosure tests: an enterprise with one user of every role that
//! handles rewards, and the whole path over HTTP as people take it — a worker's phone submits
//! (confidential, logged in, or anonymous with the intake code) with a real JPEG, a manager
//! triages, staff read the reward from the ledger, and the reporter follows up with the receipt
//! code or logged in.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, TestApp, photos};

/// The worker's name, employee number and phone: no staff answer may ever contain them.
pub const WORKER_NAME: &str = "王铁柱";
/// See [`WORKER_NAME`].
pub const WORKER_EMPLOYEE_NO: &str = "GT-20931";
/// See [`WORKER_NAME`].
pub const WORKER_PHONE: &str = "13912345678";

/// A logged-in user.
#[derive(Debug, Clone)]
pub struct Person {
    /// User id.
    pub id: String,
    /// Access token.
    pub token: String,
}

/// An enterprise with two managers, a principal, two custodians and a worker.
#[derive(Debug, Clone)]
pub struct Site {
    /// Enterprise id.
    pub enterprise_id: String,
    /// The code on the enterprise's posters, for anonymous reports.
    pub intake_code: String,
    /// Safety manager who triages (and so proposes).
    pub manager: Person,
    /// A second safety manager.
    pub manager2: Person,
    /// The principal.
    pub principal: Person,
    /// First custodian.
    pub custodian1: Person,
    /// Second custodian.
    pub custodian2: Person,
    /// The reporting worker (with name, employee number and phone).
    pub worker: Person,
}

async fn person(app: &TestApp, role: &str, ent: &str, extra: Value) -> Person {
    let (u, token) = app.user_with(role, Some(ent), None, extra).await;
    Person {
        id: u["id"].as_str().unwrap().to_owned(),
        token,
    }
}

/// A worker of the enterprise with the name, employee number and phone of [`WORKER_NAME`].
pub async fn worker(app: &TestApp, enterprise_id: &str) -> Person {
    person(
        app,
        "worker",
        enterprise_id,
        json!({
            "display_name": WORKER_NAME,
            "employee_no": WORKER_EMPLOYEE_NO,
            "phone": WORKER_PHONE,
        }),
    )
    .await
}

/// Registers an enterprise and its people.
pub async fn site(app: &TestApp) -> Site {
    let e = app.create_enterprise("steel", "jiangbei/gongyeyuan").await;
    let ent = e["id"].as_str().unwrap().to_owned();
    Site {
        intake_code: e["intake_code"].as_str().unwrap().to_owned(),
        manager: person(app, "safety_manager", &ent, json!({})).await,
        manager2: person(app, "safety_manager", &ent, json!({})).await,
        principal: person(app, "principal", &ent, json!({})).await,
        custodian1: person(app, "custodian", &ent, json!({"display_name": "保管员甲"})).await,
        custodian2: person(app, "custodian", &ent, json!({"display_name": "保管员乙"})).await,
        worker: worker(app, &ent).await,
        enterprise_id: ent,
    }
}

/// A submitted report as its reporter holds it.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// Report id.
    pub id: String,
    /// The receipt code shown once at submission.
    pub receipt_code: String,
    /// The pseudonym staff see.
    pub pseudonym: String,
}

fn report_body(title: &str) -> Value {
    json!({
        "title": title,
        "description": "熔融金属吊运路线下方设有操作室，吊运时有人值守",
        "suspected_level": "major",
    })
}

async fn submitted(app: &TestApp, site: &Site, a: Answer) -> Submitted {
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
    let id = a.json["report_id"].as_str().unwrap().to_owned();
    let detail = app
        .get(&format!("/api/v1/reports/{id}"), &site.manager.token)
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{:?}", detail.json);
    Submitted {
        receipt_code: a.json["receipt_code"].as_str().unwrap().to_owned(),
        pseudonym: detail.json["pseudonym"].as_str().unwrap().to_owned(),
        id,
    }
}

/// A logged-in worker's confidential report with a small real JPEG (`POST /m/v1/reports`).
pub async fn confidential(app: &TestApp, site: &Site, worker: &Person) -> Submitted {
    let a = app
        .submit_report(
            &worker.token,
            report_body("钢包吊运区下方有人值守"),
            &[photos::jpeg(64, 48)],
        )
        .await;
    submitted(app, site, a).await
}

/// An anonymous report with the enterprise's intake code and a small real JPEG
/// (`POST /m/v1/anonymous-reports`).
pub async fn anonymous(app: &TestApp, site: &Site) -> Submitted {
    let mut body = report_body("出铁场主沟盖板缺失");
    body["intake_code"] = json!(site.intake_code);
    let a = app.submit_anonymous(body, &[photos::jpeg(64, 48)]).await;
    submitted(app, site, a).await
}

/// The report's reward as staff see it on the ledger (`GET /api/v1/rewards`), if it has one.
pub async fn reward_of(app: &TestApp, by: &Person, report_id: &str) -> Option<Value> {
    let list = app.get("/api/v1/rewards?limit=200", &by.token).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.json);
    list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["report_id"] == report_id)
        .cloned()
}

/// Triage over HTTP (`POST /api/v1/reports/{id}/triage`), asserting it succeeds; returns the
/// hazard id and the report's reward as staff see it.
pub async fn triage_ok(
    app: &TestApp,
    by: &Person,
    report_id: &str,
    body: Value,
) -> (String, Option<Value>) {
    let a = app.triage(&by.token, report_id, body).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    let hazard = a.json["hazard_id"].as_str().unwrap().to_owned();
    (hazard, reward_of(app, by, report_id).await)
}

/// Accepts a report as a new hazard of `level` (`general` or `major`); returns the hazard id and
/// the reward it proposed.
pub async fn accept(
    app: &TestApp,
    by: &Person,
    report_id: &str,
    level: &str,
) -> (String, Option<Value>) {
    triage_ok(
        app,
        by,
        report_id,
        json!({"decision": "accept", "level": level}),
    )
    .await
}

/// Accepts a report and returns its reward, which must exist.
pub async fn accepted_reward(app: &TestApp, by: &Person, report_id: &str, level: &str) -> Value {
    accept(app, by, report_id, level)
        .await
        .1
        .expect("accepting proposes a reward")
}

/// Marks a report a duplicate of `hazard_id`; returns its reward, if the policy gives one.
pub async fn duplicate(
    app: &TestApp,
    by: &Person,
    report_id: &str,
    hazard_id: &str,
) -> Option<Value> {
    triage_ok(
        app,
        by,
        report_id,
        json!({"decision": "duplicate", "duplicate_of": hazard_id}),
    )
    .await
    .1
}

/// What the reporter sees with the receipt code (`POST /m/v1/receipt`).
pub async fn follow_up(app: &TestApp, r: &Submitted) -> Value {
    let a = app
        .post_anon("/m/v1/receipt", json!({"receipt_code": r.receipt_code}))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
    assert_eq!(a.json["report_id"], r.id.as_str());
    a.json
}

/// What the logged-in worker sees: the report's entry in `GET /m/v1/reports` and its follow-up
/// `GET /m/v1/reports/{id}`, whose rewards must agree.
pub async fn my_follow_up(app: &TestApp, worker: &Person, report_id: &str) -> Value {
    let list = app.get("/m/v1/reports?limit=200", &worker.token).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.json);
    let item = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["report_id"] == report_id)
        .cloned()
        .expect("the report is among my reports");
    let one = app
        .get(&format!("/m/v1/reports/{report_id}"), &worker.token)
        .await;
    assert_eq!(one.status, StatusCode::OK, "{:?}", one.json);
    assert_eq!(item["reward"], one.json["reward"], "list and detail agree");
    one.json
}

/// Sets the enterprise's policy as its principal.
pub async fn set_policy(app: &TestApp, site: &Site, policy: Value) {
    let a = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/enterprises/{}/reward-policy", site.enterprise_id),
            Some(&site.principal.token),
            Some(&policy),
        )
        .await;
    assert_eq!(a.status, reqwest::StatusCode::OK, "{:?}", a.json);
}
