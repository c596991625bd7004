//! Rendering a page: the frame every page shares ([`Chrome`]: language, navigation for the
//! user's role, the CSRF token, asset URLs) and the response a rendered template becomes.
//!
//! Every console page is answered with `Cache-Control: no-store` (the security-headers
//! middleware adds it to any response that does not say otherwise): the console shows report
//! content, and nothing of it should be left in a browser's or a proxy's cache. Assets, which
//! carry nothing of a report, say `immutable` themselves.

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, FixedOffset};
use qingling_api::AppError;
use qingling_api::domain::Role;
use qingling_api::http::photo_answer::{self, PhotoQuery};
use qingling_api::media::Variant;

use crate::assets::ASSETS;
use crate::error::ConsoleError;
use crate::messages::{Lang, Messages};
use crate::pages;
use crate::session::SignedInUser;

/// A link of the main navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
    /// Whether it is the page being shown.
    pub current: bool,
}

/// What the layout needs: every page's view model has one, as its `chrome` field.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The words.
    pub m: &'static Messages,
    /// `lang` attribute.
    pub lang: &'static str,
    /// Code of the other language, for the switch (`/console/lang/{code}`).
    pub other_lang: &'static str,
    /// Who is signed in.
    pub username: String,
    /// Their role, in words.
    pub role: &'static str,
    /// The navigation of their role.
    pub nav: Vec<NavLink>,
    /// The session's CSRF token (every form: `<input type="hidden" name="csrf" value="…">`).
    pub csrf: String,
    /// Versioned asset URLs.
    pub css: String,
    /// The console's script.
    pub js: String,
    /// htmx.
    pub htmx: String,
}

impl Chrome {
    /// The frame for `user`, with the navigation entry `current` (its path) marked.
    pub fn new(user: &SignedInUser, current: &str) -> Self {
        let m = user.lang.messages();
        Self {
            m,
            lang: user.lang.tag(),
            other_lang: user.lang.other().code(),
            username: user.username.clone(),
            role: role_label(m, user.actor.role),
            nav: pages::nav_for(user.actor.role)
                .map(|e| NavLink {
                    href: e.path,
                    label: (e.label)(m),
                    current: e.path == current,
                })
                .collect(),
            csrf: user.csrf.clone(),
            css: ASSETS.css.url(),
            js: ASSETS.js.url(),
            htmx: ASSETS.htmx.url(),
        }
    }
}

/// A role in words.
pub fn role_label(m: &'static Messages, role: Role) -> &'static str {
    match role {
        Role::Worker => m.role_worker,
        Role::SafetyManager => m.role_safety_manager,
        Role::Principal => m.role_principal,
        Role::Custodian => m.role_custodian,
        Role::BureauOfficer => m.role_bureau_officer,
        Role::Admin => m.role_admin,
    }
}

/// A stored role name in words (timelines); none means the reporter or the system.
pub fn role_name(m: &'static Messages, role: Option<&str>) -> &'static str {
    role.and_then(Role::parse)
        .map_or(m.role_system, |r| role_label(m, r))
}

/// Renders a page with status 200.
pub fn html<T: Template>(lang: Lang, t: &T) -> Result<HttpResponse, ConsoleError> {
    html_status(StatusCode::OK, lang, t)
}

/// Renders a page with the given status (a form re-shown with its error uses the error's).
pub fn html_status<T: Template>(
    status: StatusCode,
    lang: Lang,
    t: &T,
) -> Result<HttpResponse, ConsoleError> {
    let body = t
        .render()
        .map_err(|e| ConsoleError::app(AppError::internal(e), lang))?;
    Ok(HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body))
}

/// The status a service error answers with.
pub fn status_of(e: &AppError) -> StatusCode {
    StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Whether htmx sent the request (it then gets the page's `*_partial.html` fragment only).
pub fn is_htmx(req: &HttpRequest) -> bool {
    req.headers().contains_key("hx-request")
}

/// 303 to `location`: the answer to a successful form post (post/redirect/get).
/// A photo of a page's subject as a JPEG answer: `load` is the service call that checks the
/// user may see it (each page has its own: report, hazard, escalation), given the size asked for.
pub async fn photo<F, Fut>(
    user: &SignedInUser,
    query: &PhotoQuery,
    load: F,
) -> Result<HttpResponse, ConsoleError>
where
    F: FnOnce(Variant) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<u8>, AppError>>,
{
    let variant = query.variant().map_err(|e| user.fail(e))?;
    let bytes = load(variant).await.map_err(|e| user.fail(e))?;
    Ok(photo_answer::jpeg(bytes))
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .insert_header((CACHE_CONTROL, "no-store"))
        .finish()
}

/// UTC+8, the time zone of every time a page shows.
const BEIJING: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(tz) => tz,
    None => panic!("UTC+8 is a valid offset"),
};

/// Beijing time, the time on every page (`2026-12-01 18:05`), from a service's RFC 3339 text.
pub fn beijing(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&BEIJING)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// A span of seconds in words: `3 天 4 小时`, `5 小时 10 分`, `12 分`.
pub fn span(m: &Messages, seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (d, h, min) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    let zh = std::ptr::eq(m, &crate::messages::ZH);
    let (ud, uh, um) = if zh {
        (" 天", " 小时", " 分")
    } else {
        (" d", " h", " min")
    };
    if d > 0 {
        format!("{d}{ud} {h}{uh}")
    } else if h > 0 {
        format!("{h}{uh} {min}{um}")
    } else {
        format!("{min}{um}")
    }
}

/// Fen as yuan with two decimals (`123456` → `1234.56`).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let f = fen.unsigned_abs();
    format!("{sign}{}.{:02}", f / 100, f % 100)
}

/// Yuan as typed (`1234.5`, `1,234.56`, `800`) into fen; `None` when it is not an amount
/// with at most two decimals.
pub fn parse_yuan(raw: &str) -> Option<i64> {
    let t: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    if t.is_empty() || t.starts_with('-') || t.starts_with('+') {
        return None;
    }
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_are_entered_and_shown_and_fen_are_stored() {
        assert_eq!(parse_yuan("1234.56"), Some(123_456));
        assert_eq!(parse_yuan("1,200"), Some(120_000));
        assert_eq!(parse_yuan("0.5"), Some(50));
        assert_eq!(parse_yuan(" 80 "), Some(8000));
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("-5"), None);
        assert_eq!(parse_yuan("abc"), None);
        assert_eq!(parse_yuan(""), None);
        assert_eq!(parse_yuan("."), None);
        assert_eq!(yuan(123_456), "1234.56");
        assert_eq!(yuan(5), "0.05");
    }

    #[test]
    fn times_are_shown_in_beijing_time() {
        assert_eq!(beijing("2026-12-01T10:05:00.000000Z"), "2026-12-01 18:05");
    }
}
