//! Delivery of notifications from the outbox: WeCom and DingTalk group robots over HTTPS and
//! e-mail over SMTP. Entries are claimed with the same lease as the bureau's webhook
//! (`workers::outbox`), so each is sent by one instance at a time, retried with back-off and
//! a dead letter after `QINGLING_WEBHOOK_MAX_ATTEMPTS`, listed and retried by admins at
//! `/api/v1/admin/outbox/...`. Delivery is at least once: a robot may show a message twice if an
//! instance dies between sending and recording.
//!
//! The entry holds the message; the channel's URL, secret and addresses are opened from the
//! owner's sealed settings at send time, so they never sit in the outbox or in its error text.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use serde::Deserialize;
use sha2::Sha256;

use crate::context::AppContext;
use crate::domain::notification::{ChannelSettings, DINGTALK, EMAIL, Message, WECOM};
use crate::error::{AppError, AppResult};
use crate::services::notifications;
use crate::store::notifications as store;
use crate::store::outbox::OutboxRow;
use crate::workers::outbox::{claim_due, record};

/// The outbox channels this worker delivers.
pub const CHANNELS: &[&str] = &[WECOM, DINGTALK, EMAIL];

/// What an entry's payload holds.
#[derive(Debug, Deserialize)]
struct Payload {
    owner_type: String,
    owner_id: String,
    message: Message,
}

/// The SMTP transport `QINGLING_SMTP_URL` names, if any.
pub fn mailer(ctx: &AppContext) -> AppResult<Option<AsyncSmtpTransport<Tokio1Executor>>> {
    let Some(url) = &ctx.settings.notify.smtp_url else {
        return Ok(None);
    };
    let t = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
        .map_err(|e| AppError::internal(anyhow::anyhow!("QINGLING_SMTP_URL: {e}")))?
        .timeout(Some(super::outbox::TIMEOUT))
        .build();
    Ok(Some(t))
}

/// Delivers what is due; returns how many were delivered.
pub async fn deliver_due(
    ctx: &AppContext,
    http: &reqwest::Client,
    mail: Option<&AsyncSmtpTransport<Tokio1Executor>>,
) -> AppResult<usize> {
    let claimed = claim_due(ctx, CHANNELS).await?;
    let mut delivered = 0;
    for row in claimed {
        let outcome = match settings_for(ctx, &row).await? {
            Ok((settings, msg)) => send(ctx, http, mail, &row.channel, &settings, &msg).await,
            Err(e) => Err(e),
        };
        if outcome.is_ok() {
            delivered += 1;
        }
        record(ctx, row, outcome).await?;
    }
    Ok(delivered)
}

/// The owner's current settings and the message; an inner error is a failed attempt.
async fn settings_for(
    ctx: &AppContext,
    row: &OutboxRow,
) -> AppResult<Result<(ChannelSettings, Message), String>> {
    let p: Payload = match serde_json::from_str(&row.payload) {
        Ok(p) => p,
        Err(_) => return Ok(Err("payload unreadable".into())),
    };
    let keys = ctx.keys.clone();
    let found = ctx
        .db(move |conn| {
            store::find(conn, &p.owner_type, &p.owner_id)?
                .map(|r| notifications::open(&keys, &r))
                .transpose()
                .map(|s| (s, p.message))
        })
        .await?;
    Ok(match found {
        (Some(s), msg) => Ok((s, msg)),
        (None, _) => Err("the owner has no notification channels any more".into()),
    })
}

