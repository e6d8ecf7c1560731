//! The operator's commands (`tenant`, `user`, `api-key`, `migrate`, `copy`), run through the
//! built executable on a temporary database, and their effect seen over HTTP.

use crate::support::{Cli, TestApp};
use reqwest::StatusCode;
use rolodex_store::scratch::ScratchDatabase;
use serde_json::json;

const ALICE_PASSWORD: &str = "alice-password-1";

/// A database holding tenant ACME and its dispatcher alice.
async fn acme_with_alice() -> Cli {
    let cli = Cli::new();
    cli.ok(&["tenant", "add", "acme", "--name", "Acme Corp"], None)
        .await;
    cli.ok(
        &[
            "user",
            "add",
            "alice",
            "--tenant",
            "acme",
            "--role",
            "dispatcher",
        ],
        Some(&format!("{ALICE_PASSWORD}\n")),
    )
    .await;
    cli
}

#[tokio::test]
async fn tenant_add_then_list_shows_the_tenant_with_its_upper_cased_code() {
    let cli = Cli::new();
    let out = cli
        .ok(&["tenant", "add", "acme", "--name", "Acme Corp"], None)
        .await;
    assert!(out.contains("Created tenant ACME"), "{out}");
    cli.ok(&["tenant", "add", "globex"], None).await;

    let list = cli.ok(&["tenant", "list"], None).await;
    let acme = list
        .lines()
        .find(|l| l.contains("ACME"))
        .expect("ACME is listed");
    assert!(acme.contains("Acme Corp"), "{list}");
    assert!(list.lines().any(|l| l.contains("GLOBEX")), "{list}");
}

