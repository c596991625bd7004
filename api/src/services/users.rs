//! Accounts: creating users (admin), listing them, and "who am I".

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::context::AppContext;
use crate::domain::inputs::{self, NewPassword, Username};
use crate::domain::{Actor, Role};
use crate::error::{AppError, AppResult};
use crate::services::personal::{self, Personal};
use crate::services::{audit, passwords};
use crate::store::pagination::PageRequest;
use crate::store::users::{self, UserRow};
use crate::store::{enterprises, time, write_tx};

/// `POST /api/v1/users`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Login name (3–64 of letters, digits, `.`, `_`, `-`).
    #[schema(
        min_length = 3,
        max_length = 64,
        pattern = r"^[A-Za-z0-9._-]{3,64}$",
        example = "steel.worker"
    )]
    pub username: String,
    /// Password (10–128 characters).
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    /// Role.
    pub role: Role,
    /// Required for worker, safety_manager, principal and custodian.
    #[serde(default)]
    pub enterprise_id: Option<String>,
    /// Required for bureau_officer.
    #[serde(default)]
    #[schema(
        max_length = 128,
        pattern = r"^[A-Za-z0-9_\u4e00-\u9fff-]+(/[A-Za-z0-9_\u4e00-\u9fff-]+)*$",
        example = "jiangbei/chengguan"
    )]
    pub jurisdiction: Option<String>,
    /// Name shown to colleagues.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub display_name: String,
    /// Phone (sealed at rest).
    #[serde(default)]
    #[schema(pattern = r"^\+?[0-9]{5,20}$", example = "13800001234")]
    pub phone: Option<String>,
    /// Employee number (sealed at rest).
    #[serde(default)]
    #[schema(max_length = 32, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub employee_no: Option<String>,
}

impl std::fmt::Debug for CreateUserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUserRequest")
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// A user as admins and the user themself see them. Phone and employee number are not listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Enterprise, for enterprise roles.
    pub enterprise_id: Option<String>,
    /// Jurisdiction, for bureau officers.
    pub jurisdiction: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Whether the account may log in.
    pub active: bool,
    /// Whether the user must replace a password an admin reset before doing anything else.
    pub must_change_password: bool,
    /// Creation time (RFC 3339).
    pub created_at: String,
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    /// The users.
    pub items: Vec<UserView>,
    /// Cursor for the next page, if there is one.
    pub next_cursor: Option<String>,
}

/// Query of `GET /api/v1/users`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Only users of this enterprise.
    pub enterprise_id: Option<String>,
    /// Cursor from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 512)]
    pub cursor: Option<String>,
    /// Page size (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// The view of a stored user (opens the sealed display name).
pub fn view(ctx: &AppContext, row: &UserRow) -> AppResult<UserView> {
    let p = personal::open(
        &ctx.keys,
        row.enterprise_id.as_deref(),
        &row.id,
        &row.personal_sealed,
    )?;
    Ok(UserView {
        id: row.id.clone(),
        username: row.username.clone(),
        role: Role::parse(&row.role)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown role")))?,
        enterprise_id: row.enterprise_id.clone(),
        jurisdiction: row.jurisdiction.clone(),
        display_name: p.display_name,
        active: row.active,
        must_change_password: row.must_change_password,
        created_at: time::to_rfc3339(row.created_at),
    })
}

/// Validated form of a new user.
struct NewUser {
    username: Username,
    password: NewPassword,
    role: Role,
    enterprise_id: Option<String>,
    jurisdiction: Option<String>,
    personal: Personal,
}

