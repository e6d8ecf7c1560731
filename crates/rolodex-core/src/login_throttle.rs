//! How failed logins are throttled, so that guessing passwords is slow and costly while one
//! client's failures never lock a user out for everybody else.
//!
//! A login comes from a client address ([`ClientAddress`]: an IPv4 address, or an IPv6 /64).
//! Within a sliding window (`LoginLimits::window`), counted in storage so that every node sees
//! the same numbers:
//!
//! 1. **username and client**: after `per_user_and_client` failures for one username from one
//!    client, that client's logins as that user are refused until the window has passed.
//! 2. **client**: after `per_client` failures from one client, whatever the usernames, that
//!    client's logins are all refused (one client trying a password on many users).
//! 3. **username, from every client**: after `per_user` failures for one username, counted over
//!    all clients (a guess spread over many addresses), the clients that have themselves failed
//!    on that username are refused; a client that has not failed on it still gets its attempts,
//!    so no number of other clients' failures locks a user out.
//!
//! Besides, each node bounds the *rate* of failed logins per client in memory, before the
//! password hash is computed: a token bucket of `burst` attempts refilled at `per_minute`. An
//! attempt takes a token before its password is checked and gives it back when the password
//! was right, so a client that logs in successfully over and over is never slowed, while one
//! that fails (or sends many attempts at once) is refused at once without costing a hash or a
//! stored row. This bound is per node: behind a load balancer, a client gets `burst` on each.
//!
//! A refusal is [`CoreError::Throttled`] with the seconds until the refusing count can change.

use crate::error::CoreError;
use crate::ports::Store;
use crate::repo_error;
use rolodex_domain::{ClientAddress, Username};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use time::OffsetDateTime;

/// The login throttling tunables.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// How far back failures count.
    pub window: Duration,
    /// Failures for one username from one client before that client is refused as that user.
    pub per_user_and_client: u32,
    /// Failures from one client, whatever the usernames, before the client is refused.
    pub per_client: u32,
    /// Failures for one username from all clients before clients that failed on it are refused.
    pub per_user: u32,
    /// Failed logins a client may make at once on one node before being refused.
    pub burst: u32,
    /// How many failed logins per minute refill a client's burst.
    pub per_minute: u32,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(15 * 60),
            per_user_and_client: 5,
            per_client: 50,
            per_user: 100,
            burst: 10,
            per_minute: 20,
        }
    }
}

/// The throttle of one node: the limits, and its in-memory failure rate per client.
#[derive(Clone)]
pub(crate) struct LoginThrottle {
    limits: LoginLimits,
    rate: Arc<Mutex<FailureRate>>,
}

/// A login attempt that was let through, holding the token it took from its client's bucket.
pub(crate) struct Attempt {
    keys: Keys,
    client: ClientAddress,
}

/// The storage keys one attempt counts under.
struct Keys {
    pair: String,
    client: String,
    user: String,
}

impl LoginThrottle {
    pub(crate) fn new(limits: LoginLimits) -> Self {
        Self {
            limits,
            rate: Arc::new(Mutex::new(FailureRate::default())),
        }
    }

    fn window(&self) -> time::Duration {
        time::Duration::try_from(self.limits.window).unwrap_or(time::Duration::MINUTE)
    }

    /// Lets an attempt by `client` as `username` through, or refuses it.
    pub(crate) async fn admit(
        &self,
        store: &dyn Store,
        username: &str,
        client: ClientAddress,
        now: OffsetDateTime,
    ) -> Result<Attempt, CoreError> {
        self.lock_rate().take(client, now, &self.limits)?;
        // As the user is looked up: normalised, so that another spelling of one name counts
        // as that name. Names no user can have are counted as one.
        let username = Username::parse(username)
            .map_or_else(|_| String::from("(invalid)"), |u| u.as_str().to_owned());
        let keys = Keys {
            pair: format!("login:{username}:{client}"),
            client: format!("login-client:{client}"),
            user: format!("login-user:{username}"),
        };
        let since = now - self.window();
        let count = async |key: &str| {
            store
                .failures_since(key, since)
                .await
                .map_err(repo_error("login"))
        };
        let (pair, pair_first) = count(&keys.pair).await?;
        if pair >= self.limits.per_user_and_client {
            return Err(self.throttled(pair_first, now));
        }
        let (failures, first) = count(&keys.client).await?;
        if failures >= self.limits.per_client {
            return Err(self.throttled(first, now));
        }
        if pair > 0 {
            let (failures, first) = count(&keys.user).await?;
            if failures >= self.limits.per_user {
                return Err(self.throttled(first, now));
            }
        }
        Ok(Attempt { keys, client })
    }

    /// Counts a failed attempt under each of its keys.
    pub(crate) async fn failed(
        &self,
        store: &dyn Store,
        attempt: Attempt,
        now: OffsetDateTime,
    ) -> Result<(), CoreError> {
        let forget_before = now - self.window();
        for key in [&attempt.keys.pair, &attempt.keys.client, &attempt.keys.user] {
            store
                .record_failure(key, now, forget_before)
                .await
                .map_err(repo_error("login"))?;
        }
        Ok(())
    }

    /// A successful login: the client gets its token back, and its failures as this user are
    /// forgotten. Its failures as a client, and the user's from other clients, still count.
    pub(crate) async fn succeeded(
        &self,
        store: &dyn Store,
        attempt: Attempt,
    ) -> Result<(), CoreError> {
        self.lock_rate().give_back(attempt.client, &self.limits);
        store
            .clear_failures(&attempt.keys.pair)
            .await
            .map_err(repo_error("login"))
    }

