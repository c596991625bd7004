//! Dead letters of the webhook outbox, for admins: see them and put them back in the queue.

use serde::Serialize;
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::domain::Actor;
use crate::error::{AppError, AppResult};
use crate::services::admin::PageQuery;
use crate::services::audit;
use crate::store::outbox::{self, OutboxRow};
use crate::store::pagination::PageRequest;
use crate::store::{time, write_tx};

/// An outbox entry as admins see it (the payload carries no reporter identity).
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxView {
    /// Id (for retry).
    pub id: String,
    /// The event id receivers deduplicate on.
    pub event_id: String,
    /// E.g. `escalation.opened`.
    pub topic: String,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// The last failure.
    pub last_error: Option<String>,
    /// When written.
    pub created_at: String,
    /// The JSON body.
    pub payload: serde_json::Value,
}

/// A page of dead letters.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxPage {
    /// Entries, newest first.
    pub items: Vec<OutboxView>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

fn view(r: OutboxRow) -> OutboxView {
    OutboxView {
        payload: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
        created_at: time::to_rfc3339(r.created_at),
        id: r.id,
        event_id: r.event_id,
        topic: r.topic,
        status: r.status,
        attempts: r.attempts,
        last_error: r.last_error,
    }
}

/// Dead letters (admins only).
pub async fn list_dead(ctx: &AppContext, actor: &Actor, q: PageQuery) -> AppResult<OutboxPage> {
    if !actor.is_admin() {
        return Err(AppError::forbidden());
    }
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let p2 = page.clone();
    let rows = ctx.db(move |conn| Ok(outbox::dead(conn, &p2)?)).await?;
    let (rows, next_cursor) = page.finish(rows, OutboxRow::cursor);
    Ok(OutboxPage {
        items: rows.into_iter().map(view).collect(),
        next_cursor,
    })
}

/// Puts a dead letter back in the queue with fresh attempts (admins only); 404 unless dead.
pub async fn retry(ctx: &AppContext, actor: &Actor, id: String) -> AppResult<()> {
    if !actor.is_admin() {
        return Err(AppError::forbidden());
    }
    let actor = actor.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            if !outbox::revive(conn, &id, time::now())? {
                return Err(AppError::not_found());
            }
            audit::record(
                conn,
                Some(&actor),
                "outbox.retry",
                "outbox",
                Some(&id),
                serde_json::json!({}),
            )
        })
    })
    .await
}
