//! CRO Software's API (seed 004, siblings 5) over real HTTP: the seed's PATCH example sent
//! as printed, every constraint at its boundaries, roles, tenants, the headers, the error
//! body, and the siblings (create, get, list, tenants).

use crate::support::{TestApp, TestClient};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An answer: status, headers, body.
type Answer = (StatusCode, HeaderMap, Value);

/// A CRO call with `x-tenant-id: tenant` (when given) and a raw JSON body (when given).
async fn cro(
    client: &TestClient,
    method: Method,
    path: &str,
    tenant: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let mut request = client.request(method, path);
    if let Some(t) = tenant {
        request = request.header("x-tenant-id", t);
    }
    if let Some(b) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(b.to_owned());
    }
    client.send(request).await
}

/// Checks the error body, and that its `request_id` is the response's; returns it.
fn error(answer: &Answer, status: StatusCode, code: &str) -> Value {
    let (got, headers, body) = answer;
    assert_eq!(
        (*got, body["error"].as_str()),
        (status, Some(code)),
        "{body}"
    );
    assert_eq!(body["status"], status.as_u16());
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(
        body["request_id"].as_str(),
        headers.get("x-request-id").and_then(|v| v.to_str().ok())
    );
    body.clone()
}

/// Whether `text` is a hyphenated UUID.
fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Tenant `DEFAULT`'s id, a customer of it, its admin, and a contact made through CRO.
struct World {
    app: TestApp,
    admin: TestClient,
    tenant: String,
    customer: i64,
    contact: i64,
}

