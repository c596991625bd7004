//! Receipt codes for anonymous reports: shown once, stored only as a keyed hash.

use rand::Rng as _;
use rand::rngs::OsRng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::blind_index::fold_width;
use crate::keys::hmac_sha256;
use crate::{CryptoError, KeyRing};

/// A receipt code: the only handle an anonymous reporter has on their report.
///
/// 20 symbols from a 31-symbol alphabet (digits 2–9 and letters without I, L, O), i.e.
/// 20·log2(31) ≈ 99 bits from the OS random source, displayed in groups of four such as
/// `7KQX-M3PA-9TRD-XW4H-C2NB`. Wiped on drop; `Debug` prints only `ReceiptCode(..)`.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct ReceiptCode {
    /// Grouped display form, e.g. `7KQX-M3PA-...`.
    grouped: String,
}

impl ReceiptCode {
    /// Symbols a code is made of: easy to read aloud and type on a phone, with none of the
    /// confusable `0`/`O`, `1`/`l`/`I` (lower case is accepted on input and upper-cased).
    pub const ALPHABET: &'static [u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    /// Number of symbols; 20 · log2(31) ≈ 99 bits, comfortably above the required 80.
    pub const LEN: usize = 20;
    /// Symbols per displayed group.
    pub const GROUP: usize = 4;

    /// A new code from the OS random source (uniform over the alphabet, no modulo bias).
    pub fn generate() -> Self {
        let mut rng = OsRng;
        let mut canonical = Zeroizing::new(String::with_capacity(Self::LEN));
        for _ in 0..Self::LEN {
            let i = rng.gen_range(0..Self::ALPHABET.len());
            canonical.push(char::from(Self::ALPHABET[i]));
        }
        Self::from_canonical(&canonical)
    }

    /// Parse what a reporter typed: case, spaces, full-width forms and missing or extra dashes
    /// are tolerated; a character outside the alphabet (including the confusables `0`, `O`, `1`,
    /// `I`, `L`) or the wrong number of symbols is [`CryptoError::InvalidReceiptCode`]. Nothing
    /// is guessed, so a mistyped code fails instead of matching someone else's.
    pub fn parse(input: &str) -> Result<Self, CryptoError> {
        let mut canonical = Zeroizing::new(String::with_capacity(Self::LEN));
        for c in input.chars().map(fold_width) {
            if c.is_whitespace() || c == '-' {
                continue;
            }
            let c = c.to_ascii_uppercase();
            let in_alphabet = u8::try_from(c).is_ok_and(|b| Self::ALPHABET.contains(&b));
            if !in_alphabet || canonical.len() == Self::LEN {
                return Err(CryptoError::InvalidReceiptCode);
            }
            canonical.push(c);
        }
        if canonical.len() != Self::LEN {
            return Err(CryptoError::InvalidReceiptCode);
        }
        Ok(Self::from_canonical(&canonical))
    }

    /// The grouped display form, to be shown to the reporter exactly once.
    pub fn as_str(&self) -> &str {
        &self.grouped
    }

    fn from_canonical(canonical: &str) -> Self {
        let mut grouped = String::with_capacity(Self::LEN + Self::LEN / Self::GROUP);
        for (i, c) in canonical.chars().enumerate() {
            if i > 0 && i % Self::GROUP == 0 {
                grouped.push('-');
            }
            grouped.push(c);
        }
        Self { grouped }
    }
}

impl std::fmt::Debug for ReceiptCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReceiptCode(..)")
    }
}

impl KeyRing {
    /// The value to store and look up for a receipt code: HMAC-SHA256 of its canonical symbols
    /// (no dashes) under the platform-wide receipt key.
    ///
    /// Platform-wide because an anonymous lookup arrives with only the code, not an enterprise;
    /// keyed so that a database dump does not allow offline guessing; derived from
    /// [`KeyRing::index_key_version`] so stored hashes stay valid across rotation. Compare with
    /// [`crate::constant_time_eq`].
    pub fn receipt_hash(&self, code: &ReceiptCode) -> [u8; 32] {
        let key = self.receipt_key();
        let parts: Vec<&[u8]> = code.grouped.split('-').map(str::as_bytes).collect();
        hmac_sha256(&key, &parts)
    }
}
