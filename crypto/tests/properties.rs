//! Property tests over random plaintexts, contexts and bit flips.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use qingling_crypto::{
    Context, HEADER_LEN, KeyRing, MasterKey, PAD_BUCKET, Purpose, ReceiptCode, Sealed,
};

fn ring() -> KeyRing {
    KeyRing::new(5, MasterKey::from_bytes([0x5a; 32]))
}

fn sealable() -> impl Strategy<Value = Purpose> {
    prop_oneof![
        Just(Purpose::Identity),
        Just(Purpose::Payout),
        Just(Purpose::Photo)
    ]
}

proptest! {
    #[test]
    fn seal_open_round_trip(
        purpose in sealable(),
        enterprise in "\\PC{0,24}",
        record in "\\PC{0,24}",
        plaintext in proptest::collection::vec(any::<u8>(), 0..1200),
    ) {
        let ring = ring();
        let ctx = Context::new(&enterprise, &record);
        let bytes = ring.seal(purpose, &ctx, &plaintext).unwrap().to_bytes();
        // The stored length depends only on the padding bucket, never the exact length.
        prop_assert_eq!(bytes.len(), HEADER_LEN + 16 + PAD_BUCKET * (plaintext.len() / PAD_BUCKET + 1));
        let opened = ring.open(purpose, &ctx, &Sealed::from_bytes(&bytes).unwrap()).unwrap();
        prop_assert_eq!(opened.expose_secret(), &plaintext[..]);
    }

    #[test]
    fn other_context_never_opens(
        enterprise in "[a-z0-9-]{0,12}",
        record in "[a-z0-9-]{0,12}",
        other_enterprise in "[a-z0-9-]{0,12}",
        other_record in "[a-z0-9-]{0,12}",
        plaintext in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        prop_assume!(enterprise != other_enterprise || record != other_record);
        let ring = ring();
        let sealed = ring.seal(Purpose::Identity, &Context::new(&enterprise, &record), &plaintext).unwrap();
        prop_assert!(ring.open(Purpose::Identity, &Context::new(&other_enterprise, &other_record), &sealed).is_err());
    }

    #[test]
    fn any_single_bit_flip_fails(
        plaintext in proptest::collection::vec(any::<u8>(), 0..600),
        bit in any::<prop::sample::Index>(),
    ) {
        let ring = ring();
        let ctx = Context::new("ent-a", "report-1");
        let mut bytes = ring.seal(Purpose::Identity, &ctx, &plaintext).unwrap().to_bytes();
        let bit = bit.index(bytes.len() * 8);
        bytes[bit / 8] ^= 1 << (bit % 8);
        let result = Sealed::from_bytes(&bytes).and_then(|s| ring.open(Purpose::Identity, &ctx, &s));
        prop_assert!(result.is_err(), "bit {} accepted", bit);
    }

    #[test]
    fn blob_round_trip_and_bit_flip(
        data in proptest::collection::vec(any::<u8>(), 0..5000),
        record in "\\PC{0,24}",
        bit in any::<prop::sample::Index>(),
    ) {
        let ring = ring();
        let ctx = Context::new("ent-a", &record);
        let blob = ring.seal_blob(&ctx, data.clone()).unwrap();
        prop_assert_eq!(blob.len(), data.len() + HEADER_LEN + 16);
        let mut flipped = blob.clone();
        let bit = bit.index(flipped.len() * 8);
        flipped[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(ring.open_blob(&ctx, flipped).is_err(), "bit {} accepted", bit);
        prop_assert_eq!(ring.open_blob(&ctx, blob).unwrap(), data);
    }

    #[test]
    fn blind_index_ignores_case_spaces_and_dashes(
        value in "[a-z0-9]{1,16}",
        mangling in proptest::collection::vec((any::<bool>(), 0u8..4), 16),
    ) {
        let mut mangled = String::from(" ");
        for (c, (upper, sep)) in value.chars().zip(mangling) {
            mangled.push(if upper { c.to_ascii_uppercase() } else { c });
            mangled.push_str(["", "-", " ", " - "][usize::from(sep)]);
        }
        let ring = ring();
        prop_assert_eq!(ring.blind_index("ent-a", &mangled), ring.blind_index("ent-a", &value));
    }

    #[test]
    fn receipt_parse_round_trips(lower in any::<bool>(), sep in prop_oneof![Just(""), Just(" "), Just("-"), Just(" - ")]) {
        let code = ReceiptCode::generate();
        let mut typed = code.as_str().replace('-', sep);
        if lower {
            typed = typed.to_lowercase();
        }
        let parsed = ReceiptCode::parse(&typed).unwrap();
        prop_assert_eq!(parsed.as_str(), code.as_str());
        let ring = ring();
        prop_assert_eq!(ring.receipt_hash(&parsed), ring.receipt_hash(&code));
    }
}
