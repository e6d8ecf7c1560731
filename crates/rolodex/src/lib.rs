//! The `rolodex` binary's library: the composition root that wires the store into core and
//! core into HTTP ([`startup`]), its configuration ([`config`]) and the command line
//! ([`cli`]).
//!
//! This is the only crate that sees every other one. It holds no business rule: commands and
//! requests go through `rolodex_core`'s use cases, never straight to SQL.

pub mod cli;
pub mod config;
mod files;
pub mod startup;

pub use config::Config;
pub use startup::Application;

use std::io::IsTerminal;
use std::sync::Once;
use tracing_subscriber::EnvFilter;

/// The log filter when `RUST_LOG` is unset.
pub const DEFAULT_LOG_FILTER: &str = "info,sqlx=warn";

fn log_filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER))
}

/// Installs the process's log subscriber, writing to standard error (standard output is kept
/// for command results): JSON lines when `ROLODEX_LOG_FORMAT=json`, else human-readable text,
/// coloured on a terminal. Call once, from `main`.
pub fn init_tracing() {
    let json = std::env::var("ROLODEX_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(log_filter())
        .with_writer(std::io::stderr);
    // `try_init`: a second subscriber (a test harness) must not make the process panic.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
}

/// For tests: installs a subscriber once per process, and only when `TEST_LOG` is set, so test
/// output stays quiet by default. `RUST_LOG` still filters.
pub fn init_test_tracing() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(log_filter())
                .with_test_writer()
                .try_init();
        }
    });
}
