//! Contact search: text prefixes, email, phone, external id, updated_since, customer, and
//! every sort order paged with cursors.

use crate::support::*;
use rolodex_core::Store;
use rolodex_core::ports::WriteOp;
use rolodex_core::query::{ContactQuery, ContactSort, Cursor, PageRequest};
use rolodex_domain::{Contact, ContactFields, ContactId, Phone, PhoneType, TenantId};
use std::sync::Arc;

fn query() -> ContactQuery {
    ContactQuery::default()
}

async fn ids(store: &Arc<dyn Store>, tenant: TenantId, query: ContactQuery) -> Vec<ContactId> {
    let mut found: Vec<ContactId> = store
        .list_contacts(tenant, &query)
        .await
        .expect("search")
        .items
        .into_iter()
        .map(|c| c.id)
        .collect();
    found.sort();
    found
}

/// Every page of `query`, `limit` at a time.
pub async fn all_pages(
    store: &Arc<dyn Store>,
    tenant: TenantId,
    mut query: ContactQuery,
    limit: u32,
) -> Vec<Contact> {
    query.page = PageRequest { limit, after: None };
    let mut out = Vec::new();
    for _ in 0..1_000 {
        let page = store.list_contacts(tenant, &query).await.expect("page");
        assert!(page.items.len() <= limit as usize);
        out.extend(page.items);
        match page.next {
            Some(next) => query.page.after = Some(next),
            None => return out,
        }
    }
    panic!("paging did not end");
}

async fn contacts_are_found_by_text_email_phone_external_id_and_customer(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let other = db.tenant("other").await;
    let c1 = create_customer(&db.store, tenant, "C1").await;
    let c2 = create_customer(&db.store, tenant, "C2").await;
    let jose = create_contact(&db.store, tenant, c1, full_contact()).await;
    let john = create_contact(
        &db.store,
        tenant,
        c2,
        ContactFields {
            emails: vec!["john@abccorp.com".into()],
            phones: vec![Phone {
                id: 1,
                kind: PhoneType::Home,
                number: "408.555.0000".into(),
            }],
            ..named("John", "Hernandez")
        },
    )
    .await;
    let mary = create_contact(&db.store, tenant, c2, named("Mary", "Smith")).await;
    let oc = create_customer(&db.store, other, "C1").await;
    create_contact(&db.store, other, oc, full_contact()).await;

    let text = |t: &str| ContactQuery {
        text: Some(t.into()),
        ..query()
    };
    assert_eq!(ids(&db.store, tenant, text("hern")).await, [jose, john]);
    assert_eq!(ids(&db.store, tenant, text("JO HERN")).await, [jose, john]);
    assert_eq!(ids(&db.store, tenant, text("josé")).await, [jose]);
    assert_eq!(ids(&db.store, tenant, text("ruiz")).await, [jose]);
    assert_eq!(
        ids(&db.store, tenant, text("jhern")).await,
        [jose],
        "the code is a word"
    );
    assert_eq!(
        ids(&db.store, tenant, text("abccorp")).await,
        [jose, john],
        "email domains are words"
    );
    assert_eq!(
        ids(&db.store, tenant, text("408-555")).await,
        [jose, john],
        "phone digits"
    );
    assert_eq!(ids(&db.store, tenant, text("(408)")).await, [jose, john]);
    assert_eq!(ids(&db.store, tenant, text("408.555.12")).await, [jose]);
    assert_eq!(
        ids(&db.store, tenant, text("mary hern")).await,
        Vec::<ContactId>::new()
    );
    assert_eq!(
        ids(&db.store, tenant, text("zzz")).await,
        Vec::<ContactId>::new()
    );
    assert_eq!(
        ids(&db.store, tenant, text("  ")).await,
        [jose, john, mary],
        "no words, no filter"
    );

    let email = |e: &str| ContactQuery {
        email: Some(e.into()),
        ..query()
    };
    assert_eq!(
        ids(&db.store, tenant, email("j.hernandez@abccorp.COM")).await,
        [jose]
    );
    assert_eq!(
        ids(&db.store, tenant, email("j.hernandez@abccorp")).await,
        Vec::<ContactId>::new()
    );

    let phone = |p: &str| ContactQuery {
        phone: Some(p.into()),
        ..query()
    };
    assert_eq!(ids(&db.store, tenant, phone("408-555-1212")).await, [jose]);
    assert_eq!(
        ids(&db.store, tenant, phone("+1 (408) 555 9999")).await,
        [jose]
    );
    assert_eq!(
        ids(&db.store, tenant, phone("408 555 9999")).await,
        Vec::<ContactId>::new(),
        "digits match whole"
    );
    assert_eq!(ids(&db.store, tenant, phone("408 555 0000")).await, [john]);
    assert_eq!(
        ids(&db.store, tenant, phone("no digits")).await,
        Vec::<ContactId>::new()
    );

    let external = ContactQuery {
        external_id: Some("slx-0001".into()),
        ..query()
    };
    assert_eq!(ids(&db.store, tenant, external).await, [jose]);

    let of_c2 = ContactQuery {
        customer_id: Some(c2),
        ..query()
    };
    assert_eq!(ids(&db.store, tenant, of_c2).await, [john, mary]);
    let combined = ContactQuery {
        customer_id: Some(c2),
        text: Some("hern".into()),
        ..query()
    };
    assert_eq!(ids(&db.store, tenant, combined).await, [john]);
}

