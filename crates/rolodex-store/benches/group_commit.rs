//! Group commit, measured: contact creates through the store's one writer, by many
//! concurrent callers (their writes share a transaction and its fsync) against the baseline of
//! one caller at a time (one transaction and one fsync per write), in the same run, on the
//! same disk. Prints writes per second, commits, and the ratio.
//!
//! Run with `cargo bench -p rolodex-store --bench group_commit` (optionally
//! `-- WRITES CONCURRENCY`). Not a test: CI never runs it.

use rolodex_core::ports::{HistoryDraft, TenantRepo, Write, WriteOp, Writer};
use rolodex_domain::{ContactFields, CustomerFields, CustomerId, Surface, TenantCode, TenantId};
use rolodex_store::SqliteStore;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;

fn create_contact(customer: CustomerId, n: usize) -> Write {
    Write {
        op: WriteOp::CreateContact {
            customer_id: customer,
            fields: ContactFields {
                last_name: Some(format!("Bench{n}")),
                emails: vec![format!("bench{n}@example.com")],
                ..ContactFields::default()
            },
        },
        history: HistoryDraft {
            at: OffsetDateTime::now_utc(),
            user_id: None,
            username: "bench".into(),
            surface: Surface::Cli,
            changes: Vec::new(),
        },
    }
}

struct Setup {
    store: Arc<SqliteStore>,
    tenant: TenantId,
    customer: CustomerId,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let Ok(rolodex_store::Database::Sqlite(store)) = rolodex_store::connect(&url).await else {
        panic!("the SQLite store opens");
    };
    let code = TenantCode::parse("BENCH").expect("a tenant code");
    let tenant = store
        .create_tenant(&code, "Bench", OffsetDateTime::now_utc())
        .await
        .expect("a tenant")
        .id;
    let customer = WriteOp::CreateCustomer {
        fields: CustomerFields {
            code: "C".into(),
            ..CustomerFields::default()
        },
    };
    let ids = store
        .write(
            tenant,
            vec![Write {
                op: customer,
                history: create_contact(CustomerId(0), 0).history,
            }],
        )
        .await
        .expect("a customer");
    Setup {
        store,
        tenant,
        customer: CustomerId(ids[0]),
        _dir: dir,
    }
}

/// Runs `writes` creates from `concurrency` callers; returns the time taken and the commits.
async fn run(writes: usize, concurrency: usize) -> (Duration, u64) {
    let s = setup().await;
    let before = s.store.writer_stats().commits;
    let start = Instant::now();
    let mut callers = Vec::with_capacity(concurrency);
    for c in 0..concurrency {
        let (store, tenant, customer) = (s.store.clone(), s.tenant, s.customer);
        callers.push(tokio::spawn(async move {
            for n in (c..writes).step_by(concurrency) {
                store
                    .write(tenant, vec![create_contact(customer, n)])
                    .await
                    .expect("the write lands");
            }
        }));
    }
    for caller in callers {
        caller.await.expect("a caller finishes");
    }
    let elapsed = start.elapsed();
    let commits = s.store.writer_stats().commits - before;
    s.store.close().await;
    (elapsed, commits)
}

fn per_second(writes: usize, d: Duration) -> f64 {
    writes as f64 / d.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let writes = args.first().copied().unwrap_or(2_000);
    let concurrency = args.get(1).copied().unwrap_or(64);

    let (base, base_commits) = run(writes, 1).await;
    let (group, group_commits) = run(writes, concurrency).await;
    let (b, g) = (per_second(writes, base), per_second(writes, group));
    println!("group commit: {writes} contact creates, synchronous=FULL");
    println!("  baseline, 1 caller:   {b:>9.0} writes/s  {base_commits:>6} commits  {base:?}");
    println!(
        "  {concurrency:>3} callers:          {g:>9.0} writes/s  {group_commits:>6} commits  {group:?}"
    );
    println!("  ratio: {:.1}x the baseline's throughput", g / b);
}
