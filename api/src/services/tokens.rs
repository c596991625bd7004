//! Access tokens: short-lived HS256 JWTs signed with a key derived from the master key ring.
//!
//! The header's `kid` names the key version, so signing keys rotate with the master key: new
//! tokens use the newest version while tokens signed by an older loaded version stay valid until
//! they expire. Validation pins the algorithm, issuer, audience and expiry; `alg: none` and any
//! other algorithm are refused.

use std::collections::HashMap;
use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use qingling_crypto::KeyRing;
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::domain::{Actor, Role};
use crate::error::{AppError, ErrorCode};

/// Token issuer (`iss`).
pub const ISSUER: &str = "qingling";
/// Audience of staff/phone access tokens (`aud`).
pub const AUDIENCE: &str = "qingling-api";
const KEY_LABEL: &str = "jwt-hs256";

/// What an access token says about its holder.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Role name.
    pub role: Role,
    /// Enterprise of an enterprise-scoped role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ent: Option<String>,
    /// Jurisdiction of a bureau officer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jur: Option<String>,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
    /// Token id.
    pub jti: String,
    /// The user's token epoch at issue: a token of an older epoch than the user's current one
    /// has been revoked (deactivation, password change or reset).
    #[serde(default)]
    pub epo: i64,
}

/// A token whose signature and claims are valid; whether it is still live (its epoch, the
/// account's state) is for the caller to check against the database.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Whom it names.
    pub actor: Actor,
    /// The epoch it was issued in.
    pub epoch: i64,
}

/// Signs and verifies access tokens.
pub struct TokenIssuer {
    current: u32,
    keys: HashMap<u32, (EncodingKey, DecodingKey)>,
    ttl: Duration,
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("current", &self.current)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    /// Derives one signing key per loaded master key version.
    pub fn new(ring: &KeyRing, settings: &Settings) -> anyhow::Result<Self> {
        let mut keys = HashMap::new();
        for version in ring.versions() {
            let secret = ring
                .derive_platform_key(version, KEY_LABEL)
                .map_err(|e| anyhow::anyhow!("deriving the token key: {e}"))?;
            keys.insert(
                version,
                (
                    EncodingKey::from_secret(secret.expose_secret())?,
                    DecodingKey::from_secret(secret.expose_secret())?,
                ),
            );
        }
        Ok(Self {
            current: ring.current_version(),
            keys,
            ttl: settings.access_token_ttl,
        })
    }

    /// Lifetime of new tokens, in seconds.
    pub fn ttl_secs(&self) -> i64 {
        self.ttl.as_secs() as i64
    }

    /// Issues a token for the actor in the user's current token epoch.
    pub fn issue(&self, actor: &Actor, epoch: i64) -> Result<String, AppError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: actor.user_id.clone(),
            role: actor.role,
            ent: actor.enterprise_id.clone(),
            jur: actor.jurisdiction.clone(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + self.ttl_secs(),
            jti: uuid::Uuid::new_v4().simple().to_string(),
            epo: epoch,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(format!("v{}", self.current));
        let (key, _) = self
            .keys
            .get(&self.current)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no signing key")))?;
        jsonwebtoken::encode(&header, &claims, key).map_err(AppError::internal)
    }

    /// Verifies a token's signature and claims. Every failure is the same 401.
    pub fn verify(&self, token: &str) -> Result<Verified, AppError> {
        let unauthenticated = || AppError::new(ErrorCode::Unauthenticated);
        let header = jsonwebtoken::decode_header(token).map_err(|_| unauthenticated())?;
        if header.alg != Algorithm::HS256 {
            return Err(unauthenticated());
        }
        let version: u32 = header
            .kid
            .as_deref()
            .and_then(|k| k.strip_prefix('v'))
            .and_then(|v| v.parse().ok())
            .ok_or_else(unauthenticated)?;
        let (_, key) = self.keys.get(&version).ok_or_else(unauthenticated)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let data = jsonwebtoken::decode::<Claims>(token, key, &validation)
            .map_err(|_| unauthenticated())?;
        let c = data.claims;
        Ok(Verified {
            actor: Actor {
                user_id: c.sub,
                role: c.role,
                enterprise_id: c.ent,
                jurisdiction: c.jur,
            },
            epoch: c.epo,
        })
    }
}
