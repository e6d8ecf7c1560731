//! Field criteria (`ContactQuery::filters`): each field, each condition, tenant scoping.

use crate::support::*;
use rolodex_core::Store;
use rolodex_core::query::{Condition, ContactQuery, FieldFilter, FilterField};
use rolodex_domain::{ContactFields, ContactId, PhoneType, TenantId};
use std::sync::Arc;

async fn matching(
    store: &Arc<dyn Store>,
    tenant: TenantId,
    filters: Vec<FieldFilter>,
) -> Vec<ContactId> {
    let query = ContactQuery {
        filters,
        ..ContactQuery::default()
    };
    let mut found: Vec<ContactId> = store
        .list_contacts(tenant, &query)
        .await
        .expect("query")
        .items
        .into_iter()
        .map(|c| c.id)
        .collect();
    found.sort();
    found
}

fn on(field: FilterField, condition: Condition) -> Vec<FieldFilter> {
    vec![FieldFilter { field, condition }]
}

fn eq(v: &str) -> Condition {
    Condition::Equals(v.into())
}

async fn every_kind_of_field_can_be_compared(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let other = db.tenant("other").await;
    let c1 = create_customer(&db.store, tenant, "ABCCORP").await;
    let c2 = create_customer(&db.store, tenant, "XYZ").await;
    let jose = create_contact(&db.store, tenant, c1, full_contact()).await;
    let nv = create_contact(
        &db.store,
        tenant,
        c2,
        ContactFields {
            state: Some("NV".into()),
            ..named("Ann", "Lee")
        },
    )
    .await;
    let blank = create_contact(&db.store, tenant, c2, named("Bo", "Kim")).await;
    let oc = create_customer(&db.store, other, "ABCCORP").await;
    create_contact(&db.store, other, oc, full_contact()).await;

    let s = &db.store;
    assert_eq!(
        matching(s, tenant, on(FilterField::State, eq("ca"))).await,
        [jose]
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(
                FilterField::State,
                Condition::In(vec!["CA".into(), "NV".into()])
            )
        )
        .await,
        [jose, nv]
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(FilterField::State, Condition::NotIn(vec!["CA".into()]))
        )
        .await,
        [nv, blank],
        "a field without a value is ''"
    );
    assert_eq!(
        matching(s, tenant, on(FilterField::State, eq(""))).await,
        [blank]
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(FilterField::State, Condition::NotEquals("CA".into()))
        )
        .await,
        [nv, blank]
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(FilterField::LastName, Condition::Like("hern%".into()))
        )
        .await,
        [jose]
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(FilterField::LastName, Condition::Greater("kim".into()))
        )
        .await,
        [nv]
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(FilterField::LastName, Condition::LessOrEqual("Kim".into()))
        )
        .await,
        [jose, blank]
    );
    assert_eq!(
        matching(s, tenant, on(FilterField::Code, eq("jhernandez"))).await,
        [jose]
    );
    assert_eq!(
        matching(s, tenant, on(FilterField::ExternalId, eq("SLX-0001"))).await,
        [jose]
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(FilterField::EmailAt(0), eq("j.hernandez@abccorp.com"))
        )
        .await,
        [jose]
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(FilterField::EmailAt(1), eq("joe@example.org"))
        )
        .await,
        [jose]
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(FilterField::EmailAt(0), eq("joe@example.org"))
        )
        .await,
        []
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(FilterField::Phone(PhoneType::Mobile), eq("+1 408 555 9999"))
        )
        .await,
        [jose]
    );
    assert_eq!(
        matching(s, tenant, on(FilterField::Phone(PhoneType::Fax), eq(""))).await,
        [jose, nv, blank]
    );
    assert_eq!(
        matching(s, tenant, on(FilterField::CustomerCode, eq("xyz"))).await,
        [nv, blank]
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(
                FilterField::CreatedAt,
                Condition::GreaterOrEqual("2024-01-01T00:00:00Z".into())
            )
        )
        .await,
        [jose, nv, blank]
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(
                FilterField::CreatedAt,
                Condition::Less("2000-01-01T00:00:00Z".into())
            )
        )
        .await,
        []
    );
    assert_eq!(
        matching(s, tenant, on(FilterField::CreatedBy, eq("nobody"))).await,
        []
    );
    assert_eq!(
        matching(s, tenant, on(FilterField::State, Condition::In(Vec::new()))).await,
        []
    );
    // Criteria are ANDed.
    let both = vec![
        FieldFilter {
            field: FilterField::CustomerCode,
            condition: eq("XYZ"),
        },
        FieldFilter {
            field: FilterField::FirstName,
            condition: eq("ann"),
        },
    ];
    assert_eq!(matching(s, tenant, both).await, [nv]);
}

async fn custom_fields_are_compared_by_name_and_odd_names_cannot_inject_sql(db: TestDb) {
    let tenant = db.tenant("acme").await;
    let c = create_customer(&db.store, tenant, "C").await;
    let mut fields = named("Ann", "Lee");
    fields
        .custom_fields
        .insert("SOFCT_USER_1".into(), "gold".into());
    let ann = create_contact(&db.store, tenant, c, fields).await;
    create_contact(&db.store, tenant, c, named("Bo", "Kim")).await;
    let s = &db.store;
    assert_eq!(
        matching(
            s,
            tenant,
            on(FilterField::CustomField("SOFCT_USER_1".into()), eq("GOLD"))
        )
        .await,
        [ann]
    );
    assert_eq!(
        matching(
            s,
            tenant,
            on(FilterField::CustomField("x') OR 1=1 --".into()), eq(""))
        )
        .await
        .len(),
        2,
        "the name is bound, not spliced: an unknown field is '' for everyone"
    );
}

store_tests!(
    every_kind_of_field_can_be_compared,
    custom_fields_are_compared_by_name_and_odd_names_cannot_inject_sql,
);
