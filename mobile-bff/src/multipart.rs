//! Reading a report submission: one `report` part (JSON) and 1–5 `photo` parts, through the
//! shared form reader (`qingling_api::http::multipart`), which reserves room for the body in the
//! upload budget and enforces the limits while the bytes stream in.

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use qingling_api::AppContext;
use qingling_api::error::{AppError, ErrorCode};
use qingling_api::http::multipart::{Parts, parse_json, read_parts_gated};
use qingling_api::services::submission::{self, MAX_PHOTOS, ReportInput};

/// A parsed submission.
#[derive(Debug)]
pub struct Submission {
    /// The `report` part.
    pub input: ReportInput,
    /// The form, its JSON taken: `photos` holds the photo parts' bytes, in order. Dropping it
    /// gives the body's room in the upload budget back.
    pub parts: Parts,
}

/// Who sends the form, which decides what must be proven before photos are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// A logged-in worker (the token was checked before the body is read).
    Worker,
    /// Anyone: the `report` part must come first and carry a valid intake code, checked before
    /// a photo byte is read or room for it reserved.
    Anonymous,
}

/// Reads the form. A body declared larger than any submission, unknown parts, a missing or
/// repeated `report`, more than five photos, a photo over the size limit or a malformed stream
/// are refused with a 4xx problem; an anonymous form whose `report` part does not come first or
/// names no valid intake code is refused before its photos are read.
pub async fn read(
    ctx: &AppContext,
    req: &HttpRequest,
    form: Multipart,
    sender: Sender,
) -> Result<Submission, AppError> {
    let gate = (sender == Sender::Anonymous).then_some(async |json: &[u8]| {
        let input: ReportInput = parse_json(json)?;
        submission::admit_anonymous(ctx, &input).await.map(drop)
    });
    let mut parts = read_parts_gated(ctx, req, form, "report", MAX_PHOTOS, gate).await?;
    let json = parts.json.take().ok_or_else(|| {
        AppError::new(ErrorCode::BadMultipart)
            .detail("缺少 report 部分", "the report part is missing")
    })?;
    Ok(Submission {
        input: parse_json(&json)?,
        parts,
    })
}
