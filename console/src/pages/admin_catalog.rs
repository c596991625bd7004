//! 判定标准 (admin): the major-hazard criteria catalog — the shared items of the national
//! standard and, for a chosen enterprise, its own — and the form that adds an enterprise's own
//! item. The code's shape, the reserved `MEM10-` prefix and who may add are
//! `services::criteria`'s.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use qingling_api::AppContext;
use qingling_api::AppError;
use qingling_api::services::admin::{self, PageQuery};
use qingling_api::services::criteria::{self, CreateCriterionRequest, CriterionView};
use serde::Deserialize;

use super::NavEntry;
use super::admin_enterprises::ADMIN;
use super::inbox::{Choice, choices};
use crate::csrf::Posted;
use crate::error::{ConsoleError, sentence};
use crate::messages::Messages;
use crate::render::{self, Chrome, see_other, status_of};
use crate::session::SignedInUser;

/// 判定标准 in the navigation.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/admin/criteria",
    label: |m| m.nav_admin_criteria,
    roles: ADMIN,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/criteria", web::get().to(list))
        .route("/admin/criteria", web::post().to(create));
}

#[derive(Debug, Default, Deserialize)]
struct CatalogQuery {
    #[serde(default)]
    enterprise_id: String,
}

#[derive(Debug, Default, Deserialize)]
struct CriterionForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    enterprise_id: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    article: String,
    #[serde(default)]
    summary_zh: String,
    #[serde(default)]
    summary_en: String,
}

#[derive(Debug)]
struct Row {
    code: String,
    sector: &'static str,
    summary: String,
    article: String,
    own: bool,
}

#[derive(Template)]
#[template(path = "admin_criteria.html")]
struct CatalogPage {
    chrome: Chrome,
    error: Option<String>,
    filters: Vec<Choice>,
    enterprises: Vec<Choice>,
    sectors: Vec<Choice>,
    rows: Vec<Row>,
    f: CriterionForm,
}

fn sector_words(m: &'static Messages, s: &str) -> &'static str {
    match s {
        "steel" => m.sector_steel,
        "nonferrous" => m.sector_nonferrous,
        _ => m.sector_all,
    }
}

fn row(user: &SignedInUser, c: CriterionView) -> Row {
    let m = user.lang.messages();
    Row {
        sector: sector_words(m, &c.sector),
        summary: user.lang.pick(&c.summary_zh, &c.summary_en).to_owned(),
        own: c.enterprise_id.is_some(),
        code: c.code,
        article: c.article,
    }
}

async fn page(
    ctx: &AppContext,
    user: &SignedInUser,
    filter: String,
    refused: Option<(&AppError, CriterionForm)>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let items = criteria::admin_catalog(
        ctx,
        &user.actor,
        Some(filter.clone()).filter(|f| !f.is_empty()),
    )
    .await
    .map_err(|e| user.fail(e))?;
    let ents = admin::list_enterprises(
        ctx,
        &user.actor,
        PageQuery {
            cursor: None,
            limit: Some(200),
        },
    )
    .await
    .map_err(|e| user.fail(e))?;
    let status = refused.as_ref().map(|(e, _)| status_of(e));
    let (error, f) = match refused {
        Some((e, f)) => (Some(sentence(e, user.lang)), f),
        None => (
            None,
            CriterionForm {
                enterprise_id: filter.clone(),
                ..CriterionForm::default()
            },
        ),
    };
    let names: Vec<(&str, &str)> = ents
        .items
        .iter()
        .map(|e| (e.id.as_str(), e.name.as_str()))
        .collect();
    let mut filter_options = vec![("", m.criteria_shared_only)];
    filter_options.extend(names.iter().copied());
    let view = CatalogPage {
        chrome: Chrome::new(user, "/console/admin/criteria"),
        error,
        filters: choices(&filter, &filter_options),
        enterprises: choices(&f.enterprise_id, &names),
        sectors: choices(
            &f.sector,
            &[
                ("all", m.sector_all),
                ("steel", m.sector_steel),
                ("nonferrous", m.sector_nonferrous),
            ],
        ),
        rows: items.into_iter().map(|c| row(user, c)).collect(),
        f,
    };
    render::html_status(status.unwrap_or(StatusCode::OK), user.lang, &view)
}

async fn list(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<CatalogQuery>,
) -> Result<HttpResponse, ConsoleError> {
    page(&ctx, &user, q.into_inner().enterprise_id, None).await
}

async fn create(
    ctx: web::Data<AppContext>,
    posted: Posted<CriterionForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let req = CreateCriterionRequest {
        code: f.code.clone(),
        enterprise_id: f.enterprise_id.clone(),
        sector: f.sector.clone(),
        article: f.article.clone(),
        summary_zh: f.summary_zh.clone(),
        summary_en: f.summary_en.clone(),
    };
    match criteria::create_criterion(&ctx, &user.actor, req).await {
        Ok(_) => Ok(see_other(&format!(
            "/console/admin/criteria?{}",
            serde_html_form::to_string([("enterprise_id", f.enterprise_id.as_str())])
                .unwrap_or_default()
        ))),
        Err(e) => {
            let filter = f.enterprise_id.clone();
            page(&ctx, &user, filter, Some((&e, f))).await
        }
    }
}
