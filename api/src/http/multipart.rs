//! Forms with one JSON part and up to a few `photo` parts — a phone's report, a sweep finding, a
//! rectification's evidence — read with limits enforced while the bytes stream in, so an
//! oversized, endless, stalled or trickling upload is cut off early, holding room in the shared
//! upload budget only for what has arrived (see [`crate::http::upload_budget`]). Routes that also take plain JSON (no
//! photos) use [`json_or_form`], which picks by `Content-Type`.

use std::time::Instant;

use actix_multipart::Multipart;
use actix_web::dev::{JsonBody, Payload};
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::TryStreamExt;
use serde::de::DeserializeOwned;

use crate::context::AppContext;
use crate::error::{AppError, ErrorCode};
use crate::http::extract::ClientAddr;
use crate::http::upload_budget::{self, BodyClock, UploadPermit};

/// Largest JSON part of a form.
pub const MAX_JSON_PART: usize = 16 * 1024;

/// The parts of a form: the JSON part's bytes (if sent) and the photos' bytes, in order.
/// Keep it alive until the photos are dealt with: it holds the body's room in the upload
/// budget, given back when it is dropped.
#[derive(Debug, Default)]
pub struct Parts {
    /// The JSON part.
    pub json: Option<Vec<u8>>,
    /// The `photo` parts.
    pub photos: Vec<Vec<u8>>,
    _room: Option<UploadPermit>,
}

fn bad(zh: &str, en: &str) -> AppError {
    AppError::new(ErrorCode::BadMultipart).detail(zh, en)
}

/// Reads a form with one JSON part named `json_part` and at most `max_photos` `photo` parts
/// within the photo size limit (see [`read_parts_gated`]).
pub async fn read_parts(
    ctx: &AppContext,
    req: &HttpRequest,
    form: Multipart,
    json_part: &str,
    max_photos: usize,
) -> Result<Parts, AppError> {
    read_parts_gated(
        ctx,
        req,
        form,
        json_part,
        max_photos,
        None::<fn(&[u8]) -> std::future::Ready<Result<(), AppError>>>,
    )
    .await
}

fn malformed() -> AppError {
    bad("表单格式错误", "the multipart body is malformed")
}

/// Waits for the next piece of the body within what the clock allows; 408 when it does not come.
pub async fn within<T>(clock: &BodyClock, next: impl Future<Output = T>) -> Result<T, AppError> {
    tokio::time::timeout(clock.next_wait(), next)
        .await
        .map_err(|_| upload_budget::too_slow())
}

/// Reads a form with one JSON part named `json_part` and at most `max_photos` `photo` parts
/// within the photo size limit, holding room in the upload budget only for the bytes that have
/// arrived (see [`crate::http::upload_budget`]). A body declared larger than any form may be,
/// unknown parts, a repeated JSON part, too many or too large photos and a malformed stream are
/// refused with a 4xx problem; a body that stalls or trickles with 408 `body_timeout`; a full
/// budget with 503 `upload_busy`.
///
/// With a `gate`, the JSON part must come first and the gate judges it before a single photo
/// byte is read or reserved: an anonymous report proves its intake code this way, so a sender
/// without a valid code cannot hold any of the budget.
pub async fn read_parts_gated<G>(
    ctx: &AppContext,
    req: &HttpRequest,
    mut form: Multipart,
    json_part: &str,
    max_photos: usize,
    gate: Option<G>,
) -> Result<Parts, AppError>
where
    G: AsyncFnOnce(&[u8]) -> Result<(), AppError>,
{
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let client = ClientAddr::from_request(req, &mut Payload::None)
        .into_inner()
        .ok()
        .and_then(|c| c.0);
    let mut parts = Parts {
        _room: Some(ctx.uploads.open(client, declared)?),
        ..Parts::default()
    };
    let mut gate = gate;
    let mut clock = BodyClock::start(ctx.uploads.pacing());
    let mut total: u64 = 0;
    let max_photo_bytes = ctx.photo_limits.max_bytes;
    while let Some(mut field) = within(&clock, form.try_next())
        .await?
        .map_err(|_| malformed())?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let is_json = name == json_part;
        let limit = if is_json {
            if parts.json.is_some() {
                return Err(bad(
                    &format!("{json_part} 部分只能有一个"),
                    &format!("send one {json_part} part"),
                ));
            }
            MAX_JSON_PART
        } else if name == "photo" {
            if gate.is_some() {
                return Err(bad(
                    &format!("{json_part} 部分须在照片之前"),
                    &format!("send the {json_part} part before the photos"),
                ));
            }
            if parts.photos.len() >= max_photos {
                return Err(AppError::new(ErrorCode::PhotoCount).detail(
                    format!("最多 {max_photos} 张照片"),
                    format!("at most {max_photos} photos"),
                ));
            }
            max_photo_bytes
        } else {
            return Err(bad(
                &format!("未知的表单部分（只接受 {json_part} 和 photo）"),
                &format!("unknown part: only {json_part} and photo are accepted"),
            ));
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = within(&clock, field.try_next())
            .await?
            .map_err(|_| malformed())?
        {
            clock.arrived(chunk.len())?;
            if bytes.len() + chunk.len() > limit {
                return Err(AppError::new(ErrorCode::PayloadTooLarge).detail(
                    format!("{name} 部分超过 {limit} 字节"),
                    format!("the {name} part exceeds {limit} bytes"),
                ));
            }
            total += chunk.len() as u64;
            if let Some(room) = parts._room.as_mut() {
                let waited = room.grow_to(total).await?;
                clock.excuse(waited);
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_json {
            if let Some(gate) = gate.take() {
                let judged = Instant::now();
                gate(&bytes).await?;
                clock.excuse(judged.elapsed());
            }
            parts.json = Some(bytes);
        } else {
            parts.photos.push(bytes);
        }
    }
    Ok(parts)
}

/// Parses a form's JSON part; the error names the problem but never echoes the values sent.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let msg = crate::http::problem::scrub_values(&e.to_string());
        AppError::new(ErrorCode::MalformedJson).detail(msg.clone(), msg)
    })
}

/// A body that is either plain JSON (no photos) or a multipart form with the JSON in part
/// `json_part` and up to `max_photos` photos. Plain JSON is held to the JSON limit and answered
/// like every other JSON route's body. Keep the returned [`Parts`] (its photos taken) alive
/// until the photos are stored.
pub async fn json_or_form<T: DeserializeOwned + 'static>(
    ctx: &AppContext,
    req: &HttpRequest,
    payload: web::Payload,
    json_part: &str,
    max_photos: usize,
) -> Result<(T, Parts), AppError> {
    let is_form = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.trim_start().starts_with("multipart/form-data"));
    let mut payload = payload.into_inner();
    if !is_form {
        let body = JsonBody::<T>::new(req, &mut payload, None, true)
            .limit(ctx.settings.json_limit)
            .await
            .map_err(|e| crate::http::problem::json_error(&e))?;
        return Ok((body, Parts::default()));
    }
    let form = Multipart::new(req.headers(), payload);
    let mut parts = read_parts(ctx, req, form, json_part, max_photos).await?;
    let json = parts.json.take().ok_or_else(|| {
        bad(
            &format!("缺少 {json_part} 部分"),
            &format!("the {json_part} part is missing"),
        )
    })?;
    Ok((parse_json(&json)?, parts))
}
