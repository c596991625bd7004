//! Nothing secret leaks through `Debug` or error messages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use qingling_crypto::{Context, CryptoError, KeyRing, MasterKey, Purpose, ReceiptCode, Sealed};

const KEY: [u8; 32] = [
    0x9c, 0x41, 0x7e, 0x02, 0xd3, 0x5a, 0xb8, 0x66, 0x13, 0xfe, 0x70, 0x2d, 0x88, 0xc4, 0x19, 0xa7,
    0x5b, 0xe0, 0x34, 0x9f, 0x61, 0x0c, 0xda, 0x47, 0xb2, 0x8e, 0x25, 0xf9, 0x6a, 0x13, 0xc7, 0x58,
];

/// Every textual rendering of the key that could plausibly show up in a log.
fn key_renderings() -> Vec<String> {
    vec![
        hex::encode(KEY),
        hex::encode_upper(KEY),
        hex::encode(&KEY[..8]),
        STANDARD.encode(KEY),
        STANDARD_NO_PAD.encode(KEY),
        URL_SAFE_NO_PAD.encode(KEY),
        format!("{:?}", KEY),
        format!("{:?}", &KEY[..4]),
    ]
}

fn assert_no_key(debug: &str) {
    for rendering in key_renderings() {
        assert!(
            !debug.contains(&rendering),
            "{debug:?} contains {rendering:?}"
        );
    }
}

#[test]
fn master_key_and_ring_debug_print_no_key_bytes() {
    let key = MasterKey::from_bytes(KEY);
    assert_eq!(format!("{key:?}"), "MasterKey(..)");
    assert_eq!(format!("{key:#?}"), "MasterKey(..)");
    let ring = KeyRing::new(3, MasterKey::from_bytes(KEY))
        .with_key(1, MasterKey::from_bytes(KEY))
        .unwrap();
    let debug = format!("{ring:?} {ring:#?}");
    assert_no_key(&debug);
    assert!(debug.contains("current_version: 3"), "{debug}");
}

#[test]
fn secret_bytes_debug_prints_nothing() {
    let ring = KeyRing::new(1, MasterKey::from_bytes(KEY));
    let jwt = ring.derive_platform_key(1, "jwt").unwrap();
    let debug = format!("{jwt:?}");
    assert_eq!(debug, "SecretBytes(..)");
    assert!(!debug.contains(&hex::encode(jwt.expose_secret())));
    let ctx = Context::new("ent-a", "report-1");
    let sealed = ring.seal(Purpose::Identity, &ctx, b"Zhou Ba").unwrap();
    assert_eq!(
        format!("{:?}", ring.open(Purpose::Identity, &ctx, &sealed).unwrap()),
        "SecretBytes(..)"
    );
}

#[test]
fn receipt_code_debug_prints_nothing() {
    let code = ReceiptCode::generate();
    let debug = format!("{code:?} {code:#?}");
    assert_eq!(debug, "ReceiptCode(..) ReceiptCode(..)");
    let canonical: String = code.as_str().chars().filter(|&c| c != '-').collect();
    assert!(!debug.contains(&canonical[..4]));
}

#[test]
fn sealed_debug_shows_metadata_only() {
    let ring = KeyRing::new(1, MasterKey::from_bytes(KEY));
    let sealed = ring
        .seal(
            Purpose::Identity,
            &Context::new("ent-a", "report-1"),
            b"Zhou Ba",
        )
        .unwrap();
    let debug = format!("{sealed:?}");
    assert!(
        debug.contains("Identity") && debug.contains("key_version: 1"),
        "{debug}"
    );
    assert!(
        !debug.contains(&hex::encode(&sealed.to_bytes()[79..90])),
        "{debug}"
    );
    assert_no_key(&debug);
}

#[test]
fn errors_never_contain_plaintext_context_or_keys() {
    let secret_name = "Zhou Ba the welder";
    let ring = KeyRing::new(1, MasterKey::from_bytes(KEY));
    let ctx = Context::new("ent-secret-corp", "report-hidden-77");
    let sealed = ring
        .seal(Purpose::Identity, &ctx, secret_name.as_bytes())
        .unwrap();
    let bytes = sealed.to_bytes();

    let mut errors = vec![
        ring.open(
            Purpose::Identity,
            &Context::new("ent-other", "report-hidden-77"),
            &sealed,
        )
        .unwrap_err(),
        ring.open(Purpose::Payout, &ctx, &sealed).unwrap_err(),
        KeyRing::new(9, MasterKey::from_bytes([1; 32]))
            .open(Purpose::Identity, &ctx, &sealed)
            .unwrap_err(),
        Sealed::from_bytes(&bytes[..100]).unwrap_err(),
        MasterKey::from_base64(&format!("{}x", STANDARD.encode(KEY))).unwrap_err(),
        ReceiptCode::parse("7KQX-M3PA-9TRD-XW4H-C2N0").unwrap_err(),
        ring.seal(Purpose::Receipt, &ctx, secret_name.as_bytes())
            .unwrap_err(),
        KeyRing::new(1, MasterKey::from_bytes(KEY))
            .with_key(1, MasterKey::from_bytes(KEY))
            .unwrap_err(),
    ];
    let mut bad_format = bytes.clone();
    bad_format[1] = 9;
    errors.push(Sealed::from_bytes(&bad_format).unwrap_err());
    errors.push(ring.open_blob(&ctx, bytes.clone()).unwrap_err());
    errors.push(CryptoError::EncryptionFailed);

    for err in errors {
        let text = format!("{err} {err:?}");
        for forbidden in [
            secret_name,
            "Zhou",
            "ent-secret-corp",
            "report-hidden-77",
            "7KQX",
            "C2N0",
        ] {
            assert!(!text.contains(forbidden), "{text:?} contains {forbidden:?}");
        }
        assert_no_key(&text);
        assert!(!text.is_empty());
    }
}
