//! Import jobs: recorded, advanced, ended, read back within their tenant, and forgotten.

use crate::support::*;
use rolodex_core::ImportCounts;
use rolodex_core::ports::{ImportJobRecord, JobEnd, JobState, NewImportJob};

fn job(rows_total: u64, started: i64) -> NewImportJob {
    NewImportJob {
        user_id: None,
        username: "operator".into(),
        format: "csv".into(),
        dry_run: false,
        rows_total,
        at: at(started),
    }
}

fn counts(rows: u64) -> ImportCounts {
    ImportCounts {
        rows,
        created: rows - 1,
        updated: 0,
        unchanged: 0,
        refused: 1,
    }
}

async fn read(db: &TestDb, tenant: rolodex_domain::TenantId, id: i64) -> ImportJobRecord {
    db.store
        .import_job(tenant, id)
        .await
        .expect("read")
        .expect("the job")
}

async fn a_job_records_its_progress_then_its_report(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let store = &db.store;
    let id = store
        .create_import_job(tenant, &job(5_000, 10), at(0))
        .await
        .expect("created");
    let started = read(&db, tenant, id).await;
    assert_eq!(started.state, JobState::Running);
    assert_eq!(
        (started.rows_total, started.counts),
        (5_000, ImportCounts::default())
    );
    assert_eq!((started.started_at, started.progress_at), (at(10), at(10)));
    assert_eq!(
        (started.user_id, started.username.as_str()),
        (None, "operator")
    );

    store
        .record_import_progress(tenant, id, counts(2_000), at(1_010))
        .await
        .expect("progress");
    let running = read(&db, tenant, id).await;
    assert_eq!(
        (running.counts, running.progress_at),
        (counts(2_000), at(1_010))
    );
    assert_eq!(
        store.import_job_report(tenant, id).await.expect("read"),
        None
    );

    let report = b"{\"rows\":5000}".to_vec();
    store
        .finish_import_job(
            tenant,
            id,
            counts(5_000),
            JobEnd::Completed {
                report: report.clone(),
            },
            at(2_500),
        )
        .await
        .expect("finished");
    let done = read(&db, tenant, id).await;
    assert_eq!(done.state, JobState::Completed);
    assert_eq!(done.counts, counts(5_000));
    assert_eq!(done.finished_at, Some(at(2_500)));
    assert_eq!(done.error, None);
    assert_eq!(
        store.import_job_report(tenant, id).await.expect("read"),
        Some(report)
    );
    // Progress arriving late does not reopen an ended job.
    store
        .record_import_progress(tenant, id, counts(10), at(3_000))
        .await
        .expect("progress");
    assert_eq!(read(&db, tenant, id).await, done);

    // Another tenant sees no such job.
    let other = db.tenant("other").await;
    assert_eq!(store.import_job(other, id).await.expect("read"), None);
    assert_eq!(
        store.import_job_report(other, id).await.expect("read"),
        None
    );
}

async fn a_failed_job_keeps_its_error_and_no_report(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let id = db
        .store
        .create_import_job(tenant, &job(10, 0), at(0))
        .await
        .expect("created");
    let end = JobEnd::Failed {
        code: "internal".into(),
        message: "internal error".into(),
    };
    db.store
        .finish_import_job(tenant, id, counts(4), end, at(50))
        .await
        .expect("finished");
    let failed = read(&db, tenant, id).await;
    assert_eq!(failed.state, JobState::Failed);
    assert_eq!(
        failed.error,
        Some(("internal".to_owned(), "internal error".to_owned()))
    );
    assert_eq!(
        db.store.import_job_report(tenant, id).await.expect("read"),
        None
    );
}

async fn a_tenants_old_jobs_are_forgotten_as_new_ones_start(db: TestDb) {
    let (acme, other) = (db.tenant("acme").await, db.tenant("other").await);
    let store = &db.store;
    let old = store
        .create_import_job(acme, &job(1, 0), at(0))
        .await
        .expect("created");
    let others = store
        .create_import_job(other, &job(1, 0), at(0))
        .await
        .expect("created");
    let recent = store
        .create_import_job(acme, &job(1, 5_000), at(0))
        .await
        .expect("created");
    let new = store
        .create_import_job(acme, &job(1, 9_000), at(1_000))
        .await
        .expect("created");
    assert!(store.import_job(acme, old).await.expect("read").is_none());
    for (tenant, id) in [(acme, recent), (acme, new), (other, others)] {
        assert!(store.import_job(tenant, id).await.expect("read").is_some());
    }
}

async fn a_tenants_jobs_are_listed_newest_first(db: TestDb) {
    let (acme, other) = (db.tenant("acme").await, db.tenant("other").await);
    let store = &db.store;
    let mut ids = Vec::new();
    for i in 0..3 {
        let id = store
            .create_import_job(acme, &job(1, i * 10), at(0))
            .await
            .expect("created");
        ids.push(id);
    }
    store
        .create_import_job(other, &job(1, 0), at(0))
        .await
        .expect("created");
    let listed = |limit| async move {
        store
            .import_jobs(acme, limit)
            .await
            .expect("listed")
            .into_iter()
            .map(|j| j.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(10).await, [ids[2], ids[1], ids[0]]);
    assert_eq!(listed(2).await, [ids[2], ids[1]]);
}

store_tests!(
    a_job_records_its_progress_then_its_report,
    a_failed_job_keeps_its_error_and_no_report,
    a_tenants_old_jobs_are_forgotten_as_new_ones_start,
    a_tenants_jobs_are_listed_newest_first,
);
