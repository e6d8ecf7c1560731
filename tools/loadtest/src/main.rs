//! Load benchmark of Rolodex over HTTP, against baselines measured in the same run on the same
//! machine: a trivial axum server without a database (how fast this stack and this load
//! generator can go at all), the disk's time to make a write durable (how many durable commits
//! a second it allows at all) and, when its binary is installed, PocketBase.
//!
//! It builds the release `rolodex` binary, starts it on a fresh SQLite database, seeds
//! customers and contacts through the native API with a few concurrent clients, and then runs
//! each workload (PATCH by id, GET by id, search of 50 by name prefix) on many keep-alive
//! connections for a fixed time, printing requests per second, p50/p99 latency, errors and the
//! CPU each side used, then the best of the repeats and the ratios.
//!
//! Run by hand, never in CI: `cargo run --release -p rolodex-loadtest -- [--repeats N]
//! [--duration SECS]` (`--help` lists the rest). All traffic goes to 127.0.0.1.
//!
//! `--files N` runs the file benchmark instead (see [`files`]): `rolodex import` of a CSV of
//! N contacts and `rolodex export` of them, with their times and peak memory.

mod baseline;
mod client;
mod data;
mod disk;
mod files;
mod pocketbase;
mod procfs;
mod report;
mod rolodex;
mod server;

use crate::baseline::Baseline;
use crate::client::{MakeRequest, Summary, measure};
use anyhow::{Context, bail};
use clap::Parser;
use rand::rngs::SmallRng;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Prefix of the names of the load generator's threads.
const CLIENT_THREADS: &str = "loadgen";

/// Load benchmark of the release rolodex binary against a no-database axum baseline and, when
/// installed, PocketBase.
#[derive(Debug, Parser)]
struct Args {
    /// Seconds each measurement runs.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Times each measurement runs; the best is reported too.
    #[arg(long, default_value_t = 2)]
    repeats: usize,
    /// Concurrent keep-alive connections of the measurements.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Concurrent clients creating the data set.
    #[arg(long, default_value_t = 8)]
    seed_clients: usize,
    /// Customers to create.
    #[arg(long, default_value_t = 500)]
    customers: usize,
    /// Contacts to create, spread over the customers.
    #[arg(long, default_value_t = 10_000)]
    contacts: usize,
    /// Threads of the load generator.
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// A rolodex binary to use instead of building it with `cargo build --release -p rolodex`.
    #[arg(long)]
    rolodex: Option<PathBuf>,
    /// The pocketbase binary (default: `pocketbase` on the PATH, if any).
    #[arg(long)]
    pocketbase: Option<PathBuf>,
    /// Leave PocketBase out even when it is installed.
    #[arg(long)]
    no_pocketbase: bool,
    /// Run the file benchmark with this many contacts instead (import and export through
    /// the command line).
    #[arg(long, value_name = "CONTACTS")]
    files: Option<usize>,
}

/// What a workload does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    Patch,
    Get,
    Search,
}

impl Workload {
    /// In the order they run: reads first, so that they see the data as seeded.
    pub const ALL: [Workload; 3] = [Workload::Get, Workload::Search, Workload::Patch];

    pub fn label(self) -> &'static str {
        match self {
            Workload::Patch => "PATCH by id",
            Workload::Get => "GET by id",
            Workload::Search => "search 50 by prefix",
        }
    }
}

/// How long creating the data set took.
#[derive(Debug, Clone)]
pub struct Seeding {
    pub customers: usize,
    pub customers_took: Duration,
    pub contacts: usize,
    pub contacts_took: Duration,
    /// The server's own count of its transactions during the seeding, when it tells.
    pub commits: Option<Commits>,
    /// Bytes the server wrote to storage while seeding (its database files and its log), when
    /// measured.
    pub written: Option<u64>,
}

/// Rolodex's writer during the seeding (from `/metrics`): the jobs it ran, the transactions
/// they shared, and the time its transactions took (from BEGIN to the end of COMMIT, the
/// jobs and the flush to disk included).
#[derive(Debug, Clone, Copy)]
pub struct Commits {
    pub jobs: u64,
    pub commits: u64,
    pub transaction_time: Duration,
}

