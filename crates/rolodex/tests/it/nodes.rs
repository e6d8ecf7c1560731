//! Several nodes on one PostgreSQL database, as behind a load balancer: what one node issues or
//! records (tokens, versions, login failures, idempotency keys) holds on every other, and
//! concurrent `If-Match` writers through both nodes lose no acknowledged update.

use crate::support::{ADMIN_PASSWORD, TestApp, TestClient};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Two nodes on one new PostgreSQL database, or `None` when it cannot be reached (skipped).
async fn two_nodes() -> Option<(TestApp, TestApp)> {
    let a = TestApp::spawn_postgres().await?;
    let b = a.another_node().await;
    Some((a, b))
}

async fn new_contact(api: &TestClient, code: &str) -> String {
    let customer = api
        .post("/v1/customers", json!({"code": code}), StatusCode::CREATED)
        .await["id"]
        .clone();
    let contact = api
        .post(
            &format!("/v1/customers/{customer}/contacts"),
            json!({"last_name": "Shared"}),
            StatusCode::CREATED,
        )
        .await;
    format!("/v1/customers/{customer}/contacts/{}", contact["id"])
}

/// The `ETag` of a GET of `url`.
async fn etag(api: &TestClient, url: &str) -> String {
    let (status, headers, body) = api.send(api.request(Method::GET, url)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    headers["etag"].to_str().expect("an ASCII ETag").to_owned()
}

fn patch(api: &TestClient, url: &str, etag: &str, body: &Value) -> reqwest::RequestBuilder {
    api.request(Method::PATCH, url)
        .header("If-Match", etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(body.to_string())
}

#[tokio::test]
async fn two_nodes_starting_together_on_an_empty_database_create_one_admin() {
    let Some((a, b)) = TestApp::spawn_postgres_nodes_together().await else {
        return;
    };
    let admin = b.admin().await;
    let users = admin.get("/v1/users", StatusCode::OK).await;
    assert_eq!(users["items"].as_array().map(Vec::len), Some(1), "{users}");
    let tenants = a.admin().await.get("/v1/tenants", StatusCode::OK).await;
    assert_eq!(
        tenants["items"].as_array().map(Vec::len),
        Some(1),
        "{tenants}"
    );
}

#[tokio::test]
async fn a_token_issued_by_one_node_is_accepted_and_revoked_on_the_other() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let token = a.token("admin", ADMIN_PASSWORD).await;
    let on_b = b.with_token(&token);
    on_b.get("/v1/customers", StatusCode::OK).await;
    on_b.delete("/v1/auth/token", StatusCode::NO_CONTENT).await;
    a.with_token(&token)
        .get("/v1/customers", StatusCode::UNAUTHORIZED)
        .await;
}

/// A node trusts a token it verified for the credential cache's time to live (5 s by
/// default): a revocation made on another node reaches it within that bound.
#[tokio::test]
async fn a_revocation_on_one_node_reaches_the_other_within_the_cache_bound() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let token = a.token("admin", ADMIN_PASSWORD).await;
    let on_b = b.with_token(&token);
    on_b.get("/v1/customers", StatusCode::OK).await;
    a.with_token(&token)
        .delete("/v1/auth/token", StatusCode::NO_CONTENT)
        .await;
    let revoked = std::time::Instant::now();
    loop {
        let (status, _, _) = on_b.send(on_b.request(Method::GET, "/v1/customers")).await;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(status, StatusCode::OK);
        assert!(
            revoked.elapsed() < std::time::Duration::from_secs(6),
            "node b still accepts the revoked token after the cache bound"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_stale_if_match_is_refused_whichever_node_wrote_last() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let (api_a, api_b) = (a.admin().await, b.admin().await);
    let url = new_contact(&api_a, "STALE").await;
    let read_on_b = etag(&api_b, &url).await;
    let (status, _, _) = api_a
        .send(patch(&api_a, &url, &read_on_b, &json!({"title": "First"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = api_b
        .send(patch(&api_b, &url, &read_on_b, &json!({"title": "Second"})))
        .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    let now = api_b.get(&url, StatusCode::OK).await;
    assert_eq!(
        (now["title"].clone(), now["version"].clone()),
        (json!("First"), json!(2))
    );
}

#[tokio::test]
async fn login_failures_on_both_nodes_add_up_to_one_throttle() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    // Five failures from one client (the configured limit), spread over both nodes.
    for node in [&a, &b, &a, &b, &a] {
        let r = node.login("admin", "wrong-password", None).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    for node in [&b, &a] {
        let r = node.login("admin", ADMIN_PASSWORD, None).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers().get("retry-after").is_some());
    }
}

#[tokio::test]
async fn an_idempotency_key_replays_on_the_other_node_and_creates_nothing_more() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let token = a.token("admin", ADMIN_PASSWORD).await;
    let (api_a, api_b) = (a.with_token(&token), b.with_token(&token));
    let post = |api: &TestClient, code: &str| {
        api.request(Method::POST, "/v1/customers")
            .header("Idempotency-Key", "create-once")
            .json(&json!({"code": code}))
    };
    let (s1, _, first) = api_a.send(post(&api_a, "ONCE")).await;
    let (s2, h2, second) = api_b.send(post(&api_b, "ONCE")).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first, second);
    assert_eq!(h2["idempotent-replayed"], "true");
    let (s3, _, other) = api_b.send(post(&api_b, "OTHER")).await;
    assert_eq!(s3, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other["code"], "idempotency_key_reused");
    let list = api_a.get("/v1/customers", StatusCode::OK).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
}

/// What one writer saw: the titles its landed writes set, with the version each produced.
async fn write_titles(
    api: TestClient,
    url: String,
    writer: String,
    attempts: usize,
) -> Vec<(i64, String)> {
    let mut landed = Vec::new();
    for attempt in 0..attempts {
        let title = format!("{writer}-{attempt}");
        let tag = etag(&api, &url).await;
        let (status, headers, body) = api
            .send(patch(&api, &url, &tag, &json!({"title": title})))
            .await;
        match status {
            StatusCode::OK => {
                assert_eq!(body["title"], title.as_str());
                let version = body["version"].as_i64().expect("a version");
                assert_eq!(headers["etag"], format!("\"{version}\"").as_str());
                landed.push((version, title));
            }
            StatusCode::PRECONDITION_FAILED => {}
            other => panic!("a write through {writer} answered {other}: {body}"),
        }
    }
    landed
}

#[tokio::test]
async fn concurrent_if_match_writers_through_two_nodes_lose_no_acknowledged_update() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let token = a.token("admin", ADMIN_PASSWORD).await;
    let url = new_contact(&a.with_token(&token), "RACE").await;
    let writers: Vec<_> = (0..8)
        .map(|i| {
            let node = if i % 2 == 0 { &a } else { &b };
            let api = node.with_token(&token);
            tokio::spawn(write_titles(api, url.clone(), format!("w{i}"), 12))
        })
        .collect();
    let mut landed = Vec::new();
    for writer in writers {
        landed.extend(writer.await.expect("the writer does not panic"));
    }
    landed.sort();
    assert!(!landed.is_empty(), "some writes land");
    // Each landed write made its own version: 2, 3, ... without a gap or a repeat.
    let versions: Vec<i64> = landed.iter().map(|(v, _)| *v).collect();
    let expected: Vec<i64> = (2..).take(landed.len()).collect();
    assert_eq!(versions, expected);

    let api = b.with_token(&token);
    let history = api
        .get(&format!("{url}/history?limit=200"), StatusCode::OK)
        .await;
    let updates: Vec<(i64, String)> = history["items"]
        .as_array()
        .expect("history items")
        .iter()
        .filter(|e| e["change"] == "update")
        .map(|e| {
            let change = e["changes"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["field"] == "title"))
                .expect("each update changed the title");
            (
                e["version"].as_i64().expect("a version"),
                change["new"].as_str().expect("a title").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        updates, landed,
        "the history lists exactly the landed writes"
    );
    let titles: BTreeSet<&str> = landed.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(titles.len(), landed.len());
    let last = landed.last().expect("one landed");
    let now = api.get(&url, StatusCode::OK).await;
    assert_eq!(now["title"], last.1.as_str());
    assert_eq!(now["version"], last.0);
}

#[tokio::test]
async fn an_import_job_of_one_node_is_followed_on_the_other_to_its_report() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let (api_a, api_b) = (a.admin().await, b.admin().await);
    api_a
        .post(
            "/v1/customers",
            json!({"code": "NODES"}),
            StatusCode::CREATED,
        )
        .await;
    let file = "external_id,last_name\nX1,Lovelace\nX2,Hopper\n";
    let request = api_a
        .request(Method::POST, "/v1/imports?customer=NODES")
        .header("Content-Type", "text/csv")
        .header("Prefer", "respond-async")
        .body(file);
    let (status, headers, job) = api_a.send(request).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let location = headers["location"].to_str().expect("ASCII");
    let job = crate::import_export::ended(&api_b, location).await;
    assert_eq!(
        (job["status"].clone(), job["created"].clone()),
        (json!("completed"), json!(2)),
        "{job}"
    );
    let report = api_b
        .get(job["report"].as_str().expect("a report"), StatusCode::OK)
        .await;
    assert_eq!(report["report"][1]["outcome"], "created");
}
