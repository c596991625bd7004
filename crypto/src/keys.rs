//! Master keys, the versioned key ring, and HKDF derivation of every working key.
//!
//! # Derivation
//!
//! All working keys are `HKDF-SHA256(ikm = master key, salt = "qingling-crypto/v1 hkdf", info)`
//! with 32 bytes of output, where `info` is a canonical field encoding (see
//! [`crate::format`]) starting with a scope label:
//!
//! * enterprise key: `enc("enterprise", [purpose code], enterprise_id)` — wraps data keys
//!   (identity, payout, photo) and keys the blind index of one enterprise;
//! * receipt key: `enc("receipt", [5])` — platform-wide, because anonymous receipt lookups
//!   arrive with nothing but the code;
//! * platform key: `enc("platform", label)` — handed to other subsystems (JWT, webhooks).
//!
//! The scope labels keep the three families disjoint: no label passed to
//! [`KeyRing::derive_platform_key`] can produce an enterprise or receipt key.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use rand::rngs::OsRng;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::format::{KEY_LEN, encode_fields};
use crate::{CryptoError, Purpose, SecretBytes};

const HKDF_SALT: &[u8] = b"qingling-crypto/v1 hkdf";
const SCOPE_ENTERPRISE: &[u8] = b"enterprise";
const SCOPE_RECEIPT: &[u8] = b"receipt";
const SCOPE_PLATFORM: &[u8] = b"platform";

/// 32 random bytes from which every other key is derived.
///
/// Wiped on drop; `Debug` prints only `MasterKey(..)`; not `Clone`, so there is exactly one copy
/// per loaded key.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct MasterKey([u8; KEY_LEN]);

impl MasterKey {
    /// A new key from the operating system's random source, for first start in development or
    /// for an operator creating the next key version.
    pub fn generate() -> Self {
        let mut key = [0u8; KEY_LEN];
        OsRng.fill_bytes(&mut key);
        Self(key)
    }

