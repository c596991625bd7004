//! Blind index and receipt codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};

use qingling_crypto::{CryptoError, KeyRing, MasterKey, ReceiptCode, constant_time_eq};

fn ring(byte: u8) -> KeyRing {
    KeyRing::new(1, MasterKey::from_bytes([byte; 32]))
}

#[test]
fn blind_index_is_stable_for_equivalent_inputs() {
    let ring = ring(1);
    let reference = ring.blind_index("ent-a", "ab1234");
    for variant in [
        "AB-1234",
        "  ab 1234 ",
        "Ab-12-34",
        "ab\t1234\n",
        "ＡＢ－１２３４",
        "ab\u{3000}1234",
    ] {
        assert_eq!(ring.blind_index("ent-a", variant), reference, "{variant:?}");
    }
    assert_ne!(ring.blind_index("ent-a", "ab1235"), reference);
    assert_ne!(ring.blind_index("ent-a", "ab_1234"), reference);
}

#[test]
fn blind_index_depends_on_enterprise_and_master_key() {
    let a = ring(1).blind_index("ent-a", "E-1042");
    assert_ne!(ring(1).blind_index("ent-b", "E-1042"), a);
    assert_ne!(ring(2).blind_index("ent-a", "E-1042"), a);
    // Not a plain hash of the value.
    use sha2::Digest as _;
    let plain: [u8; 32] = sha2::Sha256::digest(b"e1042").into();
    assert_ne!(plain, a);
}

#[test]
fn receipt_alphabet_has_no_confusables_and_enough_entropy() {
    let alphabet = ReceiptCode::ALPHABET;
    assert_eq!(
        alphabet.iter().collect::<HashSet<_>>().len(),
        alphabet.len(),
        "no repeated symbols"
    );
    for confusable in b"0O1lIL" {
        assert!(
            !alphabet.contains(confusable),
            "{}",
            char::from(*confusable)
        );
    }
    assert!(
        alphabet
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    );
    let bits = ReceiptCode::LEN as f64 * (alphabet.len() as f64).log2();
    assert!(bits >= 80.0, "only {bits:.1} bits");
    assert!(bits > 99.0 && bits < 99.2, "{bits}");
}

#[test]
fn generated_codes_have_the_documented_shape() {
    for _ in 0..100 {
        let code = ReceiptCode::generate();
        let s = code.as_str();
        let groups: Vec<&str> = s.split('-').collect();
        assert_eq!(groups.len(), ReceiptCode::LEN / ReceiptCode::GROUP, "{s}");
        assert!(groups.iter().all(|g| g.len() == ReceiptCode::GROUP));
        assert!(
            s.bytes()
                .filter(|&b| b != b'-')
                .all(|b| ReceiptCode::ALPHABET.contains(&b))
        );
        assert_eq!(s.len(), 24);
    }
}

#[test]
fn generated_codes_are_unique_and_uniform() {
    let mut seen = HashSet::new();
    let mut counts: HashMap<u8, usize> = HashMap::new();
    for _ in 0..10_000 {
        let code = ReceiptCode::generate();
        for b in code.as_str().bytes().filter(|&b| b != b'-') {
            *counts.entry(b).or_default() += 1;
        }
        assert!(seen.insert(code.as_str().to_owned()), "duplicate code");
    }
    // 200 000 symbols over 31: expect ~6452 each; a gross bias would show far outside ±10 %.
    assert_eq!(counts.len(), ReceiptCode::ALPHABET.len());
    let expected = 200_000.0 / ReceiptCode::ALPHABET.len() as f64;
    for (symbol, count) in counts {
        let ratio = count as f64 / expected;
        assert!(
            (0.9..1.1).contains(&ratio),
            "{} appears {count} times",
            char::from(symbol)
        );
    }
}

#[test]
fn parse_is_tolerant_of_how_people_type() {
    let ring = ring(1);
    let code = ReceiptCode::generate();
    let canonical: String = code.as_str().chars().filter(|&c| c != '-').collect();
    let hash = ring.receipt_hash(&code);
    let variants = [
        code.as_str().to_owned(),
        code.as_str().to_lowercase(),
        canonical.clone(),
        canonical.to_lowercase(),
        format!("  {}  ", code.as_str().replace('-', " ")),
        format!("-{}-", code.as_str().replace('-', "--")),
        canonical.chars().flat_map(|c| [c, ' ']).collect(),
        canonical
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .collect(),
    ];
    for variant in variants {
        let parsed = ReceiptCode::parse(&variant).unwrap();
        assert_eq!(parsed.as_str(), code.as_str(), "{variant:?}");
        assert!(constant_time_eq(&ring.receipt_hash(&parsed), &hash));
    }
}

#[test]
fn parse_rejects_wrong_symbols_and_lengths() {
    let good = "7KQX-M3PA-9TRD-XW4H-C2NB";
    assert!(ReceiptCode::parse(good).is_ok());
    for bad_symbol in ['0', 'O', 'o', '1', 'I', 'i', 'L', 'l', '_', '.', 'é', '张'] {
        let bad = format!("{bad_symbol}{}", &good[1..]);
        assert_eq!(
            ReceiptCode::parse(&bad).map(|_| ()),
            Err(CryptoError::InvalidReceiptCode),
            "{bad:?}"
        );
    }
    for bad_len in ["", "7KQX", &good[..good.len() - 1], &format!("{good}Z")] {
        assert_eq!(
            ReceiptCode::parse(bad_len).map(|_| ()),
            Err(CryptoError::InvalidReceiptCode),
            "{bad_len:?}"
        );
    }
}

#[test]
fn receipt_hash_is_keyed_platform_wide() {
    let code = ReceiptCode::parse("7KQX-M3PA-9TRD-XW4H-C2NB").unwrap();
    let other = ReceiptCode::parse("7KQX-M3PA-9TRD-XW4H-C2NC").unwrap();
    assert_ne!(ring(1).receipt_hash(&code), ring(1).receipt_hash(&other));
    assert_ne!(ring(1).receipt_hash(&code), ring(2).receipt_hash(&code));
    assert_eq!(ring(1).receipt_hash(&code), ring(1).receipt_hash(&code));
    assert!(!constant_time_eq(
        &ring(1).receipt_hash(&code),
        &ring(1).receipt_hash(&other)
    ));
}
