//! Who is asking, for throttling: the peer's address, unless the peer is a trusted reverse proxy;
//! then the right-most address in `Forwarded` (RFC 7239) or `X-Forwarded-For` that is not a
//! trusted proxy. Everything left of that was written by the client and may be made up.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::ConnectInfo,
    http::{Extensions, HeaderMap, header},
};
use ipnet::IpNet;

use crate::Identity;

/// The address to throttle a request by, as text; "unknown" for requests without a peer (tests
/// that build requests by hand).
pub fn client_ip(identity: &Identity, extensions: &Extensions, headers: &HeaderMap) -> String {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    resolve(peer, headers, &identity.config().trusted_proxies).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// The rule, apart from axum.
pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // Each proxy appends the address it received from; read from the right.
    let mut client = peer;
    for hop in forwarded_for(headers).iter().rev() {
        // An entry that is no address ("unknown", an obfuscated name) ends the chain: the last
        // address a trusted proxy vouched for is all that is known.
        let Some(ip) = parse_node(hop) else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// The `for` addresses of `Forwarded`, or failing that of `X-Forwarded-For`, in order, over all
/// header lines.
fn forwarded_for(headers: &HeaderMap) -> Vec<String> {
    let lines = |name| headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
    let forwarded: Vec<String> = lines(header::FORWARDED)
        .into_iter()
        .flat_map(|line| line.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim().eq_ignore_ascii_case("for").then(|| value.trim().trim_matches('"').to_owned())
            })
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    lines(header::HeaderName::from_static("x-forwarded-for"))
        .into_iter()
        .flat_map(|line| line.split(','))
        .map(|s| s.trim().to_owned())
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:8080`, `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:8080`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(socket) = node.parse::<SocketAddr>() {
        return Some(socket.ip().to_canonical());
    }
    node.strip_prefix('[')?.strip_suffix(']')?.parse::<IpAddr>().ok()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_are_taken_as_they_are() {
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4"), ("forwarded", "for=5.6.7.8")]);
        assert_eq!(resolve(Some(ip("203.0.113.9")), &spoofed, &[]), Some(ip("203.0.113.9")));
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        assert_eq!(resolve(Some(ip("203.0.113.9")), &spoofed, &trusted), Some(ip("203.0.113.9")));
        assert_eq!(resolve(None, &spoofed, &trusted), None);
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_address_counts() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "2001:db8::/32".parse().unwrap()];
        let proxy = Some(ip("10.0.0.2"));
        let xff = |value| headers(&[("x-forwarded-for", value)]);
        // The client made up the first entry; the proxies appended the rest.
        assert_eq!(resolve(proxy, &xff("6.6.6.6, 198.51.100.7, 10.0.0.1"), &trusted), Some(ip("198.51.100.7")));
        assert_eq!(resolve(proxy, &xff("198.51.100.7"), &trusted), Some(ip("198.51.100.7")));
        let two_lines = headers(&[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "198.51.100.8")]);
        assert_eq!(resolve(proxy, &two_lines, &trusted), Some(ip("198.51.100.8")));
        // Only proxies: the left-most is the best known.
        assert_eq!(resolve(proxy, &xff("10.1.1.1, 10.0.0.1"), &trusted), Some(ip("10.1.1.1")));
        // No header: the proxy itself.
        assert_eq!(resolve(proxy, &HeaderMap::new(), &trusted), proxy);
        // Garbage ends the chain at the last vouched-for address.
        assert_eq!(resolve(proxy, &xff("198.51.100.7, nonsense"), &trusted), proxy);
        // Forwarded wins over X-Forwarded-For, with ports, quotes and IPv6.
        let forwarded = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("forwarded", "for=6.6.6.6, for=\"[2001:db9::17]:4711\";proto=https, for=10.0.0.1:80;by=10.0.0.2"),
        ]);
        assert_eq!(resolve(proxy, &forwarded, &trusted), Some(ip("2001:db9::17")));
        // An IPv4 peer seen on an IPv6 socket.
        assert_eq!(resolve(Some(ip("::ffff:10.0.0.2")), &xff("198.51.100.9"), &trusted), Some(ip("198.51.100.9")));
    }
}
