//! Typed, layered configuration: built-in defaults < TOML file < `FERRITE_*` environment < flags.
//! Everything is validated before anything starts; an unknown key or a bad value names itself.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use ferrite_supply::{feeds::Adapter, import::Mode, schedule::ScheduledFeed};
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};
use url::Url;

/// Environment variables with this prefix that name a setting are configuration (`FERRITE_DATA_DIR`
/// → `data_dir`; `__` separates nested keys). Others are not read: the harness variables
/// (`FERRITE_CONFIG`, `FERRITE_BIN`, `FERRITE_TEST_*`) silently, anything else with a warning.
const ENV_PREFIX: &str = "FERRITE_";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Holds the SQLite database, the search index and anything else kept on disk.
    pub data_dir: PathBuf,
    /// The address the server listens on.
    pub listen: SocketAddr,
    /// The URL clients reach this server at; the OAuth issuer. Defaults to `http://<listen>`.
    pub public_url: Option<Url>,
    /// `sqlite://...` or `postgres://...`; defaults to a SQLite file in the data directory.
    pub database_url: Option<DatabaseUrl>,
    /// Connections the store may open.
    pub database_max_connections: u32,
    /// How long in-flight requests may take to finish after SIGINT/SIGTERM.
    #[serde(with = "humantime_serde")]
    pub shutdown_timeout: Duration,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// A tracing filter, such as `info` or `ferrite=debug,info`.
    pub log: String,
    pub log_format: LogFormat,
    /// Connection timeouts and limits (`[http]`).
    pub http: crate::connections::HttpConfig,
    /// OAuth tokens, keys, sessions and throttling.
    pub tokens: ferrite_identity::TokenConfig,
    /// Feeds the server refreshes on schedule (`[[feeds]]`: name, adapter, source, every, mode).
    pub feeds: Vec<FeedConfig>,
    /// Units of each currency one US dollar buys (`EUR = 0.92`): each overrides that currency's
    /// rate in the built-in table and the rate feed's. Only `USD = 1` by default.
    pub currency_rates: ferrite_core::money::ExchangeRates,
    /// What Ferrite knows of sellers (`[[sellers]]`: name, authorized, broker, homepage, country),
    /// over its built-in table of the major distributors, field by field. `authorized` applies to
    /// offers whose feed does not say.
    pub sellers: Vec<ferrite_supply::sellers::SellerFacts>,
    /// Which spellings name one manufacturer (`[[manufacturers]]`: name, aliases), over the
    /// built-in alias table: parts of any spelling are filed under `name`, and a BOM's
    /// manufacturer column finds it by any of them.
    pub manufacturers: Vec<ferrite_supply::manufacturers::ManufacturerEntry>,
    /// The daily exchange-rate feed (`[exchange_rates]`: refresh, feed_url, refresh_every).
    pub exchange_rates: ferrite_supply::rates::RatesFeed,
    /// How every outgoing fetch connects, waits and retries (`[fetch]`: connect_timeout, timeout,
    /// retries, backoff, max_retry_after, extra_root_certificates).
    pub fetch: ferrite_supply::http::HttpOptions,
    /// Live distributor connectors (`[[connectors]]`: kind, name, credentials, country, language,
    /// currency, store, per_minute, per_day, max_age, timeout, base_url, token_url): see
    /// `docs/connectors.md`.
    pub connectors: Vec<ferrite_supply::connectors::ConnectorConfig>,
    /// The supply plan catalogue (`[[plans]]` tables replace the defaults as a whole): unique
    /// names, exactly one `lifetime` (evaluation) plan.
    pub plans: Vec<ferrite_core::plan::Plan>,
    /// Bytes of uploaded design files waiting to become projects (`POST /files/upload`), at most:
    /// `pending_bytes_per_person` (default 50 MiB), `pending_bytes_per_org` (200 MiB).
    pub uploads: ferrite_graphql::design::upload::UploadLimits,
    /// Which other origins' pages may call the API and the OAuth endpoints (`[cors]`).
    pub cors: crate::cors::CorsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./ferrite-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            database_url: None,
            database_max_connections: 16,
            shutdown_timeout: Duration::from_secs(10),
            max_body_bytes: 1 << 20,
            // The libraries' own progress (tantivy's merges, sqlx's statements) only when asked.
            log: "info,tantivy=warn,sqlx=warn".into(),
            log_format: LogFormat::Text,
            http: crate::connections::HttpConfig::default(),
            tokens: ferrite_identity::TokenConfig::default(),
            currency_rates: ferrite_core::money::ExchangeRates::default(),
            exchange_rates: ferrite_supply::rates::RatesFeed::default(),
            fetch: ferrite_supply::http::HttpOptions::default(),
            feeds: Vec::new(),
            connectors: Vec::new(),
            sellers: Vec::new(),
            manufacturers: Vec::new(),
            plans: ferrite_core::plan::PlanCatalogue::default().plans().to_vec(),
            uploads: ferrite_graphql::design::upload::UploadLimits::default(),
            cors: crate::cors::CorsConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// A feed the server refreshes on its own (`[[feeds]]` in the configuration).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    pub name: String,
    /// jlcparts, nexar-json, digikey-v4, kitspace-partinfo, csv, tme, element14 or mouser.
    pub adapter: String,
    /// A path, or an http:// or https:// base URL for jlcparts.
    pub source: String,
    /// How often it is re-run.
    #[serde(with = "humantime_serde", default = "daily")]
    pub every: Duration,
    /// snapshot (offers the source no longer lists are removed) or incremental.
    #[serde(default)]
    pub mode: Option<ModeArg>,
}

