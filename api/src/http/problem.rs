//! RFC 9457 problem+json rendering, in Chinese (default) or English by `Accept-Language`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, ErrorCode};

/// The language of human texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 中文 (default).
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Picks the preferred of zh and en from an `Accept-Language` header; Chinese by default.
    pub fn from_header(value: Option<&str>) -> Self {
        let Some(value) = value else { return Lang::Zh };
        let mut best: Option<(f32, Lang)> = None;
        for part in value.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = if tag.starts_with("en") {
                Lang::En
            } else if tag.starts_with("zh") {
                Lang::Zh
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::Zh, |(_, l)| l)
    }

    /// The request's language.
    pub fn of(req: &HttpRequest) -> Self {
        Self::from_header(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URN naming the problem type.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Stable machine-readable code.
    pub code: String,
    /// Explanation of this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field-level problems of a validation failure.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// The request id, to quote when asking for help.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// Field name.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Renders an error as a problem response.
pub fn render(err: &AppError, lang: Lang, request_id: Option<&str>) -> HttpResponse {
    let code = err.code;
    let (zh, en) = code.titles();
    // A 5xx never explains itself: the cause is in the log under the request id.
    let detail = if code.status() >= 500 {
        None
    } else {
        err.detail.as_ref().map(|d| match lang {
            Lang::Zh => d.zh.clone(),
            Lang::En => d.en.clone(),
        })
    };
    let body = Problem {
        type_: format!("urn:qingling:problem:{}", code.as_str()),
        title: match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
        .to_owned(),
        status: code.status(),
        code: code.as_str().to_owned(),
        detail,
        errors: err
            .fields
            .iter()
            .map(|(f, m)| FieldProblem {
                field: f.clone(),
                message: m.clone(),
            })
            .collect(),
        request_id: request_id.map(str::to_owned),
    };
    let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = HttpResponse::build(status);
    resp.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    ))
    .insert_header((
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(match lang {
            Lang::Zh => "zh",
            Lang::En => "en",
        }),
    ));
    if code == ErrorCode::Unauthenticated || code == ErrorCode::InvalidCredentials {
        resp.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
    }
    if code == ErrorCode::RateLimited {
        resp.insert_header((header::RETRY_AFTER, HeaderValue::from_static("60")));
    }
    if code == ErrorCode::UploadBusy {
        resp.insert_header((header::RETRY_AFTER, HeaderValue::from_static("10")));
    }
    if code == ErrorCode::BodyTimeout {
        // The rest of the body is not read: the connection cannot carry another request.
        resp.insert_header((header::CONNECTION, HeaderValue::from_static("close")));
    }
    resp.json(body)
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Chinese by default; the request middleware re-renders in the client's language with the
    /// request id.
    fn error_response(&self) -> HttpResponse {
        render(self, Lang::Zh, None)
    }
}

/// Replaces quoted input values in a parser message, so an error never echoes what was typed
/// (it might be a name or a phone number) into a log or a proxy.
pub fn scrub_values(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut in_quotes = false;
    for c in msg.chars() {
        if c == '"' {
            if !in_quotes {
                out.push_str("\"…\"");
            }
            in_quotes = !in_quotes;
        } else if !in_quotes {
            out.push(c);
        }
    }
    out
}

/// The error for a JSON body that could not be read.
pub fn json_error(err: &actix_web::error::JsonPayloadError) -> AppError {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => {
            AppError::new(ErrorCode::PayloadTooLarge)
        }
        E::ContentType => AppError::new(ErrorCode::UnsupportedMediaType).detail(
            "请求体应为 application/json",
            "the body must be application/json",
        ),
        E::Deserialize(e) => {
            let msg = scrub_values(&e.to_string());
            AppError::new(ErrorCode::MalformedJson).detail(msg.clone(), msg)
        }
        other => {
            let msg = scrub_values(&other.to_string());
            AppError::new(ErrorCode::MalformedJson).detail(msg.clone(), msg)
        }
    }
}

/// The error for a query string or path that could not be read.
pub fn param_error(what: &str, msg: &str) -> AppError {
    let msg = scrub_values(msg);
    AppError::new(ErrorCode::ValidationFailed).detail(
        format!("{what} 参数无效：{msg}"),
        format!("invalid {what} parameters: {msg}"),
    )
}

/// Maps a status that actix produced itself (no route, wrong method, …) to an error.
pub fn from_status(status: StatusCode) -> AppError {
    match status.as_u16() {
        404 => AppError::new(ErrorCode::RouteNotFound),
        405 => AppError::new(ErrorCode::MethodNotAllowed),
        413 => AppError::new(ErrorCode::PayloadTooLarge),
        415 => AppError::new(ErrorCode::UnsupportedMediaType),
        401 => AppError::new(ErrorCode::Unauthenticated),
        s if (400..500).contains(&s) => AppError::new(ErrorCode::ValidationFailed),
        _ => AppError::new(ErrorCode::Internal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_of_zh_and_en() {
        assert_eq!(Lang::from_header(None), Lang::Zh);
        assert_eq!(Lang::from_header(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_header(Some("zh-CN,en;q=0.5")), Lang::Zh);
        assert_eq!(Lang::from_header(Some("fr, en;q=0.8, zh;q=0.9")), Lang::Zh);
        assert_eq!(Lang::from_header(Some("fr")), Lang::Zh);
    }

    #[test]
    fn scrubbing_removes_quoted_values() {
        assert_eq!(
            scrub_values("invalid type: string \"张三 13800001234\", expected u32"),
            "invalid type: string \"…\", expected u32"
        );
    }
}
