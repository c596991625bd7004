//! A ceiling on the memory that upload bodies hold at once, and on how long and how slowly a body
//! may take to arrive.
//!
//! A report's photos are read whole before they are sanitised (the decoders need the complete
//! file), so thirty phones uploading five 25 MiB photos each would hold almost 4 GiB before the
//! CPU pool even saw them. Room in the budget is therefore reserved **as the bytes arrive**, in
//! steps of [`STEP`], and held until the request ends.
//!
//! Reserving what a request *declares* (its `Content-Length`) instead let three connections that
//! sent headers declaring 126 MiB and then nothing hold the whole budget, and every photo upload
//! on the instance waited forever behind them (issue 16, item 1). Now:
//!
//! - a body declared larger than any submission is refused at once with 413;
//! - a body that sends nothing holds nothing, and one that stalls or trickles is cut off by
//!   [`BodyPacing`] (408 `body_timeout`);
//! - one client address holds at most `per_client` bytes at once;
//! - when the budget (or the client's share) has no room, an upload waits at most
//!   [`UploadBudget::wait`] for it, then answers 503 `upload_busy` with `Retry-After`, so nobody
//!   waits forever and a request that holds part of the budget while waiting for more cannot
//!   deadlock the others.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::error::{AppError, ErrorCode};

/// The unit of reservation: budgets are counted in KiB so that `u32` permits cover terabytes.
const UNIT: u64 = 1024;
/// Room is reserved ahead in steps of this many bytes, so a body costs one reservation per
/// 256 KiB rather than one per network chunk.
pub const STEP: u64 = 256 * 1024;

/// How long and how slowly an upload body may arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyPacing {
    /// Longest silence between two pieces of the body (`QINGLING_UPLOAD_IDLE_TIMEOUT`).
    pub idle: Duration,
    /// Slowest average rate in bytes a second, counted after the first `idle` period
    /// (`QINGLING_UPLOAD_MIN_RATE`): a phone on a weak 2G signal still sends several times this.
    pub min_rate: u64,
    /// Longest time a whole body may take (`QINGLING_UPLOAD_DEADLINE`).
    pub deadline: Duration,
}

impl Default for BodyPacing {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30),
            min_rate: 4096,
            deadline: Duration::from_secs(600),
        }
    }
}

/// The clock of one body being read: tells how long the next piece may take to arrive and
/// whether what arrived so far is fast enough. Time spent waiting for room in the budget is not
/// counted against the sender (the server, not the sender, was slow).
#[derive(Debug)]
pub struct BodyClock {
    pacing: BodyPacing,
    started: Instant,
    excused: Duration,
    received: u64,
}

impl BodyClock {
    /// Starts the clock now.
    pub fn start(pacing: BodyPacing) -> Self {
        Self {
            pacing,
            started: Instant::now(),
            excused: Duration::ZERO,
            received: 0,
        }
    }

    fn elapsed(&self) -> Duration {
        self.started.elapsed().saturating_sub(self.excused)
    }

    /// How long to wait for the next piece: the idle timeout, or less when the deadline is near.
    pub fn next_wait(&self) -> Duration {
        self.pacing
            .idle
            .min(self.pacing.deadline.saturating_sub(self.elapsed()))
    }

    /// Counts `bytes` that arrived; 408 `body_timeout` when the body is now past its deadline or
    /// below the minimum rate.
    pub fn arrived(&mut self, bytes: usize) -> Result<(), AppError> {
        self.received = self.received.saturating_add(bytes as u64);
        let elapsed = self.elapsed();
        if elapsed > self.pacing.deadline {
            return Err(too_slow());
        }
        let judged = elapsed.saturating_sub(self.pacing.idle);
        let owed = u128::from(self.pacing.min_rate) * judged.as_millis() / 1000;
        if u128::from(self.received) < owed {
            return Err(too_slow());
        }
        Ok(())
    }

    /// Excuses `waited` (time spent waiting for room) from the sender's clock.
    pub fn excuse(&mut self, waited: Duration) {
        self.excused += waited;
    }
}

/// 408: the body stopped arriving, or arrives too slowly.
pub fn too_slow() -> AppError {
    AppError::new(ErrorCode::BodyTimeout).detail(
        "上传太慢或已中断，请在信号较好时重新发送",
        "the upload stalled or is too slow; send it again when the signal is better",
    )
}

/// The shared budget for buffered upload bodies.
#[derive(Debug, Clone)]
pub struct UploadBudget {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    room: Semaphore,
    max_body: u64,
    per_client: u64,
    wait: Duration,
    pacing: BodyPacing,
    by_client: Mutex<HashMap<IpAddr, u64>>,
}

/// Room held by one upload body, grown as its bytes arrive; given back when dropped.
#[derive(Debug)]
pub struct UploadPermit {
    inner: Arc<Inner>,
    client: Option<IpAddr>,
    held: u64,
}

