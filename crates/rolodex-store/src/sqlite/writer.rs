//! The group-commit writer: the one connection that writes, owned by a thread of its own that
//! takes every queued job (up to [`MAX_BATCH`]), runs them in one `BEGIN IMMEDIATE`
//! transaction, each in its own savepoint, and commits once, so that concurrent requests share
//! one fsync. The thread runs each whole batch synchronously: no statement waits for another
//! thread.
//!
//! A job that fails is rolled back to its savepoint and gets its own error; the others still
//! commit. No job is answered before COMMIT has returned: an acknowledged write is on disk. This
//! module knows nothing of tables; the jobs are closures written by the area modules.
//!
//! Metrics: `store_writer_jobs_total`, `store_writer_commits_total`, and the histograms
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
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

/// Most jobs in one transaction: bounds the latency a batch adds to its first job.
pub const MAX_BATCH: usize = 128;
/// Jobs that may wait for the writer before submitters wait for room (backpressure).
const QUEUE: usize = 1024;

/// Counters of the writer, for metrics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Jobs run (committed or failed).
    pub jobs: u64,
    /// Transactions committed; each costs one fsync.
    pub commits: u64,
}

#[derive(Debug, Default)]
struct Counters {
    jobs: AtomicU64,
    commits: AtomicU64,
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
    /// Starts the writer thread; it owns `conn` until it stops.
    pub(crate) fn start(conn: Connection) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let counters = Arc::new(Counters::default());
        let thread_counters = counters.clone();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, rx, &thread_counters))?;
        Ok(Self { tx, counters })
    }

    pub(crate) fn stats(&self) -> WriterStats {
        WriterStats {
            jobs: self.counters.jobs.load(Ordering::Relaxed),
            commits: self.counters.commits.load(Ordering::Relaxed),
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

fn run(mut conn: Connection, mut rx: mpsc::Receiver<Message>, counters: &Counters) {
    let mut closing = None;
    while let Some(message) = rx.blocking_recv() {
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
        if !batch.is_empty() {
            run_batch(&mut conn, batch, counters);
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
    if let Some(done) = closing {
        let _ = done.send(());
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
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut broken = None;
    for job in &mut batch {
        if let Err(e) = execute(conn, "SAVEPOINT job") {
            broken = Some(e);
            break;
        }
        let outcome = job.run(conn);
        let end = if outcome.is_ok() {
            execute(conn, "RELEASE job")
        } else {
            execute(conn, "ROLLBACK TO job").and_then(|()| execute(conn, "RELEASE job"))
        };
        outcomes.push(outcome);
        if let Err(e) = end {
            // The transaction is in an unknown state (SQLite may have rolled it back itself):
            // nothing of this batch may be acknowledged.
            broken = Some(e);
            break;
        }
    }
    let committed = match broken {
        Some(e) => Err(e),
        None => execute(conn, "COMMIT"),
    };
    match committed {
        Ok(()) => {
            counters.commits.fetch_add(1, Ordering::Relaxed);
            metrics::counter!("store_writer_commits_total").increment(1);
            metrics::histogram!("store_writer_commit_seconds")
                .record(started.elapsed().as_secs_f64());
            for (job, outcome) in batch.into_iter().zip(outcomes) {
                job.answer(outcome);
            }
        }
        Err(e) => {
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
