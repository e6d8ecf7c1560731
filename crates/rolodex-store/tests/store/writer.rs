//! The group-commit writer of the SQLite store: concurrent writes share commits, a failing job
//! does not take its batch down, and nothing is acknowledged that is not committed.

use crate::support::*;
use rolodex_core::ports::{ConflictKind, RepoError, WriteOp};
use rolodex_core::query::{ContactQuery, PageRequest};
use rolodex_domain::{ContactFields, CustomerId};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_concurrent_writes_all_land_in_fewer_commits() {
    let db = TestDb::sqlite().await;
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let before = db.sqlite_store().writer_stats();

    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = db.store.clone();
            tokio::spawn(async move {
                let fields = ContactFields {
                    code: Some(format!("P{i:03}")),
                    ..named(&format!("Person{i}"), "Concurrent")
                };
                try_create_contact(&store, tenant, customer, fields, at(i)).await
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.expect("task ran").expect("write acknowledged"));
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 200);
    assert_eq!(
        db.store
            .count_contacts(tenant, customer)
            .await
            .expect("count"),
        200
    );
    for (i, id) in ids.iter().enumerate().step_by(37) {
        assert!(
            db.store.contact(tenant, *id).await.expect("read").is_some(),
            "write {i} is readable"
        );
    }

    let stats = db.sqlite_store().writer_stats();
    let (jobs, commits) = (stats.jobs - before.jobs, stats.commits - before.commits);
    assert_eq!(jobs, 200);
    assert!(
        commits < jobs,
        "group commit shares fsyncs: {commits} commits for {jobs} jobs"
    );
}

/// Holds the database's write lock from another connection until dropped or committed, so
/// that the writer's jobs queue up behind it.
async fn lock_database(url: &str) -> rusqlite::Connection {
    let conn = second_connection(url);
    conn.execute_batch("BEGIN IMMEDIATE").expect("write lock");
    conn
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_job_does_not_roll_back_the_others_of_its_batch() {
    let db = TestDb::sqlite().await;
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    create_contact(
        &db.store,
        tenant,
        customer,
        ContactFields {
            code: Some("TAKEN".into()),
            ..Default::default()
        },
    )
    .await;

    // While another connection holds the lock, the writer's first batch waits in BEGIN and
    // every later job queues: they all run in the next batch, together.
    let blocker = lock_database(&db.url).await;
    let before = db.sqlite_store().writer_stats();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = db.store.clone();
            tokio::spawn(async move {
                // Every fifth job breaks the contact-code rule; one job names no customer.
                let code = if i % 5 == 0 {
                    "taken".to_owned()
                } else {
                    format!("OK{i}")
                };
                let target = if i == 7 { CustomerId(404) } else { customer };
                let fields = ContactFields {
                    code: Some(code),
                    ..Default::default()
                };
                (
                    i,
                    try_create_contact(&store, tenant, target, fields, at(i)).await,
                )
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    blocker.execute_batch("COMMIT").expect("release the lock");
    drop(blocker);

    let mut landed = 0;
    for task in tasks {
        let (i, result) = task.await.expect("task ran");
        match i {
            7 => assert!(matches!(result, Err(RepoError::NotFound)), "{result:?}"),
            i if i % 5 == 0 => {
                assert!(
                    matches!(
                        result,
                        Err(RepoError::Conflict(ConflictKind::DuplicateContactCode))
                    ),
                    "{result:?}"
                );
            }
            _ => {
                let id = result.expect("the other jobs commit");
                assert!(db.store.contact(tenant, id).await.expect("read").is_some());
                landed += 1;
            }
        }
    }
    assert_eq!(landed, 15);
    assert_eq!(
        db.store
            .count_contacts(tenant, customer)
            .await
            .expect("count"),
        16
    );
    let stats = db.sqlite_store().writer_stats();
    assert_eq!(stats.jobs - before.jobs, 20);
    assert!(
        stats.commits - before.commits <= 2,
        "the queued jobs shared one commit: {stats:?} vs {before:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_that_cannot_begin_fails_every_job_as_unavailable() {
    let db = TestDb::sqlite().await;
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    // Held longer than the writer's busy timeout (5 s).
    let blocker = lock_database(&db.url).await;
    let result =
        try_create_contact(&db.store, tenant, customer, named("Never", "Lands"), at(1)).await;
    assert!(
        matches!(result, Err(RepoError::Unavailable(_))),
        "{result:?}"
    );
    drop(blocker);
    // The writer carries on once the lock is gone.
    let id = try_create_contact(&db.store, tenant, customer, named("Does", "Land"), at(2))
        .await
        .expect("lands");
    assert!(db.store.contact(tenant, id).await.expect("read").is_some());
    assert_eq!(
        db.store
            .count_contacts(tenant, customer)
            .await
            .expect("count"),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_call_with_many_writes_is_one_job_and_all_or_nothing() {
    let db = TestDb::sqlite().await;
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let creates: Vec<_> = (0..10)
        .map(|i| {
            write(
                WriteOp::CreateContact {
                    customer_id: customer,
                    fields: named(&format!("P{i}"), "Batch"),
                },
                at(i),
            )
        })
        .collect();
    let before = db.sqlite_store().writer_stats();
    let ids = db.store.write(tenant, creates).await.expect("written");
    assert_eq!(ids.len(), 10);
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids in the order of the writes"
    );
    let stats = db.sqlite_store().writer_stats();
    assert_eq!(
        (stats.jobs - before.jobs, stats.commits - before.commits),
        (1, 1)
    );
    let page = db
        .store
        .list_contacts(
            tenant,
            &ContactQuery {
                page: PageRequest {
                    limit: 100,
                    after: None,
                },
                ..Default::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(page.items.len(), 10);
    assert_eq!(
        db.store
            .write(tenant, Vec::new())
            .await
            .expect("nothing to do"),
        Vec::<i64>::new()
    );
    assert!(
        db.store
            .customer(tenant, customer)
            .await
            .expect("read")
            .is_some()
    );
}
