//! Typed configuration: defaults, then a TOML file, then `QINGLING_*` environment variables.
//!
//! The value is built once at start-up and passed in; nothing reads the environment later.
//! Secrets are [`SecretString`]s, whose `Debug` prints nothing.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

/// Development creates what is missing (a key file); production refuses to start without keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Local use: creates a master key file if none is configured, with a warning.
    Development,
    /// Refuses to start without a configured master key.
    Production,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Which database the URL names. Anything but these two schemes is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH` (a file path; created if missing).
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`, passed to libpq as is.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses a URL, refusing unknown schemes instead of turning them into a new SQLite file.
    pub fn parse(url: &str) -> Result<Self, ConfigError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(ConfigError::new(
                    "QINGLING_DATABASE_URL: sqlite:// needs a file path",
                ));
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else {
            Err(ConfigError::new(
                "QINGLING_DATABASE_URL must start with sqlite:// or postgres:// (or postgresql://)",
            ))
        }
    }

    /// What diesel connects with: the file path for SQLite, the URL for PostgreSQL.
    pub fn connection_string(&self) -> String {
        match self {
            Self::Sqlite(p) => p.to_string_lossy().into_owned(),
            Self::Postgres(u) => u.clone(),
        }
    }

    /// The URL as configured (`sqlite://PATH` or the PostgreSQL URL, credentials included).
    pub fn to_url(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("sqlite://{}", p.display()),
            Self::Postgres(u) => u.clone(),
        }
    }

    /// The URL without credentials, safe to log.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("sqlite://{}", p.display()),
            Self::Postgres(url) => match url.split_once('@') {
                Some((_, host)) => format!("postgres://…@{host}"),
                None => url.clone(),
            },
        }
    }
}

/// Where photo blobs live (`QINGLING_BLOB_URL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobUrl {
    /// `file://PATH`: a local folder (the default, `$DATA_DIR/blobs`).
    File(PathBuf),
    /// `s3://BUCKET/PREFIX`: an S3-compatible bucket, objects under `PREFIX/` (which may be
    /// empty). Endpoint, region and credentials come from [`S3Settings`].
    S3 {
        /// Bucket name.
        bucket: String,
        /// Key prefix without leading or trailing `/` (empty for the bucket's root).
        prefix: String,
    },
}

impl BlobUrl {
    /// Parses `file://PATH` or `s3://BUCKET[/PREFIX]`; anything else is refused.
    pub fn parse(url: &str) -> Result<Self, ConfigError> {
        if let Some(path) = url.strip_prefix("file://") {
            if path.is_empty() {
                return Err(ConfigError::new(
                    "QINGLING_BLOB_URL: file:// needs a folder path",
                ));
            }
            Ok(Self::File(PathBuf::from(path)))
        } else if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let valid_bucket = (3..=63).contains(&bucket.len())
                && bucket
                    .bytes()
                    .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.'));
            if !valid_bucket {
                return Err(ConfigError::new(format!(
                    "QINGLING_BLOB_URL: {bucket:?} is not a bucket name (3 to 63 lower-case letters, digits, - or .)"
                )));
            }
            let prefix = prefix.trim_matches('/');
            if prefix.split('/').any(|seg| seg == "." || seg == "..") || prefix.contains("//") {
                return Err(ConfigError::new(
                    "QINGLING_BLOB_URL: the prefix may not contain empty, . or .. segments",
                ));
            }
            Ok(Self::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.to_owned(),
            })
        } else {
            Err(ConfigError::new(
                "QINGLING_BLOB_URL must start with file:// or s3://",
            ))
        }
    }

    /// The URL as written (`file://PATH` or `s3://BUCKET/PREFIX`); it holds no secret.
    pub fn to_url(&self) -> String {
        match self {
            Self::File(p) => format!("file://{}", p.display()),
            Self::S3 { bucket, prefix } if prefix.is_empty() => format!("s3://{bucket}"),
            Self::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
        }
    }
}

/// How to reach an S3-compatible store: the standard `AWS_*` variables, read once at start-up
/// with the rest of the configuration (never from the environment later).
#[derive(Debug, Clone, Default)]
pub struct S3Settings {
    /// `AWS_ENDPOINT` (or `AWS_ENDPOINT_URL`): e.g. `https://oss-cn-hangzhou.aliyuncs.com` or a
    /// MinIO's `http://10.0.0.5:9000`; unset means AWS itself.
    pub endpoint: Option<String>,
    /// `AWS_REGION` (or `AWS_DEFAULT_REGION`); `us-east-1` when unset.
    pub region: Option<String>,
    /// `AWS_ACCESS_KEY_ID`; with neither key set, the instance's role credentials are used.
    pub access_key_id: Option<String>,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: Option<SecretString>,
    /// `AWS_SESSION_TOKEN`, for temporary credentials.
    pub session_token: Option<SecretString>,
    /// `AWS_ALLOW_HTTP=true` permits a plain-HTTP endpoint (a store on the same network).
    pub allow_http: bool,
    /// `AWS_VIRTUAL_HOSTED_STYLE_REQUEST=true` addresses the bucket as a host name (OSS and COS
    /// want this); path style otherwise.
    pub virtual_hosted_style: bool,
}

