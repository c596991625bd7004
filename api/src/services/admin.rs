//! Enterprises and their areas.

use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::context::AppContext;
use crate::domain::access::EnterpriseAccess;
use crate::domain::{Actor, Role, Sector, credit_code, inputs};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::audit;
use crate::store::enterprises::{self, AreaRow, EnterpriseRow, Scope};
use crate::store::pagination::PageRequest;
use crate::store::{DbConn, time, write_tx};

/// Letters and digits a person can read off a poster and type: no 0/O, 1/I/L.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

fn random_code(len: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    (0..len)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// `POST /api/v1/enterprises`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEnterpriseRequest {
    /// Registered name.
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// Unified social credit code (18 characters, check character verified).
    #[schema(
        min_length = 18,
        max_length = 18,
        pattern = r"^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$",
        example = "91350100M000100Y43"
    )]
    pub credit_code: String,
    /// `steel` or `nonferrous`.
    pub sector: Sector,
    /// Jurisdiction path, e.g. `jiangbei/chengguan`.
    #[schema(
        max_length = 128,
        pattern = r"^[A-Za-z0-9_\u4e00-\u9fff-]+(/[A-Za-z0-9_\u4e00-\u9fff-]+)*$",
        example = "jiangbei/chengguan"
    )]
    pub jurisdiction: String,
}

/// An enterprise.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseView {
    /// Id.
    pub id: String,
    /// Registered name.
    pub name: String,
    /// Unified social credit code.
    pub credit_code: String,
    /// Sector.
    pub sector: Sector,
    /// Jurisdiction path.
    pub jurisdiction: String,
    /// Code on the intake poster: anyone holding it may report anonymously.
    pub intake_code: String,
    /// Creation time (RFC 3339).
    pub created_at: String,
}

/// A page of enterprises.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnterprisePage {
    /// The enterprises.
    pub items: Vec<EnterpriseView>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// Query of list routes.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Cursor from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 512)]
    pub cursor: Option<String>,
    /// Page size (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// `POST /api/v1/enterprises/{id}/areas`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAreaRequest {
    /// Name, unique within the enterprise (e.g. 炼钢车间).
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// Optional description.
    #[serde(default)]
    #[schema(max_length = 500, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub description: Option<String>,
}

/// An area of a site, with the token its QR poster carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaView {
    /// Id.
    pub id: String,
    /// Owning enterprise.
    pub enterprise_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// QR intake token: scanning it pre-selects the area (and the enterprise).
    pub qr_token: String,
    /// Creation time (RFC 3339).
    pub created_at: String,
}

/// Renders a stored enterprise.
pub fn enterprise_view(row: EnterpriseRow) -> AppResult<EnterpriseView> {
    Ok(EnterpriseView {
        sector: Sector::parse(&row.sector)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown sector")))?,
        created_at: time::to_rfc3339(row.created_at),
        id: row.id,
        name: row.name,
        credit_code: row.credit_code,
        jurisdiction: row.jurisdiction,
        intake_code: row.intake_code,
    })
}

fn area_view(row: AreaRow) -> AreaView {
    AreaView {
        created_at: time::to_rfc3339(row.created_at),
        id: row.id,
        enterprise_id: row.enterprise_id,
        name: row.name,
        description: row.description,
        qr_token: row.qr_token,
    }
}

/// The gate of the platform admin's own pages and routes (enterprises, users, the catalog,
/// the outbox, keys): anyone else is refused (403).
pub fn require_admin(actor: &Actor) -> AppResult<()> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// Loads an enterprise the actor may access at least at `needed`; otherwise 404 (if invisible)
/// or 403 (visible but not manageable).
pub fn enterprise_for(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    needed: EnterpriseAccess,
) -> AppResult<EnterpriseRow> {
    let row = enterprises::find(conn, id)?.ok_or_else(AppError::not_found)?;
    match (actor.enterprise_access(&row.id, &row.jurisdiction), needed) {
        (EnterpriseAccess::None, _) => Err(AppError::not_found()),
        (EnterpriseAccess::Read, EnterpriseAccess::Manage) => Err(AppError::forbidden()),
        _ => Ok(row),
    }
}

