//! The native API over real HTTP, against a real server on a temporary SQLite database.

use crate::support::{TestApp, TestClient as Api};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn customer(api: &Api, code: &str) -> i64 {
    api.post("/v1/customers", json!({"code": code}), StatusCode::CREATED)
        .await["id"]
        .as_i64()
        .expect("customer id")
}

async fn contact(api: &Api, customer: i64, body: Value) -> Value {
    api.post(
        &format!("/v1/customers/{customer}/contacts"),
        body,
        StatusCode::CREATED,
    )
    .await
}

fn contact_url(customer: i64, contact: &Value) -> String {
    format!("/v1/customers/{customer}/contacts/{}", contact["id"])
}

async fn a_patch_of_one_field_changes_only_that_field_and_history_keeps_old_and_new(app: TestApp) {
    let api = app.admin().await;
    let c = customer(&api, "ABCCORP").await;
    let created = contact(
        &api,
        c,
        json!({"first_name": "Joseph", "last_name": "Hernandez", "city": "San Jose", "emails": ["j@abccorp.com"]}),
    )
    .await;
    let url = contact_url(c, &created);

    let patched = api
        .patch(&url, json!({"title": "Buyer"}), StatusCode::OK)
        .await;
    assert_eq!(patched["title"], "Buyer");
    for same in [
        "first_name",
        "last_name",
        "city",
        "emails",
        "created_at",
        "phones",
    ] {
        assert_eq!(patched[same], created[same], "{same} must not change");
    }
    assert_eq!(patched["version"], 2);

    let cleared = api.patch(&url, json!({"city": null}), StatusCode::OK).await;
    assert_eq!(cleared["city"], Value::Null);
    assert_eq!(cleared["title"], "Buyer");

    let history = api.get(&format!("{url}/history"), StatusCode::OK).await;
    let items = history["items"].as_array().expect("history items");
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["change"], "create");
    let last = &items[2];
    assert_eq!(last["change"], "update");
    assert_eq!(last["username"], "admin");
    assert_eq!(last["surface"], "native");
    assert_eq!(last["version"], 3);
    assert!(last["at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(
        last["changes"],
        json!([{"field": "city", "old": "San Jose", "new": null}])
    );
    assert_eq!(
        items[1]["changes"],
        json!([{"field": "title", "old": null, "new": "Buyer"}])
    );
}

async fn a_stale_if_match_gets_412_and_changes_nothing(app: TestApp) {
    let api = app.admin().await;
    let c = customer(&api, "C1").await;
    let created = contact(&api, c, json!({"last_name": "Doe"})).await;
    let url = contact_url(c, &created);

    let (status, headers, _) = api.send(api.request(reqwest::Method::GET, &url)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["etag"], "\"1\"");

    api.patch(&url, json!({"title": "First"}), StatusCode::OK)
        .await;
    let stale = api
        .request(reqwest::Method::PATCH, &url)
        .header("If-Match", "\"1\"")
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"title": "Second"}).to_string());
    let (status, headers, body) = api.send(stale).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["code"], "version_mismatch");
    let now = api.get(&url, StatusCode::OK).await;
    assert_eq!(
        (now["title"].as_str(), now["version"].as_i64()),
        (Some("First"), Some(2))
    );

    let fresh = api
        .request(reqwest::Method::PATCH, &url)
        .header("If-Match", "\"2\"")
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({"title": "Second"}).to_string());
    let (status, headers, _) = api.send(fresh).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["etag"], "\"3\"");

    let stale_delete = api
        .request(reqwest::Method::DELETE, &url)
        .header("If-Match", "\"2\"");
    assert_eq!(
        api.send(stale_delete).await.0,
        StatusCode::PRECONDITION_FAILED
    );
    api.get(&url, StatusCode::OK).await;
}