async fn send(
    ctx: &AppContext,
    http: &reqwest::Client,
    mail: Option<&AsyncSmtpTransport<Tokio1Executor>>,
    channel: &str,
    s: &ChannelSettings,
    msg: &Message,
) -> Result<(), String> {
    let public = &ctx.settings.public_url;
    match channel {
        WECOM => {
            let url = s
                .wecom_webhook
                .as_deref()
                .ok_or("WeCom robot no longer set")?;
            let body = serde_json::json!({
                "msgtype": "markdown",
                "markdown": { "content": msg.markdown(public) },
            });
            post_robot(http, url, &body).await
        }
        DINGTALK => {
            let (Some(url), Some(secret)) =
                (s.dingtalk_webhook.as_deref(), s.dingtalk_secret.as_deref())
            else {
                return Err("DingTalk robot no longer set".into());
            };
            let ts = chrono::Utc::now().timestamp_millis();
            let signed = dingtalk_url(url, secret, ts)?;
            let body = serde_json::json!({
                "msgtype": "markdown",
                "markdown": { "title": msg.title, "text": msg.markdown(public) },
            });
            post_robot(http, &signed, &body).await
        }
        EMAIL => {
            let mail = mail.ok_or("e-mail is not configured (QINGLING_SMTP_URL)")?;
            if s.emails.is_empty() {
                return Err("no e-mail addresses set any more".into());
            }
            let from: Mailbox = ctx
                .settings
                .notify
                .smtp_from
                .parse()
                .map_err(|_| "QINGLING_SMTP_FROM is not an address".to_owned())?;
            let mut b = lettre::Message::builder()
                .from(from)
                .subject(format!("【清零】{}", msg.title))
                .header(ContentType::TEXT_PLAIN);
            for to in &s.emails {
                b = b.to(to
                    .parse()
                    .map_err(|_| "an e-mail address is invalid".to_owned())?);
            }
            // Base64 always: Chinese text in 7-bit-safe lines for any relay.
            let body = Body::new_with_encoding(msg.plain(public), ContentTransferEncoding::Base64)
                .map_err(|_| "message body".to_owned())?;
            let email = b.body(body).map_err(|e| format!("message: {e}"))?;
            mail.send(email)
                .await
                .map(drop)
                .map_err(|e| format!("smtp: {e}"))
        }
        other => Err(format!("unknown channel {other}")),
    }
}

/// The DingTalk robot URL with its signature: `&timestamp=MS&sign=` the URL-encoded base64 of
/// HMAC-SHA256 under the secret of `MS\nsecret`, as DingTalk's 加签 requires.
pub fn dingtalk_url(url: &str, secret: &str, timestamp_ms: i64) -> Result<String, String> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| "bad secret".to_owned())?;
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    let sign = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let mut u = url::Url::parse(url).map_err(|_| "bad DingTalk URL".to_owned())?;
    u.query_pairs_mut()
        .append_pair("timestamp", &timestamp_ms.to_string())
        .append_pair("sign", &sign);
    Ok(u.to_string())
}

/// POSTs to a group robot; both WeCom and DingTalk answer `{"errcode":0}` on success, and a
/// non-zero code (bad key, rate limit, bad signature) is a failure to retry.
async fn post_robot(
    http: &reqwest::Client,
    url: &str,
    body: &serde_json::Value,
) -> Result<(), String> {
    let resp = http
        .post(url)
        .json(body)
        .send()
        .await
        // Without the URL: the error's text is stored, and a robot URL carries its key.
        .map_err(|e| format!("transport: {}", e.without_url()))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("status {}", status.as_u16()));
    }
    let answer: serde_json::Value = resp
        .json()
        .await
        .map_err(|_| "answer is not JSON".to_owned())?;
    match answer.get("errcode").and_then(serde_json::Value::as_i64) {
        Some(0) => Ok(()),
        Some(code) => Err(format!(
            "errcode {code}: {}",
            answer
                .get("errmsg")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .chars()
                .take(200)
                .collect::<String>()
        )),
        None => Err("answer has no errcode".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dingtalk_signature_matches_the_documented_recipe() {
        let u = dingtalk_url(
            "https://oapi.dingtalk.com/robot/send?access_token=t",
            "SECx",
            1000,
        )
        .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(b"SECx").unwrap();
        mac.update(b"1000\nSECx");
        let expect = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let parsed = url::Url::parse(&u).unwrap();
        let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(q["access_token"], "t");
        assert_eq!(q["timestamp"], "1000");
        assert_eq!(q["sign"], expect);
    }
}
