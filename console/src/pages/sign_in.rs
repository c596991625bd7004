//! 登录 and 退出: `/console/login` checks the username and password through the same service
//! as `POST /api/v1/auth/login` (Argon2, login limits, one answer for every failure) and opens a
//! session; 退出 ends it on the server and clears the cookie. The language switch lives here
//! too, since it is the one thing the signed-out pages offer.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use qingling_api::AppContext;
use qingling_api::http::extract::ClientAddr;
use qingling_api::services::auth::LoginRequest;
use qingling_api::services::sessions;
use serde::Deserialize;

use crate::assets::ASSETS;
use crate::csrf::Posted;
use crate::error::{ConsoleError, describe};
use crate::messages::{LANG_COOKIE, Lang, Messages};
use crate::render::{self, status_of};
use crate::session::{SignedInUser, cleared_cookie, session_cookie};

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(show_login))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/lang/{code}", web::get().to(switch_language));
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    m: &'static Messages,
    lang: &'static str,
    other_lang: &'static str,
    css: String,
    notice: Option<&'a str>,
    error: Option<String>,
    username: &'a str,
}

#[derive(Debug, Deserialize)]
struct LoginQuery {
    ended: Option<String>,
    out: Option<String>,
}

fn login_page(
    lang: Lang,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<String>,
    username: &str,
) -> Result<HttpResponse, ConsoleError> {
    render::html_status(
        status,
        lang,
        &LoginPage {
            m: lang.messages(),
            lang: lang.tag(),
            other_lang: lang.other().code(),
            css: ASSETS.css.url(),
            notice,
            error,
            username,
        },
    )
}

async fn show_login(
    req: HttpRequest,
    q: web::Query<LoginQuery>,
) -> Result<HttpResponse, ConsoleError> {
    if SignedInUser::of(&req).await.is_ok() {
        return Ok(render::see_other("/console/"));
    }
    let lang = Lang::of(&req);
    let m = lang.messages();
    let notice = if q.out.is_some() {
        Some(m.logged_out)
    } else if q.ended.is_some() {
        Some(m.session_ended)
    } else {
        None
    };
    login_page(lang, StatusCode::OK, notice, None, "")
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginForm(..)")
    }
}

async fn login(
    req: HttpRequest,
    ctx: web::Data<AppContext>,
    client: ClientAddr,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, ConsoleError> {
    let lang = Lang::of(&req);
    let form = form.into_inner();
    let username = form.username.clone();
    let request = LoginRequest {
        username: form.username,
        password: form.password,
    };
    match sessions::sign_in(&ctx, request, client.0).await {
        Ok((id, _)) => {
            let mut res = render::see_other("/console/");
            res.add_cookie(&session_cookie(&ctx.settings.console, &id))
                .map_err(|e| ConsoleError::app(qingling_api::AppError::internal(e), lang))?;
            Ok(res)
        }
        Err(e) => {
            let (title, detail) = describe(&e, lang);
            let text = match detail {
                Some(d) => format!("{title}：{d}"),
                None => title,
            };
            login_page(lang, status_of(&e), None, Some(text), &username)
        }
    }
}

#[derive(Debug, Deserialize)]
struct Nothing {}

async fn logout(
    ctx: web::Data<AppContext>,
    posted: Posted<Nothing>,
) -> Result<HttpResponse, ConsoleError> {
    let user = posted.user;
    sessions::sign_out(&ctx, &user.session)
        .await
        .map_err(|e| user.fail(e))?;
    let mut res = render::see_other("/console/login?out=1");
    res.add_cookie(&cleared_cookie(&ctx.settings.console))
        .map_err(|e| user.fail(qingling_api::AppError::internal(e)))?;
    Ok(res)
}

async fn switch_language(
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let lang = if code.as_str() == "en" {
        Lang::En
    } else {
        Lang::Zh
    };
    // Back to the page the switch was clicked on, when it is a console page.
    let back = req
        .headers()
        .get(actix_web::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .filter(|p| p.starts_with("/console/") && !p.starts_with("/console/lang/"))
        .unwrap_or("/console/")
        .to_owned();
    let mut res = render::see_other(&back);
    let cookie = actix_web::cookie::Cookie::build(LANG_COOKIE, lang.code())
        .path("/console")
        .same_site(actix_web::cookie::SameSite::Strict)
        .http_only(true)
        .permanent()
        .finish();
    res.add_cookie(&cookie)
        .map_err(|e| ConsoleError::app(qingling_api::AppError::internal(e), lang))?;
    Ok(res)
}
