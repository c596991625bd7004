//! Submitting reports the way a phone does: multipart with a `report` JSON part and `photo`
//! parts, optionally with an `Idempotency-Key`.

use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::{Answer, TestApp};

/// A multipart form with the report JSON and the given photos.
pub fn form(report: &Value, photos: &[Vec<u8>]) -> Form {
    form_with("report", report, photos)
}

/// A multipart form with `json` in part `json_part` and the given photos (a sweep finding's
/// `hazard`, rectification `evidence`).
pub fn form_with(json_part: &str, json: &Value, photos: &[Vec<u8>]) -> Form {
    let mut form = Form::new().part(
        json_part.to_owned(),
        Part::text(json.to_string())
            .mime_str("application/json")
            .expect("mime"),
    );
    for (i, p) in photos.iter().enumerate() {
        form = form.part(
            "photo",
            Part::bytes(p.clone())
                .file_name(format!("IMG_{i:04}.jpg"))
                .mime_str("image/jpeg")
                .expect("mime"),
        );
    }
    form
}

impl TestApp {
    /// `POST path` with a multipart form, an optional token and idempotency key.
    pub async fn post_form(
        &self,
        path: &str,
        token: Option<&str>,
        form: Form,
        idempotency_key: Option<&str>,
    ) -> Answer {
        let mut req = self
            .client
            .post(format!("{}{}", self.base, path))
            .multipart(form);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        Self::read(req.send().await.expect("request sent")).await
    }

    /// A worker's confidential report.
    pub async fn submit_report(&self, token: &str, report: Value, photos: &[Vec<u8>]) -> Answer {
        self.post_form("/m/v1/reports", Some(token), form(&report, photos), None)
            .await
    }

    /// An anonymous report (the JSON must carry `intake_code`).
    pub async fn submit_anonymous(&self, report: Value, photos: &[Vec<u8>]) -> Answer {
        self.post_form("/m/v1/anonymous-reports", None, form(&report, photos), None)
            .await
    }
}

/// An enterprise with a worker (with personal details) and a safety manager.
#[derive(Debug)]
pub struct ReportingSite {
    /// The enterprise JSON.
    pub enterprise: Value,
    /// The worker's user JSON.
    pub worker: Value,
    /// The worker's token.
    pub worker_token: String,
    /// The safety manager's token.
    pub manager_token: String,
}

/// The worker's personal details, to look for in places they must never appear.
pub const WORKER_NAME: &str = "钱多多";
/// The worker's employee number.
pub const WORKER_EMPLOYEE_NO: &str = "GZ-20231187";
/// The worker's phone.
pub const WORKER_PHONE: &str = "13912345678";

impl TestApp {
    /// Sets up an enterprise with a worker and a manager.
    pub async fn reporting_site(&self) -> ReportingSite {
        let enterprise = self.create_enterprise("steel", "jb/park").await;
        let eid = enterprise["id"].as_str().expect("id").to_owned();
        let (worker, worker_token) = self
            .user_with(
                "worker",
                Some(&eid),
                None,
                serde_json::json!({
                    "display_name": WORKER_NAME,
                    "employee_no": WORKER_EMPLOYEE_NO,
                    "phone": WORKER_PHONE,
                }),
            )
            .await;
        let (_, manager_token) = self.user("safety_manager", Some(&eid), None).await;
        ReportingSite {
            enterprise,
            worker,
            worker_token,
            manager_token,
        }
    }
}
