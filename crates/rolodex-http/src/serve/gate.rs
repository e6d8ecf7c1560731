//! Which accepted connections may stay open: at most `max_connections_per_client` per client
//! address (trusted proxies excepted), and at most `max_connections` in all.
//!
//! A connection over its client's bound is refused. At the global bound, a new connection
//! takes the place of an idle one (no request running) of the client holding the most
//! connections, so that clients holding many idle connections cannot keep everybody else
//! out; only when every open connection is busy is the new one refused.

use super::ConnectionLimits;
use super::watch::Activity;
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
    /// Each client's open connections, oldest first.
    by_client: HashMap<ClientAddress, Vec<Connection>>,
    next_id: u64,
}

struct Connection {
    id: u64,
    activity: Arc<Activity>,
}

/// An open connection's place, given back when dropped.
pub(super) struct Admitted {
    gate: Arc<Gate>,
    /// The client it counts for, unless it came from a trusted proxy.
    client: Option<ClientAddress>,
    id: u64,
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

    /// A place for a connection from `peer` doing `activity`, or `None` when a bound is
    /// reached.
    pub(super) fn admit(
        self: &Arc<Self>,
        peer: IpAddr,
        activity: &Arc<Activity>,
    ) -> Option<Admitted> {
        let peer = peer.to_canonical();
        let client = (!self.trusted_proxies.iter().any(|net| net.contains(&peer)))
            .then(|| ClientAddress::of(peer));
        let mut open = self.lock();
        if let Some(client) = client
            && open.by_client.get(&client).map_or(0, Vec::len) >= self.max_per_client
        {
            drop(open);
            refused("max_connections_per_client");
            return None;
        }
        if open.total >= self.max_total {
            if !open.close_an_idle_connection() {
                drop(open);
                refused("max_connections");
                return None;
            }
            metrics::counter!("http_connections_evicted_total").increment(1);
        }
        let id = open.next_id;
        open.next_id += 1;
        open.total += 1;
        if let Some(client) = client {
            open.by_client.entry(client).or_default().push(Connection {
                id,
                activity: Arc::clone(activity),
            });
        }
        metrics::gauge!("http_connections_open").set(open.total as f64);
        Some(Admitted {
            gate: Arc::clone(self),
            client,
            id,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        // The counts are updated in one step each, so they are whole whatever panicked.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Open {
    /// Closes the oldest idle connection of the client holding the most connections that has
    /// one; `false` when no connection is idle.
    fn close_an_idle_connection(&self) -> bool {
        let victim = self
            .by_client
            .values()
            .filter_map(|conns| {
                conns
                    .iter()
                    .find(|c| c.activity.is_idle())
                    .map(|c| (conns.len(), c))
            })
            .max_by_key(|(held, _)| *held);
        match victim {
            Some((_, connection)) => {
                connection.activity.close();
                true
            }
            None => false,
        }
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
            entry.get_mut().retain(|c| c.id != self.id);
            if entry.get().is_empty() {
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

    fn admit(gate: &Arc<Gate>, peer: &str) -> Option<(Admitted, Arc<Activity>)> {
        let activity = Activity::new();
        gate.admit(ip(peer), &activity).map(|a| (a, activity))
    }

    #[test]
    fn a_client_gets_its_share_and_its_places_come_back() {
        let gate = gate(10, 2);
        let a = admit(&gate, "192.0.2.1").unwrap();
        let _b = admit(&gate, "::ffff:192.0.2.1").unwrap();
        assert!(admit(&gate, "192.0.2.1").is_none());
        assert!(admit(&gate, "192.0.2.2").is_some());
        drop(a);
        assert!(admit(&gate, "192.0.2.1").is_some());
    }

    #[test]
    fn at_the_global_bound_the_biggest_holder_loses_an_idle_connection() {
        let gate = gate(4, 10);
        let small = admit(&gate, "192.0.2.1").unwrap();
        let big: Vec<_> = (0..3).map(|_| admit(&gate, "192.0.2.2").unwrap()).collect();
        big[0].1.request_started();

        let newcomer = admit(&gate, "192.0.2.3").expect("an idle connection makes room");
        assert!(!small.1.is_closing());
        assert!(!big[0].1.is_closing(), "a busy connection is kept");
        assert!(
            big[1].1.is_closing(),
            "the oldest idle one of the biggest holder goes"
        );
        assert!(!big[2].1.is_closing());
        drop(newcomer);
    }

    #[test]
    fn when_every_connection_is_busy_a_new_one_is_refused() {
        let gate = gate(2, 10);
        let held: Vec<_> = ["192.0.2.1", "10.0.0.1"]
            .into_iter()
            .map(|p| admit(&gate, p).expect("under both bounds"))
            .collect();
        held[0].1.request_started();
        assert!(
            admit(&gate, "192.0.2.2").is_none(),
            "a trusted proxy's connection is not taken"
        );
        drop(held);
        assert_eq!(gate.lock().total, 0);
        assert!(gate.lock().by_client.is_empty());
    }
}
