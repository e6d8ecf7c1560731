//! `rolodex serve` and the in-process application: the first start, configuration,
//! health and metrics, and shutdown.

use crate::support::{ADMIN_PASSWORD, Cli, TestApp, TestClient};
use serde_json::json;

fn password_in(printed: &[String]) -> Option<String> {
    printed.iter().find_map(|line| {
        let rest = line.split_once("with password: ")?.1;
        Some(rest.split_whitespace().next()?.to_owned())
    })
}

#[tokio::test]
async fn the_first_start_prints_a_generated_admin_password_once_and_it_works() {
    let cli = Cli::new();
    let server = cli.serve(&[], &[]).await;
    let line = server
        .printed
        .iter()
        .find(|l| l.starts_with("Created tenant DEFAULT and user admin with password: "))
        .unwrap_or_else(|| panic!("the password line is printed: {:?}", server.printed));
    assert!(
        line.contains("shown once") && line.contains("rolodex user passwd admin"),
        "{line}"
    );
    let password = password_in(&server.printed).expect("a password");
    assert_eq!(password.len(), 24, "{password}");

    let response = reqwest::Client::new()
        .post(format!("{}/v1/auth/token", server.address))
        .json(&json!({ "username": "admin", "password": password, "tenant": "default" }))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200);
    // The login's token went through the writer, which reports its work.
    let metrics = TestClient::new(&server.address).get("/metrics", 200).await;
    let metrics = metrics.as_str().expect("Prometheus text");
    for name in [
        "store_writer_jobs_total",
        "store_writer_commits_total",
        "store_writer_batch_size",
        "store_writer_queue_wait_seconds",
        "store_writer_commit_seconds",
    ] {
        assert!(metrics.contains(name), "{name} in {metrics}");
    }
    let (clean, rest) = server.terminate().await;
    assert!(clean, "SIGTERM stops the server cleanly");
    assert!(password_in(&rest).is_none(), "{rest:?}");

    let again = cli.serve(&[], &[]).await;
    assert!(
        again.printed.iter().all(|l| !l.contains("password")),
        "the second start prints no password: {:?}",
        again.printed
    );
    let (clean, rest) = again.terminate().await;
    assert!(clean);
    assert!(rest.iter().all(|l| !l.contains("password")), "{rest:?}");
}

#[tokio::test]
async fn rolodex_admin_password_sets_the_first_admin_password() {
    let cli = Cli::new();
    let server = cli
        .serve(&[], &[("ROLODEX_ADMIN_PASSWORD", "chosen-by-the-operator")])
        .await;
    assert!(
        password_in(&server.printed).is_none(),
        "{:?}",
        server.printed
    );
    assert!(
        server
            .printed
            .iter()
            .any(|l| l.contains("configured password")),
        "{:?}",
        server.printed
    );
    let token = reqwest::Client::new()
        .post(format!("{}/v1/auth/token", server.address))
        .json(&json!({ "username": "admin", "password": "chosen-by-the-operator" }))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(token.status(), 200);
    assert!(server.terminate().await.0);
}

#[tokio::test]
async fn serve_creates_the_media_folder_and_honours_the_config_file() {
    let cli = Cli::new();
    let config = cli.dir().join("rolodex.toml");
    std::fs::write(
        &config,
        "media_dir = \"from-file\"\nlisten = \"127.0.0.1:1\"\n",
    )
    .unwrap();
    // The file's `listen` is overridden by the flag `serve` passes; its media_dir is used.
    let server = cli
        .serve(&["--config", config.to_str().unwrap()], &[])
        .await;
    assert!(cli.dir().join("from-file").is_dir());
    assert!(server.terminate().await.0);

    let server = cli
        .serve(
            &["--media-dir", "from-flag"],
            &[("ROLODEX_MEDIA_DIR", "from-env")],
        )
        .await;
    assert!(cli.dir().join("from-flag").is_dir());
    assert!(!cli.dir().join("from-env").exists());
    assert!(server.terminate().await.0);
}

#[tokio::test]
async fn an_invalid_configuration_stops_serve_with_a_clear_message() {
    let cli = Cli::new();
    let run = cli
        .run_with(
            &["serve", "--listen", "nowhere"],
            None,
            &[("ROLODEX_SESSION_TTL_SECS", "0")],
        )
        .await;
    assert!(!run.success);
    assert!(
        run.stderr.contains("listen: \"nowhere\" is not an address"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("session_ttl_secs: must be greater than 0"),
        "{}",
        run.stderr
    );
    let run = cli
        .run_with(&["serve", "--config", "missing.toml"], None, &[])
        .await;
    assert!(!run.success);
    assert!(
        run.stderr.contains("missing.toml does not exist"),
        "{}",
        run.stderr
    );
}

async fn the_test_app_serves_health_metrics_and_logs_in_its_admin(app: TestApp) {
    let health = app.api.get("/healthz", 200).await;
    assert_eq!(health["status"], "ok");
    let admin = app.admin().await;
    let tenants = admin.get("/v1/tenants", 200).await;
    assert_eq!(tenants["items"][0]["code"], "DEFAULT", "{tenants}");
    let metrics = TestClient::new(&app.address).get("/metrics", 200).await;
    assert!(metrics.is_string(), "metrics are Prometheus text");
    app.stop().await.expect("a clean stop");
}

async fn the_test_app_exposes_the_services_it_serves(app: TestApp) {
    let tenant = app
        .services
        .tenants
        .create("acme", Some("Acme"))
        .await
        .unwrap();
    assert_eq!(tenant.code.as_str(), "ACME");
    let tenants = app.services.tenants.list_all().await.unwrap();
    assert_eq!(tenants.len(), 2);
    // The admin's token is bound to DEFAULT; the password is the harness's.
    assert_eq!(
        app.login("admin", ADMIN_PASSWORD, Some("DEFAULT"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn writes_acknowledged_before_a_stop_are_there_after_a_restart() {
    let cli = Cli::new();
    let app = TestApp::spawn_on(&cli.database_url, cli.dir()).await;
    let admin = app.admin().await;
    admin
        .post(
            "/v1/customers",
            &json!({ "code": "ABCCORP", "name": "ABC Corp" }),
            201,
        )
        .await;
    app.stop().await.expect("a clean stop");

    let app = TestApp::spawn_on(&cli.database_url, cli.dir()).await;
    let customers = app.admin().await.get("/v1/customers", 200).await;
    assert_eq!(customers["items"][0]["code"], "ABCCORP", "{customers}");
}

app_tests!(
    the_test_app_serves_health_metrics_and_logs_in_its_admin,
    the_test_app_exposes_the_services_it_serves,
);