    /// Parse the configured key (standard base64 of exactly 32 bytes; surrounding whitespace,
    /// such as a key file's trailing newline, is ignored). An all-zero key is rejected because it
    /// can only be a placeholder left in a config file.
    pub fn from_base64(s: &str) -> Result<Self, CryptoError> {
        let decoded = Zeroizing::new(
            BASE64
                .decode(s.trim())
                .map_err(|_| CryptoError::InvalidMasterKey)?,
        );
        let key: [u8; KEY_LEN] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::InvalidMasterKey)?;
        let key = Self(key);
        if key.0.iter().all(|&b| b == 0) {
            return Err(CryptoError::InvalidMasterKey);
        }
        Ok(key)
    }

    /// Standard base64 of the key, so the caller can write a development key file. The returned
    /// `String` is not zeroized; drop it as soon as it is written.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }

    /// Wrap raw key bytes (e.g. from a hardware module or a test vector).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// HKDF-SHA256 with the crate salt and the given info, 32 bytes out.
    fn derive(&self, info: &[u8]) -> Zeroizing<[u8; KEY_LEN]> {
        let hk = Hkdf::<Sha256>::new(Some(HKDF_SALT), &self.0);
        let mut okm = Zeroizing::new([0u8; KEY_LEN]);
        if hk.expand(info, okm.as_mut()).is_err() {
            // RFC 5869 only rejects outputs longer than 255 * 32 bytes.
            unreachable!("HKDF-SHA256 always accepts a 32-byte output");
        }
        okm
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

/// HMAC-SHA256 over the concatenation of `parts`.
pub(crate) fn hmac_sha256(key: &[u8; KEY_LEN], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC accepts keys of any length.
        Err(_) => unreachable!("HMAC-SHA256 accepts a 32-byte key"),
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The versioned master keys of the deployment.
///
/// New data is always sealed under the highest version ([`KeyRing::current_version`]); every
/// loaded version can still open data. The blind index and receipt hash use one fixed
/// *index key version* instead (see [`KeyRing::index_key_version`]) so that they stay stable
/// while the sealing key rotates.
///
/// `Debug` lists versions only, never key bytes.
pub struct KeyRing {
    keys: BTreeMap<u32, MasterKey>,
    index_version: u32,
    index_pinned: bool,
    /// The index key version's master key when that version is no longer loaded for sealing
    /// (retired after a rotation): used only to derive the index, receipt and platform keys of
    /// that version, never to open sealed data.
    index_only: Option<MasterKey>,
}

impl KeyRing {
    /// A ring holding a single key, which is both the current and the index key version.
    pub fn new(current_version: u32, key: MasterKey) -> Self {
        let mut keys = BTreeMap::new();
        keys.insert(current_version, key);
        Self {
            keys,
            index_version: current_version,
            index_pinned: false,
            index_only: None,
        }
    }

    /// Add another key version (older ones to keep old rows readable, a newer one to rotate).
    /// The highest version becomes current. Unless the index version was pinned with
    /// [`KeyRing::with_index_key_version`], it follows the lowest (oldest) loaded version.
    /// A version already present is an error rather than a silent replacement.
    pub fn with_key(mut self, version: u32, key: MasterKey) -> Result<Self, CryptoError> {
        if self.keys.contains_key(&version) {
            return Err(CryptoError::DuplicateKeyVersion(version));
        }
        self.keys.insert(version, key);
        if !self.index_pinned && version < self.index_version {
            self.index_version = version;
        }
        Ok(self)
    }

    /// Pin the key version from which the blind index and receipt hash keys are derived.
    ///
    /// Production configuration should always pin it: those hashes are one-way and cannot be
    /// recomputed from stored data, so the index version must never change. Pinned, a ring that
    /// lacks the index key fails here (the service refuses to start) instead of silently
    /// producing different hashes.
    pub fn with_index_key_version(mut self, version: u32) -> Result<Self, CryptoError> {
        if !self.keys.contains_key(&version) {
            return Err(CryptoError::UnknownKeyVersion(version));
        }
        self.index_version = version;
        self.index_pinned = true;
        Ok(self)
    }

    /// The index key version's master key, sealed under the current version for the database
    /// (bound to the platform scope and the version), so the version can later be retired from
    /// the key file: [`KeyRing::with_sealed_index_key`] brings it back. Re-seal after each
    /// rotation (the re-wrap does).
    pub fn seal_index_key(&self) -> Result<crate::Sealed, CryptoError> {
        let rid = format!("index-key:{}", self.index_version);
        self.seal(
            Purpose::IndexKey,
            &crate::Context::new("platform", &rid),
            &self.index_master().0,
        )
    }

    /// Pin the index key version to `version`, which is not loaded, by opening its master key
    /// from `sealed` (made by [`KeyRing::seal_index_key`] under a loaded version). The key serves
    /// only the blind index, receipt hash and platform keys of that version; data sealed under it
    /// stays unreadable, as a retired version should.
    pub fn with_sealed_index_key(
        mut self,
        version: u32,
        sealed: &crate::Sealed,
    ) -> Result<Self, CryptoError> {
        if self.keys.contains_key(&version) {
            return self.with_index_key_version(version);
        }
        let rid = format!("index-key:{version}");
        let bytes = self.open(
            Purpose::IndexKey,
            &crate::Context::new("platform", &rid),
            sealed,
        )?;
        let key: [u8; KEY_LEN] = bytes
            .expose_secret()
            .try_into()
            .map_err(|_| CryptoError::InvalidMasterKey)?;
        self.index_only = Some(MasterKey(key));
        self.index_version = version;
        self.index_pinned = true;
        Ok(self)
    }

    /// Whether the index key version is held only for the index (retired from sealing).
    pub fn index_key_is_retired(&self) -> bool {
        self.index_only.is_some()
    }

    /// The version new data is sealed under: the highest loaded.
    pub fn current_version(&self) -> u32 {
        self.keys
            .last_key_value()
            .map_or(self.index_version, |(v, _)| *v)
    }

    /// The version the blind index and receipt hash keys are derived from.
    pub fn index_key_version(&self) -> u32 {
        self.index_version
    }

    /// All loaded versions, ascending.
    pub fn versions(&self) -> Vec<u32> {
        self.keys.keys().copied().collect()
    }

    /// A platform-wide 32-byte secret for another subsystem (e.g. `"jwt"`, `"webhook"`), derived
    /// per key version so that signing keys rotate along with the master key and a JWT `kid` can
    /// name the version. Distinct labels give independent keys.
    pub fn derive_platform_key(
        &self,
        version: u32,
        label: &str,
    ) -> Result<SecretBytes, CryptoError> {
        let master = match (&self.index_only, self.master(version)) {
            (_, Ok(m)) => m,
            (Some(m), Err(_)) if version == self.index_version => m,
            (_, Err(e)) => return Err(e),
        };
        let key = master.derive(&encode_fields(&[SCOPE_PLATFORM, label.as_bytes()]));
        Ok(SecretBytes::new(key.to_vec()))
    }

    pub(crate) fn master(&self, version: u32) -> Result<&MasterKey, CryptoError> {
        self.keys
            .get(&version)
            .ok_or(CryptoError::UnknownKeyVersion(version))
    }

    /// Per-enterprise, per-purpose key of the given master key version.
    pub(crate) fn enterprise_key(
        &self,
        version: u32,
        purpose: Purpose,
        enterprise_id: &str,
    ) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        Ok(self.master(version)?.derive(&encode_fields(&[
            SCOPE_ENTERPRISE,
            &[purpose.code()],
            enterprise_id.as_bytes(),
        ])))
    }

    /// Per-enterprise blind index key, from the index key version.
    pub(crate) fn index_key(&self, enterprise_id: &str) -> Zeroizing<[u8; KEY_LEN]> {
        self.index_master().derive(&encode_fields(&[
            SCOPE_ENTERPRISE,
            &[Purpose::BlindIndex.code()],
            enterprise_id.as_bytes(),
        ]))
    }

    /// Platform-wide receipt hash key, from the index key version.
    pub(crate) fn receipt_key(&self) -> Zeroizing<[u8; KEY_LEN]> {
        self.index_master()
            .derive(&encode_fields(&[SCOPE_RECEIPT, &[Purpose::Receipt.code()]]))
    }

    fn index_master(&self) -> &MasterKey {
        match (self.keys.get(&self.index_version), &self.index_only) {
            (Some(key), _) | (None, Some(key)) => key,
            // Constructors only ever set index_version to a loaded version or to the one whose
            // key they put in `index_only`, and keys are never removed from a ring.
            (None, None) => unreachable!("index key version is always loaded"),
        }
    }
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("versions", &self.versions())
            .field("current_version", &self.current_version())
            .field("index_key_version", &self.index_version)
            .field("index_key_retired", &self.index_only.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> MasterKey {
        MasterKey::from_bytes([b; KEY_LEN])
    }

    #[test]
    fn base64_round_trip_and_validation() {
        let k = MasterKey::generate();
        let b64 = k.to_base64();
        let back = MasterKey::from_base64(&format!("  {b64}\n")).map(|k| k.0);
        assert_eq!(back, Ok(k.0));
        assert_eq!(
            MasterKey::from_base64("not base64!").map(|_| ()),
            Err(CryptoError::InvalidMasterKey)
        );
        assert_eq!(
            MasterKey::from_base64(&BASE64.encode([7u8; 31])).map(|_| ()),
            Err(CryptoError::InvalidMasterKey)
        );
        assert_eq!(
            MasterKey::from_base64(&BASE64.encode([0u8; 32])).map(|_| ()),
            Err(CryptoError::InvalidMasterKey)
        );
    }

    #[test]
    fn generated_keys_differ() {
        assert_ne!(MasterKey::generate().0, MasterKey::generate().0);
    }

    #[test]
    fn ring_versions_and_index_version() -> Result<(), CryptoError> {
        let ring = KeyRing::new(2, key(2))
            .with_key(1, key(1))?
            .with_key(3, key(3))?;
        assert_eq!(ring.current_version(), 3);
        assert_eq!(ring.versions(), vec![1, 2, 3]);
        assert_eq!(ring.index_key_version(), 1);
        let pinned = KeyRing::new(2, key(2))
            .with_index_key_version(2)?
            .with_key(1, key(1))?;
        assert_eq!(pinned.index_key_version(), 2);
        assert_eq!(
            KeyRing::new(2, key(2))
                .with_index_key_version(1)
                .map(|_| ()),
            Err(CryptoError::UnknownKeyVersion(1))
        );
        assert_eq!(
            KeyRing::new(2, key(2)).with_key(2, key(9)).map(|_| ()),
            Err(CryptoError::DuplicateKeyVersion(2))
        );
        Ok(())
    }

    #[test]
    fn derivation_separates_scopes_purposes_enterprises_versions() -> Result<(), CryptoError> {
        let ring = KeyRing::new(1, key(1)).with_key(2, key(2))?;
        let a = ring.enterprise_key(1, Purpose::Identity, "ent-a")?;
        assert_ne!(*a, *ring.enterprise_key(1, Purpose::Payout, "ent-a")?);
        assert_ne!(*a, *ring.enterprise_key(1, Purpose::Identity, "ent-b")?);
        assert_ne!(*a, *ring.enterprise_key(2, Purpose::Identity, "ent-a")?);
        assert_eq!(*a, *ring.enterprise_key(1, Purpose::Identity, "ent-a")?);
        let jwt1 = ring.derive_platform_key(1, "jwt")?;
        assert_eq!(jwt1.len(), 32);
        assert_ne!(
            jwt1.expose_secret(),
            ring.derive_platform_key(2, "jwt")?.expose_secret()
        );
        assert_ne!(
            jwt1.expose_secret(),
            ring.derive_platform_key(1, "webhook")?.expose_secret()
        );
        assert_ne!(
            &ring.receipt_key()[..],
            ring.derive_platform_key(1, "receipt")?.expose_secret()
        );
        assert_eq!(
            ring.derive_platform_key(9, "jwt").map(|_| ()),
            Err(CryptoError::UnknownKeyVersion(9))
        );
        Ok(())
    }

    #[test]
    fn a_retired_index_version_keeps_its_hashes_from_the_sealed_copy() -> Result<(), CryptoError> {
        let old = KeyRing::new(1, key(1)).with_index_key_version(1)?;
        let code = crate::ReceiptCode::generate();
        let before = (old.blind_index("e", "u"), old.receipt_hash(&code));
        let sealed = KeyRing::new(1, key(1))
            .with_key(2, key(2))?
            .with_index_key_version(1)?
            .seal_index_key()?;
        assert_eq!(sealed.key_version(), 2, "sealed under the current version");
        let retired = KeyRing::new(2, key(2)).with_sealed_index_key(1, &sealed)?;
        assert!(retired.index_key_is_retired());
        assert_eq!(
            (retired.blind_index("e", "u"), retired.receipt_hash(&code)),
            before
        );
        assert_eq!(
            retired.derive_platform_key(1, "jwt")?.expose_secret(),
            old.derive_platform_key(1, "jwt")?.expose_secret()
        );
        // The retired version opens nothing it sealed.
        let ctx = crate::Context::new("e", "r");
        let s1 = old.seal(Purpose::Identity, &ctx, b"x")?;
        assert_eq!(
            retired.open(Purpose::Identity, &ctx, &s1).map(|_| ()),
            Err(CryptoError::UnknownKeyVersion(1))
        );
        // Another version's sealed copy does not open as version 1's.
        assert!(
            KeyRing::new(2, key(2))
                .with_sealed_index_key(3, &sealed)
                .is_err()
        );
        Ok(())
    }

    #[test]
    fn hkdf_matches_reference_construction() {
        // derive() is plain RFC 5869 HKDF: check it against extract-then-expand done by hand.
        let k = key(0x42);
        let info = b"some info";
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(HKDF_SALT).unwrap_or_else(|_| unreachable!());
        mac.update(&k.0);
        let prk: [u8; 32] = mac.finalize().into_bytes().into();
        let t1 = hmac_sha256(&prk, &[info, &[1u8]]);
        assert_eq!(*k.derive(info), t1);
    }
}
