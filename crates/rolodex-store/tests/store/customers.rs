//! Customer lists: prefix search on code or name, keyset pages by id.

use crate::support::*;
use rolodex_core::Store;
use rolodex_core::ports::WriteOp;
use rolodex_core::query::PageRequest;
use rolodex_domain::{CustomerFields, CustomerId, TenantId};
use std::sync::Arc;

async fn codes(
    store: &Arc<dyn Store>,
    tenant: TenantId,
    text: Option<&str>,
    limit: u32,
) -> Vec<String> {
    let mut page = PageRequest { limit, after: None };
    let mut out = Vec::new();
    loop {
        let got = store
            .list_customers(tenant, text, &page)
            .await
            .expect("list");
        assert!(got.items.len() <= limit as usize);
        out.extend(got.items.into_iter().map(|c| c.fields.code));
        match got.next {
            Some(next) => page.after = Some(next),
            None => return out,
        }
    }
}

async fn customers_are_listed_by_id_and_found_by_a_prefix_of_code_or_name(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let other = db.tenant("other").await;
    let rows = [
        ("ABCCORP", Some("Alpha Beta")),
        ("C0959", Some("abc Holdings")),
        ("ZED", None),
        ("X@1", Some("[bracket]")),
        ("X[2", Some("Plain")),
        ("abd", Some("Something")),
    ];
    for (code, name) in rows {
        db.store
            .write(
                tenant,
                vec![write(
                    WriteOp::CreateCustomer {
                        fields: CustomerFields {
                            code: code.into(),
                            name: name.map(Into::into),
                            ..CustomerFields::default()
                        },
                    },
                    at(0),
                )],
            )
            .await
            .expect("created");
    }
    create_customer(&db.store, other, "ABCOTHER").await;

    let all = codes(&db.store, tenant, None, 2).await;
    assert_eq!(all, ["ABCCORP", "C0959", "ZED", "X@1", "X[2", "abd"]);
    assert_eq!(
        codes(&db.store, tenant, Some("abc"), 1).await,
        ["ABCCORP", "C0959"]
    );
    assert_eq!(
        codes(&db.store, tenant, Some("AB"), 10).await,
        ["ABCCORP", "C0959", "abd"]
    );
    assert_eq!(
        codes(&db.store, tenant, Some("alpha b"), 10).await,
        ["ABCCORP"]
    );
    // '@' is just below 'A': the upper bound of the prefix must not fold to 'a'.
    assert_eq!(codes(&db.store, tenant, Some("x@"), 10).await, ["X@1"]);
    assert_eq!(codes(&db.store, tenant, Some("["), 10).await, ["X@1"]);
    assert_eq!(
        codes(&db.store, tenant, Some("nothing"), 10).await,
        Vec::<String>::new()
    );
    assert_eq!(
        codes(&db.store, tenant, Some("  "), 10).await.len(),
        6,
        "blank text filters nothing"
    );

    let first = db
        .store
        .list_customers(
            tenant,
            None,
            &PageRequest {
                limit: 6,
                after: None,
            },
        )
        .await
        .expect("list");
    assert_eq!(
        first.next, None,
        "an exactly full last page has no next page"
    );
    assert_eq!(first.items[0].id, CustomerId(1));
}

async fn customer_details_round_trip_and_names_find_the_oldest_match_of_the_tenant(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let other = db.tenant("other").await;
    let details = CustomerFields {
        code: "ABCCORP".into(),
        name: Some("ABC Corp".into()),
        website: Some("https://abc.example".into()),
        address: Some("1 Main St\nSuite 2".into()),
        city: Some("Springfield".into()),
        state: Some("IL".into()),
        postal_code: Some("62701".into()),
        country: Some("US".into()),
        custom_fields: [("Region".to_owned(), "West".to_owned())].into(),
    };
    for (tenant, fields) in [
        (
            other,
            CustomerFields {
                code: "O".into(),
                ..details.clone()
            },
        ),
        (tenant, details.clone()),
        (
            tenant,
            CustomerFields {
                code: "ABC2".into(),
                ..details.clone()
            },
        ),
    ] {
        db.store
            .write(
                tenant,
                vec![write(WriteOp::CreateCustomer { fields }, at(0))],
            )
            .await
            .expect("created");
    }
    let found = db
        .store
        .customer_by_name(tenant, "abc corp")
        .await
        .expect("read")
        .expect("found");
    assert_eq!(found.fields, details);
    assert_eq!(found.tenant_id, tenant);
    assert!(
        db.store
            .customer_by_name(tenant, "ABC")
            .await
            .expect("read")
            .is_none(),
        "a name matches whole"
    );
}

store_tests!(
    customers_are_listed_by_id_and_found_by_a_prefix_of_code_or_name,
    customer_details_round_trip_and_names_find_the_oldest_match_of_the_tenant,
);
