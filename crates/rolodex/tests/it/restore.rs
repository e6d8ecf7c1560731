//! Restoring values from history through the native API: a whole entry or some of its
//! fields, written back as an ordinary change (role, If-Match, validation, history).

use crate::support::{TestApp, TestClient as Api, images};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A customer and a contact of it, then one patch of the contact: the contact's URL and the
/// id of the patch's history entry.
async fn patched_contact(api: &Api, code: &str) -> (String, i64) {
    let customer = api
        .post("/v1/customers", json!({"code": code}), StatusCode::CREATED)
        .await["id"]
        .clone();
    let created = api
        .post(
            &format!("/v1/customers/{customer}/contacts"),
            json!({
                "first_name": "Joseph",
                "last_name": "Hernandez",
                "city": "San Jose",
                "phones": [{"type": "business", "number": "408-555-0100"}, {"type": "fax", "number": "408-555-0101"}],
            }),
            StatusCode::CREATED,
        )
        .await;
    let url = format!("/v1/customers/{customer}/contacts/{}", created["id"]);
    api.patch(
        &url,
        json!({
            "city": "Paris",
            "title": "Buyer",
            "phones": [{"id": 1, "type": "mobile", "number": "06 12 34 56 78"}],
        }),
        StatusCode::OK,
    )
    .await;
    let entry = last_entry(api, &url).await["id"]
        .as_i64()
        .expect("entry id");
    (url, entry)
}

async fn history(api: &Api, url: &str) -> Vec<Value> {
    api.get(&format!("{url}/history"), StatusCode::OK).await["items"]
        .as_array()
        .expect("history items")
        .clone()
}

async fn last_entry(api: &Api, url: &str) -> Value {
    history(api, url).await.pop().expect("an entry")
}

fn restore_url(url: &str, entry: i64) -> String {
    format!("{url}/history/{entry}/restore")
}

/// A restore with `body` (none when `None`) and `if_match`: status, headers and body.
async fn restore(
    api: &Api,
    url: &str,
    entry: i64,
    body: Option<Value>,
    if_match: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = api.request(Method::POST, &restore_url(url, entry));
    if let Some(body) = body {
        request = request.json(&body);
    }
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    api.send(request).await
}

async fn restoring_a_whole_entry_writes_back_its_old_values_as_a_change_of_its_own(app: TestApp) {
    let api = app.admin().await;
    let (url, entry) = patched_contact(&api, "ABCCORP").await;

    let (status, headers, restored) = restore(&api, &url, entry, None, None).await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(headers["etag"], "\"3\"");
    assert_eq!(restored["version"], 3);
    assert_eq!(
        (&restored["city"], &restored["title"]),
        (&json!("San Jose"), &Value::Null)
    );
    assert_eq!(
        restored["phones"],
        json!([
            {"id": 1, "type": "business", "number": "408-555-0100"},
            {"id": 3, "type": "fax", "number": "408-555-0101"},
        ]),
        "phone 1 gets its type and number back; the fax, removed since, comes back with a new id"
    );
    assert_eq!(api.get(&url, StatusCode::OK).await, restored);

    let last = last_entry(&api, &url).await;
    assert_eq!(
        (&last["change"], &last["version"], &last["surface"]),
        (&json!("update"), &json!(3), &json!("native"))
    );
    let changes = last["changes"].as_array().expect("changes");
    let change = |field: &str| {
        changes
            .iter()
            .find(|c| c["field"] == field)
            .unwrap_or_else(|| panic!("{field} in {changes:?}"))
    };
    assert_eq!(
        (&change("city")["old"], &change("city")["new"]),
        (&json!("Paris"), &json!("San Jose"))
    );
    assert_eq!(
        (&change("title")["old"], &change("title")["new"]),
        (&json!("Buyer"), &Value::Null)
    );
    assert_eq!(changes.len(), 3, "city, title and phones: {changes:?}");

    let (status, _, again) = restore(&api, &url, entry, Some(Value::Null), Some("\"3\"")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        again["version"], 3,
        "the values are already these: no change"
    );
    assert_eq!(history(&api, &url).await.len(), 3);
}

