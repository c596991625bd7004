//! Secret byte buffers and constant-time comparison.

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Decrypted plaintext or derived key material.
///
/// The buffer (including spare capacity) is wiped when dropped, and `Debug` prints only
/// `SecretBytes(..)`, so an identity cannot end up in a log line through `{:?}`. There is no
/// `Display`, `Clone` or `Deref`: reading the bytes requires an explicit
/// [`SecretBytes::expose_secret`] call that is easy to find in review.
#[derive(Zeroize, ZeroizeOnDrop, Default, PartialEq, Eq)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Take ownership of a buffer that holds secret bytes; it will be zeroized on drop.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The secret bytes. Named loudly so every use is deliberate and greppable.
    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }

    /// Number of secret bytes (the length is not itself considered secret here).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for SecretBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBytes(..)")
    }
}

/// Compare two byte strings in time independent of where they differ, so looking up a receipt
/// hash or checking a token does not leak how many leading bytes an attacker guessed right.
/// Different lengths compare unequal immediately (lengths are public here: hashes are 32 bytes).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_eq_basics() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn debug_is_redacted() {
        let s = SecretBytes::new(b"Zhang San".to_vec());
        assert_eq!(format!("{s:?}"), "SecretBytes(..)");
        assert_eq!(s.expose_secret(), b"Zhang San");
        assert_eq!(s.len(), 9);
        assert!(!s.is_empty());
    }
}
