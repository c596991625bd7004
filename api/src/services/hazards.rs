//! The ledger (台账): listing and reading hazards, recording hazards found in a quarterly sweep,
//! and the sweeps themselves.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::context::AppContext;
use crate::domain::criteria::{self as rules, Level};
use crate::domain::hazard_state::HazardState;
use crate::domain::quarter::Quarter;
use crate::domain::{Actor, inputs};
use crate::error::{AppError, AppResult};
use crate::media::vault::Variant;
use crate::services::audit;
use crate::services::ledger_common::{criterion_codes, date, same_tenant, staff_enterprise};
use crate::services::photos::{self, MAX_ATTACHED, PhotoMeta};
use crate::services::triage::registered_event;
use crate::store::hazards::{
    self, EvidenceRow, HazardEventRow, HazardFilter, HazardRow, PlanRow, SweepRow,
};
use crate::store::pagination::PageRequest;
use crate::store::reports::{self, PhotoRow};
use crate::store::{DbConn, time, write_tx};

/// Where a hazard came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A worker's report.
    Report,
    /// A quarterly sweep.
    Sweep,
}

impl Source {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Sweep => "sweep",
        }
    }
}

/// Parses a `status` filter.
pub fn status(raw: &str) -> AppResult<String> {
    HazardState::parse(raw)
        .map(|s| s.as_str().to_owned())
        .ok_or_else(|| {
            AppError::invalid(
                "status",
                "status 应为 registered、rectifying、awaiting_verification 或 closed",
                "status must be registered, rectifying, awaiting_verification or closed",
            )
        })
}

/// `GET /api/v1/hazards` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HazardQuery {
    /// `general` | `major`.
    pub level: Option<Level>,
    /// `registered` | `rectifying` | `awaiting_verification` | `closed`.
    #[param(pattern = "^(registered|rectifying|awaiting_verification|closed)$")]
    pub status: Option<String>,
    /// An area id.
    pub area_id: Option<String>,
    /// `report` | `sweep`.
    pub source: Option<Source>,
    /// `2026Q4`: hazards found in that quarter.
    #[param(pattern = "^2[0-9]{3}Q[1-4]$")]
    pub quarter: Option<String>,
    /// `true`: only open hazards past their plan's deadline.
    pub overdue: Option<bool>,
    /// Cursor from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 512)]
    pub cursor: Option<String>,
    /// Page size (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// A hazard on the ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardView {
    /// Id.
    pub id: String,
    /// One line.
    pub title: String,
    /// What is wrong.
    pub description: String,
    /// `general` | `major`.
    pub level: String,
    /// Major-hazard criteria it meets.
    pub criterion_codes: Vec<String>,
    /// `report` | `sweep`.
    pub source: String,
    /// The report it came from.
    pub report_id: Option<String>,
    /// The sweep it was found in.
    pub sweep_id: Option<String>,
    /// Area.
    pub area_id: Option<String>,
    /// State.
    pub status: String,
    /// Quarter it was found in.
    pub quarter: String,
    /// Deadline of the current plan.
    pub deadline: Option<String>,
    /// Open and past its deadline.
    pub overdue: bool,
    /// Current plan version (0: none).
    pub plan_version: i32,
    /// When it was put on the ledger.
    pub created_at: String,
    /// When it was closed (销号).
    pub closed_at: Option<String>,
}

/// A page of the ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardPage {
    /// Hazards, newest first.
    pub items: Vec<HazardView>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// One version of a 五落实 plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    /// 1, 2, …
    pub version: i32,
    /// 整改措施.
    pub measures: String,
    /// 责任人.
    pub responsible_person: String,
    /// The responsible person's account, if named.
    pub responsible_user_id: Option<String>,
    /// 整改资金 (fen).
    pub funds_fen: Option<i64>,
    /// 整改期限.
    pub deadline: Option<String>,
    /// 应急预案.
    pub contingency_plan: Option<String>,
    /// Who wrote it.
    pub author_id: String,
    /// When.
    pub created_at: String,
}

