//! Timestamps are stored as UTC without a zone, truncated to microseconds so that both databases
//! return exactly what was written (the audit chain hashes them).

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// Now, in UTC, at microsecond precision.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// RFC 3339 with a `Z`, for JSON answers.
pub fn to_rfc3339(t: NaiveDateTime) -> String {
    DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Truncates a parsed time to the microseconds both databases store.
pub fn truncate(t: NaiveDateTime) -> NaiveDateTime {
    t.trunc_subsecs(6)
}

/// The start of the UTC hour a time falls in. Times that could be joined with a report's time
/// to re-identify its reporter (a worker's token use, a report's submission as staff see it) are
/// kept or shown at this precision (issue #16, item 7).
pub fn floor_hour(t: NaiveDateTime) -> NaiveDateTime {
    use chrono::Timelike;
    t.date().and_hms_opt(t.hour(), 0, 0).unwrap_or(t)
}

/// The start of the next UTC hour, or `t` itself when it is on the hour.
pub fn ceil_hour(t: NaiveDateTime) -> NaiveDateTime {
    let floor = floor_hour(t);
    if floor == t {
        t
    } else {
        floor + chrono::Duration::hours(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_round_down_and_up() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_micro_opt(23, 59, 59, 999_999)
            .unwrap();
        let on = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(23, 0, 0)
            .unwrap();
        assert_eq!(floor_hour(t), on);
        assert_eq!(ceil_hour(t), on + chrono::Duration::hours(1));
        assert_eq!((floor_hour(on), ceil_hour(on)), (on, on));
    }
}
