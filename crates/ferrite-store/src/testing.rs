//! Helpers for tests that need a real database: a fresh SQLite file, or a fresh schema in the
//! PostgreSQL server named by `FERRITE_TEST_POSTGRES_URL` (so tests can run side by side), each
//! migrated ([`TestDb`]). Behind the `testing` feature, which tests enable.

use std::path::Path;

use sqlx::{Connection, PgConnection, SqliteConnection};
use tempfile::TempDir;
use uuid::Uuid;

use crate::{ConnectOptions, Store, StoreError, backend::Backend};

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

/// The URL of the SQLite database in data directory `dir`, where `ferrite` keeps it by default.
pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("ferrite.db").display())
}

/// A fresh, migrated store for one test, the URL it was opened with, and a directory for the
/// test's files (on SQLite the database files live in it). Keep it alive while the store is used.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    pub dir: TempDir,
}

impl TestDb {
    /// A store on a new SQLite file.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = sqlite_url(dir.path());
        TestDb::open(url, dir).await
    }

    /// A store in a new schema of the test PostgreSQL server; `None` when none is configured.
    pub async fn postgres() -> Option<TestDb> {
        let base = postgres_url()?;
        let url = fresh_postgres_url(&base).await.expect("a test schema");
        Some(TestDb::open(url, tempfile::tempdir().expect("a temporary directory")).await)
    }

    /// A store on each backend there is: SQLite, and PostgreSQL when configured.
    pub async fn each_backend() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite().await];
        dbs.extend(TestDb::postgres().await);
        dbs
    }

    async fn open(url: String, dir: TempDir) -> TestDb {
        let store = Store::connect(&url, &ConnectOptions::default()).await.expect("the test store connects");
        store.migrate().await.expect("the test store migrates");
        TestDb { store, url, dir }
    }

    /// The test's directory (a data directory for whatever needs one).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
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

/// Writes `count` synthetic parts (`TEST-00001`, …, manufacturer `Testco`, one offer each) into
/// the catalogue, for tests that need something to search and charge for.
pub async fn write_synthetic_parts(store: &crate::Store, count: usize) -> Result<(), StoreError> {
    use crate::catalogue::{OfferRow, PartRow};
    let now = chrono::Utc::now();
    let mut writer =
        store.catalogue().begin_import("synthetic", "synthetic", now, crate::ImportScope::Catalogue).await?;
    let manufacturer = writer.manufacturer(&ferrite_core::keys::name_key("Testco"), "Testco").await?;
    let seller = writer.seller(&ferrite_core::keys::name_key("Test Distributor"), "Test Distributor").await?;
    for n in 1..=count {
        let mpn = format!("TEST-{n:05}");
        let row = PartRow {
            manufacturer_id: manufacturer,
            mpn_key: ferrite_core::keys::mpn_key(&mpn),
            mpn: mpn.clone(),
            description: Some(format!("Synthetic test part number {n}")),
            category_id: None,
            specs: "[]".into(),
            datasheet_url: None,
            image_url: None,
            content_hash: n as i64,
        };
        let (part, _) = writer.part(row).await?;
        let offer = OfferRow {
            seller_id: seller,
            sku: format!("TD-{n:05}"),
            sku_key: ferrite_core::keys::sku_key(&format!("TD-{n:05}")),
            authorized_by_feed: Some(true),
            inventory_level: Some(100),
            moq: Some(1),
            order_multiple: None,
            factory_lead_days: None,
            factory_pack_quantity: None,
            on_order_quantity: None,
            packaging: None,
            prices: r#"[[1,0.1,"USD"]]"#.into(),
            price_hash: 1,
            click_url: None,
            content_hash: n as i64,
        };
        writer.offer(part, offer).await?;
    }
    writer.commit(true, &Uuid::now_v7().to_string(), "{}", now).await?;
    Ok(())
}
