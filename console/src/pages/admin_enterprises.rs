//! 企业 (admin) and an enterprise's own page: the admin's list of every enterprise with the form
//! that registers one (name, unified social credit code — its check character verified by the
//! service —, sector, jurisdiction), and the page of one enterprise — its intake code, its
//! posters, its areas with theirs, the form that adds an area and the way to the worker import.
//! The enterprise's page is the admin's and the enterprise's own staff's (`/console/site` takes
//! a manager to it); another enterprise's answers 404, as the API does. Every rule is
//! `services::admin`'s.

use actix_web::{HttpResponse, web};
use askama::Template;
use qingling_api::AppContext;
use qingling_api::domain::{Role, Sector};
use qingling_api::services::admin::{
    self, AreaView, CreateAreaRequest, CreateEnterpriseRequest, EnterpriseView, PageQuery,
};
use qingling_api::{AppError, AppResult};
use serde::Deserialize;

use super::inbox::{Choice, choices};
use super::{ENTERPRISE_STAFF, NavEntry};
use crate::csrf::Posted;
use crate::error::{ConsoleError, sentence};
use crate::messages::Messages;
use crate::render::{self, Chrome, beijing, see_other, status_of};
use crate::session::SignedInUser;

/// Admins only.
pub const ADMIN: &[Role] = &[Role::Admin];

/// 企业 (admin) and 区域与海报 (the enterprise's staff).
pub const NAV: &[NavEntry] = &[
    NavEntry {
        path: "/console/admin/enterprises",
        label: |m| m.nav_admin_enterprises,
        roles: ADMIN,
    },
    NavEntry {
        path: "/console/site",
        label: |m| m.nav_site,
        roles: ENTERPRISE_STAFF,
    },
];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/enterprises", web::get().to(list))
        .route("/admin/enterprises", web::post().to(create))
        .route("/site", web::get().to(own_site))
        .route("/enterprises/{id}", web::get().to(show))
        .route("/enterprises/{id}/areas", web::post().to(create_area));
}

/// The registration form, as typed (kept when refused).
#[derive(Debug, Default, Deserialize)]
struct EnterpriseForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    jurisdiction: String,
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    cursor: String,
}

#[derive(Debug)]
struct EnterpriseRow {
    id: String,
    name: String,
    credit_code: String,
    sector: &'static str,
    jurisdiction: String,
    intake_code: String,
    created: String,
}

#[derive(Template)]
#[template(path = "admin_enterprises.html")]
struct ListPage {
    chrome: Chrome,
    error: Option<String>,
    rows: Vec<EnterpriseRow>,
    next: Option<String>,
    f: EnterpriseForm,
    sectors: Vec<Choice>,
}