fn daily() -> Duration {
    Duration::from_secs(24 * 3600)
}

/// An import mode as the configuration and the command line spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModeArg {
    Snapshot,
    Incremental,
}

/// The mode chosen, else the adapter's own.
pub fn import_mode(adapter: Adapter, chosen: Option<ModeArg>) -> Mode {
    match chosen {
        Some(ModeArg::Snapshot) => Mode::Snapshot,
        Some(ModeArg::Incremental) => Mode::Incremental,
        None => Mode::default_for(adapter),
    }
}

impl FeedConfig {
    pub fn validate(&self) -> Result<(), String> {
        self.adapter.parse::<Adapter>().map_err(|err| format!("feed `{}`: {err}", self.name))?;
        if self.name.trim().is_empty() {
            return Err("a feed needs a name".into());
        }
        if self.every < Duration::from_secs(60) {
            return Err(format!("feed `{}`: `every` must be at least 1m", self.name));
        }
        Ok(())
    }

    /// The feed for the schedule; `None` if its adapter is unknown (which `validate` refuses).
    pub fn scheduled(&self) -> Option<ScheduledFeed> {
        let adapter = self.adapter.parse::<Adapter>().ok()?;
        Some(ScheduledFeed {
            name: self.name.clone(),
            adapter,
            source: self.source.clone(),
            every: self.every,
            mode: import_mode(adapter, self.mode),
        })
    }
}

/// A database URL. It may carry a password, so `Debug` and `Display` show it redacted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL itself, for the driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", ferrite_store::redact_url(&self.0))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&ferrite_store::redact_url(&self.0))
    }
}