impl S3Settings {
    /// Checks the `AWS_*` variables as a whole; only when a bucket is used, so that variables
    /// set for other tools on the machine do not stop a folder-backed installation.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.access_key_id.is_some() != self.secret_access_key.is_some() {
            return Err(ConfigError::new(
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together: set both or neither",
            ));
        }
        if let Some(e) = &self.endpoint
            && e.starts_with("http://")
            && !self.allow_http
        {
            return Err(ConfigError::new(
                "AWS_ENDPOINT is plain http://: set AWS_ALLOW_HTTP=true to allow it, or use https://",
            ));
        }
        Ok(())
    }
}

/// A configuration problem, reported before anything starts.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}

/// Escalation deadlines (see DESIGN.md, "Life of a report").
#[derive(Debug, Clone)]
pub struct Deadlines {
    /// A suspected-major report must be triaged within this.
    pub triage_major: Duration,
    /// Any report must be triaged within this.
    pub triage: Duration,
    /// A major hazard needs a complete 五落实 plan within this after registration.
    pub plan: Duration,
    /// How often the sweeper looks for what is due.
    pub sweep_interval: Duration,
}

/// Where notification e-mail goes out and when the daily digest is sent.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// The SMTP server, `smtp://[user:password@]host:port` (plain, for a relay on the same
    /// host or network; `?tls=required` for STARTTLS, `?tls=opportunistic` to use it when
    /// offered) or `smtps://…` (TLS from the start); none disables e-mail
    /// (`QINGLING_SMTP_URL`). Secret: it can carry a password.
    pub smtp_url: Option<SecretString>,
    /// The From address of notification e-mail (`QINGLING_SMTP_FROM`).
    pub smtp_from: String,
    /// Hour of the day, Beijing time (UTC+8), from which each enterprise's daily digest goes out
    /// (`QINGLING_DIGEST_HOUR`, 0–23, default 8).
    pub digest_hour: u32,
}

