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