#[tokio::test]
async fn adding_a_tenant_twice_fails_with_a_clear_message() {
    let cli = Cli::new();
    cli.ok(&["tenant", "add", "acme"], None).await;
    let err = cli.fails(&["tenant", "add", "ACME"], None).await;
    assert!(err.starts_with("error: could not create tenant"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

#[tokio::test]
async fn a_bad_tenant_code_is_rejected() {
    let err = Cli::new()
        .fails(&["tenant", "add", "has space"], None)
        .await;
    assert!(err.contains("must be 1 to 32 letters"), "{err}");
}

#[tokio::test]
async fn a_user_added_with_the_password_on_stdin_can_log_in_over_http() {
    let cli = acme_with_alice().await;
    let list = cli.ok(&["user", "list", "--tenant", "acme"], None).await;
    let alice = list
        .lines()
        .find(|l| l.contains("alice"))
        .expect("alice is listed");
    assert!(
        alice.contains("ACME") && alice.contains("dispatcher"),
        "{list}"
    );

    let app = TestApp::spawn_on(&cli.database_url, cli.dir()).await;
    let token = app.token("alice", ALICE_PASSWORD).await;
    let tenants = app.api.with_token(&token).get("/v1/tenants", 200).await;
    assert_eq!(tenants["items"][0]["code"], "ACME", "{tenants}");
    let wrong = app.login("alice", "not-her-password", None).await;
    assert_eq!(wrong.status(), 401);
}

#[tokio::test]
async fn an_existing_user_joins_a_second_tenant_without_a_new_password() {
    let cli = acme_with_alice().await;
    cli.ok(&["tenant", "add", "globex"], None).await;
    let out = cli
        .ok(
            &[
                "user", "add", "alice", "--tenant", "globex", "--role", "viewer",
            ],
            None,
        )
        .await;
    assert!(out.contains("Added existing user alice"), "{out}");
    let again = cli
        .fails(
            &[
                "user", "add", "alice", "--tenant", "globex", "--role", "admin",
            ],
            None,
        )
        .await;
    assert!(again.contains("already a member"), "{again}");

    let app = TestApp::spawn_on(&cli.database_url, cli.dir()).await;
    // Two tenants: the token names none until the request does.
    let token = app.token("alice", ALICE_PASSWORD).await;
    let alice = app.api.with_token(&token);
    let tenants = alice.get("/v1/tenants", 200).await;
    let roles: Vec<(&str, &str)> = tenants["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| {
            (
                t["code"].as_str().unwrap_or(""),
                t["role"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(roles, [("ACME", "dispatcher"), ("GLOBEX", "viewer")]);
    let unnamed = alice.get("/v1/customers", 403).await;
    assert!(
        unnamed["detail"]
            .as_str()
            .is_some_and(|d| d.contains("X-Tenant-Id")),
        "{unnamed}"
    );
    let globex = tenants["items"][1]["id"].as_i64().expect("id");
    let (status, _, _) = alice
        .send(
            alice
                .request(reqwest::Method::POST, "/v1/customers")
                .header("X-Tenant-Id", globex.to_string())
                .json(&serde_json::json!({"code": "X"})),
        )
        .await;
    assert_eq!(status, 403, "a viewer in GLOBEX");
    let scoped = app.login("alice", ALICE_PASSWORD, Some("acme")).await;
    assert_eq!(scoped.status(), 200);
}

#[tokio::test]
async fn user_list_without_a_tenant_lists_every_tenant() {
    let cli = acme_with_alice().await;
    cli.ok(&["tenant", "add", "globex"], None).await;
    cli.ok(
        &[
            "user",
            "add",
            "bob",
            "--tenant",
            "globex",
            "--role",
            "viewer",
            "--display-name",
            "Bob B",
        ],
        Some("bob-password-1\n"),
    )
    .await;
    let list = cli.ok(&["user", "list"], None).await;
    assert!(
        list.lines()
            .any(|l| l.contains("ACME") && l.contains("alice")),
        "{list}"
    );
    let bob = list
        .lines()
        .find(|l| l.contains("bob"))
        .expect("bob is listed");
    assert!(
        bob.contains("GLOBEX") && bob.contains("viewer") && bob.contains("Bob B"),
        "{list}"
    );
}

#[tokio::test]
async fn user_passwd_replaces_the_password() {
    let cli = acme_with_alice().await;
    let out = cli
        .ok(
            &["user", "passwd", "alice"],
            Some("a-brand-new-password\r\n"),
        )
        .await;
    assert!(out.contains("Changed the password of user alice"), "{out}");

    let app = TestApp::spawn_on(&cli.database_url, cli.dir()).await;
    app.token("alice", "a-brand-new-password").await;
    assert_eq!(app.login("alice", ALICE_PASSWORD, None).await.status(), 401);
}

#[tokio::test]
async fn user_passwd_of_an_unknown_user_fails() {
    let cli = acme_with_alice().await;
    let err = cli
        .fails(&["user", "passwd", "nobody"], Some("whatever-password\n"))
        .await;
    assert!(
        err.contains("could not change the password of user \"nobody\""),
        "{err}"
    );
    assert!(err.contains("not found"), "{err}");
}

#[tokio::test]
async fn an_api_key_created_on_the_command_line_authenticates_over_http() {
    let cli = acme_with_alice().await;
    let out = cli
        .ok(
            &[
                "api-key", "create", "--user", "alice", "--tenant", "acme", "--name", "erp",
            ],
            None,
        )
        .await;
    assert!(out.contains("shown once"), "{out}");
    let secret = out
        .lines()
        .last()
        .expect("the secret is printed")
        .trim()
        .to_owned();
    assert!(secret.starts_with("rdxk."), "{out}");

    let app = TestApp::spawn_on(&cli.database_url, cli.dir()).await;
    let tenants = app.api.with_token(&secret).get("/v1/tenants", 200).await;
    assert_eq!(tenants["items"][0]["code"], "ACME", "{tenants}");

    // The same key is an RpmApiKey, in its tenant.
    let (status, _, answer) = app
        .api
        .send(
            app.api
                .request(reqwest::Method::POST, "/rpm/api2.svc/Customers")
                .header("RpmApiKey", &secret),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        serde_json::json!({"Result": {"Error": {"Message": "No customers"}}})
    );
}

#[tokio::test]
async fn an_api_key_for_someone_outside_the_tenant_is_refused() {
    let cli = acme_with_alice().await;
    cli.ok(&["tenant", "add", "globex"], None).await;
    let err = cli
        .fails(
            &["api-key", "create", "--user", "alice", "--tenant", "globex"],
            None,
        )
        .await;
    assert!(err.contains("not a member of tenant GLOBEX"), "{err}");
}

#[tokio::test]
async fn migrate_brings_a_new_database_up_to_date_and_can_run_again() {
    let cli = Cli::new();
    let out = cli.ok(&["migrate"], None).await;
    assert!(out.contains("latest schema"), "{out}");
    assert!(out.contains(&cli.database_url), "{out}");
    cli.ok(&["migrate"], None).await;
    cli.ok(&["tenant", "list"], None).await;
}

#[tokio::test]
async fn migrate_and_the_operator_commands_work_on_postgres() {
    let Some(database) = ScratchDatabase::create_or_skip().await else {
        return;
    };
    let cli = Cli::on(&database.url);
    let out = cli.ok(&["migrate"], None).await;
    assert!(out.contains("latest schema"), "{out}");
    cli.ok(&["migrate"], None).await;
    cli.ok(&["tenant", "add", "acme"], None).await;
    let err = cli.fails(&["tenant", "add", "ACME"], None).await;
    assert!(err.starts_with("error: could not create tenant"), "{err}");
    let list = cli.ok(&["tenant", "list"], None).await;
    assert!(list.contains("ACME"), "{list}");
}

#[tokio::test]
async fn copy_moves_a_sqlite_database_into_postgres_and_back() {
    let Some(database) = ScratchDatabase::create_or_skip().await else {
        return;
    };
    let cli = acme_with_alice().await;
    let app = TestApp::spawn_on(&cli.database_url, cli.dir()).await;
    let alice = app.login_as("alice", ALICE_PASSWORD).await;
    let customer = alice
        .post(
            "/v1/customers",
            json!({"code": "ABCCORP"}),
            StatusCode::CREATED,
        )
        .await;
    app.stop().await.expect("stops cleanly");

    let out = cli
        .ok(
            &["copy", "--from", &cli.database_url, "--to", &database.url],
            None,
        )
        .await;
    assert!(out.contains("every record compares equal"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("customers") && l.contains(" 1 records")),
        "{out}"
    );

    // The copy serves as the original did: same users, same ids.
    let copied = TestApp::spawn_on(&database.url, cli.dir()).await;
    let alice = copied.login_as("alice", ALICE_PASSWORD).await;
    let url = format!("/v1/customers/{}", customer["id"]);
    assert_eq!(alice.get(&url, StatusCode::OK).await, customer);
    copied.stop().await.expect("stops cleanly");

    let back = format!("sqlite://{}", cli.dir().join("back.db").display());
    let out = cli
        .ok(&["copy", "--from", &database.url, "--to", &back], None)
        .await;
    assert!(out.contains("every record compares equal"), "{out}");
    let err = cli
        .fails(
            &["copy", "--from", &cli.database_url, "--to", &database.url],
            None,
        )
        .await;
    assert!(err.contains("not empty"), "{err}");
}

#[tokio::test]
async fn a_bad_role_is_refused_with_the_valid_roles() {
    let cli = Cli::new();
    cli.ok(&["tenant", "add", "acme"], None).await;
    let err = cli
        .fails(
            &["user", "add", "carol", "--tenant", "acme", "--role", "root"],
            Some("carol-password\n"),
        )
        .await;
    assert!(err.contains("admin, dispatcher, viewer"), "{err}");
}

#[tokio::test]
async fn an_unknown_tenant_is_named_in_the_error() {
    let cli = Cli::new();
    let err = cli
        .fails(
            &[
                "user", "add", "carol", "--tenant", "nope", "--role", "viewer",
            ],
            Some("carol-password\n"),
        )
        .await;
    assert!(err.contains("no tenant with code \"nope\""), "{err}");
    let err = cli.fails(&["user", "list", "--tenant", "nope"], None).await;
    assert!(err.contains("no tenant with code"), "{err}");
}

#[tokio::test]
async fn a_password_that_is_too_short_or_missing_is_refused() {
    let cli = Cli::new();
    cli.ok(&["tenant", "add", "acme"], None).await;
    let add = [
        "user", "add", "carol", "--tenant", "acme", "--role", "viewer",
    ];
    let err = cli.fails(&add, Some("short\n")).await;
    assert!(err.contains("password"), "{err}");
    let err = cli.fails(&add, Some("")).await;
    assert!(err.contains("no password given"), "{err}");
    let list = cli.ok(&["user", "list"], None).await;
    assert!(!list.contains("carol"), "nothing was created: {list}");
}

#[tokio::test]
async fn passwords_are_never_accepted_as_flags() {
    let cli = Cli::new();
    let err = cli
        .fails(&["user", "passwd", "alice", "--password", "x"], None)
        .await;
    assert!(err.contains("--password"), "{err}");
}
