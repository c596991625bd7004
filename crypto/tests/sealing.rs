//! Sealing and opening of records and blobs: round trips, every kind of tampering, context
//! binding, padding and allocation reuse.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use qingling_crypto::{
    BLOB_OVERHEAD, Context, CryptoError, HEADER_LEN, KeyRing, MasterKey, Purpose, Sealed,
};

fn ring() -> KeyRing {
    KeyRing::new(1, MasterKey::from_bytes([7; 32]))
}

const CTX: Context<'static> = Context {
    enterprise_id: "ent-a",
    record_id: "report-1",
};
const NAME: &[u8] = "张三 Zhang San, employee E-1042, 138-0000-0000".as_bytes();

fn flip(bytes: &[u8], byte: usize, bit: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[byte] ^= 1 << bit;
    out
}

fn open_bytes(
    ring: &KeyRing,
    purpose: Purpose,
    ctx: &Context<'_>,
    bytes: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let sealed = Sealed::from_bytes(bytes)?;
    ring.open(purpose, ctx, &sealed)
        .map(|s| s.expose_secret().to_vec())
}

#[test]
fn round_trips_for_each_sealable_purpose_and_size() {
    let ring = ring();
    for purpose in [Purpose::Identity, Purpose::Payout, Purpose::Photo] {
        for len in [0usize, 1, 2, 255, 256, 257, 1000] {
            let plaintext: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let sealed = ring.seal(purpose, &CTX, &plaintext).unwrap();
            assert_eq!(sealed.purpose(), purpose);
            assert_eq!(sealed.key_version(), 1);
            let bytes = sealed.to_bytes();
            assert_eq!(Sealed::from_bytes(&bytes).unwrap(), sealed);
            assert_eq!(open_bytes(&ring, purpose, &CTX, &bytes).unwrap(), plaintext);
        }
    }
}

#[test]
fn sealing_is_randomised() {
    let ring = ring();
    let a = ring.seal(Purpose::Identity, &CTX, NAME).unwrap().to_bytes();
    let b = ring.seal(Purpose::Identity, &CTX, NAME).unwrap().to_bytes();
    assert_ne!(a, b);
    assert!(!a.windows(NAME.len()).any(|w| w == NAME));
}

#[test]
fn index_and_receipt_purposes_cannot_seal() {
    for purpose in [Purpose::BlindIndex, Purpose::Receipt] {
        assert_eq!(
            ring().seal(purpose, &CTX, b"x").map(|_| ()),
            Err(CryptoError::PurposeNotSealable(purpose))
        );
    }
}

#[test]
fn padding_hides_the_length_of_a_name() {
    let ring = ring();
    let short = ring
        .seal(Purpose::Identity, &CTX, "李四".as_bytes())
        .unwrap()
        .to_bytes();
    let long_name = "Wolfeschlegelsteinhausenbergerdorff Hubert Blaine Jr. Senior";
    assert_eq!(long_name.chars().count(), 60);
    let long = ring
        .seal(Purpose::Identity, &CTX, long_name.as_bytes())
        .unwrap()
        .to_bytes();
    let han = "李".repeat(60);
    let long_han = ring
        .seal(Purpose::Identity, &CTX, han.as_bytes())
        .unwrap()
        .to_bytes();
    assert_eq!(short.len(), long.len());
    assert_eq!(short.len(), long_han.len());
    assert_eq!(short.len(), HEADER_LEN + 256 + 16);
    let max_bucket = ring
        .seal(Purpose::Identity, &CTX, &[b'x'; 255])
        .unwrap()
        .to_bytes();
    assert_eq!(max_bucket.len(), short.len());
    let next_bucket = ring
        .seal(Purpose::Identity, &CTX, &[b'x'; 256])
        .unwrap()
        .to_bytes();
    assert_eq!(next_bucket.len(), short.len() + 256);
}

#[test]
fn every_tampered_field_fails_with_decryption_failed() {
    let ring = ring();
    let bytes = ring.seal(Purpose::Identity, &CTX, NAME).unwrap().to_bytes();
    let len = bytes.len();
    let fields = [
        ("wrap nonce", 7..19),
        ("wrapped key", 19..51),
        ("wrapped key tag", 51..67),
        ("payload nonce", 67..79),
        ("ciphertext", 79..len - 16),
        ("tag", len - 16..len),
    ];
    for (name, range) in fields {
        for byte in [range.start, range.end - 1] {
            for bit in [0, 7] {
                let result = open_bytes(&ring, Purpose::Identity, &CTX, &flip(&bytes, byte, bit));
                assert_eq!(
                    result,
                    Err(CryptoError::DecryptionFailed),
                    "{name} byte {byte} bit {bit}"
                );
            }
        }
    }
}

