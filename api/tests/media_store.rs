//! The blob store and the photo vault: durable, verified, content-addressed storage of photos
//! that are encrypted at rest and bound to the photo they belong to.

// Test and benchmark code: a failed step should stop loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use qingling_api::media::blob::key_of;
use qingling_api::media::{BlobStore, LocalBlobStore, PhotoVault, Variant};
use qingling_crypto::{KeyRing, MasterKey};

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn media_blob_round_trip_is_content_addressed_and_fanned_out() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::open(dir.path().join("blobs")).unwrap();
    let key = store.put(b"hello blob").unwrap();
    assert_eq!(key, key_of(b"hello blob"));
    assert_eq!(key.len(), 64);
    let path = dir
        .path()
        .join("blobs")
        .join(&key[..2])
        .join(&key[2..4])
        .join(&key);
    assert!(path.is_file(), "{path:?}");
    assert_eq!(store.get(&key).unwrap(), b"hello blob");
    // Same content, same key, one file.
    assert_eq!(store.put(b"hello blob").unwrap(), key);
    let other = store.put(b"another").unwrap();
    let mut want = vec![key.clone(), other.clone()];
    want.sort();
    assert_eq!(store.list_keys().unwrap(), want);
    // Only final names remain: no temporary file survives a successful put.
    let names: Vec<String> = files(store.root())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with(".tmp")));
    // Delete is idempotent; a deleted blob is NotFound.
    store.delete(&other).unwrap();
    store.delete(&other).unwrap();
    assert_eq!(
        store.get(&other).unwrap_err().kind(),
        std::io::ErrorKind::NotFound
    );
}

#[test]
fn media_blob_get_detects_a_flipped_byte_and_refuses_bad_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::open(dir.path()).unwrap();
    let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let key = store.put(&data).unwrap();
    let path = store.root().join(&key[..2]).join(&key[2..4]).join(&key);
    let mut on_disk = std::fs::read(&path).unwrap();
    on_disk[5_000] ^= 0x01;
    std::fs::write(&path, &on_disk).unwrap();
    assert_eq!(
        store.get(&key).unwrap_err().kind(),
        std::io::ErrorKind::InvalidData
    );

    for bad in [
        "../../etc/passwd",
        "",
        "ABCDEF",
        &key.to_uppercase(),
        &format!("{key}0"),
    ] {
        assert_eq!(
            store.get(bad).unwrap_err().kind(),
            std::io::ErrorKind::InvalidInput
        );
        assert_eq!(
            store.delete(bad).unwrap_err().kind(),
            std::io::ErrorKind::InvalidInput
        );
    }
}

#[test]
fn media_blob_orphans_and_stale_temp_files_are_removed_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::open(dir.path()).unwrap();
    let kept = store.put(b"referenced by a row").unwrap();
    let orphan_a = store.put(b"row never committed").unwrap();
    let orphan_b = store.put(b"another crash leftover").unwrap();
    // A temporary file left by a crash in the middle of a put.
    let leaf = store.root().join(&kept[..2]).join(&kept[2..4]);
    std::fs::write(leaf.join(".tmp-deadbeefdeadbeef"), b"half written").unwrap();
    // Something that is not the store's stays alone.
    std::fs::write(store.root().join("README"), b"not a blob").unwrap();

    let referenced = |k: &str| k == kept;
    // Young files may belong to an upload in flight: nothing is removed.
    assert_eq!(
        store
            .remove_orphans(&referenced, Duration::from_secs(3600))
            .unwrap(),
        0
    );
    assert_eq!(store.list_keys().unwrap().len(), 3);

    let removed = store.remove_orphans(&referenced, Duration::ZERO).unwrap();
    assert_eq!(removed, 3, "two orphans and one temp file");
    assert_eq!(store.list_keys().unwrap(), vec![kept.clone()]);
    assert!(store.get(&orphan_a).is_err() && store.get(&orphan_b).is_err());
    assert!(!leaf.join(".tmp-deadbeefdeadbeef").exists());
    assert!(store.root().join("README").exists());
    assert_eq!(store.get(&kept).unwrap(), b"referenced by a row");
}

fn vault(dir: &Path) -> PhotoVault {
    let store: Arc<dyn BlobStore> = Arc::new(LocalBlobStore::open(dir.join("blobs")).unwrap());
    PhotoVault::new(store, Arc::new(KeyRing::new(1, MasterKey::generate())))
}

/// A real JPEG as sanitize would produce it.
fn some_jpeg() -> Vec<u8> {
    let px: Vec<u8> = (0..64 * 64)
        .flat_map(|i| [(i % 256) as u8, 90, 200])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(&px, 64, 64, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

#[test]
fn media_vault_stores_photos_encrypted_and_opens_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let vault = vault(dir.path());
    let jpeg = some_jpeg();
    assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]) && jpeg.windows(4).any(|w| w == b"JFIF"));

    let key = vault
        .store("ent-1", "photo-1", Variant::Display, jpeg.clone())
        .unwrap();
    let on_disk = files(&dir.path().join("blobs"));
    assert_eq!(on_disk.len(), 1);
    let raw = std::fs::read(&on_disk[0]).unwrap();
    assert_eq!(key_of(&raw), key, "the key addresses the stored ciphertext");
    assert!(
        !raw.windows(3).any(|w| w == [0xFF, 0xD8, 0xFF]),
        "SOI in plain"
    );
    assert!(!raw.windows(4).any(|w| w == b"JFIF"), "JFIF in plain");
    assert!(
        !raw.windows(32).any(|w| w == &jpeg[200..232]),
        "JPEG bytes in plain"
    );

    let back = vault
        .load("ent-1", "photo-1", Variant::Display, &key)
        .unwrap();
    assert_eq!(back, jpeg);
}

#[test]
fn media_vault_blob_does_not_open_for_another_photo_variant_or_enterprise() {
    let dir = tempfile::tempdir().unwrap();
    let vault = vault(dir.path());
    let key = vault
        .store("ent-1", "photo-1", Variant::Display, some_jpeg())
        .unwrap();
    assert!(
        vault
            .load("ent-1", "photo-2", Variant::Display, &key)
            .is_err()
    );
    assert!(
        vault
            .load("ent-1", "photo-1", Variant::Thumb, &key)
            .is_err()
    );
    assert!(
        vault
            .load("ent-2", "photo-1", Variant::Display, &key)
            .is_err()
    );
    let e = vault
        .load("ent-1", "photo-2", Variant::Display, &key)
        .unwrap_err();
    assert_eq!(e.code, qingling_api::ErrorCode::Internal);
    // The right context still opens it; a missing blob is an error, not an empty photo.
    assert!(
        vault
            .load("ent-1", "photo-1", Variant::Display, &key)
            .is_ok()
    );
    vault.delete(&key).unwrap();
    assert!(
        vault
            .load("ent-1", "photo-1", Variant::Display, &key)
            .is_err()
    );
}
