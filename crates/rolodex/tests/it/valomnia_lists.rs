//! Valomnia's contact list (siblings 4.3) over real HTTP: `max`/`offset` paging with its
//! links, `sort` and `order`, and each filter.

use crate::support::TestApp;
use crate::support::valomnia::{V, add, error, names, world};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

async fn the_list_pages_with_max_and_offset_and_sorts(app: TestApp) {
    let w = world(app).await;
    for (first, last) in [
        ("Ann", "Evans"),
        ("Bob", "Dunn"),
        ("Cid", "Clark"),
        ("Dee", "Baker"),
        ("Eve", "Adams"),
    ] {
        add(&w.v, first, last, "C0959").await;
    }
    let (status, all) = w.v.get(&format!("{V}/contacts")).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(
        all["paging"],
        json!({"total": 5, "max": 100, "offset": 0, "previous": null, "next": null})
    );
    assert_eq!(
        names(&all),
        [
            "Ann Evans",
            "Bob Dunn",
            "Cid Clark",
            "Dee Baker",
            "Eve Adams"
        ]
    );

    let (_, first) = w.v.get(&format!("{V}/contacts?max=2")).await;
    assert_eq!(first["paging"]["total"], 5);
    assert_eq!(first["paging"]["previous"], Value::Null);
    assert_eq!(names(&first), ["Ann Evans", "Bob Dunn"]);
    let next = first["paging"]["next"]
        .as_str()
        .expect("a next link")
        .to_owned();
    assert!(
        next.contains("offset=2") && next.contains("max=2"),
        "{next}"
    );
    let (_, second) = w.v.get(&next).await;
    assert_eq!(names(&second), ["Cid Clark", "Dee Baker"]);
    assert_eq!(second["paging"]["offset"], 2);
    assert!(
        second["paging"]["previous"]
            .as_str()
            .is_some_and(|p| p.contains("offset=0"))
    );
    let (_, last) =
        w.v.get(second["paging"]["next"].as_str().expect("next"))
            .await;
    assert_eq!(names(&last), ["Eve Adams"]);
    assert_eq!(last["paging"]["next"], Value::Null);

    let (_, sorted) =
        w.v.get(&format!("{V}/contacts?sort=lastName&order=asc&max=3"))
            .await;
    assert_eq!(names(&sorted), ["Eve Adams", "Dee Baker", "Cid Clark"]);
    let (_, sorted) =
        w.v.get(&format!(
            "{V}/contacts?sort=lastName&order=desc&max=2&offset=1"
        ))
        .await;
    assert_eq!(names(&sorted), ["Bob Dunn", "Cid Clark"]);
    let next = sorted["paging"]["next"].as_str().expect("next");
    assert!(
        next.contains("sort=lastName") && next.contains("order=desc"),
        "{next}"
    );
    let (_, by_date) =
        w.v.get(&format!("{V}/contacts?sort=dateCreated&order=desc&max=1"))
            .await;
    assert_eq!(names(&by_date), ["Eve Adams"]);

    for bad in [
        "max=0",
        "max=many",
        "offset=-1",
        "sort=shoeSize",
        "order=up",
    ] {
        let name = bad.split('=').next().unwrap_or_default();
        error(
            &w.v.get(&format!("{V}/contacts?{bad}")).await,
            StatusCode::BAD_REQUEST,
            "invalid_param_type",
            &format!("The type of parameter {name} you provided is not valid for this request."),
        );
    }
}

/// `t` plus `seconds`, as `YYYY-MM-DDTHH:MM:SSZ`.
fn plus(t: &Value, seconds: i64) -> String {
    let parsed = time::OffsetDateTime::parse(
        t.as_str().expect("an instant"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("an RFC 3339 instant");
    let later = parsed + time::Duration::seconds(seconds);
    later
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formats")
}

async fn each_list_filter_selects_its_contacts(app: TestApp) {
    let w = world(app).await;
    w.native
        .post(
            "/v1/customers",
            json!({"code": "C1000", "name": "Other"}),
            StatusCode::CREATED,
        )
        .await;
    let a = add(&w.v, "Ann", "Evans", "C0959").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let b = add(&w.v, "Bob", "Dunn", "C1000").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let customer = w.customer.to_string();
    let (status, a2) =
        w.v.form(
            &format!("{V}/contacts/{}", a["id"]),
            &[
                ("firstName", "Ann"),
                ("lastName", "Evans"),
                ("customerId", &customer),
                ("fonction", "Buyer"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{a2}");

    let list = |query: String| {
        let v = w.v.clone();
        async move {
            let (status, body) = v.get(&format!("{V}/contacts?{query}")).await;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            assert_eq!(
                body["paging"]["total"],
                body["data"].as_array().map_or(0, Vec::len)
            );
            names(&body)
        }
    };
    let enc = |s: String| s.replace(':', "%3A");
    let boundary_a = plus(&a["dateCreated"], 1);
    let b_created = b["dateCreated"].as_str().expect("instant").to_owned();
    assert_eq!(
        list(format!("dateCreated_gt={}", enc(boundary_a.clone()))).await,
        ["Bob Dunn"]
    );
    assert_eq!(
        list(format!("dateCreated_lte={}", enc(boundary_a))).await,
        ["Ann Evans"]
    );
    assert_eq!(
        list(format!("dateCreated_gte={}", enc(b_created.clone()))).await,
        ["Bob Dunn"]
    );
    assert_eq!(
        list(format!("dateCreated_lt={}", enc(b_created))).await,
        ["Ann Evans"]
    );

    let boundary_b = plus(&b["lastUpdated"], 1);
    let a_updated = a2["lastUpdated"].as_str().expect("instant").to_owned();
    assert_eq!(
        list(format!("lastUpdated_gt={}", enc(boundary_b.clone()))).await,
        ["Ann Evans"]
    );
    assert_eq!(
        list(format!("lastUpdated_lte={}", enc(boundary_b))).await,
        ["Bob Dunn"]
    );
    assert_eq!(
        list(format!("lastUpdated_gte={}", enc(a_updated.clone()))).await,
        ["Ann Evans"]
    );
    assert_eq!(
        list(format!("lastUpdated_lt={}", enc(a_updated))).await,
        ["Bob Dunn"]
    );

    assert_eq!(list("customerReference=C1000".into()).await, ["Bob Dunn"]);
    assert_eq!(list("customerReference=c0959".into()).await, ["Ann Evans"]);
    assert_eq!(list("firstName=Bob".into()).await, ["Bob Dunn"]);
    assert_eq!(list("lastName=evans".into()).await, ["Ann Evans"]);
    assert_eq!(
        list("firstName=Ann&lastName=Dunn".into()).await,
        Vec::<String>::new()
    );

    error(
        &w.v.get(&format!("{V}/contacts?dateCreated_gt=yesterday"))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_param_type",
        "The type of parameter dateCreated_gt you provided is not valid for this request.",
    );
}

app_tests!(
    the_list_pages_with_max_and_offset_and_sorts,
    each_list_filter_selects_its_contacts,
);
