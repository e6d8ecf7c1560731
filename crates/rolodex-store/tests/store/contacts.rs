//! Contact and customer writes: round trips, versions, tenancy, uniqueness, history.

use crate::support::*;
use rolodex_core::ports::{ConflictKind, RepoError, Store, WriteOp};
use rolodex_core::query::{ContactQuery, HistoryOrder, Page, PageRequest};
use rolodex_domain::{
    Change, ContactFields, ContactId, CustomerFields, CustomerId, HistoryEntry, Surface, TenantId,
    UserId,
};
use serde_json::json;
use std::sync::Arc;

async fn a_contact_with_every_field_set_reads_back_as_written(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "ABCCORP").await;
    let fields = full_contact();
    let id = try_create_contact(&db.store, tenant, customer, fields.clone(), at(1_234))
        .await
        .expect("created");

    let contact = db
        .store
        .contact(tenant, id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(contact.fields, fields);
    assert_eq!(
        contact.fields.phone_seq, 3,
        "phone_seq is not serialised and must still round-trip"
    );
    assert_eq!(
        (contact.id, contact.tenant_id, contact.customer_id),
        (id, tenant, customer)
    );
    assert_eq!(
        (contact.created_at, contact.updated_at),
        (at(1_234), at(1_234))
    );
    assert_eq!(
        (contact.created_by, contact.updated_by),
        (Some(UserId(7)), Some(UserId(7)))
    );
    assert_eq!(contact.version, 1);

    let mut changed = fields.clone();
    changed.city = None;
    changed.phones.truncate(1);
    changed.phone_seq = 9;
    changed.notifications.on_new = false;
    changed.custom_fields.clear();
    db.store
        .write(
            tenant,
            vec![write(
                WriteOp::UpdateContact {
                    id,
                    customer_id: customer,
                    expected_version: 1,
                    before: Box::new(fields.clone()),
                    fields: changed.clone(),
                },
                at(5_000),
            )],
        )
        .await
        .expect("updated");
    let contact = db
        .store
        .contact(tenant, id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(contact.fields, changed);
    assert_eq!(
        (contact.created_at, contact.updated_at, contact.version),
        (at(1_234), at(5_000), 2)
    );

    let by_code = db
        .store
        .contact_by_code(tenant, customer, "jhernandez")
        .await
        .expect("read");
    assert_eq!(
        by_code.map(|c| c.id),
        Some(id),
        "codes compare case-insensitively"
    );
    let by_external = db
        .store
        .contact_by_external_id(tenant, "slx-0001")
        .await
        .expect("read");
    assert_eq!(by_external.map(|c| c.id), Some(id));
    let primary = db
        .store
        .primary_contact(tenant, customer)
        .await
        .expect("read");
    assert_eq!(primary.map(|c| c.id), Some(id));
    assert_eq!(
        db.store
            .count_contacts(tenant, customer)
            .await
            .expect("count"),
        1
    );
}

async fn a_customer_round_trips_and_its_version_counts_updates(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let id = create_customer(&db.store, tenant, "ABCCORP").await;
    let fields = CustomerFields {
        code: "ABC2".into(),
        ..CustomerFields::default()
    };
    db.store
        .write(
            tenant,
            vec![write(
                WriteOp::UpdateCustomer {
                    id,
                    expected_version: 1,
                    fields: fields.clone(),
                },
                at(10),
            )],
        )
        .await
        .expect("updated");
    let customer = db
        .store
        .customer(tenant, id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(customer.fields, fields);
    assert_eq!(
        (customer.version, customer.created_at, customer.updated_at),
        (2, at(0), at(10))
    );
    let by_code = db
        .store
        .customer_by_code(tenant, "abc2")
        .await
        .expect("read");
    assert_eq!(by_code.map(|c| c.id), Some(id));
}

async fn an_update_with_a_stale_version_is_a_mismatch_and_changes_nothing(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let id = create_contact(&db.store, tenant, customer, named("Ann", "Lee")).await;
    let before = db
        .store
        .contact(tenant, id)
        .await
        .expect("read")
        .expect("found");

    let stale = db
        .store
        .write(
            tenant,
            vec![write(
                WriteOp::UpdateContact {
                    id,
                    customer_id: customer,
                    expected_version: 7,
                    before: Box::new(before.fields.clone()),
                    fields: named("Changed", "Name"),
                },
                at(99),
            )],
        )
        .await;
    assert!(
        matches!(stale, Err(RepoError::VersionMismatch)),
        "{stale:?}"
    );
    let delete = db
        .store
        .write(
            tenant,
            vec![write(
                WriteOp::DeleteContact {
                    id,
                    expected_version: 0,
                },
                at(99),
            )],
        )
        .await;
    assert!(
        matches!(delete, Err(RepoError::VersionMismatch)),
        "{delete:?}"
    );
    let customer_update = db
        .store
        .write(
            tenant,
            vec![write(
                WriteOp::UpdateCustomer {
                    id: customer,
                    expected_version: 2,
                    fields: customer_fields("C9"),
                },
                at(99),
            )],
        )
        .await;
    assert!(matches!(customer_update, Err(RepoError::VersionMismatch)));

    let after = db
        .store
        .contact(tenant, id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(after, before);
    let history = oldest_history(&db.store, tenant, "contact", id.0).await;
    assert_eq!(history.items.len(), 1, "only the create is recorded");
}

async fn another_tenants_ids_are_not_found_and_stay_unchanged(db: TestDb) {
    let mine = db.tenant("mine").await;
    let theirs = db.tenant("theirs").await;
    let their_customer = create_customer(&db.store, theirs, "C1").await;
    let their_contact =
        create_contact(&db.store, theirs, their_customer, named("Ann", "Lee")).await;
    let before = db.store.contact(theirs, their_contact).await.expect("read");

    assert_eq!(
        db.store.contact(mine, their_contact).await.expect("read"),
        None
    );
    assert_eq!(
        db.store.customer(mine, their_customer).await.expect("read"),
        None
    );

    let attempts = [
        WriteOp::UpdateContact {
            id: their_contact,
            customer_id: their_customer,
            expected_version: 1,
            before: Box::new(ContactFields::default()),
            fields: named("Mallory", "X"),
        },
        WriteOp::DeleteContact {
            id: their_contact,
            expected_version: 1,
        },
        WriteOp::UpdateCustomer {
            id: their_customer,
            expected_version: 1,
            fields: customer_fields("HACKED"),
        },
        WriteOp::DeleteCustomer {
            id: their_customer,
            expected_version: 1,
        },
        WriteOp::CreateContact {
            customer_id: their_customer,
            fields: named("Mallory", "X"),
        },
    ];
    for op in attempts {
        let result = db.store.write(mine, vec![write(op.clone(), at(5))]).await;
        assert!(
            matches!(result, Err(RepoError::NotFound)),
            "{op:?}: {result:?}"
        );
    }
    assert_eq!(
        db.store.contact(theirs, their_contact).await.expect("read"),
        before
    );
    let customer = db
        .store
        .customer(theirs, their_customer)
        .await
        .expect("read")
        .expect("found");
    assert_eq!((customer.fields.code.as_str(), customer.version), ("C1", 1));
    assert_eq!(
        db.store
            .count_contacts(theirs, their_customer)
            .await
            .expect("count"),
        1
    );
    let everything = db
        .store
        .list_contacts(mine, &ContactQuery::default())
        .await
        .expect("list");
    assert!(everything.items.is_empty());
}

async fn duplicates_are_reported_as_the_rule_they_break(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let other = db.tenant("other").await;
    let c1 = create_customer(&db.store, tenant, "ABCCORP").await;
    let c2 = create_customer(&db.store, tenant, "XYZ").await;

    let dup_customer = db
        .store
        .write(
            tenant,
            vec![write(
                WriteOp::CreateCustomer {
                    fields: customer_fields("abccorp"),
                },
                at(1),
            )],
        )
        .await;
    assert!(matches!(
        dup_customer,
        Err(RepoError::Conflict(ConflictKind::DuplicateCustomerCode))
    ));
    create_customer(&db.store, other, "ABCCORP").await;

    let coded = |code: &str| rolodex_domain::ContactFields {
        code: Some(code.into()),
        ..Default::default()
    };
    create_contact(&db.store, tenant, c1, coded("JDOE")).await;
    let dup_code = try_create_contact(&db.store, tenant, c1, coded("jdoe"), at(1)).await;
    assert!(matches!(
        dup_code,
        Err(RepoError::Conflict(ConflictKind::DuplicateContactCode))
    ));
    create_contact(&db.store, tenant, c2, coded("JDOE")).await;

    let external = |id: &str| rolodex_domain::ContactFields {
        external_id: Some(id.into()),
        ..named("Ext", "Ernal")
    };
    create_contact(&db.store, tenant, c1, external("EXT-1")).await;
    let dup_external = try_create_contact(&db.store, tenant, c2, external("ext-1"), at(1)).await;
    assert!(matches!(
        dup_external,
        Err(RepoError::Conflict(ConflictKind::DuplicateExternalId))
    ));
    let other_customer = create_customer(&db.store, other, "OTHER").await;
    create_contact(&db.store, other, other_customer, external("EXT-1")).await;

    let primary = rolodex_domain::ContactFields {
        is_primary: true,
        ..named("Pri", "Mary")
    };
    create_contact(&db.store, tenant, c1, primary.clone()).await;
    let second = try_create_contact(&db.store, tenant, c1, primary.clone(), at(1)).await;
    assert!(
        matches!(
            second,
            Err(RepoError::Conflict(ConflictKind::DuplicatePrimary))
        ),
        "{second:?}"
    );
    create_contact(&db.store, tenant, c2, primary).await;

    // Contacts without a code or external id never collide.
    create_contact(&db.store, tenant, c1, named("No", "Code")).await;
    create_contact(&db.store, tenant, c1, named("No", "Code")).await;
}

async fn demoting_the_primary_and_promoting_another_in_one_write_succeeds(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C").await;
    let mut first = named("First", "One");
    first.is_primary = true;
    let first_id = create_contact(&db.store, tenant, customer, first.clone()).await;
    first.is_primary = false;
    let mut second = named("Second", "Two");
    second.is_primary = true;
    let ids = db
        .store
        .write(
            tenant,
            vec![
                write(
                    WriteOp::UpdateContact {
                        id: first_id,
                        customer_id: customer,
                        expected_version: 1,
                        before: Box::new(ContactFields {
                            is_primary: true,
                            ..first.clone()
                        }),
                        fields: first,
                    },
                    at(1),
                ),
                write(
                    WriteOp::CreateContact {
                        customer_id: customer,
                        fields: second,
                    },
                    at(1),
                ),
            ],
        )
        .await
        .expect("both writes land");
    assert_eq!(ids[0], first_id.0);
    let primary = db
        .store
        .primary_contact(tenant, customer)
        .await
        .expect("read")
        .expect("one");
    assert_eq!(primary.id, ContactId(ids[1]));
}

async fn a_customer_with_contacts_cannot_be_deleted(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let contact = create_contact(&db.store, tenant, customer, named("Ann", "Lee")).await;
    let delete_customer = |version| {
        vec![write(
            WriteOp::DeleteCustomer {
                id: customer,
                expected_version: version,
            },
            at(3),
        )]
    };
    let refused = db.store.write(tenant, delete_customer(1)).await;
    assert!(
        matches!(
            refused,
            Err(RepoError::Conflict(ConflictKind::CustomerHasContacts))
        ),
        "{refused:?}"
    );
    assert!(
        db.store
            .customer(tenant, customer)
            .await
            .expect("read")
            .is_some()
    );

    db.store
        .write(
            tenant,
            vec![write(
                WriteOp::DeleteContact {
                    id: contact,
                    expected_version: 1,
                },
                at(2),
            )],
        )
        .await
        .expect("contact deleted");
    assert_eq!(db.store.contact(tenant, contact).await.expect("read"), None);
    db.store
        .write(tenant, delete_customer(1))
        .await
        .expect("now the customer can go");
    assert_eq!(
        db.store.customer(tenant, customer).await.expect("read"),
        None
    );
    let history = oldest_history(&db.store, tenant, "customer", customer.0).await;
    let recorded: Vec<(Change, i64)> = history
        .items
        .iter()
        .map(|e| (e.change, e.version))
        .collect();
    assert_eq!(recorded, [(Change::Create, 1), (Change::Delete, 2)]);
}

async fn history_is_recorded_with_each_write(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let id = try_create_contact(&db.store, tenant, customer, named("Ann", "Lee"), at(100))
        .await
        .expect("created");
    let mut update = write(
        WriteOp::UpdateContact {
            id,
            customer_id: customer,
            expected_version: 1,
            before: Box::new(named("Ann", "Lee")),
            fields: named("Anne", "Lee"),
        },
        at(200),
    );
    update.history.surface = Surface::Rpm;
    update.history.user_id = None;
    update.history.username = "api key".into();
    update.history.changes = vec![rolodex_domain::FieldChange {
        field: "first_name".into(),
        old: json!("Ann"),
        new: json!("Anne"),
    }];
    db.store.write(tenant, vec![update]).await.expect("updated");
    db.store
        .write(
            tenant,
            vec![write(
                WriteOp::DeleteContact {
                    id,
                    expected_version: 2,
                },
                at(300),
            )],
        )
        .await
        .expect("deleted");

    let page = oldest_history(&db.store, tenant, "contact", id.0).await;
    assert_eq!(page.next, None);
    let entries = page.items;
    assert_eq!(entries.len(), 3);
    assert_eq!(
        entries
            .iter()
            .map(|e| (e.change, e.version, e.at))
            .collect::<Vec<_>>(),
        [
            (Change::Create, 1, at(100)),
            (Change::Update, 2, at(200)),
            (Change::Delete, 3, at(300))
        ]
    );
    let update = &entries[1];
    assert_eq!(
        (update.entity.as_str(), update.entity_id, update.tenant_id),
        ("contact", id.0, tenant)
    );
    assert_eq!(
        (update.surface, update.user_id, update.username.as_str()),
        (Surface::Rpm, None, "api key")
    );
    assert_eq!(update.changes.len(), 1);
    assert_eq!(
        (update.changes[0].old.clone(), update.changes[0].new.clone()),
        (json!("Ann"), json!("Anne"))
    );
    assert_eq!(entries[0].user_id, Some(UserId(7)));

    // Another tenant sees none of it.
    let other = db.tenant("other").await;
    let theirs = oldest_history(&db.store, other, "contact", id.0).await;
    assert!(theirs.items.is_empty());
    // Customer history is kept apart from contact history.
    let customer_history = oldest_history(&db.store, tenant, "customer", customer.0).await;
    assert_eq!(customer_history.items.len(), 1);
}

async fn one_history_entry_is_read_by_id_only_in_its_tenant_and_of_its_record(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let ann = create_contact(&db.store, tenant, customer, named("Ann", "Lee")).await;
    let bob = create_contact(&db.store, tenant, customer, named("Bob", "Lee")).await;
    let entries = oldest_history(&db.store, tenant, "contact", ann.0).await;
    let entry = &entries.items[0];

    let found = db
        .store
        .history_entry(tenant, "contact", ann.0, entry.id)
        .await
        .expect("read");
    assert_eq!(found.as_ref(), Some(entry));
    let other = db.tenant("other").await;
    for (tenant, entity, entity_id, id) in [
        (other, "contact", ann.0, entry.id),
        (tenant, "contact", bob.0, entry.id),
        (tenant, "customer", ann.0, entry.id),
        (tenant, "customer", customer.0, entry.id),
        (tenant, "contact", ann.0, entry.id + 1_000),
    ] {
        let found = db
            .store
            .history_entry(tenant, entity, entity_id, id)
            .await
            .expect("read");
        assert_eq!(found, None, "{tenant} {entity} {entity_id} {id}");
    }
}

async fn history_pages_in_either_order_without_overlap(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    for version in 1..=6 {
        db.store
            .write(
                tenant,
                vec![write(
                    WriteOp::UpdateCustomer {
                        id: customer,
                        expected_version: version,
                        fields: customer_fields(&format!("C{version}")),
                    },
                    at(version),
                )],
            )
            .await
            .expect("updated");
    }
    for (order, expected) in [
        (HistoryOrder::OldestFirst, [1, 2, 3, 4, 5, 6, 7]),
        (HistoryOrder::NewestFirst, [7, 6, 5, 4, 3, 2, 1]),
    ] {
        let mut versions = Vec::new();
        let mut page = PageRequest {
            limit: 3,
            after: None,
        };
        loop {
            let got = db
                .store
                .history(tenant, "customer", customer.0, &page, order)
                .await
                .expect("history");
            versions.extend(got.items.iter().map(|e| e.version));
            match got.next {
                Some(next) => page.after = Some(next),
                None => break,
            }
        }
        assert_eq!(versions, expected, "{order:?}");
    }
}

async fn a_failed_write_leaves_neither_changes_nor_history(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let result = db
        .store
        .write(
            tenant,
            vec![
                write(
                    WriteOp::CreateContact {
                        customer_id: customer,
                        fields: named("Lands", "First"),
                    },
                    at(1),
                ),
                write(
                    WriteOp::UpdateCustomer {
                        id: customer,
                        expected_version: 1,
                        fields: customer_fields("C2"),
                    },
                    at(1),
                ),
                write(
                    WriteOp::CreateContact {
                        customer_id: CustomerId(9_999),
                        fields: named("Fails", "Last"),
                    },
                    at(1),
                ),
            ],
        )
        .await;
    assert!(matches!(result, Err(RepoError::NotFound)), "{result:?}");
    assert_eq!(
        db.store
            .count_contacts(tenant, customer)
            .await
            .expect("count"),
        0
    );
    let c = db
        .store
        .customer(tenant, customer)
        .await
        .expect("read")
        .expect("found");
    assert_eq!((c.fields.code.as_str(), c.version), ("C1", 1));
    let history = oldest_history(&db.store, tenant, "customer", customer.0).await;
    assert_eq!(history.items.len(), 1, "only the customer's creation");
    let found = db
        .store
        .list_contacts(
            tenant,
            &ContactQuery {
                text: Some("lands".into()),
                ..Default::default()
            },
        )
        .await
        .expect("search");
    assert!(
        found.items.is_empty(),
        "no search terms of the rolled-back contact remain"
    );
}

async fn a_customer_and_its_first_contact_land_together_or_not_at_all(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let taken = create_customer(&db.store, tenant, "TAKEN").await;
    let pair = |code: &str| {
        vec![
            write(
                WriteOp::CreateCustomer {
                    fields: customer_fields(code),
                },
                at(5),
            ),
            write(
                WriteOp::CreateContactOfNewCustomer {
                    fields: named("First", "Contact"),
                },
                at(5),
            ),
        ]
    };
    let ids = db.store.write(tenant, pair("NEW")).await.expect("written");
    let contact = db
        .store
        .contact(tenant, ContactId(ids[1]))
        .await
        .expect("read")
        .expect("found");
    assert_eq!(contact.customer_id, CustomerId(ids[0]));
    assert_eq!(
        oldest_history(&db.store, tenant, "contact", ids[1])
            .await
            .items
            .len(),
        1
    );

    let refused = db.store.write(tenant, pair("taken")).await;
    assert!(
        matches!(
            refused,
            Err(RepoError::Conflict(ConflictKind::DuplicateCustomerCode))
        ),
        "{refused:?}"
    );
    assert_eq!(
        db.store.count_contacts(tenant, taken).await.expect("count"),
        0
    );
    let alone = db
        .store
        .write(
            tenant,
            vec![write(
                WriteOp::CreateContactOfNewCustomer {
                    fields: named("No", "Customer"),
                },
                at(6),
            )],
        )
        .await;
    assert!(matches!(alone, Err(RepoError::Other(_))), "{alone:?}");
    let listed = db
        .store
        .list_contacts(tenant, &ContactQuery::default())
        .await
        .expect("list");
    assert_eq!(listed.items.len(), 1, "only the first pair landed");
}

async fn a_deleted_contact_leaves_no_search_terms(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let kept = full_contact();
    create_contact(&db.store, tenant, customer, kept.clone()).await;
    let gone = create_contact(&db.store, tenant, customer, named("Ann", "Lee")).await;
    db.store
        .write(
            tenant,
            vec![write(
                WriteOp::DeleteContact {
                    id: gone,
                    expected_version: 1,
                },
                at(2),
            )],
        )
        .await
        .expect("contact deleted");

    // A copy counts the rows of every table.
    let copy = match db.database.backend() {
        rolodex_store::Backend::Sqlite => TestDb::sqlite().await,
        rolodex_store::Backend::Postgres => TestDb::postgres().await.expect("the test server"),
    };
    let report = db.database.copy_into(&copy.database).await.expect("copied");
    let terms = report
        .tables
        .iter()
        .find(|t| t.table == "contact_terms")
        .map(|t| t.rows);
    assert_eq!(
        terms,
        Some(rolodex_domain::search::contact_terms(&kept).len())
    );
}

/// The first page of a record's history, oldest first.
async fn oldest_history(
    store: &Arc<dyn Store>,
    tenant: TenantId,
    entity: &str,
    id: i64,
) -> Page<HistoryEntry> {
    store
        .history(
            tenant,
            entity,
            id,
            &PageRequest::default(),
            HistoryOrder::OldestFirst,
        )
        .await
        .expect("history")
}

store_tests!(
    a_customer_and_its_first_contact_land_together_or_not_at_all,
    a_contact_with_every_field_set_reads_back_as_written,
    a_customer_round_trips_and_its_version_counts_updates,
    an_update_with_a_stale_version_is_a_mismatch_and_changes_nothing,
    another_tenants_ids_are_not_found_and_stay_unchanged,
    duplicates_are_reported_as_the_rule_they_break,
    demoting_the_primary_and_promoting_another_in_one_write_succeeds,
    a_customer_with_contacts_cannot_be_deleted,
    history_is_recorded_with_each_write,
    history_pages_in_either_order_without_overlap,
    one_history_entry_is_read_by_id_only_in_its_tenant_and_of_its_record,
    a_failed_write_leaves_neither_changes_nor_history,
    a_deleted_contact_leaves_no_search_terms,
);
