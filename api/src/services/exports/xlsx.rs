//! The XLSX export: general and major hazards on separate sheets. Rows go into constant-memory
//! worksheets, whose data rust_xlsxwriter keeps in temporary files, as the reader hands pages
//! over; the finished workbook is then written straight into the response body through a
//! channel.

use std::io::Write;

use actix_web::web::Bytes;
use futures_util::Stream;
use tokio::sync::mpsc;

use super::{CellBuf, Page, read_ahead, reader_lost};
use crate::context::AppContext;
use crate::domain::criteria::Level;
use crate::domain::ledger_sheet::HEADERS;
use crate::error::{AppError, AppResult};
use crate::store::hazards::ExportRange;

/// The sheets, in order.
const SHEETS: [Level; 2] = [Level::General, Level::Major];

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

/// Writes the pages the reader hands over into the workbook's sheets, then the workbook into
/// `out`.
fn write_workbook(
    pages: &mut mpsc::Receiver<AppResult<Page>>,
    out: &mut ChannelWriter,
) -> AppResult<()> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    // Deflate level 2 instead of 6: most of an export's time is compressing the sheet XML; the
    // file is ~10 % larger (rust_xlsxwriter's performance notes) and a million rows go out
    // markedly faster (see the note of issue 5).
    wb.set_zip_compression_level(2);
    let mut cells = CellBuf::default();
    for (part, level) in SHEETS.into_iter().enumerate() {
        let sheet = wb.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
        sheet
            .set_name(level.zh().to_owned() + "隐患")
            .map_err(xlsx_err)?;
        for (c, h) in HEADERS.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).map_err(xlsx_err)?;
        }
        let mut row: u32 = 1;
        loop {
            let page = pages.blocking_recv().ok_or_else(reader_lost)??;
            debug_assert_eq!(page.part, part);
            for l in &page.lines {
                for (c, v) in cells.cells(u64::from(row), l).iter().enumerate() {
                    if !v.is_empty() {
                        sheet
                            .write_string(row, c as u16, v.as_ref())
                            .map_err(xlsx_err)?;
                    }
                }
                row += 1;
            }
            if page.last {
                break;
            }
        }
    }
    wb.save_to_writer(&mut *out).map_err(xlsx_err)?;
    out.flush().map_err(AppError::internal)
}

/// The XLSX body: general and major hazards on separate sheets, written by a blocking task
/// into a channel the response reads from.
pub fn xlsx_stream(
    ctx: &AppContext,
    range: ExportRange,
) -> impl Stream<Item = Result<Bytes, AppError>> + use<> {
    let parts = SHEETS
        .iter()
        .map(|level| ExportRange {
            level: Some(level.as_str().to_owned()),
            ..range.clone()
        })
        .collect();
    let mut pages = read_ahead(ctx, parts);
    let (tx, rx) = mpsc::channel::<Result<Bytes, AppError>>(4);
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let err_tx = tx.clone();
        let mut out = ChannelWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        };
        if let Err(e) = write_workbook(&mut pages, &mut out) {
            tracing::error!(error = ?e, "ledger export failed");
            let _ = err_tx.blocking_send(Err(e));
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) })
}