/// Rectification evidence.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    /// Id (photos attach to it).
    pub id: String,
    /// What was done.
    pub note: String,
    /// Sanitised photos of the rectification (`GET /api/v1/hazards/{id}/photos/{photo_id}`).
    pub photos: Vec<PhotoMeta>,
    /// Who submitted it.
    pub author_id: String,
    /// When.
    pub created_at: String,
}

/// A timeline entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardEventView {
    /// When.
    pub at: String,
    /// Staff member.
    pub actor_id: Option<String>,
    /// Their role.
    pub actor_role: Option<String>,
    /// What happened.
    pub kind: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: Option<String>,
    /// Note or reason.
    pub note: Option<String>,
}

/// One hazard with its plan, plan history, evidence and timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct HazardDetail {
    /// The hazard.
    #[serde(flatten)]
    pub hazard: HazardView,
    /// Sanitised photos taken when it was found in a sweep
    /// (`GET /api/v1/hazards/{id}/photos/{photo_id}`).
    pub photos: Vec<PhotoMeta>,
    /// The current plan.
    pub plan: Option<PlanView>,
    /// Every plan version, oldest first.
    pub plan_history: Vec<PlanView>,
    /// Evidence, oldest first.
    pub evidence: Vec<EvidenceView>,
    /// Timeline, oldest first.
    pub timeline: Vec<HazardEventView>,
}

/// `POST /api/v1/hazards`: a hazard found in a sweep. Sent as JSON, or as a multipart form with
/// this JSON in part `hazard` and up to five `photo` parts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHazardRequest {
    /// One line.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub title: String,
    /// What is wrong.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub description: String,
    /// Area of the site.
    pub area_id: Option<String>,
    /// Level (major whenever a criterion is given).
    pub level: Option<Level>,
    /// Major-hazard criteria it meets.
    #[schema(max_items = 20, inline, value_type = Option<Vec<crate::http::openapi::CriterionCode>>)]
    pub criterion_codes: Option<Vec<String>>,
    /// The sweep it was found in.
    pub sweep_id: Option<String>,
}

/// `POST /api/v1/sweeps`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSweepRequest {
    /// `2026Q4`.
    #[schema(pattern = r"^2[0-9]{3}Q[1-4]$", example = "2026Q4")]
    pub quarter: String,
    /// Who led it (the principal or a safety manager).
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub leader: String,
    /// What it covered.
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub scope: String,
    /// When (`YYYY-MM-DD`, within the quarter).
    #[schema(format = Date)]
    pub date: String,
}

/// A recorded sweep.
#[derive(Debug, Serialize, ToSchema)]
pub struct SweepView {
    /// Id.
    pub id: String,
    /// `2026Q4`.
    pub quarter: String,
    /// Who led it.
    pub leader: String,
    /// What it covered.
    pub scope: String,
    /// When.
    pub date: String,
    /// When recorded.
    pub created_at: String,
}

/// Today's date in UTC as `YYYY-MM-DD` (deadlines are calendar dates).
pub fn today() -> String {
    time::now().date().format("%Y-%m-%d").to_string()
}

/// Renders a stored hazard.
pub fn hazard_view(r: HazardRow, today: &str) -> HazardView {
    let overdue = r.status != HazardState::Closed.as_str()
        && r.deadline.as_deref().is_some_and(|d| d < today);
    HazardView {
        criterion_codes: serde_json::from_str(&r.criterion_codes).unwrap_or_default(),
        created_at: time::to_rfc3339(r.created_at),
        closed_at: r.closed_at.map(time::to_rfc3339),
        overdue,
        id: r.id,
        title: r.title,
        description: r.description,
        level: r.level,
        source: r.source,
        report_id: r.report_id,
        sweep_id: r.sweep_id,
        area_id: r.area_id,
        status: r.status,
        quarter: r.quarter,
        deadline: r.deadline,
        plan_version: r.plan_version,
    }
}

