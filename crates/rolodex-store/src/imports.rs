//! Import jobs: recorded by the node that runs one, read by any node. A tenant's jobs are
//! forgotten (their reports with them) some time after they started, as new ones start.

use crate::rows::{self, IMPORT_JOB_COLUMNS};
use crate::sql::{Conn, DbError, Param, Text};
use crate::store::{Backend, SqlStore};
use async_trait::async_trait;
use rolodex_core::ImportCounts;
use rolodex_core::ports::{
    ImportJobRecord, ImportJobRepo, JobEnd, JobState, NewImportJob, RepoError,
};
use rolodex_domain::TenantId;
use time::OffsetDateTime;

/// A count as stored.
fn count(n: u64) -> Param {
    i64::try_from(n).unwrap_or(i64::MAX).into()
}

#[async_trait]
impl<B: Backend> ImportJobRepo for SqlStore<B> {
    async fn create_import_job(
        &self,
        tenant: TenantId,
        job: &NewImportJob,
        forget_before: OffsetDateTime,
    ) -> Result<i64, RepoError> {
        const FORGET: &str = "DELETE FROM import_jobs WHERE tenant_id = ?1 AND started_at < ?2";
        const INSERT: &str = "INSERT INTO import_jobs (tenant_id, user_id, username, format, \
             dry_run, status, rows_total, rows_done, rows_created, rows_updated, rows_unchanged, \
             rows_refused, started_at, progress_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, 0, 0, 0, 0, ?8, ?8)";
        let params: Vec<Param> = vec![
            tenant.0.into(),
            job.user_id.map(|u| u.0).into(),
            job.username.as_str().into(),
            job.format.as_str().into(),
            job.dry_run.into(),
            JobState::Running.as_str().into(),
            count(job.rows_total),
            job.at.into(),
        ];
        self.backend
            .write(move |c| {
                Box::pin(async move {
                    c.execute(FORGET, &[tenant.0.into(), forget_before.into()])
                        .await?;
                    c.insert_id(INSERT, &params)
                        .await
                        .map_err(DbError::classify)
                })
            })
            .await
    }

    async fn record_import_progress(
        &self,
        tenant: TenantId,
        id: i64,
        counts: ImportCounts,
        at: OffsetDateTime,
    ) -> Result<(), RepoError> {
        const SQL: &str = "UPDATE import_jobs SET rows_done = ?1, rows_created = ?2, \
             rows_updated = ?3, rows_unchanged = ?4, rows_refused = ?5, progress_at = ?6 \
             WHERE tenant_id = ?7 AND id = ?8 AND status = 'running'";
        let mut params = counted(counts);
        params.extend([at.into(), tenant.0.into(), id.into()]);
        self.execute(SQL, params, DbError::classify).await?;
        Ok(())
    }

    async fn finish_import_job(
        &self,
        tenant: TenantId,
        id: i64,
        counts: ImportCounts,
        end: JobEnd,
        at: OffsetDateTime,
    ) -> Result<(), RepoError> {
        const SQL: &str = "UPDATE import_jobs SET rows_done = ?1, rows_created = ?2, \
             rows_updated = ?3, rows_unchanged = ?4, rows_refused = ?5, progress_at = ?6, \
             finished_at = ?6, status = ?7, error_code = ?8, error_message = ?9, report = ?10 \
             WHERE tenant_id = ?11 AND id = ?12";
        let (state, code, message, report) = match end {
            JobEnd::Completed { report } => (JobState::Completed, None, None, Some(report)),
            JobEnd::Failed { code, message } => (JobState::Failed, Some(code), Some(message), None),
        };
        let mut params = counted(counts);
        params.extend([
            at.into(),
            state.as_str().into(),
            code.into(),
            message.into(),
            Param::Bytes(report),
            tenant.0.into(),
            id.into(),
        ]);
        self.execute(SQL, params, DbError::classify).await?;
        Ok(())
    }

    async fn import_job(
        &self,
        tenant: TenantId,
        id: i64,
    ) -> Result<Option<ImportJobRecord>, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!("SELECT {IMPORT_JOB_COLUMNS} FROM import_jobs WHERE tenant_id = ?1 AND id = ?2")
        });
        self.first(&SQL, vec![tenant.0.into(), id.into()], rows::import_job)
            .await
    }

    async fn import_jobs(
        &self,
        tenant: TenantId,
        limit: usize,
    ) -> Result<Vec<ImportJobRecord>, RepoError> {
        static SQL: Text = Text::new(|_| {
            format!(
                "SELECT {IMPORT_JOB_COLUMNS} FROM import_jobs WHERE tenant_id = ?1 \
                 ORDER BY id DESC LIMIT ?2"
            )
        });
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.all(&SQL, vec![tenant.0.into(), limit.into()], rows::import_job)
            .await
    }

    async fn import_job_report(
        &self,
        tenant: TenantId,
        id: i64,
    ) -> Result<Option<Vec<u8>>, RepoError> {
        const SQL: &str = "SELECT report FROM import_jobs WHERE tenant_id = ?1 AND id = ?2";
        Ok(self
            .first(SQL, vec![tenant.0.into(), id.into()], rows::import_report)
            .await?
            .flatten())
    }
}

/// The parameters `?1` to `?5` of a job's counts.
fn counted(counts: ImportCounts) -> Vec<Param> {
    vec![
        count(counts.rows),
        count(counts.created),
        count(counts.updated),
        count(counts.unchanged),
        count(counts.refused),
    ]
}