#[test]
fn every_single_bit_flip_fails() {
    let ring = KeyRing::new(1, MasterKey::from_bytes([7; 32]))
        .with_key(0, MasterKey::from_bytes([8; 32]))
        .unwrap();
    let bytes = ring.seal(Purpose::Identity, &CTX, NAME).unwrap().to_bytes();
    for byte in 0..bytes.len() {
        for bit in 0..8 {
            assert!(
                open_bytes(&ring, Purpose::Identity, &CTX, &flip(&bytes, byte, bit)).is_err(),
                "byte {byte} bit {bit}"
            );
        }
    }
}

#[test]
fn header_tampering_is_detected() {
    let ring = KeyRing::new(1, MasterKey::from_bytes([7; 32]))
        .with_key(3, MasterKey::from_bytes([9; 32]))
        .unwrap();
    let sealed = ring.seal(Purpose::Identity, &CTX, NAME).unwrap();
    assert_eq!(sealed.key_version(), 3);
    let bytes = sealed.to_bytes();
    // Magic and format.
    assert_eq!(
        open_bytes(&ring, Purpose::Identity, &CTX, &flip(&bytes, 0, 0)),
        Err(CryptoError::MalformedSealed)
    );
    assert_eq!(
        open_bytes(&ring, Purpose::Identity, &CTX, &flip(&bytes, 1, 1)),
        Err(CryptoError::UnsupportedFormat(3))
    );
    // Purpose Identity (1) -> Photo (3): still a sealable purpose, but not the one asked for, and
    // opening it as Photo fails authentication.
    let as_photo = flip(&bytes, 2, 1);
    assert_eq!(
        open_bytes(&ring, Purpose::Identity, &CTX, &as_photo),
        Err(CryptoError::DecryptionFailed)
    );
    assert_eq!(
        open_bytes(&ring, Purpose::Photo, &CTX, &as_photo),
        Err(CryptoError::DecryptionFailed)
    );
    // Key version 3 -> 1: a loaded version, so it must fail authentication, not decrypt garbage.
    assert_eq!(
        open_bytes(&ring, Purpose::Identity, &CTX, &flip(&bytes, 6, 1)),
        Err(CryptoError::DecryptionFailed)
    );
    // Key version 3 -> 7: not loaded.
    assert_eq!(
        open_bytes(&ring, Purpose::Identity, &CTX, &flip(&bytes, 6, 2)),
        Err(CryptoError::UnknownKeyVersion(7))
    );
}

#[test]
fn wrong_context_purpose_or_key_fails() {
    let ring = ring();
    let sealed = ring.seal(Purpose::Identity, &CTX, NAME).unwrap();
    let wrong_record = Context {
        record_id: "report-2",
        ..CTX
    };
    let wrong_enterprise = Context {
        enterprise_id: "ent-b",
        ..CTX
    };
    // Field boundaries are encoded, so shifting bytes between the ids does not help.
    let shifted = Context {
        enterprise_id: "ent-areport",
        record_id: "-1",
    };
    for ctx in [wrong_record, wrong_enterprise, shifted] {
        assert_eq!(
            ring.open(Purpose::Identity, &ctx, &sealed).map(|_| ()),
            Err(CryptoError::DecryptionFailed)
        );
    }
    assert_eq!(
        ring.open(Purpose::Payout, &CTX, &sealed).map(|_| ()),
        Err(CryptoError::DecryptionFailed)
    );
    let other_key = KeyRing::new(1, MasterKey::from_bytes([8; 32]));
    assert_eq!(
        other_key.open(Purpose::Identity, &CTX, &sealed).map(|_| ()),
        Err(CryptoError::DecryptionFailed)
    );
    let other_version = KeyRing::new(2, MasterKey::from_bytes([7; 32]));
    assert_eq!(
        other_version
            .open(Purpose::Identity, &CTX, &sealed)
            .map(|_| ()),
        Err(CryptoError::UnknownKeyVersion(1))
    );
}

