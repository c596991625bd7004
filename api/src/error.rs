//! The one error type that services return and the HTTP layer renders as RFC 9457 problem+json.
//!
//! Every failure a client can see has a stable snake_case [`ErrorCode`]: clients branch on the
//! code, people read the localised title and detail. The cause of an unexpected error stays in
//! the log (through `Debug`, which prints the whole chain) and never reaches the client.

use std::fmt;

/// Stable, client-visible error codes. Adding one means adding its status and texts below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Request body or parameters failed validation.
    ValidationFailed,
    /// The body is not well-formed JSON or has the wrong types.
    MalformedJson,
    /// The body is larger than the route accepts.
    PayloadTooLarge,
    /// Media type not accepted by the route.
    UnsupportedMediaType,
    /// No such route.
    RouteNotFound,
    /// Method not allowed on this route.
    MethodNotAllowed,
    /// Credentials are missing, invalid or expired.
    Unauthenticated,
    /// Login failed; the same answer whether or not the user exists.
    InvalidCredentials,
    /// The refresh token is unknown, expired, already used or revoked.
    InvalidRefreshToken,
    /// Authenticated, but the role may not do this.
    Forbidden,
    /// Too many attempts; try again later.
    RateLimited,
    /// The record does not exist or belongs to someone else.
    NotFound,
    /// Unique value already taken (username, credit code, area name).
    AlreadyExists,
    /// The action is not allowed in the record's current state.
    TransitionNotAllowed,
    /// A report needs 1 to 5 photos.
    PhotoCount,
    /// A required multipart part is missing or an unknown one was sent.
    BadMultipart,
    /// A request with the same Idempotency-Key is still being processed.
    IdempotencyInProgress,
    /// The photo is not JPEG, PNG or WebP (HEIC is named in the message).
    UnsupportedPhotoType,
    /// The photo is over the size or pixel limits.
    PhotoTooLarge,
    /// The photo is corrupt or truncated.
    PhotoUnreadable,
    /// The person named responsible for a rectification may not verify it themselves.
    VerifierIsResponsible,
    /// A hazard under the bureau's supervision may not be verified by the person who wrote its
    /// current rectification plan.
    VerifierIsPlanner,
    /// Separation of duties: the same person may not both propose and approve (a reward), or
    /// both request and decide (a disclosure).
    SeparationOfDuties,
    /// Above the policy's threshold only a principal may approve.
    PrincipalApprovalRequired,
    /// An approved disclosure is shown once; it has been opened already.
    DisclosureAlreadyOpened,
    /// A reward policy's monthly cap is below three major rewards, so the cap could tell staff
    /// that two rewards went to one reporter.
    RewardCapTooLow,
    /// The reward policy holds this payment until a later month (the reporter's monthly cap);
    /// nothing was paid. The answer names no amount.
    RewardHeld,
    /// An admin reset the password: the user must choose a new one before doing anything else.
    PasswordChangeRequired,
    /// The current password given to change it is wrong.
    CurrentPasswordWrong,
    /// The platform would be left without an active admin.
    LastAdmin,
    /// The activation code is unknown, already used or expired (the same answer for each).
    InvalidActivationCode,
    /// A bulk import has bad rows; nothing was imported.
    ImportRejected,
    /// Something went wrong on our side.
    Internal,
    /// The database is not reachable.
    Unavailable,
    /// The upload budget (or this client's share of it) has no room now; retry after the
    /// `Retry-After` seconds.
    UploadBusy,
    /// A request body stopped arriving, or arrived too slowly.
    BodyTimeout,
    /// An `Idempotency-Key` already used for a different request.
    IdempotencyKeyReused,
    /// The photo store (the folder or the bucket) did not take or give back a photo in time;
    /// nothing was submitted, the same request can be sent again.
    PhotoStoreUnavailable,
    /// A document given as a proof of report does not verify under the published keys.
    ProofInvalid,
    /// A notification webhook URL is not a usable https:// URL (http:// only for loopback).
    NotificationUrlInvalid,
    /// A notification e-mail address is not a valid address.
    NotificationEmailInvalid,
    /// More notification addresses than one owner may set.
    NotificationTooMany,
}

