//! The group-commit writer: the one connection that writes, owned by a thread of its own that
//! takes every queued job (up to [`MAX_BATCH`]), runs them in one `BEGIN IMMEDIATE`
//! transaction, each in its own savepoint (a job alone needs none), and commits once, so that
//! concurrent requests share one fsync. The thread runs each whole batch synchronously: no
//! statement waits for another thread.
//!
//! A job that fails is rolled back to its savepoint and gets its own error; the others still
//! commit. No job is answered before COMMIT has returned: an acknowledged write is on disk. This
//! module knows nothing of tables; the jobs are closures written by the area modules.
//!
//! The writer leaves checkpoints (copying the WAL into the database file, and fsyncing it) to
//! the checkpointer, a thread of its own with its own connection: after each commit the writer
//! wakes it, and it runs a passive checkpoint (it never blocks the writer or a reader) at most
//! every [`CHECKPOINT_INTERVAL`]. Under a steady stream of writes such a checkpoint never
//! catches up, since commits land while it copies, and SQLite starts the WAL over only once
//! all of it is in the database file: the WAL would grow without end, and every read and write
//! with it. So once the checkpointer finds the WAL longer than [`WAL_RESTART_FRAMES`], it asks
//! the writer, and checkpoints again without a pause until the WAL is short; the writer copies
//! the little committed since the checkpointer's last pass between two of its transactions;
//! its next transaction then starts the WAL over (unless a reader still reads an older part of
//! it: then the next request does).
//!
//! Metrics: `store_writer_jobs_total`, `store_writer_commits_total`,
//! `store_writer_cache_releases_total`, `store_wal_checkpoints_total`, the gauge
//! `store_wal_frames` (the WAL's length at the last checkpoint), and the histograms
//! `store_writer_batch_size` (jobs per transaction), `store_writer_queue_wait_seconds` (from
//! submission to the start of the job's transaction) and `store_writer_commit_seconds` (the
//! whole transaction, fsync included).

use crate::sql::DbError;
use crate::store::Work;
use rolodex_core::ports::RepoError;
use rusqlite::Connection;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{mpsc, oneshot};

/// Most jobs in one transaction: bounds the latency a batch adds to its first job.
pub const MAX_BATCH: usize = 128;
/// Jobs that may wait for the writer before submitters wait for room (backpressure).
const QUEUE: usize = 1024;
/// The least time between two checkpoints.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(100);
/// A WAL longer than this (in pages: 16 MiB) is finished by the writer, so that it starts over.
const WAL_RESTART_FRAMES: i64 = 4096;
/// How long the writer waits for work before it gives its page cache back.
pub(crate) const RELEASE_MEMORY_AFTER: Duration = Duration::from_millis(250);

/// Counters of the writer, for metrics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Jobs run (committed or failed).
    pub jobs: u64,
    /// Transactions committed; each costs one fsync.
    pub commits: u64,
    /// Times the idle writer gave its page cache back.
    pub releases: u64,
}

#[derive(Debug, Default)]
struct Counters {
    jobs: AtomicU64,
    commits: AtomicU64,
    releases: AtomicU64,
}

/// A write job: runs inside the writer's transaction, then hears how the batch ended.
trait Job: Send {
    /// Runs the job's statements; its output is kept until [`Job::answer`].
    fn run(&mut self, conn: &mut Connection) -> Result<(), RepoError>;
    /// Hands the outcome to the submitter: the job's own error, or the batch's, or its output.
    fn answer(self: Box<Self>, outcome: Result<(), RepoError>);
}

struct TypedJob<T, F> {
    work: Option<F>,
    output: Option<T>,
    reply: oneshot::Sender<Result<T, RepoError>>,
}

impl<T, F> Job for TypedJob<T, F>
where
    T: Send + 'static,
    F: Work<Connection, T>,
{
    fn run(&mut self, conn: &mut Connection) -> Result<(), RepoError> {
        let work = self
            .work
            .take()
            .ok_or_else(|| other(WriterError::JobRunTwice))?;
        // A job that panics fails alone (its savepoint is rolled back); the writer goes on.
        let output = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            super::conn::run_now(work(conn))
        }))
        .map_err(|_| other(WriterError::Panicked))?;
        self.output = Some(output?);
        Ok(())
    }

    fn answer(self: Box<Self>, outcome: Result<(), RepoError>) {
        let TypedJob { output, reply, .. } = *self;
        let result = outcome.and_then(|()| output.ok_or_else(|| other(WriterError::JobRunTwice)));
        // The submitter may have gone away (request cancelled): its write stands regardless.
        let _ = reply.send(result);
    }
}

