//! The 台账 exports: CSV and XLSX of a quarter or a date range, streamed page by page so a
//! million-row ledger never sits in memory whole. CSV: each page of rows is written and sent as
//! one chunk of the response body. XLSX: rows go into constant-memory worksheets (general and
//! major hazards on separate sheets), whose data rust_xlsxwriter keeps in temporary files, and
//! the finished workbook is written straight into the response body through a channel.

use std::io::Write;

use actix_web::web::Bytes;
use chrono::{NaiveDateTime, TimeDelta};
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::mpsc;
use utoipa::IntoParams;

use crate::context::AppContext;
use crate::domain::Actor;
use crate::domain::criteria::Level;
use crate::domain::hazard_state::HazardState;
use crate::domain::ledger_sheet::{HEADERS, beijing, escape_cell, fen_to_yuan, source_zh};
use crate::error::{AppError, AppResult};
use crate::services::hazards::quarter;
use crate::services::ledger_common::{date, staff_enterprise};
use crate::store::hazards::{self, ExportRange, LedgerLine};
use crate::store::pagination::Cursor;

/// Rows fetched per database round trip.
const PAGE: i64 = 2000;

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

/// The 13 cells of one ledger line, escaped.
fn cells(seq: u64, l: &LedgerLine) -> [String; 13] {
    let h = &l.hazard;
    let esc = |s: Option<&str>| escape_cell(s.unwrap_or("")).into_owned();
    [
        seq.to_string(),
        esc(Some(&h.title)),
        Level::parse(&h.level).map_or("", Level::zh).to_owned(),
        esc(l.area.as_deref()),
        beijing(h.created_at),
        source_zh(&h.source).to_owned(),
        esc(l.measures.as_deref()),
        esc(l.responsible_person.as_deref()),
        l.funds_fen.map(fen_to_yuan).unwrap_or_default(),
        h.deadline.clone().unwrap_or_default(),
        esc(l.contingency_plan.as_deref()),
        HazardState::parse(&h.status)
            .map_or("", HazardState::zh)
            .to_owned(),
        h.closed_at.map(beijing).unwrap_or_default(),
    ]
}

struct CsvState {
    ctx: AppContext,
    range: ExportRange,
    after: Option<Cursor>,
    seq: u64,
    started: bool,
    done: bool,
}

fn csv_chunk(lines: &[LedgerLine], first_seq: u64, header: bool) -> AppResult<Bytes> {
    let mut buf = Vec::with_capacity(lines.len() * 200 + 64);
    if header {
        buf.extend_from_slice("\u{feff}".as_bytes()); // BOM: Excel then reads UTF-8
    }
    {
        let mut w = csv::Writer::from_writer(&mut buf);
        if header {
            w.write_record(HEADERS).map_err(AppError::internal)?;
        }
        for (i, l) in lines.iter().enumerate() {
            w.write_record(cells(first_seq + i as u64, l))
                .map_err(AppError::internal)?;
        }
        w.flush().map_err(AppError::internal)?;
    }
    Ok(Bytes::from(buf))
}

/// The CSV body: a header, then one chunk per page of rows.
pub fn csv_stream(
    ctx: &AppContext,
    range: ExportRange,
) -> impl Stream<Item = Result<Bytes, AppError>> + use<> {
    let state = CsvState {
        ctx: ctx.clone(),
        range,
        after: None,
        seq: 1,
        started: false,
        done: false,
    };
    futures_util::stream::unfold(state, |mut s| async move {
        if s.done {
            return None;
        }
        let (range, after) = (s.range.clone(), s.after.clone());
        let page = s
            .ctx
            .db(move |conn| Ok(hazards::export_page(conn, &range, after.as_ref(), PAGE)?))
            .await;
        let lines = match page {
            Ok(l) => l,
            Err(e) => {
                s.done = true;
                return Some((Err(e), s));
            }
        };
        s.done = (lines.len() as i64) < PAGE;
        s.after = lines.last().map(|l| l.hazard.cursor());
        let chunk = csv_chunk(&lines, s.seq, !s.started);
        s.started = true;
        s.seq += lines.len() as u64;
        Some((chunk, s))
    })
}

/// Sends what rust_xlsxwriter writes into the response body, a chunk at a time.
struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes, AppError>>,
    buf: Vec<u8>,
}

const CHUNK: usize = 64 * 1024;

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::internal(anyhow::anyhow!("writing the workbook: {e}"))
}

/// Fills one constant-memory sheet with every hazard of `level` in the range.
fn fill_sheet(
    conn: &mut crate::store::DbConn,
    sheet: &mut rust_xlsxwriter::Worksheet,
    range: &ExportRange,
    level: Level,
) -> AppResult<()> {
    sheet
        .set_name(level.zh().to_owned() + "隐患")
        .map_err(xlsx_err)?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).map_err(xlsx_err)?;
    }
    let range = ExportRange {
        level: Some(level.as_str().to_owned()),
        ..range.clone()
    };
    let mut after = None;
    let mut row: u32 = 1;
    loop {
        let lines = hazards::export_page(conn, &range, after.as_ref(), PAGE)?;
        for l in &lines {
            for (c, v) in cells(u64::from(row), l).iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string(row, c as u16, v).map_err(xlsx_err)?;
                }
            }
            row += 1;
        }
        if (lines.len() as i64) < PAGE {
            return Ok(());
        }
        after = lines.last().map(|l| l.hazard.cursor());
    }
}

/// The XLSX body: general and major hazards on separate sheets, written by a blocking task
/// into a channel the response reads from.
pub fn xlsx_stream(
    ctx: &AppContext,
    range: ExportRange,
) -> impl Stream<Item = Result<Bytes, AppError>> + use<> {
    let (tx, rx) = mpsc::channel::<Result<Bytes, AppError>>(4);
    let pool = ctx.pool.clone();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let err_tx = tx.clone();
        let run = || -> AppResult<()> {
            let mut conn = pool.get()?;
            let mut wb = rust_xlsxwriter::Workbook::new();
            // Deflate level 2 instead of 6: most of an export's time is compressing the sheet
            // XML; the file is ~10 % larger (rust_xlsxwriter's performance notes) and a million
            // rows go out markedly faster (see the note of issue 5).
            wb.set_zip_compression_level(2);
            for level in [Level::General, Level::Major] {
                let sheet = wb.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
                fill_sheet(&mut conn, sheet, &range, level)?;
            }
            drop(conn);
            let mut w = ChannelWriter {
                tx,
                buf: Vec::with_capacity(CHUNK),
            };
            wb.save_to_writer(&mut w).map_err(xlsx_err)?;
            w.flush().map_err(AppError::internal)
        };
        if let Err(e) = run() {
            tracing::error!(error = ?e, "ledger export failed");
            let _ = err_tx.blocking_send(Err(e));
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) })
}
