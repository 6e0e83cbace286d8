use thiserror::Error;

/// What can go wrong in the store, in terms a caller can act on. Driver errors never leave the crate.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken (an email already registered, a name taken).
    #[error("already exists")]
    Conflict,
    #[error("the database at {url} is unreachable: {reason}")]
    Unreachable { url: String, reason: String },
    #[error(
        "the database was migrated by a newer Ferrite (it has schema version {found}, this Ferrite knows up to {known}); run a newer Ferrite"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("the database schema could not be migrated: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Database(String),
    /// The database does not answer now (stopped, unreachable, every connection taken); worth
    /// retrying later, unlike `Database`.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The disk under the database is full: nothing was written, and retrying helps only once
    /// the operator has made room.
    #[error("the database's disk is full: {0}")]
    StorageFull(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                StoreError::Unavailable(err.to_string())
            }
            // PostgreSQL's connection exceptions (08) and operator interventions such as a shutdown (57P).
            sqlx::Error::Database(db)
                if db.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P")) =>
            {
                StoreError::Unavailable(err.to_string())
            }
            // SQLite's SQLITE_FULL, PostgreSQL's disk_full.
            sqlx::Error::Database(db) if db.code().is_some_and(|code| code == "13" || code == "53100") => {
                StoreError::StorageFull(err.to_string())
            }
            _ => StoreError::Database(err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, SqliteConnection};

    use super::StoreError;

    /// SQLite answers SQLITE_FULL when a write needs a page past `max_page_count`, as on a full disk.
    #[tokio::test]
    async fn a_full_disk_is_told_apart_from_other_database_errors() {
        let mut connection = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE TABLE t (x BLOB)").execute(&mut connection).await.unwrap();
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(&mut connection).await.unwrap();
        sqlx::query(&format!("PRAGMA max_page_count = {pages}")).execute(&mut connection).await.unwrap();
        let full = sqlx::query("INSERT INTO t VALUES (zeroblob(1000000))").execute(&mut connection).await.unwrap_err();
        assert!(matches!(StoreError::from(full), StoreError::StorageFull(_)));
        let other = sqlx::query("SELECT * FROM missing").execute(&mut connection).await.unwrap_err();
        assert!(matches!(StoreError::from(other), StoreError::Database(_)));
    }
}
