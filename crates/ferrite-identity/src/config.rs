//! Identity settings (the `[tokens]` table of the configuration).

use std::time::Duration;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::keys::Algorithm;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenConfig {
    /// Access-token lifetime (Nexar: 24 h).
    #[serde(with = "humantime_serde")]
    pub access_token_lifetime: Duration,
    #[serde(with = "humantime_serde")]
    pub refresh_token_lifetime: Duration,
    /// How long a regenerated client secret's predecessor keeps working.
    #[serde(with = "humantime_serde")]
    pub secret_overlap: Duration,
    /// Signing algorithm for new keys: RS256, ES256 or EdDSA.
    pub algorithm: Algorithm,
    /// How long a portal sign-in lasts.
    #[serde(with = "humantime_serde")]
    pub session_lifetime: Duration,
    /// How often each node re-reads keys, revocations and deleted apps from the store.
    #[serde(with = "humantime_serde")]
    pub cache_refresh: Duration,
    /// Failed client authentications or sign-ins allowed per client or email *from one address*
    /// within a minute. An attacker's failures lock out only the attacker's address.
    pub max_failures_per_minute: u32,
    /// Failed attempts allowed within a minute per client or email from all addresses together,
    /// and per address for all clients and emails together: what stops a distributed attack.
    pub max_global_failures_per_minute: u32,
    /// Sign-ups allowed per address within an hour.
    pub max_sign_ups_per_hour: u32,
    /// Reverse proxies (addresses or CIDR ranges) whose `Forwarded` / `X-Forwarded-For` is
    /// believed: for a request from one of them, the client is the right-most address there that
    /// is not a trusted proxy. From any other peer these headers are ignored.
    #[serde(with = "networks")]
    pub trusted_proxies: Vec<IpNet>,
}

impl Default for TokenConfig {
    fn default() -> Self {
        Self {
            access_token_lifetime: Duration::from_secs(24 * 3600),
            refresh_token_lifetime: Duration::from_secs(30 * 24 * 3600),
            secret_overlap: Duration::from_secs(24 * 3600),
            algorithm: Algorithm::RS256,
            session_lifetime: Duration::from_secs(7 * 24 * 3600),
            cache_refresh: Duration::from_secs(2),
            max_failures_per_minute: 10,
            max_global_failures_per_minute: 100,
            max_sign_ups_per_hour: 10,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Networks as text: `10.0.0.0/8`, `2001:db8::/32`, or a single address.
mod networks {
    use std::net::IpAddr;

    use ipnet::IpNet;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(networks: &[IpNet], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(networks.iter().map(ToString::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<IpNet>, D::Error> {
        Vec::<String>::deserialize(deserializer)?
            .iter()
            .map(|text| {
                text.parse::<IpNet>()
                    .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| D::Error::custom(format!("`{text}` is not an address or CIDR range")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_read_as_addresses_or_ranges() {
        let config: TokenConfig =
            serde_json::from_str(r#"{"trusted_proxies": ["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]}"#).unwrap();
        let shown: Vec<String> = config.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]);
        let err = serde_json::from_str::<TokenConfig>(r#"{"trusted_proxies": ["proxy.local"]}"#).unwrap_err();
        assert!(err.to_string().contains("`proxy.local` is not an address or CIDR range"), "{err}");
    }
}
