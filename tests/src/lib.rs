//! Test harness: starts the real application on a random port with its own fresh database —
//! a SQLite file in a temporary folder, or, when `QINGLING_TEST_DATABASE_URL` names a
//! PostgreSQL server, a new database on it that is dropped afterwards — and talks to it over
//! real HTTP. Helpers go through the public API, as a person or client would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod bench;
pub mod escalation;
pub mod ledger;
pub mod notify;
pub mod openapi;
pub mod photos;
pub mod reports;
pub mod rewards;
pub mod s3;

use std::sync::atomic::{AtomicU64, Ordering};

use diesel::{Connection, RunQueryDsl};
use qingling::{Application, Sides};
use qingling_api::AppContext;
use qingling_api::config::{DatabaseUrl, Settings};
use qingling_api::domain::Role;
use qingling_api::services::users::CreateUserRequest;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The environment variable that switches the suite to PostgreSQL.
pub const PG_ENV: &str = "QINGLING_TEST_DATABASE_URL";

/// Which backend this run uses.
pub fn backend() -> &'static str {
    if std::env::var(PG_ENV).is_ok_and(|u| !u.is_empty()) {
        "postgres"
    } else {
        "sqlite"
    }
}

/// The test server's URL with TLS turned off (unless the URL already says how), for a server on
/// this machine. libpq negotiates TLS by default when the server offers it, and OpenSSL's
/// clean-up at process exit can then race a pool thread still closing a TLS connection: a test
/// binary whose tests all passed died with SIGSEGV that way. Plain connections have no such
/// clean-up to race.
pub fn without_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// A database that exists for one test.
#[derive(Debug)]
pub enum TestDb {
    /// A SQLite file inside the test's temporary folder.
    Sqlite,
    /// A PostgreSQL database created for the test and dropped when it ends.
    Postgres {
        /// URL of the server's maintenance database.
        admin_url: String,
        /// The test database's name.
        name: String,
    },
}

impl TestDb {
    /// Creates the database for a test and returns its URL.
    pub fn create(dir: &std::path::Path) -> (Self, DatabaseUrl) {
        match std::env::var(PG_ENV) {
            Ok(admin_url) if !admin_url.is_empty() => {
                let admin_url = without_tls(&admin_url);
                static N: AtomicU64 = AtomicU64::new(0);
                let name = format!(
                    "qt_{}_{}_{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::SeqCst),
                    uuid::Uuid::new_v4().simple()
                );
                let mut conn = diesel::PgConnection::establish(&admin_url)
                    .expect("connect to the PostgreSQL test server");
                diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut conn)
                    .expect("create the test database");
                let (path, query) = admin_url.split_once('?').unwrap_or((&admin_url, ""));
                let (base, _) = path
                    .rsplit_once('/')
                    .expect("QINGLING_TEST_DATABASE_URL must name a database");
                let url = format!("{base}/{name}?{query}");
                (
                    TestDb::Postgres { admin_url, name },
                    DatabaseUrl::Postgres(url),
                )
            }
            _ => (TestDb::Sqlite, DatabaseUrl::Sqlite(dir.join("qingling.db"))),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self
            && let Ok(mut conn) = diesel::PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut conn);
        }
    }
}

/// A running application and a client for it.
#[derive(Debug)]
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The application's context (same database and keys).
    pub ctx: AppContext,
    /// The temporary data folder.
    pub dir: tempfile::TempDir,
    /// An admin's access token.
    pub admin_token: String,
    _db: TestDb,
}

/// An HTTP answer, read whole.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body parsed as JSON (`Null` if it is not JSON).
    pub json: Value,
    /// Raw body.
    pub bytes: Vec<u8>,
}

impl Answer {
    /// The problem `code` of an error answer.
    pub fn code(&self) -> &str {
        self.json["code"].as_str().unwrap_or("")
    }
}

/// Password used for every user the helpers create.
pub const PASSWORD: &str = "correct horse battery";

/// Starts the app with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the app after letting the test adjust its settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (db, url) = TestDb::create(dir.path());
    spawn_app_on(dir, db, url, adjust).await
}

/// Starts the app over a data folder and database the test has already prepared (say, with
/// `qingling demo` run before any server, as an operator would).
pub async fn spawn_app_on(
    dir: tempfile::TempDir,
    db: TestDb,
    url: DatabaseUrl,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    let mut settings = Settings::for_data_dir(dir.path(), url);
    settings.bind = "127.0.0.1:0".parse().unwrap();
    settings.http_workers = 2;
    settings.pool_size = 4;
    settings.log_filter = "warn".into();
    adjust(&mut settings);
    let app = Application::build(settings, Sides::All).expect("application starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let ctx = app.context().clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let admin = format!("admin-{}", short_id());
    qingling_api::services::users::create_user(
        &ctx,
        None,
        CreateUserRequest {
            username: admin.clone(),
            password: PASSWORD.into(),
            role: Role::Admin,
            enterprise_id: None,
            jurisdiction: None,
            display_name: "测试管理员".into(),
            phone: None,
            employee_no: None,
        },
    )
    .await
    .expect("create the first admin");
    let mut app = TestApp {
        base,
        client,
        ctx,
        dir,
        admin_token: String::new(),
        _db: db,
    };
    app.admin_token = app.login_ok(&admin, PASSWORD).await;
    app
}

impl TestApp {
    /// A second instance of the same installation: the same database, data folder and master
    /// key (so tokens, receipts and sealed data are shared), a process state of its own (limits
    /// in memory, upload budget, pools, workers), on its own port. Its `dir` is an empty folder
    /// of its own; the installation's folder is the first instance's.
    pub async fn spawn_sibling(&self, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = (*self.ctx.settings).clone();
        settings.bind = "127.0.0.1:0".parse().unwrap();
        adjust(&mut settings);
        let app = Application::build(settings, Sides::All).expect("the second instance starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let ctx = app.context().clone();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            client: self.client.clone(),
            ctx,
            dir: tempfile::tempdir().expect("temporary folder"),
            admin_token: self.admin_token.clone(),
            _db: TestDb::Sqlite,
        }
    }
}

/// A short random id for unique names.
pub fn short_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}

