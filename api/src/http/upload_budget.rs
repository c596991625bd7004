//! A ceiling on the memory that upload bodies hold at once.
//!
//! A report's photos are read whole before they are sanitised (the decoders need the complete
//! file), so thirty phones uploading five 25 MiB photos each would hold almost 4 GiB before the
//! CPU pool even saw them. Each upload therefore reserves room for its body before reading it —
//! the declared `Content-Length`, or the largest body a submission may be when the length is
//! not declared — and the reservation is held until the request ends. Uploads beyond the budget
//! wait for room instead of reading, so their senders are slowed down by TCP rather than the
//! server running out of memory; a body that could never fit is refused at once with 413.
//!
//! Reserving the whole body up front, rather than chunk by chunk, is what keeps this free of
//! deadlock: a request never holds part of the budget while waiting for more.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{AppError, ErrorCode};

/// The unit of reservation: budgets are counted in KiB so that `u32` permits cover terabytes.
const UNIT: u64 = 1024;

/// The shared budget for buffered upload bodies.
#[derive(Debug, Clone)]
pub struct UploadBudget {
    room: Arc<Semaphore>,
    max_body: u64,
}

/// Room reserved for one upload body; given back when dropped.
#[derive(Debug)]
pub struct UploadPermit {
    _permit: OwnedSemaphorePermit,
}

impl UploadBudget {
    /// A budget of `total` bytes for bodies of at most `max_body` bytes each. The total is
    /// raised to `max_body` if smaller, so that every acceptable body can be read eventually.
    pub fn new(total: u64, max_body: u64) -> Self {
        let units = total.max(max_body).div_ceil(UNIT);
        let units = usize::try_from(units)
            .unwrap_or(Semaphore::MAX_PERMITS)
            .min(Semaphore::MAX_PERMITS);
        Self {
            room: Arc::new(Semaphore::new(units)),
            max_body,
        }
    }

    /// The largest body this budget admits, in bytes.
    pub fn max_body(&self) -> u64 {
        self.max_body
    }

    /// Reserves room for a body of `declared` bytes (the request's `Content-Length`), or of the
    /// largest admissible body when the length is not declared, waiting until that much room is
    /// free. A declared length over the limit is refused at once with 413 `payload_too_large`.
    pub async fn reserve(&self, declared: Option<u64>) -> Result<UploadPermit, AppError> {
        let bytes = match declared {
            Some(n) if n > self.max_body => return Err(too_large(self.max_body)),
            Some(n) => n,
            None => self.max_body,
        };
        let units = u32::try_from(bytes.div_ceil(UNIT).max(1)).map_err(|_| too_large(bytes))?;
        let permit = self
            .room
            .clone()
            .acquire_many_owned(units)
            .await
            .map_err(AppError::internal)?;
        Ok(UploadPermit { _permit: permit })
    }
}

fn too_large(max: u64) -> AppError {
    let mib = max / (1024 * 1024);
    AppError::new(ErrorCode::PayloadTooLarge).detail(
        format!("请求体超过 {mib} MiB"),
        format!("the request body exceeds {mib} MiB"),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::time::Duration;

    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[tokio::test]
    async fn a_declared_body_over_the_limit_is_refused_without_waiting() {
        let budget = UploadBudget::new(100 * MIB, 10 * MIB);
        let err = budget.reserve(Some(10 * MIB + 1)).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::PayloadTooLarge);
        assert!(budget.reserve(Some(10 * MIB)).await.is_ok());
    }

    #[tokio::test]
    async fn uploads_beyond_the_budget_wait_until_room_is_given_back() {
        let budget = UploadBudget::new(20 * MIB, 10 * MIB);
        let first = budget.reserve(Some(8 * MIB)).await.unwrap();
        let _second = budget.reserve(Some(8 * MIB)).await.unwrap();
        let third = tokio::time::timeout(Duration::from_millis(50), budget.reserve(Some(8 * MIB)));
        assert!(third.await.is_err(), "the third upload must wait");

        drop(first);
        let third = tokio::time::timeout(Duration::from_secs(5), budget.reserve(Some(8 * MIB)));
        assert!(third.await.is_ok(), "room given back lets the third in");
    }

    #[tokio::test]
    async fn an_undeclared_length_reserves_the_largest_body() {
        let budget = UploadBudget::new(15 * MIB, 10 * MIB);
        let chunked = budget.reserve(None).await.unwrap();
        let small = tokio::time::timeout(Duration::from_millis(50), budget.reserve(Some(6 * MIB)));
        assert!(small.await.is_err(), "10 MiB of 15 are held");
        drop(chunked);
        assert!(budget.reserve(Some(6 * MIB)).await.is_ok());
    }

    #[tokio::test]
    async fn a_budget_smaller_than_one_body_still_admits_one() {
        let budget = UploadBudget::new(MIB, 10 * MIB);
        assert!(budget.reserve(None).await.is_ok());
    }
}