/// The budget's settings.
#[derive(Debug, Clone, Copy)]
pub struct BudgetLimits {
    /// Bytes all bodies may hold together (`QINGLING_UPLOAD_MEMORY`).
    pub total: u64,
    /// Largest body (a whole submission).
    pub max_body: u64,
    /// Bytes one client address may hold at once (`QINGLING_UPLOAD_MEMORY_PER_CLIENT`).
    pub per_client: u64,
    /// How long an upload waits for room before 503 (`QINGLING_UPLOAD_WAIT`).
    pub wait: Duration,
    /// How slowly a body may arrive.
    pub pacing: BodyPacing,
}

impl UploadBudget {
    /// A budget with these limits. The total and the per-client share are raised to `max_body`
    /// if smaller, so that every acceptable body can be read when the server is otherwise idle.
    pub fn new(limits: BudgetLimits) -> Self {
        let total = limits.total.max(limits.max_body);
        let units = usize::try_from(total.div_ceil(UNIT))
            .unwrap_or(Semaphore::MAX_PERMITS)
            .min(Semaphore::MAX_PERMITS);
        Self {
            inner: Arc::new(Inner {
                room: Semaphore::new(units),
                max_body: limits.max_body,
                per_client: limits.per_client.max(limits.max_body),
                wait: limits.wait,
                pacing: limits.pacing,
                by_client: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The largest body this budget admits, in bytes.
    pub fn max_body(&self) -> u64 {
        self.inner.max_body
    }

    /// How slowly bodies may arrive.
    pub fn pacing(&self) -> BodyPacing {
        self.inner.pacing
    }

    /// How long an upload waits for room before it is answered 503.
    pub fn wait(&self) -> Duration {
        self.inner.wait
    }

    /// Starts an upload from `client` whose request declares `declared` bytes: a declared length
    /// over the limit is refused at once with 413 `payload_too_large`. Nothing is reserved yet;
    /// grow the permit as the body arrives.
    pub fn open(
        &self,
        client: Option<IpAddr>,
        declared: Option<u64>,
    ) -> Result<UploadPermit, AppError> {
        if declared.is_some_and(|n| n > self.inner.max_body) {
            return Err(too_large(self.inner.max_body));
        }
        Ok(UploadPermit {
            inner: self.inner.clone(),
            client,
            held: 0,
        })
    }
}

impl UploadPermit {
    /// Bytes held.
    pub fn held(&self) -> u64 {
        self.held
    }

    /// Makes sure `total` bytes of body are covered, reserving the missing room in steps of
    /// [`STEP`]. Over the largest body: 413. No room within the wait, or the client's share used
    /// up: 503 `upload_busy`. Returns how long it waited for room.
    pub async fn grow_to(&mut self, total: u64) -> Result<Duration, AppError> {
        if total <= self.held {
            return Ok(Duration::ZERO);
        }
        if total > self.inner.max_body {
            return Err(too_large(self.inner.max_body));
        }
        // Ahead by a step, but never past the largest body; whole units, so that what the
        // client's share counts and what the semaphore holds are the same bytes.
        let cap = self.inner.max_body.div_ceil(UNIT) * UNIT;
        let missing = total - self.held;
        let want = (missing.div_ceil(STEP) * STEP)
            .min(cap.saturating_sub(self.held))
            .max(missing)
            .div_ceil(UNIT)
            * UNIT;
        let Ok(units) = u32::try_from(want / UNIT) else {
            return Err(too_large(self.inner.max_body));
        };
        self.claim_client_share(want)?;
        let started = Instant::now();
        let acquired = match self.inner.room.try_acquire_many(units) {
            Ok(p) => {
                p.forget();
                self.held += want;
                return Ok(Duration::ZERO);
            }
            Err(_) => {
                match tokio::time::timeout(self.inner.wait, self.inner.room.acquire_many(units))
                    .await
                {
                    Ok(Ok(p)) => Ok(p),
                    Ok(Err(e)) => Err(AppError::internal(e)),
                    Err(_) => Err(busy()),
                }
            }
        };
        match acquired {
            Ok(permit) => {
                // Given back by hand in `Drop`, together with the rest of what this body holds.
                permit.forget();
                self.held += want;
                Ok(started.elapsed())
            }
            Err(e) => {
                self.release_client_share(want);
                Err(e)
            }
        }
    }

    fn claim_client_share(&self, bytes: u64) -> Result<(), AppError> {
        let Some(ip) = self.client else {
            return Ok(());
        };
        let mut map = self
            .inner
            .by_client
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let held = map.entry(ip).or_insert(0);
        if held.saturating_add(bytes) > self.inner.per_client {
            if *held == 0 {
                map.remove(&ip);
            }
            return Err(busy());
        }
        *held += bytes;
        Ok(())
    }

    fn release_client_share(&self, bytes: u64) {
        let Some(ip) = self.client else {
            return;
        };
        let mut map = self
            .inner
            .by_client
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(held) = map.get_mut(&ip) {
            *held = held.saturating_sub(bytes);
            if *held == 0 {
                map.remove(&ip);
            }
        }
    }
}

impl Drop for UploadPermit {
    fn drop(&mut self) {
        if self.held == 0 {
            return;
        }
        self.release_client_share(self.held);
        let units = usize::try_from(self.held / UNIT).unwrap_or(0);
        self.inner.room.add_permits(units);
    }
}

fn too_large(max: u64) -> AppError {
    let mib = max / (1024 * 1024);
    AppError::new(ErrorCode::PayloadTooLarge).detail(
        format!("请求体超过 {mib} MiB"),
        format!("the request body exceeds {mib} MiB"),
    )
}

fn busy() -> AppError {
    AppError::new(ErrorCode::UploadBusy)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    fn budget(total: u64, max_body: u64, per_client: u64) -> UploadBudget {
        UploadBudget::new(BudgetLimits {
            total,
            max_body,
            per_client,
            wait: Duration::from_millis(100),
            pacing: BodyPacing::default(),
        })
    }

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[tokio::test]
    async fn a_declared_body_over_the_limit_is_refused_without_waiting() {
        let b = budget(100 * MIB, 10 * MIB, 100 * MIB);
        let err = b.open(None, Some(10 * MIB + 1)).unwrap_err();
        assert_eq!(err.code, ErrorCode::PayloadTooLarge);
        let mut ok = b.open(None, Some(10 * MIB)).unwrap();
        let err = ok.grow_to(10 * MIB + 1).await.unwrap_err();
        assert_eq!(
            err.code,
            ErrorCode::PayloadTooLarge,
            "an undeclared excess too"
        );
    }

    #[tokio::test]
    async fn a_declared_length_reserves_nothing_until_bytes_arrive() {
        let b = budget(20 * MIB, 10 * MIB, 20 * MIB);
        // Many uploads that declared the largest body and sent nothing hold nothing.
        let idle: Vec<_> = (0..50)
            .map(|i| b.open(ip(i), Some(10 * MIB)).unwrap())
            .collect();
        let mut real = b.open(ip(200), Some(5 * MIB)).unwrap();
        let waited = real.grow_to(5 * MIB).await.unwrap();
        assert!(waited < Duration::from_millis(50), "no wait: {waited:?}");
        assert!(idle.iter().all(|p| p.held() == 0));
    }

    #[tokio::test]
    async fn room_grows_in_steps_and_is_given_back_on_drop() {
        let b = budget(2 * MIB, MIB, 2 * MIB);
        let mut p = b.open(ip(1), None).unwrap();
        p.grow_to(1).await.unwrap();
        assert_eq!(p.held(), STEP);
        p.grow_to(STEP).await.unwrap();
        assert_eq!(p.held(), STEP, "already covered");
        p.grow_to(STEP + 1).await.unwrap();
        assert_eq!(p.held(), 2 * STEP);
        drop(p);
        let mut whole = b.open(ip(2), None).unwrap();
        whole.grow_to(MIB).await.unwrap();
        let mut other = b.open(ip(3), None).unwrap();
        other.grow_to(MIB).await.unwrap();
    }

    #[tokio::test]
    async fn a_full_budget_answers_busy_after_the_wait_instead_of_forever() {
        let b = budget(2 * MIB, MIB, 2 * MIB);
        let mut a = b.open(ip(1), None).unwrap();
        a.grow_to(MIB).await.unwrap();
        let mut c = b.open(ip(2), None).unwrap();
        c.grow_to(MIB).await.unwrap();
        let mut late = b.open(ip(3), None).unwrap();
        let started = Instant::now();
        let err = late.grow_to(STEP).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::UploadBusy);
        assert!(started.elapsed() < Duration::from_secs(2));
        drop(a);
        late.grow_to(STEP)
            .await
            .expect("room given back lets it in");
    }

    #[tokio::test]
    async fn one_client_holds_at_most_its_share() {
        let b = budget(100 * MIB, MIB, 2 * MIB);
        let mut first = b.open(ip(1), None).unwrap();
        first.grow_to(MIB).await.unwrap();
        let mut second = b.open(ip(1), None).unwrap();
        second.grow_to(MIB).await.unwrap();
        let mut third = b.open(ip(1), None).unwrap();
        let err = third.grow_to(1).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::UploadBusy);
        // Another client is not affected, and the share comes back.
        let mut other = b.open(ip(2), None).unwrap();
        other.grow_to(MIB).await.unwrap();
        drop(first);
        third.grow_to(MIB).await.unwrap();
    }

    #[test]
    fn a_trickling_body_falls_below_the_minimum_rate() {
        let pacing = BodyPacing {
            idle: Duration::ZERO,
            min_rate: 1_000_000,
            deadline: Duration::from_secs(60),
        };
        let mut clock = BodyClock::start(pacing);
        std::thread::sleep(Duration::from_millis(20));
        let err = clock.arrived(10).unwrap_err();
        assert_eq!(err.code, ErrorCode::BodyTimeout);
        let mut excused = BodyClock::start(pacing);
        std::thread::sleep(Duration::from_millis(20));
        excused.excuse(Duration::from_secs(1));
        assert!(
            excused.arrived(10).is_ok(),
            "waiting for room is not the sender's fault"
        );
    }
}
