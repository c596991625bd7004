//! Recording audit events for an actor, and checking the chain.

use crate::domain::Actor;
use crate::error::AppResult;
use crate::store::DbConn;
use crate::store::audit::{self, NewAuditEvent, Verdict};

/// Records an action by an actor (or the system when `None`) inside the caller's transaction.
pub fn record(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    action: &str,
    target_type: &str,
    target_id: Option<&str>,
    details: serde_json::Value,
) -> AppResult<()> {
    audit::append(
        conn,
        &NewAuditEvent {
            actor_id: actor.map(|a| a.user_id.as_str()),
            actor_role: actor.map(|a| a.role.as_str()),
            action,
            target_type,
            target_id,
            details,
        },
    )?;
    Ok(())
}

/// Walks the whole chain (`qingling audit verify`).
pub fn verify(conn: &mut DbConn) -> AppResult<Verdict> {
    Ok(audit::verify(conn)?)
}
