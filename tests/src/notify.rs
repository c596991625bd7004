//! Real local receivers for notification tests: a group-robot HTTP server shaped like WeCom's or
//! DingTalk's (the DingTalk one checks the `timestamp` + `sign` signature as DingTalk does and
//! refuses a bad one with a non-zero `errcode`), and an SMTP sink that speaks the protocol to
//! lettre and keeps every message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::escalation::read_request;

/// One message a robot got.
#[derive(Debug, Clone)]
pub struct RobotMessage {
    /// The request line's target (`/robot/send?access_token=…&timestamp=…&sign=…`).
    pub target: String,
    /// The JSON body.
    pub body: Value,
    /// For DingTalk: whether the signature checked out.
    pub signature_ok: bool,
    /// The `errcode` answered.
    pub errcode: i64,
}

impl RobotMessage {
    /// The markdown text of the message (`content` for WeCom, `text` for DingTalk).
    pub fn text(&self) -> String {
        let md = &self.body["markdown"];
        md["content"]
            .as_str()
            .or_else(|| md["text"].as_str())
            .unwrap_or_default()
            .to_owned()
    }
}

/// A group robot on 127.0.0.1:0.
#[derive(Debug, Clone)]
pub struct Robot {
    /// The URL to configure, with its key in the query string as the real ones have.
    pub url: String,
    /// The key in that URL (must never show in a GET or an error).
    pub key: String,
    /// DingTalk's signing secret, when this is a DingTalk robot.
    pub secret: Option<String>,
    /// Every request, in order.
    pub got: Arc<Mutex<Vec<RobotMessage>>>,
    /// Answer `errcode` 45009 (rate limited) to everything while set.
    pub failing: Arc<AtomicBool>,
}

impl Robot {
    /// A WeCom-shaped robot: `POST /cgi-bin/webhook/send?key=KEY`.
    pub async fn wecom() -> Self {
        Self::start(None).await
    }

    /// A DingTalk-shaped robot: `POST /robot/send?access_token=TOKEN&timestamp=MS&sign=SIG`.
    pub async fn dingtalk() -> Self {
        Self::start(Some(format!("SEC{}", uuid::Uuid::new_v4().simple()))).await
    }

    async fn start(secret: Option<String>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the robot receiver must start");
        let addr = listener.local_addr().unwrap();
        let key = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let url = match secret {
            None => format!("http://{addr}/cgi-bin/webhook/send?key={key}"),
            Some(_) => format!("http://{addr}/robot/send?access_token={key}"),
        };
        let got: Arc<Mutex<Vec<RobotMessage>>> = Arc::default();
        let failing: Arc<AtomicBool> = Arc::default();
        let (g, f, s) = (got.clone(), failing.clone(), secret.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let (g, f, s) = (g.clone(), f.clone(), s.clone());
                tokio::spawn(async move {
                    let Some((line, _, body)) = read_request(&mut sock).await else {
                        return;
                    };
                    let target = line.split(' ').nth(1).unwrap_or_default().to_owned();
                    let signature_ok = s.as_deref().is_none_or(|sec| dingtalk_signed(&target, sec));
                    let errcode = if f.load(Ordering::SeqCst) {
                        45009
                    } else if !signature_ok {
                        310000
                    } else {
                        0
                    };
                    g.lock().unwrap().push(RobotMessage {
                        target,
                        body: serde_json::from_str(&body).unwrap_or(Value::Null),
                        signature_ok,
                        errcode,
                    });
                    let answer = json!({"errcode": errcode, "errmsg": if errcode == 0 { "ok" } else { "refused" }})
                        .to_string();
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                        answer.len()
                    );
                    let _ = sock.write_all(resp.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Self {
            url,
            key,
            secret,
            got,
            failing,
        }
    }

    /// Messages accepted (errcode 0) whose text contains `needle`.
    pub fn accepted_with(&self, needle: &str) -> Vec<RobotMessage> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.errcode == 0 && m.text().contains(needle))
            .cloned()
            .collect()
    }

    /// Everything received.
    pub fn all(&self) -> Vec<RobotMessage> {
        self.got.lock().unwrap().clone()
    }
}

/// Checks DingTalk's 加签: `sign` = base64(HMAC-SHA256(secret, "timestamp\nsecret")), URL-encoded,
/// and a timestamp within an hour of now.
fn dingtalk_signed(target: &str, secret: &str) -> bool {
    let Ok(u) = url::Url::parse(&format!("http://x{target}")) else {
        return false;
    };
    let q: std::collections::HashMap<String, String> = u.query_pairs().into_owned().collect();
    let (Some(ts), Some(sign)) = (q.get("timestamp"), q.get("sign")) else {
        return false;
    };
    let Ok(ms) = ts.parse::<i64>() else {
        return false;
    };
    if (chrono::Utc::now().timestamp_millis() - ms).abs() > 3_600_000 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{ts}\n{secret}").as_bytes());
    let expect = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    *sign == expect
}

/// One e-mail the sink accepted.
#[derive(Debug, Clone)]
pub struct Mail {
    /// `MAIL FROM` address.
    pub from: String,
    /// `RCPT TO` addresses.
    pub to: Vec<String>,
    /// The raw message (headers and body as sent).
    pub raw: String,
}

impl Mail {
    /// The decoded text of the body (base64 or plain) and the decoded subject.
    pub fn text(&self) -> String {
        let (head, body) = self.raw.split_once("\r\n\r\n").unwrap_or((&self.raw, ""));
        let mut out = String::new();
        for line in head.lines() {
            if let Some(s) = line.strip_prefix("Subject: ") {
                out.push_str(&decode_words(s));
                out.push('\n');
            }
        }
        if head
            .to_ascii_lowercase()
            .contains("content-transfer-encoding: base64")
        {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(compact)
                .expect("the mail body is base64");
            out.push_str(&String::from_utf8(bytes).expect("the mail body is UTF-8"));
        } else {
            out.push_str(body);
        }
        out
    }
}

/// Decodes RFC 2047 `=?utf-8?b?…?=` words.
fn decode_words(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            if lower.starts_with("=?utf-8?b?") && w.ends_with("?=") {
                let b = &w[10..w.len() - 2];
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b).unwrap())
                    .unwrap()
            } else {
                w.to_owned()
            }
        })
        .collect()
}

