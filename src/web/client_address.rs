//! Whose address a request comes from, for sign-in throttling. Behind Fly.io's proxy every
//! connection comes from the proxy, so counting failures per peer would lock out everyone at
//! once; the proxy says who its client was in `Fly-Client-IP` and `X-Forwarded-For`. Those
//! headers are believed only when the connection itself comes from a proxy named in
//! `HOTLINE_TRUSTED_PROXIES`: from anyone else they are whatever a guesser chose to write.
//! Pure: the peer and the headers are arguments.

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::HeaderMap;

/// One address or network, `10.0.0.0/8`, `fdaa::/16` or `203.0.113.7`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address
            .trim()
            .parse()
            .map_err(|_| format!("{text:?} is not an IP address or network"))?;
        let address = address.to_canonical();
        let longest = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => longest,
            Some(prefix) => prefix
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= longest)
                .ok_or_else(|| format!("{text:?} has no valid prefix length"))?,
        };
        Ok(Network { address, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The proxies whose word on the client's address is taken; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Arc<[Network]>);

impl TrustedProxies {
    /// A comma-separated list of addresses and networks; empty trusts no one.
    pub fn parse(list: &str) -> Result<Self, String> {
        let networks = list
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(Network::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustedProxies(networks.into()))
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(ip))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy, when it is
    /// `Fly-Client-IP` or else the right-most entry of `X-Forwarded-For` that is not itself a
    /// trusted proxy (entries left of it were written by whoever sent the request).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let fly = headers
            .get("fly-client-ip")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<IpAddr>().ok());
        if let Some(client) = fly {
            return client.to_canonical();
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        for entry in forwarded.iter().rev() {
            let Ok(ip) = entry.parse::<IpAddr>() else {
                // Past what a trusted proxy wrote: nothing further left can be believed.
                return peer;
            };
            let ip = ip.to_canonical();
            if !self.trusts(ip) {
                return ip;
            }
        }
        peer
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_str(value).expect("a value"));
        }
        headers
    }

    #[test]
    fn with_no_trusted_proxy_the_peer_is_the_client_whatever_the_headers_say() {
        let trusted = TrustedProxies::parse("").expect("empty is fine");
        let spoofed = headers(&[
            ("fly-client-ip", "198.51.100.1"),
            ("x-forwarded-for", "198.51.100.2"),
        ]);
        assert_eq!(
            trusted.client(ip("203.0.113.9"), &spoofed),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_spoofed_header_from_an_untrusted_peer_is_ignored() {
        let trusted = TrustedProxies::parse("172.16.0.0/12, fdaa::/16").expect("parsed");
        let spoofed = headers(&[
            ("fly-client-ip", "198.51.100.1"),
            ("x-forwarded-for", "198.51.100.2"),
        ]);
        assert_eq!(
            trusted.client(ip("203.0.113.9"), &spoofed),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_fly_client_ip_names_the_client() {
        let trusted = TrustedProxies::parse("fdaa::/16").expect("parsed");
        let from_fly = headers(&[
            ("fly-client-ip", "198.51.100.1"),
            ("x-forwarded-for", "6.6.6.6, 198.51.100.1"),
        ]);
        assert_eq!(
            trusted.client(ip("fdaa:0:1::5"), &from_fly),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn without_fly_client_ip_the_rightmost_untrusted_forwarded_entry_is_the_client() {
        let trusted = TrustedProxies::parse("10.0.0.0/8,192.0.2.1").expect("parsed");
        // The guesser wrote 6.6.6.6 herself; the proxies appended what they saw.
        let forwarded = headers(&[
            ("x-forwarded-for", "6.6.6.6, 198.51.100.7"),
            ("x-forwarded-for", "192.0.2.1"),
        ]);
        assert_eq!(
            trusted.client(ip("10.1.2.3"), &forwarded),
            ip("198.51.100.7")
        );
        let garbled = headers(&[("x-forwarded-for", "6.6.6.6, not-an-address")]);
        assert_eq!(trusted.client(ip("10.1.2.3"), &garbled), ip("10.1.2.3"));
        assert_eq!(
            trusted.client(ip("10.1.2.3"), &HeaderMap::new()),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn networks_are_read_strictly_and_match_by_prefix() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
        let trusted = TrustedProxies::parse(" 10.0.0.0/8 , ::1 ").expect("parsed");
        assert!(trusted.trusts(ip("10.255.0.1")));
        assert!(
            trusted.trusts(ip("::ffff:10.0.0.1")),
            "IPv4 mapped into IPv6"
        );
        assert!(!trusted.trusts(ip("11.0.0.1")));
        assert!(trusted.trusts(ip("::1")));
        assert!(!trusted.trusts(ip("::2")));
        assert!(
            TrustedProxies::parse("0.0.0.0/0")
                .expect("parsed")
                .trusts(ip("1.2.3.4"))
        );
    }
}
