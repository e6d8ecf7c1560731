//! Copying a whole database between the backends: SQLite with thousands of contacts into
//! PostgreSQL and back compares equal record by record, ids and id sequences included.

use crate::support::*;
use rolodex_core::Store;
use rolodex_core::ports::{
    ChallengeMethod, ClaimTimes, CodeChallenge, NewAuthorizationCode, NewOAuthClient, NewToken,
    NewTokenPair, StoredResponse, TokenKind, WriteOp,
};
use rolodex_core::query::{ContactQuery, ContactSort, PageRequest};
use rolodex_domain::{ContactFields, ContactId, Role, TenantId, UserId, Username};
use rolodex_store::copy::CopyError;
use std::sync::Arc;

const CONTACTS: usize = 3_000;

/// Last names that sort differently by byte, by locale, and with or without case.
fn last_name(i: usize) -> String {
    const NAMES: &[&str] = &[
        "Zeta",
        "zeta",
        "Ångström",
        "O'Brien",
        "de la Cruz",
        "_under",
        "[bracket",
        "Émile",
        "ß",
        "Øre",
        "apple",
        "Apple",
        "1st",
        "mcDonald",
        "McDonald",
        "",
    ];
    format!("{}{}", NAMES[i % NAMES.len()], i % 7)
}

/// Fills `db` with some of everything: two tenants, users, tokens, login failures, customers
/// (one deleted), thousands of contacts (some updated, some deleted, one with every field),
/// their history, and idempotency keys.
async fn fill(db: &TestDb) -> (TenantId, ContactId) {
    let store = &db.store;
    let tenant = db.tenant("acme").await;
    let other = db.tenant("other").await;
    let user = store
        .create_user(
            tenant,
            Role::Dispatcher,
            &Username::parse("alice").expect("valid"),
            "Alice",
            "hash",
            at(1),
        )
        .await
        .expect("user");
    store
        .set_membership(other, user.id, Role::Viewer)
        .await
        .expect("member");
    for (i, kind) in [TokenKind::Session, TokenKind::ApiKey]
        .into_iter()
        .enumerate()
    {
        let token = store
            .insert_token(NewToken {
                kind,
                secret_hash: format!("hash-{i}"),
                user_id: user.id,
                tenant_id: Some(tenant),
                name: String::new(),
                created_at: at(2),
                expires_at: Some(at(3_600_000)),
            })
            .await
            .expect("token");
        if kind == TokenKind::ApiKey {
            store.revoke_token(token.id, at(5)).await.expect("revoked");
        }
    }
    store
        .record_failure("alice", at(6), at(0))
        .await
        .expect("failure");
    fill_oauth(store, tenant, user.id).await;
    let gone = create_customer(store, tenant, "GONE").await;
    store
        .write(
            tenant,
            vec![write(
                WriteOp::DeleteCustomer {
                    id: gone,
                    expected_version: 1,
                },
                at(7),
            )],
        )
        .await
        .expect("deleted");
    let customers = [
        create_customer(store, tenant, "C1").await,
        create_customer(store, tenant, "C2").await,
        create_customer(store, other, "C1").await,
    ];
    let full = create_contact(store, tenant, customers[0], full_contact()).await;
    let mut ids = Vec::new();
    for chunk in (0..CONTACTS).collect::<Vec<_>>().chunks(250) {
        let writes = chunk
            .iter()
            .map(|&i| {
                let fields = ContactFields {
                    code: Some(format!("P{i:05}")),
                    emails: vec![format!("p{i}@example.com")],
                    ..named(&format!("Person{i}"), &last_name(i))
                };
                write(
                    WriteOp::CreateContact {
                        customer_id: customers[i % 3],
                        fields,
                    },
                    at(10 + i64::try_from(i).expect("small")),
                )
            })
            .collect::<Vec<_>>();
        let tenant_of = |i: usize| if i % 3 == 2 { other } else { tenant };
        // One call per tenant: a write names its tenant.
        let (mine, theirs): (Vec<_>, Vec<_>) = chunk
            .iter()
            .zip(writes)
            .partition(|(i, _)| tenant_of(**i) == tenant);
        for (t, batch) in [(tenant, mine), (other, theirs)] {
            let (indexes, writes): (Vec<usize>, Vec<_>) = batch.into_iter().unzip();
            let written = store.write(t, writes).await.expect("contacts written");
            ids.extend(indexes.into_iter().zip(written).map(|(i, id)| (i, t, id)));
        }
    }
    // Updates of some, then the last ones deleted: the highest ids are gone.
    for &(i, t, id) in ids.iter().filter(|(i, _, _)| i % 10 == 0) {
        let fields = ContactFields {
            title: Some("Updated".into()),
            code: Some(format!("P{i:05}")),
            ..named(&format!("Person{i}"), "Renamed")
        };
        let before = store
            .contact(t, ContactId(id))
            .await
            .expect("read")
            .expect("found")
            .fields;
        store
            .write(
                t,
                vec![write(
                    WriteOp::UpdateContact {
                        id: ContactId(id),
                        customer_id: customers[i % 3],
                        expected_version: 1,
                        before: Box::new(before),
                        fields,
                    },
                    at(100_000),
                )],
            )
            .await
            .expect("updated");
    }
    let max = ids.iter().map(|(_, _, id)| *id).max().expect("contacts");
    for &(i, t, id) in ids.iter().filter(|(_, _, id)| *id > max - 5) {
        let version = if i % 10 == 0 { 2 } else { 1 };
        store
            .write(
                t,
                vec![write(
                    WriteOp::DeleteContact {
                        id: ContactId(id),
                        expected_version: version,
                    },
                    at(200_000),
                )],
            )
            .await
            .expect("deleted");
    }
    let response = StoredResponse {
        status: 201,
        content_type: "application/json".into(),
        body: b"{\"id\": 1, \"bytes\": \"\\u0000\"}".to_vec(),
        etag: Some("\"1\"".into()),
        location: Some("/v1/customers/1".into()),
    };
    for key in ["k-done", "k-pending"] {
        store
            .claim(
                tenant,
                "user:1",
                key,
                "fp",
                ClaimTimes {
                    at: at(8),
                    expired_before: at(0),
                    abandoned_before: at(0),
                },
            )
            .await
            .expect("claimed");
    }
    store
        .complete(tenant, "user:1", "k-done", &response)
        .await
        .expect("completed");
    (tenant, full)
}

