//! Multipart forms of the console (a rectification's evidence, a sweep finding): text fields
//! and up to a few `photo` file inputs, read with the same limits and upload budget as the
//! API's forms, and checked for the session's CSRF token before anything is kept.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::TryStreamExt;
use qingling_api::http::extract::ClientAddr;
use qingling_api::http::multipart::within;
use qingling_api::http::upload_budget::BodyClock;
use qingling_api::{AppContext, AppError, ErrorCode};

use crate::csrf;
use crate::error::ConsoleError;
use crate::session::SignedInUser;

/// Largest text field.
const MAX_FIELD: usize = 16 * 1024;
/// Most text fields a form may have.
const MAX_FIELDS: usize = 32;

/// A multipart form's text fields and photos.
#[derive(Debug, Default)]
pub struct PhotoForm {
    /// Text fields by name (the last value of a repeated name wins).
    pub fields: HashMap<String, String>,
    /// The photos' bytes, in order; file inputs left empty are skipped.
    pub photos: Vec<Vec<u8>>,
}

impl PhotoForm {
    /// A text field, or "".
    pub fn text(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

fn bad() -> AppError {
    AppError::new(ErrorCode::BadMultipart).detail("表单格式错误", "the form is malformed")
}

/// Reads the form of a signed-in user (at most `max_photos` photos) and checks its CSRF
/// token. The upload budget's room is held only while reading: the caller hands the photos to
/// the service straight away.
pub async fn read(
    ctx: &AppContext,
    req: &HttpRequest,
    user: &SignedInUser,
    payload: web::Payload,
    max_photos: usize,
) -> Result<PhotoForm, ConsoleError> {
    let max_photo = ctx.photo_limits.max_bytes;
    read_files(ctx, req, user, payload, "photo", max_photo, max_photos).await
}

/// Like [`read`], for a form whose file inputs are named `file_field`, each at most
/// `file_limit` bytes (a worker sheet, say); the files land in [`PhotoForm::photos`].
pub async fn read_files(
    ctx: &AppContext,
    req: &HttpRequest,
    user: &SignedInUser,
    payload: web::Payload,
    file_field: &str,
    file_limit: usize,
    max_photos: usize,
) -> Result<PhotoForm, ConsoleError> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let client = ClientAddr::from_request(req, &mut actix_web::dev::Payload::None)
        .into_inner()
        .ok()
        .and_then(|c| c.0);
    // Room in the upload budget is held only for the bytes that have arrived, and a body that
    // stalls or trickles is cut off, exactly as for the API's forms.
    let mut room = ctx
        .uploads
        .open(client, declared)
        .map_err(|e| user.fail(e))?;
    let mut clock = BodyClock::start(ctx.uploads.pacing());
    let mut total: u64 = 0;
    let mut multipart = Multipart::new(req.headers(), payload.into_inner());
    let mut form = PhotoForm::default();
    while let Some(mut field) = within(&clock, multipart.try_next())
        .await
        .map_err(|e| user.fail(e))?
        .map_err(|_| user.fail(bad()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let is_photo = name == file_field;
        let limit = if is_photo { file_limit } else { MAX_FIELD };
        let mut bytes = Vec::new();
        while let Some(chunk) = within(&clock, field.try_next())
            .await
            .map_err(|e| user.fail(e))?
            .map_err(|_| user.fail(bad()))?
        {
            clock.arrived(chunk.len()).map_err(|e| user.fail(e))?;
            if bytes.len() + chunk.len() > limit {
                return Err(user.fail(AppError::new(ErrorCode::PayloadTooLarge)));
            }
            total += chunk.len() as u64;
            let waited = room.grow_to(total).await.map_err(|e| user.fail(e))?;
            clock.excuse(waited);
            bytes.extend_from_slice(&chunk);
        }
        if is_photo {
            if bytes.is_empty() {
                continue;
            }
            if form.photos.len() >= max_photos {
                return Err(user.fail(AppError::new(ErrorCode::PhotoCount).detail(
                    format!("最多 {max_photos} 张照片"),
                    format!("at most {max_photos} photos"),
                )));
            }
            form.photos.push(bytes);
        } else {
            if form.fields.len() >= MAX_FIELDS {
                return Err(user.fail(bad()));
            }
            let text = String::from_utf8(bytes).map_err(|_| user.fail(bad()))?;
            form.fields.insert(name, text);
        }
    }
    csrf::check(ctx, user, &form.text("csrf"))?;
    Ok(form)
}
