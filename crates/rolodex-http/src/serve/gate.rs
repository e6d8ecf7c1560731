//! Which accepted connections may stay open: at most `max_connections` in all, and at most
//! `max_connections_per_client` per client address (trusted proxies excepted).

use super::ConnectionLimits;
use ipnet::IpNet;
use rolodex_domain::ClientAddress;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The open connections, counted in all and per client.
pub(super) struct Gate {
    max_total: usize,
    max_per_client: usize,
    trusted_proxies: Vec<IpNet>,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    total: usize,
    by_client: HashMap<ClientAddress, usize>,
}

/// An open connection's place, given back when dropped.
pub(super) struct Admitted {
    gate: Arc<Gate>,
    /// The client it counts for, unless it came from a trusted proxy.
    client: Option<ClientAddress>,
}

impl Gate {
    pub(super) fn new(limits: &ConnectionLimits) -> Arc<Self> {
        Arc::new(Self {
            max_total: limits.max_connections,
            max_per_client: limits.max_connections_per_client,
            trusted_proxies: limits.trusted_proxies.clone(),
            open: Mutex::new(Open::default()),
        })
    }

    /// A place for a connection from `peer`, or `None` when a bound is reached.
    pub(super) fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<Admitted> {
        let peer = peer.to_canonical();
        let client = (!self.trusted_proxies.iter().any(|net| net.contains(&peer)))
            .then(|| ClientAddress::of(peer));
        let mut open = self.lock();
        if open.total >= self.max_total {
            drop(open);
            refused("max_connections");
            return None;
        }
        if let Some(client) = client {
            let count = open.by_client.entry(client).or_insert(0);
            if *count >= self.max_per_client {
                drop(open);
                refused("max_connections_per_client");
                return None;
            }
            *count += 1;
        }
        open.total += 1;
        metrics::gauge!("http_connections_open").set(open.total as f64);
        Some(Admitted {
            gate: Arc::clone(self),
            client,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        // The counts are updated in one step each, so they are whole whatever panicked.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn refused(bound: &'static str) {
    metrics::counter!("http_connections_refused_total", "bound" => bound).increment(1);
    tracing::debug!(bound, "refused a connection");
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.gate.lock();
        open.total -= 1;
        if let Some(client) = self.client
            && let Entry::Occupied(mut entry) = open.by_client.entry(client)
        {
            *entry.get_mut() -= 1;
            if *entry.get() == 0 {
                entry.remove();
            }
        }
        metrics::gauge!("http_connections_open").set(open.total as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn gate(total: usize, per_client: usize) -> Arc<Gate> {
        Gate::new(&ConnectionLimits {
            header_read_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(1),
            max_connections: total,
            max_connections_per_client: per_client,
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        })
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_client_gets_its_share_and_its_places_come_back() {
        let gate = gate(10, 2);
        let a = gate.admit(ip("192.0.2.1")).unwrap();
        let _b = gate.admit(ip("::ffff:192.0.2.1")).unwrap();
        assert!(gate.admit(ip("192.0.2.1")).is_none());
        assert!(gate.admit(ip("192.0.2.2")).is_some());
        drop(a);
        assert!(gate.admit(ip("192.0.2.1")).is_some());
    }

    #[test]
    fn the_total_bounds_everyone_and_proxies_count_only_there() {
        let gate = gate(3, 1);
        let held: Vec<_> = ["10.0.0.1", "10.0.0.1", "192.0.2.1"]
            .into_iter()
            .map(|p| gate.admit(ip(p)).expect("under both bounds"))
            .collect();
        assert!(gate.admit(ip("192.0.2.2")).is_none());
        assert!(gate.admit(ip("10.0.0.1")).is_none());
        drop(held);
        assert_eq!(gate.lock().total, 0);
        assert!(gate.lock().by_client.is_empty());
    }
}
