//! Live distributor connectors (`[[connectors]]`): each calls one distributor's API with the
//! operator's own credentials, within that distributor's budget, and reads its answers with the
//! feed adapter of the same distributor, so a live answer and a recorded one become the same
//! parts. What each API is asked, and how, is in `docs/connectors.md`.
//!
//! A kind's module only builds requests and reads answers ([`Api`]); every call goes through
//! [`Calls`], which [`live`] implements: it spends the budget in the store first, sends the
//! request once (no retry: a retry would be another call), and sorts the answer's status into
//! a [`CallError`] the scheduler backs off on.

mod digikey;
mod element14;
pub mod live;
mod mouser;
mod nexar;
mod oauth;
mod tme;

use std::{fmt, time::Duration};

use ferrite_store::CallBudget;
use reqwest::blocking::RequestBuilder;
use serde::{Deserialize, Serialize};

use crate::{
    feeds::{FeedError, PartSink, merge::PartMerger},
    model::{FeedPart, Location},
};

/// A credential from the configuration: never written by `Debug`, `Display` or `Serialize`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(secrecy::SecretString);

impl Secret {
    pub fn new(value: &str) -> Secret {
        Secret(value.into())
    }

    pub(crate) fn expose(&self) -> &str {
        use secrecy::ExposeSecret;
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("[redacted]")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorKind {
    Digikey,
    Mouser,
    Tme,
    Element14,
    Nexar,
}

/// What a kind needs and what it gets unless configured: the distributor's published budget
/// (see `docs/connectors.md`) and its production URLs.
struct KindDefaults {
    per_minute: u32,
    per_day: u32,
    base_url: &'static str,
    token_url: Option<&'static str>,
    /// The credentials it cannot work without, by their configuration keys.
    needs: &'static [&'static str],
}

impl ConnectorKind {
    pub fn name(self) -> &'static str {
        match self {
            ConnectorKind::Digikey => "digikey",
            ConnectorKind::Mouser => "mouser",
            ConnectorKind::Tme => "tme",
            ConnectorKind::Element14 => "element14",
            ConnectorKind::Nexar => "nexar",
        }
    }

    fn defaults(self) -> KindDefaults {
        match self {
            ConnectorKind::Digikey => KindDefaults {
                per_minute: 120,
                per_day: 1000,
                base_url: "https://api.digikey.com",
                token_url: Some("https://api.digikey.com/v1/oauth2/token"),
                needs: &["client_id", "client_secret"],
            },
            ConnectorKind::Mouser => KindDefaults {
                per_minute: 30,
                per_day: 1000,
                base_url: "https://api.mouser.com",
                token_url: None,
                needs: &["api_key"],
            },
            ConnectorKind::Tme => KindDefaults {
                per_minute: 120,
                per_day: 10_000,
                base_url: "https://api.tme.eu",
                token_url: None,
                needs: &["token", "app_secret"],
            },
            ConnectorKind::Element14 => KindDefaults {
                per_minute: 120,
                per_day: 1000,
                base_url: "https://api.element14.com",
                token_url: None,
                needs: &["api_key"],
            },
            ConnectorKind::Nexar => KindDefaults {
                per_minute: 60,
                per_day: 1000,
                base_url: "https://api.nexar.com",
                token_url: Some("https://identity.nexar.com/connect/token"),
                needs: &["client_id", "client_secret"],
            },
        }
    }
}

/// One `[[connectors]]` table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorConfig {
    pub kind: ConnectorKind,
    /// The feed its offers are filed under and the name reports give it; the kind's by default.
    pub name: Option<String>,
    pub client_id: Option<Secret>,
    pub client_secret: Option<Secret>,
    pub api_key: Option<Secret>,
    /// TME's application token and the secret its requests are signed with.
    pub token: Option<Secret>,
    pub app_secret: Option<Secret>,
    /// The distributor's site or country (`US`, `DE`, `GB`...), language and currency of prices.
    #[serde(default = "default_country")]
    pub country: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_currency")]
    pub currency: String,
    /// element14's store (`storeInfo.id`): `uk.farnell.com`, `www.newark.com`, `au.element14.com`...
    pub store: Option<String>,
    /// The API's base URL and token endpoint: the production ones unless set (a sandbox, a proxy,
    /// a test's replay server).
    pub base_url: Option<String>,
    pub token_url: Option<String>,
    /// Calls per minute and per UTC day, at most; the distributor's published limits by default.
    pub per_minute: Option<u32>,
    pub per_day: Option<u32>,
    /// Offers from this connector older than this are stale: a part an answer touches is queued.
    #[serde(default = "default_max_age", with = "humantime_serde")]
    pub max_age: Duration,
    /// Longest one call may take.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
}

