//! The clock port, so that tests can control time (token expiry, throttling windows).

use time::OffsetDateTime;

pub trait Clock: Send + Sync {
    /// Now, truncated to whole milliseconds: the precision every store keeps, so a value
    /// returned by a write equals the value read back later.
    fn now(&self) -> OffsetDateTime;
}

/// The system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        truncate_to_millis(OffsetDateTime::now_utc())
    }
}

/// Drops sub-millisecond precision.
pub fn truncate_to_millis(t: OffsetDateTime) -> OffsetDateTime {
    let ms = t.unix_timestamp_nanos() / 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000).unwrap_or(t)
}
