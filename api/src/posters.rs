//! Intake posters: what a poster on the plant's wall says and the QR code it carries.
//!
//! A poster's QR code opens the phone page with the enterprise's intake code or an area's QR
//! token in the URL's fragment (`/m/#i=CODE`, `/m/#a=TOKEN`) on the configured public address
//! (`QINGLING_PUBLIC_URL`): a fragment never reaches the server, so no access log ties a phone
//! to a poster. This module has no HTML: the console renders the printable page from
//! [`Poster`] and serves the bare code from [`qr_svg`] and [`qr_png`].

use qrcode::{EcLevel, QrCode};
use serde::Serialize;
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::domain::Actor;
use crate::domain::access::EnterpriseAccess;
use crate::error::{AppError, AppResult};
use crate::services::admin::enterprise_for;
use crate::services::rewards::effective_policy;
use crate::store::enterprises;

/// Where a poster's code leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PosterTarget {
    /// The whole enterprise: its intake code (`#i=`).
    Enterprise {
        /// The enterprise's intake code.
        intake_code: String,
    },
    /// One area: its QR token (`#a=`), so the area is pre-selected on the form.
    Area {
        /// The area's QR token.
        qr_token: String,
    },
}

impl PosterTarget {
    /// The phone page's URL for this target on the public base URL (no trailing slash).
    pub fn url(&self, public_url: &str) -> String {
        let base = public_url.trim_end_matches('/');
        match self {
            Self::Enterprise { intake_code } => format!("{base}/m/#i={intake_code}"),
            Self::Area { qr_token } => format!("{base}/m/#a={qr_token}"),
        }
    }
}

/// Everything a printed poster says.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Poster {
    /// The URL in the QR code.
    pub url: String,
    /// The enterprise's id (the console links back to its page).
    pub enterprise_id: String,
    /// The enterprise's registered name.
    pub enterprise_name: String,
    /// The area's name, for an area's poster.
    pub area_name: Option<String>,
    /// Reward for a general hazard under the policy in force, in fen.
    pub general_fen: i64,
    /// Reward for a major hazard under the policy in force, in fen.
    pub major_fen: i64,
}

/// The poster of an enterprise (admins and the enterprise's safety managers and principal; 404
/// for anyone who may not see it).
pub async fn enterprise_poster(
    ctx: &AppContext,
    actor: &Actor,
    enterprise_id: String,
) -> AppResult<Poster> {
    let actor = actor.clone();
    let public_url = ctx.settings.public_url.clone();
    ctx.db(move |conn| {
        let ent = enterprise_for(conn, &actor, &enterprise_id, EnterpriseAccess::Manage)?;
        let (_, policy) = effective_policy(conn, &ent.id)?;
        Ok(Poster {
            url: PosterTarget::Enterprise {
                intake_code: ent.intake_code,
            }
            .url(&public_url),
            enterprise_id: ent.id,
            enterprise_name: ent.name,
            area_name: None,
            general_fen: policy.general_fen,
            major_fen: policy.major_fen,
        })
    })
    .await
}

/// The poster of one area of an enterprise (same people as [`enterprise_poster`]).
pub async fn area_poster(ctx: &AppContext, actor: &Actor, area_id: String) -> AppResult<Poster> {
    let actor = actor.clone();
    let public_url = ctx.settings.public_url.clone();
    ctx.db(move |conn| {
        let area = enterprises::find_area(conn, &area_id)?.ok_or_else(AppError::not_found)?;
        let ent = enterprise_for(conn, &actor, &area.enterprise_id, EnterpriseAccess::Manage)?;
        let (_, policy) = effective_policy(conn, &ent.id)?;
        Ok(Poster {
            url: PosterTarget::Area {
                qr_token: area.qr_token,
            }
            .url(&public_url),
            enterprise_id: ent.id,
            enterprise_name: ent.name,
            area_name: Some(area.name),
            general_fen: policy.general_fen,
            major_fen: policy.major_fen,
        })
    })
    .await
}

/// Medium error correction: a poster gets dirty and scratched in a smelter, and M still keeps
/// a URL of this length at a size a phone reads from a metre away.
fn encode(data: &str, level: EcLevel) -> AppResult<QrCode> {
    QrCode::with_error_correction_level(data.as_bytes(), level)
        .map_err(|_| AppError::invalid("qr", "内容太长，无法放进二维码", "Too long for a QR code"))
}

