//! Webhook delivery of the outbox: each pending event is claimed with a guarded update (a lease
//! on `next_attempt_at`, so two instances never send the same event at once), POSTed as JSON
//! with an HMAC-SHA256 signature, and marked delivered, rescheduled with exponential back-off,
//! or dead after `webhook_max_attempts`.
//!
//! Headers: `X-Qingling-Event-Id` (deduplicate on it: delivery is at least once),
//! `X-Qingling-Timestamp` (Unix seconds) and `X-Qingling-Signature: sha256=HEX`, the HMAC of
//! `TIMESTAMP.BODY` under `QINGLING_WEBHOOK_SECRET`.

use std::time::Duration;

use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;

use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::store::outbox::{self, OutboxRow};
use crate::store::time;

/// How often each instance looks for due events.
pub const POLL: Duration = Duration::from_millis(500);
/// How long a claimed event is held before another instance may try it.
pub const LEASE: Duration = Duration::from_secs(60);
/// Timeout of one delivery.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Events claimed per poll.
pub const BATCH: i64 = 20;
/// Longest wait between attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// The HTTP client for deliveries: rustls with the bundled webpki roots for https:// receivers
/// (no system certificate store needed), plain HTTP for a receiver on the same network.
pub fn client() -> AppResult<reqwest::Client> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .min_tls_version(reqwest::tls::Version::TLS_1_2)
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(AppError::internal)
}

/// The signature header's value for a body sent at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &str) -> AppResult<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(AppError::internal)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    Ok(format!(
        "sha256={}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

/// Wait before attempt `attempts + 1`: 1 s, 2 s, 4 s, … capped at [`MAX_BACKOFF`].
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    Duration::from_secs(1u64 << exp).min(MAX_BACKOFF)
}

/// Delivers what is due; returns how many were delivered.
pub async fn deliver_due(ctx: &AppContext, client: &reqwest::Client) -> AppResult<usize> {
    let (Some(url), Some(secret)) = (&ctx.settings.webhook_url, &ctx.settings.webhook_secret)
    else {
        return Ok(0);
    };
    let claimed = claim_due(ctx, &[outbox::WEBHOOK]).await?;
    let mut delivered = 0;
    for row in claimed {
        let outcome = send(client, url, secret.expose_secret().as_bytes(), &row).await;
        if outcome.is_ok() {
            delivered += 1;
        }
        record(ctx, row, outcome).await?;
    }
    Ok(delivered)
}

/// Claims up to [`BATCH`] due entries of the given channels for this instance: each is held by a
/// lease (a guarded update), so no other instance sends it until the lease ends.
pub async fn claim_due(
    ctx: &AppContext,
    channels: &'static [&'static str],
) -> AppResult<Vec<OutboxRow>> {
    ctx.db(move |conn| {
        let now = time::now();
        let lease = now + chrono::Duration::from_std(LEASE).map_err(AppError::internal)?;
        let mut mine = Vec::new();
        for row in outbox::due(conn, channels, now, BATCH)? {
            if outbox::claim(conn, &row, lease)? {
                mine.push(row);
            }
        }
        Ok(mine)
    })
    .await
}

async fn send(
    client: &reqwest::Client,
    url: &str,
    secret: &[u8],
    row: &OutboxRow,
) -> Result<(), String> {
    let ts = chrono::Utc::now().timestamp();
    let sig = signature(secret, ts, &row.payload).map_err(|e| e.to_string())?;
    let resp = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-qingling-event-id", &row.event_id)
        .header("x-qingling-timestamp", ts.to_string())
        .header("x-qingling-signature", sig)
        .body(row.payload.clone())
        .send()
        .await
        // Without the URL: the error's text is logged and stored, and URLs can carry tokens.
        .map_err(|e| format!("transport: {}", e.without_url()))?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(format!("status {}", resp.status().as_u16()))
    }
}

/// Records the outcome of one attempt at a claimed entry: delivered, or rescheduled with
/// back-off, or dead after `webhook_max_attempts`.
pub async fn record(
    ctx: &AppContext,
    row: OutboxRow,
    outcome: Result<(), String>,
) -> AppResult<()> {
    let max = i32::try_from(ctx.settings.webhook_max_attempts).unwrap_or(i32::MAX);
    ctx.db(move |conn| {
        let now = time::now();
        let attempts = row.attempts + 1;
        match outcome {
            Ok(()) => outbox::finish(conn, &row.id, "delivered", now, None, Some(now))?,
            Err(err) => {
                let dead = attempts >= max;
                if dead {
                    tracing::warn!(event_id = %row.event_id, channel = %row.channel, attempts, "outbox event is a dead letter");
                }
                let next = now
                    + chrono::Duration::from_std(backoff(attempts)).map_err(AppError::internal)?;
                outbox::finish(
                    conn,
                    &row.id,
                    if dead { "dead" } else { "pending" },
                    next,
                    Some(&err),
                    None,
                )?;
            }
        }
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(2), Duration::from_secs(2));
        assert_eq!(backoff(4), Duration::from_secs(8));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }

    #[test]
    fn signature_covers_timestamp_and_body() {
        let a = signature(b"k", 1, "{}").unwrap();
        assert!(a.starts_with("sha256="));
        assert_ne!(a, signature(b"k", 2, "{}").unwrap());
        assert_ne!(a, signature(b"k", 1, "{ }").unwrap());
        assert_ne!(a, signature(b"j", 1, "{}").unwrap());
    }
}