/// Everything the service needs to run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Listen address (`QINGLING_BIND`).
    pub bind: SocketAddr,
    /// Folder for the SQLite file, photos and keys (`QINGLING_DATA_DIR`).
    pub data_dir: PathBuf,
    /// The database (`QINGLING_DATABASE_URL`); defaults to a SQLite file in the data folder.
    pub database: DatabaseUrl,
    /// Database pool size.
    pub pool_size: u32,
    /// Development or production (`QINGLING_MODE`).
    pub mode: Mode,
    /// Master key(s) as `base64` or `v2:base64,v1:base64` (`QINGLING_MASTER_KEY`).
    pub master_key: Option<SecretString>,
    /// File holding the master key(s), one `version:base64` per line (`QINGLING_MASTER_KEY_FILE`).
    pub master_key_file: Option<PathBuf>,
    /// Log format (`QINGLING_LOG_FORMAT`).
    pub log_format: LogFormat,
    /// Log filter, e.g. `info` or `qingling=debug` (`QINGLING_LOG`).
    pub log_filter: String,
    /// Lifetime of access tokens (`QINGLING_ACCESS_TOKEN_TTL`).
    pub access_token_ttl: Duration,
    /// Lifetime of refresh tokens (`QINGLING_REFRESH_TOKEN_TTL`).
    pub refresh_token_ttl: Duration,
    /// Login attempts allowed per account per minute (`QINGLING_LOGIN_LIMIT_PER_ACCOUNT`).
    pub login_limit_per_account: u32,
    /// Login attempts allowed per client address per minute (`QINGLING_LOGIN_LIMIT_PER_CLIENT`).
    pub login_limit_per_client: u32,
    /// Receipt lookups and receipt messages per client address per minute
    /// (`QINGLING_RECEIPT_LIMIT_PER_CLIENT`).
    pub receipt_limit_per_client: u32,
    /// Anonymous submissions per client address per minute (`QINGLING_ANONYMOUS_LIMIT_PER_CLIENT`).
    pub anonymous_limit_per_client: u32,
    /// Intake-code look-ups (`POST /m/v1/intake`) per client address per minute
    /// (`QINGLING_INTAKE_LIMIT_PER_CLIENT`): the codes are short enough to guess at volume.
    pub intake_limit_per_client: u32,
    /// Largest JSON body accepted, in bytes (`QINGLING_JSON_LIMIT`).
    pub json_limit: usize,
    /// Memory that photo upload bodies may hold at once, in bytes (`QINGLING_UPLOAD_MEMORY`);
    /// uploads beyond it wait for room (see `http::upload_budget`).
    pub upload_memory: u64,
    /// Memory that the upload bodies of one client address may hold at once, in bytes
    /// (`QINGLING_UPLOAD_MEMORY_PER_CLIENT`); raised to one whole submission if smaller.
    pub upload_memory_per_client: u64,
    /// How long an upload waits for room in the budget before it is answered 503 `upload_busy`
    /// with `Retry-After` (`QINGLING_UPLOAD_WAIT`).
    pub upload_wait: Duration,
    /// Longest silence within an upload body before it is cut off with 408 `body_timeout`
    /// (`QINGLING_UPLOAD_IDLE_TIMEOUT`).
    pub upload_idle_timeout: Duration,
    /// Slowest average rate of an upload body in bytes a second, after its first idle period
    /// (`QINGLING_UPLOAD_MIN_RATE`).
    pub upload_min_rate: u64,
    /// Longest time a whole upload body may take (`QINGLING_UPLOAD_DEADLINE`).
    pub upload_deadline: Duration,
    /// Bearer token that `GET /metrics` requires (`QINGLING_METRICS_TOKEN`); unset, `/metrics`
    /// is not served at all. Never served by `--only mobile`, the internet-facing edge.
    pub metrics_token: Option<SecretString>,
    /// Worker threads of the HTTP server; 0 means one per core (`QINGLING_HTTP_WORKERS`).
    pub http_workers: usize,
    /// Escalation deadlines.
    pub deadlines: Deadlines,
    /// Where escalation events are delivered as webhooks; none disables delivery
    /// (`QINGLING_WEBHOOK_URL`).
    pub webhook_url: Option<String>,
    /// Key of the webhooks' HMAC-SHA256 signature (`QINGLING_WEBHOOK_SECRET`).
    pub webhook_secret: Option<SecretString>,
    /// Attempts before an event becomes a dead letter (`QINGLING_WEBHOOK_MAX_ATTEMPTS`).
    pub webhook_max_attempts: u32,
    /// Notifications to enterprises and bureaus (`QINGLING_SMTP_*`, `QINGLING_DIGEST_HOUR`).
    pub notify: NotifySettings,
    /// The address phones reach this service at, without a trailing slash, e.g.
    /// `https://qingling.example.cn` (`QINGLING_PUBLIC_URL`); the QR codes on posters point
    /// to its `/m/` page. Defaults to `http://` + the listen address, right only on one machine.
    pub public_url: String,
    /// How long an activation code of a worker imported in bulk works
    /// (`QINGLING_ACTIVATION_CODE_TTL`).
    pub activation_code_ttl: Duration,
    /// The console's sessions (`QINGLING_CONSOLE_*`).
    pub console: ConsoleSettings,
    /// Where photo blobs live (`QINGLING_BLOB_URL`); a folder in the data folder by default.
    pub blob: BlobUrl,
    /// Endpoint and credentials of an `s3://` blob store (the `AWS_*` variables).
    pub s3: S3Settings,
    /// How long one blob store request may take, retries included, before the phone is told
    /// 503 (`QINGLING_BLOB_TIMEOUT`).
    pub blob_timeout: Duration,
    /// Redis for the shared rate limits (`QINGLING_REDIS_URL`); unset keeps them in the
    /// database.
    pub redis_url: Option<SecretString>,
    /// Peers whose `X-Forwarded-For` is believed (`QINGLING_TRUSTED_PROXIES`, CIDRs separated by
    /// commas); from any other peer the header is ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// How the console (`/console/`) keeps its sessions.
#[derive(Debug, Clone)]
pub struct ConsoleSettings {
    /// A session unused this long is over (`QINGLING_CONSOLE_IDLE_TIMEOUT`, default `30m`).
    pub idle_timeout: Duration,
    /// A session is over this long after sign-in however busy (`QINGLING_CONSOLE_SESSION_LIFETIME`,
    /// default `12h`: one shift).
    pub session_lifetime: Duration,
    /// Marks the session cookie `Secure`, so the browser sends it over HTTPS only
    /// (`QINGLING_CONSOLE_SECURE_COOKIE`, `true` or `false`, default `false`). Set it whenever
    /// the console is reached through HTTPS (a TLS-terminating proxy in front of `serve`).
    pub secure_cookie: bool,
}

