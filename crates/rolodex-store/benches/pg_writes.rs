//! PostgreSQL writes, measured: contact creates by one caller at a time (one transaction and
//! one commit each) against many concurrent callers (one node's pool of connections), on a
//! throwaway database of the test server (`ROLODEX_TEST_PG`, by default the local one).
//! Prints writes per second and the ratio.
//!
//! Run with `cargo bench -p rolodex-store --bench pg_writes` (optionally
//! `-- WRITES CONCURRENCY`). Not a test: CI never runs it.

use rolodex_core::ports::{HistoryDraft, Write, WriteOp};
use rolodex_domain::{ContactFields, CustomerFields, CustomerId, Surface, TenantCode};
use rolodex_store::scratch::ScratchDatabase;
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

/// Runs `writes` creates from `concurrency` callers on a new database; returns the time taken.
async fn run(writes: usize, concurrency: usize) -> Duration {
    let scratch = ScratchDatabase::create()
        .await
        .expect("the PostgreSQL test server is reachable");
    let database = rolodex_store::connect(&scratch.url)
        .await
        .expect("the store opens");
    let store = database.store();
    let code = TenantCode::parse("BENCH").expect("a tenant code");
    let tenant = store
        .create_tenant(&code, "Bench", OffsetDateTime::now_utc())
        .await
        .expect("a tenant")
        .id;
    let customer = Write {
        op: WriteOp::CreateCustomer {
            fields: CustomerFields {
                code: "C".into(),
                ..CustomerFields::default()
            },
        },
        history: create_contact(CustomerId(0), 0).history,
    };
    let customer = CustomerId(
        store
            .write(tenant, vec![customer])
            .await
            .expect("a customer")[0],
    );
    let start = Instant::now();
    let mut callers = Vec::with_capacity(concurrency);
    for c in 0..concurrency {
        let store = store.clone();
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
    database.close().await;
    elapsed
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

    let base = run(writes, 1).await;
    let many = run(writes, concurrency).await;
    let (b, m) = (per_second(writes, base), per_second(writes, many));
    println!("PostgreSQL: {writes} contact creates, one transaction each");
    println!("  1 caller:    {b:>9.0} writes/s  {base:?}");
    println!("  {concurrency:>3} callers: {m:>9.0} writes/s  {many:?}");
    println!("  ratio: {:.1}x", m / b);
}
