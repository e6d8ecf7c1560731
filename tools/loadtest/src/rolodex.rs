//! Rolodex under test: the release binary, built by cargo, started on a fresh SQLite database
//! and media folder, seeded and loaded through the native API.

use crate::client::{self, Conn, Endpoint, MakeRequest, create_all};
use crate::data::{self, Contact};
use crate::server::{Server, free_port};
use crate::{Commits, Seeding, Workload};
use anyhow::{Context, bail};
use hyper::Method;
use rand::Rng;
use rand::rngs::SmallRng;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::process::Command;

const PASSWORD: &str = "loadtest-admin-password";
const JSON: &str = "application/json";
const MERGE_PATCH: &str = "application/merge-patch+json";

/// Builds the release binary (`cargo build --release -p rolodex`) and returns its path.
pub fn build() -> anyhow::Result<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    // `cargo run` describes this package to it in the environment; passed on, that description
    // would make build scripts that watch it (ring's) run again, and everything after them.
    for (name, _) in std::env::vars_os() {
        let name_str = name.to_string_lossy();
        if name_str.starts_with("CARGO_PKG_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
            ]
            .contains(&name_str.as_ref())
        {
            command.env_remove(&name);
        }
    }
    let output = command
        .current_dir(&workspace)
        .args([
            "build",
            "--release",
            "-p",
            "rolodex",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("could not run cargo")?;
    if !output.status.success() {
        bail!(
            "cargo build --release -p rolodex failed ({})",
            output.status
        );
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "rolodex")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo built no rolodex executable")
}

/// Starts `rolodex serve` on a free loopback port with a fresh database and media folder, and
/// waits until it answers.
pub async fn start(bin: &Path) -> anyhow::Result<Server> {
    let dir = tempfile::tempdir()?;
    let addr = free_port()?;
    let mut command = Command::new(bin);
    // Settings from the caller's environment must not reach the server under test.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ROLODEX_") {
            command.env_remove(name);
        }
    }
    command
        .arg("serve")
        .arg("--listen")
        .arg(addr.to_string())
        .arg("--database")
        .arg(format!(
            "sqlite://{}",
            dir.path().join("rolodex.db").display()
        ))
        .arg("--media-dir")
        .arg(dir.path().join("media"))
        .env("ROLODEX_ADMIN_PASSWORD", PASSWORD);
    let mut server = Server::spawn("rolodex", command, dir, addr)?;
    server.wait_until_healthy("/healthz").await?;
    Ok(server)
}

/// Logs in as the admin; the endpoint carries the token.
pub async fn login(server: &Server) -> anyhow::Result<Endpoint> {
    let endpoint = Endpoint::new(server.addr);
    let mut conn = Conn::open(server.addr).await?;
    let body = json!({ "username": "admin", "password": PASSWORD }).to_string();
    let token = conn
        .json(endpoint.send(Method::POST, "/v1/auth/token", JSON, body))
        .await?;
    let token = token["access_token"]
        .as_str()
        .context("the login response has an access_token")?;
    endpoint.with_auth(&format!("Bearer {token}"))
}

/// The contacts as created: (customer id, contact id), in the data set's order.
pub type Ids = Arc<Vec<(i64, i64)>>;

/// Creates the customers, then the contacts, with `clients` concurrent connections.
pub async fn seed(
    endpoint: &Endpoint,
    clients: usize,
    customers: &[(String, String)],
    contacts: &Arc<Vec<Contact>>,
) -> anyhow::Result<(Ids, Seeding)> {
    let bodies: Arc<Vec<String>> = Arc::new(
        customers
            .iter()
            .map(|(code, name)| json!({ "code": code, "name": name }).to_string())
            .collect(),
    );
    let ep = endpoint.clone();
    let (customer_ids, customers_took) = create_all(
        endpoint.addr,
        clients,
        bodies.len(),
        Arc::new(move |i| ep.send(Method::POST, "/v1/customers", JSON, bodies[i].clone())),
        |v| v["id"].as_i64(),
    )
    .await
    .context("creating the customers")?;
    let customer_ids = Arc::new(customer_ids);
    let (ep, all, ids) = (endpoint.clone(), contacts.clone(), customer_ids.clone());
    let (contact_ids, contacts_took) = create_all(
        endpoint.addr,
        clients,
        contacts.len(),
        Arc::new(move |i| {
            let path = format!("/v1/customers/{}/contacts", ids[all[i].customer]);
            ep.send(Method::POST, &path, JSON, data::fields(&all[i]).to_string())
        }),
        |v| Some((v["customer_id"].as_i64()?, v["id"].as_i64()?)),
    )
    .await
    .context("creating the contacts")?;
    let seeding = Seeding {
        customers: customer_ids.len(),
        customers_took,
        contacts: contact_ids.len(),
        contacts_took,
        commits: None,
        written: None,
    };
    Ok((Arc::new(contact_ids), seeding))
}

/// The writer's jobs, commits and transaction time so far, from `/metrics`.
pub async fn commits(endpoint: &Endpoint) -> anyhow::Result<Commits> {
    let mut conn = Conn::open(endpoint.addr).await?;
    let (status, body) = conn.send(endpoint.get("/metrics")).await?;
    if !status.is_success() {
        bail!("GET /metrics answered {status}");
    }
    parse_commits(&String::from_utf8_lossy(&body))
}

/// [`Commits`] from a Prometheus text exposition.
fn parse_commits(text: &str) -> anyhow::Result<Commits> {
    let value = |name: &str| -> anyhow::Result<f64> {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
            .with_context(|| format!("no {name} in /metrics"))
    };
    Ok(Commits {
        jobs: value("store_writer_jobs_total")? as u64,
        commits: value("store_writer_commits_total")? as u64,
        transaction_time: Duration::from_secs_f64(value("store_writer_commit_seconds_sum")?),
    })
}

fn search_path(prefix: &str) -> String {
    format!("/v1/contacts?q={prefix}&limit=50")
}

/// Checks that a search by each prefix returns a full page of 50.
pub async fn check_search(endpoint: &Endpoint, prefixes: &[String]) -> anyhow::Result<()> {
    client::check_search(endpoint, prefixes, search_path, "Rolodex").await
}

fn contact_path(ids: &[(i64, i64)], rng: &mut SmallRng) -> String {
    let (customer, contact) = ids[rng.random_range(0..ids.len())];
    format!("/v1/customers/{customer}/contacts/{contact}")
}

/// The three workloads, on random records and prefixes.
pub fn workloads(
    endpoint: &Endpoint,
    ids: &Ids,
    prefixes: &Arc<Vec<String>>,
) -> Vec<(Workload, Arc<MakeRequest>)> {
    let ids = ids.clone();
    let record = Arc::new(move |rng: &mut SmallRng| contact_path(&ids, rng));
    client::workloads(endpoint, record, MERGE_PATCH, search_path, prefixes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_figures_are_read_from_the_metrics_text() {
        let text = "# TYPE store_writer_jobs_total counter\n\
                    store_writer_jobs_total 10502\n\
                    store_writer_jobs_total_other 1\n\
                    store_writer_commits_total 2675\n\
                    store_writer_commit_seconds_bucket{le=\"0.005\"} 2000\n\
                    store_writer_commit_seconds_sum 7.5\n";
        let c = parse_commits(text).expect("parses");
        assert_eq!((c.jobs, c.commits), (10502, 2675));
        assert_eq!(c.transaction_time, Duration::from_millis(7500));
        assert!(parse_commits("store_writer_jobs_total 1\n").is_err());
    }
}
