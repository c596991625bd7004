//! A user's personal details (name, employee number, phone), sealed at rest with the
//! enterprise's identity key and bound to the user's row, so a database dump does not say who
//! has which account and a sealed blob cannot be moved to another user.

use qingling_crypto::{Context, KeyRing, Purpose};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// Sealing scope for users who belong to no enterprise (bureau officers, admins).
pub const PLATFORM_SCOPE: &str = "platform";

/// The details a user is registered with.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Personal {
    /// Name shown to colleagues.
    pub display_name: String,
    /// Employee number, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_no: Option<String>,
    /// Phone, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The worker's home area (an area id of their enterprise), if known: sealed with the rest,
    /// since where someone works narrows down who they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_id: Option<String>,
}

impl std::fmt::Debug for Personal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Personal(..)")
    }
}

/// The sealing context's record id for a user row's details.
pub(crate) fn record_id(user_id: &str) -> String {
    format!("user:{user_id}")
}

/// Seals the details for a user row.
pub fn seal(
    keys: &KeyRing,
    enterprise_id: Option<&str>,
    user_id: &str,
    personal: &Personal,
) -> AppResult<Vec<u8>> {
    let plain = serde_json::to_vec(personal).map_err(AppError::internal)?;
    let rid = record_id(user_id);
    let ctx = Context {
        enterprise_id: enterprise_id.unwrap_or(PLATFORM_SCOPE),
        record_id: &rid,
    };
    keys.seal(Purpose::Identity, &ctx, &plain)
        .map(|s| s.to_bytes())
        .map_err(|e| AppError::internal(anyhow::anyhow!("sealing personal details: {e}")))
}

/// Opens a user row's details.
pub fn open(
    keys: &KeyRing,
    enterprise_id: Option<&str>,
    user_id: &str,
    sealed: &[u8],
) -> AppResult<Personal> {
    let rid = record_id(user_id);
    let ctx = Context {
        enterprise_id: enterprise_id.unwrap_or(PLATFORM_SCOPE),
        record_id: &rid,
    };
    let sealed = qingling_crypto::Sealed::from_bytes(sealed)
        .map_err(|e| AppError::internal(anyhow::anyhow!("personal details: {e}")))?;
    let plain = keys
        .open(Purpose::Identity, &ctx, &sealed)
        .map_err(|e| AppError::internal(anyhow::anyhow!("opening personal details: {e}")))?;
    serde_json::from_slice(plain.expose_secret()).map_err(AppError::internal)
}