/// An OAuth client (and a revoked one), a code without PKCE and one redeemed, and a refresh
/// token rotated once.
async fn fill_oauth(store: &Arc<dyn Store>, tenant: TenantId, user: UserId) {
    let mut clients = Vec::new();
    for (i, uris) in [
        vec!["https://c.example/cb"],
        vec!["https://d.example/a", "http://e/b"],
    ]
    .into_iter()
    .enumerate()
    {
        let client = store
            .insert_oauth_client(NewOAuthClient {
                tenant_id: tenant,
                name: format!("Client {i}"),
                client_id: format!("client-{i}"),
                secret_hash: format!("secret-{i}"),
                redirect_uris: uris.into_iter().map(str::to_owned).collect(),
                created_at: at(20),
            })
            .await
            .expect("client");
        clients.push(client);
    }
    store
        .revoke_oauth_client(tenant, clients[1].id, at(21))
        .await
        .expect("revoked");
    for (hash, challenge) in [
        ("code-plain", None),
        (
            "code-pkce",
            Some(CodeChallenge {
                challenge: "c".repeat(43),
                method: ChallengeMethod::Plain,
            }),
        ),
    ] {
        store
            .insert_authorization_code(NewAuthorizationCode {
                tenant_id: tenant,
                client: clients[0].id,
                user_id: user,
                code_hash: hash.into(),
                redirect_uri: challenge.is_some().then(|| "https://c.example/cb".into()),
                challenge,
                scope: None,
                created_at: at(22),
                expires_at: at(30_022),
            })
            .await
            .expect("code");
    }
    let grant = store
        .authorization_code("code-pkce")
        .await
        .expect("read")
        .expect("stored")
        .id;
    let pair = |name: &str, ms: i64| NewTokenPair {
        grant,
        client: clients[0].id,
        access: NewToken {
            kind: TokenKind::OAuth,
            secret_hash: format!("{name}-access"),
            user_id: user,
            tenant_id: Some(tenant),
            name: "client-0".into(),
            created_at: at(ms),
            expires_at: Some(at(ms + 3_600_000)),
        },
        refresh_hash: format!("{name}-refresh"),
        refresh_expires_at: at(ms + 86_400_000),
        scope: Some("read write".into()),
    };
    store
        .redeem_authorization_code(tenant, grant, pair("first", 23))
        .await
        .expect("redeemed");
    let first = store
        .refresh_token("first-refresh")
        .await
        .expect("read")
        .expect("stored");
    store
        .rotate_refresh_token(tenant, first.id, pair("second", 24))
        .await
        .expect("rotated");
}

