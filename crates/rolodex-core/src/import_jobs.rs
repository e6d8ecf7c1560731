//! Imports that run on their own (jobs): a surface that takes a file too large to import
//! within one request starts a job, answers at once, and runs the import in the background,
//! recording its progress so that any node can report it ([`ImportService::job`]). The node
//! running a job records its counts every [`HEARTBEAT`]; a running job whose record has not
//! moved for [`STALE_AFTER`] lost its node (a crash, a restart) and is reported as
//! interrupted: importing the same file again finishes it, since a re-import changes nothing
//! that already landed.

use crate::auth::AuthService;
use crate::caller::Caller;
use crate::error::CoreError;
use crate::import::{
    Import, ImportCounts, ImportOptions, ImportRow, ImportService, ImportSummary, RowReport,
};
use crate::ports::{ImportJobRecord, JobEnd, JobState, NewImportJob};
use crate::write::repo_error;
use rolodex_domain::{Role, TenantId};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::OwnedSemaphorePermit;

/// The entity a missing job is.
const JOB: &str = "import job";

/// How often a running job records its progress.
pub const HEARTBEAT: Duration = Duration::from_secs(1);

/// How long a running job's record may stand still before the job counts as interrupted.
pub const STALE_AFTER: Duration = Duration::from_secs(30);

/// The import jobs one node runs at once: each holds its file and its report in memory
/// until it ends, and they share the node's one writer.
pub const MAX_IMPORT_JOBS: usize = 4;

/// How long a caller is asked to wait when every job of a node is taken.
const BUSY_RETRY_SECS: u64 = 30;

/// How many of a tenant's most recent jobs a list shows.
pub const LISTED_JOBS: usize = 50;

/// How long a tenant's jobs (and their reports) are kept after they started.
pub const KEEP_JOBS_FOR: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Where an import job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Running,
    Completed,
    Failed,
    /// It was running when its node stopped: some of its rows may have been imported.
    Interrupted,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Running => "running",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
            JobStatus::Interrupted => "interrupted",
        }
    }
}

/// An import job, as a caller sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportJob {
    pub record: ImportJobRecord,
    pub status: JobStatus,
}

impl ImportJob {
    /// The job of `record`, seen at `now`.
    pub fn at(record: ImportJobRecord, now: OffsetDateTime) -> Self {
        let status = match record.state {
            JobState::Completed => JobStatus::Completed,
            JobState::Failed => JobStatus::Failed,
            JobState::Running if now - record.progress_at > STALE_AFTER => JobStatus::Interrupted,
            JobState::Running => JobStatus::Running,
        };
        Self { record, status }
    }

    /// Rows settled per second so far (none before the first has been recorded).
    pub fn rate(&self) -> Option<f64> {
        let seconds = (self.record.progress_at - self.record.started_at).as_seconds_f64();
        let rows = self.record.counts.rows;
        (rows > 0 && seconds > 0.0).then(|| rows as f64 / seconds)
    }

    /// How long the rows left should take at the rate so far, while the job runs.
    pub fn eta(&self) -> Option<Duration> {
        if self.status != JobStatus::Running {
            return None;
        }
        let left = self
            .record
            .rows_total
            .saturating_sub(self.record.counts.rows);
        let rate = self.rate()?;
        Duration::try_from_secs_f64(left as f64 / rate).ok()
    }
}

/// What a running job has settled so far: its counts and every row's report.
#[derive(Default)]
struct Settled {
    counts: ImportCounts,
    reports: Vec<RowReport>,
}

/// What a running job writes of itself: its counts at each heartbeat, and how it ended.
pub struct JobRecorder {
    service: ImportService,
    tenant: TenantId,
    id: i64,
    /// The job's place among the node's running jobs, given back when the job ends.
    _running: OwnedSemaphorePermit,
}

impl JobRecorder {
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Runs `import` over the batches `next_batch` gives, recording its counts every
    /// [`HEARTBEAT`], then its report, which `render` makes of the counts and every row's
    /// report (or the error the import stopped on).
    pub async fn run(
        self,
        import: Import,
        next_batch: impl FnMut() -> Vec<Result<ImportRow, RowReport>> + Send,
        render: impl FnOnce(ImportSummary, Vec<RowReport>) -> Result<Vec<u8>, CoreError> + Send,
    ) {
        let settled = Mutex::new(Settled::default());
        let lock = || settled.lock().unwrap_or_else(PoisonError::into_inner);
        let run = import.run(next_batch, |batch| {
            let mut settled = lock();
            for row in &batch {
                settled.counts.count(row);
            }
            settled.reports.extend(batch);
        });
        tokio::pin!(run);
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        let result = loop {
            tokio::select! {
                result = &mut run => break result,
                _ = heartbeat.tick() => {
                    let counts = lock().counts;
                    if let Err(e) = self.heartbeat(counts).await {
                        tracing::warn!(job = self.id, error = ?e, "an import's progress was not recorded");
                    }
                }
            }
        };
        let Settled { counts, reports } = std::mem::take(&mut *lock());
        let id = self.id;
        let ended = match result.and_then(|summary| render(summary, reports)) {
            Ok(report) => self.end(counts, JobEnd::Completed { report }).await,
            Err(e) => {
                tracing::error!(job = id, error = ?e, "an import stopped");
                let end = JobEnd::Failed {
                    code: e.code().to_owned(),
                    message: e.to_string(),
                };
                self.end(counts, end).await
            }
        };
        if let Err(e) = ended {
            tracing::error!(job = id, error = ?e, "an import's end was not recorded");
        }
    }

