//! Opening a store: the backend is read from the URL scheme, each driver is configured for its role.

use std::{str::FromStr, time::Duration};

use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use url::Url;

use crate::{Pool, Store, StoreError, health::Health, metering::SqliteCharger};

/// How long a SQLite writer waits for another connection's write lock.
pub(crate) const BUSY_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        match url.split_once(':').map(|(scheme, _)| scheme) {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            _ => Err(StoreError::Unreachable {
                url: redact_url(url),
                reason: "the URL must start with sqlite:// or postgres://".into(),
            }),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub max_connections: u32,
    /// How long to wait for a connection before reporting the database unreachable.
    pub connect_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self { max_connections: 16, connect_timeout: Duration::from_secs(5) }
    }
}

impl Store {
    /// Opens the database named by `url` (`sqlite://path` or `postgres://...`), creating a SQLite file
    /// if it does not exist. Fails fast with `Unreachable` when the database cannot be reached.
    pub async fn connect(url: &str, options: &ConnectOptions) -> Result<Store, StoreError> {
        let unreachable = |err: sqlx::Error| StoreError::Unreachable { url: redact_url(url), reason: err.to_string() };
        let store = match Backend::from_url(url)? {
            Backend::Sqlite => {
                let main = SqliteConnectOptions::from_str(url).map_err(unreachable)?;
                let catalogue = main.clone().filename(beside(main.get_filename(), "catalogue"));
                let uploads = main.clone().filename(beside(main.get_filename(), "uploads"));
                let open = |connect: SqliteConnectOptions| {
                    SqlitePoolOptions::new()
                        .max_connections(options.max_connections)
                        .acquire_timeout(options.connect_timeout)
                        // sqlx pings an idle connection before handing it out: for SQLite that is
                        // one more round trip to the connection's worker thread per statement, and
                        // a connection to a local file cannot have been dropped by a peer.
                        .test_before_acquire(false)
                        .connect_with(
                            connect
                                .create_if_missing(true)
                                .journal_mode(SqliteJournalMode::Wal)
                                // WAL + NORMAL: a commit survives a process crash; only a power loss can lose the last ones.
                                .synchronous(SqliteSynchronous::Normal)
                                .foreign_keys(true)
                                .busy_timeout(BUSY_WAIT),
                        )
                };
                let main_file = main.get_filename().to_owned();
                let main = open(main).await.map_err(unreachable)?;
                let catalogue = open(catalogue).await.map_err(unreachable)?;
                let uploads = open(uploads).await.map_err(unreachable)?;
                let charger = SqliteCharger::open(&main_file)
                    .map_err(|err| StoreError::Unreachable { url: redact_url(url), reason: err.to_string() })?;
                Store {
                    pool: Pool::Sqlite(main),
                    catalogue: Pool::Sqlite(catalogue),
                    uploads: Pool::Sqlite(uploads),
                    charger: Some(charger),
                    health: None,
                }
            }
            Backend::Postgres => {
                let connect = PgConnectOptions::from_str(url).map_err(unreachable)?;
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.connect_timeout)
                    .connect_with(connect.clone())
                    .await
                    .map_err(unreachable)?;
                let health = Some(Health::watch(connect));
                Store {
                    pool: Pool::Postgres(pool.clone()),
                    catalogue: Pool::Postgres(pool.clone()),
                    uploads: Pool::Postgres(pool),
                    charger: None,
                    health,
                }
            }
        };
        Ok(store)
    }
}

/// A SQLite file of its own beside the main one: `ferrite.db` → `ferrite-catalogue.db` for the
/// catalogue, `ferrite-uploads.db` for uploaded files.
fn beside(main: &std::path::Path, role: &str) -> std::path::PathBuf {
    let stem = main.file_stem().and_then(|s| s.to_str()).unwrap_or("ferrite");
    let name = match main.extension().and_then(|e| e.to_str()) {
        Some(ext) => format!("{stem}-{role}.{ext}"),
        None => format!("{stem}-{role}"),
    };
    main.with_file_name(name)
}

/// The URL with any password replaced by `***`, safe for messages and logs.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) => "<unparseable database URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_comes_from_the_scheme() {
        assert_eq!(Backend::from_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("postgres://h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://h/db").unwrap(), Backend::Postgres);
        assert!(Backend::from_url("mysql://h/db").is_err());
    }

    #[test]
    fn the_catalogue_file_sits_beside_the_main_one() {
        use std::path::Path;
        assert_eq!(beside(Path::new("/d/ferrite.db"), "catalogue"), Path::new("/d/ferrite-catalogue.db"));
        assert_eq!(beside(Path::new("data/state"), "catalogue"), Path::new("data/state-catalogue"));
        assert_eq!(beside(Path::new("/d/ferrite.db"), "uploads"), Path::new("/d/ferrite-uploads.db"));
    }

    #[test]
    fn passwords_never_reach_messages() {
        let redacted = redact_url("postgres://ferrite:hunter2@db.local:5432/ferrite");
        assert_eq!(redacted, "postgres://ferrite:***@db.local:5432/ferrite");
        assert_eq!(redact_url("sqlite://./data/ferrite.db"), "sqlite://./data/ferrite.db");
        assert_eq!(redact_url("not a url with s3cret"), "<unparseable database URL>");
    }
}
