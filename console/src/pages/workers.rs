//! 导入职工: an admin or the enterprise's safety manager or principal uploads an XLSX or CSV of
//! workers (工号, 姓名, 手机号, 区域); every bad row is listed by line and nobody is imported,
//! or everyone is, and the answer is the printable sheet of one-time activation slips, 8 per A4,
//! with which each worker sets a password on the phone page (`/m/#activate`). The codes are
//! shown this once (the service keeps only their keyed hashes). All of it is
//! `services::worker_import`'s; this page reads the upload and lays out the slips.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use qingling_api::services::admin;
use qingling_api::services::worker_import::{self, ImportedWorker, MAX_FILE_BYTES};
use qingling_api::{AppContext, AppError, ErrorCode};

use crate::assets::ASSETS;
use crate::error::{ConsoleError, sentence};
use crate::form;
use crate::messages::{Lang, Messages};
use crate::render::{self, Chrome, beijing, status_of};
use crate::session::SignedInUser;

/// No entry of its own: reached from the enterprise's page.
pub const NAV: &[super::NavEntry] = &[];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/enterprises/{id}/workers/import", web::get().to(show))
        .route("/enterprises/{id}/workers/import", web::post().to(upload));
}

/// Slips on one printed sheet.
const SLIPS_PER_SHEET: usize = 8;

/// One problem of a refused sheet, in the page's language.
#[derive(Debug)]
struct Problem {
    at: String,
    what: String,
}

#[derive(Template)]
#[template(path = "worker_import.html")]
struct ImportPage {
    chrome: Chrome,
    enterprise_id: String,
    enterprise_name: String,
    error: Option<String>,
    problems: Vec<Problem>,
    max_mb: usize,
}

#[derive(Template)]
#[template(path = "activation_slips.html")]
struct SlipsPage {
    m: &'static Messages,
    lang: &'static str,
    css: String,
    js: String,
    back: String,
    enterprise_name: String,
    imported: usize,
    expires: String,
    activate_url: String,
    sheets: Vec<Vec<ImportedWorker>>,
}

/// `line 3: 手机号` and `手机号无效 / phone is invalid` as the page says them.
fn problem(lang: Lang, m: &'static Messages, at: &str, what: &str) -> Problem {
    let (line, column) = at
        .strip_prefix("line ")
        .map(|rest| rest.split_once(": ").unwrap_or((rest, "")))
        .unwrap_or((at, ""));
    let at = match lang {
        Lang::Zh => format!("{}{line}{}", m.import_line_before, m.import_line_after),
        Lang::En => format!("{}{line}", m.import_line_before),
    };
    let at = if column.is_empty() {
        at
    } else {
        format!("{at} · {column}")
    };
    let (zh, en) = what.split_once(" / ").unwrap_or((what, what));
    Problem {
        at,
        what: lang.pick(zh, en).to_owned(),
    }
}

async fn page(
    ctx: &AppContext,
    user: &SignedInUser,
    id: String,
    refused: Option<&AppError>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let e = admin::get_enterprise_to_manage(ctx, &user.actor, id)
        .await
        .map_err(|e| user.fail(e))?;
    let problems = refused
        .map(|e| {
            e.fields
                .iter()
                .map(|(at, what)| problem(user.lang, m, at, what))
                .collect()
        })
        .unwrap_or_default();
    let current = if user.actor.is_admin() {
        "/console/admin/enterprises"
    } else {
        "/console/site"
    };
    let view = ImportPage {
        chrome: Chrome::new(user, current),
        enterprise_id: e.id,
        enterprise_name: e.name,
        error: refused.map(|e| sentence(e, user.lang)),
        problems,
        max_mb: MAX_FILE_BYTES / (1024 * 1024),
    };
    render::html_status(refused.map_or(StatusCode::OK, status_of), user.lang, &view)
}

async fn show(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    page(&ctx, &user, id.into_inner(), None).await
}

async fn upload(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ConsoleError> {
    let id = id.into_inner();
    let mut sent = form::read_files(&ctx, &req, &user, payload, "sheet", MAX_FILE_BYTES, 1).await?;
    let Some(file) = sent.photos.pop() else {
        let e = AppError::new(ErrorCode::ValidationFailed).detail(
            "请选择要导入的 XLSX 或 CSV 文件",
            "choose the XLSX or CSV file to import",
        );
        return page(&ctx, &user, id, Some(&e)).await;
    };
    let enterprise = admin::get_enterprise_to_manage(&ctx, &user.actor, id.clone())
        .await
        .map_err(|e| user.fail(e))?;
    match worker_import::import_workers(&ctx, &user.actor, id.clone(), file).await {
        Ok(done) => {
            let mut sheets = Vec::new();
            let mut workers = done.workers.into_iter().peekable();
            while workers.peek().is_some() {
                sheets.push(workers.by_ref().take(SLIPS_PER_SHEET).collect());
            }
            let base = ctx.settings.public_url.trim_end_matches('/');
            render::html(
                user.lang,
                &SlipsPage {
                    m: user.lang.messages(),
                    lang: user.lang.tag(),
                    css: ASSETS.print.url(),
                    js: ASSETS.js.url(),
                    back: format!("/console/enterprises/{id}"),
                    enterprise_name: enterprise.name,
                    imported: done.imported,
                    expires: beijing(&done.expires_at),
                    activate_url: format!("{base}/m/#activate"),
                    sheets,
                },
            )
        }
        Err(e) => page(&ctx, &user, id, Some(&e)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::ZH;

    #[test]
    fn a_problem_names_its_line_and_column_in_the_pages_language() {
        let p = problem(
            Lang::Zh,
            &ZH,
            "line 3: 手机号",
            "手机号无效 / phone is invalid",
        );
        assert_eq!(p.at, "第 3 行 · 手机号");
        assert_eq!(p.what, "手机号无效");
        let p = problem(Lang::Zh, &ZH, "line 7", "重复 / duplicate");
        assert_eq!(p.at, "第 7 行");
    }
}
