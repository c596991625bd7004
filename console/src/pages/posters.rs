//! 海报: the printable A4 intake poster of an enterprise (`/console/posters/enterprises/{id}`)
//! and of one of its areas (`/console/posters/areas/{id}`), and the bare QR code at the same
//! address with `.svg` or `.png`. What a poster says — the phone page's URL on
//! `QINGLING_PUBLIC_URL`, the names, the rewards of the policy in force — and who may print it
//! (admins and the enterprise's safety managers and principal; anyone else 404) are
//! `qingling_api::posters`'; this page only lays it out for a plant's wall (`print.css`).

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpResponse, web};
use askama::Template;
use qingling_api::AppContext;
use qingling_api::posters::{self, Poster};

use crate::assets::ASSETS;
use crate::error::ConsoleError;
use crate::messages::Messages;
use crate::render;
use crate::session::SignedInUser;

/// No navigation entry: posters are reached from an enterprise's page.
pub const NAV: &[super::NavEntry] = &[];

/// Routes (`{id}`, `{id}.svg`, `{id}.png`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/posters/enterprises/{id}", web::get().to(enterprise))
        .route("/posters/areas/{id}", web::get().to(area));
}

/// What the address asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Page,
    Svg,
    Png,
}

/// `abc.svg` → (`abc`, Svg).
fn shape_of(raw: &str) -> (String, Shape) {
    if let Some(id) = raw.strip_suffix(".svg") {
        (id.to_owned(), Shape::Svg)
    } else if let Some(id) = raw.strip_suffix(".png") {
        (id.to_owned(), Shape::Png)
    } else {
        (raw.to_owned(), Shape::Page)
    }
}

/// Pixels per module of the bare PNG: about 12 cm across at 300 dpi.
const PNG_MODULE_PX: u32 = 32;

#[derive(Template)]
#[template(path = "poster.html")]
struct PosterPage {
    m: &'static Messages,
    lang: &'static str,
    css: String,
    js: String,
    back: String,
    svg: String,
    png: String,
    url: String,
    enterprise_name: String,
    area_name: Option<String>,
    general: String,
    major: String,
}

/// An amount for a wall: whole yuan without decimals (`50`), else two (`12.50`).
fn wall_yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        (fen / 100).to_string()
    } else {
        render::yuan(fen)
    }
}

fn answer(
    user: &SignedInUser,
    poster: Poster,
    shape: Shape,
    base: String,
    back: String,
) -> Result<HttpResponse, ConsoleError> {
    match shape {
        Shape::Svg => Ok(HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "image/svg+xml"))
            .body(posters::qr_svg(&poster.url).map_err(|e| user.fail(e))?)),
        Shape::Png => Ok(HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "image/png"))
            .body(posters::qr_png(&poster.url, PNG_MODULE_PX).map_err(|e| user.fail(e))?)),
        Shape::Page => render::html(
            user.lang,
            &PosterPage {
                m: user.lang.messages(),
                lang: user.lang.tag(),
                css: ASSETS.print.url(),
                js: ASSETS.js.url(),
                back,
                svg: format!("{base}.svg"),
                png: format!("{base}.png"),
                url: poster.url,
                enterprise_name: poster.enterprise_name,
                area_name: poster.area_name,
                general: wall_yuan(poster.general_fen),
                major: wall_yuan(poster.major_fen),
            },
        ),
    }
}

async fn enterprise(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let (id, shape) = shape_of(&id);
    let poster = posters::enterprise_poster(&ctx, &user.actor, id.clone())
        .await
        .map_err(|e| user.fail(e))?;
    let back = format!("/console/enterprises/{id}");
    answer(
        &user,
        poster,
        shape,
        format!("/console/posters/enterprises/{id}"),
        back,
    )
}

async fn area(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let (id, shape) = shape_of(&id);
    let poster = posters::area_poster(&ctx, &user.actor, id.clone())
        .await
        .map_err(|e| user.fail(e))?;
    let back = format!("/console/enterprises/{}", poster.enterprise_id);
    answer(
        &user,
        poster,
        shape,
        format!("/console/posters/areas/{id}"),
        back,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suffix_picks_the_bare_code_and_amounts_read_like_a_wall() {
        assert_eq!(shape_of("x1.svg"), ("x1".to_owned(), Shape::Svg));
        assert_eq!(shape_of("x1.png"), ("x1".to_owned(), Shape::Png));
        assert_eq!(shape_of("x1"), ("x1".to_owned(), Shape::Page));
        assert_eq!(wall_yuan(5000), "50");
        assert_eq!(wall_yuan(1250), "12.50");
    }
}