/// The configuration file: every key optional, unknown keys refused so a typo is not ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    pool_size: Option<u32>,
    mode: Option<Mode>,
    master_key: Option<String>,
    master_key_file: Option<PathBuf>,
    log_format: Option<LogFormat>,
    log: Option<String>,
    access_token_ttl: Option<String>,
    refresh_token_ttl: Option<String>,
    login_limit_per_account: Option<u32>,
    login_limit_per_client: Option<u32>,
    receipt_limit_per_client: Option<u32>,
    anonymous_limit_per_client: Option<u32>,
    intake_limit_per_client: Option<u32>,
    json_limit: Option<usize>,
    upload_memory: Option<u64>,
    upload_memory_per_client: Option<u64>,
    upload_wait: Option<String>,
    upload_idle_timeout: Option<String>,
    upload_min_rate: Option<u64>,
    upload_deadline: Option<String>,
    metrics_token: Option<String>,
    http_workers: Option<usize>,
    triage_major_deadline: Option<String>,
    triage_deadline: Option<String>,
    plan_deadline: Option<String>,
    sweep_interval: Option<String>,
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
    webhook_max_attempts: Option<u32>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    digest_hour: Option<u32>,
    activation_code_ttl: Option<String>,
    console_idle_timeout: Option<String>,
    console_session_lifetime: Option<String>,
    console_secure_cookie: Option<bool>,
    blob_url: Option<String>,
    blob_timeout: Option<String>,
    redis_url: Option<String>,
    trusted_proxies: Option<String>,
}

