//! The XLSX export: general and major hazards on separate sheets, streamed.
//!
//! The workbook is a minimal SpreadsheetML package whose fixed parts are the ones
//! rust_xlsxwriter 0.102 writes for a workbook of two constant-memory sheets (content types,
//! relationships, theme, styles, workbook, document properties); the two sheets' XML is written
//! here, row by row, with inline strings escaped as rust_xlsxwriter escapes them, straight into
//! the zip entry, which the zip crate deflates into the response as it goes.
//!
//! Why not rust_xlsxwriter's own constant-memory mode, which the export used before: it keeps
//! each sheet's XML in a temporary file until the workbook is saved, so nothing could be sent,
//! and nothing compressed, until the last row was read — the database, the XML and the deflate
//! ran one after another (70 000–125 000 rows/s on SQLite, 52 000–79 000 on PostgreSQL for a
//! million rows). Streamed, the deflate runs while the reader fetches the next page, the client
//! gets the first bytes at once and no temporary file is written. The unit tests below check
//! that the sheet XML is rust_xlsxwriter's, byte for byte.

use std::borrow::Cow;
use std::io::Write;

use actix_web::web::Bytes;
use futures_util::Stream;
use tokio::sync::mpsc;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::{CellBuf, Page, read_ahead, reader_lost};
use crate::context::AppContext;
use crate::domain::criteria::Level;
use crate::domain::ledger_sheet::HEADERS;
use crate::error::{AppError, AppResult};
use crate::store::hazards::ExportRange;

/// The sheets, in order.
const SHEETS: [Level; 2] = [Level::General, Level::Major];

/// Deflate level 2 instead of 6: most of the writer's time is compressing the sheet XML; the
/// file is ~10 % larger (rust_xlsxwriter's performance notes) and a million rows go out
/// markedly faster (see the note of issue 5). Level 1 (zlib-rs's quick strategy, static
/// Huffman codes) was measured too: 102 MB instead of 72 MB for a million rows, for some 10 %
/// more rows per second on PostgreSQL — not worth 40 % more to download.
const DEFLATE_LEVEL: i64 = 2;

/// Excel's last row (1-based); a sheet cannot hold more.
const MAX_ROW: u32 = 1_048_576;

/// Excel's longest cell text, in UTF-16 code units.
const MAX_CELL_CHARS: usize = 32_767;

const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

const CONTENT_TYPES: &str = concat!(
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
    "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>",
    "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>",
    "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>",
    "<Override PartName=\"/xl/theme/theme1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>",
    "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
    "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
    "<Override PartName=\"/xl/worksheets/sheet2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
    "</Types>",
);

const ROOT_RELS: &str = concat!(
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>",
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>",
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>",
    "</Relationships>",
);

const WORKBOOK_RELS: &str = concat!(
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>",
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet2.xml\"/>",
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme\" Target=\"theme/theme1.xml\"/>",
    "<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
    "</Relationships>",
);

/// Excel's default Office theme, as rust_xlsxwriter writes it (the styles refer to its colours
/// and fonts).
const THEME: &str = include_str!("xlsx/theme1.xml");

const STYLES: &str = concat!(
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    "<fonts count=\"1\"><font><sz val=\"11\"/><color theme=\"1\"/><name val=\"Calibri\"/><family val=\"2\"/><scheme val=\"minor\"/></font></fonts>",
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>",
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>",
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>",
    "<cellXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/></cellXfs>",
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>",
    "<dxfs count=\"0\"/><tableStyles count=\"0\" defaultTableStyle=\"TableStyleMedium9\" defaultPivotStyle=\"PivotStyleLight16\"/>",
    "</styleSheet>",
);

const WORKBOOK: &str = concat!(
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">",
    "<fileVersion appName=\"xl\" lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/><workbookPr defaultThemeVersion=\"124226\"/>",
    "<bookViews><workbookView xWindow=\"240\" yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews>",
    "<sheets><sheet name=\"一般隐患\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"重大隐患\" sheetId=\"2\" r:id=\"rId2\"/></sheets>",
    "<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/>",
    "</workbook>",
);

const APP: &str = concat!(
    "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">",
    "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>",
    "<HeadingPairs><vt:vector size=\"2\" baseType=\"variant\"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>2</vt:i4></vt:variant></vt:vector></HeadingPairs>",
    "<TitlesOfParts><vt:vector size=\"2\" baseType=\"lpstr\"><vt:lpstr>一般隐患</vt:lpstr><vt:lpstr>重大隐患</vt:lpstr></vt:vector></TitlesOfParts>",
    "<Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion>",
    "</Properties>",
);

/// `docProps/core.xml`, created and modified now.
fn core_xml(now: chrono::NaiveDateTime) -> String {
    let t = now.format("%Y-%m-%dT%H:%M:%SZ");
    format!(
        "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">{t}</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">{t}</dcterms:modified></cp:coreProperties>"
    )
}

/// A sheet's XML up to its first row; the first sheet is the selected one.
fn sheet_head(first: bool) -> String {
    format!(
        "{XML_DECL}<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
         <sheetViews><sheetView {}workbookViewId=\"0\"/></sheetViews>\
         <sheetFormatPr defaultRowHeight=\"15\"/><sheetData>",
        if first { "tabSelected=\"1\" " } else { "" }
    )
}