fn parse_new_user(req: CreateUserRequest) -> AppResult<NewUser> {
    let username = Username::parse(&req.username)?;
    let password = NewPassword::parse(&req.password)?;
    let display_name = inputs::text("display_name", &req.display_name, 64)?;
    let employee_no = inputs::optional_text("employee_no", req.employee_no.as_deref(), 32)?;
    let phone = req
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(inputs::phone)
        .transpose()?;
    let (enterprise_id, jurisdiction) = match req.role {
        r if r.is_enterprise_scoped() => {
            let e = req.enterprise_id.filter(|e| !e.is_empty()).ok_or_else(|| {
                AppError::invalid(
                    "enterprise_id",
                    "该角色需要指定所属企业",
                    "this role needs an enterprise_id",
                )
            })?;
            if req.jurisdiction.is_some() {
                return Err(AppError::invalid(
                    "jurisdiction",
                    "企业角色不能指定辖区",
                    "enterprise roles have no jurisdiction",
                ));
            }
            (Some(e), None)
        }
        Role::BureauOfficer => {
            let j = req.jurisdiction.as_deref().ok_or_else(|| {
                AppError::invalid(
                    "jurisdiction",
                    "监管人员需要指定辖区",
                    "a bureau officer needs a jurisdiction",
                )
            })?;
            if req.enterprise_id.is_some() {
                return Err(AppError::invalid(
                    "enterprise_id",
                    "监管人员不属于企业",
                    "a bureau officer belongs to no enterprise",
                ));
            }
            (None, Some(inputs::jurisdiction(j)?))
        }
        _ => {
            if req.enterprise_id.is_some() || req.jurisdiction.is_some() {
                return Err(AppError::invalid(
                    "role",
                    "管理员不属于企业或辖区",
                    "an admin has no enterprise or jurisdiction",
                ));
            }
            (None, None)
        }
    };
    Ok(NewUser {
        username,
        password,
        role: req.role,
        enterprise_id,
        jurisdiction,
        personal: Personal {
            display_name,
            employee_no,
            phone,
            area_id: None,
        },
    })
}

/// Creates a user. Admins only through HTTP; `actor = None` is the operator's CLI.
pub async fn create_user(
    ctx: &AppContext,
    actor: Option<&Actor>,
    req: CreateUserRequest,
) -> AppResult<UserView> {
    if actor.is_some_and(|a| !a.is_admin()) {
        return Err(AppError::forbidden());
    }
    let new = parse_new_user(req)?;
    let password = new.password.clone();
    let hash = ctx.cpu(move || passwords::hash(password.expose())).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let sealed = personal::seal(&ctx.keys, new.enterprise_id.as_deref(), &id, &new.personal)?;
    let row = UserRow {
        id,
        username: new.username.as_str().to_owned(),
        password_hash: hash,
        role: new.role.as_str().to_owned(),
        enterprise_id: new.enterprise_id,
        jurisdiction: new.jurisdiction,
        personal_sealed: sealed,
        active: true,
        created_at: time::now(),
        token_epoch: 0,
        must_change_password: false,
    };
    let actor = actor.cloned();
    let stored = row.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            if let Some(e) = &row.enterprise_id
                && enterprises::find(conn, e)?.is_none()
            {
                return Err(AppError::invalid(
                    "enterprise_id",
                    "企业不存在",
                    "no such enterprise",
                ));
            }
            if users::find_by_username(conn, &row.username)?.is_some() {
                return Err(AppError::new(crate::error::ErrorCode::AlreadyExists)
                    .detail("用户名已被使用", "the username is taken"));
            }
            users::insert(conn, &row)?;
            audit::record(
                conn,
                actor.as_ref(),
                "user.create",
                "user",
                Some(&row.id),
                serde_json::json!({ "role": row.role, "enterprise_id": row.enterprise_id,
                                     "jurisdiction": row.jurisdiction }),
            )
        })
    })
    .await?;
    view(ctx, &stored)
}

/// Lists users (admins only).
pub async fn list_users(ctx: &AppContext, actor: &Actor, q: UserQuery) -> AppResult<UserPage> {
    if !actor.is_admin() {
        return Err(AppError::forbidden());
    }
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let p2 = page.clone();
    let rows = ctx
        .db(move |conn| Ok(users::list(conn, q.enterprise_id.as_deref(), &p2)?))
        .await?;
    let (rows, next_cursor) = page.finish(rows, UserRow::cursor);
    let items = rows
        .iter()
        .map(|r| view(ctx, r))
        .collect::<AppResult<_>>()?;
    Ok(UserPage { items, next_cursor })
}

/// The logged-in user's own account.
pub async fn me(ctx: &AppContext, actor: &Actor) -> AppResult<UserView> {
    let id = actor.user_id.clone();
    let row = ctx
        .db(move |conn| users::find(conn, &id)?.ok_or_else(AppError::not_found))
        .await?;
    view(ctx, &row)
}
