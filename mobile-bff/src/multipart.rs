//! Reading a report submission: one `report` part (JSON) and 1–5 `photo` parts, through the
//! shared form reader (`qingling_api::http::multipart`), which reserves room for the body in the
//! upload budget and enforces the limits while the bytes stream in.

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use qingling_api::AppContext;
use qingling_api::error::{AppError, ErrorCode};
use qingling_api::http::multipart::{Parts, parse_json, read_parts};
use qingling_api::services::submission::{MAX_PHOTOS, ReportInput};

/// A parsed submission.
#[derive(Debug)]
pub struct Submission {
    /// The `report` part.
    pub input: ReportInput,
    /// The form, its JSON taken: `photos` holds the photo parts' bytes, in order. Dropping it
    /// gives the body's room in the upload budget back.
    pub parts: Parts,
}

/// Reads the form. A body declared larger than any submission, unknown parts, a missing or
/// repeated `report`, more than five photos, a photo over the size limit or a malformed stream
/// are refused with a 4xx problem.
pub async fn read(
    ctx: &AppContext,
    req: &HttpRequest,
    form: Multipart,
) -> Result<Submission, AppError> {
    let mut parts = read_parts(ctx, req, form, "report", MAX_PHOTOS).await?;
    let json = parts.json.take().ok_or_else(|| {
        AppError::new(ErrorCode::BadMultipart)
            .detail("缺少 report 部分", "the report part is missing")
    })?;
    Ok(Submission {
        input: parse_json(&json)?,
        parts,
    })
}