/// A sheet's XML after its last row.
const SHEET_TAIL: &str = "</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" \
    bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/></worksheet>";

const COLUMNS: [u8; 13] = *b"ABCDEFGHIJKLM";

/// Appends the decimal digits of `n`.
fn push_number(xml: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    xml.extend_from_slice(&digits[i..]);
}

/// Whether `s` starts with a literal `_xHHHH_`, which Excel would read as an escaped character.
fn is_literal_escape(s: &[u8]) -> bool {
    s.len() >= 7 && s[1] == b'x' && s[2..6].iter().all(u8::is_ascii_hexdigit) && s[6] == b'_'
}

/// Appends `s` as the text of an XML element, escaped as Excel (and rust_xlsxwriter) escape
/// it: `& < >` as entities, control characters and the non-characters U+FFFE/U+FFFF as
/// `_xHHHH_`, and a literal `_xHHHH_` with its underscore escaped.
fn push_text(xml: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let special = |b: &u8| matches!(b, b'&' | b'<' | b'>' | b'_' | 0..=0x08 | 0x0B..=0x1F);
    let non_character = || {
        // U+FFFE and U+FFFF are EF BF BE / EF BF BF; most text has no 0xEF byte at all.
        bytes.contains(&0xEF) && (s.contains('\u{fffe}') || s.contains('\u{ffff}'))
    };
    if !bytes.iter().any(special) && !non_character() {
        xml.extend_from_slice(bytes);
        return;
    }
    for (i, ch) in s.char_indices() {
        match ch {
            '&' => xml.extend_from_slice(b"&amp;"),
            '<' => xml.extend_from_slice(b"&lt;"),
            '>' => xml.extend_from_slice(b"&gt;"),
            '\t' | '\n' => xml.push(ch as u8),
            '\0'..='\x1f' | '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(xml, "_x{:04X}_", u32::from(ch));
            }
            '_' if is_literal_escape(&bytes[i..]) => xml.extend_from_slice(b"_x005F_"),
            _ => {
                let mut utf8 = [0u8; 4];
                xml.extend_from_slice(ch.encode_utf8(&mut utf8).as_bytes());
            }
        }
    }
}

