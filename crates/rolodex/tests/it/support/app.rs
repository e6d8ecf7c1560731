//! [`TestApp`]: the real application, built as `rolodex serve` builds it, on a free port and a
//! fresh database (a temporary SQLite file, or a PostgreSQL database of its own), served on a
//! task of the test's runtime.

use super::client::TestClient;
use rolodex::config::{Config, DatabaseUrl};
use rolodex::startup::Application;
use rolodex_core::Services;
use rolodex_core::users::NewUser;
use rolodex_domain::{Role, TenantId};
use rolodex_store::scratch::ScratchDatabase;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The password of `admin` in tenant `DEFAULT`, created on the first start.
pub const ADMIN_PASSWORD: &str = "admin-test-password";

/// A running application. Dropping it stops the server abruptly; [`TestApp::stop`] stops it
/// the way SIGTERM does.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub address: String,
    pub port: u16,
    /// The database the application uses, for the executable to share.
    pub database_url: String,
    /// The folder holding the media folder.
    pub media_root: std::path::PathBuf,
    /// The folder photo files are stored in.
    pub media_dir: PathBuf,
    /// The use cases the application serves, to arrange data without HTTP.
    pub services: Services,
    /// A client without credentials.
    pub api: TestClient,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
    _dir: Option<TempDir>,
    // Last: the database is dropped after the server has stopped using it.
    _database: Option<Arc<ScratchDatabase>>,
}

impl TestApp {
    /// A new application on a new, empty database: it holds tenant `DEFAULT` and its `admin`
    /// (password [`ADMIN_PASSWORD`]).
    pub async fn spawn() -> TestApp {
        let dir = tempfile::tempdir().expect("a temporary folder can be created");
        let database_url = database_url_in(dir.path());
        let root = dir.path().to_owned();
        Self::start(&database_url, &root, Some(dir), |_| {}).await
    }

    /// A new application as [`TestApp::spawn`], with its configuration changed by `configure`.
    pub async fn spawn_configured(configure: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("a temporary folder can be created");
        let database_url = database_url_in(dir.path());
        let root = dir.path().to_owned();
        Self::start(&database_url, &root, Some(dir), configure).await
    }

    /// A new application on a new, empty PostgreSQL database (dropped with the application and
    /// every other node on it), or `None` when the test server cannot be reached outside CI.
    pub async fn spawn_postgres() -> Option<TestApp> {
        Self::spawn_postgres_configured(|_| {}).await
    }

    /// A new application as [`TestApp::spawn_postgres`], with its configuration changed by
    /// `configure`.
    pub async fn spawn_postgres_configured(configure: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let database = ScratchDatabase::create_or_skip().await?;
        let dir = tempfile::tempdir().expect("a temporary folder can be created");
        let root = dir.path().to_owned();
        let url = database.url.clone();
        let mut app = Self::start(&url, &root, Some(dir), configure).await;
        app._database = Some(Arc::new(database));
        Some(app)
    }

    /// Two nodes started at the same time on one new, empty PostgreSQL database (both try to
    /// create the first tenant and admin), or `None` when the test server cannot be reached.
    pub async fn spawn_postgres_nodes_together() -> Option<(TestApp, TestApp)> {
        let database = Arc::new(ScratchDatabase::create_or_skip().await?);
        let dir = tempfile::tempdir().expect("a temporary folder can be created");
        let root = dir.path().to_owned();
        let (mut a, mut b) = tokio::join!(
            Self::start(&database.url, &root, Some(dir), |_| {}),
            Self::start(&database.url, &root, None, |_| {})
        );
        a._database = Some(Arc::clone(&database));
        b._database = Some(database);
        Some((a, b))
    }

    /// Another node on this application's database (and media folder), as a second server
    /// behind a load balancer would be.
    pub async fn another_node(&self) -> TestApp {
        let mut node = Self::start(&self.database_url, &self.media_root, None, |_| {}).await;
        node._database.clone_from(&self._database);
        node
    }

    /// A new application whose login tokens expire after `ttl`.
    pub async fn spawn_with_session_ttl(ttl: Duration) -> TestApp {
        Self::spawn_configured(|config| config.session_ttl = ttl).await
    }

    /// An application on an existing database (one the executable prepared); its first
    /// start creates `DEFAULT`/`admin` only when the database has no user yet.
    pub async fn spawn_on(database_url: &str, media_root: &Path) -> TestApp {
        Self::start(database_url, media_root, None, |_| {}).await
    }

