//! Keyed blind index: find "my reports" and enforce limits without storing the worker's id.

use zeroize::Zeroizing;

use crate::KeyRing;
use crate::keys::hmac_sha256;

/// Map full-width ASCII forms (U+FF01..U+FF5E, typed by Chinese input methods in full-width
/// mode) to their ASCII counterparts, so `１２３` and `123` index the same.
pub(crate) fn fold_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Normalise an identifier before hashing: full-width forms folded to ASCII, ASCII letters
/// lower-cased (other scripts untouched), and all whitespace and `-` removed (which also trims).
/// `"  AB-12 34 "`, `"ab1234"` and `"ＡＢ－１２３４"` all become `"ab1234"`.
pub(crate) fn normalise(value: &str) -> Zeroizing<String> {
    // Full capacity up front (folding never lengthens a char), so no reallocation leaves a
    // partial copy of the identifier behind in freed memory.
    let mut out = Zeroizing::new(String::with_capacity(value.len()));
    for c in value.chars().map(fold_width) {
        if !c.is_whitespace() && c != '-' {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

impl KeyRing {
    /// HMAC-SHA256 of the normalised `value` under the enterprise's blind index key.
    ///
    /// Equal (after normalisation) values in the same enterprise give equal indexes, so a worker's
    /// reports can be found and rate limits applied; the same value in another enterprise gives an
    /// unrelated index, and without the master key the index cannot be reversed or even checked
    /// against a guessed employee number.
    ///
    /// The key is derived from [`KeyRing::index_key_version`], not the current version: the
    /// index must stay the same across rotations, since it cannot be recomputed from stored data.
    pub fn blind_index(&self, enterprise_id: &str, value: &str) -> [u8; 32] {
        let key = self.index_key(enterprise_id);
        let normalised = normalise(value);
        hmac_sha256(&key, &[normalised.as_bytes()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(normalise("  AB-12 34 ").as_str(), "ab1234");
        assert_eq!(normalise("ab1234").as_str(), "ab1234");
        assert_eq!(normalise("ＡＢ－１２３４").as_str(), "ab1234");
        assert_eq!(normalise("\tE-00\u{3000}42\n").as_str(), "e0042");
        // Non-ASCII letters are left alone (no Unicode case folding).
        assert_eq!(normalise("李四-Ä").as_str(), "李四Ä");
    }
}
