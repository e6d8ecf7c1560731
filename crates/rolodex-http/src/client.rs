//! The address a request comes from, for every surface's login throttling.
//!
//! It is the connection's peer address, unless the peer is one of the configured trusted
//! proxies (`trusted_proxies`): then it is read from `X-Forwarded-For`, right to left, skipping
//! the addresses of trusted proxies, and the first other address is the client. Nobody else
//! can set it: a client that is not a trusted proxy sending `X-Forwarded-For` is counted under
//! its own address, whatever it claims.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The header a proxy appends the address it received a request from to.
pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// The client address of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ConnectInfo(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>().ok_or((
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server is not serving with peer addresses",
        ))?;
        Ok(ClientIp(client_ip(
            peer.ip(),
            &parts.headers,
            &state.http.trusted_proxies,
        )))
    }
}

/// The client of a request that `peer` sent with `headers`.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all(FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, or an address and port (as some proxies write).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(FORWARDED_FOR, HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    fn proxies() -> Vec<IpNet> {
        vec![
            "10.0.0.0/8".parse().unwrap(),
            "127.0.0.1/32".parse().unwrap(),
        ]
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends() {
        let headers = forwarded(&["192.0.2.9"]);
        assert_eq!(
            client_ip(ip("198.51.100.1"), &headers, &proxies()),
            ip("198.51.100.1")
        );
        assert_eq!(client_ip(ip("10.1.1.1"), &headers, &[]), ip("10.1.1.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let headers = forwarded(&["203.0.113.5, 192.0.2.9", "10.0.0.7"]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &headers, &proxies()),
            ip("192.0.2.9")
        );
        let ported = forwarded(&["192.0.2.9:51234"]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &ported, &proxies()),
            ip("192.0.2.9")
        );
        let mapped = forwarded(&["::ffff:192.0.2.9"]);
        assert_eq!(
            client_ip(ip("::ffff:127.0.0.1"), &mapped, &proxies()),
            ip("192.0.2.9")
        );
    }

    #[test]
    fn a_trusted_peer_without_a_usable_header_is_the_client() {
        let proxies = proxies();
        assert_eq!(
            client_ip(ip("10.0.0.1"), &HeaderMap::new(), &proxies),
            ip("10.0.0.1")
        );
        let garbage = forwarded(&["unknown"]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &garbage, &proxies),
            ip("10.0.0.1")
        );
        let behind_garbage = forwarded(&["unknown, 10.0.0.9"]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &behind_garbage, &proxies),
            ip("10.0.0.9")
        );
    }
}
