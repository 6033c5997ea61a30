//! The client's address: the connection's peer, unless that peer is a configured trusted
//! proxy (`[auth] trusted_proxies`), in which case `X-Forwarded-For` is read from the right:
//! the first address that is not a trusted proxy is the client. Behind an ingress every
//! connection comes from the proxy; without this, every client would share its address (and
//! its sign-in limit). From anyone else the header is ignored — a client cannot choose its
//! own address.

use crate::config::IpNet;
use axum::http::HeaderMap;
use std::net::IpAddr;

/// The client address of a request that came from `peer`.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut hops: Vec<IpAddr> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return peer;
        };
        for part in text.split(',') {
            match parse_hop(part) {
                Some(ip) => hops.push(ip),
                // A malformed list is not evidence of anything: the proxy is the client.
                None => return peer,
            }
        }
    }
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        client = hop;
        if !is_trusted(hop) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[::1]:443`).
fn parse_hop(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    text.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().expect("header"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn only_a_trusted_proxy_may_name_the_client() {
        let trusted = [IpNet::parse("10.0.0.0/8").expect("net")];
        // Through the ingress: the client it names.
        assert_eq!(
            client_address(ip("10.1.2.3"), &headers(&["203.0.113.7"]), &trusted),
            ip("203.0.113.7")
        );
        // A client that sends its own header directly is not believed.
        assert_eq!(
            client_address(ip("198.51.100.9"), &headers(&["1.1.1.1"]), &trusted),
            ip("198.51.100.9")
        );
        // A spoofed entry on the left is skipped: the rightmost untrusted hop counts.
        assert_eq!(
            client_address(
                ip("10.1.2.3"),
                &headers(&["6.6.6.6, 203.0.113.7", "10.2.0.1"]),
                &trusted
            ),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(ip("10.1.2.3"), &headers(&["203.0.113.7:5123"]), &trusted),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(ip("10.1.2.3"), &headers(&["not an address"]), &trusted),
            ip("10.1.2.3")
        );
        // Without trusted proxies the header means nothing.
        assert_eq!(
            client_address(ip("10.1.2.3"), &headers(&["203.0.113.7"]), &[]),
            ip("10.1.2.3")
        );
    }
}
