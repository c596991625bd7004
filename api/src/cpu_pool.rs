//! The pool CPU-heavy work runs on: password hashing, photo sanitising, spreadsheet building.
//!
//! It is a rayon pool with one thread per core, and at most one job per thread is handed to it
//! at a time (an async semaphore holds the rest back), so a burst of uploads waits in line
//! without occupying a thread or growing rayon's queue.
//!
//! Why rayon and not tokio's blocking pool: the JPEG decoder splits each photo into tasks (the
//! inverse DCT of each colour component, the colour conversion of each row) and hands them to
//! the rayon pool it is running on. On our own pool those tasks go to the calling thread's
//! queue: an idle core steals them and the photo finishes sooner, a busy machine runs them in
//! place with no thread switch. Outside a rayon pool the decoder would instead spawn three
//! threads per photo and feed them rows through channels, which measured ~12 % of the server's
//! CPU in context switches under upload load (issue 4's note).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use tokio::sync::{Semaphore, oneshot};

use crate::error::{AppError, AppResult};

/// A fixed set of threads for CPU-bound work, entered from async code through [`CpuPool::run`].
#[derive(Clone)]
pub struct CpuPool {
    threads: Arc<rayon::ThreadPool>,
    slots: Arc<Semaphore>,
}

impl std::fmt::Debug for CpuPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CpuPool")
            .field("threads", &self.threads.current_num_threads())
            .finish_non_exhaustive()
    }
}

impl CpuPool {
    /// A pool of `threads` threads (at least one), named `qingling-cpu-N`.
    pub fn new(threads: usize) -> anyhow::Result<Self> {
        let threads = threads.max(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("qingling-cpu-{i}"))
            // A panic escaping a job would otherwise abort the process. `run` catches the job's
            // own panics; this catches one in a task a library spawned and did not join.
            .panic_handler(|_| tracing::error!("a task on the CPU pool panicked"))
            .build()?;
        Ok(Self {
            threads: Arc::new(pool),
            slots: Arc::new(Semaphore::new(threads)),
        })
    }

    /// Runs `f` on the pool once a thread is free, carrying the current tracing span (and so the
    /// request id) along. A panic in `f` becomes a 500, never a dead process.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce() -> AppResult<T> + Send + 'static,
    {
        let permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(AppError::internal)?;
        let (done, answer) = oneshot::channel();
        let span = tracing::Span::current();
        self.threads.spawn(move || {
            let _entered = span.enter();
            let out = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
                Err(AppError::internal(anyhow::anyhow!("a CPU task panicked")))
            });
            // The slot is given back only when the job is over, even if the caller stopped
            // waiting (a client that hung up): the pool never holds more jobs than threads.
            drop(permit);
            let _ = done.send(out);
        });
        answer.await.map_err(AppError::internal)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_on_named_pool_threads_and_answers_a_panic_with_an_error() {
        let pool = CpuPool::new(2).expect("pool");
        let name = pool
            .run(|| Ok(std::thread::current().name().map(str::to_owned)))
            .await
            .expect("job");
        assert!(name.is_some_and(|n| n.starts_with("qingling-cpu-")));

        let failed: AppResult<()> = pool.run(|| panic!("hostile input")).await;
        assert!(failed.is_err());
        // The pool survives and still works.
        assert_eq!(pool.run(|| Ok(2 + 2)).await.expect("job"), 4);
    }

    #[tokio::test]
    async fn never_runs_more_jobs_at_once_than_it_has_threads() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let pool = CpuPool::new(2).expect("pool");
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let jobs = (0..8).map(|_| {
            let (running, peak) = (running.clone(), peak.clone());
            pool.run(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            })
        });
        for r in futures_util::future::join_all(jobs).await {
            r.expect("job");
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }
}