async fn search_terms_follow_updates_and_deletes(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let id = create_contact(&db.store, tenant, customer, named("Ann", "Lee")).await;
    let text = |t: &str| ContactQuery {
        text: Some(t.into()),
        ..query()
    };
    db.store
        .write(
            tenant,
            vec![write(
                WriteOp::UpdateContact {
                    id,
                    customer_id: customer,
                    expected_version: 1,
                    before: Box::new(named("Ann", "Lee")),
                    fields: named("Ann", "Walker"),
                },
                at(1),
            )],
        )
        .await
        .expect("updated");
    assert_eq!(
        ids(&db.store, tenant, text("lee")).await,
        Vec::<ContactId>::new()
    );
    assert_eq!(ids(&db.store, tenant, text("walk")).await, [id]);
    db.store
        .write(
            tenant,
            vec![write(
                WriteOp::DeleteContact {
                    id,
                    expected_version: 2,
                },
                at(2),
            )],
        )
        .await
        .expect("deleted");
    assert_eq!(
        ids(&db.store, tenant, text("walk")).await,
        Vec::<ContactId>::new()
    );
}

async fn updated_since_keeps_contacts_changed_at_or_after_the_instant(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let old = try_create_contact(&db.store, tenant, customer, named("Old", "One"), at(1_000))
        .await
        .expect("old");
    let edge = try_create_contact(&db.store, tenant, customer, named("Edge", "Two"), at(2_000))
        .await
        .expect("edge");
    let new = try_create_contact(
        &db.store,
        tenant,
        customer,
        named("New", "Three"),
        at(3_000),
    )
    .await
    .expect("new");
    let since = |ms| ContactQuery {
        updated_since: Some(at(ms)),
        ..query()
    };
    assert_eq!(ids(&db.store, tenant, since(2_000)).await, [edge, new]);
    assert_eq!(ids(&db.store, tenant, since(2_001)).await, [new]);
    assert_eq!(ids(&db.store, tenant, since(0)).await, [old, edge, new]);
}

/// The order a sort must produce, computed independently of the store.
fn expected_order(contacts: &[Contact], sort: ContactSort, descending: bool) -> Vec<ContactId> {
    let mut sorted: Vec<&Contact> = contacts.iter().collect();
    sorted.sort_by(|a, b| {
        let by_key = match sort {
            ContactSort::Id => std::cmp::Ordering::Equal,
            ContactSort::LastName => {
                let key = |c: &Contact| {
                    c.fields
                        .last_name
                        .clone()
                        .unwrap_or_default()
                        .to_lowercase()
                };
                key(a).cmp(&key(b))
            }
            ContactSort::CreatedAt => a.created_at.cmp(&b.created_at),
            ContactSort::UpdatedAt => a.updated_at.cmp(&b.updated_at),
        };
        by_key.then(a.id.cmp(&b.id))
    });
    if descending {
        sorted.reverse();
    }
    sorted.into_iter().map(|c| c.id).collect()
}

