//! Key rotation: old data stays readable, re-wrapping moves it to the new version without
//! touching payloads, and `count_stale` says when an old key can go.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use qingling_crypto::{
    Context, CryptoError, HEADER_LEN, KeyRing, MasterKey, Purpose, ReceiptCode, Sealed,
};

const K1: [u8; 32] = [0x11; 32];
const K2: [u8; 32] = [0x22; 32];
const CTX: Context<'static> = Context {
    enterprise_id: "ent-a",
    record_id: "report-1",
};

fn v1() -> KeyRing {
    KeyRing::new(1, MasterKey::from_bytes(K1))
}
fn v1_v2() -> KeyRing {
    KeyRing::new(1, MasterKey::from_bytes(K1))
        .with_key(2, MasterKey::from_bytes(K2))
        .unwrap()
}
fn v2_only() -> KeyRing {
    KeyRing::new(2, MasterKey::from_bytes(K2))
}

#[test]
fn old_data_stays_readable_and_new_data_uses_the_new_version() {
    let old = v1().seal(Purpose::Identity, &CTX, b"Wang Wu").unwrap();
    let ring = v1_v2();
    assert_eq!(ring.current_version(), 2);
    assert_eq!(ring.versions(), vec![1, 2]);
    assert_eq!(
        ring.open(Purpose::Identity, &CTX, &old)
            .unwrap()
            .expose_secret(),
        b"Wang Wu"
    );
    assert_eq!(
        ring.seal(Purpose::Identity, &CTX, b"x")
            .unwrap()
            .key_version(),
        2
    );
    // Order of adding does not matter: the highest version is current.
    let reversed = KeyRing::new(2, MasterKey::from_bytes(K2))
        .with_key(1, MasterKey::from_bytes(K1))
        .unwrap();
    assert_eq!(reversed.current_version(), 2);
    assert_eq!(
        reversed
            .open(Purpose::Identity, &CTX, &old)
            .unwrap()
            .expose_secret(),
        b"Wang Wu"
    );
}

#[test]
fn rewrap_moves_the_data_key_and_leaves_the_payload() {
    let old = v1()
        .seal(Purpose::Payout, &CTX, b"6222 0000 1111 2222")
        .unwrap();
    let ring = v1_v2();
    let new = ring
        .rewrap(Purpose::Payout, &CTX, &old)
        .unwrap()
        .expect("v1 record needs rewrap");
    assert_eq!(new.key_version(), 2);
    let (old_bytes, new_bytes) = (old.to_bytes(), new.to_bytes());
    assert_eq!(old_bytes.len(), new_bytes.len());
    assert_eq!(
        old_bytes[67..],
        new_bytes[67..],
        "payload nonce, ciphertext and tag untouched"
    );
    assert_ne!(
        old_bytes[3..67],
        new_bytes[3..67],
        "version and wrap replaced"
    );
    assert_eq!(
        ring.open(Purpose::Payout, &CTX, &new)
            .unwrap()
            .expose_secret(),
        b"6222 0000 1111 2222"
    );
    assert_eq!(
        v2_only()
            .open(Purpose::Payout, &CTX, &new)
            .unwrap()
            .expose_secret(),
        b"6222 0000 1111 2222"
    );
    // Already current: nothing to write.
    assert_eq!(ring.rewrap(Purpose::Payout, &CTX, &new).unwrap(), None);
    // The old key alone cannot open the re-wrapped record.
    assert_eq!(
        v1().open(Purpose::Payout, &CTX, &new).map(|_| ()),
        Err(CryptoError::UnknownKeyVersion(2))
    );
}

#[test]
fn rewrap_checks_context_and_purpose() {
    let old = v1().seal(Purpose::Identity, &CTX, b"Zhao Liu").unwrap();
    let ring = v1_v2();
    let elsewhere = Context {
        record_id: "report-9",
        ..CTX
    };
    assert_eq!(
        ring.rewrap(Purpose::Identity, &elsewhere, &old),
        Err(CryptoError::DecryptionFailed)
    );
    assert_eq!(
        ring.rewrap(Purpose::Payout, &CTX, &old),
        Err(CryptoError::DecryptionFailed)
    );
}

#[test]
fn retired_key_cannot_open_unrewrapped_data() {
    let old = v1().seal(Purpose::Identity, &CTX, b"Sun Qi").unwrap();
    assert_eq!(
        v2_only().open(Purpose::Identity, &CTX, &old).map(|_| ()),
        Err(CryptoError::UnknownKeyVersion(1))
    );
    assert_eq!(
        v2_only().rewrap(Purpose::Identity, &CTX, &old),
        Err(CryptoError::UnknownKeyVersion(1))
    );
    let blob = v1().seal_blob(&CTX, vec![1, 2, 3]).unwrap();
    assert_eq!(
        v2_only().open_blob(&CTX, blob),
        Err(CryptoError::UnknownKeyVersion(1))
    );
}

