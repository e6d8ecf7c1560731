//! The disk's own limit on durable writes: how long one small write takes to reach stable
//! storage (`fdatasync`) in the folder the servers keep their databases in. A server that
//! answers a write only once it is on disk commits at most once per flush, so this bounds its
//! durable writes whatever its code does: with `n` clients waiting each for its own write, at
//! most `n` writes per flush.

use anyhow::Context;
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

/// Flushes measured of each size.
const SAMPLES: usize = 200;
const PAGE: usize = 4096;
/// The file's length in pages: written in full first, then overwritten in place, as a
/// database's log is once it has reached its size.
const FILE_PAGES: usize = 256;

/// Pages of the larger write measured: about what a commit of a few creates writes to the log.
const LARGE_PAGES: usize = 64;

/// Latencies of a 4 KiB write made durable, and the median of a 256 KiB one.
#[derive(Debug, Clone, Copy)]
pub struct Flush {
    pub median: Duration,
    pub p99: Duration,
    pub large_median: Duration,
}

impl Flush {
    /// Durable commits a second that one writer can make at most, one after another.
    pub fn commits_per_sec(&self) -> f64 {
        1.0 / self.median.as_secs_f64()
    }
}

/// Measures [`Flush`] in a temporary folder (where the servers' folders are made).
pub fn measure() -> anyhow::Result<Flush> {
    let dir = tempfile::tempdir()?;
    let file = std::fs::File::create(dir.path().join("flush"))?;
    file.write_all_at(&vec![0; PAGE * FILE_PAGES], 0)?;
    file.sync_all()?;
    let small = flushes(&file, 1).context("flushing a file in the temporary folder")?;
    let large = flushes(&file, LARGE_PAGES).context("flushing a file in the temporary folder")?;
    Ok(Flush {
        median: small[SAMPLES / 2],
        p99: small[SAMPLES * 99 / 100],
        large_median: large[SAMPLES / 2],
    })
}

/// [`SAMPLES`] times: writes `pages` pages after the last ones written, then times the
/// flush; sorted.
fn flushes(file: &std::fs::File, pages: usize) -> std::io::Result<Vec<Duration>> {
    let data = vec![0x5a; PAGE * pages];
    let mut took = (0..SAMPLES)
        .map(|i| {
            let offset = (i * pages) % (FILE_PAGES - pages + 1) * PAGE;
            file.write_all_at(&data, offset as u64)?;
            let start = Instant::now();
            file.sync_data()?;
            Ok(start.elapsed())
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    took.sort();
    Ok(took)
}
