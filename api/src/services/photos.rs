//! Photos attached to reports, evidence and sweep findings: sanitised on the CPU pool, stored
//! encrypted in the blob store before the database row that names them is committed.

use sha2::Digest as _;

use crate::context::AppContext;
use crate::error::{AppError, AppResult};
use crate::media::sanitize::{self, SanitizedPhoto};
use crate::media::vault::Variant;
use crate::store::reports::{self, PhotoRow};
use crate::store::{DbConn, time, write_tx};

/// Most photos a sweep finding or a piece of rectification evidence may carry (as a report).
pub const MAX_ATTACHED: usize = 5;

/// A stored photo's description for staff (fetch the bytes from the owner's photo route).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PhotoMeta {
    /// Photo id.
    pub id: String,
    /// Display width.
    pub width: i32,
    /// Display height.
    pub height: i32,
    /// Perceptual hash (hex), for duplicate hints.
    pub phash: String,
}

impl From<PhotoRow> for PhotoMeta {
    fn from(p: PhotoRow) -> Self {
        Self {
            id: p.id,
            width: p.width,
            height: p.height,
            phash: p.phash,
        }
    }
}

/// Photos that passed the sanitiser, not yet stored.
#[derive(Debug)]
pub struct Prepared {
    photos: Vec<SanitizedPhoto>,
    uploaded_sha256: Vec<[u8; 32]>,
}

impl Prepared {
    /// How many photos.
    pub fn len(&self) -> usize {
        self.photos.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.photos.is_empty()
    }

    /// SHA-256 of each upload as received, and of each stored (sanitised) display copy, in
    /// order: what a proof of report states about its photos.
    pub fn hashes(&self) -> Vec<crate::domain::proof::ProofPhoto> {
        self.photos
            .iter()
            .zip(&self.uploaded_sha256)
            .map(|(p, u)| crate::domain::proof::ProofPhoto {
                uploaded_sha256: *u,
                stored_sha256: p.sha256,
            })
            .collect()
    }
}

/// Sanitises every upload (EXIF applied then dropped, re-encoded from pixels), one CPU slot at a
/// time per photo. The first bad photo refuses the whole submission before anything is stored.
pub async fn prepare(ctx: &AppContext, uploads: Vec<Vec<u8>>) -> AppResult<Prepared> {
    let mut photos = Vec::with_capacity(uploads.len());
    let mut uploaded_sha256 = Vec::with_capacity(uploads.len());
    for bytes in uploads {
        let limits = ctx.photo_limits;
        let (photo, hash) = ctx
            .cpu(move || {
                let hash: [u8; 32] = sha2::Sha256::digest(&bytes).into();
                Ok((sanitize::sanitize(&bytes, &limits)?, hash))
            })
            .await?;
        photos.push(photo);
        uploaded_sha256.push(hash);
    }
    Ok(Prepared {
        photos,
        uploaded_sha256,
    })
}

/// Writes the prepared photos (display copy and thumbnail, encrypted, fsynced) and returns the
/// rows to insert with the owner. Blobs written here are removed again if the caller's
/// transaction fails ([`discard`]); a crash in between leaves orphans that start-up removes.
pub async fn store(
    ctx: &AppContext,
    enterprise_id: &str,
    owner_type: &str,
    owner_id: &str,
    prepared: Prepared,
) -> AppResult<Vec<PhotoRow>> {
    let vault = ctx.vault.clone();
    let enterprise_id = enterprise_id.to_owned();
    let owner_type = owner_type.to_owned();
    let owner_id = owner_id.to_owned();
    let span = tracing::Span::current();
    let clock = time::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let now = time::carry(clock, time::now);
        let mut rows = Vec::with_capacity(prepared.photos.len());
        // Keys written so far: when a later photo cannot be stored (the bucket went away), the
        // earlier ones are taken back at once rather than left for the orphan sweep.
        let mut written: Vec<String> = Vec::new();
        let mut put = |id: &str, variant: Variant, jpeg: Vec<u8>| {
            let stored = vault.store(&enterprise_id, id, variant, jpeg);
            match &stored {
                Ok(key) => written.push(key.clone()),
                Err(_) => {
                    for k in written.drain(..) {
                        if let Err(e) = vault.delete(&k) {
                            tracing::warn!(error = %e, "could not remove an unused photo blob");
                        }
                    }
                }
            }
            stored
        };
        for (position, p) in prepared.photos.into_iter().enumerate() {
            let id = uuid::Uuid::new_v4().to_string();
            let display_bytes = p.display.len() as i64;
            let display_key = put(&id, Variant::Display, p.display)?;
            let thumb_key = put(&id, Variant::Thumb, p.thumb)?;
            rows.push(PhotoRow {
                id,
                enterprise_id: enterprise_id.clone(),
                owner_type: owner_type.clone(),
                owner_id: owner_id.clone(),
                position: position as i32,
                display_key,
                thumb_key,
                width: p.width as i32,
                height: p.height as i32,
                sha256: hex::encode(p.sha256),
                phash: format!("{:016x}", p.phash),
                display_bytes,
                created_at: now,
            });
        }
        Ok::<_, AppError>(rows)
    })
    .await
    .map_err(AppError::internal)?
}

/// Stores the prepared photos for one owner, then runs `write` in one write transaction that
/// first inserts the photos' rows; when the transaction fails the blobs are removed again, so a
/// refused or failed step leaves neither rows nor blobs behind.
pub async fn commit_with<T, F>(
    ctx: &AppContext,
    enterprise_id: &str,
    owner_type: &str,
    owner_id: &str,
    prepared: Prepared,
    write: F,
) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
{
    let rows = store(ctx, enterprise_id, owner_type, owner_id, prepared).await?;
    let to_insert = rows.clone();
    let out = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                reports::insert_photos(conn, &to_insert)?;
                write(conn)
            })
        })
        .await;
    if out.is_err() {
        discard(ctx, &rows).await;
    }
    out
}

/// Removes the blobs of rows whose transaction did not commit.
pub async fn discard(ctx: &AppContext, rows: &[PhotoRow]) {
    let vault = ctx.vault.clone();
    let keys: Vec<String> = rows
        .iter()
        .flat_map(|r| [r.display_key.clone(), r.thumb_key.clone()])
        .collect();
    let _ = tokio::task::spawn_blocking(move || {
        for k in keys {
            if let Err(e) = vault.delete(&k) {
                tracing::warn!(error = %e, "could not remove an uncommitted photo blob");
            }
        }
    })
    .await;
}

/// Reads and decrypts one variant of a stored photo.
pub async fn load(ctx: &AppContext, row: PhotoRow, variant: Variant) -> AppResult<Vec<u8>> {
    let vault = ctx.vault.clone();
    tokio::task::spawn_blocking(move || {
        let key = match variant {
            Variant::Display => &row.display_key,
            Variant::Thumb => &row.thumb_key,
        };
        vault.load(&row.enterprise_id, &row.id, variant, key)
    })
    .await
    .map_err(AppError::internal)?
}
