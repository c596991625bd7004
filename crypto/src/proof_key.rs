//! The Ed25519 key that signs proofs of report.
//!
//! A worker who reported a hazard must be able to prove it later to someone who does not trust
//! the enterprise's records (an accident investigation, the bureau, a court). The server signs a
//! small document about each report with an Ed25519 key; anyone holding the published public key
//! can check it offline.
//!
//! The signing key is not stored anywhere: its 32-byte seed is the platform key of the master
//! key version with the label [`PROOF_KEY_LABEL`], i.e.
//! `HKDF-SHA256(master key, salt "qingling-crypto/v1 hkdf", info = enc("platform", "proof-ed25519/1"))`.
//! It rotates with the master key: proofs are signed under the current version, and every
//! loaded older version still yields its public key for verification. The `/1` in the label is
//! the derivation's own version, so a future change of scheme gets fresh keys.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

use crate::{CryptoError, KeyRing};

/// HKDF label (platform scope) of the proof signing key seed.
pub const PROOF_KEY_LABEL: &str = "proof-ed25519/1";

/// The proof signing key of one master key version.
///
/// The secret half is wiped on drop (ed25519-dalek's `zeroize`); `Debug` prints only the key id.
pub struct ProofSigningKey {
    version: u32,
    key: SigningKey,
}

impl ProofSigningKey {
    /// Master key version the key was derived from.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The 32-byte Ed25519 public key (RFC 8032 encoding).
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The key id written into every proof: `v{version}-` and the first 16 hex digits of the
    /// SHA-256 of the public key, so ids of two deployments with the same version never collide.
    pub fn key_id(&self) -> String {
        key_id(self.version, &self.public_key())
    }

    /// Signs `message` (the proof's canonical bytes); Ed25519 is deterministic, so the same
    /// message always gives the same signature.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

impl std::fmt::Debug for ProofSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProofSigningKey")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

/// The key id of a public key under a master key version (see [`ProofSigningKey::key_id`]).
pub fn key_id(version: u32, public_key: &[u8; 32]) -> String {
    let digest = Sha256::digest(public_key);
    let mut id = format!("v{version}-");
    for b in &digest[..8] {
        id.push_str(&format!("{b:02x}"));
    }
    id
}

/// Whether `signature` is a valid Ed25519 signature of `message` under `public_key`, by the
/// strict rules (RFC 8032 §5.1.7 with canonical encodings; no small-order keys), so one proof has
/// exactly one valid signature.
pub fn verify_proof_signature(public_key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public_key) else {
        return false;
    };
    key.verify_strict(message, &Signature::from_bytes(signature))
        .is_ok()
}

impl KeyRing {
    /// The proof signing key of a loaded master key version.
    pub fn proof_signing_key(&self, version: u32) -> Result<ProofSigningKey, CryptoError> {
        let seed = self.derive_platform_key(version, PROOF_KEY_LABEL)?;
        let bytes: [u8; 32] = seed
            .expose_secret()
            .try_into()
            .map_err(|_| CryptoError::InvalidMasterKey)?;
        let mut bytes = zeroize::Zeroizing::new(bytes);
        let key = SigningKey::from_bytes(&bytes);
        zeroize::Zeroize::zeroize(&mut *bytes);
        Ok(ProofSigningKey { version, key })
    }

    /// The key new proofs are signed with: that of the current master key version.
    pub fn current_proof_key(&self) -> Result<ProofSigningKey, CryptoError> {
        self.proof_signing_key(self.current_version())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MasterKey;

    #[test]
    fn signs_and_verifies_and_rejects_any_change() {
        let ring = KeyRing::new(1, MasterKey::from_bytes([7; 32]));
        let key = ring.current_proof_key().unwrap();
        let sig = key.sign(b"hello");
        assert!(verify_proof_signature(&key.public_key(), b"hello", &sig));
        assert!(!verify_proof_signature(&key.public_key(), b"hellp", &sig));
        let mut bad = sig;
        bad[5] ^= 1;
        assert!(!verify_proof_signature(&key.public_key(), b"hello", &bad));
        assert_eq!(key.sign(b"hello"), sig, "Ed25519 is deterministic");
    }

    #[test]
    fn keys_differ_by_version_and_master_and_rotation_keeps_old_ones() {
        let ring = KeyRing::new(1, MasterKey::from_bytes([7; 32]))
            .with_key(2, MasterKey::from_bytes([8; 32]))
            .unwrap();
        let k1 = ring.proof_signing_key(1).unwrap();
        let k2 = ring.current_proof_key().unwrap();
        assert_eq!(k2.version(), 2);
        assert_ne!(k1.public_key(), k2.public_key());
        assert!(k1.key_id().starts_with("v1-") && k1.key_id().len() == 19);
        assert_ne!(k1.key_id(), k2.key_id());
        let other = KeyRing::new(1, MasterKey::from_bytes([9; 32]));
        assert_ne!(other.proof_signing_key(1).unwrap().key_id(), k1.key_id());
        // Not the same bytes as any other platform key.
        assert_ne!(
            &k1.key.to_bytes()[..],
            ring.derive_platform_key(1, "jwt").unwrap().expose_secret()
        );
        assert!(format!("{k1:?}").contains(&k1.key_id()));
        assert!(!format!("{k1:?}").contains("key:"));
    }

    #[test]
    fn rfc8032_test_vector_1_verifies() {
        // RFC 8032 §7.1, TEST 1: empty message.
        let pk: [u8; 32] =
            hex::decode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
                .unwrap()
                .try_into()
                .unwrap();
        let sig: [u8; 64] = hex::decode(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        )
        .unwrap()
        .try_into()
        .unwrap();
        assert!(verify_proof_signature(&pk, b"", &sig));
    }
}
