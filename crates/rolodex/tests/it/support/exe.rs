//! The built `rolodex` executable, run with a clean environment against a temporary
//! database: [`Cli`] for one-shot commands, [`Server`] for `rolodex serve`.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// Longest a command or a server start may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(60);

/// The executable and a temporary folder holding its database.
pub struct Cli {
    dir: TempDir,
    pub database_url: String,
}

/// What a command did.
#[derive(Debug)]
pub struct Run {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Cli {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder can be created");
        let database_url = super::app::database_url_in(dir.path());
        Self { dir, database_url }
    }

    /// The executable on the database at `database_url` (a temporary folder still holds
    /// media folders and config files).
    pub fn on(database_url: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder can be created");
        Self {
            dir,
            database_url: database_url.to_owned(),
        }
    }

    /// The temporary folder (for media folders and config files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The executable with `args`, the test database (`--database`), and an environment
    /// holding only `env` (so the developer's `ROLODEX_*` variables cannot interfere).
    pub fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rolodex"));
        command
            .args(args)
            .arg("--database")
            .arg(&self.database_url)
            .current_dir(self.dir.path())
            .env_clear()
            .env(
                "RUST_LOG",
                if std::env::var_os("TEST_LOG").is_some() {
                    "info"
                } else {
                    "warn"
                },
            )
            .envs(env.iter().copied())
            .kill_on_drop(true);
        command
    }

    /// Runs `args` to completion, writing `stdin` (if any) to its standard input.
    pub async fn run_with(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args, env);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the rolodex executable starts");
        let mut input = child.stdin.take().expect("stdin is piped");
        if let Some(text) = stdin {
            // A command may exit without reading its input (a usage error): that is its answer.
            match input.write_all(text.as_bytes()).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => panic!("stdin accepts the input: {e}"),
            }
        }
        drop(input);
        let output = tokio::time::timeout(PATIENCE, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("rolodex {args:?} finishes in time"))
            .expect("rolodex runs");
        Run {
            success: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs `args` (stdin: `stdin`), which must succeed; returns its standard output.
    pub async fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let run = self.run_with(args, stdin, &[]).await;
        assert!(run.success, "rolodex {args:?} failed: {}", run.stderr);
        run.stdout
    }

    /// Runs `args` (stdin: `stdin`), which must fail; returns its standard error.
    pub async fn fails(&self, args: &[&str], stdin: Option<&str>) -> String {
        let run = self.run_with(args, stdin, &[]).await;
        assert!(!run.success, "rolodex {args:?} succeeded: {}", run.stdout);
        run.stderr
    }

    /// Starts `rolodex serve --listen 127.0.0.1:0 ARGS` and waits until it listens.
    pub async fn serve(&self, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let mut command = self.command(&all, env);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().expect("rolodex serve starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let mut printed = Vec::new();
        let address = tokio::time::timeout(PATIENCE, async {
            while let Some(line) = stdout.next_line().await.expect("stdout is readable") {
                if let Some(address) = line.strip_prefix("Rolodex is listening on ") {
                    return Some(address.to_owned());
                }
                printed.push(line);
            }
            None
        })
        .await
        .expect("rolodex serve starts listening in time")
        .unwrap_or_else(|| panic!("rolodex serve exited before listening; it printed {printed:?}"));
        Server {
            child,
            stdout,
            address,
            printed,
        }
    }
}

/// A running `rolodex serve`.
pub struct Server {
    child: Child,
    stdout: Lines<BufReader<ChildStdout>>,
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// What it printed to standard output before listening.
    pub printed: Vec<String>,
}

impl Server {
    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id().expect("the server is still running")
    }

    /// The most memory the server has held at once (`VmHWM`), in bytes.
    pub fn peak_memory(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the server's /proc status is readable");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|kb| kb.trim().parse::<u64>().ok())
            .expect("VmHWM in kB")
            * 1024
    }

    /// Sends SIGTERM and waits for the process to exit; returns whether it exited with
    /// success, and everything else it printed.
    pub async fn terminate(mut self) -> (bool, Vec<String>) {
        let pid = self.child.id().expect("the server is still running");
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM was delivered");
        let status = tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .expect("rolodex serve stops in time after SIGTERM")
            .expect("the exit status is readable");
        let mut rest = Vec::new();
        while let Ok(Some(line)) = self.stdout.next_line().await {
            rest.push(line);
        }
        (status.success(), rest)
    }
}
