//! The 台账 exports: CSV and XLSX of a quarter or a date range, streamed page by page so a
//! million-row ledger never sits in memory whole.
//!
//! Both run as a small pipeline, so that on a machine with two cores the database and the
//! formatting each keep one busy: a reader ([`read_ahead`]) fetches pages of lines on a blocking
//! thread of its own and hands them over a short channel, a page or two ahead of the writer that
//! formats them ([`csv`], [`xlsx`]); the response sends what the writer produced.

pub mod congress;
mod csv;
mod xlsx;

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::{NaiveDateTime, TimeDelta};
use serde::Deserialize;
use tokio::sync::mpsc;
use utoipa::IntoParams;

pub use self::csv::csv_stream;
pub use self::xlsx::xlsx_stream;
use crate::context::AppContext;
use crate::domain::Actor;
use crate::domain::criteria::Level;
use crate::domain::hazard_state::HazardState;
use crate::domain::ledger_sheet::{escape_cell, push_beijing, push_yuan, source_zh};
use crate::error::{AppError, AppResult};
use crate::services::hazards::quarter;
use crate::services::ledger_common::{date, staff_enterprise};
use crate::store::hazards::{self, ExportRange, LedgerLine};

/// Rows fetched per database round trip. 5000 was no faster on either backend (a round trip
/// costs well under a millisecond beside the 2000 rows it brings) and holds more in memory.
const PAGE: i64 = 2000;

/// Pages the reader may be ahead of the writer (each a [`PAGE`] of lines, a few hundred bytes
/// per line).
const AHEAD: usize = 2;

/// `GET /api/v1/ledger.csv|xlsx` query: a quarter, or a date range (both ends inclusive, in
/// Beijing dates).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `2026Q4`.
    pub quarter: Option<String>,
    /// First day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Last day (`YYYY-MM-DD`).
    pub to: Option<String>,
}

/// Checks the actor and the range before anything is streamed, so errors are proper answers.
pub fn export_range(actor: &Actor, q: &ExportQuery) -> AppResult<ExportRange> {
    let enterprise_id = staff_enterprise(actor)?;
    let (from, to) = match (&q.quarter, &q.from, &q.to) {
        (Some(qr), None, None) => {
            let qr = quarter(qr)?;
            (qr.first_day(), qr.end())
        }
        (None, Some(f), Some(t)) => {
            let (f, t) = (date("from", f)?, date("to", t)?);
            if t < f || t - f > TimeDelta::days(3660) {
                return Err(AppError::invalid(
                    "to",
                    "to 应不早于 from，且范围不超过十年",
                    "to must not be before from, and the range at most ten years",
                ));
            }
            (f, t + TimeDelta::days(1))
        }
        _ => {
            return Err(AppError::invalid(
                "quarter",
                "请给出 quarter，或同时给出 from 和 to",
                "give either quarter, or both from and to",
            ));
        }
    };
    // Days are Beijing days; stored instants are UTC.
    let utc = |d: chrono::NaiveDate| -> NaiveDateTime {
        d.and_time(chrono::NaiveTime::MIN) - TimeDelta::hours(8)
    };
    Ok(ExportRange {
        enterprise_id,
        from: utc(from),
        to: utc(to),
        level: None,
    })
}

/// One page of lines of one part of an export (the XLSX's parts are its sheets).
#[derive(Debug)]
struct Page {
    /// Index into the parts given to [`read_ahead`].
    part: usize,
    /// The lines, oldest first; empty only when the part has no more.
    lines: Vec<LedgerLine>,
    /// Whether this is the part's last page.
    last: bool,
}

/// Reads every line of each part in turn, page by page, on a blocking thread with a connection
/// of its own, at most [`AHEAD`] pages ahead of whoever receives them. Stops early when the
/// receiver is dropped (the client went away); an error is sent on and ends the reading.
fn read_ahead(ctx: &AppContext, parts: Vec<ExportRange>) -> mpsc::Receiver<AppResult<Page>> {
    let (tx, rx) = mpsc::channel::<AppResult<Page>>(AHEAD);
    let pool = ctx.pool.clone();
    let slots = ctx.export_slots.clone();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let run = || -> AppResult<()> {
            // An export holds its connection from first page to last; waiting here for a slot
            // keeps a handful of simultaneous exports from taking the whole pool.
            let _slot = tokio::runtime::Handle::current()
                .block_on(slots.acquire_owned())
                .map_err(AppError::internal)?;
            let mut conn = pool.get()?;
            for (part, range) in parts.iter().enumerate() {
                let mut after = None;
                loop {
                    let lines = hazards::export_page(&mut conn, range, after.as_ref(), PAGE)?;
                    let last = (lines.len() as i64) < PAGE;
                    after = lines.last().map(LedgerLine::cursor);
                    if tx.blocking_send(Ok(Page { part, lines, last })).is_err() {
                        return Ok(()); // nobody listens any more
                    }
                    if last {
                        break;
                    }
                }
            }
            Ok(())
        };
        if let Err(e) = run() {
            let _ = tx.blocking_send(Err(e));
        }
    });
    rx
}

/// Reusable buffers for the cells of a line that are not stored as text, so that formatting a
/// line allocates nothing (but for the rare cell that needs escaping).
#[derive(Debug, Default)]
struct CellBuf {
    seq: String,
    found: String,
    funds: String,
    closed: String,
}

impl CellBuf {
    /// The 13 cells of line number `seq`, in the order of the headers, escaped; empty cells
    /// are "".
    fn cells<'a>(&'a mut self, seq: u64, l: &'a LedgerLine) -> [Cow<'a, str>; 13] {
        let CellBuf {
            seq: number,
            found,
            funds,
            closed,
        } = self;
        number.clear();
        // Writing into a String cannot fail.
        let _ = write!(number, "{seq}");
        found.clear();
        push_beijing(found, l.created_at);
        funds.clear();
        if let Some(f) = l.funds_fen {
            push_yuan(funds, f);
        }
        closed.clear();
        if let Some(c) = l.closed_at {
            push_beijing(closed, c);
        }
        let esc = |v: &'a Option<String>| escape_cell(v.as_deref().unwrap_or(""));
        [
            Cow::Borrowed(number.as_str()),
            escape_cell(&l.title),
            Cow::Borrowed(Level::parse(&l.level).map_or("", Level::zh)),
            esc(&l.area),
            Cow::Borrowed(found.as_str()),
            Cow::Borrowed(source_zh(&l.source)),
            esc(&l.measures),
            esc(&l.responsible_person),
            Cow::Borrowed(funds.as_str()),
            Cow::Borrowed(l.deadline.as_deref().unwrap_or("")),
            esc(&l.contingency_plan),
            Cow::Borrowed(HazardState::parse(&l.status).map_or("", HazardState::zh)),
            Cow::Borrowed(closed.as_str()),
        ]
    }
}

/// The reader stopped without saying why (it panicked).
fn reader_lost() -> AppError {
    AppError::internal(anyhow::anyhow!("the export's reader ended early"))
}