/// Every page of `query` (200 at a time), in order.
async fn all_pages(
    store: &Arc<dyn Store>,
    tenant: TenantId,
    mut query: ContactQuery,
) -> Vec<ContactId> {
    query.page = PageRequest {
        limit: 200,
        after: None,
    };
    let mut out = Vec::new();
    loop {
        let page = store.list_contacts(tenant, &query).await.expect("list");
        out.extend(page.items.iter().map(|c| c.id));
        match page.next {
            Some(next) => query.page.after = Some(next),
            None => return out,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sqlite_database_copied_into_postgres_and_back_compares_equal() {
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let source = TestDb::sqlite().await;
    let (tenant, full) = fill(&source).await;

    let report = source
        .database
        .copy_into(&pg.database)
        .await
        .expect("copied");
    let count = |table: &str| {
        report
            .tables
            .iter()
            .find(|t| t.table == table)
            .map(|t| t.rows)
    };
    assert_eq!(count("contacts"), Some(CONTACTS + 1 - 5));
    assert_eq!(count("tenants"), Some(2));
    assert_eq!(count("idempotency_keys"), Some(2));
    assert!(count("contact_terms").is_some_and(|n| n > CONTACTS));
    assert!(report.total() > 3 * CONTACTS);

    // The copy is the same database to every port, in every order.
    assert_eq!(
        pg.store.contact(tenant, full).await.expect("read"),
        source.store.contact(tenant, full).await.expect("read")
    );
    let queries = [
        ContactQuery {
            sort: ContactSort::LastName,
            ..Default::default()
        },
        ContactQuery {
            sort: ContactSort::LastName,
            descending: true,
            ..Default::default()
        },
        ContactQuery {
            text: Some("ång".into()),
            ..Default::default()
        },
        ContactQuery {
            text: Some("O'B person1".into()),
            sort: ContactSort::UpdatedAt,
            ..Default::default()
        },
        ContactQuery {
            email: Some("P16@Example.com".into()),
            ..Default::default()
        },
    ];
    for query in queries {
        let expected = all_pages(&source.store, tenant, query.clone()).await;
        assert!(!expected.is_empty(), "{query:?} finds contacts");
        assert_eq!(
            all_pages(&pg.store, tenant, query.clone()).await,
            expected,
            "{query:?}"
        );
    }

    let back = TestDb::sqlite().await;
    let again = pg
        .database
        .copy_into(&back.database)
        .await
        .expect("copied back");
    assert_eq!(again, report);
    assert_eq!(
        source
            .database
            .compare_with(&back.database)
            .await
            .expect("equal"),
        report
    );

    // Neither copy hands out an id the source had handed out (the deleted contacts' ones).
    for db in [&source, &pg, &back] {
        let customer = create_customer(&db.store, tenant, "NEXT").await;
        assert_eq!(customer.0, 5, "{}", db.url);
        let id = create_contact(&db.store, tenant, customer, named("New", "One")).await;
        assert_eq!(
            id,
            ContactId(i64::try_from(CONTACTS).expect("small") + 2),
            "{}",
            db.url
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copy_into_a_database_with_records_is_refused_and_changes_nothing() {
    let source = TestDb::sqlite().await;
    source.tenant("acme").await;
    let target = TestDb::sqlite().await;
    target.tenant("mine").await;
    let err = source
        .database
        .copy_into(&target.database)
        .await
        .expect_err("refused");
    assert!(
        matches!(err, CopyError::TargetNotEmpty { table: "tenants" }),
        "{err:?}"
    );
    assert_eq!(target.store.list_tenants().await.expect("tenants").len(), 1);
    let differs = source.database.compare_with(&target.database).await;
    assert!(
        matches!(
            differs,
            Err(CopyError::Differs {
                table: "tenants",
                ..
            })
        ),
        "{differs:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_column_the_copy_does_not_know_is_refused_by_name() {
    let source = TestDb::sqlite().await;
    second_connection(&source.url)
        .execute_batch("ALTER TABLE contacts ADD COLUMN nickname TEXT")
        .expect("a column the copy does not know");
    let target = TestDb::sqlite().await;
    let err = source
        .database
        .copy_into(&target.database)
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, CopyError::UnknownSchema { detail } if detail.contains("contacts.nickname")),
        "{err:?}"
    );
}