/// One timed run: what the client saw, and the share of a core each side used.
#[derive(Debug, Clone)]
pub struct Measured {
    pub summary: Summary,
    pub server_cpu: f64,
    pub client_cpu: f64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.duration == 0 || args.repeats == 0 || args.connections == 0 {
        bail!("--duration, --repeats and --connections must be at least 1");
    }
    if args.seed_clients == 0 || args.customers == 0 || args.contacts < args.customers {
        bail!("--seed-clients and --customers must be at least 1, --contacts at least --customers");
    }
    if args.client_threads == 0 {
        bail!("--client-threads must be at least 1");
    }
    // The servers run in folders of their own: their binaries are named by absolute paths.
    let rolodex_bin = match &args.rolodex {
        Some(bin) => std::fs::canonicalize(bin)
            .with_context(|| format!("no rolodex binary at {}", bin.display()))?,
        None => rolodex::build()?,
    };
    if let Some(contacts) = args.files {
        return files::benchmark(&rolodex_bin, contacts);
    }
    let pocketbase_bin = if args.no_pocketbase {
        None
    } else {
        pocketbase::find(args.pocketbase.clone())
            .map(|bin| {
                std::fs::canonicalize(&bin)
                    .with_context(|| format!("no pocketbase binary at {}", bin.display()))
            })
            .transpose()?
    };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads)
        .thread_name(CLIENT_THREADS)
        .enable_all()
        .build()?
        .block_on(run(&args, rolodex_bin, pocketbase_bin))
}

/// Runs `make` for the configured time and measures the CPU the server (`server_cpu`) and the
/// load generator spent meanwhile.
async fn timed(
    args: &Args,
    addr: SocketAddr,
    make: Arc<MakeRequest>,
    server_cpu: impl Fn() -> Duration,
) -> anyhow::Result<Measured> {
    let duration = Duration::from_secs(args.duration);
    let (server_before, client_before) =
        (server_cpu(), procfs::own_threads_cpu_time(CLIENT_THREADS));
    let summary = measure(addr, args.connections, duration, make).await?;
    let share = |after: Duration, before: Duration| {
        after.saturating_sub(before).as_secs_f64() / duration.as_secs_f64()
    };
    Ok(Measured {
        summary,
        server_cpu: share(server_cpu(), server_before),
        client_cpu: share(procfs::own_threads_cpu_time(CLIENT_THREADS), client_before),
    })
}

/// Longest wait for the servers to go quiet before a run.
const SETTLE_AT_MOST: Duration = Duration::from_secs(30);
/// How long each server's CPU is watched at a time while settling.
const SETTLE_WINDOW: Duration = Duration::from_millis(500);
/// Most CPU (as a share of one core) a server may use during that window and count as quiet.
const QUIET_CPU: f64 = 0.05;

/// Waits until no server uses more than [`QUIET_CPU`] of a core: a server keeps working after
/// its load ends (PocketBase's runtime for several seconds, at up to 75% of a core), and the
/// next run, on another server, would share the machine with it. Fails with the busiest
/// server and its share when they are still busy after [`SETTLE_AT_MOST`].
async fn settle(servers: &[Loaded]) -> Result<(), (&'static str, f64)> {
    let started = std::time::Instant::now();
    loop {
        let before: Vec<Duration> = servers.iter().map(|s| s.server.cpu_time()).collect();
        tokio::time::sleep(SETTLE_WINDOW).await;
        let shares = servers.iter().zip(before).map(|(s, before)| {
            let used = s.server.cpu_time().saturating_sub(before);
            (
                s.server.name,
                used.as_secs_f64() / SETTLE_WINDOW.as_secs_f64(),
            )
        });
        match busiest(shares) {
            None => return Ok(()),
            Some(busy) if started.elapsed() >= SETTLE_AT_MOST => return Err(busy),
            Some(_) => {}
        }
    }
}