/// Settings given on the command line: the top layer. Unset flags leave lower layers alone.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Reads every layer: defaults, then `file`, then the process environment, then `overrides`.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(ConfigError::MissingFile(file.to_owned()));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        let settings = setting_names();
        let env = Env::prefixed(ENV_PREFIX).filter(move |key| settings.contains(&top_level(key.as_str()))).split("__");
        figment = figment.merge(env).merge(Serialized::defaults(overrides));
        let config: Config = figment.extract().map_err(|err| ConfigError::Invalid(describe(err)))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |msg: String| Err(ConfigError::Invalid(msg));
        if self.data_dir.as_os_str().is_empty() {
            return invalid("`data_dir` must not be empty".into());
        }
        if let Some(url) = &self.public_url
            && (!matches!(url.scheme(), "http" | "https") || url.query().is_some() || url.fragment().is_some())
        {
            return invalid(format!("`public_url` must be an http(s) URL without query or fragment, not `{url}`"));
        }
        if let Some(url) = &self.database_url {
            ferrite_store::Backend::from_url(url.expose()).map_err(|_| {
                ConfigError::Invalid(format!("`database_url` must start with sqlite:// or postgres://, not `{url}`"))
            })?;
        }
        if self.database_max_connections == 0 {
            return invalid("`database_max_connections` must be at least 1".into());
        }
        if self.tokens.access_token_lifetime < Duration::from_secs(60) {
            return invalid("`tokens.access_token_lifetime` must be at least 1m".into());
        }
        if self.tokens.cache_refresh > Duration::from_secs(5) || self.tokens.cache_refresh.is_zero() {
            return invalid(
                "`tokens.cache_refresh` must be between 1ms and 5s (revocations must apply within 5 s)".into(),
            );
        }
        self.plan_catalogue()?;
        for feed in &self.feeds {
            feed.validate().map_err(|err| ConfigError::Invalid(format!("`feeds`: {err}")))?;
        }
        let mut names = std::collections::HashSet::new();
        for connector in &self.connectors {
            connector.validate().map_err(|err| ConfigError::Invalid(format!("`connectors`: {err}")))?;
            if !names.insert(connector.name()) {
                return invalid(format!("`connectors`: two connectors are named `{}`", connector.name()));
            }
        }
        ferrite_supply::sellers::validate(&self.sellers)
            .map_err(|err| ConfigError::Invalid(format!("`sellers`: {err}")))?;
        ferrite_supply::manufacturers::validate(&self.manufacturers)
            .map_err(|err| ConfigError::Invalid(format!("`manufacturers`: {err}")))?;
        self.currency_rates.validate().map_err(|err| ConfigError::Invalid(format!("`currency_rates`: {err}")))?;
        self.exchange_rates.validate().map_err(ConfigError::Invalid)?;
        self.fetch.validate().map_err(ConfigError::Invalid)?;
        self.http.validate().map_err(ConfigError::Invalid)?;
        if self.max_body_bytes < 1024 {
            return invalid("`max_body_bytes` must be at least 1024".into());
        }
        tracing_subscriber::EnvFilter::try_new(&self.log)
            .map_err(|err| ConfigError::Invalid(format!("`log` is not a valid filter: {err}")))?;
        Ok(())
    }

    /// The configured plans as a validated catalogue.
    pub fn plan_catalogue(&self) -> Result<ferrite_core::plan::PlanCatalogue, ConfigError> {
        ferrite_core::plan::PlanCatalogue::new(self.plans.clone())
            .map_err(|err| ConfigError::Invalid(format!("`plans`: {err}")))
    }

    /// How the catalogue compares prices, tells authorized sellers and names manufacturers:
    /// `currency_rates`, `[[sellers]]` and `[[manufacturers]]`.
    pub fn catalogue_options(&self) -> ferrite_supply::catalogue::CatalogueOptions {
        let sellers = ferrite_supply::sellers::SellerTable::new(&self.sellers);
        ferrite_supply::catalogue::CatalogueOptions {
            manufacturers: ferrite_supply::manufacturers::alias_table(&self.manufacturers),
            ..ferrite_supply::catalogue::CatalogueOptions::configured(self.currency_rates.clone(), sellers)
        }
    }

    /// The database to open: the configured URL, or a SQLite file in the data directory.
    pub fn database_url(&self) -> DatabaseUrl {
        self.database_url
            .clone()
            .unwrap_or_else(|| DatabaseUrl::new(format!("sqlite://{}", self.data_dir.join("ferrite.db").display())))
    }

    /// The public URL, defaulting to the address actually bound (which matters for port 0).
    pub fn public_url_for(&self, bound: SocketAddr) -> Url {
        self.public_url
            .clone()
            .unwrap_or_else(|| Url::parse(&format!("http://{bound}")).expect("a socket address makes a URL"))
    }
}

