//! Fixed test vectors for the stored formats and derived values.
//!
//! Sealed records, blobs, blind indexes and receipt hashes are persisted, so any change to the
//! byte layout, associated data, key derivation or padding must be deliberate (a new format
//! version). These tests pin every byte; one also rebuilds the record from the documented
//! construction using only the primitive crates, so the README stays true.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aes_gcm::aead::{Aead as _, Payload};
use aes_gcm::{Aes256Gcm, Key, KeyInit as _, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;

use crate::format::Header;
use crate::wrap::rewrap_header_with;
use crate::*;

/// Master key whose bytes are `start, start+1, ..., start+31`.
fn mk(start: u8) -> MasterKey {
    MasterKey::from_bytes(raw(start))
}

fn raw(start: u8) -> [u8; 32] {
    std::array::from_fn(|i| start + i as u8)
}

const PLAINTEXT: &[u8] = b"Li Si, employee E-1042";

const SEALED_V1: &str = "51010100000001222222222222222222222222edf91b1883d80c74b887010b0f986c8490a0912aa6ccfa897285c543ce54dc246279151c1d4bc55ef6d2811ae974e01e333333333333333333333333c8ea7215a3be5549dfc88702de4e860843e53e04beeb05acf84a0985a38e8a2ad6256790b6ffe1177ff2fd4da94eef9815f6b54ab31321594ccf16a051fdd24d5f3d34a9a648d65ca0059c32001325ca075f9697086c209c3ca0e1d2ab845fad116baa8201e4e103a52f47edd26baaa7cfc66e352ecc46b1666fc2d51b27d9daa6ba824add92d0d3142ee59fea04fe20de2c02971541058ee42ef52470639e3151b21fe82e986b6b75346a441ee5f36b8fcb4b52ab88d950cc29b1b469c5fc39b576aaa0cb83e5885cb2b3ab4309c3fee5ffdb39992c216677702e77686329fd744880f4ac31762d320d54ab792969e9d9b10ae978b54e0402305751ac9694f2f5d976e1e1b5701f2812af7db5b7fb69";

/// Header of `SEALED_V1` after rewrap to version 2 (v2 key = bytes 0x20..0x3f, wrap nonce 0x77..).
const REWRAPPED_HEADER_V2: &str = "5101010000000277777777777777777777777788cfc871aaa0192e4f7795bc87effd56a33703e39c1df7a8c5508fe6badb736582339b7ef06a8cf6c98d9c1d2fc3c629333333333333333333333333";

const BLOB_PLAINTEXT: &[u8] = b"\xff\xd8\xff\xe0 not really a jpeg";
const BLOB_V1: &str = "42010300000001555555555555555555555555363146000c46c35c671aadda0ef177bebc34d82d24091588df384669ddca5c73acafae3a5ee05b844da46277dade3f81666666666666666666666666154b052223a5f62b1a11e53c92303ba79298171e54b91f8189f385c55581070019ae46c4236e";

const BLIND_INDEX: &str = "77434b270d111bde6c87fe816d038b5f4c85552294a09a7386d9ea426fcf568d";
const RECEIPT_HASH: &str = "161a4122817b75763170c60cf7e0268718def9baff4e50873638385cec59f211";
const PLATFORM_JWT_V1: &str = "729aa79be3b05776130efb8132f34d5bbbd7bb43614ff6bf6c6bf2a355f9e7d1";

fn ctx() -> Context<'static> {
    Context::new("ent-0001", "report-42")
}

fn blob_ctx() -> Context<'static> {
    Context::new("ent-0001", "photo-7")
}

#[test]
fn sealed_record_bytes_are_pinned() {
    let ring = KeyRing::new(1, mk(0));
    let sealed = ring
        .seal_with(
            Purpose::Identity,
            &ctx(),
            PLAINTEXT,
            &[0x11; 32],
            &[0x22; 12],
            &[0x33; 12],
        )
        .unwrap();
    assert_eq!(hex::encode(sealed.to_bytes()), SEALED_V1);
}

#[test]
fn committed_sealed_record_opens() {
    let ring = KeyRing::new(1, mk(0));
    let sealed = Sealed::from_bytes(&hex::decode(SEALED_V1).unwrap()).unwrap();
    assert_eq!(sealed.key_version(), 1);
    assert_eq!(sealed.purpose(), Purpose::Identity);
    let opened = ring.open(Purpose::Identity, &ctx(), &sealed).unwrap();
    assert_eq!(opened.expose_secret(), PLAINTEXT);
}

