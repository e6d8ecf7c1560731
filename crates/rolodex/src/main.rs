//! The `rolodex` executable: parses the command line, installs logging, and hands over to
//! [`rolodex::cli::run`]. Nothing else lives here.

use clap::Parser;
use std::process::ExitCode;

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
