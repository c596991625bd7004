//! Helpers for the ledger tests: an enterprise with its staff, and reports to triage.
//!
//! Reports are submitted over HTTP through the phone intake route, as a worker would.

use qingling_api::store::reports::{self, ReportRow};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{Answer, TestApp};

/// An enterprise with a safety manager, a principal and a worker, all logged in.
#[derive(Debug)]
pub struct Site {
    /// Enterprise id.
    pub id: String,
    /// Safety manager's token.
    pub manager: String,
    /// Safety manager's user id.
    pub manager_id: String,
    /// Principal's token.
    pub principal: String,
    /// Worker's token.
    pub worker: String,
    /// An area of the site.
    pub area_id: String,
}

impl TestApp {
    /// Registers an enterprise of `sector` with its staff and one area.
    pub async fn ledger_site(&self, sector: &str) -> Site {
        let e = self.create_enterprise(sector, "jb/park").await;
        let id = e["id"].as_str().unwrap().to_owned();
        let (m, manager) = self.user("safety_manager", Some(&id), None).await;
        let (_, principal) = self.user("principal", Some(&id), None).await;
        let (_, worker) = self.user("worker", Some(&id), None).await;
        let a = self
            .post(
                &format!("/api/v1/enterprises/{id}/areas"),
                &manager,
                json!({ "name": "炼钢车间" }),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
        Site {
            id,
            manager,
            manager_id: m["id"].as_str().unwrap().to_owned(),
            principal,
            worker,
            area_id: a.json["id"].as_str().unwrap().to_owned(),
        }
    }

    /// A worker's report at the site, submitted over HTTP as a phone does; returns its id.
    pub async fn report_at(&self, site: &Site, title: &str) -> String {
        let a = self
            .submit_report(
                &site.worker,
                json!({"title": title, "description": format!("{title}：现场发现"), "area_id": site.area_id}),
                &[crate::photos::jpeg(320, 240)],
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
        a.json["report_id"].as_str().unwrap().to_owned()
    }

    /// The stored report (status, hazard link, note) and its timeline after the submission entry.
    pub async fn report_state(&self, id: &str) -> (ReportRow, Vec<reports::ReportEventRow>) {
        let id = id.to_owned();
        self.ctx
            .db(move |conn| {
                let r = reports::find(conn, &id)?.unwrap();
                let mut ev = reports::events_of(conn, &id)?;
                assert_eq!(ev.first().map(|e| e.kind.as_str()), Some("submitted"));
                ev.remove(0);
                Ok((r, ev))
            })
            .await
            .unwrap()
    }

    /// `PUT` JSON with a token.
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(reqwest::Method::PUT, path, Some(token), Some(&body))
            .await
    }

    /// Triage a report.
    pub async fn triage(&self, token: &str, report_id: &str, body: Value) -> Answer {
        self.post(&format!("/api/v1/reports/{report_id}/triage"), token, body)
            .await
    }

    /// Accepts a report as the site's manager; returns the hazard id.
    pub async fn accepted_hazard(&self, site: &Site, body: Value) -> String {
        let r = self.report_at(site, "钢包吊运跨下设有休息室").await;
        let a = self.triage(&site.manager, &r, body).await;
        assert_eq!(a.status, StatusCode::OK, "{:?}", a.json);
        a.json["hazard_id"].as_str().unwrap().to_owned()
    }
}

/// A complete 五落实 plan.
pub fn full_plan(responsible: &str, deadline: &str) -> Value {
    json!({
        "measures": "拆除吊运跨下休息室，人员迁出",
        "responsible_person": responsible,
        "funds_fen": 1_250_000,
        "deadline": deadline,
        "contingency_plan": "吊运作业时禁止人员进入，设置警戒",
    })
}
