//! What a console handler can fail with, and how each failure looks in the browser: a visit
//! without a session goes to the sign-in page, a refused post is a 403 page, another
//! enterprise's record is the same 404 page as a missing one, and a service's refusal is its
//! localised title and detail.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use qingling_api::{AppError, ErrorCode};

use crate::messages::{Lang, Messages};

/// A console failure. Its response is a whole HTML page (or a redirect).
#[derive(Debug)]
pub enum ConsoleError {
    /// No valid session: go to the sign-in page (with `ended` when a session cookie was sent
    /// but is no longer good).
    SignIn {
        /// A cookie was presented but its session is over.
        ended: bool,
        /// The request came from htmx, which follows a 303 inside its XMLHttpRequest and would
        /// swap the sign-in page into the table: it gets a 401 with `HX-Redirect` instead, and
        /// htmx sends the whole window to the sign-in page.
        htmx: bool,
    },
    /// The user must replace a password an admin reset before anything else: to 修改密码
    /// (`HX-Redirect` for htmx, as for [`ConsoleError::SignIn`]).
    ChangePassword {
        /// The request came from htmx.
        htmx: bool,
    },
    /// A post without this console's origin or without a valid CSRF token: 403, nothing done.
    CrossSite(Lang),
    /// A service's answer (404 for another enterprise's record, 403, 409, ...).
    App(AppError, Lang),
}

impl ConsoleError {
    /// Wraps a service error for a page in `lang`.
    pub fn app(e: AppError, lang: Lang) -> Self {
        Self::App(e, lang)
    }
}

impl std::fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignIn { .. } => f.write_str("not signed in"),
            Self::ChangePassword { .. } => f.write_str("password change required"),
            Self::CrossSite(_) => f.write_str("cross-site or tokenless post refused"),
            Self::App(e, _) => write!(f, "{e}"),
        }
    }
}

/// The localised words of a service error: (title, detail).
pub fn describe(e: &AppError, lang: Lang) -> (String, Option<String>) {
    let (zh, en) = e.code.titles();
    let title = lang.pick(zh, en).to_owned();
    let detail = e
        .detail
        .as_ref()
        .map(|d| lang.pick(&d.zh, &d.en).to_owned());
    (title, detail)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    m: &'static Messages,
    lang: &'static str,
    css: String,
    title: &'a str,
    detail: Option<&'a str>,
}

fn page(status: StatusCode, lang: Lang, title: &str, detail: Option<&str>) -> HttpResponse {
    let p = ErrorPage {
        m: lang.messages(),
        lang: lang.tag(),
        css: crate::assets::ASSETS.css.url(),
        title,
        detail,
    };
    let body = p.render().unwrap_or_else(|_| title.to_owned());
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body)
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { htmx: true, .. } => StatusCode::UNAUTHORIZED,
            Self::SignIn { .. } => StatusCode::SEE_OTHER,
            Self::ChangePassword { htmx: true } => StatusCode::FORBIDDEN,
            Self::ChangePassword { htmx: false } => StatusCode::SEE_OTHER,
            Self::CrossSite(_) => StatusCode::FORBIDDEN,
            Self::App(e, _) => {
                StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignIn { .. } | Self::ChangePassword { .. } => {
                let (to, htmx) = match self {
                    Self::SignIn { ended: true, htmx } => ("/console/login?ended=1", *htmx),
                    Self::SignIn { htmx, .. } => ("/console/login", *htmx),
                    Self::ChangePassword { htmx } => (crate::pages::account::PASSWORD_PATH, *htmx),
                    _ => ("/console/login", false),
                };
                let mut res = HttpResponse::build(self.status_code());
                if htmx {
                    // An (empty) page, so the API's error middleware keeps it as it is.
                    res.insert_header(("HX-Redirect", to))
                        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"));
                } else {
                    res.insert_header((LOCATION, to));
                }
                res.insert_header((CACHE_CONTROL, "no-store")).finish()
            }
            Self::CrossSite(lang) => {
                let m = lang.messages();
                page(
                    StatusCode::FORBIDDEN,
                    *lang,
                    m.forbidden_title,
                    Some(m.forbidden_detail),
                )
            }
            Self::App(e, lang) => {
                if e.code == ErrorCode::Internal || e.code == ErrorCode::Unavailable {
                    // Logged once here, where it is handled; the page says only what failed.
                    tracing::error!(error = ?e, "console request failed");
                }
                let m = lang.messages();
                if e.code == ErrorCode::NotFound {
                    return page(
                        StatusCode::NOT_FOUND,
                        *lang,
                        m.not_found_title,
                        Some(m.not_found_detail),
                    );
                }
                let (title, detail) = describe(e, *lang);
                page(self.status_code(), *lang, &title, detail.as_deref())
            }
        }
    }
}

/// A service's refusal as one sentence for a page's error box (`title：detail`).
pub fn sentence(e: &AppError, lang: Lang) -> String {
    let (t, d) = describe(e, lang);
    d.map_or(t.clone(), |d| format!("{t}：{d}"))
}