impl Settings {
    /// Loads from an optional TOML file, then the process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().filter(|(k, _)| is_read(k)).collect();
        Self::load_with_env(file, &env)
    }

    /// Loads from an optional TOML file (or `QINGLING_CONFIG` in `env`), then `env`.
    pub fn load_with_env(
        file: Option<&Path>,
        env: &HashMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let file = file
            .map(PathBuf::from)
            .or_else(|| env.get("QINGLING_CONFIG").map(PathBuf::from));
        let text =
            match &file {
                Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                    ConfigError::new(format!("cannot read {}: {e}", path.display()))
                })?),
                None => None,
            };
        Self::from_sources(text.as_deref(), env)
    }

    /// Builds settings from the file's text and a map of `QINGLING_*` variables (testable).
    pub fn from_sources(
        file_text: Option<&str>,
        env: &HashMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let file: FileSettings = match file_text {
            Some(t) => toml::from_str(t).map_err(|e| ConfigError::new(format!("file: {e}")))?,
            None => FileSettings::default(),
        };
        let var = |k: &str| env.get(&format!("QINGLING_{k}")).cloned();

        let bind_s = var("BIND")
            .or(file.bind)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind = bind_s
            .parse()
            .map_err(|_| ConfigError::new(format!("QINGLING_BIND: not an address: {bind_s}")))?;
        let data_dir = var("DATA_DIR")
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./qingling-data"));
        let database = match var("DATABASE_URL").or(file.database_url) {
            Some(url) => DatabaseUrl::parse(&url)?,
            None => DatabaseUrl::Sqlite(data_dir.join("qingling.db")),
        };
        let mode = match var("MODE") {
            Some(m) => match m.as_str() {
                "development" => Mode::Development,
                "production" => Mode::Production,
                other => {
                    return Err(ConfigError::new(format!(
                        "QINGLING_MODE must be development or production, not {other}"
                    )));
                }
            },
            None => file.mode.unwrap_or(Mode::Development),
        };
        let log_format = match var("LOG_FORMAT") {
            Some(f) => match f.as_str() {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                other => {
                    return Err(ConfigError::new(format!(
                        "QINGLING_LOG_FORMAT must be text or json, not {other}"
                    )));
                }
            },
            None => file.log_format.unwrap_or(LogFormat::Text),
        };
        let duration = |key: &str, file_val: Option<String>, default: &str| {
            let raw = var(key).or(file_val).unwrap_or_else(|| default.to_owned());
            parse_duration(&raw)
                .map_err(|e| ConfigError::new(format!("QINGLING_{key}: {e}: {raw}")))
        };
        let number = |key: &str, file_val: Option<u64>, default: u64| -> Result<u64, ConfigError> {
            match var(key) {
                Some(raw) => raw
                    .parse()
                    .map_err(|_| ConfigError::new(format!("QINGLING_{key}: not a number: {raw}"))),
                None => Ok(file_val.unwrap_or(default)),
            }
        };
        let blob = match var("BLOB_URL").or(file.blob_url).filter(|u| !u.is_empty()) {
            Some(url) => BlobUrl::parse(&url)?,
            None => BlobUrl::File(data_dir.join("blobs")),
        };
        let s3 = s3_settings(env)?;
        let trusted_proxies = match var("TRUSTED_PROXIES").or(file.trusted_proxies) {
            Some(raw) => parse_cidrs(&raw)?,
            None => Vec::new(),
        };
        let as_u32 = |v: u64, key: &str| {
            u32::try_from(v).map_err(|_| ConfigError::new(format!("QINGLING_{key}: too large")))
        };

        let settings = Self {
            bind,
            data_dir,
            database,
            pool_size: as_u32(
                number("POOL_SIZE", file.pool_size.map(u64::from), 10)?,
                "POOL_SIZE",
            )?,
            mode,
            master_key: var("MASTER_KEY")
                .or(file.master_key)
                .map(SecretString::from),
            master_key_file: var("MASTER_KEY_FILE")
                .map(PathBuf::from)
                .or(file.master_key_file),
            log_format,
            log_filter: var("LOG").or(file.log).unwrap_or_else(|| "info".into()),
            access_token_ttl: duration("ACCESS_TOKEN_TTL", file.access_token_ttl, "15m")?,
            refresh_token_ttl: duration("REFRESH_TOKEN_TTL", file.refresh_token_ttl, "30d")?,
            login_limit_per_account: as_u32(
                number(
                    "LOGIN_LIMIT_PER_ACCOUNT",
                    file.login_limit_per_account.map(u64::from),
                    10,
                )?,
                "LOGIN_LIMIT_PER_ACCOUNT",
            )?,
            login_limit_per_client: as_u32(
                number(
                    "LOGIN_LIMIT_PER_CLIENT",
                    file.login_limit_per_client.map(u64::from),
                    60,
                )?,
                "LOGIN_LIMIT_PER_CLIENT",
            )?,
            receipt_limit_per_client: as_u32(
                number(
                    "RECEIPT_LIMIT_PER_CLIENT",
                    file.receipt_limit_per_client.map(u64::from),
                    30,
                )?,
                "RECEIPT_LIMIT_PER_CLIENT",
            )?,
            anonymous_limit_per_client: as_u32(
                number(
                    "ANONYMOUS_LIMIT_PER_CLIENT",
                    file.anonymous_limit_per_client.map(u64::from),
                    10,
                )?,
                "ANONYMOUS_LIMIT_PER_CLIENT",
            )?,
            intake_limit_per_client: as_u32(
                number(
                    "INTAKE_LIMIT_PER_CLIENT",
                    file.intake_limit_per_client.map(u64::from),
                    30,
                )?,
                "INTAKE_LIMIT_PER_CLIENT",
            )?,
            json_limit: usize::try_from(number(
                "JSON_LIMIT",
                file.json_limit.map(|v| v as u64),
                64 * 1024,
            )?)
            .map_err(|_| ConfigError::new("QINGLING_JSON_LIMIT: too large"))?,
            upload_memory: number("UPLOAD_MEMORY", file.upload_memory, 256 * 1024 * 1024)?,
            upload_memory_per_client: number(
                "UPLOAD_MEMORY_PER_CLIENT",
                file.upload_memory_per_client,
                128 * 1024 * 1024,
            )?,
            upload_wait: duration("UPLOAD_WAIT", file.upload_wait, "5s")?,
            upload_idle_timeout: duration("UPLOAD_IDLE_TIMEOUT", file.upload_idle_timeout, "30s")?,
            upload_min_rate: number("UPLOAD_MIN_RATE", file.upload_min_rate, 4096)?,
            upload_deadline: duration("UPLOAD_DEADLINE", file.upload_deadline, "10m")?,
            metrics_token: var("METRICS_TOKEN")
                .or(file.metrics_token)
                .filter(|t| !t.is_empty())
                .map(SecretString::from),
            http_workers: usize::try_from(number(
                "HTTP_WORKERS",
                file.http_workers.map(|v| v as u64),
                0,
            )?)
            .map_err(|_| ConfigError::new("QINGLING_HTTP_WORKERS: too large"))?,
            deadlines: Deadlines {
                triage_major: duration("TRIAGE_MAJOR_DEADLINE", file.triage_major_deadline, "24h")?,
                triage: duration("TRIAGE_DEADLINE", file.triage_deadline, "7d")?,
                plan: duration("PLAN_DEADLINE", file.plan_deadline, "72h")?,
                sweep_interval: duration("SWEEP_INTERVAL", file.sweep_interval, "1m")?,
            },
            webhook_url: var("WEBHOOK_URL")
                .or(file.webhook_url)
                .filter(|u| !u.is_empty()),
            webhook_secret: var("WEBHOOK_SECRET")
                .or(file.webhook_secret)
                .map(SecretString::from),
            webhook_max_attempts: as_u32(
                number(
                    "WEBHOOK_MAX_ATTEMPTS",
                    file.webhook_max_attempts.map(u64::from),
                    10,
                )?,
                "WEBHOOK_MAX_ATTEMPTS",
            )?,
            notify: NotifySettings {
                smtp_url: var("SMTP_URL")
                    .or(file.smtp_url)
                    .filter(|u| !u.trim().is_empty())
                    .map(SecretString::from),
                smtp_from: var("SMTP_FROM")
                    .or(file.smtp_from)
                    .filter(|u| !u.trim().is_empty())
                    .unwrap_or_else(|| "清零 <qingling@localhost>".to_owned()),
                digest_hour: as_u32(
                    number("DIGEST_HOUR", file.digest_hour.map(u64::from), 8)?,
                    "DIGEST_HOUR",
                )?,
            },
            public_url: var("PUBLIC_URL")
                .or(file.public_url)
                .filter(|u| !u.trim().is_empty())
                .map(|u| u.trim().trim_end_matches('/').to_owned())
                .unwrap_or_else(|| format!("http://{bind}")),
            activation_code_ttl: duration("ACTIVATION_CODE_TTL", file.activation_code_ttl, "14d")?,
            console: ConsoleSettings {
                idle_timeout: duration("CONSOLE_IDLE_TIMEOUT", file.console_idle_timeout, "30m")?,
                session_lifetime: duration(
                    "CONSOLE_SESSION_LIFETIME",
                    file.console_session_lifetime,
                    "12h",
                )?,
                secure_cookie: match var("CONSOLE_SECURE_COOKIE").as_deref() {
                    Some("true") => true,
                    Some("false") => false,
                    Some(other) => {
                        return Err(ConfigError::new(format!(
                            "QINGLING_CONSOLE_SECURE_COOKIE must be true or false, not {other}"
                        )));
                    }
                    None => file.console_secure_cookie.unwrap_or(false),
                },
            },
            blob,
            s3,
            blob_timeout: duration("BLOB_TIMEOUT", file.blob_timeout, "10s")?,
            redis_url: var("REDIS_URL")
                .or(file.redis_url)
                .filter(|u| !u.is_empty())
                .map(SecretString::from),
            trusted_proxies,
        };
        let public = &settings.public_url;
        if !(public.starts_with("https://") || public.starts_with("http://"))
            || public.contains(['?', '#'])
        {
            return Err(ConfigError::new(
                "QINGLING_PUBLIC_URL must start with https:// or http:// and carry no ? or #",
            ));
        }
        if let Some(url) = &settings.redis_url {
            use secrecy::ExposeSecret as _;
            let u = url.expose_secret();
            if !(u.starts_with("redis://") || u.starts_with("rediss://")) {
                return Err(ConfigError::new(
                    "QINGLING_REDIS_URL must start with redis:// or rediss://",
                ));
            }
        }
        if matches!(settings.blob, BlobUrl::S3 { .. }) {
            settings.s3.check()?;
        }
        if settings.blob_timeout.is_zero() {
            return Err(ConfigError::new(
                "QINGLING_BLOB_TIMEOUT must be more than 0",
            ));
        }
        if let Some(u) = &settings.webhook_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            // https:// goes through rustls with the bundled webpki roots (no system store
            // needed); http:// stays for a receiver on the same host or network.
            return Err(ConfigError::new(
                "QINGLING_WEBHOOK_URL must start with https:// or http://",
            ));
        }
        if settings.webhook_url.is_some() && settings.webhook_secret.is_none() {
            return Err(ConfigError::new(
                "QINGLING_WEBHOOK_URL needs QINGLING_WEBHOOK_SECRET to sign deliveries",
            ));
        }
        if settings.notify.digest_hour > 23 {
            return Err(ConfigError::new(
                "QINGLING_DIGEST_HOUR must be an hour from 0 to 23 (Beijing time)",
            ));
        }
        if let Some(u) = settings
            .notify
            .smtp_url
            .as_ref()
            .map(secrecy::ExposeSecret::expose_secret)
            && !(u.starts_with("smtp://") || u.starts_with("smtps://"))
        {
            return Err(ConfigError::new(
                "QINGLING_SMTP_URL must start with smtp:// or smtps://",
            ));
        }
        if settings.webhook_max_attempts == 0 {
            return Err(ConfigError::new(
                "QINGLING_WEBHOOK_MAX_ATTEMPTS must be at least 1",
            ));
        }
        if settings.console.idle_timeout.is_zero()
            || settings.console.session_lifetime < settings.console.idle_timeout
        {
            return Err(ConfigError::new(
                "QINGLING_CONSOLE_IDLE_TIMEOUT must be above zero and at most \
                 QINGLING_CONSOLE_SESSION_LIFETIME",
            ));
        }
        if settings.pool_size == 0 {
            return Err(ConfigError::new("QINGLING_POOL_SIZE must be at least 1"));
        }
        if settings.login_limit_per_account == 0 || settings.login_limit_per_client == 0 {
            return Err(ConfigError::new("login limits must be at least 1"));
        }
        Ok(settings)
    }

    /// Settings for a test or a tool: defaults with the given data folder and database.
    pub fn for_data_dir(data_dir: &Path, database: DatabaseUrl) -> Self {
        let env = HashMap::new();
        // Defaults cannot fail to parse; fall back defensively all the same.
        let mut s = match Self::from_sources(None, &env) {
            Ok(s) => s,
            Err(e) => unreachable_defaults(e),
        };
        s.data_dir = data_dir.to_path_buf();
        s.database = database;
        s.blob = BlobUrl::File(data_dir.join("blobs"));
        s
    }
}