async fn restoring_named_fields_leaves_the_others_as_they_are(app: TestApp) {
    let api = app.admin().await;
    let (url, entry) = patched_contact(&api, "ONE").await;

    let (status, _, restored) =
        restore(&api, &url, entry, Some(json!({"fields": ["city"]})), None).await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(
        (&restored["city"], &restored["title"], &restored["version"]),
        (&json!("San Jose"), &json!("Buyer"), &json!(3))
    );
    assert_eq!(restored["phones"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        last_entry(&api, &url).await["changes"],
        json!([{"field": "city", "old": "Paris", "new": "San Jose"}])
    );
}

async fn a_stale_if_match_gets_412_and_changes_nothing(app: TestApp) {
    let api = app.admin().await;
    let (url, entry) = patched_contact(&api, "STALE").await;

    let (status, _, body) = restore(&api, &url, entry, None, Some("\"1\"")).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    assert_eq!(body["code"], "version_mismatch");
    let now = api.get(&url, StatusCode::OK).await;
    assert_eq!(
        (&now["city"], &now["version"]),
        (&json!("Paris"), &json!(2))
    );

    let (status, headers, body) = restore(&api, &url, entry, None, Some("\"2\"")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["etag"], "\"3\"");
}

async fn a_viewer_cannot_restore(app: TestApp) {
    let admin = app.admin().await;
    let (url, entry) = patched_contact(&admin, "VIEW").await;
    let viewer = app.member("vera", "viewer").await;

    let (status, _, body) = restore(&viewer, &url, entry, None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "forbidden");
    let now = admin.get(&url, StatusCode::OK).await;
    assert_eq!(
        (&now["city"], &now["version"]),
        (&json!("Paris"), &json!(2))
    );
}

async fn an_entry_of_another_tenant_or_another_record_is_404(app: TestApp) {
    let admin = app.admin().await;
    let (url, entry) = patched_contact(&admin, "MINE").await;
    let (other_url, other_entry) = patched_contact(&admin, "MINE2").await;
    let customer_url = url.split("/contacts/").next().expect("customer url");
    let customer_entry = last_entry(&admin, customer_url).await["id"]
        .as_i64()
        .expect("entry id");

    for (path, id) in [
        (url.as_str(), other_entry),
        (other_url.as_str(), entry),
        (url.as_str(), customer_entry),
        (customer_url, entry),
        (url.as_str(), entry + 1_000),
    ] {
        let (status, _, body) = restore(&admin, path, id, None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path} entry {id}: {body}");
        assert_eq!(body["code"], "history_entry_not_found");
    }

    let theirs = app.admin_of_new_tenant("OTHER", "olga").await;
    let (_, their_entry) = patched_contact(&theirs, "THEIRS").await;
    for id in [entry, their_entry] {
        let (status, _, body) = restore(&theirs, &url, id, None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "entry {id}: {body}");
    }
    let now = admin.get(&url, StatusCode::OK).await;
    assert_eq!(
        (&now["city"], &now["version"]),
        (&json!("Paris"), &json!(2))
    );
}

async fn fields_the_entry_did_not_change_and_the_photo_are_refused_by_name(app: TestApp) {
    let api = app.admin().await;
    let (url, entry) = patched_contact(&api, "BAD").await;

    let (status, _, body) = restore(
        &api,
        &url,
        entry,
        Some(json!({"fields": ["city", "last_name", "nickname"]})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["errors"],
        json!([
            {"field": "last_name", "code": "not_in_entry", "message": format!("history entry {entry} did not change last_name")},
            {"field": "nickname", "code": "not_in_entry", "message": format!("history entry {entry} did not change nickname")},
        ])
    );
    for bad in [
        json!({"fields": []}),
        json!({"fields": "city"}),
        json!({"all": true}),
    ] {
        let (status, _, body) = restore(&api, &url, entry, Some(bad.clone()), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    let not_json = api
        .request(Method::POST, &restore_url(&url, entry))
        .header("Content-Type", "text/plain")
        .body("city");
    assert_eq!(
        api.send(not_json).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    let upload = api
        .request(Method::PUT, &format!("{url}/photo"))
        .header("Content-Type", "image/png")
        .body(images::png(64, 64));
    let (status, _, body) = api.send(upload).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let photo_entry = last_entry(&api, &url).await;
    assert_eq!(photo_entry["changes"][0]["field"], "photo");
    let photo_entry = photo_entry["id"].as_i64().expect("entry id");
    for body in [None, Some(json!({"fields": ["photo"]}))] {
        let (status, _, refused) = restore(&api, &url, photo_entry, body, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(
            (
                &refused["errors"][0]["field"],
                &refused["errors"][0]["code"]
            ),
            (&json!("photo"), &json!("not_restorable"))
        );
    }
    let now = api.get(&url, StatusCode::OK).await;
    assert_eq!(
        (&now["city"], &now["version"]),
        (&json!("Paris"), &json!(3))
    );
    assert!(now["photo"].is_object(), "the photo stays");
}

async fn a_customer_gets_its_old_values_back(app: TestApp) {
    let api = app.admin().await;
    let created = api
        .post(
            "/v1/customers",
            json!({"code": "ABCCORP", "name": "ABC Corp", "city": "San Jose", "custom_fields": {"region": "West"}}),
            StatusCode::CREATED,
        )
        .await;
    let url = format!("/v1/customers/{}", created["id"]);
    api.patch(
        &url,
        json!({"name": "ABC Corporation", "city": null, "custom_fields": {"region": "East", "tier": "1"}}),
        StatusCode::OK,
    )
    .await;
    let entry = last_entry(&api, &url).await["id"]
        .as_i64()
        .expect("entry id");

    let (status, _, body) = restore(&api, &url, entry, None, Some("\"1\"")).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    let (status, headers, restored) = restore(
        &api,
        &url,
        entry,
        Some(json!({"fields": ["name", "custom_fields"]})),
        Some("\"2\""),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(headers["etag"], "\"3\"");
    assert_eq!(
        (
            &restored["name"],
            &restored["city"],
            &restored["custom_fields"]
        ),
        (&json!("ABC Corp"), &Value::Null, &json!({"region": "West"}))
    );
    let (status, _, restored) = restore(&api, &url, entry, None, None).await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(
        (&restored["city"], &restored["version"]),
        (&json!("San Jose"), &json!(4))
    );
    let last = last_entry(&api, &url).await;
    assert_eq!(
        last["changes"],
        json!([{"field": "city", "old": null, "new": "San Jose"}])
    );

    let viewer = app.member("vera", "viewer").await;
    let (status, _, _) = restore(&viewer, &url, entry, None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let theirs = app.admin_of_new_tenant("OTHER", "olga").await;
    let (status, _, _) = restore(&theirs, &url, entry, None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn the_latest_change_to_restore_is_the_first_of_the_newest_first_history(app: TestApp) {
    let api = app.admin().await;
    let (url, _) = patched_contact(&api, "C1").await;
    for n in 1..=3 {
        api.patch(&url, json!({"title": format!("Buyer {n}")}), StatusCode::OK)
            .await;
    }
    let newest = api
        .get(&format!("{url}/history?sort=-id&limit=2"), StatusCode::OK)
        .await;
    let versions: Vec<i64> = newest["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["version"].as_i64().expect("a version"))
        .collect();
    assert_eq!(versions, [5, 4]);
    let cursor = newest["next_cursor"].as_str().expect("more");
    let older = api
        .get(
            &format!("{url}/history?sort=-id&limit=2&cursor={cursor}"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(older["items"][0]["version"], 3);
    // A cursor belongs to its order, and a sort is one of the two.
    let oldest = api
        .get(&format!("{url}/history?limit=2"), StatusCode::OK)
        .await;
    let cursor = oldest["next_cursor"].as_str().expect("more");
    let refused = api
        .get(
            &format!("{url}/history?sort=-id&cursor={cursor}"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(refused["errors"][0]["code"], "invalid_cursor");
    let refused = api
        .get(
            &format!("{url}/history?sort=version"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(refused["errors"][0]["code"], "invalid_sort");
    // Restoring the latest change puts the title back to the one before it.
    let latest = newest["items"][0]["id"].as_i64().expect("an id");
    let (status, _, restored) =
        restore(&api, &url, latest, Some(json!({"fields": ["title"]})), None).await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(restored["title"], "Buyer 2");
}

app_tests!(
    restoring_a_whole_entry_writes_back_its_old_values_as_a_change_of_its_own,
    restoring_named_fields_leaves_the_others_as_they_are,
    a_stale_if_match_gets_412_and_changes_nothing,
    a_viewer_cannot_restore,
    an_entry_of_another_tenant_or_another_record_is_404,
    fields_the_entry_did_not_change_and_the_photo_are_refused_by_name,
    a_customer_gets_its_old_values_back,
    the_latest_change_to_restore_is_the_first_of_the_newest_first_history,
);