/// The server that used the largest share of a core, if that share is more than [`QUIET_CPU`].
fn busiest(shares: impl IntoIterator<Item = (&'static str, f64)>) -> Option<(&'static str, f64)> {
    shares
        .into_iter()
        .filter(|(_, share)| *share > QUIET_CPU)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// A server seeded and ready for the workloads.
struct Loaded {
    server: server::Server,
    workloads: Vec<(Workload, Arc<MakeRequest>)>,
    seeding: Seeding,
    idle_rss: u64,
}

impl Loaded {
    fn make(&self, workload: Workload) -> Arc<MakeRequest> {
        self.workloads
            .iter()
            .find(|(w, _)| *w == workload)
            .map(|(_, make)| make.clone())
            .expect("every server has every workload")
    }
}

async fn load_rolodex(
    args: &Args,
    bin: &std::path::Path,
    customers: &[(String, String)],
    contacts: &Arc<Vec<data::Contact>>,
    prefixes: &Arc<Vec<String>>,
) -> anyhow::Result<Loaded> {
    let server = rolodex::start(bin).await?;
    let endpoint = rolodex::login(&server).await?;
    let written = server.written()?;
    let (ids, mut seeding) =
        rolodex::seed(&endpoint, args.seed_clients, customers, contacts).await?;
    seeding.written = Some(server.written()? - written);
    seeding.commits = Some(rolodex::commits(&endpoint).await?);
    rolodex::check_search(&endpoint, prefixes).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss = server.rss()?;
    Ok(Loaded {
        workloads: rolodex::workloads(&endpoint, &ids, prefixes),
        server,
        seeding,
        idle_rss,
    })
}

async fn load_pocketbase(
    args: &Args,
    bin: &std::path::Path,
    contacts: &Arc<Vec<data::Contact>>,
    prefixes: &Arc<Vec<String>>,
) -> anyhow::Result<Loaded> {
    let server = pocketbase::start(bin).await?;
    let endpoint = pocketbase::setup(&server).await?;
    let written = server.written()?;
    let (ids, mut seeding) = pocketbase::seed(&endpoint, args.seed_clients, contacts).await?;
    seeding.written = Some(server.written()? - written);
    pocketbase::check_search(&endpoint, prefixes).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss = server.rss()?;
    Ok(Loaded {
        workloads: pocketbase::workloads(&endpoint, &ids, prefixes),
        server,
        seeding,
        idle_rss,
    })
}

async fn run(
    args: &Args,
    rolodex_bin: PathBuf,
    pocketbase_bin: Option<PathBuf>,
) -> anyhow::Result<()> {
    let customers = data::customers(args.customers);
    let contacts = Arc::new(data::contacts(args.contacts, args.customers));
    let prefixes = Arc::new(data::prefixes(&contacts, 50));
    if prefixes.is_empty() {
        bail!("no last-name prefix starts 50 contacts: seed more contacts");
    }
    let pocketbase_version = match &pocketbase_bin {
        Some(bin) => Some(pocketbase::version(bin)?),
        None => None,
    };
    report::header(
        &report::Setup {
            duration: args.duration,
            repeats: args.repeats,
            connections: args.connections,
            client_threads: args.client_threads,
            seed_clients: args.seed_clients,
            prefixes: prefixes.len(),
            rolodex: &rolodex_bin,
            pocketbase: pocketbase_bin.as_deref().zip(pocketbase_version.as_deref()),
        },
        args.no_pocketbase,
    );

    let baseline = Baseline::start()?;
    let endpoint = client::Endpoint::new(baseline.addr);
    let get_baseline: Arc<MakeRequest> = Arc::new(move |_: &mut SmallRng| endpoint.get("/contact"));
    let mut baseline_runs = Vec::new();
    for run in 1..=args.repeats {
        let measured = timed(args, baseline.addr, get_baseline.clone(), || {
            procfs::own_threads_cpu_time(baseline::THREAD_NAME)
        })
        .await?;
        report::run("axum, no DB", "GET small JSON", run, &measured);
        baseline_runs.push(measured);
    }
    baseline.stop()?;
    let flush = disk::measure()?;
    report::disk(&flush, args.seed_clients);

    let mut servers = vec![
        load_rolodex(args, &rolodex_bin, &customers, &contacts, &prefixes)
            .await
            .context("preparing Rolodex")?,
    ];
    if let Some(bin) = &pocketbase_bin {
        servers.push(
            load_pocketbase(args, bin, &contacts, &prefixes)
                .await
                .context("preparing PocketBase")?,
        );
    }
    report::seeding(
        &servers
            .iter()
            .map(|s| (s.server.name, &s.seeding, s.idle_rss))
            .collect::<Vec<_>>(),
        &flush,
        args.seed_clients,
    );

    // runs[server][workload] holds the repeats, interleaved between the servers.
    let mut runs = vec![vec![Vec::new(); Workload::ALL.len()]; servers.len()];
    for (w, workload) in Workload::ALL.into_iter().enumerate() {
        for run in 1..=args.repeats {
            for (i, server_runs) in runs.iter_mut().enumerate() {
                if let Err(busy) = settle(&servers).await {
                    report::unsettled(busy);
                }
                let loaded = &mut servers[i];
                let make = loaded.make(workload);
                let server = &loaded.server;
                let measured = timed(args, server.addr, make, || server.cpu_time()).await?;
                loaded.server.check_running()?;
                report::run(loaded.server.name, workload.label(), run, &measured);
                server_runs[w].push(measured);
            }
        }
    }
    let busy_rss: Vec<u64> = servers
        .iter()
        .map(|s| s.server.rss())
        .collect::<anyhow::Result<_>>()?;

    let names: Vec<&str> = servers.iter().map(|s| s.server.name).collect();
    report::summary(&report::Results {
        names: &names,
        workloads: &Workload::ALL,
        runs: &runs,
        baseline: &baseline_runs,
        busy_rss: &busy_rss,
    });
    for loaded in servers {
        loaded.server.stop().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_waits_for_the_busiest_server_above_the_quiet_share() {
        assert_eq!(
            busiest([("rolodex", 0.02), ("pocketbase", 0.61), ("other", 0.3)]),
            Some(("pocketbase", 0.61))
        );
        assert_eq!(
            busiest([("rolodex", 0.02), ("pocketbase", QUIET_CPU)]),
            None
        );
        assert_eq!(busiest([]), None);
    }
}