impl World {
    async fn new(app: TestApp) -> World {
        let admin = app.admin().await;
        let tenant = app.services.tenants.by_code("DEFAULT").await.unwrap().id.0;
        let customer = admin
            .post(
                "/v1/customers",
                json!({"code": "ACME", "name": "Acme"}),
                StatusCode::CREATED,
            )
            .await["id"]
            .as_i64()
            .unwrap();
        let tenant = tenant.to_string();
        let (status, _, created) = cro(
            &admin,
            Method::POST,
            &format!("/customers/{customer}/contacts/"),
            Some(&tenant),
            Some(r#"{"name": "John J NewContact", "number": "360-555-1212", "fax": "360-555-1313", "email": "test@contacts.com"}"#),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let contact = created["id"].as_i64().unwrap();
        World {
            app,
            admin,
            tenant,
            customer,
            contact,
        }
    }

    fn path(&self) -> String {
        format!("/customers/{}/contacts/{}", self.customer, self.contact)
    }

    async fn patch(&self, body: &str) -> Answer {
        cro(
            &self.admin,
            Method::PATCH,
            &self.path(),
            Some(&self.tenant),
            Some(body),
        )
        .await
    }

    async fn read(&self) -> Value {
        let (status, _, body) = cro(
            &self.admin,
            Method::GET,
            &self.path(),
            Some(&self.tenant),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

async fn the_seed_example_as_printed_updates_the_email_and_returns_the_model(app: TestApp) {
    let w = World::new(app).await;
    let before = w.read().await;
    let request = reqwest::Client::new()
        .patch(w.app.url(&format!("{}/", w.path())))
        .header("Authorization", format!("Bearer {}", w.admin.token))
        .header("Content-Type", "application/json")
        .header("x-tenant-id", &w.tenant)
        .body("{\n\"email\": \"test.updated@contacts.com\"\n}");
    let (status, headers, body) = w.admin.send(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut expected = before.clone();
    expected["email"] = "test.updated@contacts.com".into();
    assert_eq!(body, expected);
    assert_eq!(
        body,
        json!({"email": "test.updated@contacts.com", "fax": "360-555-1313", "id": w.contact,
            "name": "John J NewContact", "notify_on_acknowledged_request": false,
            "notify_on_completed_request": false, "notify_on_dispatched_request": false,
            "notify_on_failed_request": false, "notify_on_new_request": false,
            "number": "360-555-1212"})
    );
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(is_uuid(&header("X-REQUEST-ID")), "{headers:?}");
    assert_eq!(header("X-API-VERSION"), "2023/04/19");
    assert_eq!(header("Allow"), "GET,PATCH");
    assert_eq!(header("Access-Control-Allow-Methods"), "GET,PATCH");
    assert_eq!(header("Access-Control-Allow-Origin"), "*");
    assert_eq!(
        header("Access-Control-Allow-Headers"),
        "Authorization, Accept, X-TENANT-ID, Content-Type"
    );
    assert_eq!(header("Content-Type"), "application/json");
    assert_eq!(w.read().await, body);

    // Without the trailing slash too; the change is recorded as made through CRO.
    let (status, _, body) = w.patch(r#"{"email": "a@x.com"}"#).await;
    assert_eq!(
        (status, body["email"].as_str()),
        (StatusCode::OK, Some("a@x.com"))
    );
    let history = w
        .admin
        .get(
            &format!(
                "/v1/customers/{}/contacts/{}/history",
                w.customer, w.contact
            ),
            StatusCode::OK,
        )
        .await;
    let surfaces: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["surface"].as_str())
        .collect();
    assert!(
        !surfaces.is_empty() && surfaces.iter().all(|s| *s == "cro"),
        "{history}"
    );
}

async fn members_map_onto_the_contact_and_only_those_sent_change(app: TestApp) {
    let w = World::new(app).await;
    let native = w
        .admin
        .get(
            &format!("/v1/customers/{}/contacts/{}", w.customer, w.contact),
            StatusCode::OK,
        )
        .await;
    assert_eq!(native["full_name"], "John J NewContact");
    assert_eq!(native["emails"], json!(["test@contacts.com"]));
    let (status, _, body) = w
        .patch(r#"{"email": " a@x.com,\n\tb@y.com ", "notify_on_new_request": "1"}"#)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "a@x.com, b@y.com");
    assert_eq!(body["notify_on_new_request"], true);
    assert_eq!(body["name"], "John J NewContact");
    assert_eq!(body["fax"], "360-555-1313");
    let native = w
        .admin
        .get(
            &format!("/v1/customers/{}/contacts/{}", w.customer, w.contact),
            StatusCode::OK,
        )
        .await;
    assert_eq!(native["emails"], json!(["a@x.com", "b@y.com"]));
    // null clears email, fax and number.
    let (status, _, body) = w
        .patch(r#"{"email": null, "fax": null, "number": null}"#)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (&body["email"], &body["fax"], &body["number"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
}

async fn every_constraint_is_enforced_at_its_boundaries(app: TestApp) {
    let w = World::new(app).await;
    let ok = |s: StatusCode, b: &Value| assert_eq!(s, StatusCode::OK, "{b}");
    for (n, status) in [
        (6, StatusCode::BAD_REQUEST),
        (7, StatusCode::OK),
        (15, StatusCode::OK),
        (16, StatusCode::BAD_REQUEST),
    ] {
        let fax = "5".repeat(n);
        let answer = w.patch(&json!({"fax": fax}).to_string()).await;
        if status == StatusCode::OK {
            ok(answer.0, &answer.2);
            assert_eq!(answer.2["fax"], fax.as_str());
        } else {
            assert_eq!(error(&answer, status, "invalid_length")["field"], "fax");
        }
    }
    for (n, status, code) in [
        (0, StatusCode::BAD_REQUEST, "invalid_length"),
        (1, StatusCode::OK, ""),
        (128, StatusCode::OK, ""),
        (129, StatusCode::BAD_REQUEST, "too_long"),
    ] {
        let name = "n".repeat(n);
        let answer = w.patch(&json!({"name": name}).to_string()).await;
        if status == StatusCode::OK {
            ok(answer.0, &answer.2);
            assert_eq!(answer.2["name"], name.as_str());
        } else {
            assert_eq!(error(&answer, status, code)["field"], "name");
        }
    }
    let answer = w.patch(r#"{"name": null}"#).await;
    error(&answer, StatusCode::BAD_REQUEST, "invalid_length");
    for (n, status, code) in [
        (0, StatusCode::BAD_REQUEST, "invalid_length"),
        (1, StatusCode::OK, ""),
        (90, StatusCode::OK, ""),
        (91, StatusCode::BAD_REQUEST, "too_long"),
    ] {
        let number = "1".repeat(n);
        let answer = w.patch(&json!({"number": number}).to_string()).await;
        if status == StatusCode::OK {
            ok(answer.0, &answer.2);
        } else {
            assert_eq!(error(&answer, status, code)["field"], "number");
        }
    }
    // Eight addresses: seven of 30 characters and one of 32 (or 33), ", " between.
    let list = |last: usize| {
        let mut all: Vec<String> = (0..7).map(|i| format!("user{i:014}@example.com")).collect();
        all.push(format!("{}@example.com", "z".repeat(last - 12)));
        all.join(", ")
    };
    assert_eq!(list(32).chars().count(), 256);
    let answer = w.patch(&json!({"email": list(32)}).to_string()).await;
    ok(answer.0, &answer.2);
    assert_eq!(answer.2["email"], list(32).as_str());
    let answer = w.patch(&json!({"email": list(33)}).to_string()).await;
    assert_eq!(
        error(&answer, StatusCode::BAD_REQUEST, "too_long")["field"],
        "email"
    );
    let answer = w.patch(r#"{"email": "a@x.com, not-an-email"}"#).await;
    assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{}", answer.2);
    assert_eq!(answer.2["field"], "email");

    // None of the refusals changed anything.
    assert_eq!(w.read().await["email"], list(32).as_str());
}

async fn booleans_take_each_documented_spelling(app: TestApp) {
    let w = World::new(app).await;
    for flag in [
        "notify_on_acknowledged_request",
        "notify_on_completed_request",
        "notify_on_dispatched_request",
        "notify_on_failed_request",
        "notify_on_new_request",
    ] {
        for (value, expected) in [
            (json!("1"), true),
            (json!("0"), false),
            (json!("True"), true),
            (json!("FALSE"), false),
            (json!("true"), true),
            (json!("False"), false),
            (json!("TRUE"), true),
            (json!("false"), false),
            (json!(true), true),
            (json!(false), false),
            (json!(1), true),
            (json!(0), false),
        ] {
            let (status, _, body) = w.patch(&json!({flag: value}).to_string()).await;
            assert_eq!(
                (status, &body[flag]),
                (StatusCode::OK, &json!(expected)),
                "{flag} {value}"
            );
        }
        for bad in [json!("yes"), json!(null), json!(2)] {
            let answer = w.patch(&json!({flag: bad}).to_string()).await;
            assert_eq!(
                error(&answer, StatusCode::BAD_REQUEST, "invalid_boolean")["field"],
                flag
            );
        }
    }
}

async fn roles_and_tenants_are_enforced_and_refusals_change_nothing(app: TestApp) {
    let w = World::new(app).await;
    let before = w.read().await;
    let change = r#"{"email": "changed@x.com"}"#;

    let viewer = w.app.member("vic", "viewer").await;
    let answer = cro(
        &viewer,
        Method::PATCH,
        &w.path(),
        Some(&w.tenant),
        Some(change),
    )
    .await;
    error(&answer, StatusCode::FORBIDDEN, "forbidden");
    let collection = format!("/customers/{}/contacts", w.customer);
    let answer = cro(
        &viewer,
        Method::POST,
        &collection,
        Some(&w.tenant),
        Some(r#"{"name": "X"}"#),
    )
    .await;
    error(&answer, StatusCode::FORBIDDEN, "forbidden");
    let (status, _, body) = cro(&viewer, Method::GET, &w.path(), Some(&w.tenant), None).await;
    assert_eq!((status, &body), (StatusCode::OK, &before));

    let dispatcher = w.app.member("dan", "dispatcher").await;
    let answer = cro(&dispatcher, Method::PATCH, &w.path(), None, Some(change)).await;
    assert_eq!(
        error(&answer, StatusCode::BAD_REQUEST, "tenant_required")["field"],
        "x-tenant-id"
    );
    let answer = cro(
        &dispatcher,
        Method::PATCH,
        &w.path(),
        Some("abc"),
        Some(change),
    )
    .await;
    error(&answer, StatusCode::BAD_REQUEST, "invalid_tenant");

    let other = w.app.admin_of_new_tenant("OTHER", "olga").await;
    let other_tenant = w
        .app
        .services
        .tenants
        .by_code("OTHER")
        .await
        .unwrap()
        .id
        .0
        .to_string();
    // A tenant the caller is not in.
    let answer = cro(
        &dispatcher,
        Method::PATCH,
        &w.path(),
        Some(&other_tenant),
        Some(change),
    )
    .await;
    error(&answer, StatusCode::FORBIDDEN, "forbidden");
    // Another tenant's contact.
    let answer = cro(
        &other,
        Method::PATCH,
        &w.path(),
        Some(&other_tenant),
        Some(change),
    )
    .await;
    error(&answer, StatusCode::NOT_FOUND, "contact_not_found");
    let answer = cro(&other, Method::GET, &w.path(), Some(&other_tenant), None).await;
    error(&answer, StatusCode::NOT_FOUND, "contact_not_found");

    // A bad or missing token.
    let anonymous = &w.app.api;
    let answer = cro(
        anonymous,
        Method::PATCH,
        &w.path(),
        Some(&w.tenant),
        Some(change),
    )
    .await;
    error(&answer, StatusCode::UNAUTHORIZED, "token_missing");
    let long = w.app.with_token(&format!("a.{}", "b".repeat(260)));
    let answer = cro(&long, Method::GET, &w.path(), Some(&w.tenant), None).await;
    assert_eq!(answer.0, StatusCode::UNAUTHORIZED, "{}", answer.2);

    assert_eq!(w.read().await, before);

    // The dispatcher may write.
    let (status, _, body) = cro(
        &dispatcher,
        Method::PATCH,
        &w.path(),
        Some(&w.tenant),
        Some(change),
    )
    .await;
    assert_eq!(
        (status, body["email"].as_str()),
        (StatusCode::OK, Some("changed@x.com"))
    );
}

async fn a_browser_s_preflight_gets_the_cors_headers_without_credentials(app: TestApp) {
    let w = World::new(app).await;
    let anonymous = TestClient::new(&w.app.address);
    for (path, allow) in [
        (w.path(), "GET,PATCH"),
        (format!("{}/", w.path()), "GET,PATCH"),
        (format!("/customers/{}/contacts", w.customer), "GET,POST"),
        ("/tenants".to_owned(), "GET"),
    ] {
        let request = anonymous
            .request(Method::OPTIONS, &path)
            .header("Origin", "https://dispatch.example")
            .header("Access-Control-Request-Method", "PATCH")
            .header(
                "Access-Control-Request-Headers",
                "authorization, x-tenant-id, content-type",
            );
        let (status, headers, body) = anonymous.send(request).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{path}: {body}");
        assert_eq!(body, Value::Null, "{path}");
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert_eq!(headers["access-control-allow-methods"], allow);
        assert_eq!(
            headers["access-control-allow-headers"],
            "Authorization, Accept, X-TENANT-ID, Content-Type"
        );
    }
}

async fn requests_are_checked_and_other_methods_get_405_with_allow(app: TestApp) {
    let w = World::new(app).await;
    let before = w.read().await;
    for (method, path, allow) in [
        (Method::DELETE, w.path(), "GET,PATCH"),
        (Method::PUT, format!("{}/", w.path()), "GET,PATCH"),
        (Method::POST, w.path(), "GET,PATCH"),
        (
            Method::DELETE,
            format!("/customers/{}/contacts", w.customer),
            "GET,POST",
        ),
        (Method::POST, "/tenants".to_owned(), "GET"),
    ] {
        let answer = cro(&w.admin, method, &path, Some(&w.tenant), None).await;
        error(
            &answer,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        );
        assert_eq!(answer.1.get("allow").unwrap(), allow);
    }
    let request = w
        .admin
        .request(Method::PATCH, &w.path())
        .header("x-tenant-id", &w.tenant)
        .header("Content-Type", "text/plain")
        .body(r#"{"email": "x@y.com"}"#);
    let answer = w.admin.send(request).await;
    error(
        &answer,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    // Content-Type may be left out: it defaults to application/json.
    let request = w
        .admin
        .request(Method::PATCH, &w.path())
        .header("x-tenant-id", &w.tenant)
        .body(r#"{"notify_on_failed_request": "True"}"#);
    let (status, _, body) = w.admin.send(request).await;
    assert_eq!(
        (status, &body["notify_on_failed_request"]),
        (StatusCode::OK, &json!(true))
    );

    error(
        &w.patch("{nope").await,
        StatusCode::BAD_REQUEST,
        "invalid_json",
    );
    error(
        &w.patch("[]").await,
        StatusCode::BAD_REQUEST,
        "invalid_json",
    );
    let answer = w.patch(r#"{"id": 5}"#).await;
    assert_eq!(
        error(&answer, StatusCode::BAD_REQUEST, "unknown_member")["field"],
        "id"
    );
    let answer = w.patch(r#"{"name": 5}"#).await;
    error(&answer, StatusCode::BAD_REQUEST, "invalid_type");
    let answer = cro(
        &w.admin,
        Method::GET,
        &format!("/customers/{}/contacts/x", w.customer),
        Some(&w.tenant),
        None,
    )
    .await;
    assert_eq!(
        error(&answer, StatusCode::BAD_REQUEST, "invalid_path")["field"],
        "customer_contact_id"
    );

    // x-api-version: echoed when documented, refused otherwise.
    let request = w
        .admin
        .request(Method::GET, &w.path())
        .header("x-tenant-id", &w.tenant)
        .header("x-api-version", "2019/02/08");
    let (status, headers, _) = w.admin.send(request).await;
    assert_eq!(
        (
            status,
            headers.get("x-api-version").unwrap().to_str().unwrap()
        ),
        (StatusCode::OK, "2019/02/08")
    );
    let request = w
        .admin
        .request(Method::GET, &w.path())
        .header("x-tenant-id", &w.tenant)
        .header("x-api-version", "2020/01/01");
    let answer = w.admin.send(request).await;
    error(&answer, StatusCode::BAD_REQUEST, "invalid_api_version");

    let mut after = w.read().await;
    after["notify_on_failed_request"] = false.into();
    assert_eq!(after, before);
}

async fn siblings_create_get_list_and_tenants(app: TestApp) {
    let w = World::new(app).await;
    let collection = format!("/customers/{}/contacts", w.customer);
    let (status, headers, created) = cro(
        &w.admin,
        Method::POST,
        &collection,
        Some(&w.tenant),
        Some(r#"{"name": "George", "notify_on_new_request": "TRUE"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(headers.get("allow").unwrap(), "GET,POST");
    assert_eq!(
        created,
        json!({"email": null, "fax": null, "id": created["id"], "name": "George",
            "notify_on_acknowledged_request": false, "notify_on_completed_request": false,
            "notify_on_dispatched_request": false, "notify_on_failed_request": false,
            "notify_on_new_request": true, "number": null})
    );
    let answer = cro(
        &w.admin,
        Method::POST,
        "/customers/999999/contacts",
        Some(&w.tenant),
        Some(r#"{"name": "X"}"#),
    )
    .await;
    error(&answer, StatusCode::NOT_FOUND, "customer_not_found");

    let (status, _, first) = cro(
        &w.admin,
        Method::GET,
        &format!("{collection}/?limit=1"),
        Some(&w.tenant),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    assert_eq!(first["items"][0]["id"], w.contact);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, _, second) = cro(
        &w.admin,
        Method::GET,
        &format!("{collection}?limit=1&cursor={cursor}"),
        Some(&w.tenant),
        None,
    )
    .await;
    assert_eq!(second["items"], json!([created]));
    assert_eq!(second["next_cursor"], Value::Null);
    let answer = cro(
        &w.admin,
        Method::GET,
        &format!("{collection}?limit=201"),
        Some(&w.tenant),
        None,
    )
    .await;
    error(&answer, StatusCode::BAD_REQUEST, "out_of_range");
    let answer = cro(
        &w.admin,
        Method::GET,
        &format!("{collection}?page=2"),
        Some(&w.tenant),
        None,
    )
    .await;
    error(&answer, StatusCode::BAD_REQUEST, "unknown_parameter");

    let (status, headers, tenants) = cro(&w.admin, Method::GET, "/tenants/", None, None).await;
    assert_eq!(status, StatusCode::OK, "{tenants}");
    assert_eq!(headers.get("allow").unwrap(), "GET");
    assert_eq!(
        tenants,
        json!([{"id": w.tenant.parse::<i64>().unwrap(), "code": "DEFAULT", "name": tenants[0]["name"], "role": "admin"}])
    );
    let answer = cro(&w.app.api, Method::GET, "/tenants", None, None).await;
    error(&answer, StatusCode::UNAUTHORIZED, "token_missing");
}

app_tests!(
    the_seed_example_as_printed_updates_the_email_and_returns_the_model,
    members_map_onto_the_contact_and_only_those_sent_change,
    every_constraint_is_enforced_at_its_boundaries,
    booleans_take_each_documented_spelling,
    roles_and_tenants_are_enforced_and_refusals_change_nothing,
    requests_are_checked_and_other_methods_get_405_with_allow,
    a_browser_s_preflight_gets_the_cors_headers_without_credentials,
    siblings_create_get_list_and_tenants,
);