fn plan_view(p: PlanRow) -> PlanView {
    PlanView {
        version: p.version,
        measures: p.measures,
        responsible_person: p.responsible_person,
        responsible_user_id: p.responsible_user_id,
        funds_fen: p.funds_fen,
        deadline: p.deadline,
        contingency_plan: p.contingency_plan,
        author_id: p.author_id,
        created_at: time::to_rfc3339(p.created_at),
    }
}

fn evidence_view(e: EvidenceRow, photos: Vec<PhotoRow>) -> EvidenceView {
    EvidenceView {
        photos: photos.into_iter().map(PhotoMeta::from).collect(),
        id: e.id,
        note: e.note,
        author_id: e.author_id,
        created_at: time::to_rfc3339(e.created_at),
    }
}

fn event_view(e: HazardEventRow) -> HazardEventView {
    HazardEventView {
        at: time::to_rfc3339(e.at),
        actor_id: e.actor_id,
        actor_role: e.actor_role,
        kind: e.kind,
        from_status: e.from_status,
        to_status: e.to_status,
        note: e.note,
    }
}

/// Parses a `quarter` parameter.
pub fn quarter(raw: &str) -> AppResult<Quarter> {
    Quarter::parse(raw.trim()).ok_or_else(|| {
        AppError::invalid(
            "quarter",
            "quarter 应形如 2026Q4",
            "quarter must look like 2026Q4",
        )
    })
}

/// One page of the actor's enterprise's ledger.
pub async fn list_hazards(
    ctx: &AppContext,
    actor: &Actor,
    q: HazardQuery,
) -> AppResult<HazardPage> {
    let ent = staff_enterprise(actor)?;
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let today = today();
    let filter = HazardFilter {
        enterprise_id: ent,
        level: q.level.map(|l| l.as_str().to_owned()),
        status: q.status.as_deref().map(status).transpose()?,
        area_id: q.area_id,
        source: q.source.map(|s| s.as_str().to_owned()),
        quarter: q
            .quarter
            .as_deref()
            .map(quarter)
            .transpose()?
            .map(|q| q.to_string()),
        overdue_on: q.overdue.filter(|o| *o).map(|_| today.clone()),
    };
    let p2 = page.clone();
    let rows = ctx
        .db(move |conn| Ok(hazards::list(conn, &filter, &p2)?))
        .await?;
    let (rows, next_cursor) = page.finish(rows, HazardRow::cursor);
    Ok(HazardPage {
        items: rows.into_iter().map(|r| hazard_view(r, &today)).collect(),
        next_cursor,
    })
}

/// Loads a hazard of the actor's enterprise (404 for another enterprise's).
pub fn hazard_for(conn: &mut DbConn, ent: &str, id: &str) -> AppResult<HazardRow> {
    let h = hazards::find(conn, id)?.ok_or_else(AppError::not_found)?;
    same_tenant(&h.enterprise_id, ent)?;
    Ok(h)
}

/// One hazard with its plan, history, evidence and timeline.
pub async fn get_hazard(ctx: &AppContext, actor: &Actor, id: String) -> AppResult<HazardDetail> {
    let ent = staff_enterprise(actor)?;
    ctx.db(move |conn| load_detail(conn, &ent, &id)).await
}

/// Reads a hazard's full detail (also the answer of every rectification step).
pub fn load_detail(conn: &mut DbConn, ent: &str, id: &str) -> AppResult<HazardDetail> {
    let h = hazard_for(conn, ent, id)?;
    let plans = hazards::plans_of(conn, id)?;
    let mut evidence = Vec::new();
    for e in hazards::evidence_of(conn, id)? {
        let photos = reports::photos_of(conn, OWNER_EVIDENCE, &e.id)?;
        evidence.push(evidence_view(e, photos));
    }
    let photos = reports::photos_of(conn, OWNER_HAZARD, id)?;
    let events = hazards::events_of(conn, id)?;
    let current = plans
        .iter()
        .find(|p| p.version == h.plan_version)
        .cloned()
        .map(plan_view);
    Ok(HazardDetail {
        hazard: hazard_view(h, &today()),
        photos: photos.into_iter().map(PhotoMeta::from).collect(),
        plan: current,
        plan_history: plans.into_iter().map(plan_view).collect(),
        evidence,
        timeline: events.into_iter().map(event_view).collect(),
    })
}

