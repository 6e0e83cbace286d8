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
            _ => StoreError::Database(err.to_string()),
        }
    }
}
