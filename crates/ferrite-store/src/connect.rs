//! Opening a store: the backend is read from the URL scheme, each driver is configured for its role.

use std::{str::FromStr, time::Duration};

use crate::{
    CatalogueStore, Store, StoreError,
    backend::{Backend, redact_url},
    db::{BUSY_WAIT, Db, Pool},
    health::Health,
    metering::SqliteCharger,
};
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

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
                let db = |pool| Db { pool: Pool::Sqlite(pool), health: None };
                Store {
                    main: db(main),
                    catalogue: CatalogueStore { db: db(catalogue) },
                    uploads: db(uploads),
                    charger: Some(charger),
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
                // One pool and one probe for the three roles.
                let db = Db { pool: Pool::Postgres(pool), health: Some(Health::watch(connect)) };
                Store { main: db.clone(), catalogue: CatalogueStore { db: db.clone() }, uploads: db, charger: None }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_file_sits_beside_the_main_one() {
        use std::path::Path;
        assert_eq!(beside(Path::new("/d/ferrite.db"), "catalogue"), Path::new("/d/ferrite-catalogue.db"));
        assert_eq!(beside(Path::new("data/state"), "catalogue"), Path::new("data/state-catalogue"));
        assert_eq!(beside(Path::new("/d/ferrite.db"), "uploads"), Path::new("/d/ferrite-uploads.db"));
    }
}
