//! What hostile and careless clients did to Rolodex, replayed: accounts shared by tenants,
//! sessions after a password reset, idempotency keys of clients that went away, writers
//! contending for one contact, conditional requests, and links built from `Host`.

use crate::photos::contact;
use crate::support::*;
use reqwest::{Method, StatusCode};
use rolodex_domain::Role;
use serde_json::{Value, json};
use std::time::Duration;

/// The id of member `username` of the caller's tenant.
async fn member_id(admin: &TestClient, username: &str) -> i64 {
    let members = admin.get("/v1/users", StatusCode::OK).await;
    members["items"]
        .as_array()
        .expect("a list of members")
        .iter()
        .find(|m| m["username"] == username)
        .unwrap_or_else(|| panic!("{username} is a member: {members}"))["id"]
        .as_i64()
        .expect("an id")
}

async fn an_admin_of_one_tenant_cannot_take_over_an_account_that_is_in_another(app: TestApp) {
    // `shared` is the admin of tenant BETA, and a dispatcher in DEFAULT.
    let beta_admin = app.admin_of_new_tenant("BETA", "shared").await;
    let default = app
        .services
        .tenants
        .by_code("DEFAULT")
        .await
        .expect("DEFAULT");
    app.services
        .users
        .join(default.id, "shared", Role::Dispatcher)
        .await
        .expect("joined DEFAULT");
    let admin = app.admin().await;
    let user = format!("/v1/users/{}", member_id(&admin, "shared").await);

    for change in [
        json!({"password": "taken-over-password"}),
        json!({"active": false}),
        json!({"display_name": "Mallory"}),
        json!({"role": "viewer", "password": "taken-over-password"}),
    ] {
        admin.patch(&user, &change, StatusCode::FORBIDDEN).await;
    }
    // The account is as it was: its password works, BETA keeps its admin, and the refused
    // call with a role changed nothing either.
    let r = app
        .login("shared", "taken-over-password", Some("BETA"))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.login_as("shared", "shared-password").await;
    beta_admin.get("/v1/users", StatusCode::OK).await;
    assert_eq!(admin.get(&user, StatusCode::OK).await["role"], "dispatcher");

    // What DEFAULT's admin does manage: the membership in DEFAULT.
    admin
        .patch(&user, &json!({"role": "viewer"}), StatusCode::OK)
        .await;
    admin.delete(&user, StatusCode::NO_CONTENT).await;
    beta_admin.get("/v1/users", StatusCode::OK).await;

    // An admin of every tenant the account belongs to may reset its password.
    let beta = app.services.tenants.by_code("BETA").await.expect("BETA");
    app.services
        .users
        .join(beta.id, "admin", Role::Admin)
        .await
        .expect("admin joins BETA");
    let admin_in_beta = admin.with_token(&admin.token);
    let shared_in_beta = format!("{}", member_id(&beta_admin, "shared").await);
    let request = admin_in_beta
        .request(Method::PATCH, &format!("/v1/users/{shared_in_beta}"))
        .header("X-Tenant-Id", beta.id.0.to_string())
        .json(&json!({"password": "reset-by-both-admins"}));
    let (status, _, body) = admin_in_beta.send(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.login_as("shared", "reset-by-both-admins").await;
}

async fn creating_a_user_reveals_nothing_about_other_tenants_users(app: TestApp) {
    // `carol` is the admin of tenant BETA; DEFAULT's admin knows nothing of her.
    app.admin_of_new_tenant("BETA", "carol").await;
    let admin = app.admin().await;
    let created = admin
        .post(
            "/v1/users",
            &json!({"username": "Carol", "password": "carol-of-default", "role": "viewer"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(created["username"], "carol");
    // Within one tenant a username is still taken once, whatever its case.
    let body = admin
        .call(
            Method::POST,
            "/v1/users",
            Some(&json!({"username": "CAROL", "password": "another-password", "role": "viewer"})),
            StatusCode::CONFLICT,
        )
        .await;
    assert_eq!(body["code"], "duplicate_username");

    // Two accounts now share the name. The password picks one; a tenant picks its member.
    let r = app.login("carol", "carol-password", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.expect("JSON");
    let beta = app.services.tenants.by_code("BETA").await.expect("BETA");
    assert_eq!(body["tenant_id"], beta.id.0, "{body}");
    let r = app
        .login("carol", "carol-of-default", Some("DEFAULT"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.login("carol", "carol-password", Some("DEFAULT")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The accounts are separate: DEFAULT's carol changes nothing of BETA's.
    let default_carol = format!("/v1/users/{}", member_id(&admin, "carol").await);
    admin
        .patch(
            &default_carol,
            &json!({"password": "carol-password"}),
            StatusCode::OK,
        )
        .await;
    // Now one password fits both accounts: the login must name the tenant.
    let r = app.login("carol", "carol-password", None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.expect("JSON");
    assert_eq!(body["code"], "tenant_required", "{body}");
    let r = app.login("carol", "carol-password", Some("beta")).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn a_password_reset_or_a_deactivation_ends_the_account_s_sessions(app: TestApp) {
    let admin = app.admin().await;
    let dora = app.member("dora", "dispatcher").await;
    let key = dora
        .post("/v1/api-keys", json!({"name": "sync"}), StatusCode::CREATED)
        .await["key"]
        .as_str()
        .expect("a key")
        .to_owned();
    let user = format!("/v1/users/{}", member_id(&admin, "dora").await);
    dora.get("/v1/customers", StatusCode::OK).await;

    admin
        .patch(
            &user,
            &json!({"password": "a-new-password-1"}),
            StatusCode::OK,
        )
        .await;
    dora.get("/v1/customers", StatusCode::UNAUTHORIZED).await;
    let again = app.login_as("dora", "a-new-password-1").await;
    again.get("/v1/customers", StatusCode::OK).await;

    admin
        .patch(&user, &json!({"active": false}), StatusCode::OK)
        .await;
    again.get("/v1/customers", StatusCode::UNAUTHORIZED).await;
    admin
        .patch(&user, &json!({"active": true}), StatusCode::OK)
        .await;
    again.get("/v1/customers", StatusCode::UNAUTHORIZED).await;
    // A machine's key is not a session: it works again with the account.
    app.with_token(&key)
        .get("/v1/customers", StatusCode::OK)
        .await;

    // The operator's reset ends sessions too.
    let third = app.login_as("dora", "a-new-password-1").await;
    app.services
        .users
        .set_password("dora", None, "set-by-the-operator".into())
        .await
        .expect("reset");
    third.get("/v1/customers", StatusCode::UNAUTHORIZED).await;
}

async fn a_client_that_goes_away_never_strands_its_idempotency_key(app: TestApp) {
    let admin = app.admin().await;
    // Creating a user hashes its password, long enough for a client to give up meanwhile.
    let new_user = |i: usize| {
        admin
            .request(Method::POST, "/v1/users")
            .header("Idempotency-Key", format!("abandoned-{i}"))
            .json(&json!({"username": format!("gone{i}"), "password": "a-long-password", "role": "viewer"}))
    };
    let attempts = 24;
    // Each first attempt is given up after a different short while: some before the key is
    // claimed, some while the request runs, some after it answered.
    let first = (0..attempts).map(|i| {
        let request = new_user(i);
        let patience = Duration::from_millis(2 * i as u64);
        async move {
            let _ = tokio::time::timeout(patience, request.send()).await;
        }
    });
    futures::future::join_all(first).await;

    for i in 0..attempts {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let (status, _, body) = admin.send(new_user(i)).await;
            if status == StatusCode::CREATED {
                assert_eq!(body["username"], format!("gone{i}"));
                break;
            }
            assert_eq!(status, StatusCode::CONFLICT, "attempt {i}: {body}");
            assert_eq!(
                body["code"], "idempotency_key_in_use",
                "attempt {i}: {body}"
            );
            assert!(
                tokio::time::Instant::now() < deadline,
                "key {i} is still in use long after its client went away"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn concurrent_patches_without_if_match_are_all_applied(app: TestApp) {
    let api = app.admin().await;
    let contact = contact(&api).await;
    let writers = 48;
    let patches = (0..writers).map(|i| {
        let api = api.clone();
        let contact = contact.clone();
        async move {
            let request = api
                .request(Method::PATCH, &contact)
                .header("Content-Type", "application/merge-patch+json")
                .body(json!({"title": format!("title {i}")}).to_string());
            api.send(request).await
        }
    });
    let answers = futures::future::join_all(patches).await;
    for (status, _, body) in &answers {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    let current = api.get(&contact, StatusCode::OK).await;
    assert_eq!(current["version"], 1 + writers);
    let history = api
        .get(&format!("{contact}/history?limit=100"), StatusCode::OK)
        .await;
    assert_eq!(
        history["items"].as_array().map(Vec::len),
        Some(1 + writers as usize)
    );
}

async fn conditional_patches_follow_if_match_and_if_none_match(app: TestApp) {
    let api = app.admin().await;
    let contact = contact(&api).await;
    api.patch(&contact, &json!({"title": "v2"}), StatusCode::OK)
        .await;
    let patch = |headers: Vec<(&'static str, &'static str)>, title: &'static str| {
        let mut request = api
            .request(Method::PATCH, &contact)
            .header("Content-Type", "application/merge-patch+json")
            .body(json!({"title": title}).to_string());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let api = api.clone();
        async move {
            let (status, headers, body) = api.send(request).await;
            (status, headers.get("etag").cloned(), body)
        }
    };
    // Any tag of the list may match (RFC 9110 section 13.1.1); the current one is "2".
    let (status, etag, body) = patch(vec![("If-Match", "\"1\", \"2\"")], "v3").await;
    assert_eq!(
        (status, body["title"].clone()),
        (StatusCode::OK, json!("v3"))
    );
    assert_eq!(etag.expect("an ETag"), "\"3\"");
    for refused in [
        vec![("If-Match", "\"1\", \"2\"")],
        vec![("If-Match", "W/\"3\"")],
        vec![("If-None-Match", "*")],
        vec![("If-None-Match", "\"1\", W/\"3\"")],
        vec![("If-Match", "\"3\""), ("If-None-Match", "\"3\"")],
    ] {
        let (status, _, body) = patch(refused.clone(), "never").await;
        assert_eq!(
            status,
            StatusCode::PRECONDITION_FAILED,
            "{refused:?}: {body}"
        );
    }
    let (status, _, body) = patch(vec![("If-None-Match", "\"1\", \"2\"")], "v4").await;
    assert_eq!(
        (status, body["title"].clone()),
        (StatusCode::OK, json!("v4"))
    );
    let (status, _, _) = patch(vec![("If-Match", "*")], "v5").await;
    assert_eq!(status, StatusCode::OK);
    let history = api
        .get(&format!("{contact}/history?limit=100"), StatusCode::OK)
        .await;
    let titles: Vec<Value> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .flat_map(|e| e["changes"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["field"] == "title")
        .map(|c| c["new"].clone())
        .collect();
    assert_eq!(titles, [json!("v2"), json!("v3"), json!("v4"), json!("v5")]);
}

async fn valomnia_photo_links_ignore_the_host_the_client_sends(app: TestApp) {
    let w = valomnia::world(app).await;
    let marie = w.marie().await;
    let bytes = images::png(64, 48);
    let path = format!("{}/photo", w.native_url(&marie));
    let request = w
        .native
        .request(Method::PUT, &path)
        .header("Content-Type", "image/png")
        .body(bytes);
    let (status, _, body) = w.native.send(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let request =
        w.v.request(
            Method::GET,
            &format!("{}/contacts/{}", valomnia::V, marie["id"]),
        )
        .header("Host", "attacker.example")
        .header("X-Forwarded-Proto", "javascript");
    let (status, shown) = w.v.json(request).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    let photo = shown["photo"].as_str().expect("a photo URL");
    assert!(photo.starts_with(&format!("{}/", w.app.address)), "{photo}");
}

/// Concurrent uploads of a small photo that decodes to 64 MB of pixels take memory for as
/// many decodes as the machine has cores, not for every upload at once.
#[tokio::test]
async fn concurrent_photo_decodes_hold_bounded_memory() {
    let cli = Cli::new();
    let server = cli
        .serve(
            &[],
            &[
                ("ROLODEX_ADMIN_PASSWORD", ADMIN_PASSWORD),
                // Uploads queue for the decodes: on a busy machine the last waits long.
                ("ROLODEX_REQUEST_TIMEOUT_SECS", "300"),
            ],
        )
        .await;
    let api = TestClient::new(&server.address);
    let token = api
        .post(
            "/v1/auth/token",
            json!({"username": "admin", "password": ADMIN_PASSWORD}),
            StatusCode::OK,
        )
        .await["access_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let api = api.with_token(&token);
    let contact = contact(&api).await;
    let upload = images::dense_png();
    assert!(upload.len() < 1_000_000, "{} bytes", upload.len());
    let before = server.peak_memory();
    let uploads = 8;
    let puts = (0..uploads).map(|_| {
        let request = api
            .request(Method::PUT, &format!("{contact}/photo"))
            .header("Content-Type", "image/png")
            .body(upload.clone());
        api.send(request)
    });
    for (status, _, body) in futures::future::join_all(puts).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let grown = server.peak_memory().saturating_sub(before);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    // A decode holds its 64 MB of pixels and a few smaller copies; all at once would be
    // well over 8 x 64 MB.
    let bound = 160 * 1024 * 1024 * cores.min(uploads) as u64;
    assert!(
        grown < bound,
        "{uploads} concurrent uploads took {} MB (bound {} MB)",
        grown >> 20,
        bound >> 20
    );
    server.terminate().await;
}

async fn photo_files_a_dead_process_left_behind_are_removed(app: TestApp) {
    let api = app.admin().await;
    let contact = contact(&api).await;
    let request = api
        .request(Method::PUT, &format!("{contact}/photo"))
        .header("Content-Type", "image/png")
        .body(images::png(64, 48));
    let (status, _, body) = api.send(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let kept = app.media_files();
    assert_eq!(kept.len(), 3, "{kept:?}");
    // A process that died between storing a photo's files and writing its contact left
    // these: two hours old, and one being written right now.
    let folder = std::path::Path::new(&kept[0]).parent().expect("a folder");
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let old = format!("{}_00000000deadbeef.png", now - 2 * 3600 * 1000);
    let fresh = format!("{now}_00000000cafebabe.png");
    for name in [
        old.clone(),
        format!("small_{old}"),
        format!("medium_{old}"),
        fresh.clone(),
    ] {
        std::fs::write(app.media_dir.join(folder).join(name), b"png").expect("written");
    }
    // The upkeep of a node starting on this database takes the old orphans only.
    let node = app.another_node().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let expected: Vec<String> = {
        let mut files = kept.clone();
        files.push(folder.join(&fresh).to_string_lossy().into_owned());
        files.sort();
        files
    };
    while app.media_files() != expected {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?} is not {expected:?}",
            app.media_files()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    api.get(&format!("{contact}/photo"), StatusCode::OK).await;
    drop(node);
}

app_tests!(
    photo_files_a_dead_process_left_behind_are_removed,
    an_admin_of_one_tenant_cannot_take_over_an_account_that_is_in_another,
    creating_a_user_reveals_nothing_about_other_tenants_users,
    a_password_reset_or_a_deactivation_ends_the_account_s_sessions,
    a_client_that_goes_away_never_strands_its_idempotency_key,
    concurrent_patches_without_if_match_are_all_applied,
    conditional_patches_follow_if_match_and_if_none_match,
    valomnia_photo_links_ignore_the_host_the_client_sends,
);