#[test]
fn malformed_bytes_are_rejected() {
    let ring = ring();
    let bytes = ring.seal(Purpose::Identity, &CTX, NAME).unwrap().to_bytes();
    for cut in [0, 1, 7, HEADER_LEN, HEADER_LEN + 16, bytes.len() - 1] {
        assert_eq!(
            Sealed::from_bytes(&bytes[..cut]).map(|_| ()),
            Err(CryptoError::MalformedSealed),
            "cut {cut}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        Sealed::from_bytes(&longer).map(|_| ()),
        Err(CryptoError::MalformedSealed)
    );
    // Index/receipt purpose codes never appear in a sealed record.
    let mut index_purpose = bytes.clone();
    index_purpose[2] = Purpose::BlindIndex.code();
    assert_eq!(
        Sealed::from_bytes(&index_purpose).map(|_| ()),
        Err(CryptoError::MalformedSealed)
    );
}

#[test]
fn blob_round_trips_and_reuses_the_allocation() {
    let ring = ring();
    for len in [0usize, 1, 15, 16, 17, 4096, 1 << 20] {
        let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
        let mut buf = Vec::with_capacity(len + BLOB_OVERHEAD);
        buf.extend_from_slice(&data);
        let ptr = buf.as_ptr();
        let blob = ring.seal_blob(&CTX, buf).unwrap();
        assert_eq!(blob.len(), len + BLOB_OVERHEAD);
        assert_eq!(
            blob.as_ptr(),
            ptr,
            "seal_blob must not reallocate with enough capacity"
        );
        assert_eq!(&blob[..7], &[b'B', 1, Purpose::Photo.code(), 0, 0, 0, 1]);
        if len >= 64 {
            assert_ne!(&blob[HEADER_LEN..HEADER_LEN + 64], &data[..64]);
        }
        let ptr = blob.as_ptr();
        let opened = ring.open_blob(&CTX, blob).unwrap();
        assert_eq!(opened.as_ptr(), ptr, "open_blob must decrypt in place");
        assert_eq!(opened, data);
    }
    // Without spare capacity it still works (one reallocation).
    let blob = ring.seal_blob(&CTX, vec![42; 1000]).unwrap();
    assert_eq!(ring.open_blob(&CTX, blob).unwrap(), vec![42; 1000]);
}

#[test]
fn blob_tampering_and_context_changes_fail() {
    let ring = ring();
    let blob = ring.seal_blob(&CTX, vec![9u8; 300]).unwrap();
    let len = blob.len();
    for byte in [
        7,
        18,
        19,
        50,
        51,
        66,
        67,
        78,
        79,
        200,
        len - 17,
        len - 16,
        len - 1,
    ] {
        let result = ring.open_blob(&CTX, flip(&blob, byte, 3));
        assert_eq!(result, Err(CryptoError::DecryptionFailed), "byte {byte}");
    }
    for byte in 0..len {
        assert!(
            ring.open_blob(&CTX, flip(&blob, byte, 5)).is_err(),
            "byte {byte}"
        );
    }
    let wrong_record = Context {
        record_id: "photo-2",
        ..CTX
    };
    let wrong_enterprise = Context {
        enterprise_id: "ent-b",
        ..CTX
    };
    assert_eq!(
        ring.open_blob(&wrong_record, blob.clone()),
        Err(CryptoError::DecryptionFailed)
    );
    assert_eq!(
        ring.open_blob(&wrong_enterprise, blob.clone()),
        Err(CryptoError::DecryptionFailed)
    );
    assert_eq!(
        ring.open_blob(&CTX, blob[..len - 1].to_vec()),
        Err(CryptoError::DecryptionFailed)
    );
    assert_eq!(
        ring.open_blob(&CTX, blob[..HEADER_LEN + 15].to_vec()),
        Err(CryptoError::MalformedSealed)
    );
    assert_eq!(
        ring.open_blob(&CTX, blob[..10].to_vec()),
        Err(CryptoError::MalformedSealed)
    );
}

#[test]
fn records_and_blobs_cannot_be_swapped() {
    let ring = ring();
    let blob = ring.seal_blob(&CTX, NAME.to_vec()).unwrap();
    assert_eq!(
        Sealed::from_bytes(&blob).map(|_| ()),
        Err(CryptoError::MalformedSealed)
    );
    let record = ring.seal(Purpose::Photo, &CTX, NAME).unwrap().to_bytes();
    assert_eq!(
        ring.open_blob(&CTX, record.clone()),
        Err(CryptoError::MalformedSealed)
    );
    // Forcing the blob magic onto a record (same purpose, same key) still fails authentication.
    let mut forged = record;
    forged[0] = b'B';
    assert_eq!(
        ring.open_blob(&CTX, forged),
        Err(CryptoError::DecryptionFailed)
    );
}
