//! How a hazard reads as a line of the 台账 export: the Chinese column headers, money in yuan
//! from integer fen, Beijing time, and escaping so that no spreadsheet runs a cell as a formula.

use std::borrow::Cow;

use chrono::{NaiveDateTime, TimeDelta};

/// The export's columns, in order.
pub const HEADERS: [&str; 13] = [
    "序号",
    "隐患名称",
    "隐患等级",
    "所在区域",
    "发现时间",
    "来源",
    "整改措施",
    "责任人",
    "整改资金（元）",
    "整改期限",
    "应急预案",
    "状态",
    "销号时间",
];

/// A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
/// apostrophe, so Excel, WPS and LibreOffice show it as text instead of running it (CSV/formula
/// injection).
pub fn escape_cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Integer fen as yuan with two decimals (`1250000` → `12500.00`), without floating point.
pub fn fen_to_yuan(fen: i64) -> String {
    let mut s = String::with_capacity(24);
    push_yuan(&mut s, fen);
    s
}

/// [`fen_to_yuan`] appended to `out`, for exports that reuse one buffer for a million cells.
pub fn push_yuan(out: &mut String, fen: i64) {
    use std::fmt::Write as _;
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    // Writing into a String cannot fail.
    let _ = write!(out, "{sign}{}.{:02}", abs / 100, abs % 100);
}

/// A stored UTC instant as Beijing time (`2026-11-30 21:05`), how the ledger's readers count
/// (China has one zone, UTC+8, and no daylight saving).
pub fn beijing(t: NaiveDateTime) -> String {
    let mut s = String::with_capacity(16);
    push_beijing(&mut s, t);
    s
}

/// [`beijing`] appended to `out`, without chrono's format-string interpreter (an export formats
/// two of these per row).
pub fn push_beijing(out: &mut String, t: NaiveDateTime) {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write as _;
    let b = t + TimeDelta::hours(8);
    // Writing into a String cannot fail.
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}",
        b.year(),
        b.month(),
        b.day(),
        b.hour(),
        b.minute()
    );
}

/// The Beijing calendar day of a stored UTC instant (quarters and export ranges count in these).
pub fn beijing_date(t: NaiveDateTime) -> chrono::NaiveDate {
    (t + TimeDelta::hours(8)).date()
}

/// The Chinese name of a hazard's source.
pub fn source_zh(source: &str) -> &'static str {
    match source {
        "report" => "职工举报",
        _ => "季度排查",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starters_are_escaped_and_nothing_else() {
        for bad in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"x\")",
        ] {
            assert_eq!(escape_cell(bad), format!("'{bad}"), "{bad:?}");
        }
        for ok in ["钢包", "1+1", "a=b", "", " =x", "'x"] {
            assert_eq!(escape_cell(ok), ok, "{ok:?}");
        }
    }

    #[test]
    fn fen_become_yuan_exactly() {
        assert_eq!(fen_to_yuan(0), "0.00");
        assert_eq!(fen_to_yuan(5), "0.05");
        assert_eq!(fen_to_yuan(1_250_000), "12500.00");
        assert_eq!(fen_to_yuan(-101), "-1.01");
        assert_eq!(fen_to_yuan(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn times_are_shown_in_beijing_time() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 31)
            .unwrap()
            .and_hms_opt(17, 30, 0)
            .unwrap();
        assert_eq!(beijing(t), "2027-01-01 01:30");
        let mut s = String::from("x");
        push_beijing(&mut s, t);
        push_yuan(&mut s, -5);
        assert_eq!(s, "x2027-01-01 01:30-0.05");
    }
}
