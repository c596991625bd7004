//! Background work that every instance runs: the escalation sweeper (with the notification
//! reminders and digest), the webhook outbox, the notification delivery and the audit chain's
//! sealer.
//! Both are safe with many instances against one database (guarded writes, unique keys,
//! leases), so there is no leader to elect.

pub mod notify;
pub mod outbox;
pub mod sweeper;

use std::time::Duration;

use crate::context::AppContext;

/// How soon after it commits an audit event is keyed: the window in which someone with write
/// access to the database could still alter it undetected.
pub const AUDIT_SEAL_INTERVAL: Duration = Duration::from_secs(1);

/// Starts the sweeper and the outbox delivery on the current tokio runtime. They run until the
/// runtime stops.
pub fn spawn(ctx: &AppContext) {
    let sweep_ctx = ctx.clone();
    tokio::spawn(async move {
        every(sweep_ctx.settings.deadlines.sweep_interval, || {
            let c = sweep_ctx.clone();
            async move {
                if let Err(e) = sweeper::sweep_once(&c).await {
                    tracing::error!(error = ?e, "escalation sweep failed");
                }
            }
        })
        .await;
    });
    let seal_ctx = ctx.clone();
    tokio::spawn(async move {
        every(AUDIT_SEAL_INTERVAL, || {
            let c = seal_ctx.clone();
            async move {
                let keys = c.keys.clone();
                if let Err(e) = c
                    .db(move |conn| crate::services::audit::seal(conn, &keys))
                    .await
                {
                    tracing::error!(error = ?e, "keying the audit chain failed");
                }
            }
        })
        .await;
    });
    let notify_ctx = ctx.clone();
    tokio::spawn(async move {
        let (http, mail) = match (outbox::client(), notify::mailer(&notify_ctx)) {
            (Ok(h), Ok(m)) => (h, m),
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!(error = ?e, "cannot build the notification clients");
                return;
            }
        };
        every(outbox::POLL, || {
            let c = notify_ctx.clone();
            let (http, mail) = (http.clone(), mail.clone());
            async move {
                if let Err(e) = notify::deliver_due(&c, &http, mail.as_ref()).await {
                    tracing::error!(error = ?e, "notification delivery failed");
                }
            }
        })
        .await;
    });
    if ctx.settings.webhook_url.is_some() {
        let out_ctx = ctx.clone();
        tokio::spawn(async move {
            let client = match outbox::client() {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = ?e, "cannot build the webhook client");
                    return;
                }
            };
            every(outbox::POLL, || {
                let c = out_ctx.clone();
                let client = client.clone();
                async move {
                    if let Err(e) = outbox::deliver_due(&c, &client).await {
                        tracing::error!(error = ?e, "webhook delivery failed");
                    }
                }
            })
            .await;
        });
    }
}

async fn every<F, Fut>(period: Duration, mut tick: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut interval = tokio::time::interval(period.max(Duration::from_millis(10)));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        tick().await;
    }
}
