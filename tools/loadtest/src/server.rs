//! A server under test: a child process listening on a loopback port, with a temporary folder
//! of its own for its data and its log, stopped (or killed with the benchmark) at the end.

use crate::client::{Conn, Endpoint};
use crate::procfs;
use anyhow::{Context, bail};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::process::{Child, Command};
use tokio::time::{sleep, timeout};

/// How long a server may take to start listening.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Server {
    pub name: &'static str,
    pub addr: SocketAddr,
    child: Child,
    pid: u32,
    dir: TempDir,
}

impl Server {
    /// Starts `command` in `dir`, which is to listen on `addr`, with its output going to a log
    /// file in `dir`; the child is killed if the benchmark ends first.
    pub fn spawn(
        name: &'static str,
        mut command: Command,
        dir: TempDir,
        addr: SocketAddr,
    ) -> anyhow::Result<Self> {
        let log = std::fs::File::create(dir.path().join("server.log"))?;
        command
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        let child = command
            .spawn()
            .with_context(|| format!("could not start {name}"))?;
        let pid = child.id().context("the child has a process id")?;
        Ok(Self {
            name,
            addr,
            child,
            pid,
            dir,
        })
    }

    /// The last lines of the server's log, to show why it failed.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Resident memory, in bytes.
    pub fn rss(&self) -> anyhow::Result<u64> {
        procfs::rss(self.pid)
    }

    /// Bytes the server has written to storage so far.
    pub fn written(&self) -> anyhow::Result<u64> {
        procfs::written(self.pid)
    }

    /// CPU time the server has spent so far.
    pub fn cpu_time(&self) -> Duration {
        procfs::cpu_time(self.pid)
    }

    /// Fails when the server has exited.
    pub fn check_running(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!(
                "{} exited ({status}); its log ends with:\n{}",
                self.name,
                self.log_tail()
            );
        }
        Ok(())
    }

    /// Waits until `GET path` answers 200.
    pub async fn wait_until_healthy(&mut self, path: &str) -> anyhow::Result<()> {
        let started = Instant::now();
        let endpoint = Endpoint::new(self.addr);
        while started.elapsed() < START_TIMEOUT {
            self.check_running()?;
            if let Ok(mut conn) = Conn::open(self.addr).await
                && let Ok((status, _)) = conn.send(endpoint.get(path)).await
                && status.is_success()
            {
                return Ok(());
            }
            sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "{} did not answer GET {path} within {START_TIMEOUT:?}; its log ends with:\n{}",
            self.name,
            self.log_tail()
        )
    }

    /// Kills the server and waits for it to exit; its folder goes with it.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.start_kill().ok();
        timeout(Duration::from_secs(10), self.child.wait())
            .await
            .with_context(|| format!("{} did not exit", self.name))??;
        Ok(())
    }
}

/// A loopback port free at the time of asking, for servers that cannot be told to pick one.
pub fn free_port() -> anyhow::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}
