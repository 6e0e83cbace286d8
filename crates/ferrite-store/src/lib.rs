//! Ferrite's storage. One `Store` type whose backend — SQLite (embedded) or PostgreSQL (several
//! nodes) — is chosen once, from the database URL.
//!
//! The two backends share their SQL: the schema is designed for it (text ids, times as i64
//! milliseconds, `ON CONFLICT`, `RETURNING`), and `dispatch!` runs the same statement on whichever
//! pool is open, natively typed for that driver. What differs per backend — connection setup and the
//! DDL of the migrations — lives in `connect.rs` and `migrations/{sqlite,sqlite-catalogue,postgres}`.
//! On SQLite the supply catalogue has a database file of its own (see `catalogue`), so a long
//! import never holds the write lock that sessions and usage counters need.
//! Callers only ever see domain types and `StoreError`.

mod accounts;
mod apps;
pub mod catalogue;
mod catalogue_match;
mod catalogue_read;
mod connect;
mod design_files;
mod error;
mod grants;
mod invitations;
mod keys;
pub mod metering;
mod migrate;
mod plans;
mod projects;
mod sessions;
pub mod testing;
mod time;
mod usage;
mod workspaces;

pub use apps::{NewApp, SecretHashes};
pub use catalogue_read::{AttributeRecord, CategoryRecord, HistoryRecord, Named, OfferRecord, PartRecord};
pub use connect::{Backend, ConnectOptions, redact_url};
pub use design_files::{DesignFile, NewDesignFile};
pub use error::StoreError;
pub use grants::{AuthorizationCode, CodeUse, RefreshToken, RefreshUse};
pub use invitations::{Invitation, NewInvitation};
pub use keys::StoredKey;
pub use migrate::SchemaStatus;
pub use plans::PlanError;
pub use projects::{
    BomItemRecord, ManufacturerPartRecord, NewBomItem, NewProject, NewVariant, ProjectPage, ProjectRecord,
    VariantRecord,
};

use sqlx::{PgPool, SqlitePool};

/// Runs `$body` with `$pool` bound to the open pool, whatever its backend.
/// The body is written once and compiled for each driver.
macro_rules! dispatch {
    (catalogue $store:expr, $pool:ident => $body:expr) => {
        match &$store.catalogue {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use dispatch;

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle to the database; cheap to clone (it is a connection pool).
#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
    /// The supply catalogue's pool: a second SQLite file, or the same PostgreSQL pool.
    catalogue: Pool,
    /// SQLite only: the connection that charges parts (see `metering`).
    charger: Option<metering::SqliteCharger>,
}

impl Store {
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// A round trip to the database.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Waits for open connections to finish their work and closes them (WAL checkpoint on SQLite).
    pub async fn close(&self) {
        dispatch!(self, pool => pool.close().await);
        dispatch!(catalogue self, pool => pool.close().await);
    }
}

/// Ids are stored as text; a row that does not parse is a corrupt database, not a caller error.
pub(crate) fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, StoreError> {
    raw.parse().map_err(|_| StoreError::Database(format!("stored id `{raw}` is not a UUID")))
}
