//! Timestamps are stored as UTC without a zone, truncated to microseconds so that both databases
//! return exactly what was written (the audit chain hashes them).
//!
//! Every "now" a use case stamps comes from [`now`]. Normally that is the system clock; inside
//! [`Clock::scope`] it is a [`Clock`] set to another time, which `qingling demo` uses to play a
//! quarter of history through the real services (a report "submitted" 80 days ago is stamped
//! 80 days ago, and so are its audit event, timeline and counts). The clock is scoped to one
//! task and the blocking calls it makes (`AppContext::db` and the photo store carry it with
//! [`carry`]), never a process-wide setting: a server, or another test in the same process,
//! keeps the system clock.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDateTime, SubsecRound, TimeDelta, Utc};

/// A clock offset from the system clock, moved with [`Clock::set`]; time runs on from there.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Microseconds added to the system clock.
    offset_micros: Arc<AtomicI64>,
}

tokio::task_local! {
    static TASK_CLOCK: Clock;
}

thread_local! {
    static THREAD_CLOCK: RefCell<Option<Clock>> = const { RefCell::new(None) };
}

impl Clock {
    /// A clock that reads the system time until it is [`set`](Self::set).
    pub fn new() -> Self {
        Self::default()
    }

    /// From now on this clock reads `at`, and runs on from there at the system clock's pace.
    pub fn set(&self, at: NaiveDateTime) {
        let offset = (at - Utc::now().naive_utc())
            .num_microseconds()
            .unwrap_or(0);
        self.offset_micros.store(offset, Ordering::Relaxed);
    }

    /// What this clock reads now.
    pub fn read(&self) -> NaiveDateTime {
        let offset = TimeDelta::microseconds(self.offset_micros.load(Ordering::Relaxed));
        (Utc::now().naive_utc() + offset).trunc_subsecs(6)
    }

    /// Runs `work` with [`now`] reading this clock (in the task and in the blocking calls it
    /// makes through [`carry`]).
    pub async fn scope<F: std::future::Future>(self, work: F) -> F::Output {
        TASK_CLOCK.scope(self, work).await
    }
}

/// The clock in force here: the blocking thread's, else the task's; `None` for the system clock.
pub fn current() -> Option<Clock> {
    THREAD_CLOCK
        .with(|c| c.borrow().clone())
        .or_else(|| TASK_CLOCK.try_with(Clock::clone).ok())
}

/// Runs `work` (on a blocking thread) with the clock `clock` — taken with [`current`] by the task
/// that handed the work over — in force, and restores the thread's own afterwards.
pub fn carry<T>(clock: Option<Clock>, work: impl FnOnce() -> T) -> T {
    if clock.is_none() {
        return work();
    }
    struct Restore(Option<Clock>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            THREAD_CLOCK.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _restore = Restore(THREAD_CLOCK.with(|c| c.replace(clock)));
    work()
}

/// Now, in UTC, at microsecond precision (the scoped [`Clock`], if one is in force).
pub fn now() -> NaiveDateTime {
    match current() {
        Some(clock) => clock.read(),
        None => Utc::now().naive_utc().trunc_subsecs(6),
    }
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

    #[tokio::test]
    async fn a_scoped_clock_reaches_blocking_work_and_nothing_else() {
        let clock = Clock::new();
        let then = Utc::now().naive_utc() - TimeDelta::days(80);
        clock.set(then);
        let (in_task, in_blocking) = clock
            .scope(async {
                let carried = current();
                let blocking = tokio::task::spawn_blocking(move || carry(carried, now))
                    .await
                    .unwrap();
                (now(), blocking)
            })
            .await;
        for t in [in_task, in_blocking] {
            assert!((t - then).num_seconds().abs() < 5, "{t} is not {then}");
        }
        assert!((now() - Utc::now().naive_utc()).num_seconds().abs() < 5);
        let outside = tokio::task::spawn_blocking(now).await.unwrap();
        assert!((outside - Utc::now().naive_utc()).num_seconds().abs() < 5);
    }
}
