//! Ferrite's storage. One `Store` type whose backend — SQLite (embedded) or PostgreSQL (several
//! nodes) — is chosen once, from the database URL.
//!
//! The two backends share their SQL: the schema is designed for it (text ids, times as i64
//! milliseconds, `ON CONFLICT`, `RETURNING`), so a statement is written once (`db::sql`) and runs
//! on whichever pool is open, or in a transaction (`db::Tx`), natively typed for that driver.
//! What differs per backend — connection setup and the DDL of the migrations — lives in
//! `connect.rs` and `migrations/{sqlite,sqlite-catalogue,sqlite-uploads,postgres}`.
//! On SQLite the supply catalogue has a database file of its own (see `catalogue`), so a long
//! import never holds the write lock that sessions and usage counters need; so do uploaded design
//! files (see `design_files`), so megabytes of them never pass through the main file's write path.
//! Callers only ever see domain types and `StoreError`.

mod accounts;
mod apps;
mod backend;
pub mod catalogue;
mod catalogue_identity;
mod catalogue_match;
mod catalogue_read;
mod connect;
mod connectors;
mod db;
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
mod visibility;
mod workspaces;

pub use apps::{NewApp, SecretHashes};
pub use backend::{Backend, redact_url};
pub use catalogue_read::{AttributeRecord, CategoryRecord, HistoryRecord, Named, OfferRecord, PartRecord};
pub use connect::ConnectOptions;
pub use connectors::{CallBudget, CallOutcome, CallsSpent, ConnectorHealth, Spend};
pub use design_files::{DesignFile, NewDesignFile, QuotaHolder, SaveFileError, UploadQuota};
pub use error::StoreError;
pub use grants::{AuthorizationCode, CodeUse, RefreshToken, RefreshUse};
pub use invitations::{Invitation, NewInvitation};
pub use keys::StoredKey;
pub use migrate::SchemaStatus;
pub use plans::PlanError;
pub use projects::{
    BomItemRecord, ManufacturerPartRecord, NewBomItem, NewProject, NewRevision, NewVariant, ProjectPage, ProjectRecord,
    RevisionRecord, VariantRecord,
};
pub use usage::RequestCount;

use db::{Db, Execute, sql};

pub use catalogue::{CatalogueStore, ImportScope, ROOT_CATEGORY_ID, ROOT_CATEGORY_NAME, StoredRates, listed_changes};

/// A handle to the database; cheap to clone (it is a connection pool).
///
/// Each of its databases is a field of its own, so a statement names the one it runs on: `main`,
/// the catalogue (a type of its own, reached through [`Store::catalogue`]) and `uploads`. On
/// SQLite they are three files; on PostgreSQL one pool.
#[derive(Clone, Debug)]
pub struct Store {
    main: Db,
    catalogue: CatalogueStore,
    /// Uploaded design files: a third SQLite file, or the same PostgreSQL pool.
    uploads: Db,
    /// SQLite only: the connection that charges parts (see `metering`).
    charger: Option<metering::SqliteCharger>,
}

impl Store {
    pub fn backend(&self) -> Backend {
        self.main.backend()
    }

    /// The supply catalogue: its import and its reads.
    pub fn catalogue(&self) -> &CatalogueStore {
        &self.catalogue
    }

    /// False while the database does not answer (PostgreSQL stopped or unreachable): callers
    /// should refuse with [`StoreError::Unavailable`] at once rather than wait.
    pub fn is_available(&self) -> bool {
        self.main.is_available()
    }

    /// A round trip to the database.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.main.execute(sql("SELECT 1")).await?;
        Ok(())
    }

    /// Waits for open connections to finish their work and closes them (WAL checkpoint on SQLite).
    pub async fn close(&self) {
        for db in [&self.main, &self.catalogue.db, &self.uploads] {
            db.close().await;
        }
    }
}

/// Ids are stored as text; a row that does not parse is a corrupt database, not a caller error.
pub(crate) fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, StoreError> {
    raw.parse().map_err(|_| StoreError::Database(format!("stored id `{raw}` is not a UUID")))
}