/// Rebuild the committed record from the README's description with the primitive crates only.
#[test]
fn committed_sealed_record_follows_documented_construction() {
    let bytes = hex::decode(SEALED_V1).unwrap();
    assert_eq!(bytes.len(), 79 + 256 + 16);
    assert_eq!(&bytes[..7], &[b'Q', 1, 1, 0, 0, 0, 1]);
    let (wrap_nonce, wrapped, nonce, ct) =
        (&bytes[7..19], &bytes[19..67], &bytes[67..79], &bytes[79..]);

    let lp = |parts: &[&[u8]]| -> Vec<u8> {
        parts
            .iter()
            .flat_map(|p| {
                (p.len() as u64)
                    .to_be_bytes()
                    .into_iter()
                    .chain(p.iter().copied())
            })
            .collect()
    };
    let mut kek = [0u8; 32];
    Hkdf::<Sha256>::new(Some(b"qingling-crypto/v1 hkdf"), &raw(0))
        .expand(&lp(&[b"enterprise", &[1], b"ent-0001"]), &mut kek)
        .unwrap();
    let wrap_ad = lp(&[
        b"qingling-crypto/v1 wrap",
        &bytes[..7],
        b"ent-0001",
        b"report-42",
    ]);
    let data_key = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&kek))
        .decrypt(
            Nonce::from_slice(wrap_nonce),
            Payload {
                msg: wrapped,
                aad: &wrap_ad,
            },
        )
        .unwrap();
    assert_eq!(data_key, [0x11; 32]);

    let payload_ad = lp(&[
        b"qingling-crypto/v1 payload",
        &[b'Q', 1, 1],
        b"ent-0001",
        b"report-42",
    ]);
    let padded = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&data_key))
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ct,
                aad: &payload_ad,
            },
        )
        .unwrap();
    let mut expected = PLAINTEXT.to_vec();
    expected.push(0x80);
    expected.resize(256, 0);
    assert_eq!(padded, expected);
}

#[test]
fn rewrap_bytes_are_pinned_and_payload_untouched() {
    let ring = KeyRing::new(1, mk(0)).with_key(2, mk(0x20)).unwrap();
    let bytes = hex::decode(SEALED_V1).unwrap();
    let header = Header::parse(&bytes).unwrap();
    let new_header = rewrap_header_with(&ring, &header, &ctx(), &[0x77; 12])
        .unwrap()
        .unwrap();
    assert_eq!(hex::encode(new_header.to_bytes()), REWRAPPED_HEADER_V2);

    let mut rewrapped = hex::decode(REWRAPPED_HEADER_V2).unwrap();
    rewrapped.extend_from_slice(&bytes[HEADER_LEN..]);
    let sealed = Sealed::from_bytes(&rewrapped).unwrap();
    assert_eq!(sealed.key_version(), 2);
    let only_v2 = KeyRing::new(2, mk(0x20));
    assert_eq!(
        only_v2
            .open(Purpose::Identity, &ctx(), &sealed)
            .unwrap()
            .expose_secret(),
        PLAINTEXT
    );
}

#[test]
fn blob_bytes_are_pinned_and_committed_blob_opens() {
    let ring = KeyRing::new(1, mk(0));
    let blob = ring
        .seal_blob_with(
            &blob_ctx(),
            BLOB_PLAINTEXT.to_vec(),
            &[0x44; 32],
            &[0x55; 12],
            &[0x66; 12],
        )
        .unwrap();
    assert_eq!(hex::encode(&blob), BLOB_V1);
    assert_eq!(blob.len(), HEADER_LEN + BLOB_PLAINTEXT.len() + 16);
    let opened = ring
        .open_blob(&blob_ctx(), hex::decode(BLOB_V1).unwrap())
        .unwrap();
    assert_eq!(opened, BLOB_PLAINTEXT);
}

#[test]
fn derived_values_are_pinned() {
    let ring = KeyRing::new(1, mk(0));
    assert_eq!(
        hex::encode(ring.blind_index("ent-0001", "E-1042")),
        BLIND_INDEX
    );
    let code = ReceiptCode::parse("7KQX-M3PA-9TRD-XW4H-C2NB").unwrap();
    assert_eq!(hex::encode(ring.receipt_hash(&code)), RECEIPT_HASH);
    let jwt = ring.derive_platform_key(1, "jwt").unwrap();
    assert_eq!(hex::encode(jwt.expose_secret()), PLATFORM_JWT_V1);
}