/// A fresh, valid unified social credit code.
pub fn credit_code() -> String {
    let digits: String = uuid::Uuid::new_v4()
        .as_u128()
        .to_string()
        .chars()
        .take(9)
        .collect();
    let first17 = format!("91500105{digits}");
    let c = qingling_api::domain::credit_code::check_char(&first17).unwrap();
    format!("{first17}{c}")
}

impl TestApp {
    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        Self::read(req.send().await.expect("request sent")).await
    }

    /// Reads a response whole.
    pub async fn read(resp: reqwest::Response) -> Answer {
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("body").to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            json,
            bytes,
        }
    }

    /// `GET` with a token.
    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// `POST` JSON with a token.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(&body))
            .await
    }

    /// `POST` JSON without a token.
    pub async fn post_anon(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, None, Some(&body)).await
    }

    /// Logs in; returns the whole answer.
    pub async fn login(&self, username: &str, password: &str) -> Answer {
        self.post_anon(
            "/api/v1/auth/login",
            json!({ "username": username, "password": password }),
        )
        .await
    }

    /// Posts the console's sign-in form as `username` with the fixtures' password, from the
    /// console's own origin, without following the redirect: 303 with the session cookie when
    /// it is accepted (see [`session_cookie`]).
    pub async fn console_login(&self, username: &str) -> reqwest::Response {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client")
            .post(format!("{}/console/login", self.base))
            .header("origin", &self.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "username={username}&password={}",
                PASSWORD.replace(' ', "+")
            ))
            .send()
            .await
            .expect("the console's sign-in answers")
    }

    /// Logs in and returns the access token, failing the test otherwise.
    pub async fn login_ok(&self, username: &str, password: &str) -> String {
        let a = self.login(username, password).await;
        assert_eq!(
            a.status,
            StatusCode::OK,
            "login of {username}: {:?}",
            a.json
        );
        a.json["access_token"].as_str().unwrap().to_owned()
    }

    /// Registers an enterprise as the admin; returns its JSON.
    pub async fn create_enterprise(&self, sector: &str, jurisdiction: &str) -> Value {
        let a = self
            .post(
                "/api/v1/enterprises",
                &self.admin_token,
                json!({
                    "name": format!("测试冶炼厂 {}", short_id()),
                    "credit_code": credit_code(),
                    "sector": sector,
                    "jurisdiction": jurisdiction,
                }),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
        a.json
    }

    /// Creates a user as the admin and logs them in; returns `(user json, access token)`.
    pub async fn user(
        &self,
        role: &str,
        enterprise_id: Option<&str>,
        jurisdiction: Option<&str>,
    ) -> (Value, String) {
        self.user_with(role, enterprise_id, jurisdiction, json!({}))
            .await
    }

    /// Like [`TestApp::user`] with extra fields (display name, phone, employee number).
    pub async fn user_with(
        &self,
        role: &str,
        enterprise_id: Option<&str>,
        jurisdiction: Option<&str>,
        extra: Value,
    ) -> (Value, String) {
        let username = format!("{role}-{}", short_id());
        let mut body = json!({
            "username": username,
            "password": PASSWORD,
            "role": role,
            "display_name": format!("测试 {role}"),
        });
        if let Some(e) = enterprise_id {
            body["enterprise_id"] = json!(e);
        }
        if let Some(j) = jurisdiction {
            body["jurisdiction"] = json!(j);
        }
        if let Value::Object(m) = extra {
            for (k, v) in m {
                body[k] = v;
            }
        }
        let a = self.post("/api/v1/users", &self.admin_token, body).await;
        assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.json);
        let token = self.login_ok(&username, PASSWORD).await;
        (a.json, token)
    }
}

/// The `name=value` of the cookie a console sign-in set, if it set one.
pub fn session_cookie(r: &reqwest::Response) -> Option<String> {
    let set = r.headers().get("set-cookie")?.to_str().ok()?;
    set.split(';').next().map(str::to_owned)
}

/// Waits, when needed, until the current one-minute limit window has at least `need` left.
///
/// The rate limits count in fixed minutes (`services::limits`): a test that spends a budget and
/// then expects 429 fails when a minute boundary falls between, which a loaded machine makes
/// likely. Call it just before such a sequence.
pub async fn within_one_limit_window(need: std::time::Duration) {
    let into = chrono::Utc::now().timestamp_millis().rem_euclid(60_000);
    let left = u64::try_from(60_000 - into).unwrap_or(0);
    let need = u64::try_from(need.as_millis())
        .unwrap_or(60_000)
        .min(59_000);
    if left < need {
        tokio::time::sleep(std::time::Duration::from_millis(left + 50)).await;
    }
}