/// The top-level setting names: the fields of [`Config`] (`None` serializes as `null`, so every
/// field is a key).
fn setting_names() -> Vec<String> {
    match serde_json::to_value(Config::default()) {
        Ok(serde_json::Value::Object(fields)) => fields.into_iter().map(|(name, _)| name).collect(),
        _ => unreachable!("Config serializes as a map"),
    }
}

/// The setting a variable names once its prefix is gone: `tokens__algorithm` → `tokens`.
fn top_level(key: &str) -> String {
    key.split("__").next().unwrap_or_default().to_ascii_lowercase()
}

/// Variables of the test and benchmark harnesses, never settings.
fn is_harness_var(key: &str) -> bool {
    key == "config" || key == "bin" || key.starts_with("test_")
}

/// The `FERRITE_*` variables among `names` that are neither settings nor harness variables: not read, and
/// worth a warning (a typo such as `FERRITE_DATA_DRI` would otherwise go unnoticed).
pub fn ignored_env_vars(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let settings = setting_names();
    names
        .into_iter()
        .filter_map(|name| {
            let key = name.strip_prefix(ENV_PREFIX)?.to_ascii_lowercase();
            (!is_harness_var(&key) && !settings.contains(&top_level(&key))).then_some(name)
        })
        .collect()
}