/// A minimal SMTP server on 127.0.0.1:0: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
#[derive(Debug, Clone)]
pub struct SmtpSink {
    /// `smtp://127.0.0.1:PORT` for `QINGLING_SMTP_URL`.
    pub url: String,
    /// Every message accepted.
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    /// Starts the sink (the test fails if it cannot).
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the SMTP sink must start");
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let m = mails.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let m = m.clone();
                tokio::spawn(async move {
                    let _ = session(sock, m).await;
                });
            }
        });
        Self { url, mails }
    }

    /// Mails whose decoded text contains `needle`.
    pub fn with(&self, needle: &str) -> Vec<Mail> {
        self.mails
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.text().contains(needle))
            .cloned()
            .collect()
    }
}

async fn session(sock: tokio::net::TcpStream, mails: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        let arg = |l: &str| {
            l.split_once(':')
                .map(|(_, a)| {
                    a.trim()
                        .trim_start_matches('<')
                        .split('>')
                        .next()
                        .unwrap_or("")
                        .to_owned()
                })
                .unwrap_or_default()
        };
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            w.write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                .await?;
        } else if upper.starts_with("MAIL FROM") {
            from = arg(&line);
            to.clear();
            w.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO") {
            to.push(arg(&line));
            w.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("DATA") {
            w.write_all(b"354 go ahead\r\n").await?;
            let mut raw = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                raw.push_str(
                    line.strip_prefix('.')
                        .filter(|_| line.starts_with(".."))
                        .unwrap_or(&line),
                );
            }
            mails.lock().unwrap().push(Mail {
                from: from.clone(),
                to: std::mem::take(&mut to),
                raw,
            });
            w.write_all(b"250 OK queued\r\n").await?;
        } else if upper.starts_with("QUIT") {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if upper.starts_with("RSET") || upper.starts_with("NOOP") {
            w.write_all(b"250 OK\r\n").await?;
        } else {
            w.write_all(b"502 not implemented\r\n").await?;
        }
    }
}

/// An enterprise with a worker, a manager and a principal, whose principal has set a WeCom
/// robot, a DingTalk robot and two e-mail addresses.
#[derive(Debug)]
pub struct NotifiedSite {
    /// The enterprise, worker and manager.
    pub site: crate::reports::ReportingSite,
    /// The enterprise's id.
    pub enterprise_id: String,
    /// The principal's token.
    pub principal_token: String,
    /// The WeCom robot.
    pub wecom: Robot,
    /// The DingTalk robot.
    pub dingtalk: Robot,
}

/// The e-mail addresses a [`NotifiedSite`] sets.
pub const SITE_EMAILS: [&str; 2] = ["anquan@example.cn", "fuzeren@example.cn"];

impl crate::TestApp {
    /// Sets up a [`NotifiedSite`] (the PUT must succeed).
    pub async fn notified_site(&self) -> NotifiedSite {
        let site = self.reporting_site().await;
        let enterprise_id = site.enterprise["id"].as_str().unwrap().to_owned();
        let (_, principal_token) = self.user("principal", Some(&enterprise_id), None).await;
        let (wecom, dingtalk) = (Robot::wecom().await, Robot::dingtalk().await);
        let a = self
            .put_notifications(
                &format!("/api/v1/enterprises/{enterprise_id}/notifications"),
                &principal_token,
                &json!({
                    "wecom_webhook": wecom.url,
                    "dingtalk_webhook": dingtalk.url,
                    "dingtalk_secret": dingtalk.secret,
                    "emails": SITE_EMAILS,
                }),
            )
            .await;
        assert_eq!(a.status, reqwest::StatusCode::OK, "{:?}", a.json);
        NotifiedSite {
            site,
            enterprise_id,
            principal_token,
            wecom,
            dingtalk,
        }
    }

    /// `PUT` a notification settings body.
    pub async fn put_notifications(&self, path: &str, token: &str, body: &Value) -> crate::Answer {
        self.call(reqwest::Method::PUT, path, Some(token), Some(body))
            .await
    }
}
