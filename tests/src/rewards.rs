//! Helpers for the reward and disclosure tests: an enterprise with one user of every role that
//! handles rewards, and reports written through the store until the intake and triage routes are
//! on this branch (a confidential report's identity sealed exactly as intake seals it).

use qingling_api::domain::{Actor, Role};
use qingling_api::services::disclosures::{ReporterIdentity, seal_identity};
use qingling_api::services::rewards::propose_for_accepted;
use qingling_api::store::reports::{self, ReportRow};
use qingling_api::store::rewards::RewardRow;
use qingling_api::store::{time, write_tx};
use qingling_crypto::ReceiptCode;
use serde_json::{Value, json};

use crate::{TestApp, short_id};

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
    /// As the services see them.
    pub actor: Actor,
}

/// An enterprise with two managers, a principal, two custodians and a worker.
#[derive(Debug, Clone)]
pub struct Site {
    /// Enterprise id.
    pub enterprise_id: String,
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
    let id = u["id"].as_str().unwrap().to_owned();
    Person {
        actor: Actor {
            user_id: id.clone(),
            role: Role::parse(role).unwrap(),
            enterprise_id: Some(ent.to_owned()),
            jurisdiction: None,
        },
        id,
        token,
    }
}

/// Registers an enterprise and its people.
pub async fn site(app: &TestApp) -> Site {
    let e = app.create_enterprise("steel", "jiangbei/gongyeyuan").await;
    let ent = e["id"].as_str().unwrap().to_owned();
    Site {
        manager: person(app, "safety_manager", &ent, json!({})).await,
        manager2: person(app, "safety_manager", &ent, json!({})).await,
        principal: person(app, "principal", &ent, json!({})).await,
        custodian1: person(app, "custodian", &ent, json!({"display_name": "保管员甲"})).await,
        custodian2: person(app, "custodian", &ent, json!({"display_name": "保管员乙"})).await,
        worker: person(
            app,
            "worker",
            &ent,
            json!({
                "display_name": WORKER_NAME,
                "employee_no": WORKER_EMPLOYEE_NO,
                "phone": WORKER_PHONE,
            }),
        )
        .await,
        enterprise_id: ent,
    }
}

/// A stored report and its receipt code.
#[derive(Debug, Clone)]
pub struct StoredReport {
    /// Report id.
    pub id: String,
    /// The receipt code the reporter holds.
    pub receipt_code: String,
    /// Pseudonym staff see.
    pub pseudonym: String,
}

/// Writes a submitted report: confidential from `worker` (identity sealed) or anonymous.
pub async fn report(app: &TestApp, site: &Site, confidential: bool) -> StoredReport {
    let keys = app.ctx.keys.clone();
    let id = uuid::Uuid::new_v4().to_string();
    let code = ReceiptCode::generate();
    let receipt_hash = hex::encode(keys.receipt_hash(&code));
    let ent = site.enterprise_id.clone();
    let (identity_sealed, reporter_index) = if confidential {
        let identity = ReporterIdentity {
            user_id: site.worker.id.clone(),
            display_name: WORKER_NAME.into(),
            employee_no: Some(WORKER_EMPLOYEE_NO.into()),
            phone: Some(WORKER_PHONE.into()),
        };
        (
            Some(seal_identity(&keys, &ent, &id, &identity).unwrap()),
            Some(hex::encode(keys.blind_index(&ent, &site.worker.id))),
        )
    } else {
        (None, None)
    };
    let now = time::now();
    let pseudonym = format!("举报人-{}", short_id());
    let row = ReportRow {
        id: id.clone(),
        enterprise_id: ent,
        area_id: None,
        title: "钢包吊运区下方有人值守".into(),
        description: "熔融金属吊运路线下方设有操作室".into(),
        suspected_level: Some("major".into()),
        criterion_codes: "[]".into(),
        mode: if confidential {
            "confidential"
        } else {
            "anonymous"
        }
        .into(),
        pseudonym: pseudonym.clone(),
        reporter_index,
        identity_sealed,
        receipt_hash,
        status: "submitted".into(),
        hazard_id: None,
        status_note: None,
        created_at: now,
        triaged_at: None,
        updated_at: now,
    };
    app.ctx
        .db(move |conn| Ok(reports::insert(conn, &row)?))
        .await
        .unwrap();
    StoredReport {
        id,
        receipt_code: code.as_str().to_owned(),
        pseudonym,
    }
}

/// Accepts a report into `hazard_id` as `by` would in triage, and proposes its reward.
pub async fn accept(
    app: &TestApp,
    by: &Person,
    report_id: &str,
    hazard_id: &str,
    level: &str,
) -> Option<RewardRow> {
    let (actor, rid, hid, level) = (
        by.actor.clone(),
        report_id.to_owned(),
        hazard_id.to_owned(),
        level.to_owned(),
    );
    app.ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                reports::transition(
                    conn,
                    &rid,
                    "submitted",
                    "accepted",
                    Some(&hid),
                    None,
                    time::now(),
                )?;
                let report = reports::find(conn, &rid)?.unwrap();
                propose_for_accepted(conn, &actor, &report, &hid, &level)
            })
        })
        .await
        .unwrap()
}

/// A new hazard id (hazards are not on this branch yet).
pub fn hazard() -> String {
    uuid::Uuid::new_v4().to_string()
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
