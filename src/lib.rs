//! The `qingling` binary's library: composes `qingling-api`, `qingling-mobile-bff` and
//! `qingling-console` into one
//! HTTP application and hosts the subcommands. Tests start the very same [`Application`].

pub mod cli;
pub mod demo;
pub mod telemetry;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use qingling_api::AppContext;
use qingling_api::config::Settings;
use qingling_api::http::{middleware::request_envelope, openapi::ApiDoc, routes};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

/// Which routes a process serves: everything, only the staff side, or only the phone side (so
/// the internet-facing edge can run apart from the core).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Sides {
    /// Staff, bureau, admin and phone routes.
    All,
    /// `/api/v1` only.
    Staff,
    /// `/m/v1` only.
    Mobile,
}

/// A started server, bound and ready to run.
pub struct Application {
    port: u16,
    server: Server,
    ctx: AppContext,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish()
    }
}

impl Application {
    /// Opens the database (migrating it), loads keys and binds the listener. Port 0 picks a free
    /// port (tests).
    pub fn build(settings: Settings, sides: Sides) -> anyhow::Result<Self> {
        let bind = settings.bind;
        let workers = settings.http_workers;
        let ctx = qingling_api::bootstrap::open(settings)?;
        let listener =
            TcpListener::bind(bind).with_context(|| format!("cannot listen on {bind}"))?;
        let port = listener.local_addr()?.port();
        let server_ctx = ctx.clone();
        let mut server = HttpServer::new(move || app(server_ctx.clone(), sides))
            .listen(listener)?
            .shutdown_timeout(10);
        if workers > 0 {
            server = server.workers(workers);
        }
        if sides != Sides::Mobile {
            // The phone edge may run apart from the core; the core runs the workers.
            qingling_api::workers::spawn(&ctx);
        }
        tracing::info!(%bind, port, database = %ctx.settings.database.redacted(), "listening");
        Ok(Self {
            port,
            server: server.run(),
            ctx,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared context (tests use it to reach the same database and keys).
    pub fn context(&self) -> &AppContext {
        &self.ctx
    }

    /// Serves until the process is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The application for one worker thread.
fn app(
    ctx: AppContext,
    sides: Sides,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<actix_web::body::BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let json_limit = ctx.settings.json_limit;
    let mut app = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(web::Data::new(ctx))
        .app_data(routes::json_config(json_limit))
        .app_data(routes::query_config())
        .app_data(routes::path_config())
        .configure(routes::configure_health);
    if sides != Sides::Mobile {
        // The phone edge faces the internet: no metrics there at all.
        app = app
            .configure(routes::configure_metrics)
            .configure(routes::configure_staff);
    }
    if sides != Sides::Staff {
        app = app.configure(qingling_mobile_bff::configure);
    }
    let (mut app, mut api) = app.split_for_parts();
    qingling_api::http::openapi::document_problems(&mut api);
    if sides != Sides::Mobile {
        // The console is staff-facing: it stays with the core, never on the phone edge.
        app = app.service(qingling_console::scope());
    }
    let known = qingling_api::http::known_routes::KnownRoutes::from_doc(&api);
    app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .default_service(web::to(move |req: actix_web::HttpRequest| {
            let answer = known.answer(req.path());
            async move { answer }
        }))
        .wrap(from_fn(request_envelope))
}
