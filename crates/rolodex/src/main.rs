//! The `rolodex` executable: picks the memory allocator, parses the command line, installs
//! logging, and hands over to [`rolodex::cli::run`]. Nothing else lives here.

use clap::Parser;
use std::process::ExitCode;

/// jemalloc, for every allocation of the process (SQLite's too): requests allocate and free many
/// small values on several threads, which it serves from per-thread caches without a global
/// lock, and its background threads give memory that is no longer used back to the system
/// within about a quarter of a second (`JEMALLOC_SYS_WITH_MALLOC_CONF` in `.cargo/config.toml`),
/// also when the node has gone idle. An idle node after 10,000 creates holds about 21 MiB with
/// it, 26 MiB with mimalloc, which gives memory back only on a later allocator call.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = rolodex::cli::Cli::parse();
    rolodex::init_tracing();
    match rolodex::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
