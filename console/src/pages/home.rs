//! `/console/`: each role's landing page is its first navigation entry (the 概览 for managers
//! and principals; the bureau's 清零看板; an admin's enterprises); a role without pages is told so.

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::error::ConsoleError;
use crate::render::{self, Chrome};
use crate::session::SignedInUser;

/// No entries for this role.
pub const NAV: &[super::NavEntry] = &[];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("", web::get().to(home));
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
}

async fn home(user: SignedInUser) -> Result<HttpResponse, ConsoleError> {
    if let Some(first) = super::nav_for(user.actor.role).next() {
        return Ok(render::see_other(first.path));
    }
    render::html(
        user.lang,
        &Home {
            chrome: Chrome::new(&user, ""),
        },
    )
}