/// The QR code as a standalone SVG (black on white, with the quiet zone), scaling without loss
/// for print.
pub fn qr_svg(url: &str) -> AppResult<String> {
    Ok(encode(url, EcLevel::M)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

/// The poster's QR code as a greyscale PNG, each module `module_px` pixels square (clamped to
/// 2–40), with the standard four-module quiet zone.
pub fn qr_png(url: &str, module_px: u32) -> AppResult<Vec<u8>> {
    png(&encode(url, EcLevel::M)?, module_px)
}

/// A QR code of a whole document (a proof of report, up to ~2.9 KB), at low error correction so
/// that it fits: it is kept as a saved picture or a print-out, not on a dirty wall.
pub fn document_qr_png(text: &str, module_px: u32) -> AppResult<Vec<u8>> {
    png(&encode(text, EcLevel::L)?, module_px)
}

fn png(code: &QrCode, module_px: u32) -> AppResult<Vec<u8>> {
    use image::ImageEncoder;
    let scale = module_px.clamp(2, 40);
    let modules = u32::try_from(code.width()).map_err(AppError::internal)?;
    let quiet = 4;
    let side = (modules + 2 * quiet) * scale;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; (side * side) as usize];
    for (i, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let i = u32::try_from(i).map_err(AppError::internal)?;
        let (mx, my) = (i % modules + quiet, i / modules + quiet);
        for y in my * scale..(my + 1) * scale {
            let row = (y * side) as usize;
            pixels[row + (mx * scale) as usize..row + ((mx + 1) * scale) as usize].fill(0);
        }
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&pixels, side, side, image::ExtendedColorType::L8)
        .map_err(AppError::internal)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes every QR code found in a greyscale image.
    fn decode(width: usize, height: usize, px: impl Fn(usize, usize) -> u8) -> Vec<String> {
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(width, height, px);
        img.detect_grids()
            .into_iter()
            .map(|g| g.decode().expect("decodes").1)
            .collect()
    }

    const URL: &str = "https://qingling.example.cn/m/#a=7KQXM3PA9TRDXW4H";

    #[test]
    fn urls_carry_the_code_in_the_fragment_on_the_public_base() {
        let e = PosterTarget::Enterprise {
            intake_code: "ABCD2345".into(),
        };
        assert_eq!(
            e.url("https://q.example.cn/"),
            "https://q.example.cn/m/#i=ABCD2345"
        );
        let a = PosterTarget::Area {
            qr_token: "XYZ".into(),
        };
        assert_eq!(
            a.url("http://10.0.0.5:8080"),
            "http://10.0.0.5:8080/m/#a=XYZ"
        );
    }

    #[test]
    fn the_png_decodes_back_to_exactly_the_url() {
        let png = qr_png(URL, 8).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let img = image::load_from_memory(&png).unwrap().to_luma8();
        let (w, h) = img.dimensions();
        let found = decode(w as usize, h as usize, |x, y| {
            img.get_pixel(x as u32, y as u32).0[0]
        });
        assert_eq!(found, [URL]);
    }

    #[test]
    fn the_png_still_decodes_at_the_smallest_module_size() {
        let png = qr_png(URL, 1).unwrap();
        let img = image::load_from_memory(&png).unwrap().to_luma8();
        assert!(img.width() >= 2 * 29, "clamped to at least 2 px per module");
        let (w, h) = img.dimensions();
        let found = decode(w as usize, h as usize, |x, y| {
            img.get_pixel(x as u32, y as u32).0[0]
        });
        assert_eq!(found, [URL]);
    }

    #[test]
    fn the_svg_decodes_back_to_exactly_the_url() {
        let svg = qr_svg(URL).unwrap();
        assert!(
            svg.starts_with("<?xml") && svg.contains("<svg"),
            "{svg:.80}"
        );
        let (side, dark) = svg_raster(&svg);
        let found = decode(side, side, |x, y| if dark[y * side + x] { 0 } else { 255 });
        assert_eq!(found, [URL]);
    }

    /// Rasterises the SVG renderer's output: the viewBox gives the size, and the one path is a
    /// list of `M{left} {top}h{w}v{h}H{left}V{top}` rectangles.
    fn svg_raster(svg: &str) -> (usize, Vec<bool>) {
        let vb = svg.split("viewBox=\"").nth(1).unwrap();
        let vb: Vec<usize> = vb
            .split('"')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        let side = vb[2];
        let mut dark = vec![false; side * side];
        let path = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        for rect in path.split('M').filter(|s| !s.is_empty()) {
            let nums: Vec<usize> = rect
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .map(|v| v.parse().unwrap())
                .collect();
            let (left, top, w, h) = (nums[0], nums[1], nums[2], nums[3]);
            for y in top..top + h {
                dark[y * side + left..y * side + left + w].fill(true);
            }
        }
        (side, dark)
    }
}
