//! Serving a stored photo: the `?size=` choice and the answer's headers, the same for every
//! route that hands out photos (staff, bureau).

use actix_web::HttpResponse;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::AppError;
use crate::media::vault::Variant;

/// `?size=thumb|display`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PhotoQuery {
    /// `thumb` for the 320 px thumbnail; the display copy otherwise.
    #[param(pattern = "^(thumb|display)$")]
    pub size: Option<String>,
}

impl PhotoQuery {
    /// The variant asked for; 400 for anything but `thumb` or `display`.
    pub fn variant(&self) -> Result<Variant, AppError> {
        match self.size.as_deref() {
            None | Some("display") => Ok(Variant::Display),
            Some("thumb") => Ok(Variant::Thumb),
            Some(_) => Err(AppError::invalid(
                "size",
                "size 只能是 thumb 或 display",
                "size must be thumb or display",
            )),
        }
    }
}

/// The sanitised JPEG, never cached by anything between the server and the reader.
pub fn jpeg(bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header(("cache-control", "private, no-store"))
        .body(bytes)
}
