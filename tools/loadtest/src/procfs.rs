//! What Linux's `/proc` tells about a process: resident memory, CPU time spent and bytes
//! written to its files.

use anyhow::Context;
use std::time::Duration;

/// Linux reports CPU times in `/proc` in USER_HZ ticks, 100 a second on every architecture it
/// runs on today.
const TICKS_PER_SEC: u64 = 100;

/// Resident set size of process `pid` (`VmRSS` of `/proc/<pid>/status`), in bytes.
pub fn rss(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("no process {pid}"))?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .context("no VmRSS in /proc/<pid>/status")?;
    Ok(kib * 1024)
}

/// Bytes process `pid` has caused to be written to storage so far (`write_bytes` of
/// `/proc/<pid>/io`, counted as its writes dirty the page cache): its database files and its
/// log, not what it sends on sockets.
pub fn written(pid: u32) -> anyhow::Result<u64> {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io"))
        .with_context(|| format!("no I/O counters for process {pid}"))?;
    io.lines()
        .find_map(|l| l.strip_prefix("write_bytes:"))
        .and_then(|v| v.trim().parse().ok())
        .context("no write_bytes in /proc/<pid>/io")
}

/// CPU time (user + system) spent so far by the process or thread whose `stat` file is at
/// `path`, e.g. `/proc/<pid>/stat` or `/proc/self/task/<tid>/stat`.
fn cpu_time_at(path: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(path).ok()?;
    // The name (field 2) is in parentheses and may hold spaces; fields 14 and 15 (utime,
    // stime) are the 12th and 13th after it.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis(
        (user + system) * 1000 / TICKS_PER_SEC,
    ))
}

/// CPU time spent so far by process `pid`, all its threads together.
pub fn cpu_time(pid: u32) -> Duration {
    cpu_time_at(&format!("/proc/{pid}/stat")).unwrap_or_default()
}

/// CPU time spent so far by this process's threads whose name starts with `prefix`.
pub fn own_threads_cpu_time(prefix: &str) -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    tasks
        .flatten()
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|n| n.starts_with(prefix))
        })
        .filter_map(|t| cpu_time_at(&t.path().join("stat").to_string_lossy()))
        .sum()
}
