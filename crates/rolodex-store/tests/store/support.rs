//! Test fixtures: a fresh store of either backend (SQLite in a temporary folder, PostgreSQL in
//! a database of its own), the macro that runs a test against both, and shorthands for writes.

use rolodex_core::Store;
use rolodex_core::ports::{HistoryDraft, RepoError, Write, WriteOp};
use rolodex_domain::PhotoRef;
use rolodex_domain::photo::StoredFormat;
use rolodex_domain::{
    ContactFields, ContactId, CustomerFields, CustomerId, FieldChange, Notifications, Phone,
    PhoneType, Surface, TenantCode, TenantId, UserId,
};
use rolodex_store::scratch::ScratchDatabase;
use rolodex_store::{Database, SqliteStore};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use tempfile::TempDir;
use time::OffsetDateTime;

/// Generates, from `async fn name(db: TestDb)` test bodies, the tests `sqlite::name` and
/// `postgres::name`: every store test runs against both backends. A PostgreSQL test whose
/// server cannot be reached is skipped with a message (and fails under CI).
macro_rules! store_tests {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $name() {
                    super::$name(crate::support::TestDb::sqlite().await).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $name() {
                    if let Some(db) = crate::support::TestDb::postgres().await {
                        super::$name(db).await;
                    }
                }
            )+
        }
    };
}

/// A fresh, migrated store of one backend, and its URL.
pub struct TestDb {
    pub store: Arc<dyn Store>,
    pub database: Database,
    pub url: String,
    // Dropped last: the folder or database outlives the store.
    _folder: Option<TempDir>,
    _server: Option<ScratchDatabase>,
}

impl TestDb {
    /// A store in a new SQLite file in a temporary folder.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("rolodex.db").display());
        Self::open(url, Some(dir), None).await
    }

    /// A store in a new PostgreSQL database, or `None` when the test server cannot be reached
    /// (outside CI).
    pub async fn postgres() -> Option<Self> {
        let scratch = ScratchDatabase::create_or_skip().await?;
        let url = scratch.url.clone();
        Some(Self::open(url, None, Some(scratch)).await)
    }

    async fn open(url: String, folder: Option<TempDir>, server: Option<ScratchDatabase>) -> Self {
        let database = rolodex_store::connect(&url).await.expect("the store opens");
        Self {
            store: database.store(),
            database,
            url,
            _folder: folder,
            _server: server,
        }
    }

    /// The SQLite store itself, for tests of its writer.
    pub fn sqlite_store(&self) -> &SqliteStore {
        match &self.database {
            Database::Sqlite(store) => store,
            Database::Postgres(_) => panic!("a SQLite-only test was given a PostgreSQL store"),
        }
    }

    /// A new tenant with code `code`.
    pub async fn tenant(&self, code: &str) -> TenantId {
        let code = TenantCode::parse(code).expect("a valid tenant code");
        self.store
            .create_tenant(&code, "Test tenant", at(0))
            .await
            .expect("tenant created")
            .id
    }
}

/// A connection of its own to the SQLite database at `url`, beside the store's.
pub fn second_connection(url: &str) -> rusqlite::Connection {
    let path = url.strip_prefix("sqlite://").expect("a sqlite:// URL");
    rusqlite::Connection::open(path).expect("second connection")
}

/// A time `ms` milliseconds after 2024-01-01T00:00:00Z.
pub fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(1_704_067_200_000 + ms) * 1_000_000)
        .expect("a valid time")
}

pub fn draft(when: OffsetDateTime) -> HistoryDraft {
    HistoryDraft {
        at: when,
        user_id: Some(UserId(7)),
        username: "alice".into(),
        surface: Surface::Native,
        changes: vec![FieldChange {
            field: "code".into(),
            old: json!(null),
            new: json!("X"),
        }],
    }
}

pub fn write(op: WriteOp, when: OffsetDateTime) -> Write {
    Write {
        op,
        history: draft(when),
    }
}

pub fn customer_fields(code: &str) -> CustomerFields {
    CustomerFields {
        code: code.into(),
        name: Some(format!("{code} Corporation")),
        ..CustomerFields::default()
    }
}

pub fn named(first: &str, last: &str) -> ContactFields {
    ContactFields {
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        ..Default::default()
    }
}

/// A contact with every field set to a value other than its default.
pub fn full_contact() -> ContactFields {
    ContactFields {
        code: Some("JHERNANDEZ".into()),
        external_id: Some("SLX-0001".into()),
        status: Some("active".into()),
        salutation: Some("Mr.".into()),
        first_name: Some("José".into()),
        initial: Some("M".into()),
        last_name: Some("Hernández-Ruiz".into()),
        full_name: Some("Joe Hernandez".into()),
        title: Some("Buyer".into()),
        mail_stop: Some("MS-12".into()),
        address_1: Some("1 Main St".into()),
        address_2: Some("Suite 2".into()),
        address_3: Some("Building C".into()),
        city: Some("San Jose".into()),
        state: Some("CA".into()),
        postal_code: Some("95110".into()),
        country: Some("US".into()),
        phones: vec![
            Phone {
                id: 1,
                kind: PhoneType::Business,
                number: "(408) 555-1212".into(),
            },
            Phone {
                id: 3,
                kind: PhoneType::Mobile,
                number: "+1 408 555 9999".into(),
            },
        ],
        emails: vec!["J.Hernandez@ABCcorp.com".into(), "joe@example.org".into()],
        web_address: Some("https://abccorp.example".into()),
        notes: Some("Line one\nLine two\twith a tab; 'quotes' and \"double\" ✓".into()),
        attachments: vec!["https://files.example/a.pdf".into(), "/share/b.doc".into()],
        is_primary: true,
        is_decision_maker: true,
        owner_id: Some(UserId(42)),
        notifications: Notifications {
            on_new: true,
            on_acknowledged: false,
            on_dispatched: true,
            on_completed: false,
            on_failed: true,
        },
        custom_fields: BTreeMap::from([
            ("SOFCT_USER_1".into(), "blue".into()),
            ("size".into(), "XL".into()),
        ]),
        photo: Some(PhotoRef {
            name: "1700000000000_00ff00ff00ff00ff.jpg".into(),
            format: StoredFormat::Jpeg,
            width: 640,
            height: 480,
            bytes: 51_234,
            sha256: "ab".repeat(32),
        }),
        phone_seq: 3,
    }
}

pub async fn create_customer(store: &Arc<dyn Store>, tenant: TenantId, code: &str) -> CustomerId {
    let ids = store
        .write(
            tenant,
            vec![write(
                WriteOp::CreateCustomer {
                    fields: customer_fields(code),
                },
                at(0),
            )],
        )
        .await
        .expect("customer created");
    CustomerId(ids[0])
}

pub async fn try_create_contact(
    store: &Arc<dyn Store>,
    tenant: TenantId,
    customer: CustomerId,
    fields: ContactFields,
    when: OffsetDateTime,
) -> Result<ContactId, RepoError> {
    let ids = store
        .write(
            tenant,
            vec![write(
                WriteOp::CreateContact {
                    customer_id: customer,
                    fields,
                },
                when,
            )],
        )
        .await?;
    Ok(ContactId(ids[0]))
}

pub async fn create_contact(
    store: &Arc<dyn Store>,
    tenant: TenantId,
    customer: CustomerId,
    fields: ContactFields,
) -> ContactId {
    try_create_contact(store, tenant, customer, fields, at(0))
        .await
        .expect("contact created")
}