enum Message {
    /// A job, and when it was submitted.
    Job(Box<dyn Job>, Instant),
    /// Finish what is queued, close the connection, then answer.
    Close(oneshot::Sender<()>),
}

/// Why the writer could not take or finish a job.
#[derive(Debug, thiserror::Error)]
pub enum WriterError {
    #[error("the store is closed")]
    Closed,
    #[error("a write job was run twice")]
    JobRunTwice,
    #[error("a write job panicked")]
    Panicked,
    /// The batch's transaction failed as a whole; the source is the database's error.
    #[error("the write transaction failed")]
    Batch(#[source] SharedError),
}

/// One database error shared by every job of a failed batch.
#[derive(Debug, Clone)]
pub struct SharedError(Arc<DbError>);

impl fmt::Display for SharedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl StdError for SharedError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source()
    }
}

fn other(e: WriterError) -> RepoError {
    RepoError::Other(Box::new(e))
}

/// The error every job of a batch gets when the transaction itself failed: unavailable when
/// the database is busy or unreachable.
fn batch_error(shared: &SharedError) -> RepoError {
    let wrapped = Box::new(WriterError::Batch(shared.clone()));
    if shared.0.is_unavailable() {
        RepoError::Unavailable(wrapped)
    } else {
        RepoError::Other(wrapped)
    }
}

/// The submitting side of the writer; cheap to share.
pub(crate) struct WriterHandle {
    tx: mpsc::Sender<Message>,
    counters: Arc<Counters>,
}

impl WriterHandle {
    /// Starts the writer thread, which owns `conn` until it stops, and the checkpointer
    /// thread, which owns `checkpointer` until the writer stops.
    ///
    /// Once the writer has been idle for [`RELEASE_MEMORY_AFTER`], it gives its page cache back
    /// and calls `on_idle`.
    pub(crate) fn start(
        conn: Connection,
        checkpointer: Connection,
        on_idle: impl Fn() + Send + 'static,
    ) -> std::io::Result<Self> {
        let idle = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let wake = Arc::new(Wake::default());
        let woken = wake.clone();
        let checkpoints = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoint(checkpointer, &woken))?;
        let counters = Arc::new(Counters::default());
        let thread_counters = counters.clone();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                let closing = run(conn, rx, &idle, &thread_counters, &wake, &on_idle);
                wake.close();
                let _ = checkpoints.join();
                if let Some(done) = closing {
                    let _ = done.send(());
                }
            })?;
        Ok(Self { tx, counters })
    }

    pub(crate) fn stats(&self) -> WriterStats {
        WriterStats {
            jobs: self.counters.jobs.load(Ordering::Relaxed),
            commits: self.counters.commits.load(Ordering::Relaxed),
            releases: self.counters.releases.load(Ordering::Relaxed),
        }
    }

    /// Runs `work` in the writer's next transaction, in its own savepoint, and returns its
    /// output once the transaction is committed.
    pub(crate) async fn submit<T, F>(&self, work: F) -> Result<T, RepoError>
    where
        T: Send + 'static,
        F: Work<Connection, T>,
    {
        let (reply, answer) = oneshot::channel();
        let job = TypedJob {
            work: Some(work),
            output: None,
            reply,
        };
        let closed = || RepoError::Unavailable(Box::new(WriterError::Closed));
        self.tx
            .send(Message::Job(Box::new(job), Instant::now()))
            .await
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }

    /// Waits for every queued job, then stops the writer and closes its connection.
    pub(crate) async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.tx.send(Message::Close(done)).await.is_ok() {
            let _ = closed.await;
        }
    }
}

