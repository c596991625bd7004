//! Proof of report for everyone: the published keys and the offline verification page.
//!
//! Both are served on every deployment shape (the phone edge too): a worker verifies their
//! proof where they report, and the bureau pins the keys from wherever it likes.

use actix_web::{HttpResponse, get, web};

use crate::context::AppContext;
use crate::domain::proof::PublishedKeys;
use crate::error::AppError;
use crate::services::proofs;

/// The `/proof/` page's Content-Security-Policy: its own scripts and styles only, no network
/// at all once loaded (`connect-src 'none'`), no framing, no forms.
pub const PROOF_PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'none'; form-action 'none'; frame-ancestors 'none'; \
     base-uri 'none'";

const INDEX: &str = include_str!("../../../static/proof/index.html");

/// The page's static files, by name: (content type, bytes).
fn asset(name: &str) -> Option<(&'static str, &'static str)> {
    const JS: &str = "text/javascript; charset=utf-8";
    Some(match name {
        "page.js" => (JS, include_str!("../../../static/proof/page.js")),
        "verify.js" => (JS, include_str!("../../../static/proof/verify.js")),
        "proof.css" => (
            "text/css; charset=utf-8",
            include_str!("../../../static/proof/proof.css"),
        ),
        "vendor/noble-ed25519/index.js" => (
            JS,
            include_str!("../../../static/proof/vendor/noble-ed25519/index.js"),
        ),
        "vendor/noble-hashes/sha2.js" => (
            JS,
            include_str!("../../../static/proof/vendor/noble-hashes/sha2.js"),
        ),
        "vendor/noble-hashes/_md.js" => (
            JS,
            include_str!("../../../static/proof/vendor/noble-hashes/_md.js"),
        ),
        "vendor/noble-hashes/_u64.js" => (
            JS,
            include_str!("../../../static/proof/vendor/noble-hashes/_u64.js"),
        ),
        "vendor/noble-hashes/utils.js" => (
            JS,
            include_str!("../../../static/proof/vendor/noble-hashes/utils.js"),
        ),
        "vendor/noble-ed25519/LICENSE" | "vendor/noble-hashes/LICENSE" => (
            "text/plain; charset=utf-8",
            if name.contains("ed25519") {
                include_str!("../../../static/proof/vendor/noble-ed25519/LICENSE")
            } else {
                include_str!("../../../static/proof/vendor/noble-hashes/LICENSE")
            },
        ),
        _ => return None,
    })
}

fn page_headers(content_type: &str) -> actix_web::HttpResponseBuilder {
    let mut b = HttpResponse::Ok();
    b.content_type(content_type)
        .insert_header(("content-security-policy", PROOF_PAGE_CSP))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("referrer-policy", "no-referrer"))
        .insert_header(("cache-control", "no-cache"));
    b
}

/// The public keys that sign proofs of report, with their validity. Pin them: a proof verifies
/// offline against this document (`qingling proof verify --keys`).
#[utoipa::path(tag = "proof", responses((status = 200, body = PublishedKeys)))]
#[get("/.well-known/qingling-proof-keys")]
pub async fn proof_keys(ctx: web::Data<AppContext>) -> Result<HttpResponse, AppError> {
    let keys = proofs::published_keys(&ctx).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "public, max-age=300"))
        .insert_header(("access-control-allow-origin", "*"))
        .json(keys))
}

/// The verification page, with the published keys written into it, so it verifies with no
/// network at all.
#[utoipa::path(tag = "proof", responses((status = 200, content_type = "text/html", body = String)))]
#[get("/proof/")]
pub async fn proof_page(ctx: web::Data<AppContext>) -> Result<HttpResponse, AppError> {
    let keys = proofs::published_keys(&ctx).await?;
    // `<` escaped so no key text can close the data block.
    let json = serde_json::to_string(&keys)
        .map_err(AppError::internal)?
        .replace('<', "\\u003c");
    Ok(page_headers("text/html; charset=utf-8").body(INDEX.replace("__PUBLISHED_KEYS__", &json)))
}

/// `/proof` without the slash.
#[utoipa::path(tag = "proof", responses((status = 308)))]
#[get("/proof")]
pub async fn proof_page_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("location", "/proof/"))
        .finish()
}

/// The page's scripts, styles and vendored verifier.
#[utoipa::path(
    tag = "proof",
    params(("name" = String, Path, description = "e.g. `verify.js`")),
    responses((status = 200, body = String), (status = 404, body = crate::http::problem::Problem))
)]
#[get("/proof/{name:.+}")]
pub async fn proof_asset(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (ct, body) = asset(&name).ok_or_else(AppError::not_found)?;
    Ok(page_headers(ct).body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_is_pinned() {
        assert_eq!(
            PROOF_PAGE_CSP,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
        );
    }

    #[test]
    fn every_module_the_page_imports_is_served() {
        for name in [
            "page.js",
            "verify.js",
            "proof.css",
            "vendor/noble-ed25519/index.js",
            "vendor/noble-hashes/sha2.js",
            "vendor/noble-hashes/_md.js",
            "vendor/noble-hashes/_u64.js",
            "vendor/noble-hashes/utils.js",
            "vendor/noble-ed25519/LICENSE",
            "vendor/noble-hashes/LICENSE",
        ] {
            assert!(asset(name).is_some(), "{name}");
        }
        assert!(asset("../Cargo.toml").is_none());
        assert!(INDEX.contains("__PUBLISHED_KEYS__"));
    }
}