/// Whether a variable belongs to the configuration: ours, and the standard `AWS_*` ones.
pub fn is_read(name: &str) -> bool {
    name.starts_with("QINGLING_") || name.starts_with("AWS_")
}

/// The S3 endpoint and credentials from the standard `AWS_*` variables.
fn s3_settings(env: &HashMap<String, String>) -> Result<S3Settings, ConfigError> {
    let get = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
    let flag = |k: &str| -> Result<bool, ConfigError> {
        match get(k).as_deref() {
            None => Ok(false),
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(other) => Err(ConfigError::new(format!(
                "{k} must be true or false, not {other}"
            ))),
        }
    };
    Ok(S3Settings {
        endpoint: get("AWS_ENDPOINT").or_else(|| get("AWS_ENDPOINT_URL")),
        region: get("AWS_REGION").or_else(|| get("AWS_DEFAULT_REGION")),
        access_key_id: get("AWS_ACCESS_KEY_ID"),
        secret_access_key: get("AWS_SECRET_ACCESS_KEY").map(SecretString::from),
        session_token: get("AWS_SESSION_TOKEN").map(SecretString::from),
        allow_http: flag("AWS_ALLOW_HTTP")?,
        virtual_hosted_style: flag("AWS_VIRTUAL_HOSTED_STYLE_REQUEST")?,
    })
}

