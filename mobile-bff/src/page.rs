//! The phone page (`/m/`) and the landing page (`/`): a small HTML shell and hand-written ES
//! modules, embedded in the binary by `build.rs` (no bundler, no CDN, nothing fetched at build,
//! test or view time). Assets live under a versioned URL (`/m/assets/<version>/<file>`) and are
//! cached for a year; the shells are revalidated on every load, so a phone's hard cache
//! (WeChat's) picks up a new version at the next open.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::LazyLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use qingling_api::error::AppError;
use qingling_api::http::problem::Lang;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

pub use embedded::VERSION;

/// The pages' Content-Security-Policy: scripts, styles and connections only from this origin,
/// no inline script, no `eval`; images also from `blob:` (the phone's own shrunk photos and the
/// receipt picture) and `data:`; no frames, no plugins, forms only to this origin. Pinned by a
/// unit test so a loosened policy fails CI.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' blob: data:; connect-src 'self'; manifest-src 'self'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/// Assets are immutable under their versioned URL.
const ASSET_CACHE: &str = "public, max-age=31536000, immutable";
/// Shells: always revalidated (they name the current asset version).
const SHELL_CACHE: &str = "no-cache";

/// One embedded file, raw and gzipped (for the first load over one bar of signal).
struct Asset {
    raw: &'static [u8],
    gzip: Vec<u8>,
    content_type: &'static str,
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail; an empty body would only cost the compression.
    enc.write_all(bytes)
        .and_then(|()| enc.finish())
        .unwrap_or_default()
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

static ASSETS: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    embedded::FILES
        .iter()
        .map(|(name, raw)| {
            (
                *name,
                Asset {
                    raw,
                    gzip: gzip(raw),
                    content_type: content_type(name),
                },
            )
        })
        .collect()
});

/// A shell rendered for one language: `{{lang}}` and `{{v}}` (the asset version) filled in.
struct Shell {
    raw: Vec<u8>,
    gzip: Vec<u8>,
}

fn render(file: &str, lang: Lang) -> Shell {
    let text = embedded::FILES
        .iter()
        .find(|(n, _)| *n == file)
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let tag = match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    };
    let raw = text
        .replace("{{lang}}", tag)
        .replace("{{v}}", VERSION)
        .into_bytes();
    Shell {
        gzip: gzip(&raw),
        raw,
    }
}

static SHELLS: LazyLock<HashMap<(&'static str, bool), Shell>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    for file in ["index.html", "landing.html"] {
        m.insert((file, false), render(file, Lang::Zh));
        m.insert((file, true), render(file, Lang::En));
    }
    m
});

fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|e| e.trim().starts_with("gzip")))
}

/// The headers every page answer carries.
fn page_headers(res: &mut HttpResponse, cache: &'static str) {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Encoding, Accept-Language"),
    );
}

fn body(
    req: &HttpRequest,
    raw: &[u8],
    gz: &[u8],
    content_type: &'static str,
    cache: &'static str,
) -> HttpResponse {
    let mut b = HttpResponse::Ok();
    b.content_type(content_type);
    let mut res = if accepts_gzip(req) && !gz.is_empty() {
        b.insert_header((header::CONTENT_ENCODING, "gzip"))
            .body(gz.to_vec())
    } else {
        b.body(raw.to_vec())
    };
    page_headers(&mut res, cache);
    res
}

fn shell(req: &HttpRequest, file: &'static str) -> HttpResponse {
    let en = Lang::of(req) == Lang::En;
    match SHELLS.get(&(file, en)) {
        Some(s) => body(
            req,
            &s.raw,
            &s.gzip,
            "text/html; charset=utf-8",
            SHELL_CACHE,
        ),
        None => HttpResponse::NotFound().finish(),
    }
}

/// `GET /m/`: the phone page.
pub async fn phone_page(req: HttpRequest) -> HttpResponse {
    shell(&req, "index.html")
}

/// `GET /`: the landing page (我要报告隐患 / 管理人员登录).
pub async fn landing_page(req: HttpRequest) -> HttpResponse {
    shell(&req, "landing.html")
}

/// `GET /m`: to `/m/`, so relative URLs resolve under it.
pub async fn phone_page_slash() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/m/"))
        .finish()
}

/// `GET /m/assets/{version}/{file}`: an embedded asset of the current version; any other
/// version or name answers 404 (never another version's bytes cached for a year).
pub async fn asset(
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (version, name) = path.into_inner();
    match ASSETS.get(name.as_str()) {
        Some(a) if version == VERSION && !name.ends_with(".html") => {
            Ok(body(&req, a.raw, &a.gzip, a.content_type, ASSET_CACHE))
        }
        _ => Err(AppError::not_found()),
    }
}

/// Registers `/`, `/m`, `/m/` and the assets.
pub fn configure(cfg: &mut web::ServiceConfig) -> &mut web::ServiceConfig {
    cfg.route("/", web::get().to(landing_page))
        .route("/m", web::get().to(phone_page_slash))
        .route("/m/", web::get().to(phone_page))
        .route("/m/assets/{version}/{file}", web::get().to(asset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_security_policy_is_exactly_the_strict_one() {
        assert_eq!(
            CSP,
            "default-src 'none'; script-src 'self'; style-src 'self'; \
             img-src 'self' blob: data:; connect-src 'self'; manifest-src 'self'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
        );
        assert!(!CSP.contains("unsafe"), "no unsafe-inline, no unsafe-eval");
    }

    #[test]
    fn the_version_is_a_hash_of_the_files() {
        assert_eq!(VERSION.len(), 12);
        assert!(VERSION.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn the_shells_name_the_current_asset_version_and_no_template_is_left() {
        for ((file, _), s) in SHELLS.iter() {
            let text = String::from_utf8_lossy(&s.raw);
            assert!(!text.contains("{{"), "{file} left a placeholder");
            assert!(!text.contains("<script>"), "{file} has an inline script");
            assert!(!text.contains(" style="), "{file} has an inline style");
        }
        let page = String::from_utf8_lossy(&SHELLS[&("index.html", false)].raw).into_owned();
        assert!(page.contains(&format!("/m/assets/{VERSION}/app.js")));
        assert!(page.contains("lang=\"zh-CN\""));
    }

    #[test]
    fn every_asset_gzips_and_every_module_it_imports_is_embedded() {
        for (name, a) in ASSETS.iter() {
            assert!(!a.gzip.is_empty(), "{name}");
            if name.ends_with(".js") {
                let text = String::from_utf8_lossy(a.raw);
                for line in text
                    .lines()
                    .filter(|l| l.trim_start().starts_with("import "))
                {
                    let target = line.rsplit("'./").next().and_then(|t| t.split('\'').next());
                    if let Some(t) = target.filter(|_| line.contains("'./")) {
                        assert!(ASSETS.contains_key(t), "{name} imports {t}, not embedded");
                    }
                }
            }
        }
    }
}
