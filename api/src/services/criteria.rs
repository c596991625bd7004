//! The major-hazard criteria catalog (判定标准): listing it, and admins adding an enterprise's
//! own criteria.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::context::AppContext;
use crate::domain::access::EnterpriseAccess;
use crate::domain::{Actor, Sector, criteria as rules, inputs};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::services::{admin, audit};
use crate::store::criteria::{self, CriterionRow};
use crate::store::{time, write_tx};

/// `GET /api/v1/criteria` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CriteriaQuery {
    /// `steel` or `nonferrous`: that sector's items plus those for all sectors.
    pub sector: Option<Sector>,
}

/// One criterion.
#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionView {
    /// Stable code (`MEM10-4-2`).
    pub code: String,
    /// `steel`, `nonferrous` or `all`.
    pub sector: String,
    /// Chinese summary.
    pub summary_zh: String,
    /// English summary.
    pub summary_en: String,
    /// Where it comes from (`第4条第2项`, or the enterprise's own rule).
    pub article: String,
    /// Set for an enterprise-specific criterion.
    pub enterprise_id: Option<String>,
}

/// `POST /api/v1/criteria` (admin): an enterprise-specific criterion.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCriterionRequest {
    /// Code: upper-case letters, digits and `-`, not starting `MEM10-` (reserved).
    #[schema(
        min_length = 3,
        max_length = 32,
        pattern = r"^(?!MEM10-)[A-Z][A-Z0-9-]{2,31}$",
        example = "JBGT-01"
    )]
    pub code: String,
    /// The enterprise it applies to.
    pub enterprise_id: String,
    /// `steel`, `nonferrous` or `all`.
    #[schema(pattern = r"^(steel|nonferrous|all)$", example = "steel")]
    pub sector: String,
    /// Where it comes from.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub article: String,
    /// Chinese summary.
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub summary_zh: String,
    /// English summary.
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub summary_en: String,
}

fn view(r: CriterionRow) -> CriterionView {
    CriterionView {
        code: r.code,
        sector: r.sector,
        summary_zh: r.summary_zh,
        summary_en: r.summary_en,
        article: r.article,
        enterprise_id: r.enterprise_id,
    }
}

/// The catalog as the actor may use it: the shared items, plus its own enterprise's.
pub async fn list_criteria(
    ctx: &AppContext,
    actor: &Actor,
    q: CriteriaQuery,
) -> AppResult<Vec<CriterionView>> {
    let ent = actor
        .enterprise_id
        .clone()
        .filter(|_| actor.role.is_enterprise_scoped());
    catalog(ctx, q.sector, ent).await
}

/// The catalog as an admin looks after it (admins only): the shared items, plus those of
/// `enterprise_id` when one is chosen, so an item just added shows among its enterprise's.
pub async fn admin_catalog(
    ctx: &AppContext,
    actor: &Actor,
    enterprise_id: Option<String>,
) -> AppResult<Vec<CriterionView>> {
    admin::require_admin(actor)?;
    catalog(ctx, None, enterprise_id).await
}

/// The shared catalog of a sector, for the phone page's report form before anyone logs in
/// (`GET /m/v1/criteria`): it is the published standard, nothing of any enterprise's.
pub async fn public_catalog(ctx: &AppContext, q: CriteriaQuery) -> AppResult<Vec<CriterionView>> {
    catalog(ctx, q.sector, None).await
}

async fn catalog(
    ctx: &AppContext,
    sector: Option<Sector>,
    ent: Option<String>,
) -> AppResult<Vec<CriterionView>> {
    let rows = ctx
        .db(move |conn| {
            Ok(criteria::list(
                conn,
                sector.map(Sector::as_str),
                ent.as_deref(),
            )?)
        })
        .await?;
    Ok(rows.into_iter().map(view).collect())
}

/// Adds an enterprise-specific criterion (admins only).
pub async fn create_criterion(
    ctx: &AppContext,
    actor: &Actor,
    req: CreateCriterionRequest,
) -> AppResult<CriterionView> {
    if !actor.is_admin() {
        return Err(AppError::forbidden());
    }
    let code = req.code.trim().to_owned();
    if !rules::is_valid_custom_code(&code) {
        return Err(AppError::invalid(
            "code",
            "代码应为 3–32 位大写字母、数字或 -，且不能以 MEM10- 开头",
            "code must be 3–32 upper-case letters, digits or -, not starting with MEM10-",
        ));
    }
    if !matches!(req.sector.as_str(), "steel" | "nonferrous" | "all") {
        return Err(AppError::invalid(
            "sector",
            "行业应为 steel、nonferrous 或 all",
            "sector must be steel, nonferrous or all",
        ));
    }
    let row = CriterionRow {
        code,
        enterprise_id: Some(req.enterprise_id),
        sector: req.sector,
        article: inputs::text("article", &req.article, 64)?,
        summary_zh: inputs::text("summary_zh", &req.summary_zh, 300)?,
        summary_en: inputs::text("summary_en", &req.summary_en, 500)?,
        created_at: time::now(),
    };
    let actor = actor.clone();
    let stored = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                let ent_id = row.enterprise_id.clone().unwrap_or_default();
                admin::enterprise_for(conn, &actor, &ent_id, EnterpriseAccess::Manage)?;
                criteria::insert(conn, &row).map_err(|e| match AppError::from(e) {
                    e if e.code == ErrorCode::AlreadyExists => {
                        e.detail("该代码已被使用", "this code is taken")
                    }
                    e => e,
                })?;
                audit::record(
                    conn,
                    Some(&actor),
                    "criterion.create",
                    "criterion",
                    Some(&row.code),
                    serde_json::json!({ "enterprise_id": ent_id, "sector": row.sector }),
                )?;
                Ok(row)
            })
        })
        .await?;
    Ok(view(stored))
}