/// `10.0.0.0/8, 192.168.1.5, ::1` → networks (a bare address is a network of one).
fn parse_cidrs(raw: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map(|n| n.trunc())
                .map_err(|_| {
                    ConfigError::new(format!(
                        "QINGLING_TRUSTED_PROXIES: {s:?} is not an address or a CIDR such as 10.0.0.0/8"
                    ))
                })
        })
        .collect()
}

#[cold]
fn unreachable_defaults(e: ConfigError) -> ! {
    panic!("built-in defaults must parse: {e}")
}

/// Parses `90s`, `15m`, `24h`, `7d` (and anything `humantime` reads).
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    humantime::parse_duration(raw.trim()).map_err(|e| format!("not a duration ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_serve_locally_on_sqlite_in_the_data_folder() {
        let s = Settings::from_sources(None, &env(&[])).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            s.database,
            DatabaseUrl::Sqlite(PathBuf::from("./qingling-data/qingling.db"))
        );
        assert_eq!(s.deadlines.triage, Duration::from_secs(7 * 86400));
        assert_eq!(s.mode, Mode::Development);
    }

    #[test]
    fn environment_overrides_the_file() {
        let file = "bind = \"0.0.0.0:9000\"\ntriage_deadline = \"2h\"\n";
        let s = Settings::from_sources(Some(file), &env(&[("QINGLING_TRIAGE_DEADLINE", "90s")]))
            .unwrap();
        assert_eq!(s.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(s.deadlines.triage, Duration::from_secs(90));
    }

    #[test]
    fn unknown_database_scheme_is_an_error() {
        let err = Settings::from_sources(None, &env(&[("QINGLING_DATABASE_URL", "mysql://x")]))
            .unwrap_err();
        assert!(err.to_string().contains("sqlite://"));
        assert!(DatabaseUrl::parse("qingling.db").is_err());
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        assert!(Settings::from_sources(Some("bnid = \"x\""), &env(&[])).is_err());
    }

    #[test]
    fn webhooks_go_to_https_or_http_and_nothing_else() {
        let with = |url: &str| {
            Settings::from_sources(
                None,
                &env(&[
                    ("QINGLING_WEBHOOK_URL", url),
                    ("QINGLING_WEBHOOK_SECRET", "s3cret"),
                ]),
            )
        };
        let s = with("https://bureau.example/hooks/qingling").unwrap();
        assert_eq!(
            s.webhook_url.as_deref(),
            Some("https://bureau.example/hooks/qingling")
        );
        assert!(with("http://127.0.0.1:9000/hook").is_ok());
        let err = with("ftp://bureau.example/hook").unwrap_err();
        assert!(err.to_string().contains("https://"), "{err}");
    }

    #[test]
    fn console_sessions_default_to_half_an_hour_idle_within_a_shift() {
        let s = Settings::from_sources(None, &env(&[])).unwrap();
        assert_eq!(s.console.idle_timeout, Duration::from_secs(30 * 60));
        assert_eq!(s.console.session_lifetime, Duration::from_secs(12 * 3600));
        assert!(!s.console.secure_cookie);
        let s = Settings::from_sources(None, &env(&[("QINGLING_CONSOLE_SECURE_COOKIE", "true")]))
            .unwrap();
        assert!(s.console.secure_cookie);
        assert!(
            Settings::from_sources(None, &env(&[("QINGLING_CONSOLE_SECURE_COOKIE", "yes")]))
                .is_err()
        );
        assert!(
            Settings::from_sources(None, &env(&[("QINGLING_CONSOLE_IDLE_TIMEOUT", "13h")]))
                .is_err()
        );
    }

    #[test]
    fn blobs_default_to_the_data_folder_and_take_s3_urls() {
        let s = Settings::from_sources(None, &env(&[])).unwrap();
        assert_eq!(
            s.blob,
            BlobUrl::File(PathBuf::from("./qingling-data/blobs"))
        );
        let s = Settings::from_sources(
            None,
            &env(&[
                ("QINGLING_BLOB_URL", "s3://photos/district-7/"),
                ("AWS_ENDPOINT", "http://127.0.0.1:9000"),
                ("AWS_ALLOW_HTTP", "true"),
                ("AWS_ACCESS_KEY_ID", "id"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
            ]),
        )
        .unwrap();
        assert_eq!(
            s.blob,
            BlobUrl::S3 {
                bucket: "photos".into(),
                prefix: "district-7".into()
            }
        );
        assert_eq!(s.blob.to_url(), "s3://photos/district-7");
        assert!(s.s3.allow_http);
        assert!(!format!("{s:?}").contains("secret\""), "{s:?}");
        for bad in [
            "ftp://x",
            "s3://",
            "s3://UPPER",
            "s3://ok-bucket/a/../b",
            "file://",
        ] {
            let err = Settings::from_sources(None, &env(&[("QINGLING_BLOB_URL", bad)]));
            assert!(err.is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn half_a_credential_or_plain_http_without_consent_is_refused() {
        let bucket = ("QINGLING_BLOB_URL", "s3://photos");
        assert!(Settings::from_sources(None, &env(&[("AWS_ACCESS_KEY_ID", "id")])).is_ok());
        let err =
            Settings::from_sources(None, &env(&[bucket, ("AWS_ACCESS_KEY_ID", "id")])).unwrap_err();
        assert!(err.to_string().contains("AWS_SECRET_ACCESS_KEY"), "{err}");
        let err =
            Settings::from_sources(None, &env(&[bucket, ("AWS_ENDPOINT", "http://minio:9000")]))
                .unwrap_err();
        assert!(err.to_string().contains("AWS_ALLOW_HTTP"), "{err}");
    }

    #[test]
    fn trusted_proxies_are_cidrs_or_addresses() {
        let s = Settings::from_sources(
            None,
            &env(&[("QINGLING_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.5 ,::1")]),
        )
        .unwrap();
        assert_eq!(s.trusted_proxies.len(), 3);
        assert!(s.trusted_proxies[1].contains(&"192.168.1.5".parse::<std::net::IpAddr>().unwrap()));
        let err =
            Settings::from_sources(None, &env(&[("QINGLING_TRUSTED_PROXIES", "10.0.0.0/33")]))
                .unwrap_err();
        assert!(
            err.to_string().contains("QINGLING_TRUSTED_PROXIES"),
            "{err}"
        );
        let err = Settings::from_sources(None, &env(&[("QINGLING_REDIS_URL", "localhost:6379")]))
            .unwrap_err();
        assert!(err.to_string().contains("redis://"), "{err}");
    }

    #[test]
    fn postgres_url_is_redacted_for_logs() {
        let url = DatabaseUrl::parse("postgres://u:secret@db:5432/q").unwrap();
        assert!(!url.redacted().contains("secret"));
    }
}
