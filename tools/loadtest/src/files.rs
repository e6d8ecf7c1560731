//! The file benchmark (`--files N`): the release binary imports a CSV of N contacts (Rolodex's
//! own columns, spread over a thousand customers, each with an external id, two phones, an
//! email and an address) into a fresh SQLite database, imports it again (every row
//! unchanged), then exports every contact as CSV and as vCard. Each command runs under
//! `/usr/bin/time -v`, which gives its wall time and peak resident memory.

use anyhow::{Context, bail};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Customers the generated contacts are spread over.
const CUSTOMERS: usize = 1_000;

/// What one command took.
struct Run {
    wall: Duration,
    peak_rss_kb: u64,
    stdout: String,
}

/// Runs `rolodex ARGS` on `database` under `/usr/bin/time -v`.
fn run(rolodex: &Path, database: &str, args: &[&str]) -> anyhow::Result<Run> {
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(rolodex)
        .args(args)
        .args(["--database", database])
        .env("RUST_LOG", "warn")
        .output()
        .context("could not run /usr/bin/time (Debian package time)")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("rolodex {args:?} failed: {stderr}");
    }
    let field = |name: &str| {
        stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(str::trim)
            .with_context(|| format!("/usr/bin/time printed no {name}"))
    };
    let peak_rss_kb = field("Maximum resident set size (kbytes):")?.parse()?;
    // h:mm:ss or m:ss.ss
    let wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss):")?
        .split(':')
        .try_fold(0.0, |acc, part| part.parse::<f64>().map(|v| acc * 60.0 + v))?;
    Ok(Run {
        wall: Duration::from_secs_f64(wall),
        peak_rss_kb,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    })
}

/// A CSV of `n` contacts in Rolodex's columns.
fn generate(n: usize) -> String {
    let mut csv = String::with_capacity(n * 260);
    csv.push_str(
        "customer_code,customer_name,external_id,first_name,last_name,title,address_1,city,\
         postal_code,country,phones,emails,notes\n",
    );
    for i in 0..n {
        let c = i % CUSTOMERS;
        let _ = writeln!(
            csv,
            "CUST{c:04},Customer {c},EXT-{i:07},First{i},Last{},Buyer,{} Main Street,Springfield,\
             {:05},US,\"business: +1 555 {:07}\nmobile: +1 666 {:07}\",person{i}@example.com,\
             Imported by the file benchmark",
            i % 997,
            i % 500,
            i % 100_000,
            i,
            i
        );
    }
    csv
}

/// Runs the file benchmark with `n` contacts and prints what it measured.
pub fn benchmark(rolodex: &Path, n: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let database = format!("sqlite://{}", dir.path().join("files.db").display());
    let csv = dir.path().join("contacts.csv");
    std::fs::write(&csv, generate(n))?;
    let csv_size = std::fs::metadata(&csv)?.len();
    let csv = csv.to_string_lossy().into_owned();
    run(rolodex, &database, &["tenant", "add", "DEFAULT"])?;
    println!(
        "File benchmark: {n} contacts over {CUSTOMERS} customers, CSV of {:.1} MB, SQLite",
        csv_size as f64 / 1e6
    );
    let rate = |r: &Run| n as f64 / r.wall.as_secs_f64();
    let line = |what: &str, r: &Run| {
        println!(
            "  {what:<28} {:>7.2} s  {:>9.0} contacts/s  peak RSS {:>6.1} MB",
            r.wall.as_secs_f64(),
            rate(r),
            r.peak_rss_kb as f64 / 1024.0
        );
    };
    let first = run(rolodex, &database, &["import", &csv])?;
    line("import (all created)", &first);
    if !first.stdout.contains(&format!("{n} created")) {
        bail!("the import did not create every contact: {}", first.stdout);
    }
    let again = run(rolodex, &database, &["import", &csv])?;
    line("import again (all unchanged)", &again);
    if !again.stdout.contains(&format!("{n} unchanged")) {
        bail!("the second import changed contacts: {}", again.stdout);
    }
    for format in ["csv", "vcf"] {
        let out = dir.path().join(format!("export.{format}"));
        let out = out.to_string_lossy().into_owned();
        let export = run(
            rolodex,
            &database,
            &["export", "--format", format, "--output", &out],
        )?;
        line(&format!("export {format}"), &export);
    }
    Ok(())
}