/// `photos.owner_type` of a sweep finding's photos.
pub const OWNER_HAZARD: &str = "hazard";
/// `photos.owner_type` of rectification evidence photos.
pub const OWNER_EVIDENCE: &str = "evidence";

/// Sanitises photos attached to a hazard or its evidence with the report photos' sanitiser.
pub async fn prepare_photos(
    ctx: &AppContext,
    uploads: Vec<Vec<u8>>,
) -> AppResult<photos::Prepared> {
    if uploads.len() > MAX_ATTACHED {
        return Err(AppError::new(crate::error::ErrorCode::PhotoCount).detail(
            format!("最多 {MAX_ATTACHED} 张照片"),
            format!("at most {MAX_ATTACHED} photos"),
        ));
    }
    photos::prepare(ctx, uploads).await
}

/// Records a hazard found in a sweep, with up to five photos (sanitised like a report's: no
/// EXIF, GPS or device serial survives).
pub async fn create_hazard(
    ctx: &AppContext,
    actor: &Actor,
    req: CreateHazardRequest,
    uploads: Vec<Vec<u8>>,
) -> AppResult<HazardDetail> {
    let ent = staff_enterprise(actor)?;
    let title = inputs::text("title", &req.title, 100)?;
    let description = inputs::text("description", &req.description, 2000)?;
    let prepared = prepare_photos(ctx, uploads).await?;
    let actor = actor.clone();
    let id = uuid::Uuid::new_v4().to_string();
    let ent_c = ent.clone();
    let id_c = id.clone();
    photos::commit_with(ctx, &ent, OWNER_HAZARD, &id, prepared, move |conn| {
        let (ent, id) = (ent_c, id_c);
        if let Some(a) = &req.area_id
            && hazards::area_name(conn, &ent, a)?.is_none()
        {
            return Err(AppError::invalid(
                "area_id",
                "区域不属于本企业",
                "area_id must be an area of this enterprise",
            ));
        }
        if let Some(s) = &req.sweep_id
            && hazards::find_sweep(conn, s)?.is_none_or(|s| s.enterprise_id != ent)
        {
            return Err(AppError::invalid(
                "sweep_id",
                "排查记录不属于本企业",
                "sweep_id must be a sweep of this enterprise",
            ));
        }
        let codes = criterion_codes(conn, req.criterion_codes, &ent)?;
        let level = rules::effective_level(req.level, &codes);
        let now = time::now();
        let row = HazardRow {
            id,
            enterprise_id: ent.clone(),
            area_id: req.area_id,
            title,
            description,
            level: level.as_str().to_owned(),
            criterion_codes: serde_json::to_string(&codes).map_err(AppError::internal)?,
            source: Source::Sweep.as_str().to_owned(),
            report_id: None,
            sweep_id: req.sweep_id,
            status: HazardState::Registered.as_str().to_owned(),
            quarter: Quarter::of(crate::domain::ledger_sheet::beijing_date(now)).to_string(),
            deadline: None,
            plan_version: 0,
            created_by: actor.user_id.clone(),
            created_at: now,
            closed_at: None,
            updated_at: now,
        };
        hazards::insert(conn, &row)?;
        registered_event(
            conn,
            &actor,
            &row.id,
            now,
            "季度排查发现 / found in a sweep",
        )?;
        audit::record(
            conn,
            Some(&actor),
            "hazard.create",
            "hazard",
            Some(&row.id),
            serde_json::json!({ "level": row.level, "source": "sweep" }),
        )?;
        load_detail(conn, &ent, &row.id)
    })
    .await
}

