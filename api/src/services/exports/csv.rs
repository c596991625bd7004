//! The CSV export: UTF-8 with a BOM (Excel then reads it as UTF-8), Chinese headers, one chunk
//! of the response body per page of lines. The reader fetches the next page while the response
//! formats and sends this one.

use actix_web::web::Bytes;
use futures_util::Stream;
use tokio::sync::mpsc;

use super::{CellBuf, Page, read_ahead, reader_lost};
use crate::context::AppContext;
use crate::domain::ledger_sheet::HEADERS;
use crate::error::{AppError, AppResult};
use crate::store::hazards::{ExportRange, LedgerLine};

struct CsvState {
    pages: mpsc::Receiver<AppResult<Page>>,
    cells: CellBuf,
    seq: u64,
    started: bool,
    done: bool,
}

impl CsvState {
    /// The next page's lines as CSV (after the BOM and the header, on the first).
    fn chunk(&mut self, lines: &[LedgerLine]) -> AppResult<Bytes> {
        let mut buf = Vec::with_capacity(lines.len() * 200 + 256);
        if !self.started {
            buf.extend_from_slice("\u{feff}".as_bytes());
        }
        let mut w = ::csv::Writer::from_writer(buf);
        if !self.started {
            w.write_record(HEADERS).map_err(AppError::internal)?;
            self.started = true;
        }
        for l in lines {
            for cell in self.cells.cells(self.seq, l) {
                w.write_field(cell.as_bytes()).map_err(AppError::internal)?;
            }
            w.write_record(None::<&[u8]>).map_err(AppError::internal)?;
            self.seq += 1;
        }
        let buf = w
            .into_inner()
            .map_err(|e| AppError::internal(e.into_error()))?;
        Ok(Bytes::from(buf))
    }
}

/// The CSV body: the BOM and the header, then one chunk per page of lines.
pub fn csv_stream(
    ctx: &AppContext,
    range: ExportRange,
) -> impl Stream<Item = Result<Bytes, AppError>> + use<> {
    let state = CsvState {
        pages: read_ahead(ctx, vec![range]),
        cells: CellBuf::default(),
        seq: 1,
        started: false,
        done: false,
    };
    futures_util::stream::unfold(state, |mut s| async move {
        if s.done {
            return None;
        }
        let page = match s.pages.recv().await {
            Some(Ok(page)) => page,
            Some(Err(e)) => {
                tracing::error!(error = ?e, "ledger export failed");
                s.done = true;
                return Some((Err(e), s));
            }
            None => {
                s.done = true;
                return Some((Err(reader_lost()), s));
            }
        };
        s.done = page.last;
        let chunk = s.chunk(&page.lines);
        if let Err(e) = &chunk {
            tracing::error!(error = ?e, "ledger export failed");
            s.done = true;
        }
        Some((chunk, s))
    })
}
