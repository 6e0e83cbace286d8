//! Embedded migrations, one set per backend. `ferrite migrate` and `ferrite serve` run them.

use sqlx::migrate::{MigrateError, Migrator};

use crate::{
    Store, StoreError,
    backend::Backend,
    db::{Execute, Pool, sql},
};

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static SQLITE_CATALOGUE: Migrator = sqlx::migrate!("migrations/sqlite-catalogue");
static SQLITE_UPLOADS: Migrator = sqlx::migrate!("migrations/sqlite-uploads");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// Where the database's schema stands against what this build knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaStatus {
    /// The newest migration applied to the database, if any.
    pub applied: Option<i64>,
    /// The newest migration this build carries.
    pub known: i64,
}

impl SchemaStatus {
    pub fn is_current(&self) -> bool {
        self.applied == Some(self.known)
    }
}

impl Store {
    fn migrator(&self) -> &'static Migrator {
        match self.main.pool {
            Pool::Sqlite(_) => &SQLITE,
            Pool::Postgres(_) => &POSTGRES,
        }
    }

    /// Brings the schema up to date. Refuses a database that a newer Ferrite has migrated.
    /// Safe to run from several nodes at once (the migrator takes a database lock).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let status = self.schema_status().await?;
        if let Some(found) = status.applied.filter(|&found| found > status.known) {
            return Err(StoreError::SchemaTooNew { found, known: status.known });
        }
        let too_new = |err: MigrateError| match err {
            MigrateError::VersionMissing(found) => StoreError::SchemaTooNew { found, known: status.known },
            other => StoreError::Migration(other.to_string()),
        };
        match &self.main.pool {
            Pool::Sqlite(pool) => self.migrator().run(pool).await,
            Pool::Postgres(pool) => {
                self.main.refuse_while_unavailable()?;
                self.migrator().run(pool).await
            }
        }
        .map_err(too_new)?;
        if let Pool::Sqlite(pool) = &self.catalogue.db.pool {
            SQLITE_CATALOGUE.run(pool).await.map_err(too_new)?;
        }
        if let Pool::Sqlite(pool) = &self.uploads.pool {
            SQLITE_UPLOADS.run(pool).await.map_err(too_new)?;
        }
        Ok(())
    }

    /// The main database's schema against this build. (The SQLite catalogue and uploads files are
    /// migrated with it and carry no separate status.)
    pub async fn schema_status(&self) -> Result<SchemaStatus, StoreError> {
        let known = self.migrator().iter().map(|m| m.version).max().unwrap_or(0);
        let exists = match self.backend() {
            Backend::Sqlite => {
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres => "SELECT to_regclass('_sqlx_migrations') IS NOT NULL",
        };
        let applied = if self.main.scalar::<bool>(sql(exists)).await? {
            self.main.scalar(sql("SELECT MAX(version) FROM _sqlx_migrations WHERE success")).await?
        } else {
            None
        };
        Ok(SchemaStatus { applied, known })
    }
}