/// A write's body is judged before its `If-Match`: a bad body is reported as such whatever
/// the header says; a sound body with a stale or foreign tag gets 412.
async fn a_bad_body_is_reported_before_if_match(app: TestApp) {
    let api = app.admin().await;
    let c = customer(&api, "C1").await;
    let created = contact(&api, c, json!({"last_name": "Doe"})).await;
    let url = contact_url(c, &created);
    let write = |if_match: &str, content_type: &str, body: &str| {
        api.request(reqwest::Method::PATCH, &url)
            .header("If-Match", if_match)
            .header("Content-Type", content_type)
            .body(body.to_owned())
    };
    for if_match in ["\"7\"", "W/\"1\"", "junk"] {
        let cases = [
            ("application/json", "{", StatusCode::BAD_REQUEST),
            ("text/plain", "{}", StatusCode::UNSUPPORTED_MEDIA_TYPE),
            (
                "application/json",
                r#"{"version": 9}"#,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "application/json",
                r#"{"title": "CEO"}"#,
                StatusCode::PRECONDITION_FAILED,
            ),
        ];
        for (content_type, body, expected) in cases {
            let (status, headers, _) = api.send(write(if_match, content_type, body)).await;
            assert_eq!(status, expected, "If-Match {if_match}, body {body}");
            assert_eq!(headers["content-type"], "application/problem+json");
        }
    }
    let now = api.get(&url, StatusCode::OK).await;
    assert_eq!(now["version"], 1);
}

async fn a_repeated_idempotency_key_returns_the_first_response_and_creates_nothing(app: TestApp) {
    let api = app.admin().await;
    let c = customer(&api, "IDEM").await;
    let post = |body: Value, key: &str| {
        api.request(
            reqwest::Method::POST,
            &format!("/v1/customers/{c}/contacts"),
        )
        .header("Idempotency-Key", key)
        .json(&body)
    };
    let (s1, _, first) = api.send(post(json!({"last_name": "Once"}), "k-1")).await;
    let (s2, h2, second) = api.send(post(json!({"last_name": "Once"}), "k-1")).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first, second);
    assert_eq!(h2["idempotent-replayed"], "true");
    let list = api
        .get(&format!("/v1/customers/{c}/contacts"), StatusCode::OK)
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));

    let (s3, _, other) = api.send(post(json!({"last_name": "Twice"}), "k-1")).await;
    assert_eq!(s3, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other["code"], "idempotency_key_reused");

    // A failed request does not use up its key.
    let (s4, _, _) = api
        .send(post(json!({"country": "XX", "last_name": "Bad"}), "k-2"))
        .await;
    assert_eq!(s4, StatusCode::UNPROCESSABLE_ENTITY);
    let (s5, _, _) = api.send(post(json!({"last_name": "Good"}), "k-2")).await;
    assert_eq!(s5, StatusCode::CREATED);
}

async fn a_viewer_cannot_write_and_changes_nothing(app: TestApp) {
    let admin = app.admin().await;
    let c = customer(&admin, "VIEW").await;
    let created = contact(&admin, c, json!({"last_name": "Kept"})).await;
    let url = contact_url(c, &created);
    let viewer = app.member("vera", "viewer").await;

    viewer.get(&url, StatusCode::OK).await;
    let denied = viewer
        .patch(&url, json!({"last_name": "Changed"}), StatusCode::FORBIDDEN)
        .await;
    assert_eq!(denied["code"], "forbidden");
    viewer
        .post(
            &format!("/v1/customers/{c}/contacts"),
            json!({"last_name": "X"}),
            StatusCode::FORBIDDEN,
        )
        .await;
    viewer
        .post(
            "/v1/customers",
            json!({"code": "NEW"}),
            StatusCode::FORBIDDEN,
        )
        .await;
    viewer.delete(&url, StatusCode::FORBIDDEN).await;
    viewer.get("/v1/users", StatusCode::FORBIDDEN).await;
    let now = admin.get(&url, StatusCode::OK).await;
    assert_eq!(
        (now["last_name"].as_str(), now["version"].as_i64()),
        (Some("Kept"), Some(1))
    );
}

