//! Identity settings (the `[tokens]` table of the configuration).

use std::time::Duration;

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
    /// Failed client authentications or sign-ins allowed per client, email or IP within a minute.
    pub max_failures_per_minute: u32,
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
        }
    }
}
