//! The workers' board (`GET /m/v1/hazards`): the hazards found in the worker's own enterprise
//! and how they were handled, because the Safety Production Law (art. 41) asks that hazard
//! checks and their results be told to the staff.
//!
//! What it leaves out is the point of this module. Nothing on the board can lead back to a
//! reporter: no report id, no pseudonym, no description (a reporter's own words may give them
//! away — the title is what the ledger calls the hazard), no creator, no times finer than a
//! day (a minute-exact time could be matched against who was on shift). No staff names either:
//! the responsible person and verifiers stay on the staff ledger, since nothing lets an
//! enterprise say it prefers otherwise.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::context::AppContext;
use crate::domain::Actor;
use crate::domain::criteria::Level;
use crate::domain::hazard_state::HazardState;
use crate::domain::ledger_sheet::beijing_date;
use crate::error::{AppError, AppResult};
use crate::services::hazards::{self as ledger, today};
use crate::store::hazards::{self, HazardFilter, HazardRow};
use crate::store::pagination::PageRequest;

/// Longest measures summary shown, in characters.
const MEASURES_CHARS: usize = 120;

/// `GET /m/v1/hazards` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    /// `general` | `major`.
    pub level: Option<Level>,
    /// `registered` | `rectifying` | `awaiting_verification` | `closed`.
    #[param(pattern = "^(registered|rectifying|awaiting_verification|closed)$")]
    pub status: Option<String>,
    /// Cursor from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]*$", max_length = 512)]
    pub cursor: Option<String>,
    /// Page size (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// A hazard as the workers' board shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardItem {
    /// Hazard id (a reporter sees the same id in their own report's follow-up).
    pub id: String,
    /// What the ledger calls it (隐患名称).
    pub title: String,
    /// `general` | `major`.
    pub level: String,
    /// Area name.
    pub area: Option<String>,
    /// `registered` | `rectifying` | `awaiting_verification` | `closed`.
    pub status: String,
    /// `report` (a worker reported it) | `sweep` (found in a quarterly sweep).
    pub source: String,
    /// Day it went on the ledger (Beijing date).
    pub found_on: String,
    /// Rectification deadline (整改期限), once planned.
    pub deadline: Option<String>,
    /// Open and past its deadline.
    pub overdue: bool,
    /// Day it was closed (销号), Beijing date.
    pub closed_on: Option<String>,
    /// The current plan's measures (整改措施), shortened.
    pub measures: Option<String>,
}

/// A page of the board.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardPage {
    /// Hazards, newest first.
    pub items: Vec<BoardItem>,
    /// Cursor for the next page.
    pub next_cursor: Option<String>,
}

/// The enterprise whose board the actor may read: anyone who belongs to one (workers above all).
fn member_enterprise(actor: &Actor) -> AppResult<String> {
    match (&actor.enterprise_id, actor.role.is_enterprise_scoped()) {
        (Some(e), true) => Ok(e.clone()),
        _ => Err(AppError::forbidden()),
    }
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(MEASURES_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

fn item(
    r: HazardRow,
    areas: &HashMap<String, String>,
    measures: &HashMap<String, String>,
    today: &str,
) -> BoardItem {
    let overdue = r.status != HazardState::Closed.as_str()
        && r.deadline.as_deref().is_some_and(|d| d < today);
    BoardItem {
        area: r.area_id.as_ref().and_then(|a| areas.get(a)).cloned(),
        measures: measures.get(&r.id).map(|m| shorten(m)),
        found_on: beijing_date(r.created_at).to_string(),
        closed_on: r.closed_at.map(|t| beijing_date(t).to_string()),
        overdue,
        id: r.id,
        title: r.title,
        level: r.level,
        status: r.status,
        source: r.source,
        deadline: r.deadline,
    }
}

/// One page of the board of the actor's enterprise, newest first, through the ledger's
/// keyset-paginated query and indexes.
pub async fn board(ctx: &AppContext, actor: &Actor, q: BoardQuery) -> AppResult<BoardPage> {
    let ent = member_enterprise(actor)?;
    let page = PageRequest::parse(q.cursor.as_deref(), q.limit)?;
    let filter = HazardFilter {
        enterprise_id: ent.clone(),
        level: q.level.map(|l| l.as_str().to_owned()),
        status: q.status.as_deref().map(ledger::status).transpose()?,
        ..HazardFilter::default()
    };
    let p2 = page.clone();
    let (rows, areas, measures) = ctx
        .db(move |conn| {
            let rows = hazards::list(conn, &filter, &p2)?;
            let area_ids: Vec<String> = rows.iter().filter_map(|r| r.area_id.clone()).collect();
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let areas = hazards::area_names(conn, &ent, &area_ids)?;
            let measures = hazards::current_measures(conn, &ids)?;
            Ok((rows, areas, measures))
        })
        .await?;
    let (areas, measures): (HashMap<_, _>, HashMap<_, _>) =
        (areas.into_iter().collect(), measures.into_iter().collect());
    let (rows, next_cursor) = page.finish(rows, HazardRow::cursor);
    let today = today();
    Ok(BoardPage {
        items: rows
            .into_iter()
            .map(|r| item(r, &areas, &measures, &today))
            .collect(),
        next_cursor,
    })
}