/// figment's error, with every problem on its own line and no secret values.
fn describe(err: figment::Error) -> String {
    use figment::error::Kind;
    err.into_iter()
        .map(|mut e| {
            let secret = e.path.iter().any(|p| p.contains("url") || p.contains("secret") || p.contains("password"));
            // The value itself may be a credential: say what is wrong with it, not what it is.
            if let (true, Kind::InvalidType(_, expected) | Kind::InvalidValue(_, expected)) = (secret, &e.kind) {
                e.kind = Kind::Message(format!("invalid value, expected {expected}"));
            }
            e.to_string()
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use figment::Jail;

    use super::*;

    /// Loads with the given environment (figment's Jail sets it and restores it afterwards).
    #[allow(clippy::result_large_err)] // figment's Jail fixes the closure's error type
    fn load_with(vars: &[(&str, &str)], file: Option<&str>, flags: &Overrides) -> Result<Config, ConfigError> {
        let mut result = None;
        Jail::expect_with(|jail| {
            jail.clear_env();
            for (key, value) in vars {
                jail.set_env(key, value);
            }
            let path = file.map(|text| {
                jail.create_file("ferrite.toml", text).unwrap();
                jail.directory().join("ferrite.toml")
            });
            result = Some(Config::load(path.as_deref(), flags));
            Ok(())
        });
        result.unwrap()
    }

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        load_with(vars, None, &Overrides::default())
    }

    #[test]
    fn defaults_need_no_configuration() {
        let config = load(&[]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.data_dir, PathBuf::from("./ferrite-data"));
        assert_eq!(config.public_url_for(config.listen).as_str(), "http://127.0.0.1:8080/");
        assert_eq!(config.database_url().expose(), "sqlite://./ferrite-data/ferrite.db");
    }

    #[test]
    fn layers_apply_in_order_file_env_flags() {
        let file = Some("listen = \"127.0.0.1:9001\"\ndata_dir = \"/srv/file\"\nlog = \"debug\"\n");
        let from_file = load_with(&[], file, &Overrides::default()).unwrap();
        assert_eq!(from_file.listen.port(), 9001);
        assert_eq!(from_file.log, "debug");

        let vars = [("FERRITE_LISTEN", "127.0.0.1:9002"), ("FERRITE_DATA_DIR", "/srv/env")];
        let from_env = load_with(&vars, file, &Overrides::default()).unwrap();
        assert_eq!(from_env.listen.port(), 9002);
        assert_eq!(from_env.data_dir, PathBuf::from("/srv/env"));
        assert_eq!(from_env.log, "debug", "the file still supplies what env does not");

        let flags = Overrides { listen: Some("127.0.0.1:9003".into()), ..Default::default() };
        let from_flags = load_with(&vars, file, &flags).unwrap();
        assert_eq!(from_flags.listen.port(), 9003);
        assert_eq!(from_flags.data_dir, PathBuf::from("/srv/env"));
    }

    #[test]
    fn nested_keys_come_from_tables_and_double_underscores() {
        let file = Some("[tokens]\naccess_token_lifetime = \"1h\"\n");
        let config = load_with(&[("FERRITE_TOKENS__ALGORITHM", "ES256")], file, &Overrides::default()).unwrap();
        assert_eq!(config.tokens.access_token_lifetime, Duration::from_secs(3600));
        assert_eq!(config.tokens.algorithm, ferrite_identity::Algorithm::ES256);
        let err = load(&[("FERRITE_TOKENS__ALGORITHM", "HS256")]).unwrap_err().to_string();
        assert!(err.to_lowercase().contains("algorithm"), "{err}");
        let err = load_with(&[], Some("[tokens]\nlifetime = \"1h\"\n"), &Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("lifetime"), "{err}");
    }

    #[test]
    fn plans_tables_replace_the_default_catalogue_and_are_validated() {
        let defaults = load(&[]).unwrap().plan_catalogue().unwrap();
        assert_eq!(defaults.get("Standard").unwrap().parts_per_month, 2_000);
        let file = "[[plans]]\nname = \"Trial\"\nparts_per_month = 500\nlifetime = true\n\n\
                    [[plans]]\nname = \"Team\"\nparts_per_month = 5000\nfeatures = [\"support\"]\n";
        let catalogue = load_with(&[], Some(file), &Overrides::default()).unwrap().plan_catalogue().unwrap();
        assert_eq!(catalogue.plans().len(), 2);
        assert_eq!(catalogue.evaluation().name, "Trial");
        assert!(!defaults.limits_rates() && !catalogue.limits_rates(), "unlimited unless an operator sets a limit");
        let limited = format!("{file}rate_limit = {{ requests_per_second = 20, burst = 40 }}\n");
        let catalogue = load_with(&[], Some(&limited), &Overrides::default()).unwrap().plan_catalogue().unwrap();
        let team = catalogue.get("Team").unwrap().rate_limit;
        assert_eq!(team, Some(ferrite_core::plan::RateLimit { requests_per_second: 20, burst: 40 }));
        for (bad, says) in [
            ("[[plans]]\nname = \"A\"\nparts_per_month = 1\n", "exactly one lifetime"),
            (
                "[[plans]]\nname = \"A\"\nparts_per_month = 1\nlifetime = true\n[[plans]]\nname = \"a\"\nparts_per_month = 2\n",
                "used twice",
            ),
            ("[[plans]]\nname = \"A\"\nparts = 1\n", "parts"),
            (
                "[[plans]]\nname = \"A\"\nparts_per_month = 1\nlifetime = true\nrate_limit = { requests_per_second = 0, burst = 5 }\n",
                "rate_limit",
            ),
            (
                "[[plans]]\nname = \"A\"\nparts_per_month = 1\nlifetime = true\nrate_limit = { requests_per_second = 5, burst = 0 }\n",
                "rate_limit",
            ),
            (
                "[[plans]]\nname = \"A\"\nparts_per_month = 1\nlifetime = true\nrate_limit = { per_second = 5 }\n",
                "per_second",
            ),
        ] {
            let err = load_with(&[], Some(bad), &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains("plans") && err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let err = load_with(&[], Some("listn = \"127.0.0.1:9001\"\n"), &Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("listn"), "{err}");
        let err = load(&[("FERRITE_TOKENS__LIFETIME", "1h")]).unwrap_err();
        assert!(err.to_string().contains("lifetime"), "a known table still refuses unknown keys: {err}");
    }

    #[test]
    fn only_settings_are_read_from_the_environment() {
        let vars = [
            ("FERRITE_TEST_POSTGRES_URL", "postgres://x"),
            ("FERRITE_CONFIG", "f.toml"),
            ("FERRITE_BIN", "/repo/target/debug/ferrite"),
            ("FERRITE_DATA_DRI", "/x"),
            ("FERRITE_LISTEN", "127.0.0.1:9004"),
            ("PATH", "/bin"),
        ];
        let config = load(&vars).unwrap();
        assert_eq!(config.listen.port(), 9004);
        assert_eq!(config.data_dir, PathBuf::from("./ferrite-data"));
        assert_eq!(
            ignored_env_vars(vars.iter().map(|(key, _)| key.to_string())),
            ["FERRITE_DATA_DRI"],
            "harness variables and settings pass silently"
        );
    }

    #[test]
    fn every_field_is_a_setting_name() {
        let names = setting_names();
        for name in ["data_dir", "public_url", "database_url", "http", "tokens", "plans"] {
            assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
        }
        let http = load(&[("FERRITE_HTTP__MAX_CONNECTIONS", "5"), ("FERRITE_HTTP__HEADER_TIMEOUT", "2s")]).unwrap();
        assert_eq!(http.http.max_connections, Some(5));
        assert_eq!(http.http.header_timeout, Duration::from_secs(2));
    }

    #[test]
    fn exchange_rates_and_fetching_have_defaults_and_are_validated() {
        let defaults = load(&[]).unwrap();
        assert!(defaults.exchange_rates.refresh);
        assert_eq!(defaults.exchange_rates.feed_url, ferrite_supply::rates::ECB_DAILY);
        assert_eq!(defaults.fetch.retries, 3);
        assert!(defaults.fetch.extra_root_certificates.is_empty());
        let file = "currency_rates = { EUR = 0.9 }\n[exchange_rates]\nrefresh = false\nrefresh_every = \"6h\"\n\
                    [fetch]\nconnect_timeout = \"5s\"\nretries = 0\n";
        let config = load_with(&[], Some(file), &Overrides::default()).unwrap();
        assert!(!config.exchange_rates.refresh);
        assert_eq!(config.exchange_rates.refresh_every, Duration::from_secs(6 * 3600));
        assert_eq!(config.fetch.connect_timeout, Duration::from_secs(5));
        assert_eq!(config.fetch.retries, 0);
        assert_eq!(config.currency_rates.0.get("EUR"), Some(&0.9));
        for (bad, says) in [
            ("[exchange_rates]\nfeed_url = \"ftp://ecb.example/x.xml\"\n", "exchange_rates.feed_url"),
            ("[exchange_rates]\nrefresh_every = \"1s\"\n", "exchange_rates.refresh_every"),
            ("[fetch]\nextra_root_certificates = [\"/nonexistent/ca.pem\"]\n", "fetch.extra_root_certificates"),
            ("[fetch]\ntimeout = \"0s\"\n", "fetch.timeout"),
            ("[fetch]\nproxy = \"x\"\n", "proxy"),
        ] {
            let err = load_with(&[], Some(bad), &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn manufacturers_tables_extend_the_alias_table_and_are_validated() {
        let file = "[[manufacturers]]\nname = \"Neutrik\"\naliases = [\"Rean\", \"REAN(雷恩)\"]\n";
        let config = load_with(&[], Some(file), &Overrides::default()).unwrap();
        let table = config.catalogue_options().manufacturers;
        assert_eq!(table.canonical_name("RE-AN"), "Neutrik");
        assert_eq!(table.canonical_name("muRata"), "Murata", "the built-in entries stay");
        for (bad, says) in [
            ("[[manufacturers]]\nname = \"X\"\nalias = [\"Y\"]\n", "alias"),
            (
                "[[manufacturers]]\nname = \"A\"\naliases = [\"AB\"]\n[[manufacturers]]\nname = \"B\"\naliases = [\"ab\"]\n",
                "both",
            ),
        ] {
            let err = load_with(&[], Some(bad), &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn sellers_tables_override_the_built_in_sellers_and_are_validated() {
        let file = "[[sellers]]\nname = \"LCSC\"\nauthorized = false\n\n\
                    [[sellers]]\nname = \"Chips R Us\"\nbroker = true\ncountry = \"HK\"\nhomepage = \"https://chips.example\"\n";
        let config = load_with(&[], Some(file), &Overrides::default()).unwrap();
        let table = config.catalogue_options().sellers;
        let lcsc = table.profile("LCSC", None);
        assert!(!lcsc.authorized, "the file overrides the built-in row");
        assert_eq!(lcsc.country.as_deref(), Some("CN"), "what it leaves out stays");
        let broker = table.profile("chips r us", None);
        assert!(broker.broker && !broker.authorized);
        assert!(load(&[]).unwrap().catalogue_options().sellers.profile("LCSC", None).authorized);
        for (bad, says) in [
            ("[[sellers]]\nname = \"X\"\nauthorised = true\n", "authorised"),
            ("[[sellers]]\nname = \"X\"\ncountry = \"Germany\"\n", "country"),
        ] {
            let err = load_with(&[], Some(bad), &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains("sellers") || err.contains(says), "{bad}: {err}");
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn bad_values_are_refused_by_name() {
        let cases = [
            ("FERRITE_LISTEN", "localhost", "listen"),
            ("FERRITE_SHUTDOWN_TIMEOUT", "soon", "shutdown_timeout"),
            ("FERRITE_PUBLIC_URL", "ftp://example.com", "public_url"),
            ("FERRITE_DATABASE_URL", "mysql://u:pw@h/db", "database_url"),
            ("FERRITE_LOG_FORMAT", "xml", "log_format"),
            ("FERRITE_LOG", "[[[", "log"),
            ("FERRITE_DATABASE_MAX_CONNECTIONS", "0", "database_max_connections"),
        ];
        for (key, value, named) in cases {
            let err = load(&[(key, value)]).unwrap_err().to_string();
            assert!(err.to_lowercase().contains(named), "{key}={value}: {err}");
        }
        let missing = Config::load(Some(Path::new("/nonexistent/ferrite.toml")), &Overrides::default());
        assert!(matches!(missing, Err(ConfigError::MissingFile(_))));
    }

    #[test]
    fn cors_origins_default_to_any_and_are_read_and_checked_by_name() {
        assert_eq!(load(&[]).unwrap().cors.allowed_origins, crate::cors::AllowedOrigins::Any);
        let file = Some("[cors]\nallowed_origins = [\"https://app.example.com\"]\n");
        let listed = load_with(&[], file, &Overrides::default()).unwrap();
        assert_eq!(
            listed.cors.allowed_origins,
            crate::cors::AllowedOrigins::Listed(vec!["https://app.example.com".into()])
        );
        let env = load(&[("FERRITE_CORS__ALLOWED_ORIGINS", "[\"http://localhost:3000\"]")]).unwrap();
        assert_eq!(env.cors.allowed_origins, crate::cors::AllowedOrigins::Listed(vec!["http://localhost:3000".into()]));
        let err = load_with(&[], Some("[cors]\nallowed_origins = [\"app.example.com\"]\n"), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("allowed_origins") && err.contains("app.example.com"), "{err}");
    }

    #[test]
    fn database_passwords_stay_out_of_debug_and_errors() {
        let config = load(&[("FERRITE_DATABASE_URL", "postgres://ferrite:hunter2@db/ferrite")]).unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("db/ferrite"));
        for bad in ["mysql://u:hunter2@h/db", "[\"postgres://u:hunter2@h/db\"]"] {
            let err = load(&[("FERRITE_DATABASE_URL", bad)]).unwrap_err().to_string();
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
}