impl ErrorCode {
    /// Every code, so tests can check each is documented and used.
    pub const ALL: &'static [ErrorCode] = &[
        Self::ValidationFailed,
        Self::MalformedJson,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::RouteNotFound,
        Self::MethodNotAllowed,
        Self::Unauthenticated,
        Self::InvalidCredentials,
        Self::InvalidRefreshToken,
        Self::Forbidden,
        Self::RateLimited,
        Self::NotFound,
        Self::AlreadyExists,
        Self::TransitionNotAllowed,
        Self::PhotoCount,
        Self::BadMultipart,
        Self::IdempotencyInProgress,
        Self::UnsupportedPhotoType,
        Self::PhotoTooLarge,
        Self::PhotoUnreadable,
        Self::VerifierIsResponsible,
        Self::VerifierIsPlanner,
        Self::SeparationOfDuties,
        Self::PrincipalApprovalRequired,
        Self::DisclosureAlreadyOpened,
        Self::RewardCapTooLow,
        Self::RewardHeld,
        Self::PasswordChangeRequired,
        Self::CurrentPasswordWrong,
        Self::LastAdmin,
        Self::InvalidActivationCode,
        Self::ImportRejected,
        Self::Internal,
        Self::Unavailable,
        Self::UploadBusy,
        Self::BodyTimeout,
        Self::IdempotencyKeyReused,
        Self::PhotoStoreUnavailable,
        Self::ProofInvalid,
        Self::NotificationUrlInvalid,
        Self::NotificationEmailInvalid,
        Self::NotificationTooMany,
    ];

    /// The code as clients see it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ValidationFailed => "validation_failed",
            Self::MalformedJson => "malformed_json",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RouteNotFound => "route_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidRefreshToken => "invalid_refresh_token",
            Self::Forbidden => "forbidden",
            Self::RateLimited => "rate_limited",
            Self::NotFound => "not_found",
            Self::AlreadyExists => "already_exists",
            Self::TransitionNotAllowed => "transition_not_allowed",
            Self::PhotoCount => "photo_count",
            Self::BadMultipart => "bad_multipart",
            Self::IdempotencyInProgress => "idempotency_in_progress",
            Self::UnsupportedPhotoType => "unsupported_photo_type",
            Self::PhotoTooLarge => "photo_too_large",
            Self::PhotoUnreadable => "photo_unreadable",
            Self::VerifierIsResponsible => "verifier_is_responsible",
            Self::VerifierIsPlanner => "verifier_is_planner",
            Self::SeparationOfDuties => "separation_of_duties",
            Self::PrincipalApprovalRequired => "principal_approval_required",
            Self::DisclosureAlreadyOpened => "disclosure_already_opened",
            Self::RewardCapTooLow => "reward_cap_too_low",
            Self::RewardHeld => "reward_held",
            Self::PasswordChangeRequired => "password_change_required",
            Self::CurrentPasswordWrong => "current_password_wrong",
            Self::LastAdmin => "last_admin",
            Self::InvalidActivationCode => "invalid_activation_code",
            Self::ImportRejected => "import_rejected",
            Self::Internal => "internal_error",
            Self::Unavailable => "service_unavailable",
            Self::UploadBusy => "upload_busy",
            Self::BodyTimeout => "body_timeout",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::PhotoStoreUnavailable => "photo_store_unavailable",
            Self::ProofInvalid => "proof_invalid",
            Self::NotificationUrlInvalid => "notification_url_invalid",
            Self::NotificationEmailInvalid => "notification_email_invalid",
            Self::NotificationTooMany => "notification_too_many",
        }
    }

    /// The HTTP status this code answers with.
    pub fn status(self) -> u16 {
        match self {
            Self::ValidationFailed
            | Self::MalformedJson
            | Self::PhotoCount
            | Self::BadMultipart
            | Self::InvalidActivationCode => 400,
            Self::Unauthenticated | Self::InvalidCredentials | Self::InvalidRefreshToken => 401,
            Self::Forbidden
            | Self::SeparationOfDuties
            | Self::PrincipalApprovalRequired
            | Self::PasswordChangeRequired
            | Self::CurrentPasswordWrong => 403,
            Self::NotFound | Self::RouteNotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::AlreadyExists
            | Self::TransitionNotAllowed
            | Self::IdempotencyInProgress
            | Self::VerifierIsResponsible
            | Self::VerifierIsPlanner
            | Self::RewardHeld
            | Self::LastAdmin => 409,
            Self::DisclosureAlreadyOpened => 410,
            Self::PayloadTooLarge | Self::PhotoTooLarge => 413,
            Self::UnsupportedMediaType | Self::UnsupportedPhotoType => 415,
            Self::PhotoUnreadable | Self::RewardCapTooLow | Self::ImportRejected => 422,
            Self::RateLimited => 429,
            Self::Internal => 500,
            Self::Unavailable | Self::UploadBusy | Self::PhotoStoreUnavailable => 503,
            Self::BodyTimeout => 408,
            Self::IdempotencyKeyReused | Self::ProofInvalid => 422,
            Self::NotificationUrlInvalid
            | Self::NotificationEmailInvalid
            | Self::NotificationTooMany => 400,
        }
    }

    /// Short title in (Chinese, English).
    pub fn titles(self) -> (&'static str, &'static str) {
        match self {
            Self::ValidationFailed => ("请求内容不符合要求", "The request is not valid"),
            Self::MalformedJson => (
                "请求体不是有效的 JSON",
                "The request body is not valid JSON",
            ),
            Self::PayloadTooLarge => ("请求体过大", "The request body is too large"),
            Self::UnsupportedMediaType => ("不支持的内容类型", "Unsupported media type"),
            Self::RouteNotFound => ("没有这个地址", "No such route"),
            Self::MethodNotAllowed => ("不支持该请求方法", "Method not allowed"),
            Self::Unauthenticated => ("需要登录", "Authentication required"),
            Self::InvalidCredentials => ("用户名或密码错误", "Wrong username or password"),
            Self::InvalidRefreshToken => ("刷新令牌无效", "The refresh token is not valid"),
            Self::Forbidden => ("无权执行此操作", "You may not do this"),
            Self::RateLimited => (
                "尝试过于频繁，请稍后再试",
                "Too many attempts, try again later",
            ),
            Self::NotFound => ("未找到", "Not found"),
            Self::AlreadyExists => ("已存在", "Already exists"),
            Self::TransitionNotAllowed => (
                "当前状态下不允许此操作",
                "This action is not allowed in the current state",
            ),
            Self::PhotoCount => ("每份报告需要 1 至 5 张照片", "A report needs 1 to 5 photos"),
            Self::BadMultipart => (
                "表单内容不完整或有多余部分",
                "The multipart form is incomplete or has unknown parts",
            ),
            Self::IdempotencyInProgress => (
                "相同 Idempotency-Key 的请求仍在处理中",
                "A request with this Idempotency-Key is still being processed",
            ),
            Self::UnsupportedPhotoType => ("不支持的照片格式", "Unsupported photo type"),
            Self::PhotoTooLarge => ("照片过大", "The photo is too large"),
            Self::PhotoUnreadable => ("照片无法读取", "The photo cannot be read"),
            Self::VerifierIsResponsible => (
                "整改责任人不能验收自己的整改",
                "The person responsible for the rectification may not verify it",
            ),
            Self::VerifierIsPlanner => (
                "督办中的隐患须由整改方案制定人以外的人验收",
                "A hazard under the bureau's supervision must be verified by someone other than the author of its plan",
            ),
            Self::SeparationOfDuties => (
                "须由另一人批准（不相容职务分离）",
                "Someone else must approve this (separation of duties)",
            ),
            Self::PrincipalApprovalRequired => (
                "超过限额的奖励须由主要负责人批准",
                "A reward above the threshold must be approved by a principal",
            ),
            Self::DisclosureAlreadyOpened => (
                "该身份披露已查看过，不能再次查看",
                "This disclosure has already been opened and is shown only once",
            ),
            Self::RewardCapTooLow => (
                "每月奖励上限不得低于三笔重大隐患奖励",
                "The monthly cap must be at least three major-hazard rewards",
            ),
            Self::RewardHeld => (
                "按奖励制度，该奖励本月暂缓发放",
                "The reward policy holds this payment for this month",
            ),
            Self::PasswordChangeRequired => (
                "请先修改密码",
                "Change your password before doing anything else",
            ),
            Self::CurrentPasswordWrong => ("当前密码不正确", "The current password is wrong"),
            Self::LastAdmin => (
                "不能停用最后一个管理员",
                "The last active admin cannot be deactivated",
            ),
            Self::InvalidActivationCode => (
                "激活码无效、已使用或已过期",
                "The activation code is not valid, already used or expired",
            ),
            Self::ImportRejected => ("导入文件有错误", "The import file has errors"),
            Self::Internal => ("服务器内部错误", "Internal server error"),
            Self::Unavailable => ("服务暂不可用", "Service unavailable"),
            Self::UploadBusy => (
                "服务器正忙，请稍后重新发送",
                "The server is busy with other uploads; send it again shortly",
            ),
            Self::BodyTimeout => ("上传超时", "The upload took too long"),
            Self::IdempotencyKeyReused => (
                "该 Idempotency-Key 已用于另一份内容不同的请求",
                "This Idempotency-Key was already used for a different request",
            ),
            Self::PhotoStoreUnavailable => (
                "照片存储暂不可用，本次未提交，请稍后重试",
                "The photo store is unavailable; nothing was submitted, try again shortly",
            ),
            Self::ProofInvalid => (
                "这不是一份有效的举报凭证",
                "This is not a valid proof of report",
            ),
            Self::NotificationUrlInvalid => (
                "通知地址无效：须为 https:// 地址（仅本机地址可用 http://）",
                "The notification URL is not valid: it must be https:// (http:// only for loopback)",
            ),
            Self::NotificationEmailInvalid => {
                ("邮箱地址格式不正确", "An e-mail address is not valid")
            }
            Self::NotificationTooMany => ("通知邮箱过多", "Too many notification e-mail addresses"),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A human explanation in both languages; never carries identities or secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    /// Chinese text.
    pub zh: String,
    /// English text.
    pub en: String,
}

/// The error every service returns.
pub struct AppError {
    /// What the client sees as `code`.
    pub code: ErrorCode,
    /// Optional explanation for the client.
    pub detail: Option<Detail>,
    /// Field-level problems for validation errors: `(field, message)`.
    pub fields: Vec<(String, String)>,
    /// The cause, for the log only.
    pub source: Option<anyhow::Error>,
}

impl AppError {
    /// An error with only a code.
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            detail: None,
            fields: Vec::new(),
            source: None,
        }
    }

    /// Adds a bilingual detail.
    pub fn detail(mut self, zh: impl Into<String>, en: impl Into<String>) -> Self {
        self.detail = Some(Detail {
            zh: zh.into(),
            en: en.into(),
        });
        self
    }

    /// A validation failure on one field.
    pub fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        let en = en.into();
        let mut e = Self::new(ErrorCode::ValidationFailed).detail(zh, en.clone());
        e.fields.push((field.to_owned(), en));
        e
    }

    /// Names the field a problem is about (its message is the English detail).
    pub fn field(mut self, name: &str) -> Self {
        let msg = self
            .detail
            .as_ref()
            .map(|d| d.en.clone())
            .unwrap_or_else(|| self.code.titles().1.to_owned());
        self.fields.push((name.to_owned(), msg));
        self
    }

    /// Not found (also used when the record belongs to another tenant).
    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound)
    }

    /// The role may not do this.
    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden)
    }

    /// An unexpected failure; the cause goes to the log, the client sees only "internal".
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            source: Some(cause.into()),
            ..Self::new(ErrorCode::Internal)
        }
    }
}

impl fmt::Debug for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(d) = &self.detail {
            write!(f, ": {}", d.en)?;
        }
        if let Some(src) = &self.source {
            write!(f, "\ncaused by: {src:?}")?;
        }
        Ok(())
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Some(d) => write!(f, "{}: {}", self.code, d.en),
            None => write!(f, "{}", self.code),
        }
    }
}

impl std::error::Error for AppError {}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => Self::not_found(),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::new(ErrorCode::AlreadyExists)
            }
            other => Self::internal(other),
        }
    }
}

impl From<r2d2_error::PoolError> for AppError {
    fn from(e: r2d2_error::PoolError) -> Self {
        Self {
            source: Some(anyhow::anyhow!("database pool: {e}")),
            ..Self::new(ErrorCode::Unavailable)
        }
    }
}

/// Re-export so `From` above names the pool error without leaking r2d2 into callers.
mod r2d2_error {
    pub use diesel::r2d2::PoolError;
}

/// Shorthand for service results.
pub type AppResult<T> = Result<T, AppError>;
