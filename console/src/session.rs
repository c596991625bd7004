//! The signed-in user of a console request, from the session cookie.
//!
//! The cookie (`qingling_session`) holds only the random session id; it is `HttpOnly` (no
//! script reads it), `SameSite=Strict` (no other site's page makes the browser send it),
//! `Path=/console` (the API and the phone page never see it) and `Secure` when
//! `QINGLING_CONSOLE_SECURE_COOKIE=true`. It carries no `Max-Age`: it goes when the browser
//! closes, and the server ends it earlier at the idle timeout or the absolute lifetime
//! (`services::sessions`).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use qingling_api::AppContext;
use qingling_api::AppError;
use qingling_api::config::ConsoleSettings;
use qingling_api::domain::Actor;
use qingling_api::services::sessions::{self, SessionId};

use crate::csrf;
use crate::error::ConsoleError;
use crate::messages::Lang;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "qingling_session";

fn cookie(settings: &ConsoleSettings, value: String) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/console")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(settings.secure_cookie)
        .finish()
}

/// The session cookie for a new session.
pub fn session_cookie(settings: &ConsoleSettings, id: &SessionId) -> Cookie<'static> {
    cookie(settings, id.as_str().to_owned())
}

/// A cookie that makes the browser forget the session cookie (after 退出).
pub fn cleared_cookie(settings: &ConsoleSettings) -> Cookie<'static> {
    let mut c = cookie(settings, String::new());
    c.make_removal();
    c
}

/// The context every handler shares.
pub fn context(req: &HttpRequest) -> Result<web::Data<AppContext>, ConsoleError> {
    req.app_data::<web::Data<AppContext>>()
        .cloned()
        .ok_or_else(|| {
            ConsoleError::app(
                AppError::internal(anyhow::anyhow!("no application context")),
                Lang::Zh,
            )
        })
}

/// The user of a request with a good session: take it as a handler argument and the handler
/// runs only for a signed-in user (anyone else is sent to the sign-in page). Services still
/// check what this user may do; this only says who it is.
#[derive(Debug, Clone)]
pub struct SignedInUser {
    /// Who, for the services.
    pub actor: Actor,
    /// Login name, for the header.
    pub username: String,
    /// The session (for 退出).
    pub session: SessionId,
    /// The CSRF token every form of this session carries (`csrf` field).
    pub csrf: String,
    /// The language of the page.
    pub lang: Lang,
    /// An admin reset the password: every page but 修改密码 and 退出 sends the user there.
    pub must_change_password: bool,
}

/// The pages a user whose password an admin reset may still open: the change itself and 退出.
const WHILE_PASSWORD_PENDING: &[&str] = &[crate::pages::account::PASSWORD_PATH, "/console/logout"];

impl SignedInUser {
    /// Resolves the request's session once per request (later calls reuse it).
    pub async fn of(req: &HttpRequest) -> Result<Self, ConsoleError> {
        if let Some(u) = req.extensions().get::<SignedInUser>() {
            return Ok(u.clone());
        }
        let lang = Lang::of(req);
        let ctx = context(req)?;
        let htmx = crate::render::is_htmx(req);
        let Some(cookie) = req.cookie(SESSION_COOKIE) else {
            return Err(ConsoleError::SignIn { ended: false, htmx });
        };
        let Some(id) = SessionId::from_cookie(cookie.value()) else {
            return Err(ConsoleError::SignIn { ended: true, htmx });
        };
        let Some(s) = sessions::resume(&ctx, &id)
            .await
            .map_err(|e| ConsoleError::app(e, lang))?
        else {
            return Err(ConsoleError::SignIn { ended: true, htmx });
        };
        if s.must_change_password && !WHILE_PASSWORD_PENDING.contains(&req.path()) {
            return Err(ConsoleError::ChangePassword { htmx });
        }
        let user = SignedInUser {
            csrf: csrf::token_for(&ctx, &id).map_err(|e| ConsoleError::app(e, lang))?,
            actor: s.actor,
            username: s.username,
            session: id,
            lang,
            must_change_password: s.must_change_password,
        };
        req.extensions_mut().insert(user.clone());
        Ok(user)
    }

    /// Wraps a service error for this user's page.
    pub fn fail(&self, e: AppError) -> ConsoleError {
        ConsoleError::app(e, self.lang)
    }
}

impl FromRequest for SignedInUser {
    type Error = ConsoleError;
    type Future = LocalBoxFuture<'static, Result<Self, ConsoleError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { SignedInUser::of(&req).await })
    }
}