/// `GET /api/v1/hazards/{id}/photos/{photo_id}`: a sanitised photo of the hazard (sweep) or of
/// its rectification evidence, for staff of its enterprise; 404 for anything else.
pub async fn photo(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
    photo_id: String,
    variant: Variant,
) -> AppResult<Vec<u8>> {
    let ent = staff_enterprise(actor)?;
    let row = ctx
        .db(move |conn| {
            let h = hazard_for(conn, &ent, &id)?;
            let p = reports::find_photo(conn, &photo_id)?.ok_or_else(AppError::not_found)?;
            let belongs = match p.owner_type.as_str() {
                OWNER_HAZARD => p.owner_id == h.id,
                OWNER_EVIDENCE => hazards::evidence_of(conn, &h.id)?
                    .iter()
                    .any(|e| e.id == p.owner_id),
                _ => false,
            };
            if !belongs || p.enterprise_id != ent {
                return Err(AppError::not_found());
            }
            Ok(p)
        })
        .await?;
    photos::load(ctx, row, variant).await
}

fn sweep_view(row: SweepRow) -> SweepView {
    SweepView {
        id: row.id,
        quarter: row.quarter,
        leader: row.leader,
        scope: row.scope,
        date: row.swept_on,
        created_at: time::to_rfc3339(row.created_at),
    }
}

/// The actor's enterprise's most recent sweeps (the console's 排查 page).
pub async fn list_sweeps(ctx: &AppContext, actor: &Actor) -> AppResult<Vec<SweepView>> {
    let ent = staff_enterprise(actor)?;
    let rows = ctx
        .db(move |conn| Ok(hazards::list_sweeps(conn, &ent, 40)?))
        .await?;
    Ok(rows.into_iter().map(sweep_view).collect())
}

/// One sweep of the actor's enterprise and the hazards found in it (404 for another's).
pub async fn sweep_findings(
    ctx: &AppContext,
    actor: &Actor,
    id: String,
) -> AppResult<(SweepView, Vec<HazardView>)> {
    let ent = staff_enterprise(actor)?;
    let (sweep, rows) = ctx
        .db(move |conn| {
            let sweep = hazards::find_sweep(conn, &id)?
                .filter(|s| s.enterprise_id == ent)
                .ok_or_else(AppError::not_found)?;
            let rows = hazards::of_sweep(conn, &sweep.id)?;
            Ok((sweep, rows))
        })
        .await?;
    let today = today();
    Ok((
        sweep_view(sweep),
        rows.into_iter().map(|r| hazard_view(r, &today)).collect(),
    ))
}

/// Records a quarterly sweep.
pub async fn create_sweep(
    ctx: &AppContext,
    actor: &Actor,
    req: CreateSweepRequest,
) -> AppResult<SweepView> {
    let ent = staff_enterprise(actor)?;
    let q = quarter(&req.quarter)?;
    let day: NaiveDate = date("date", &req.date)?;
    if Quarter::of(day) != q {
        return Err(AppError::invalid(
            "date",
            "排查日期应在所填季度内",
            "date must fall within the quarter",
        ));
    }
    let row = SweepRow {
        id: uuid::Uuid::new_v4().to_string(),
        enterprise_id: ent,
        quarter: q.to_string(),
        leader: inputs::text("leader", &req.leader, 64)?,
        scope: inputs::text("scope", &req.scope, 1000)?,
        swept_on: day.format("%Y-%m-%d").to_string(),
        created_by: actor.user_id.clone(),
        created_at: time::now(),
    };
    let actor = actor.clone();
    let row = ctx
        .db(move |conn| {
            write_tx(conn, |conn| {
                hazards::insert_sweep(conn, &row)?;
                audit::record(
                    conn,
                    Some(&actor),
                    "sweep.create",
                    "sweep",
                    Some(&row.id),
                    serde_json::json!({ "quarter": row.quarter }),
                )?;
                Ok(row)
            })
        })
        .await?;
    Ok(sweep_view(row))
}