    /// Records the counts so far: the job's heartbeat.
    async fn heartbeat(&self, counts: ImportCounts) -> Result<(), CoreError> {
        let at = self.service.clock.now();
        self.service
            .store
            .record_import_progress(self.tenant, self.id, counts, at)
            .await
            .map_err(repo_error(JOB))
    }

    async fn end(self, counts: ImportCounts, end: JobEnd) -> Result<(), CoreError> {
        let at = self.service.clock.now();
        self.service
            .store
            .finish_import_job(self.tenant, self.id, counts, end, at)
            .await
            .map_err(repo_error(JOB))
    }
}

impl ImportService {
    /// Starts an import by `caller` of a file of `rows_total` rows (of the kind the surface
    /// calls `format`) as a job: the import, and the recorder of its progress. A node runs
    /// at most [`MAX_IMPORT_JOBS`] at once: beyond, the caller is asked to come back later.
    pub async fn begin_job(
        &self,
        caller: &Caller,
        options: ImportOptions,
        format: &str,
        rows_total: u64,
    ) -> Result<(Import, JobRecorder), CoreError> {
        let dry_run = options.dry_run;
        let import = self.begin(caller, options).await?;
        let running = self
            .jobs
            .clone()
            .try_acquire_owned()
            .map_err(|_| CoreError::Busy {
                message: format!(
                    "this server is running {MAX_IMPORT_JOBS} imports already: send the file again \
                 in {BUSY_RETRY_SECS} seconds"
                ),
                retry_after_secs: BUSY_RETRY_SECS,
            })?;
        let at = self.clock.now();
        let job = NewImportJob {
            user_id: caller.user_id,
            username: caller.username.clone(),
            format: format.to_owned(),
            dry_run,
            rows_total,
            at,
        };
        let id = self
            .store
            .create_import_job(caller.tenant_id, &job, at - KEEP_JOBS_FOR)
            .await
            .map_err(repo_error(JOB))?;
        let recorder = JobRecorder {
            service: self.clone(),
            tenant: caller.tenant_id,
            id,
            _running: running,
        };
        Ok((import, recorder))
    }

    /// The import job `id` of the caller's tenant (whose imports the caller may run).
    pub async fn job(&self, caller: &Caller, id: i64) -> Result<ImportJob, CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        let record = self
            .store
            .import_job(caller.tenant_id, id)
            .await
            .map_err(repo_error(JOB))?
            .ok_or(CoreError::NotFound { entity: JOB })?;
        Ok(ImportJob::at(record, self.clock.now()))
    }

    /// The tenant's [`LISTED_JOBS`] most recent import jobs, the newest first.
    pub async fn jobs(&self, caller: &Caller) -> Result<Vec<ImportJob>, CoreError> {
        AuthService::require(caller, Role::Dispatcher)?;
        let records = self
            .store
            .import_jobs(caller.tenant_id, LISTED_JOBS)
            .await
            .map_err(repo_error(JOB))?;
        let now = self.clock.now();
        Ok(records.into_iter().map(|r| ImportJob::at(r, now)).collect())
    }

    /// The report of the completed import job `id`.
    pub async fn job_report(&self, caller: &Caller, id: i64) -> Result<Vec<u8>, CoreError> {
        let job = self.job(caller, id).await?;
        if job.status != JobStatus::Completed {
            return Err(CoreError::Conflict {
                code: "import_not_completed",
                message: format!(
                    "the import is {}: its report comes when it completes",
                    job.status.as_str()
                ),
            });
        }
        self.store
            .import_job_report(caller.tenant_id, id)
            .await
            .map_err(repo_error(JOB))?
            .ok_or(CoreError::NotFound { entity: JOB })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolodex_domain::UserId;

    fn record(state: JobState, started: i64, progress: i64, rows: u64) -> ImportJobRecord {
        let at = |s: i64| OffsetDateTime::UNIX_EPOCH + Duration::from_secs(s as u64);
        ImportJobRecord {
            id: 1,
            user_id: Some(UserId(1)),
            username: "ann".into(),
            format: "csv".into(),
            dry_run: false,
            state,
            rows_total: 10_000,
            counts: ImportCounts {
                rows,
                created: rows,
                ..ImportCounts::default()
            },
            error: None,
            started_at: at(started),
            progress_at: at(progress),
            finished_at: None,
        }
    }

    fn now(s: u64) -> OffsetDateTime {
        OffsetDateTime::UNIX_EPOCH + Duration::from_secs(s)
    }

    #[test]
    fn a_running_job_whose_record_stood_still_too_long_was_interrupted() {
        let running = record(JobState::Running, 100, 110, 4_000);
        assert_eq!(
            ImportJob::at(running.clone(), now(140)).status,
            JobStatus::Running
        );
        assert_eq!(
            ImportJob::at(running, now(141)).status,
            JobStatus::Interrupted
        );
        let completed = record(JobState::Completed, 100, 110, 10_000);
        assert_eq!(
            ImportJob::at(completed, now(1_000)).status,
            JobStatus::Completed
        );
    }

    #[test]
    fn the_rate_is_of_the_rows_so_far_and_the_eta_of_the_rows_left() {
        let job = ImportJob::at(record(JobState::Running, 100, 110, 4_000), now(111));
        assert_eq!(job.rate(), Some(400.0));
        assert_eq!(job.eta(), Some(Duration::from_secs(15)));
        let starting = ImportJob::at(record(JobState::Running, 100, 100, 0), now(101));
        assert_eq!((starting.rate(), starting.eta()), (None, None));
        let done = ImportJob::at(record(JobState::Completed, 100, 125, 10_000), now(200));
        assert_eq!((done.rate(), done.eta()), (Some(400.0), None));
    }
}