/// A sector in words.
pub fn sector_words(m: &'static Messages, s: Sector) -> &'static str {
    match s {
        Sector::Steel => m.sector_steel,
        Sector::Nonferrous => m.sector_nonferrous,
    }
}

fn row(m: &'static Messages, e: EnterpriseView) -> EnterpriseRow {
    EnterpriseRow {
        sector: sector_words(m, e.sector),
        created: beijing(&e.created_at),
        id: e.id,
        name: e.name,
        credit_code: e.credit_code,
        jurisdiction: e.jurisdiction,
        intake_code: e.intake_code,
    }
}

async fn list_page(
    ctx: &AppContext,
    user: &SignedInUser,
    cursor: String,
    refused: Option<(&AppError, EnterpriseForm)>,
) -> Result<HttpResponse, ConsoleError> {
    admin::require_admin(&user.actor).map_err(|e| user.fail(e))?;
    let m = user.lang.messages();
    let page = admin::list_enterprises(
        ctx,
        &user.actor,
        PageQuery {
            cursor: (!cursor.is_empty()).then_some(cursor),
            limit: Some(100),
        },
    )
    .await
    .map_err(|e| user.fail(e))?;
    let status = refused.as_ref().map(|(e, _)| status_of(e));
    let (error, f) = match refused {
        Some((e, f)) => (Some(sentence(e, user.lang)), f),
        None => (None, EnterpriseForm::default()),
    };
    let view = ListPage {
        chrome: Chrome::new(user, "/console/admin/enterprises"),
        error,
        sectors: choices(
            &f.sector,
            &[
                ("steel", m.sector_steel),
                ("nonferrous", m.sector_nonferrous),
            ],
        ),
        f,
        rows: page.items.into_iter().map(|e| row(m, e)).collect(),
        next: page.next_cursor.map(|c| {
            format!(
                "/console/admin/enterprises?{}",
                serde_html_form::to_string([("cursor", c.as_str())]).unwrap_or_default()
            )
        }),
    };
    render::html_status(
        status.unwrap_or(actix_web::http::StatusCode::OK),
        user.lang,
        &view,
    )
}

async fn list(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ConsoleError> {
    list_page(&ctx, &user, q.into_inner().cursor, None).await
}

fn sector_of(raw: &str) -> AppResult<Sector> {
    Sector::parse(raw.trim()).ok_or_else(|| {
        AppError::invalid(
            "sector",
            "请选择行业（钢铁或有色金属）",
            "choose the sector (steel or non-ferrous)",
        )
    })
}

async fn create(
    ctx: web::Data<AppContext>,
    posted: Posted<EnterpriseForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let result = match sector_of(&f.sector) {
        Ok(sector) => {
            let req = CreateEnterpriseRequest {
                name: f.name.clone(),
                credit_code: f.credit_code.clone(),
                sector,
                jurisdiction: f.jurisdiction.clone(),
            };
            admin::create_enterprise(&ctx, Some(&user.actor), req).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(e) => Ok(see_other(&format!("/console/enterprises/{}", e.id))),
        Err(e) => list_page(&ctx, &user, String::new(), Some((&e, f))).await,
    }
}

/// `/console/site`: an enterprise's staff member to their enterprise's page.
async fn own_site(user: SignedInUser) -> Result<HttpResponse, ConsoleError> {
    match &user.actor.enterprise_id {
        Some(id) => Ok(see_other(&format!("/console/enterprises/{id}"))),
        None => Err(user.fail(AppError::not_found())),
    }
}

#[derive(Debug, Default, Deserialize)]
struct AreaForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug)]
struct AreaRow {
    id: String,
    name: String,
    description: String,
    created: String,
}

fn area_row(a: AreaView) -> AreaRow {
    AreaRow {
        created: beijing(&a.created_at),
        id: a.id,
        name: a.name,
        description: a.description,
    }
}

#[derive(Template)]
#[template(path = "admin_enterprise.html")]
struct EnterprisePage {
    chrome: Chrome,
    error: Option<String>,
    e: EnterpriseRow,
    areas: Vec<AreaRow>,
    f: AreaForm,
    is_admin: bool,
    manages: bool,
}

async fn enterprise_page(
    ctx: &AppContext,
    user: &SignedInUser,
    id: String,
    refused: Option<(&AppError, AreaForm)>,
) -> Result<HttpResponse, ConsoleError> {
    let m = user.lang.messages();
    let e = admin::get_enterprise(ctx, &user.actor, id.clone())
        .await
        .map_err(|e| user.fail(e))?;
    let areas = admin::list_areas(ctx, &user.actor, id)
        .await
        .map_err(|e| user.fail(e))?;
    let status = refused.as_ref().map(|(e, _)| status_of(e));
    let (error, f) = match refused {
        Some((e, f)) => (Some(sentence(e, user.lang)), f),
        None => (None, AreaForm::default()),
    };
    let is_admin = user.actor.is_admin();
    let current = if is_admin {
        "/console/admin/enterprises"
    } else {
        "/console/site"
    };
    let view = EnterprisePage {
        chrome: Chrome::new(user, current),
        error,
        manages: is_admin || ENTERPRISE_STAFF.contains(&user.actor.role),
        is_admin,
        e: row(m, e),
        areas: areas.into_iter().map(area_row).collect(),
        f,
    };
    render::html_status(
        status.unwrap_or(actix_web::http::StatusCode::OK),
        user.lang,
        &view,
    )
}

async fn show(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    enterprise_page(&ctx, &user, id.into_inner(), None).await
}

async fn create_area(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<AreaForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let id = id.into_inner();
    let req = CreateAreaRequest {
        name: f.name.clone(),
        description: Some(f.description.clone()).filter(|d| !d.trim().is_empty()),
    };
    match admin::create_area(&ctx, &user.actor, id.clone(), req).await {
        Ok(_) => Ok(see_other(&format!("/console/enterprises/{id}#areas"))),
        Err(e) => enterprise_page(&ctx, &user, id, Some((&e, f))).await,
    }
}
