//! Ferrite's storage. One `Store` type whose backend — SQLite (embedded) or PostgreSQL (several
//! nodes) — is chosen once, from the database URL.
//!
//! The two backends share their SQL: the schema is designed for it (text ids, times as i64
//! milliseconds, `ON CONFLICT`, `RETURNING`), and `dispatch!` runs the same statement on whichever
//! pool is open, natively typed for that driver. What differs per backend — connection setup and the
//! DDL of the migrations — lives in `connect.rs` and
//! `migrations/{sqlite,sqlite-catalogue,sqlite-uploads,postgres}`.
//! On SQLite the supply catalogue has a database file of its own (see `catalogue`), so a long
//! import never holds the write lock that sessions and usage counters need; so do uploaded design
//! files (see `design_files`), so megabytes of them never pass through the main file's write path.
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
mod health;
mod invitations;
mod keys;
pub mod metering;
mod migrate;
mod plans;
mod projects;
mod sessions;
// Tests of every crate enable `testing` (a dev-dependency with the feature).
#[cfg(feature = "testing")]
pub mod testing;
mod time;
mod usage;
mod workspaces;

pub use apps::{NewApp, SecretHashes};
pub use catalogue_read::{AttributeRecord, CategoryRecord, HistoryRecord, Named, OfferRecord, PartRecord};
pub use connect::{Backend, ConnectOptions, redact_url};
pub use design_files::{DesignFile, NewDesignFile, QuotaHolder, SaveFileError, UploadQuota};
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
/// The body is written once and compiled for each driver. While PostgreSQL does not answer, it
/// returns `StoreError::Unavailable` at once instead of waiting for a connection.
macro_rules! dispatch {
    (uploads $store:expr, $pool:ident => $body:expr) => {
        match &$store.uploads {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => {
                $store.refuse_while_unavailable()?;
                $body
            }
        }
    };
    (catalogue $store:expr, $pool:ident => $body:expr) => {
        match &$store.catalogue {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => {
                $store.refuse_while_unavailable()?;
                $body
            }
        }
    };
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => {
                $store.refuse_while_unavailable()?;
                $body
            }
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
    /// Uploaded design files' pool: a third SQLite file, or the same PostgreSQL pool.
    uploads: Pool,
    /// SQLite only: the connection that charges parts (see `metering`).
    charger: Option<metering::SqliteCharger>,
    /// PostgreSQL only: whether the database answers (a local SQLite file always does).
    health: Option<std::sync::Arc<health::Health>>,
}

impl Store {
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// False while the database does not answer (PostgreSQL stopped or unreachable): callers
    /// should refuse with [`StoreError::Unavailable`] at once rather than wait.
    pub fn is_available(&self) -> bool {
        self.health.as_ref().is_none_or(|health| health.is_available())
    }

    /// `Err(Unavailable)` while the database does not answer.
    pub(crate) fn refuse_while_unavailable(&self) -> Result<(), StoreError> {
        if self.is_available() { Ok(()) } else { Err(StoreError::Unavailable("the database does not answer".into())) }
    }

    /// A round trip to the database.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Waits for open connections to finish their work and closes them (WAL checkpoint on SQLite).
    pub async fn close(&self) {
        for pool in [&self.pool, &self.catalogue, &self.uploads] {
            match pool {
                Pool::Sqlite(pool) => pool.close().await,
                Pool::Postgres(pool) => pool.close().await,
            }
        }
    }
}

/// Ids are stored as text; a row that does not parse is a corrupt database, not a caller error.
pub(crate) fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, StoreError> {
    raw.parse().map_err(|_| StoreError::Database(format!("stored id `{raw}` is not a UUID")))
}