/// Registers an enterprise (admins only; `None` actor is the CLI).
pub async fn create_enterprise(
    ctx: &AppContext,
    actor: Option<&Actor>,
    req: CreateEnterpriseRequest,
) -> AppResult<EnterpriseView> {
    if actor.is_some_and(|a| !a.is_admin()) {
        return Err(AppError::forbidden());
    }
    let name = inputs::text("name", &req.name, 128)?;
    let credit_code = credit_code::parse(&req.credit_code).ok_or_else(|| {
        AppError::invalid(
            "credit_code",
            "统一社会信用代码无效（18 位，校验位须正确）",
            "credit_code is not a valid unified social credit code (18 characters, check digit)",
        )
    })?;
    let jurisdiction = inputs::jurisdiction(&req.jurisdiction)?;
    let row = EnterpriseRow {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        credit_code,
        sector: req.sector.as_str().to_owned(),
        jurisdiction,
        intake_code: random_code(10),
        created_at: time::now(),
    };
    let actor = actor.cloned();
    let stored = row.clone();
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            enterprises::insert(conn, &row).map_err(|e| match AppError::from(e) {
                e if e.code == ErrorCode::AlreadyExists => e.detail(
                    "该统一社会信用代码已登记",
                    "an enterprise with this credit code exists",
                ),
                e => e,
            })?;
            audit::record(
                conn,
                actor.as_ref(),
                "enterprise.create",
                "enterprise",
                Some(&row.id),
                serde_json::json!({ "sector": row.sector, "jurisdiction": row.jurisdiction }),
            )
        })
    })
    .await?;
    enterprise_view(stored)
}

/// Lists the enterprises the actor may see.
pub async fn list_enterprises(
    ctx: &AppContext,
    actor: &Actor,
    q: PageQuery,
) -> AppResult<EnterprisePage> {
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let actor2 = actor.clone();
    let p2 = page.clone();
    let rows = ctx
        .db(move |conn| {
            let scope = match (&actor2.role, &actor2.enterprise_id, &actor2.jurisdiction) {
                (Role::Admin, _, _) => Scope::All,
                (Role::BureauOfficer, _, Some(j)) => Scope::Jurisdiction(j),
                (r, Some(e), _) if r.is_enterprise_scoped() => Scope::One(e),
                _ => return Err(AppError::forbidden()),
            };
            Ok(enterprises::list(conn, scope, &p2)?)
        })
        .await?;
    let (rows, next_cursor) = page.finish(rows, EnterpriseRow::cursor);
    Ok(EnterprisePage {
        items: rows
            .into_iter()
            .map(enterprise_view)
            .collect::<AppResult<_>>()?,
        next_cursor,
    })
}

/// One enterprise, if the actor may see it.
pub async fn get_enterprise(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
) -> AppResult<EnterpriseView> {
    enterprise_with(ctx, actor, id, EnterpriseAccess::Read).await
}

/// An enterprise the actor may manage (admin, its safety manager or principal): for a page
/// whose every action manages it, such as the worker import, so nobody is shown a form that
/// would only be refused. Invisible: 404; visible but not manageable: 403.
pub async fn get_enterprise_to_manage(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
) -> AppResult<EnterpriseView> {
    enterprise_with(ctx, actor, id, EnterpriseAccess::Manage).await
}

async fn enterprise_with(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    needed: EnterpriseAccess,
) -> AppResult<EnterpriseView> {
    let actor = actor.clone();
    let row = ctx
        .db(move |conn| enterprise_for(conn, &actor, &id, needed))
        .await?;
    enterprise_view(row)
}

/// Adds an area to an enterprise (admin, or the enterprise's safety manager or principal).
pub async fn create_area(
    ctx: &AppContext,
    actor: &Actor,
    enterprise_id: String,
    req: CreateAreaRequest,
) -> AppResult<AreaView> {
    let name = inputs::text("name", &req.name, 64)?;
    let description =
        inputs::optional_text("description", req.description.as_deref(), 500)?.unwrap_or_default();
    let actor = actor.clone();
    let row = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let ent = enterprise_for(conn, &actor, &enterprise_id, EnterpriseAccess::Manage)?;
                let row = AreaRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    enterprise_id: ent.id,
                    name,
                    description,
                    qr_token: random_code(16),
                    created_at: time::now(),
                };
                enterprises::insert_area(conn, &row).map_err(|e| match AppError::from(e) {
                    e if e.code == ErrorCode::AlreadyExists => e.detail(
                        "该企业已有同名区域",
                        "the enterprise has an area of that name",
                    ),
                    e => e,
                })?;
                audit::record(
                    conn,
                    Some(&actor),
                    "area.create",
                    "area",
                    Some(&row.id),
                    serde_json::json!({ "enterprise_id": row.enterprise_id }),
                )?;
                Ok(row)
            })
        })
        .await?;
    Ok(area_view(row))
}

/// The areas of an enterprise the actor may see.
pub async fn list_areas(
    ctx: &AppContext,
    actor: &Actor,
    enterprise_id: String,
) -> AppResult<Vec<AreaView>> {
    let actor = actor.clone();
    let rows = ctx
        .db(move |conn| {
            let ent = enterprise_for(conn, &actor, &enterprise_id, EnterpriseAccess::Read)?;
            Ok(enterprises::list_areas(conn, &ent.id)?)
        })
        .await?;
    Ok(rows.into_iter().map(area_view).collect())
}
