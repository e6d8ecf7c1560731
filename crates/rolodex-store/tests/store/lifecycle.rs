//! Opening, migrating, closing and reopening a store.

use crate::support::*;
use rolodex_core::ports::RepoError;
use rolodex_domain::Username;
use rolodex_store::scratch::ScratchDatabase;
use rolodex_store::{Backend, StoreError};

async fn data_persists_after_closing_and_reconnecting(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let id = create_contact(&db.store, tenant, customer, full_contact()).await;
    let written = db
        .store
        .contact(tenant, id)
        .await
        .expect("read")
        .expect("found");
    db.database.close().await;

    let reopened = rolodex_store::connect(&db.url)
        .await
        .expect("reopens")
        .store();
    assert_eq!(
        reopened.contact(tenant, id).await.expect("read"),
        Some(written.clone())
    );
    assert_eq!(reopened.list_tenants().await.expect("tenants").len(), 1);
    // A dropped store (no close) keeps its acknowledged writes as well.
    let user = reopened
        .create_user(
            tenant,
            rolodex_domain::Role::Viewer,
            &Username::parse("bob").expect("valid"),
            "Bob",
            "hash",
            at(5),
        )
        .await
        .expect("user");
    drop(reopened);
    let database = rolodex_store::connect(&db.url)
        .await
        .expect("reopens again");
    let again = database.store();
    assert_eq!(again.user(user.id).await.expect("read"), Some(user));
    assert_eq!(
        again.contact(tenant, id).await.expect("read"),
        Some(written)
    );
    database.close().await;
}

async fn writes_after_close_are_refused_as_unavailable(db: TestDb) {
    let tenant = db.tenant("acme").await;
    db.database.close().await;
    db.database.close().await; // closing twice is harmless
    let customer = rolodex_domain::CustomerId(1);
    let refused =
        try_create_contact(&db.store, tenant, customer, named("Too", "Late"), at(1)).await;
    assert!(
        matches!(refused, Err(RepoError::Unavailable(_))),
        "{refused:?}"
    );
    let read = db.store.list_tenants().await;
    assert!(matches!(read, Err(RepoError::Unavailable(_))), "{read:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_creates_the_schema_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite:{}", dir.path().join("fresh.db").display());
    rolodex_store::migrate(&url)
        .await
        .expect("migrates a new file");
    rolodex_store::migrate(&url)
        .await
        .expect("nothing left to migrate");
    let database = rolodex_store::connect(&url)
        .await
        .expect("opens the migrated file");
    assert_eq!(database.store().count_users().await.expect("count"), 0);
    database.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn migrate_creates_the_postgres_schema_and_is_idempotent() {
    let Some(scratch) = ScratchDatabase::create_or_skip().await else {
        return;
    };
    rolodex_store::migrate(&scratch.url)
        .await
        .expect("migrates a new database");
    rolodex_store::migrate(&scratch.url)
        .await
        .expect("nothing left to migrate");
    let database = rolodex_store::connect(&scratch.url)
        .await
        .expect("opens the migrated database");
    assert_eq!(database.backend(), Backend::Postgres);
    assert_eq!(database.store().count_users().await.expect("count"), 0);
    database.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn other_schemes_are_refused_without_echoing_the_url() {
    let err = rolodex_store::connect("mysql://rolodex:s3cret@db/rolodex")
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, StoreError::UnsupportedScheme { scheme } if scheme == "mysql"),
        "{err:?}"
    );
    assert!(!err.to_string().contains("s3cret"));
    let err = rolodex_store::connect("sqlite::memory:")
        .await
        .expect_err("refused");
    assert!(matches!(err, StoreError::InMemoryUnsupported));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unopenable_file_is_an_open_error_with_its_source() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}/missing/folder/x.db", dir.path().display());
    let err = rolodex_store::connect(&url).await.expect_err("cannot open");
    assert!(matches!(err, StoreError::Open(_)), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_postgres_server_is_an_open_error_without_the_password() {
    // Port 1 on the loopback: nothing listens there.
    let err = rolodex_store::connect("postgres://rolodex:s3cret@127.0.0.1:1/rolodex")
        .await
        .expect_err("cannot connect");
    assert!(matches!(err, StoreError::Open(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("s3cret"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_database_file_is_in_wal_mode() {
    let db = TestDb::sqlite().await;
    let conn = second_connection(&db.url);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .expect("pragma");
    assert_eq!(mode, "wal");
}

store_tests!(
    data_persists_after_closing_and_reconnecting,
    writes_after_close_are_refused_as_unavailable,
);
