//! Reading a report submission: one `report` part (JSON) and 1–5 `photo` parts, through the
//! shared form reader (`qingling_api::http::multipart`), which enforces the limits while the
//! bytes stream in.

use actix_multipart::Multipart;
use qingling_api::error::{AppError, ErrorCode};
use qingling_api::http::multipart::{parse_json, read_parts};
use qingling_api::services::submission::{MAX_PHOTOS, ReportInput};

/// A parsed submission.
#[derive(Debug)]
pub struct Submission {
    /// The `report` part.
    pub input: ReportInput,
    /// The `photo` parts' bytes, in order.
    pub photos: Vec<Vec<u8>>,
}

/// Reads the form. Unknown parts, a missing or repeated `report`, more than five photos, a photo
/// over `max_photo_bytes` or a malformed stream are refused with a 4xx problem.
pub async fn read(form: Multipart, max_photo_bytes: usize) -> Result<Submission, AppError> {
    let parts = read_parts(form, "report", MAX_PHOTOS, max_photo_bytes).await?;
    let json = parts.json.ok_or_else(|| {
        AppError::new(ErrorCode::BadMultipart)
            .detail("缺少 report 部分", "the report part is missing")
    })?;
    Ok(Submission {
        input: parse_json(&json)?,
        photos: parts.photos,
    })
}
