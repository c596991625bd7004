//! 修改密码, for everyone with a console: the current password, the new one twice. The change
//! is `services::sessions::change_password` — the same as `POST /api/v1/auth/password`: the
//! current password checked under the login limits, every other session and every token of the
//! user ended — and this browser gets a fresh session. After an admin's reset every other page
//! sends the user here first ([`crate::session::SignedInUser`]).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use qingling_api::domain::Role;
use qingling_api::http::extract::ClientAddr;
use qingling_api::services::auth::ChangePasswordRequest;
use qingling_api::services::sessions;
use qingling_api::{AppContext, AppError};
use serde::Deserialize;

use super::NavEntry;
use crate::csrf::Posted;
use crate::error::{ConsoleError, sentence};
use crate::render::{self, Chrome, see_other, status_of};
use crate::session::{SignedInUser, session_cookie};

/// The page's address (also the one page open while a reset password waits to be replaced).
pub const PASSWORD_PATH: &str = "/console/account/password";

/// Everyone with console pages (a worker's account is the phone page's).
const CONSOLE_ROLES: &[Role] = &[
    Role::SafetyManager,
    Role::Principal,
    Role::Custodian,
    Role::BureauOfficer,
    Role::Admin,
];

/// 修改密码, last in the navigation.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: PASSWORD_PATH,
    label: |m| m.nav_account,
    roles: CONSOLE_ROLES,
}];

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/password", web::get().to(show))
        .route("/account/password", web::post().to(change));
}

#[derive(Debug, Default, Deserialize)]
struct DoneQuery {
    #[serde(default)]
    done: String,
}

#[derive(Default, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

impl std::fmt::Debug for PasswordForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordForm(..)")
    }
}

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    chrome: Chrome,
    error: Option<String>,
    forced: bool,
    done: bool,
}

fn page(
    user: &SignedInUser,
    done: bool,
    refused: Option<&AppError>,
) -> Result<HttpResponse, ConsoleError> {
    let view = PasswordPage {
        chrome: Chrome::new(user, PASSWORD_PATH),
        error: refused.map(|e| sentence(e, user.lang)),
        forced: user.must_change_password,
        done,
    };
    render::html_status(refused.map_or(StatusCode::OK, status_of), user.lang, &view)
}

async fn show(user: SignedInUser, q: web::Query<DoneQuery>) -> Result<HttpResponse, ConsoleError> {
    page(&user, q.done == "1", None)
}

async fn change(
    ctx: web::Data<AppContext>,
    client: ClientAddr,
    posted: Posted<PasswordForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (user, f) = (posted.user, posted.form);
    if f.new_password != f.repeat_password {
        let e = AppError::invalid(
            "repeat_password",
            "两次输入的新密码不一致",
            "the two new passwords differ",
        );
        return page(&user, false, Some(&e));
    }
    let req = ChangePasswordRequest {
        current_password: f.current_password,
        new_password: f.new_password,
    };
    match sessions::change_password(&ctx, &user.actor, req, client.0).await {
        Ok(id) => {
            let mut res = see_other(&format!("{PASSWORD_PATH}?done=1"));
            res.add_cookie(&session_cookie(&ctx.settings.console, &id))
                .map_err(|e| user.fail(AppError::internal(e)))?;
            Ok(res)
        }
        Err(e) => page(&user, false, Some(&e)),
    }
}