fn default_country() -> String {
    "US".into()
}
fn default_language() -> String {
    "en".into()
}
fn default_currency() -> String {
    "USD".into()
}
fn default_max_age() -> Duration {
    Duration::from_secs(24 * 3600)
}
fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

impl ConnectorConfig {
    /// A connector of `kind` with its defaults and no credentials (tests fill them in).
    pub fn new(kind: ConnectorKind) -> ConnectorConfig {
        ConnectorConfig {
            kind,
            name: None,
            client_id: None,
            client_secret: None,
            api_key: None,
            token: None,
            app_secret: None,
            country: default_country(),
            language: default_language(),
            currency: default_currency(),
            store: None,
            base_url: None,
            token_url: None,
            per_minute: None,
            per_day: None,
            max_age: default_max_age(),
            timeout: default_timeout(),
        }
    }

    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(self.kind.name())
    }

    pub fn budget(&self) -> CallBudget {
        let defaults = self.kind.defaults();
        CallBudget {
            per_minute: self.per_minute.unwrap_or(defaults.per_minute),
            per_day: self.per_day.unwrap_or(defaults.per_day),
        }
    }

    fn base_url(&self) -> String {
        self.base_url.as_deref().unwrap_or(self.kind.defaults().base_url).trim_end_matches('/').to_owned()
    }

    fn token_url(&self) -> String {
        self.token_url.clone().or_else(|| self.kind.defaults().token_url.map(str::to_owned)).unwrap_or_default()
    }

    fn credential(&self, key: &str) -> Option<&Secret> {
        match key {
            "client_id" => self.client_id.as_ref(),
            "client_secret" => self.client_secret.as_ref(),
            "api_key" => self.api_key.as_ref(),
            "token" => self.token.as_ref(),
            "app_secret" => self.app_secret.as_ref(),
            _ => None,
        }
    }

    /// The credential `key`, which [`ConnectorConfig::validate`] made sure is there.
    fn secret(&self, key: &str) -> &str {
        self.credential(key).map_or("", Secret::expose)
    }

    pub fn validate(&self) -> Result<(), String> {
        let name = self.name();
        for key in self.kind.defaults().needs {
            if self.credential(key).is_none_or(|s| s.expose().trim().is_empty()) {
                return Err(format!("connector `{name}` ({}) needs `{key}`", self.kind.name()));
            }
        }
        if name.trim().is_empty() {
            return Err("a connector's `name` may not be empty".into());
        }
        if self.timeout.is_zero() {
            return Err(format!("connector `{name}`: `timeout` must be more than 0"));
        }
        for url in [self.base_url.as_deref(), self.token_url.as_deref()].into_iter().flatten() {
            let parsed =
                url::Url::parse(url).map_err(|err| format!("connector `{name}`: `{url}` is not a URL: {err}"))?;
            if !matches!(parsed.scheme(), "https" | "http") {
                return Err(format!("connector `{name}`: `{url}` is not an http(s) URL"));
            }
        }
        Ok(())
    }
}

/// Why a call, or a lookup, failed: sentences for the operator, never a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("the budget is spent until {until}")]
    BudgetSpent { until: chrono::DateTime<chrono::Utc> },
    #[error("the credentials were refused: {0}")]
    Refused(String),
    #[error("rate limited (HTTP 429){}", retry_after.map(|d| format!(", retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    #[error("the API failed: {0}")]
    Upstream(String),
    #[error("no answer: {0}")]
    Transport(String),
    #[error("an answer that cannot be read: {0}")]
    Malformed(String),
}

impl CallError {
    /// The name `/metrics` counts it under.
    pub fn kind(&self) -> &'static str {
        match self {
            CallError::BudgetSpent { .. } => "budget",
            CallError::Refused(_) => "refused",
            CallError::RateLimited { .. } => "rate_limited",
            CallError::Upstream(_) => "upstream",
            CallError::Transport(_) => "transport",
            CallError::Malformed(_) => "malformed",
        }
    }
}