    async fn start(
        database_url: &str,
        media_root: &Path,
        dir: Option<TempDir>,
        configure: impl FnOnce(&mut Config),
    ) -> TestApp {
        rolodex::init_test_tracing();
        let mut config = Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: DatabaseUrl::parse(database_url).expect("the test database URL is valid"),
            media_dir: media_root.join("media"),
            admin_password: Some(ADMIN_PASSWORD.into()),
            ..Config::defaults()
        };
        configure(&mut config);
        let app = Application::build(config)
            .await
            .expect("the application builds");
        let port = app.port();
        let services = app.services().clone();
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async {
            let _ = rx.await;
        }));
        let address = format!("http://127.0.0.1:{port}");
        TestApp {
            api: TestClient::new(&address),
            address,
            port,
            database_url: database_url.to_owned(),
            media_root: media_root.to_owned(),
            media_dir: media_root.join("media"),
            services,
            shutdown: Some(tx),
            server: Some(server),
            _dir: dir,
            _database: None,
        }
    }

    /// Every file in the media folder, as paths relative to it, sorted.
    pub fn media_files(&self) -> Vec<String> {
        fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    walk(&path, root, out);
                } else {
                    let relative = path.strip_prefix(root).expect("under the root");
                    out.push(relative.to_string_lossy().into_owned());
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.media_dir, &self.media_dir, &mut out);
        out.sort();
        out
    }

    /// The full URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `POST /v1/auth/token`, whatever the answer.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        tenant: Option<&str>,
    ) -> reqwest::Response {
        let mut body = serde_json::json!({ "username": username, "password": password });
        if let Some(t) = tenant {
            body["tenant"] = t.into();
        }
        reqwest::Client::new()
            .post(self.url("/v1/auth/token"))
            .json(&body)
            .send()
            .await
            .expect("the server answers")
    }

    /// A token for `username`, which must be able to log in.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let response = self.login(username, password, None).await;
        let status = response.status();
        let body: serde_json::Value = response.json().await.expect("a JSON body");
        assert_eq!(status, 200, "login of {username} failed: {body}");
        assert_eq!(body["token_type"], "Bearer");
        body["access_token"]
            .as_str()
            .expect("an access_token")
            .to_owned()
    }

    /// A client authenticated as `admin` of tenant `DEFAULT`.
    pub async fn admin(&self) -> TestClient {
        let token = self.token("admin", ADMIN_PASSWORD).await;
        self.api.with_token(&token)
    }

    /// A client logged in as `username`.
    pub async fn login_as(&self, username: &str, password: &str) -> TestClient {
        let token = self.token(username, password).await;
        self.api.with_token(&token)
    }

    /// A client sending `token` (an API key, say).
    pub fn with_token(&self, token: &str) -> TestClient {
        self.api.with_token(token)
    }

    /// Adds a new member `username` (password `<username>-password`) with `role` to the tenant
    /// with code `tenant`, without logging in: for tests that log in through a dialect.
    pub async fn add_member(&self, tenant: &str, username: &str, role: Role) {
        let tenant = self
            .services
            .tenants
            .by_code(tenant)
            .await
            .expect("the tenant exists");
        let new = NewUser {
            username: username.to_owned(),
            display_name: None,
            password: format!("{username}-password"),
            role,
        };
        self.services
            .users
            .add(tenant.id, new)
            .await
            .expect("a new member");
    }

    /// A new member of tenant `DEFAULT` with `role`, logged in.
    pub async fn member(&self, username: &str, role: &str) -> TestClient {
        let tenant = self
            .services
            .tenants
            .by_code("DEFAULT")
            .await
            .expect("tenant DEFAULT");
        self.add_user(tenant.id, username, role).await
    }

    /// The admin `username` of a new tenant `code`, logged in.
    pub async fn admin_of_new_tenant(&self, code: &str, username: &str) -> TestClient {
        let tenant = self
            .services
            .tenants
            .create(code, None)
            .await
            .expect("a new tenant");
        self.add_user(tenant.id, username, "admin").await
    }

    async fn add_user(&self, tenant: TenantId, username: &str, role: &str) -> TestClient {
        let password = format!("{username}-password");
        let new = NewUser {
            username: username.to_owned(),
            display_name: None,
            password: password.clone(),
            role: role.parse::<Role>().expect("a role"),
        };
        self.services
            .users
            .add(tenant, new)
            .await
            .expect("a new member");
        self.login_as(username, &password).await
    }

    /// Stops the server as SIGTERM does (in-flight requests finish, the store is closed) and
    /// returns what `run_until_stopped` returned.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let server = self
            .server
            .take()
            .expect("the server is running until stopped");
        server.await.expect("the server task does not panic")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// A SQLite URL for a file in `dir`.
pub fn database_url_in(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("rolodex.db").display())
}
