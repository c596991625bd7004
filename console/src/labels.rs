//! Stored names (statuses, levels, sources, senders) in the words of the messages table, and
//! the CSS class that colours each, so every page shows a state the same way.

use crate::messages::Messages;

/// A report's status in words, and its badge class.
pub fn report_status(m: &'static Messages, s: &str) -> (&'static str, &'static str) {
    match s {
        "submitted" => (m.report_submitted, "badge waiting"),
        "accepted" => (m.report_accepted, "badge ok"),
        "duplicate" => (m.report_duplicate, "badge muted"),
        "rejected" => (m.report_rejected, "badge muted"),
        _ => (m.none, "badge"),
    }
}

/// A hazard's status in words, and its badge class.
pub fn hazard_status(m: &'static Messages, s: &str) -> (&'static str, &'static str) {
    match s {
        "registered" => (m.hazard_registered, "badge waiting"),
        "rectifying" => (m.hazard_rectifying, "badge working"),
        "awaiting_verification" => (m.hazard_awaiting_verification, "badge review"),
        "closed" => (m.hazard_closed, "badge ok"),
        _ => (m.none, "badge"),
    }
}

/// A level in words, and its badge class (major stands out).
pub fn level(m: &'static Messages, l: Option<&str>) -> (&'static str, &'static str) {
    match l {
        Some("major") => (m.level_major, "badge major"),
        Some("general") => (m.level_general, "badge general"),
        _ => (m.level_unset, "badge muted"),
    }
}

/// Where a hazard came from.
pub fn source(m: &'static Messages, s: &str) -> &'static str {
    match s {
        "sweep" => m.source_sweep,
        _ => m.source_report,
    }
}

/// Who wrote a message.
pub fn sender(m: &'static Messages, s: &str) -> &'static str {
    match s {
        "reporter" => m.sender_reporter,
        "bureau" => m.sender_bureau,
        _ => m.sender_enterprise,
    }
}
