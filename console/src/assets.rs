//! The console's CSS and scripts, embedded in the binary and served under a URL that carries a
//! hash of their bytes (`/console/assets/<hash>/console.css`): a changed file gets a new URL, so
//! browsers may cache each one for a year and never run a stale script.

use std::sync::LazyLock;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// File name in the URL.
    pub name: &'static str,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The bytes.
    pub bytes: &'static [u8],
    /// Hex of the first 8 bytes of SHA-256 of the bytes.
    pub hash: String,
}

impl Asset {
    fn new(name: &'static str, content_type: &'static str, bytes: &'static [u8]) -> Self {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(bytes);
        Self {
            name,
            content_type,
            bytes,
            hash: hex::encode(&digest[..8]),
        }
    }

    /// The versioned URL a page links to.
    pub fn url(&self) -> String {
        format!("/console/assets/{}/{}", self.hash, self.name)
    }
}

/// Every asset.
#[derive(Debug)]
pub struct Assets {
    /// The style sheet.
    pub css: Asset,
    /// The console's own few lines of script.
    pub js: Asset,
    /// htmx (vendored, see `assets/vendor/README.md`).
    pub htmx: Asset,
    /// The printed sheets: intake posters and activation slips.
    pub print: Asset,
}

/// The assets, hashed once at first use.
pub static ASSETS: LazyLock<Assets> = LazyLock::new(|| Assets {
    css: Asset::new(
        "console.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/console.css"),
    ),
    js: Asset::new(
        "console.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/console.js"),
    ),
    htmx: Asset::new(
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/htmx.min.js"),
    ),
    print: Asset::new(
        "print.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/print.css"),
    ),
});

/// `GET /console/assets/{hash}/{name}`: the file, cached for a year; a stale hash is a 404.
pub async fn serve(path: web::Path<(String, String)>) -> HttpResponse {
    let (hash, name) = path.into_inner();
    let a = &*ASSETS;
    match [&a.css, &a.js, &a.htmx, &a.print]
        .into_iter()
        .find(|x| x.name == name && x.hash == hash)
    {
        Some(asset) => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, asset.content_type))
            .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(asset.bytes),
        None => HttpResponse::NotFound().finish(),
    }
}