async fn every_sort_pages_through_all_rows_without_overlap_or_gap(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let other_customer = create_customer(&db.store, tenant, "C2").await;
    // Repeated last names (in mixed case, and missing) and repeated times, so that ties are
    // broken by id.
    let last_names = [
        Some("Smith"),
        Some("adams"),
        None,
        Some("SMITH"),
        Some("Zorn"),
        Some("Adams"),
        Some("smith"),
    ];
    for i in 0..23_i64 {
        let fields = ContactFields {
            first_name: Some(format!("Person{i}")),
            last_name: last_names[usize::try_from(i).expect("small") % last_names.len()]
                .map(Into::into),
            ..Default::default()
        };
        let owner = if i % 4 == 0 { other_customer } else { customer };
        let id = try_create_contact(&db.store, tenant, owner, fields.clone(), at((i % 5) * 10))
            .await
            .expect("created");
        if i % 3 == 0 {
            db.store
                .write(
                    tenant,
                    vec![write(
                        WriteOp::UpdateContact {
                            id,
                            customer_id: owner,
                            expected_version: 1,
                            before: Box::new(fields.clone()),
                            fields,
                        },
                        at(1_000 - (i % 2) * 500),
                    )],
                )
                .await
                .expect("updated");
        }
    }
    let everything = all_pages(&db.store, tenant, query(), 200).await;
    assert_eq!(everything.len(), 23);

    for sort in [
        ContactSort::Id,
        ContactSort::LastName,
        ContactSort::CreatedAt,
        ContactSort::UpdatedAt,
    ] {
        for descending in [false, true] {
            for limit in [1, 4, 7, 23, 50] {
                let q = ContactQuery {
                    sort,
                    descending,
                    ..query()
                };
                let got: Vec<ContactId> = all_pages(&db.store, tenant, q, limit)
                    .await
                    .iter()
                    .map(|c| c.id)
                    .collect();
                assert_eq!(
                    got,
                    expected_order(&everything, sort, descending),
                    "{sort:?} descending={descending} limit={limit}"
                );
            }
            // With a filter too: the customer's contacts only.
            let q = ContactQuery {
                sort,
                descending,
                customer_id: Some(customer),
                ..query()
            };
            let got: Vec<ContactId> = all_pages(&db.store, tenant, q, 3)
                .await
                .iter()
                .map(|c| c.id)
                .collect();
            let mine: Vec<Contact> = everything
                .iter()
                .filter(|c| c.customer_id == customer)
                .cloned()
                .collect();
            assert_eq!(
                got,
                expected_order(&mine, sort, descending),
                "{sort:?} of one customer"
            );
        }
    }
}

async fn a_cursor_of_another_sort_yields_an_empty_page_not_an_error(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    create_contact(&db.store, tenant, customer, named("Ann", "Lee")).await;
    let q = ContactQuery {
        sort: ContactSort::UpdatedAt,
        page: PageRequest {
            limit: 10,
            after: Some(Cursor::new("lee".into(), 1)),
        },
        ..query()
    };
    let page = db.store.list_contacts(tenant, &q).await.expect("no error");
    assert!(page.items.is_empty() && page.next.is_none());
}

store_tests!(
    contacts_are_found_by_text_email_phone_external_id_and_customer,
    search_terms_follow_updates_and_deletes,
    updated_since_keeps_contacts_changed_at_or_after_the_instant,
    every_sort_pages_through_all_rows_without_overlap_or_gap,
    a_cursor_of_another_sort_yields_an_empty_page_not_an_error,
);
