//! 用户 (admin): every account, filtered by enterprise, with the form that creates one of any
//! role, and 停用 / 启用 / 重置密码 on each. Deactivation ends the user's tokens and console
//! sessions at once, the last active admin cannot be deactivated, and a reset password must be
//! replaced at the next login — all of it `services::accounts`' and `services::users`'; a
//! refusal is shown in the service's words. Workers are reporters: their names are not listed,
//! only their random login names (phones and employee numbers are never shown to anyone).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use qingling_api::AppContext;
use qingling_api::domain::Role;
use qingling_api::services::accounts::{self, ResetPasswordRequest};
use qingling_api::services::admin::{self, PageQuery};
use qingling_api::services::users::{self, CreateUserRequest, UserQuery, UserView};
use qingling_api::{AppError, AppResult};
use serde::Deserialize;
use std::collections::HashMap;

use super::NavEntry;
use super::admin_enterprises::ADMIN;
use super::inbox::{Choice, choices};
use crate::csrf::Posted;
use crate::error::{ConsoleError, sentence};
use crate::messages::Messages;
use crate::render::{self, Chrome, beijing, role_label, see_other, status_of};
use crate::session::SignedInUser;

/// 用户 in the navigation.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/admin/users",
    label: |m| m.nav_admin_users,
    roles: ADMIN,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/users", web::get().to(list))
        .route("/admin/users", web::post().to(create))
        .route("/admin/users/{id}/deactivate", web::post().to(deactivate))
        .route("/admin/users/{id}/reactivate", web::post().to(reactivate))
        .route("/admin/users/{id}/password-reset", web::post().to(reset));
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    enterprise_id: String,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    done: String,
}

/// The creation form, as typed (the password is never sent back).
#[derive(Default, Deserialize)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    enterprise_id: String,
    #[serde(default)]
    jurisdiction: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    employee_no: String,
}

impl std::fmt::Debug for UserForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserForm(..)")
    }
}

#[derive(Debug)]
struct UserRow {
    id: String,
    username: String,
    display_name: String,
    role: &'static str,
    place: String,
    active: bool,
    must_change: bool,
    created: String,
    is_self: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    error: Option<String>,
    notice: Option<&'static str>,
    filter: String,
    filters: Vec<Choice>,
    enterprises: Vec<Choice>,
    roles: Vec<Choice>,
    rows: Vec<UserRow>,
    next: Option<String>,
    f: UserForm,
}

/// Every role, in the words of the page.
fn role_choices(m: &'static Messages, current: &str) -> Vec<Choice> {
    let all = [
        Role::Worker,
        Role::SafetyManager,
        Role::Principal,
        Role::Custodian,
        Role::BureauOfficer,
        Role::Admin,
    ];
    let options: Vec<(&str, &str)> = all
        .iter()
        .map(|r| (r.as_str(), role_label(m, *r)))
        .collect();
    choices(current, &options)
}

fn row(m: &'static Messages, u: UserView, names: &HashMap<String, String>, me: &str) -> UserRow {
    let place = match (&u.enterprise_id, &u.jurisdiction) {
        (Some(e), _) => names.get(e).cloned().unwrap_or_else(|| e.clone()),
        (None, Some(j)) => j.clone(),
        _ => m.none.to_owned(),
    };
    UserRow {
        is_self: u.id == me,
        // A worker is a reporter: their name stays off every staff page.
        display_name: if u.role == Role::Worker {
            String::new()
        } else {
            u.display_name
        },
        role: role_label(m, u.role),
        created: beijing(&u.created_at),
        active: u.active,
        must_change: u.must_change_password,
        place,
        id: u.id,
        username: u.username,
    }
}

