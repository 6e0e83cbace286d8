//! Helpers for tests that need a real database: a fresh SQLite file, or a fresh schema in the
//! PostgreSQL server named by `FERRITE_TEST_POSTGRES_URL` (so tests can run side by side).

use sqlx::{Connection, PgConnection, SqliteConnection};
use uuid::Uuid;

use crate::{Backend, StoreError};

pub const POSTGRES_ENV: &str = "FERRITE_TEST_POSTGRES_URL";
/// Set (CI sets it) to make a missing PostgreSQL a failure instead of a skip.
pub const POSTGRES_REQUIRED_ENV: &str = "FERRITE_TEST_POSTGRES_REQUIRED";

/// The test PostgreSQL server's URL, or `None` (after saying why on stderr) when it is not configured.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os(POSTGRES_REQUIRED_ENV).is_some() => {
            panic!("{POSTGRES_REQUIRED_ENV} is set but {POSTGRES_ENV} is not")
        }
        _ => {
            eprintln!("skipping the PostgreSQL case: {POSTGRES_ENV} is not set");
            None
        }
    }
}

/// Creates an empty schema on the server at `base_url` and returns a URL whose connections use it.
pub async fn fresh_postgres_url(base_url: &str) -> Result<String, StoreError> {
    let schema = format!("t_{}", Uuid::new_v4().simple());
    let mut conn = PgConnection::connect(base_url).await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await?;
    conn.close().await?;
    let separator = if base_url.contains('?') { '&' } else { '?' };
    Ok(format!("{base_url}{separator}options=-c%20search_path%3D{schema}"))
}

/// Runs one statement on the database at `url` behind any store's back, as another program would.
pub async fn execute_raw(url: &str, sql: &str) -> Result<(), StoreError> {
    match Backend::from_url(url)? {
        Backend::Sqlite => {
            let mut conn = SqliteConnection::connect(url).await?;
            sqlx::query(sql).execute(&mut conn).await?;
        }
        Backend::Postgres => {
            let mut conn = PgConnection::connect(url).await?;
            sqlx::query(sql).execute(&mut conn).await?;
        }
    }
    Ok(())
}
