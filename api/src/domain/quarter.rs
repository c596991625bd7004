//! Calendar quarters (`2026Q4`): the unit of the quarterly sweep and of ledger exports.

use chrono::{Datelike, NaiveDate};

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    /// Year (2000–2999).
    pub year: i32,
    /// 1–4.
    pub q: u32,
}

impl Quarter {
    /// The quarter a date falls in.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            q: (date.month() - 1) / 3 + 1,
        }
    }

    /// Parses `YYYYQn`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        let (y, q) = s.split_once('Q')?;
        if y.len() != 4 || q.len() != 1 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let q: u32 = q.parse().ok()?;
        ((2000..=2999).contains(&year) && (1..=4).contains(&q)).then_some(Self { year, q })
    }

    /// First day of the quarter.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1).unwrap_or(NaiveDate::MIN)
    }

    /// First day of the next quarter (the exclusive end).
    pub fn end(self) -> NaiveDate {
        let (y, q) = if self.q == 4 {
            (self.year + 1, 1)
        } else {
            (self.year, self.q + 1)
        };
        Self { year: y, q }.first_day()
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_month_falls_in_its_quarter() {
        let expect = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4];
        for (m, q) in (1..=12).zip(expect) {
            assert_eq!(Quarter::of(d(2026, m, 15)), Quarter { year: 2026, q });
        }
        assert_eq!(Quarter::of(d(2026, 11, 30)).to_string(), "2026Q4");
    }

    #[test]
    fn parse_round_trips_and_refuses_garbage() {
        assert_eq!(Quarter::parse("2026Q4"), Some(Quarter { year: 2026, q: 4 }));
        for bad in [
            "2026Q5", "2026Q0", "2026q4", "26Q4", "2026-Q4", "2026Q", "Q4", "+026Q4", "",
        ] {
            assert_eq!(Quarter::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn bounds_cover_the_quarter_exactly() {
        let q4 = Quarter::parse("2026Q4").unwrap();
        assert_eq!(q4.first_day(), d(2026, 10, 1));
        assert_eq!(q4.end(), d(2027, 1, 1));
        let q1 = Quarter::parse("2027Q1").unwrap();
        assert_eq!(q1.end(), d(2027, 4, 1));
    }
}
