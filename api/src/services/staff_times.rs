//! Times staff see of what a reporter did, rounded down to the hour (issue #16, item 7).
//!
//! A report's submission time to the microsecond, and the times of the reporter's own messages
//! and steps, could be lined up with anything else that carries a worker's time (a login, a
//! badge reader, a shift roster) and narrow a confidential reporter to one person. Staff, the
//! bureau and the exports therefore get the hour only; the database keeps the precise time for
//! the escalation clock, which no staff answer reads. Every staff answer that carries such a
//! time goes through this module, so the rule lives in one place.

use chrono::NaiveDateTime;

use crate::store::time;

/// Who is the reporter in timeline entries (`actor_role`) and messages (`sender`).
const REPORTER: &str = "reporter";

/// A time the reporter made (the submission, say), as staff may know it.
pub fn reporter_made(t: NaiveDateTime) -> NaiveDateTime {
    time::floor_hour(t)
}

/// [`reporter_made`] as RFC 3339.
pub fn reporter_made_rfc3339(t: NaiveDateTime) -> String {
    time::to_rfc3339(reporter_made(t))
}

/// A timeline entry's time for staff: rounded when the reporter acted, exact for staff, the
/// bureau and the system.
pub fn event_time(at: NaiveDateTime, actor_role: Option<&str>) -> String {
    if actor_role == Some(REPORTER) {
        reporter_made_rfc3339(at)
    } else {
        time::to_rfc3339(at)
    }
}

/// A message's time for staff: rounded when the reporter wrote it.
pub fn message_time(at: NaiveDateTime, sender: &str) -> String {
    event_time(at, Some(sender))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_the_reporter_did_is_rounded() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_micro_opt(9, 41, 7, 123_456)
            .unwrap();
        assert_eq!(
            event_time(t, Some("reporter")),
            "2026-12-01T09:00:00.000000Z"
        );
        assert_eq!(message_time(t, "reporter"), "2026-12-01T09:00:00.000000Z");
        assert_eq!(
            event_time(t, Some("safety_manager")),
            "2026-12-01T09:41:07.123456Z"
        );
        assert_eq!(message_time(t, "enterprise"), "2026-12-01T09:41:07.123456Z");
        assert_eq!(event_time(t, None), "2026-12-01T09:41:07.123456Z");
    }
}