/// An answer with a status the API's module reads itself (2xx, and 404: "no such product").
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Result<serde_json::Value, CallError> {
        serde_json::from_slice(&self.body).map_err(|err| CallError::Malformed(format!("not JSON: {err}")))
    }
}

/// How a kind's module makes its calls (see the module's comment).
pub(crate) trait Calls {
    /// One call of the API, counted against the budget.
    fn call(&mut self, request: RequestBuilder) -> Result<Answer, CallError>;
    /// A call of the token endpoint, which the budget does not count.
    fn token(&mut self, request: RequestBuilder) -> Result<Answer, CallError>;
    fn request(&self, method: reqwest::Method, url: &str) -> RequestBuilder;
}

/// One distributor's API: builds requests, reads answers.
pub(crate) trait Api: Send + Sync {
    /// Looks `mpn` up: the parts the distributor answers with, none when it does not know it.
    fn lookup(&self, mpn: &str, calls: &mut dyn Calls) -> Result<Vec<FeedPart>, CallError>;
}

pub(crate) fn api(config: &ConnectorConfig) -> Box<dyn Api> {
    match config.kind {
        ConnectorKind::Digikey => Box::new(digikey::DigiKey::new(config)),
        ConnectorKind::Mouser => Box::new(mouser::Mouser::new(config)),
        ConnectorKind::Tme => Box::new(tme::Tme::new(config)),
        ConnectorKind::Element14 => Box::new(element14::Element14::new(config)),
        ConnectorKind::Nexar => Box::new(nexar::Nexar::new(config)),
    }
}

/// A feed adapter's reader of one answer (its bytes and the name it is read under).
type Parse = fn(&[u8], &str, &mut PartMerger, &mut dyn PartSink) -> Result<(), FeedError>;

/// Collects the parts an answer gives; a skipped record is logged.
#[derive(Default)]
pub(crate) struct Collected {
    pub parts: Vec<FeedPart>,
}

impl PartSink for Collected {
    fn part(&mut self, part: FeedPart) -> Result<(), FeedError> {
        self.parts.push(part);
        Ok(())
    }
    fn skip(&mut self, at: Location, reason: String) {
        tracing::debug!(%at, reason, "a connector's answer held a record that could not be read");
    }
    fn progress(&mut self, _: u64, _: Option<u64>) {}
}

/// The parts of one answer, read by `parse` (the distributor's feed adapter) under `label`.
pub(crate) fn read_answer(parse: Parse, label: &str, body: &[u8]) -> Result<Vec<FeedPart>, CallError> {
    let mut merger = PartMerger::default();
    let mut sink = Collected::default();
    parse(body, label, &mut merger, &mut sink).map_err(|err| CallError::Malformed(err.to_string()))?;
    merger.emit(&mut sink).map_err(|err| CallError::Malformed(err.to_string()))?;
    Ok(sink.parts)
}

/// `text` for a URL's path or query.
pub(crate) fn escape(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows() {
        let mut config = ConnectorConfig::new(ConnectorKind::Mouser);
        config.api_key = Some(Secret::new("hunter2-key"));
        assert!(!format!("{config:?}").contains("hunter2"));
        assert!(!serde_json::to_string(&config).unwrap().contains("hunter2"));
        assert_eq!(config.secret("api_key"), "hunter2-key");
    }

    #[test]
    fn each_kind_names_the_credentials_it_needs() {
        let config = ConnectorConfig::new(ConnectorKind::Digikey);
        assert_eq!(config.validate().unwrap_err(), "connector `digikey` (digikey) needs `client_id`");
        let mut config = ConnectorConfig::new(ConnectorKind::Tme);
        config.token = Some(Secret::new("t"));
        assert_eq!(config.validate().unwrap_err(), "connector `tme` (tme) needs `app_secret`");
        config.app_secret = Some(Secret::new("s"));
        config.base_url = Some("ftp://example.com".into());
        assert!(config.validate().unwrap_err().contains("not an http(s) URL"));
        config.base_url = None;
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(config.budget(), CallBudget { per_minute: 120, per_day: 10_000 });
    }
}
