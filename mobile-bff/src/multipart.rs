//! Reading a report submission: one `report` part (JSON) and 1–5 `photo` parts, with limits
//! enforced while the bytes stream in, so an oversized or endless upload is cut off early, and
//! room for the body reserved in the shared upload budget before a byte is read.

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use actix_web::http::header::CONTENT_LENGTH;
use futures_util::TryStreamExt;
use qingling_api::AppContext;
use qingling_api::error::{AppError, ErrorCode};
use qingling_api::http::upload_budget::UploadPermit;
use qingling_api::services::submission::{MAX_PHOTOS, ReportInput};

/// Largest `report` JSON part.
const MAX_JSON_PART: usize = 16 * 1024;

/// A parsed submission.
#[derive(Debug)]
pub struct Submission {
    /// The `report` part.
    pub input: ReportInput,
    /// The `photo` parts' bytes, in order.
    pub photos: Vec<Vec<u8>>,
    /// The body's room in the upload budget, given back when the submission is dropped.
    _room: UploadPermit,
}

fn bad(zh: &str, en: &str) -> AppError {
    AppError::new(ErrorCode::BadMultipart).detail(zh, en)
}

/// Reads the form once the upload budget has room for its body. A declared body over the
/// largest submission, unknown parts, a missing or repeated `report`, more than five photos, a
/// photo over the size limit or a malformed stream are refused with a 4xx problem.
pub async fn read(
    ctx: &AppContext,
    req: &HttpRequest,
    mut form: Multipart,
) -> Result<Submission, AppError> {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let room = ctx.uploads.reserve(declared).await?;
    let max_photo_bytes = ctx.photo_limits.max_bytes;
    let mut input: Option<ReportInput> = None;
    let mut photos: Vec<Vec<u8>> = Vec::new();
    while let Some(mut field) = form
        .try_next()
        .await
        .map_err(|_| bad("表单格式错误", "the multipart body is malformed"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let limit = match name.as_str() {
            "report" if input.is_some() => {
                return Err(bad("report 部分只能有一个", "send one report part"));
            }
            "report" => MAX_JSON_PART,
            "photo" if photos.len() >= MAX_PHOTOS => {
                return Err(AppError::new(ErrorCode::PhotoCount).detail(
                    format!("最多 {MAX_PHOTOS} 张照片"),
                    format!("at most {MAX_PHOTOS} photos"),
                ));
            }
            "photo" => max_photo_bytes,
            _ => {
                return Err(bad(
                    "未知的表单部分（只接受 report 和 photo）",
                    "unknown part: only report and photo are accepted",
                ));
            }
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field
            .try_next()
            .await
            .map_err(|_| bad("表单格式错误", "the multipart body is malformed"))?
        {
            if bytes.len() + chunk.len() > limit {
                return Err(AppError::new(ErrorCode::PayloadTooLarge).detail(
                    format!("{name} 部分超过 {limit} 字节"),
                    format!("the {name} part exceeds {limit} bytes"),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        if name == "report" {
            let parsed: ReportInput = serde_json::from_slice(&bytes).map_err(|e| {
                let msg = qingling_api::http::problem::scrub_values(&e.to_string());
                AppError::new(ErrorCode::MalformedJson).detail(msg.clone(), msg)
            })?;
            input = Some(parsed);
        } else {
            photos.push(bytes);
        }
    }
    let input = input.ok_or_else(|| bad("缺少 report 部分", "the report part is missing"))?;
    Ok(Submission {
        input,
        photos,
        _room: room,
    })
}