/// Runs batches until the store closes; returns who waits for the close.
fn run(
    mut conn: Connection,
    mut rx: mpsc::Receiver<Message>,
    idle: &Runtime,
    counters: &Counters,
    wake: &Wake,
    on_idle: &dyn Fn(),
) -> Option<oneshot::Sender<()>> {
    let mut closing = None;
    while let Some(message) = next_message(&mut rx, idle, &conn, counters, on_idle) {
        let mut batch = Vec::new();
        take(message, &mut batch, &mut closing);
        // Everything already queued joins this transaction.
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(message) => take(message, &mut batch, &mut closing),
                Err(_) => break,
            }
        }
        if closing.is_some() {
            // Refuse new jobs; those already queued are still run below.
            rx.close();
        }
        if wake.take_restart() {
            // Copies what was committed since the checkpointer's last pass: the next
            // transaction finds the whole WAL in the database file and starts it over.
            passive_checkpoint(&conn);
        }
        if !batch.is_empty() {
            run_batch(&mut conn, batch, counters);
            wake.committed();
        }
    }
    // Lets SQLite refresh the statistics its planner uses, as it advises before closing.
    if let Err(e) = conn.execute_batch("PRAGMA optimize") {
        tracing::warn!(
            error = &e as &(dyn StdError + 'static),
            "optimizing the database failed"
        );
    }
    if let Err((_, e)) = conn.close() {
        tracing::warn!(
            error = &e as &(dyn StdError + 'static),
            "closing the writer connection failed"
        );
    }
    closing
}

/// The next message for the writer, `None` once every submitter is gone. A writer that waited
/// [`RELEASE_MEMORY_AFTER`] for one first gives its page cache back to the system (`idle` times
/// the wait) and calls `on_idle`: an idle node holds less memory, and the next write reads the
/// pages it needs again from the system's file cache.
fn next_message(
    rx: &mut mpsc::Receiver<Message>,
    idle: &Runtime,
    conn: &Connection,
    counters: &Counters,
    on_idle: &dyn Fn(),
) -> Option<Message> {
    match rx.try_recv() {
        Ok(message) => return Some(message),
        Err(TryRecvError::Disconnected) => return None,
        Err(TryRecvError::Empty) => {}
    }
    let waited =
        idle.block_on(async { tokio::time::timeout(RELEASE_MEMORY_AFTER, rx.recv()).await });
    if let Ok(message) = waited {
        return message;
    }
    match conn.execute_batch("PRAGMA shrink_memory") {
        Ok(()) => {
            counters.releases.fetch_add(1, Ordering::Relaxed);
            metrics::counter!("store_writer_cache_releases_total").increment(1);
        }
        Err(e) => tracing::warn!(
            error = &e as &(dyn StdError + 'static),
            "the writer could not release its page cache"
        ),
    }
    on_idle();
    rx.blocking_recv()
}

/// What the writer tells the checkpointer: something was committed, or the writer stopped.
#[derive(Default)]
struct Wake {
    state: Mutex<WakeState>,
    changed: Condvar,
}

#[derive(Default)]
struct WakeState {
    /// Something was committed since the last checkpoint.
    committed: bool,
    /// The WAL grew past [`WAL_RESTART_FRAMES`]: the writer should finish the checkpoint.
    restart: bool,
    /// The writer stopped.
    stopped: bool,
}

impl Wake {
    fn committed(&self) {
        self.set(|s| s.committed = true);
    }

    fn want_restart(&self) {
        self.set(|s| s.restart = true);
    }

    /// Whether the checkpointer asked for the WAL to start over since the last call.
    fn take_restart(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::take(&mut state.restart)
    }

    fn close(&self) {
        self.set(|s| s.stopped = true);
    }

    fn set(&self, change: impl FnOnce(&mut WakeState)) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        change(&mut state);
        self.changed.notify_one();
    }

    /// Waits for a commit; `false` once the writer stopped.
    fn wait_commit(&self) -> bool {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut state = self
            .changed
            .wait_while(state, |s| !s.committed && !s.stopped)
            .unwrap_or_else(PoisonError::into_inner);
        state.committed = false;
        !state.stopped
    }

    /// Waits `time`, or less if the writer stops; `false` once it stopped.
    fn pause(&self, time: Duration) -> bool {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (state, _) = self
            .changed
            .wait_timeout_while(state, time, |s| !s.stopped)
            .unwrap_or_else(PoisonError::into_inner);
        !state.stopped
    }
}

/// The checkpointer: after commits (at most every [`CHECKPOINT_INTERVAL`], or at once while the
/// WAL is longer than [`WAL_RESTART_FRAMES`]), copies what the WAL holds into the database file,
/// without waiting for readers or the writer; SQLite then starts the WAL over at a later write
/// once no reader needs it. When the writer stops, the checkpointer closes its connection and
/// ends.
fn checkpoint(conn: Connection, wake: &Wake) {
    while wake.wait_commit() {
        let started = Instant::now();
        if passive_checkpoint(&conn).is_some_and(|frames| frames > WAL_RESTART_FRAMES) {
            // The writer copies what was committed since this pass before the WAL can start
            // over; passes one after the other keep that little, and the writer's pause short.
            wake.want_restart();
            continue;
        }
        if !wake.pause(CHECKPOINT_INTERVAL.saturating_sub(started.elapsed())) {
            break;
        }
    }
    if let Err((_, e)) = conn.close() {
        tracing::warn!(
            error = &e as &(dyn StdError + 'static),
            "closing the checkpointer's connection failed"
        );
    }
}

/// Copies what it can of the WAL into the database file; returns the WAL's length in pages.
fn passive_checkpoint(conn: &Connection) -> Option<i64> {
    match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        row.get::<_, i64>(1)
    }) {
        Ok(frames) => {
            metrics::counter!("store_wal_checkpoints_total").increment(1);
            metrics::gauge!("store_wal_frames").set(frames as f64);
            Some(frames)
        }
        Err(e) => {
            tracing::warn!(
                error = &e as &(dyn StdError + 'static),
                "a checkpoint of the database failed"
            );
            None
        }
    }
}

fn take(
    message: Message,
    batch: &mut Vec<Box<dyn Job>>,
    closing: &mut Option<oneshot::Sender<()>>,
) {
    match message {
        Message::Job(job, submitted) => {
            metrics::histogram!("store_writer_queue_wait_seconds")
                .record(submitted.elapsed().as_secs_f64());
            batch.push(job);
        }
        Message::Close(done) => *closing = Some(done),
    }
}

fn execute(conn: &Connection, sql: &'static str) -> Result<(), DbError> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

/// Runs one group of jobs in one transaction and answers each of them.
fn run_batch(conn: &mut Connection, mut batch: Vec<Box<dyn Job>>, counters: &Counters) {
    counters
        .jobs
        .fetch_add(batch.len() as u64, Ordering::Relaxed);
    metrics::counter!("store_writer_jobs_total").increment(batch.len() as u64);
    metrics::histogram!("store_writer_batch_size").record(batch.len() as f64);
    let started = Instant::now();
    if let Err(e) = execute(conn, "BEGIN IMMEDIATE") {
        let shared = SharedError(Arc::new(e));
        for job in batch {
            job.answer(Err(batch_error(&shared)));
        }
        return;
    }
    let ran = if let [job] = batch.as_mut_slice() {
        run_alone(conn, job.as_mut())
    } else {
        run_in_savepoints(conn, &mut batch)
    };
    let committed = ran.and_then(|outcomes| {
        execute(conn, "COMMIT")?;
        Ok(outcomes)
    });
    match committed {
        Ok(outcomes) => {
            counters.commits.fetch_add(1, Ordering::Relaxed);
            metrics::counter!("store_writer_commits_total").increment(1);
            metrics::histogram!("store_writer_commit_seconds")
                .record(started.elapsed().as_secs_f64());
            for (job, outcome) in batch.into_iter().zip(outcomes) {
                job.answer(outcome);
            }
        }
        Err(Failed::Job(e)) => {
            // The transaction held only this job: rolling it back undoes exactly the job (if
            // SQLite has not already done so; failing is expected then).
            let _ = conn.execute_batch("ROLLBACK");
            if let Some(job) = batch.pop() {
                job.answer(Err(e));
            }
        }
        Err(Failed::Batch(e)) => {
            tracing::error!(
                error = &e as &(dyn StdError + 'static),
                jobs = batch.len(),
                "a write batch failed"
            );
            // Ends the transaction if SQLite has not already done so; failing is expected then.
            let _ = conn.execute_batch("ROLLBACK");
            let shared = SharedError(Arc::new(e));
            for job in batch {
                job.answer(Err(batch_error(&shared)));
            }
        }
    }
}

/// Why a batch's transaction cannot commit.
enum Failed {
    /// The batch's only job failed (it ran without a savepoint).
    Job(RepoError),
    /// The transaction itself failed.
    Batch(DbError),
}

impl From<DbError> for Failed {
    fn from(e: DbError) -> Self {
        Self::Batch(e)
    }
}

/// Runs a batch's only job straight in the transaction: without a savepoint, SQLite keeps no
/// copy of the pages the job changes (for a bulk write, that copy cost more than the write).
fn run_alone(
    conn: &mut Connection,
    job: &mut dyn Job,
) -> Result<Vec<Result<(), RepoError>>, Failed> {
    job.run(conn).map_err(Failed::Job)?;
    Ok(vec![Ok(())])
}

/// Runs each job in its own savepoint: a job that fails is rolled back alone.
fn run_in_savepoints(
    conn: &mut Connection,
    batch: &mut [Box<dyn Job>],
) -> Result<Vec<Result<(), RepoError>>, Failed> {
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        execute(conn, "SAVEPOINT job")?;
        let outcome = job.run(conn);
        // An error ending the savepoint leaves the transaction in an unknown state (SQLite may
        // have rolled it back itself): nothing of this batch may be acknowledged.
        if outcome.is_ok() {
            execute(conn, "RELEASE job")?;
        } else {
            execute(conn, "ROLLBACK TO job")?;
            execute(conn, "RELEASE job")?;
        }
        outcomes.push(outcome);
    }
    Ok(outcomes)
}
