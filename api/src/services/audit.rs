//! Recording audit events for an actor, and checking the chain.

use crate::domain::Actor;
use crate::error::AppResult;
use crate::store::DbConn;
use crate::store::audit::{self, ExportedHead, NewAuditEvent, Verdict};

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

/// The label of the audit chain's HMAC key among the platform keys.
const KEY_LABEL: &str = "audit-chain";

/// The audit chain's HMAC key: derived from the index key version, which stays pinned across
/// rotations, so keyed history verifies after the sealing keys change.
fn chain_key(keys: &qingling_crypto::KeyRing) -> AppResult<qingling_crypto::SecretBytes> {
    keys.derive_platform_key(keys.index_key_version(), KEY_LABEL)
        .map_err(|e| crate::error::AppError::internal(anyhow::anyhow!("audit key: {e}")))
}

/// Keys the events appended since the last seal (start-up, and every instance's sealer).
pub fn seal(conn: &mut DbConn, keys: &qingling_crypto::KeyRing) -> AppResult<i64> {
    Ok(audit::seal_pending(conn, chain_key(keys)?.expose_secret())?)
}

/// Seals what is pending and returns the head to keep outside the database
/// (`qingling audit head`).
pub fn export_head(
    conn: &mut DbConn,
    keys: &qingling_crypto::KeyRing,
) -> AppResult<Option<ExportedHead>> {
    seal(conn, keys)?;
    Ok(audit::exported_head(conn)?)
}

/// Walks the whole chain with its keyed MACs (`qingling audit verify [--head]`).
pub fn verify(
    conn: &mut DbConn,
    keys: &qingling_crypto::KeyRing,
    exported: Option<&ExportedHead>,
) -> AppResult<Verdict> {
    Ok(audit::verify(
        conn,
        chain_key(keys)?.expose_secret(),
        exported,
    )?)
}