    fn throttled(&self, first: Option<OffsetDateTime>, now: OffsetDateTime) -> CoreError {
        let until = first.unwrap_or(now) + self.window();
        CoreError::Throttled {
            retry_after_secs: whole_seconds_until(now, until),
        }
    }

    fn lock_rate(&self) -> std::sync::MutexGuard<'_, FailureRate> {
        // The buckets are plain numbers that stay consistent whatever panicked.
        self.rate.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Seconds from `now` to `until`, rounded up, at least 1.
fn whole_seconds_until(now: OffsetDateTime, until: OffsetDateTime) -> u64 {
    let millis = u64::try_from((until - now).whole_milliseconds()).unwrap_or(0);
    millis.div_ceil(1000).max(1)
}

/// Every client's bucket of failed-login tokens on this node.
#[derive(Default)]
struct FailureRate {
    buckets: HashMap<ClientAddress, Bucket>,
    /// The size of `buckets` above which full buckets are dropped.
    prune_above: usize,
}

/// Tokens left, as of `at`.
#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: OffsetDateTime,
}

/// Fewest buckets kept before full ones are dropped.
const MIN_PRUNE_ABOVE: usize = 1024;

impl FailureRate {
    /// Takes one token from `client`'s bucket, or says how long until one is back.
    fn take(
        &mut self,
        client: ClientAddress,
        now: OffsetDateTime,
        limits: &LoginLimits,
    ) -> Result<(), CoreError> {
        if self.buckets.len() > self.prune_above {
            self.buckets
                .retain(|_, b| b.refilled(now, limits) < f64::from(limits.burst));
            self.prune_above = (self.buckets.len() * 2).max(MIN_PRUNE_ABOVE);
        }
        let bucket = self.buckets.entry(client).or_insert(Bucket {
            tokens: f64::from(limits.burst),
            at: now,
        });
        let tokens = bucket.refilled(now, limits);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            return Ok(());
        }
        let per_second = f64::from(limits.per_minute) / 60.0;
        let wait = Duration::try_from_secs_f64((1.0 - tokens) / per_second)
            .unwrap_or(limits.window)
            .min(limits.window);
        let until = now + time::Duration::try_from(wait).unwrap_or(time::Duration::MINUTE);
        Err(CoreError::Throttled {
            retry_after_secs: whole_seconds_until(now, until),
        })
    }

    /// Returns the token a successful attempt took.
    fn give_back(&mut self, client: ClientAddress, limits: &LoginLimits) {
        if let Some(bucket) = self.buckets.get_mut(&client) {
            bucket.tokens = (bucket.tokens + 1.0).min(f64::from(limits.burst));
        }
    }
}

impl Bucket {
    /// The tokens at `now`: those left, plus what the time since refilled, up to the burst.
    fn refilled(self, now: OffsetDateTime, limits: &LoginLimits) -> f64 {
        let elapsed = (now - self.at).as_seconds_f64().max(0.0);
        let refill = elapsed * f64::from(limits.per_minute) / 60.0;
        (self.tokens + refill).min(f64::from(limits.burst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn limits() -> LoginLimits {
        LoginLimits {
            burst: 3,
            per_minute: 6,
            ..LoginLimits::default()
        }
    }

    fn client(last: u8) -> ClientAddress {
        ClientAddress::of(std::net::IpAddr::from([192, 0, 2, last]))
    }

    #[test]
    fn a_client_gets_its_burst_then_waits_for_the_refill() {
        let (limits, mut rate) = (limits(), FailureRate::default());
        let t0 = datetime!(2026-01-01 00:00 UTC);
        for _ in 0..3 {
            assert!(rate.take(client(1), t0, &limits).is_ok());
        }
        let Err(CoreError::Throttled { retry_after_secs }) = rate.take(client(1), t0, &limits)
        else {
            panic!("the fourth attempt at once is refused");
        };
        assert_eq!(retry_after_secs, 10, "6 per minute: one every 10 s");
        assert!(
            rate.take(client(2), t0, &limits).is_ok(),
            "other clients are not affected"
        );
        let later = t0 + time::Duration::seconds(10);
        assert!(rate.take(client(1), later, &limits).is_ok());
        assert!(rate.take(client(1), later, &limits).is_err());
    }

    #[test]
    fn a_successful_attempt_gives_its_token_back() {
        let (limits, mut rate) = (limits(), FailureRate::default());
        let t0 = datetime!(2026-01-01 00:00 UTC);
        for _ in 0..10 {
            assert!(rate.take(client(1), t0, &limits).is_ok());
            rate.give_back(client(1), &limits);
        }
    }

    #[test]
    fn full_buckets_are_dropped_when_many_clients_have_come_and_gone() {
        let (limits, mut rate) = (limits(), FailureRate::default());
        let t0 = datetime!(2026-01-01 00:00 UTC);
        for i in 0..=u32::try_from(MIN_PRUNE_ABOVE).unwrap() {
            let ip = std::net::Ipv4Addr::from_bits(0xc612_0000 + i);
            rate.take(ClientAddress::of(ip.into()), t0, &limits)
                .unwrap();
        }
        assert_eq!(rate.buckets.len(), MIN_PRUNE_ABOVE + 1);
        let much_later = t0 + time::Duration::minutes(1);
        rate.take(client(1), much_later, &limits).unwrap();
        assert_eq!(
            rate.buckets.len(),
            1,
            "only the new client's bucket is left"
        );
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let t0 = datetime!(2026-01-01 00:00 UTC);
        assert_eq!(whole_seconds_until(t0, t0), 1);
        assert_eq!(
            whole_seconds_until(t0, t0 + time::Duration::milliseconds(1500)),
            2
        );
        assert_eq!(
            whole_seconds_until(t0, t0 + time::Duration::seconds(900)),
            900
        );
    }
}
