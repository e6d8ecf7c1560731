//! Who a request comes from, as far as limits are concerned: the client's network address.
//!
//! An IPv4 address stands for itself. An IPv6 address stands for its /64 network: a host (or a
//! home) is normally handed a whole /64 and can pick any address in it, so counting single IPv6
//! addresses would let one client pass as 2^64. An IPv4 address written in IPv6 form
//! (`::ffff:192.0.2.1`, as a dual-stack listener reports it) is that IPv4 address.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

/// The network a client's limits are counted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddress(IpAddr);

impl ClientAddress {
    /// The client network `ip` belongs to.
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self(IpAddr::V4(v4)),
            IpAddr::V6(v6) => {
                let network = v6.to_bits() & (u128::MAX << 64);
                Self(IpAddr::V6(Ipv6Addr::from_bits(network)))
            }
        }
    }

    /// The address (for IPv6, the first address of the /64).
    pub fn ip(self) -> IpAddr {
        self.0
    }
}

impl fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(ip: &str) -> ClientAddress {
        ClientAddress::of(ip.parse().unwrap())
    }

    #[test]
    fn ipv4_stands_for_itself_in_either_notation() {
        assert_eq!(of("192.0.2.7").to_string(), "192.0.2.7");
        assert_eq!(of("::ffff:192.0.2.7"), of("192.0.2.7"));
        assert_ne!(of("192.0.2.7"), of("192.0.2.8"));
    }

    #[test]
    fn ipv6_addresses_of_one_64_are_one_client() {
        assert_eq!(of("2001:db8:1:2::1"), of("2001:db8:1:2:ffff::9"));
        assert_ne!(of("2001:db8:1:2::1"), of("2001:db8:1:3::1"));
        assert_eq!(of("2001:db8:1:2:3:4:5:6").to_string(), "2001:db8:1:2::/64");
    }
}