#[test]
fn blob_rewrap_replaces_only_the_header() {
    let photo: Vec<u8> = (0..100_000u32).map(|i| (i % 256) as u8).collect();
    let blob = v1().seal_blob(&CTX, photo.clone()).unwrap();
    let ring = v1_v2();
    let header = ring
        .rewrap_blob(&CTX, &blob)
        .unwrap()
        .expect("v1 blob needs rewrap");
    assert_eq!(header.len(), HEADER_LEN);
    // Only the header is needed (e.g. read from the start of a file).
    assert!(
        ring.rewrap_blob(&CTX, &blob[..HEADER_LEN])
            .unwrap()
            .is_some()
    );
    let mut stored = blob.clone();
    stored[..HEADER_LEN].copy_from_slice(&header);
    assert_eq!(stored[HEADER_LEN..], blob[HEADER_LEN..]);
    assert_eq!(ring.count_stale([&stored[..]]).unwrap(), 0);
    assert_eq!(ring.rewrap_blob(&CTX, &stored).unwrap(), None);
    assert_eq!(v2_only().open_blob(&CTX, stored).unwrap(), photo);
    assert_eq!(
        ring.rewrap_blob(
            &Context {
                record_id: "x",
                ..CTX
            },
            &blob
        ),
        Err(CryptoError::DecryptionFailed)
    );
    let record = v1().seal(Purpose::Photo, &CTX, b"x").unwrap().to_bytes();
    assert_eq!(
        ring.rewrap_blob(&CTX, &record),
        Err(CryptoError::MalformedSealed)
    );
}

#[test]
fn count_stale_counts_records_blobs_and_bare_headers() {
    let ring = v1_v2();
    let r1 = v1().seal(Purpose::Identity, &CTX, b"a").unwrap().to_bytes();
    let r2 = ring.seal(Purpose::Identity, &CTX, b"b").unwrap().to_bytes();
    let b1 = v1().seal_blob(&CTX, vec![0; 64]).unwrap();
    let b2 = ring.seal_blob(&CTX, vec![0; 64]).unwrap();
    let records: Vec<&[u8]> = vec![&r1, &r2, &b1, &b2, &r1[..7], &b1[..HEADER_LEN], &r2[..7]];
    assert_eq!(ring.count_stale(records.iter().copied()).unwrap(), 4);
    assert_eq!(v1().count_stale([&r1[..], &b1[..]]).unwrap(), 0);
    assert_eq!(ring.count_stale(std::iter::empty()).unwrap(), 0);

    // After rewrapping everything the old key can be retired.
    let rewrapped = ring
        .rewrap(Purpose::Identity, &CTX, &Sealed::from_bytes(&r1).unwrap())
        .unwrap()
        .unwrap()
        .to_bytes();
    assert_eq!(ring.count_stale([&rewrapped[..], &r2[..]]).unwrap(), 0);

    assert_eq!(
        ring.count_stale([&r1[..6]]),
        Err(CryptoError::MalformedSealed)
    );
    assert_eq!(
        ring.count_stale([&b"not sealed"[..]]),
        Err(CryptoError::MalformedSealed)
    );
    // A record from a newer key than this ring knows is reported, not counted as fresh.
    let v3 = KeyRing::new(3, MasterKey::from_bytes([0x33; 32]))
        .seal(Purpose::Identity, &CTX, b"c")
        .unwrap()
        .to_bytes();
    assert_eq!(
        ring.count_stale([&v3[..]]),
        Err(CryptoError::UnknownKeyVersion(3))
    );
}

#[test]
fn index_and_receipt_hashes_survive_rotation() {
    let code = ReceiptCode::generate();
    let before = v1();
    let after = v1_v2();
    assert_eq!(after.index_key_version(), 1);
    assert_eq!(
        before.blind_index("ent-a", "E-1042"),
        after.blind_index("ent-a", "E-1042")
    );
    assert_eq!(before.receipt_hash(&code), after.receipt_hash(&code));
    // Explicit pinning gives the same result whatever order keys are loaded in.
    let pinned = KeyRing::new(2, MasterKey::from_bytes(K2))
        .with_key(1, MasterKey::from_bytes(K1))
        .unwrap()
        .with_index_key_version(1)
        .unwrap();
    assert_eq!(
        pinned.blind_index("ent-a", "E-1042"),
        before.blind_index("ent-a", "E-1042")
    );
    assert_eq!(pinned.receipt_hash(&code), before.receipt_hash(&code));
    // A ring without the pinned index key refuses to be built rather than hash differently.
    assert_eq!(
        v2_only().with_index_key_version(1).map(|_| ()),
        Err(CryptoError::UnknownKeyVersion(1))
    );
    // Platform keys, by contrast, follow the version asked for.
    let jwt1 = after.derive_platform_key(1, "jwt").unwrap();
    let jwt2 = after.derive_platform_key(2, "jwt").unwrap();
    assert_ne!(jwt1.expose_secret(), jwt2.expose_secret());
    assert_eq!(
        jwt2.expose_secret(),
        v2_only()
            .derive_platform_key(2, "jwt")
            .unwrap()
            .expose_secret()
    );
}

#[test]
fn duplicate_versions_are_rejected() {
    let result = v1().with_key(1, MasterKey::from_bytes(K2));
    assert_eq!(result.map(|_| ()), Err(CryptoError::DuplicateKeyVersion(1)));
}
