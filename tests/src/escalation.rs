//! Helpers for escalation tests: reports written through the store (until intake over HTTP
//! exists), a bureau officer, and a real local HTTP receiver for webhooks.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use qingling_api::store::escalations::{self, EscalationRow};
use qingling_api::store::reports::{self, ReportRow};
use qingling_api::store::time;
use qingling_crypto::ReceiptCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::TestApp;

/// A report written straight to the store.
#[derive(Debug, Clone)]
pub struct StoredReport {
    /// Its id.
    pub id: String,
    /// Its receipt code (shown once to the reporter).
    pub receipt_code: String,
}

/// Options of a stored report.
#[derive(Debug, Clone, Default)]
pub struct NewReport {
    /// Suspected major.
    pub major: bool,
    /// Status other than `submitted`.
    pub status: Option<&'static str>,
    /// Confidential report by this worker (user id); anonymous otherwise.
    pub worker_id: Option<String>,
}

impl TestApp {
    /// Writes a report through the store, as intake would.
    pub async fn stored_report(&self, enterprise_id: &str, opts: NewReport) -> StoredReport {
        let code = ReceiptCode::generate();
        let receipt_hash = hex::encode(self.ctx.keys.receipt_hash(&code));
        let id = uuid::Uuid::new_v4().to_string();
        let now = time::now();
        let reporter_index = opts
            .worker_id
            .as_ref()
            .map(|u| hex::encode(self.ctx.keys.blind_index(enterprise_id, u)));
        let row = ReportRow {
            id: id.clone(),
            enterprise_id: enterprise_id.to_owned(),
            area_id: None,
            title: "钢包吊运区下方有人员值守室".into(),
            description: "浇注跨吊运路线下方设有休息室，有人员值守".into(),
            suspected_level: Some(if opts.major { "major" } else { "general" }.into()),
            criterion_codes: "[]".into(),
            mode: if opts.worker_id.is_some() {
                "confidential"
            } else {
                "anonymous"
            }
            .into(),
            pseudonym: format!("举报人-{}", &id[..4]),
            identity_sealed: opts.worker_id.as_ref().map(|_| vec![1, 2, 3]),
            reporter_index,
            receipt_hash,
            status: opts.status.unwrap_or("submitted").into(),
            hazard_id: None,
            status_note: opts.status.map(|_| "不属实".into()),
            created_at: now,
            triaged_at: opts.status.map(|_| now),
            updated_at: now,
        };
        self.ctx
            .db(move |conn| Ok(reports::insert(conn, &row)?))
            .await
            .unwrap();
        StoredReport {
            id,
            receipt_code: code.as_str().to_owned(),
        }
    }

    /// Every escalation of a report, read from the store.
    pub async fn escalations_of(&self, report_id: &str) -> Vec<EscalationRow> {
        self.escalations_of_subject("report", report_id).await
    }

    /// Every escalation of a report or hazard, read from the store.
    pub async fn escalations_of_subject(
        &self,
        subject_type: &'static str,
        id: &str,
    ) -> Vec<EscalationRow> {
        let id = id.to_owned();
        self.ctx
            .db(move |conn| Ok(escalations::of_subject(conn, subject_type, &id)?))
            .await
            .unwrap()
    }

    /// A hazard found in a quarterly sweep, over HTTP as the site's manager; returns its id.
    pub async fn swept_hazard(&self, site: &crate::ledger::Site, level: &str) -> String {
        let a = self
            .post(
                "/api/v1/hazards",
                &site.manager,
                serde_json::json!({"title": "除尘器未设泄爆装置", "description": "干式除尘器无泄爆、惰化或抑爆", "level": level}),
            )
            .await;
        assert_eq!(a.status, reqwest::StatusCode::CREATED, "{:?}", a.json);
        a.json["id"].as_str().unwrap().to_owned()
    }

    /// An enterprise in `jb/park` and a bureau officer over `jb`; returns (enterprise id, token).
    pub async fn enterprise_and_officer(&self) -> (String, String) {
        let e = self.create_enterprise("steel", "jb/park").await;
        let (_, token) = self.user("bureau_officer", None, Some("jb")).await;
        (e["id"].as_str().unwrap().to_owned(), token)
    }
}

/// The trigger kinds of an escalation, in order.
pub fn trigger_kinds(row: &EscalationRow) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(&row.triggers).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// One request a [`Receiver`] got, and what it answered.
#[derive(Debug, Clone)]
pub struct Received {
    /// Lower-case header names and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
    /// The status answered.
    pub answered: u16,
}

impl Received {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP server on 127.0.0.1:0 that records every request and answers 500 to the first
/// `fail_first` requests (or to all while `always_fail` is set), 200 after.
#[derive(Debug, Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:PORT/hook`.
    pub url: String,
    /// What it got.
    pub received: Arc<Mutex<Vec<Received>>>,
    /// Answer 500 to everything while set.
    pub always_fail: Arc<std::sync::atomic::AtomicBool>,
}

impl Receiver {
    /// Starts the receiver.
    pub async fn start(fail_first: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let always_fail: Arc<std::sync::atomic::AtomicBool> = Arc::default();
        let (rec, fail) = (received.clone(), always_fail.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let rec = rec.clone();
                let fail = fail.clone();
                tokio::spawn(async move {
                    let Some((_, headers, body)) = read_request(&mut sock).await else {
                        return;
                    };
                    let status = {
                        let mut list = rec.lock().unwrap();
                        let status = if fail.load(std::sync::atomic::Ordering::SeqCst)
                            || list.len() < fail_first
                        {
                            500
                        } else {
                            200
                        };
                        list.push(Received {
                            headers,
                            body,
                            answered: status,
                        });
                        status
                    };
                    let resp = format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                    let _ = sock.write_all(resp.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Self {
            url,
            received,
            always_fail,
        }
    }

    /// A copy of what it got so far.
    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Reads one HTTP/1.1 request: its request line (`POST /path?query HTTP/1.1`), lower-case
/// headers and body (by `content-length`).
pub async fn read_request(
    sock: &mut tokio::net::TcpStream,
) -> Option<(String, Vec<(String, String)>, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let request_line = head.lines().next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    Some((request_line, headers, body))
}

impl TestApp {
    /// A suspected-major report that the sweeper has escalated (waits up to 10 s); returns the
    /// report and its escalation's id.
    pub async fn escalated_major_report(&self, enterprise_id: &str) -> (StoredReport, String) {
        let r = self
            .stored_report(
                enterprise_id,
                NewReport {
                    major: true,
                    ..Default::default()
                },
            )
            .await;
        for _ in 0..200 {
            if let Some(e) = self.escalations_of(&r.id).await.first() {
                let id = e.id.clone();
                return (r, id);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the report was not escalated within 10 s");
    }
}