async fn another_tenants_ids_are_404_for_every_verb_and_nothing_changes(app: TestApp) {
    let admin = app.admin().await;
    let c = customer(&admin, "MINE").await;
    let created = contact(&admin, c, json!({"last_name": "Private"})).await;
    let url = contact_url(c, &created);
    let other = app.admin_of_new_tenant("OTHER", "olga").await;

    for (method, path) in [
        (reqwest::Method::GET, format!("/v1/customers/{c}")),
        (reqwest::Method::PATCH, format!("/v1/customers/{c}")),
        (reqwest::Method::DELETE, format!("/v1/customers/{c}")),
        (reqwest::Method::GET, format!("/v1/customers/{c}/history")),
        (reqwest::Method::GET, format!("/v1/customers/{c}/contacts")),
        (reqwest::Method::POST, format!("/v1/customers/{c}/contacts")),
        (reqwest::Method::GET, url.clone()),
        (reqwest::Method::PATCH, url.clone()),
        (reqwest::Method::PUT, url.clone()),
        (reqwest::Method::DELETE, url.clone()),
        (reqwest::Method::GET, format!("{url}/history")),
    ] {
        let mut req = other.request(method.clone(), &path);
        if method != reqwest::Method::GET && method != reqwest::Method::DELETE {
            let body = if path.contains("/contacts") {
                json!({"last_name": "Stolen"})
            } else {
                json!({"code": "STOLEN"})
            };
            req = req.json(&body);
        }
        let (status, _, body) = other.send(req).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
    }
    let search = other.get("/v1/contacts?q=private", StatusCode::OK).await;
    assert_eq!(search["items"], json!([]));
    let now = admin.get(&url, StatusCode::OK).await;
    assert_eq!(
        (now["last_name"].as_str(), now["version"].as_i64()),
        (Some("Private"), Some(1))
    );
    // A tenant the caller is not a member of is refused.
    let mine = admin.get("/v1/tenants", StatusCode::OK).await;
    let my_tenant = mine["items"][0]["id"].as_i64().expect("tenant id");
    let (status, _, _) = other
        .send(
            other
                .request(reqwest::Method::GET, "/v1/customers")
                .header("X-Tenant-Id", my_tenant.to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn bad_input_gets_its_clear_error_and_changes_nothing(app: TestApp) {
    let api = app.admin().await;
    let c = customer(&api, "BAD").await;
    let created = contact(&api, c, json!({"last_name": "Stable", "country": "FR"})).await;
    let url = contact_url(c, &created);

    let raw = |body: &str, content_type: &str| {
        api.request(reqwest::Method::PATCH, &url)
            .header("Content-Type", content_type)
            .body(body.to_owned())
    };
    let (status, headers, body) = api.send(raw("{\"last_name\": ", "application/json")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
    assert_eq!(headers["content-type"], "application/problem+json");
    let (status, _, _) = api.send(raw("[1]", "application/json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, body) = api.send(raw("{}", "text/plain")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );

    let field_error = |body: &Value| {
        let e = &body["errors"][0];
        (
            e["field"].as_str().unwrap_or("").to_owned(),
            e["code"].as_str().unwrap_or("").to_owned(),
        )
    };
    for (patch, field, code) in [
        (json!({"last_name": 42}), "last_name", "invalid_type"),
        (json!({"emails": "a@b.com"}), "emails", "invalid_type"),
        (json!({"nickname": "Bob"}), "nickname", "unknown_field"),
        (json!({"version": 7}), "version", "read_only"),
        (json!({"id": 7}), "id", "read_only"),
        (
            json!({"created_at": "2020-01-01T00:00:00Z"}),
            "created_at",
            "read_only",
        ),
        (json!({"notes": "n".repeat(32_766)}), "notes", "too_long"),
        (
            json!({"emails": ["not-an-email"]}),
            "emails[0]",
            "invalid_email",
        ),
        (json!({"country": "XX"}), "country", "invalid_country"),
        (
            json!({"phones": [{"type": "cell", "number": "1"}]}),
            "phones[0].type",
            "invalid_phone_type",
        ),
    ] {
        let body = api
            .patch(&url, patch.clone(), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
        assert_eq!(body["code"], "validation_failed", "{patch}");
        assert_eq!(
            field_error(&body),
            (field.to_owned(), code.to_owned()),
            "{patch}"
        );
    }
    api.patch(&url, json!({"notes": "n".repeat(32_765)}), StatusCode::OK)
        .await;

    let huge = format!("{{\"notes\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let (status, _, body) = api.send(raw(&huge, "application/json")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large"))
    );

    let now = api.get(&url, StatusCode::OK).await;
    assert_eq!(now["version"], 2, "only the valid notes patch landed");
    assert_eq!(now["last_name"], "Stable");
    assert_eq!(now["country"], "FR");
    let history = api.get(&format!("{url}/history"), StatusCode::OK).await;
    assert_eq!(history["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn missing_malformed_expired_and_revoked_tokens_are_told_apart() {
    let app = TestApp::spawn_with_session_ttl(std::time::Duration::from_secs(1)).await;
    let client = reqwest::Client::new();
    let get = |auth: Option<String>| {
        let mut req = client.get(format!("{}/v1/customers", app.address));
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        async move {
            let r = req.send().await.expect("request");
            let status = r.status();
            let challenge = r.headers().get("www-authenticate").is_some();
            let body: Value = r.json().await.expect("problem body");
            (
                status,
                body["code"].as_str().unwrap_or("").to_owned(),
                challenge,
            )
        }
    };
    assert_eq!(
        get(None).await,
        (StatusCode::UNAUTHORIZED, "token_missing".into(), true)
    );
    assert_eq!(get(Some("Bearer".into())).await.1, "token_malformed");
    assert_eq!(
        get(Some("Basic YWRtaW46YWRtaW4=".into())).await.1,
        "token_malformed"
    );
    assert_eq!(
        get(Some(format!("Bearer a.{}", "b".repeat(300)))).await.1,
        "token_malformed"
    );
    assert_eq!(
        get(Some("Bearer rdxs.not-a-real-token".into())).await.1,
        "token_unknown"
    );

    let api = app.admin().await;
    let token = api.token.clone();
    assert_eq!(get(Some(format!("Bearer {token}"))).await.0, StatusCode::OK);
    api.delete("/v1/auth/token", StatusCode::NO_CONTENT).await;
    assert_eq!(
        get(Some(format!("Bearer {token}"))).await.1,
        "token_revoked"
    );

    let api = app.admin().await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        get(Some(format!("Bearer {}", api.token))).await.1,
        "token_expired"
    );
}

async fn a_burst_of_wrong_passwords_is_throttled(app: TestApp) {
    let client = reqwest::Client::new();
    let login = |password: &str| {
        client
            .post(format!("{}/v1/auth/token", app.address))
            .json(&json!({"username": "admin", "password": password}))
            .send()
    };
    for _ in 0..5 {
        let r = login("wrong-password").await.expect("login");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = login("wrong-password").await.expect("login");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().get("retry-after").is_some());
    // Even the right password waits out the window, from this client (other clients: see
    // the logins tests).
    let r = login(crate::support::ADMIN_PASSWORD).await.expect("login");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn api_keys_authenticate_until_revoked(app: TestApp) {
    let api = app.admin().await;
    let created = api
        .post(
            "/v1/api-keys",
            json!({"name": "erp sync"}),
            StatusCode::CREATED,
        )
        .await;
    let secret = created["key"]
        .as_str()
        .expect("the secret is shown once")
        .to_owned();
    let listed = api.get("/v1/api-keys", StatusCode::OK).await;
    assert_eq!(listed["items"][0]["name"], "erp sync");
    assert!(listed["items"][0].get("key").is_none(), "never shown again");

    let machine = app.with_token(&secret);
    machine.get("/v1/customers", StatusCode::OK).await;
    api.delete(
        &format!("/v1/api-keys/{}", created["id"]),
        StatusCode::NO_CONTENT,
    )
    .await;
    let denied = machine.get("/v1/customers", StatusCode::UNAUTHORIZED).await;
    assert_eq!(denied["code"], "token_revoked");
}

async fn making_a_contact_primary_demotes_the_previous_one_with_history(app: TestApp) {
    let api = app.admin().await;
    let c = customer(&api, "PRIM").await;
    let first = contact(&api, c, json!({"last_name": "First", "is_primary": true})).await;
    let second = contact(&api, c, json!({"last_name": "Second", "is_primary": true})).await;
    let first_now = api.get(&contact_url(c, &first), StatusCode::OK).await;
    assert_eq!(first_now["is_primary"], false);
    assert_eq!(second["is_primary"], true);
    let history = api
        .get(
            &format!("{}/history", contact_url(c, &first)),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        history["items"][1]["changes"],
        json!([{"field": "is_primary", "old": true, "new": false}])
    );
}

async fn put_replaces_and_delete_keeps_history(app: TestApp) {
    let api = app.admin().await;
    let c = customer(&api, "REPL").await;
    let created = contact(
        &api,
        c,
        json!({"first_name": "Ann", "last_name": "Lee", "city": "Lyon"}),
    )
    .await;
    let url = contact_url(c, &created);
    let replaced = api
        .put(&url, json!({"last_name": "Lee-Smith"}), StatusCode::OK)
        .await;
    assert_eq!(replaced["first_name"], Value::Null);
    assert_eq!(replaced["city"], Value::Null);
    assert_eq!(replaced["last_name"], "Lee-Smith");

    api.delete(&url, StatusCode::NO_CONTENT).await;
    api.get(&url, StatusCode::NOT_FOUND).await;
    let history = api.get(&format!("{url}/history"), StatusCode::OK).await;
    let last = &history["items"][2];
    assert_eq!(last["change"], "delete");
    assert!(last["changes"].as_array().is_some_and(|c| {
        c.iter()
            .any(|f| f["field"] == "last_name" && f["old"] == "Lee-Smith")
    }));
}

async fn customers_with_contacts_are_not_deleted_and_codes_are_unique(app: TestApp) {
    let api = app.admin().await;
    let c = customer(&api, "UNIQ").await;
    let dup = api
        .post(
            "/v1/customers",
            json!({"code": "uniq"}),
            StatusCode::CONFLICT,
        )
        .await;
    assert_eq!(dup["code"], "duplicate_customer_code");
    let created = contact(&api, c, json!({"code": "JD", "last_name": "Doe"})).await;
    let again = api
        .post(
            &format!("/v1/customers/{c}/contacts"),
            json!({"code": "JD", "last_name": "Roe"}),
            StatusCode::CONFLICT,
        )
        .await;
    assert_eq!(again["code"], "duplicate_contact_code");
    let refused = api
        .delete(&format!("/v1/customers/{c}"), StatusCode::CONFLICT)
        .await;
    assert_eq!(refused["code"], "customer_has_contacts");
    api.delete(&contact_url(c, &created), StatusCode::NO_CONTENT)
        .await;
    api.delete(&format!("/v1/customers/{c}"), StatusCode::NO_CONTENT)
        .await;
}

async fn customers_keep_their_details_and_get_a_code_from_their_name(app: TestApp) {
    let api = app.admin().await;
    let created = api
        .post(
            "/v1/customers",
            json!({"name": "ABC Corp.", "website": "https://abc.example", "address": "1 Main St",
                   "city": "Springfield", "state": "IL", "postal_code": "62701", "country": "us",
                   "custom_fields": {"Region": "West"}}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(created["code"], "ABCCORP");
    assert_eq!(created["country"], "US");
    assert_eq!(created["custom_fields"], json!({"Region": "West"}));
    let twin = api
        .post(
            "/v1/customers",
            json!({"name": "ABC corp"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(
        twin["code"], "ABCCORP-2",
        "a taken code gets the next suffix"
    );
    let url = format!("/v1/customers/{}", created["id"]);
    let patched = api
        .patch(
            &url,
            json!({"custom_fields": {"Tier": "Gold"}, "website": null}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        patched["custom_fields"],
        json!({"Region": "West", "Tier": "Gold"})
    );
    assert_eq!(patched["website"], Value::Null);
    assert_eq!(patched["city"], "Springfield", "members not sent stay");
    let refused = api
        .patch(
            &url,
            json!({"country": "XX", "custom_fields": {"bad name": "v"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(refused["errors"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        api.get(&url, StatusCode::OK).await,
        patched,
        "a refused patch changes nothing"
    );
    let nameless = api
        .post("/v1/customers", json!({}), StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    assert_eq!(nameless["errors"][0]["field"], "code");
}

async fn search_filters_and_pages_with_cursors(app: TestApp) {
    let api = app.admin().await;
    let a = customer(&api, "SA").await;
    let b = customer(&api, "SB").await;
    contact(
        &api,
        a,
        json!({"first_name": "Joseph", "last_name": "Hernandez", "emails": ["joe@abc.com"],
        "phones": [{"type": "business", "number": "(408) 555-1212"}], "external_id": "SLX-1"}),
    )
    .await;
    contact(
        &api,
        b,
        json!({"first_name": "Josephine", "last_name": "Baker"}),
    )
    .await;
    for i in 0..7 {
        contact(&api, b, json!({"last_name": format!("Page{i}")})).await;
    }
    let ids = |v: &Value| v["items"].as_array().map(|i| i.len()).unwrap_or(0);
    assert_eq!(ids(&api.get("/v1/contacts?q=jos", StatusCode::OK).await), 2);
    assert_eq!(
        ids(&api.get("/v1/contacts?q=jos%20hern", StatusCode::OK).await),
        1
    );
    assert_eq!(
        ids(&api
            .get("/v1/contacts?email=JOE@abc.com", StatusCode::OK)
            .await),
        1
    );
    assert_eq!(
        ids(&api
            .get("/v1/contacts?phone=408-555-1212", StatusCode::OK)
            .await),
        1
    );
    assert_eq!(
        ids(&api
            .get("/v1/contacts?external_id=slx-1", StatusCode::OK)
            .await),
        1
    );
    assert_eq!(
        ids(&api
            .get(&format!("/v1/customers/{b}/contacts"), StatusCode::OK)
            .await),
        8
    );
    assert_eq!(
        ids(&api
            .get(
                "/v1/contacts?updated_since=2000-01-01T00:00:00Z",
                StatusCode::OK
            )
            .await),
        9
    );
    assert_eq!(
        ids(&api
            .get(
                "/v1/contacts?updated_since=2999-01-01T00:00:00Z",
                StatusCode::OK
            )
            .await),
        0
    );

    let mut seen = Vec::new();
    let mut next = Some(String::new());
    while let Some(cursor) = next {
        let path = if cursor.is_empty() {
            "/v1/contacts?limit=4&sort=-last_name".to_owned()
        } else {
            format!("/v1/contacts?limit=4&sort=-last_name&cursor={cursor}")
        };
        let page = api.get(&path, StatusCode::OK).await;
        for item in page["items"].as_array().expect("items") {
            seen.push(item["last_name"].as_str().unwrap_or("").to_owned());
        }
        next = page["next_cursor"].as_str().map(str::to_owned);
    }
    let mut expected = seen.clone();
    expected.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    assert_eq!(seen.len(), 9);
    assert_eq!(seen, expected);

    let bad = api
        .get("/v1/contacts?limit=1000", StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    assert_eq!(bad["errors"][0]["field"], "limit");
    api.get(
        "/v1/contacts?cursor=garbage",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    api.get(
        "/v1/contacts?sort=shoe_size",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    api.get("/v1/contacts?colour=red", StatusCode::BAD_REQUEST)
        .await;
}

async fn users_are_managed_by_admins_and_the_last_admin_stays(app: TestApp) {
    let api = app.admin().await;
    let created = api
        .post(
            "/v1/users",
            json!({"username": "dora", "password": "dispatch-me", "role": "dispatcher"}),
            StatusCode::CREATED,
        )
        .await;
    let id = created["id"].as_i64().expect("user id");
    let dora = app.login_as("dora", "dispatch-me").await;
    dora.post(
        "/v1/customers",
        json!({"code": "DORA"}),
        StatusCode::CREATED,
    )
    .await;
    api.patch(
        &format!("/v1/users/{id}"),
        json!({"role": "viewer"}),
        StatusCode::OK,
    )
    .await;
    dora.post(
        "/v1/customers",
        json!({"code": "DORA2"}),
        StatusCode::FORBIDDEN,
    )
    .await;
    let users = api.get("/v1/users", StatusCode::OK).await;
    assert_eq!(users["items"].as_array().map(Vec::len), Some(2));
    let me = users["items"]
        .as_array()
        .and_then(|u| u.iter().find(|u| u["username"] == "admin"))
        .cloned();
    let me = me.expect("admin listed")["id"].as_i64().expect("id");
    let last = api
        .patch(
            &format!("/v1/users/{me}"),
            json!({"role": "viewer"}),
            StatusCode::CONFLICT,
        )
        .await;
    assert_eq!(last["code"], "last_admin");
    api.post(
        "/v1/users",
        json!({"username": "dora", "password": "another-one", "role": "viewer"}),
        StatusCode::CONFLICT,
    )
    .await;
    api.delete(&format!("/v1/users/{id}"), StatusCode::NO_CONTENT)
        .await;
    dora.get("/v1/customers", StatusCode::FORBIDDEN).await;
}

async fn every_response_carries_a_request_id_and_the_docs_are_served(app: TestApp) {
    let client = reqwest::Client::new();
    let r = client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let r = client
        .get(format!("{}/v1/customers", app.address))
        .header("X-Request-Id", "trace-me-123")
        .send()
        .await
        .expect("request");
    assert_eq!(r.headers()["x-request-id"], "trace-me-123");

    let served = client
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .expect("openapi");
    assert_eq!(served.headers()["content-type"], "application/json");
    let doc: Value = served.json().await.expect("json");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    assert!(doc["paths"]["/v1/customers/{id}/contacts/{contact_id}"]["patch"].is_object());
    let page = client
        .get(format!("{}/docs/", app.address))
        .send()
        .await
        .expect("docs");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("html").contains("swagger"));
    // The page reads the document served above.
    let initializer = client
        .get(format!("{}/docs/swagger-initializer.js", app.address))
        .send()
        .await
        .expect("initializer")
        .text()
        .await
        .expect("script");
    assert!(initializer.contains("/openapi.json"), "{initializer}");

    // A method no route knows is counted as `other`: a client cannot add series at will.
    let odd = client
        .request(
            reqwest::Method::from_bytes(b"FROBNICATE").expect("a method"),
            format!("{}/nowhere", app.address),
        )
        .send()
        .await
        .expect("an odd method");
    assert_eq!(odd.status(), StatusCode::NOT_FOUND);
    let metrics = client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .expect("metrics");
    assert_eq!(metrics.status(), StatusCode::OK);
    let text = metrics.text().await.expect("text");
    assert!(
        text.contains(r#"http_requests_total{method="GET",path="/openapi.json",status="200"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"http_requests_total{method="other",path="unmatched",status="404"}"#),
        "{text}"
    );
    assert!(!text.contains("FROBNICATE"), "{text}");
}

app_tests!(
    customers_keep_their_details_and_get_a_code_from_their_name,
    a_patch_of_one_field_changes_only_that_field_and_history_keeps_old_and_new,
    a_stale_if_match_gets_412_and_changes_nothing,
    a_bad_body_is_reported_before_if_match,
    a_repeated_idempotency_key_returns_the_first_response_and_creates_nothing,
    a_viewer_cannot_write_and_changes_nothing,
    another_tenants_ids_are_404_for_every_verb_and_nothing_changes,
    bad_input_gets_its_clear_error_and_changes_nothing,
    a_burst_of_wrong_passwords_is_throttled,
    api_keys_authenticate_until_revoked,
    making_a_contact_primary_demotes_the_previous_one_with_history,
    put_replaces_and_delete_keeps_history,
    customers_with_contacts_are_not_deleted_and_codes_are_unique,
    search_filters_and_pages_with_cursors,
    users_are_managed_by_admins_and_the_last_admin_stays,
    every_response_carries_a_request_id_and_the_docs_are_served,
);
