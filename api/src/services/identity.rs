//! A confidential reporter's identity, sealed onto the report row.
//!
//! The plaintext is JSON `{user_id, display_name, employee_no?, phone?}`, sealed with
//! `Purpose::Identity` and the context `(enterprise, "report:<id>")`, so the ciphertext opens
//! only for that report. The only route that opens it is the audited two-custodian disclosure.

use qingling_crypto::{Context, KeyRing, Purpose, Sealed};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// Who sent a confidential report. `Debug` prints nothing.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ReporterIdentity {
    /// The worker's user id.
    pub user_id: String,
    /// Their display name.
    pub display_name: String,
    /// Employee number, if registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_no: Option<String>,
    /// Phone, if registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl std::fmt::Debug for ReporterIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReporterIdentity(..)")
    }
}

/// The sealing context's record id for a report.
pub fn record_id(report_id: &str) -> String {
    format!("report:{report_id}")
}

/// Seals an identity for a report.
pub fn seal(
    keys: &KeyRing,
    enterprise_id: &str,
    report_id: &str,
    identity: &ReporterIdentity,
) -> AppResult<Vec<u8>> {
    let plain = serde_json::to_vec(identity).map_err(AppError::internal)?;
    let rid = record_id(report_id);
    keys.seal(
        Purpose::Identity,
        &Context {
            enterprise_id,
            record_id: &rid,
        },
        &plain,
    )
    .map(|s| s.to_bytes())
    .map_err(|e| AppError::internal(anyhow::anyhow!("sealing an identity: {e}")))
}

/// Opens a report's sealed identity. Only the disclosure workflow may call this.
pub fn open(
    keys: &KeyRing,
    enterprise_id: &str,
    report_id: &str,
    sealed: &[u8],
) -> AppResult<ReporterIdentity> {
    let rid = record_id(report_id);
    let sealed = Sealed::from_bytes(sealed)
        .map_err(|e| AppError::internal(anyhow::anyhow!("sealed identity: {e}")))?;
    let plain = keys
        .open(
            Purpose::Identity,
            &Context {
                enterprise_id,
                record_id: &rid,
            },
            &sealed,
        )
        .map_err(|e| AppError::internal(anyhow::anyhow!("opening an identity: {e}")))?;
    serde_json::from_slice(plain.expose_secret()).map_err(AppError::internal)
}

/// The blind index that finds a worker's reports without storing who they are: hex of the keyed
/// HMAC of the user id under the enterprise's index key.
pub fn reporter_index(keys: &KeyRing, enterprise_id: &str, user_id: &str) -> String {
    hex::encode(keys.blind_index(enterprise_id, user_id))
}
