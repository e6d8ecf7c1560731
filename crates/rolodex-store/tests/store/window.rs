//! Offset windows: the matches of a query from a position, with their total, in the order of
//! its keyset pages, within one tenant.

use crate::search::all_pages;
use crate::support::*;
use rolodex_core::Store;
use rolodex_core::ports::WriteOp;
use rolodex_core::query::{
    Condition, ContactQuery, ContactSort, FieldFilter, FilterField, PageRequest,
};
use rolodex_domain::{ContactFields, ContactId, CustomerId, TenantId};
use std::sync::Arc;

const SORTS: [ContactSort; 4] = [
    ContactSort::Id,
    ContactSort::LastName,
    ContactSort::CreatedAt,
    ContactSort::UpdatedAt,
];

/// The ids of the window, and the total.
async fn window(
    store: &Arc<dyn Store>,
    tenant: TenantId,
    query: &ContactQuery,
    offset: u64,
    limit: u32,
) -> (Vec<ContactId>, u64) {
    let (items, total) = store
        .contact_window(tenant, query, offset, limit)
        .await
        .expect("window");
    (items.into_iter().map(|c| c.id).collect(), total)
}

/// 23 contacts of two customers, with repeated last names (in mixed case, and missing) and
/// repeated creation and update times, so that ties are broken by id.
async fn seed(db: &TestDb, tenant: TenantId) -> (CustomerId, CustomerId) {
    let customer = create_customer(&db.store, tenant, "C1").await;
    let other_customer = create_customer(&db.store, tenant, "C2").await;
    let last_names = [
        Some("Smith"),
        Some("adams"),
        None,
        Some("SMITH"),
        Some("Zorn"),
        Some("Adams"),
        Some("smith"),
    ];
    for i in 0..23_usize {
        let fields = ContactFields {
            first_name: Some(format!("Person{i}")),
            last_name: last_names[i % last_names.len()].map(Into::into),
            ..Default::default()
        };
        let owner = if i % 4 == 0 { other_customer } else { customer };
        let n = i64::try_from(i).expect("small");
        let id = try_create_contact(&db.store, tenant, owner, fields.clone(), at((n % 5) * 10))
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
                        at(1_000 - (n % 2) * 500),
                    )],
                )
                .await
                .expect("updated");
        }
    }
    (customer, other_customer)
}

async fn every_window_is_the_same_slice_of_the_keyset_listing(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let (customer, _) = seed(&db, tenant).await;
    // Another tenant's contacts, which no window of `acme` may show or count.
    let other = db.tenant("other").await;
    seed(&db, other).await;

    let smiths = vec![FieldFilter {
        field: FilterField::LastName,
        condition: Condition::Equals("smith".into()),
    }];
    for sort in SORTS {
        for descending in [false, true] {
            let queries = [
                ContactQuery::default(),
                ContactQuery {
                    customer_id: Some(customer),
                    ..ContactQuery::default()
                },
                ContactQuery {
                    filters: smiths.clone(),
                    ..ContactQuery::default()
                },
            ];
            for base in queries {
                let query = ContactQuery {
                    sort,
                    descending,
                    ..base
                };
                let listed: Vec<ContactId> = all_pages(&db.store, tenant, query.clone(), 4)
                    .await
                    .iter()
                    .map(|c| c.id)
                    .collect();
                assert!(!listed.is_empty());
                let total = u64::try_from(listed.len()).expect("small");
                for (offset, limit) in [(0, 10), (0, 1), (1, 3), (3, 7), (7, 100), (0, 1_000)] {
                    let start = listed.len().min(offset);
                    let end = listed.len().min(offset + limit);
                    let got = window(
                        &db.store,
                        tenant,
                        &query,
                        u64::try_from(offset).expect("small"),
                        u32::try_from(limit).expect("small"),
                    )
                    .await;
                    assert_eq!(
                        got,
                        (listed[start..end].to_vec(), total),
                        "{query:?} offset={offset} limit={limit}"
                    );
                }
            }
        }
    }
}

async fn a_window_ignores_the_page_request_of_its_query(db: TestDb) {
    let tenant = db.tenant("acme").await;
    seed(&db, tenant).await;
    let query = ContactQuery {
        sort: ContactSort::LastName,
        page: PageRequest {
            limit: 2,
            after: None,
        },
        ..ContactQuery::default()
    };
    let first = db.store.list_contacts(tenant, &query).await.expect("page");
    let second = ContactQuery {
        page: PageRequest {
            limit: 2,
            after: first.next,
        },
        ..query.clone()
    };
    assert!(second.page.after.is_some());
    assert_eq!(
        window(&db.store, tenant, &second, 0, 5).await,
        window(&db.store, tenant, &query, 0, 5).await
    );
}

async fn an_offset_past_the_end_gives_no_items_and_the_total(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let (customer, _) = seed(&db, tenant).await;
    let mine = ContactQuery {
        customer_id: Some(customer),
        sort: ContactSort::UpdatedAt,
        descending: true,
        ..ContactQuery::default()
    };
    let mine_total = db
        .store
        .count_contacts(tenant, customer)
        .await
        .expect("count");
    for offset in [
        mine_total,
        mine_total + 1,
        1_000_000,
        i64::MAX.unsigned_abs(),
        u64::MAX,
    ] {
        assert_eq!(
            window(&db.store, tenant, &mine, offset, 10).await,
            (Vec::new(), mine_total),
            "offset {offset}"
        );
    }
    assert_eq!(
        window(&db.store, tenant, &ContactQuery::default(), 0, 0).await,
        (Vec::new(), 23),
        "an empty window still counts"
    );
    let nobody = ContactQuery {
        text: Some("nobody".into()),
        ..ContactQuery::default()
    };
    assert_eq!(
        window(&db.store, tenant, &nobody, 0, 10).await,
        (Vec::new(), 0)
    );
}

async fn another_tenants_contacts_are_never_shown_nor_counted(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let theirs = db.tenant("other").await;
    let customer = create_customer(&db.store, tenant, "C1").await;
    let their_customer = create_customer(&db.store, theirs, "C1").await;
    let mut mine = Vec::new();
    for i in 0..3 {
        mine.push(
            create_contact(
                &db.store,
                tenant,
                customer,
                named(&format!("Ann{i}"), "Lee"),
            )
            .await,
        );
    }
    for i in 0..5 {
        create_contact(
            &db.store,
            theirs,
            their_customer,
            named(&format!("Bob{i}"), "Lee"),
        )
        .await;
    }
    let lees = ContactQuery {
        text: Some("lee".into()),
        ..ContactQuery::default()
    };
    for query in [ContactQuery::default(), lees] {
        assert_eq!(
            window(&db.store, tenant, &query, 0, 100).await,
            (mine.clone(), 3)
        );
    }
    // Naming the other tenant's customer finds nothing of it.
    assert_ne!(their_customer, customer);
    let their_list = ContactQuery {
        customer_id: Some(their_customer),
        ..ContactQuery::default()
    };
    assert_eq!(
        window(&db.store, tenant, &their_list, 0, 100).await,
        (Vec::new(), 0)
    );
}

store_tests!(
    every_window_is_the_same_slice_of_the_keyset_listing,
    a_window_ignores_the_page_request_of_its_query,
    an_offset_past_the_end_gives_no_items_and_the_total,
    another_tenants_contacts_are_never_shown_nor_counted,
);