/// What a finished action says on the list it returns to.
fn notice(m: &'static Messages, done: &str) -> Option<&'static str> {
    match done {
        "created" => Some(m.user_done_created),
        "deactivated" => Some(m.user_done_deactivated),
        "reactivated" => Some(m.user_done_reactivated),
        "reset" => Some(m.user_done_reset),
        _ => None,
    }
}

async fn list_page(
    ctx: &AppContext,
    user: &SignedInUser,
    q: ListQuery,
    refused: Option<(&AppError, UserForm)>,
) -> Result<HttpResponse, ConsoleError> {
    admin::require_admin(&user.actor).map_err(|e| user.fail(e))?;
    let m = user.lang.messages();
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
    let names: HashMap<String, String> = ents
        .items
        .iter()
        .map(|e| (e.id.clone(), e.name.clone()))
        .collect();
    let filter = q.enterprise_id.trim().to_owned();
    let page = users::list_users(
        ctx,
        &user.actor,
        UserQuery {
            enterprise_id: (!filter.is_empty()).then(|| filter.clone()),
            cursor: (!q.cursor.is_empty()).then(|| q.cursor.clone()),
            limit: Some(100),
        },
    )
    .await
    .map_err(|e| user.fail(e))?;
    let status = refused.as_ref().map(|(e, _)| status_of(e));
    let (error, mut f) = match refused {
        Some((e, f)) => (Some(sentence(e, user.lang)), f),
        None => (
            None,
            UserForm {
                enterprise_id: filter.clone(),
                ..UserForm::default()
            },
        ),
    };
    f.password.clear();
    let mut options: Vec<(&str, &str)> = vec![("", m.user_no_enterprise)];
    options.extend(ents.items.iter().map(|e| (e.id.as_str(), e.name.as_str())));
    let mut filter_options: Vec<(&str, &str)> = vec![("", m.any)];
    filter_options.extend(ents.items.iter().map(|e| (e.id.as_str(), e.name.as_str())));
    let next = page.next_cursor.map(|c| {
        format!(
            "/console/admin/users?{}",
            serde_html_form::to_string([("enterprise_id", filter.as_str()), ("cursor", &c)])
                .unwrap_or_default()
        )
    });
    let view = UsersPage {
        chrome: Chrome::new(user, "/console/admin/users"),
        error,
        notice: notice(m, &q.done),
        filters: choices(&filter, &filter_options),
        enterprises: choices(&f.enterprise_id, &options),
        roles: role_choices(m, &f.role),
        rows: page
            .items
            .into_iter()
            .map(|u| row(m, u, &names, &user.actor.user_id))
            .collect(),
        next,
        filter,
        f,
    };
    render::html_status(status.unwrap_or(StatusCode::OK), user.lang, &view)
}

async fn list(
    ctx: web::Data<AppContext>,
    user: SignedInUser,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ConsoleError> {
    list_page(&ctx, &user, q.into_inner(), None).await
}

fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn create_request(f: &UserForm) -> AppResult<CreateUserRequest> {
    let role = Role::parse(f.role.trim())
        .ok_or_else(|| AppError::invalid("role", "请选择角色", "choose a role"))?;
    Ok(CreateUserRequest {
        username: f.username.trim().to_owned(),
        password: f.password.clone(),
        role,
        enterprise_id: optional(&f.enterprise_id).filter(|_| role.is_enterprise_scoped()),
        jurisdiction: optional(&f.jurisdiction).filter(|_| role == Role::BureauOfficer),
        display_name: f.display_name.clone(),
        phone: optional(&f.phone),
        employee_no: optional(&f.employee_no),
    })
}

fn back(filter: &str, done: &str) -> String {
    format!(
        "/console/admin/users?{}",
        serde_html_form::to_string([("enterprise_id", filter), ("done", done)]).unwrap_or_default()
    )
}

async fn create(
    ctx: web::Data<AppContext>,
    posted: Posted<UserForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let result = match create_request(&f) {
        Ok(req) => users::create_user(&ctx, Some(&user.actor), req).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&back(&f.enterprise_id, "created"))),
        Err(e) => {
            let q = ListQuery {
                enterprise_id: f.enterprise_id.clone(),
                ..ListQuery::default()
            };
            list_page(&ctx, &user, q, Some((&e, f))).await
        }
    }
}

/// What an action's form posts: the filter to return to, and a reset's temporary password.
#[derive(Default, Deserialize)]
struct ActionForm {
    #[serde(default)]
    back_enterprise: String,
    #[serde(default)]
    password: String,
}

impl std::fmt::Debug for ActionForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ActionForm(..)")
    }
}

async fn after(
    ctx: &AppContext,
    user: &SignedInUser,
    f: &ActionForm,
    result: AppResult<UserView>,
    done: &str,
) -> Result<HttpResponse, ConsoleError> {
    match result {
        Ok(_) => Ok(see_other(&back(&f.back_enterprise, done))),
        Err(e) => {
            let q = ListQuery {
                enterprise_id: f.back_enterprise.clone(),
                ..ListQuery::default()
            };
            list_page(ctx, user, q, Some((&e, UserForm::default()))).await
        }
    }
}

async fn deactivate(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<ActionForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let result = accounts::deactivate(&ctx, &user.actor, id.into_inner()).await;
    after(&ctx, &user, &f, result, "deactivated").await
}

async fn reactivate(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<ActionForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let result = accounts::reactivate(&ctx, &user.actor, id.into_inner()).await;
    after(&ctx, &user, &f, result, "reactivated").await
}

async fn reset(
    ctx: web::Data<AppContext>,
    id: web::Path<String>,
    posted: Posted<ActionForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    let req = ResetPasswordRequest {
        password: f.password.clone(),
    };
    let result = accounts::reset_password(&ctx, &user.actor, id.into_inner(), req).await;
    after(&ctx, &user, &f, result, "reset").await
}