/// Appends one row of inline-string cells (empty cells are left out), as rust_xlsxwriter
/// writes it in constant-memory mode.
fn push_row(xml: &mut Vec<u8>, row: u32, cells: &[Cow<'_, str>]) -> AppResult<()> {
    if row > MAX_ROW {
        return Err(AppError::internal(anyhow::anyhow!(
            "a sheet holds at most {MAX_ROW} rows"
        )));
    }
    xml.extend_from_slice(b"<row r=\"");
    push_number(xml, row);
    xml.extend_from_slice(b"\">");
    for (&col, v) in COLUMNS.iter().zip(cells) {
        if v.is_empty() {
            continue;
        }
        if v.len() > MAX_CELL_CHARS && v.encode_utf16().count() > MAX_CELL_CHARS {
            return Err(AppError::internal(anyhow::anyhow!(
                "a cell holds at most {MAX_CELL_CHARS} characters"
            )));
        }
        xml.extend_from_slice(b"<c r=\"");
        xml.push(col);
        push_number(xml, row);
        xml.extend_from_slice(b"\" t=\"inlineStr\"><is><t");
        if v.starts_with(['\t', '\n', ' ']) || v.ends_with(['\t', '\n', ' ']) {
            xml.extend_from_slice(b" xml:space=\"preserve\"");
        }
        xml.push(b'>');
        push_text(xml, v);
        xml.extend_from_slice(b"</t></is></c>");
    }
    xml.extend_from_slice(b"</row>");
    Ok(())
}

/// Sends what the zip writer writes into the response body, a chunk at a time.
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

fn zip_err(e: zip::result::ZipError) -> AppError {
    AppError::internal(anyhow::anyhow!("writing the workbook: {e}"))
}

/// Writes the workbook into `out`: the fixed parts, then each sheet as the reader hands its
/// pages over.
fn write_workbook<W: Write>(pages: &mut mpsc::Receiver<AppResult<Page>>, out: W) -> AppResult<W> {
    let mut zip = ZipWriter::new_stream(out);
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(DEFLATE_LEVEL))
        .unix_permissions(0o600)
        .last_modified_time(DateTime::default());
    let core = core_xml(crate::store::time::now());
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/theme/theme1.xml", THEME),
        ("xl/styles.xml", STYLES),
        ("xl/workbook.xml", WORKBOOK),
        ("docProps/core.xml", &core),
        ("docProps/app.xml", APP),
    ] {
        zip.start_file(name, options).map_err(zip_err)?;
        // The theme file carries its own declaration.
        if !body.starts_with("<?xml") {
            zip.write_all(XML_DECL.as_bytes())
                .map_err(AppError::internal)?;
        }
        zip.write_all(body.as_bytes()).map_err(AppError::internal)?;
    }
    let mut cells = CellBuf::default();
    let mut xml = Vec::with_capacity(2 * 1024 * 1024);
    let header: Vec<Cow<'_, str>> = HEADERS.iter().map(|h| Cow::Borrowed(*h)).collect();
    for (part, _level) in SHEETS.iter().enumerate() {
        zip.start_file(format!("xl/worksheets/sheet{}.xml", part + 1), options)
            .map_err(zip_err)?;
        xml.clear();
        xml.extend_from_slice(sheet_head(part == 0).as_bytes());
        push_row(&mut xml, 1, &header)?;
        let mut row: u32 = 2;
        loop {
            let page = pages.blocking_recv().ok_or_else(reader_lost)??;
            debug_assert_eq!(page.part, part);
            for l in &page.lines {
                push_row(&mut xml, row, &cells.cells(u64::from(row - 1), l))?;
                row += 1;
            }
            if page.last {
                xml.extend_from_slice(SHEET_TAIL.as_bytes());
            }
            zip.write_all(&xml).map_err(AppError::internal)?;
            xml.clear();
            if page.last {
                break;
            }
        }
    }
    Ok(zip.finish().map_err(zip_err)?.into_inner())
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
        let out = ChannelWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        };
        let written = write_workbook(&mut pages, out)
            .and_then(|mut out| out.flush().map_err(AppError::internal));
        match written {
            Ok(_) => {}
            // Nobody reads the body any more: the client hung up, which is not a failure.
            Err(_) if err_tx.is_closed() => {
                tracing::debug!("ledger export stopped: the client went away");
            }
            Err(e) => {
                tracing::error!(error = ?e, "ledger export failed");
                let _ = err_tx.blocking_send(Err(e));
            }
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// The sheet XML rust_xlsxwriter writes for these rows in constant-memory mode.
    fn reference_sheet(rows: &[Vec<&str>]) -> String {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let s = wb.add_worksheet_with_constant_memory().unwrap();
        for (r, cells) in rows.iter().enumerate() {
            for (c, v) in cells.iter().enumerate() {
                s.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
        let bytes = wb.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    fn sheet_data(xml: &str) -> &str {
        let start = xml.find("<sheetData>").unwrap() + "<sheetData>".len();
        &xml[start..xml.find("</sheetData>").unwrap()]
    }

    #[test]
    fn rows_are_written_as_rust_xlsxwriter_writes_them() {
        let rows: Vec<Vec<&str>> = vec![
            HEADERS.to_vec(),
            vec!["1", "钢包 & <吊运>", "", " lead", "trail\t", "a\nb"],
            vec![
                "2",
                "ctl\u{1}\u{8}\u{b}\u{1f}\r",
                "_x0041_ and _x00G1_ and _x12",
                "\u{fffe}\u{ffff}\u{fffd}",
                "'=1+1",
                "\"quoted\"",
                "",
                "",
                "",
                "",
                "",
                "",
                "m",
            ],
        ];
        let mut ours = Vec::new();
        for (r, cells) in rows.iter().enumerate() {
            let cells: Vec<Cow<'_, str>> = cells.iter().map(|c| Cow::Borrowed(*c)).collect();
            push_row(&mut ours, r as u32 + 1, &cells).unwrap();
        }
        let reference = reference_sheet(&rows);
        assert_eq!(String::from_utf8(ours).unwrap(), sheet_data(&reference));
    }

    #[test]
    fn the_fixed_parts_are_rust_xlsxwriters() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        for name in ["一般隐患", "重大隐患"] {
            wb.add_worksheet_with_constant_memory()
                .unwrap()
                .set_name(name)
                .unwrap();
        }
        let bytes = wb.save_to_buffer().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for (name, ours) in [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
            ("xl/workbook.xml", WORKBOOK),
            ("docProps/app.xml", APP),
        ] {
            let mut theirs = String::new();
            zip.by_name(name)
                .unwrap()
                .read_to_string(&mut theirs)
                .unwrap();
            assert_eq!(format!("{XML_DECL}{ours}"), theirs, "{name}");
        }
        let mut theme = String::new();
        zip.by_name("xl/theme/theme1.xml")
            .unwrap()
            .read_to_string(&mut theme)
            .unwrap();
        assert_eq!(THEME, theme);
        for (i, first) in [(1, true), (2, false)] {
            let mut sheet = String::new();
            zip.by_name(&format!("xl/worksheets/sheet{i}.xml"))
                .unwrap()
                .read_to_string(&mut sheet)
                .unwrap();
            // rust_xlsxwriter knows the dimension of a finished sheet; a streamed one leaves it
            // out (it is optional).
            let sheet = sheet.replace("<dimension ref=\"A1\"/>", "");
            assert_eq!(
                sheet,
                format!("{}{SHEET_TAIL}", sheet_head(first))
                    .replace("<sheetData></sheetData>", "<sheetData/>"),
            );
        }
    }

    #[test]
    fn numbers_are_written_in_full() {
        let mut v = Vec::new();
        for n in [0, 7, 10, 1_048_576, u32::MAX] {
            push_number(&mut v, n);
            v.push(b' ');
        }
        assert_eq!(v, b"0 7 10 1048576 4294967295 ");
    }
}
