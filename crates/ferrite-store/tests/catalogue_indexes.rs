//! The catalogue's lookups are served by indexes, on both backends: the query plans say so.

use ferrite_store::testing::{self, TestDb};
use sqlx::{Connection, Executor, PgConnection, Row, SqliteConnection};

/// `part_ids_by_sku_key`'s statement (catalogue_read.rs).
const SKU_LOOKUP: &str = "SELECT DISTINCT part_id FROM offers WHERE sku_key = $1 ORDER BY part_id";

async fn with_parts(db: TestDb) -> TestDb {
    testing::write_synthetic_parts(&db.store, 200).await.unwrap();
    db
}

#[tokio::test]
async fn a_sku_lookup_searches_an_index_on_sqlite() {
    let db = with_parts(TestDb::sqlite().await).await;
    assert_eq!(db.store.catalogue().part_ids_by_sku_key("TD00007").await.unwrap().len(), 1);
    db.store.close().await;
    // The catalogue lives in a file of its own beside the main database.
    let url = format!("sqlite://{}", db.path().join("ferrite-catalogue.db").display());
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    let plan: Vec<String> = sqlx::query(&format!("EXPLAIN QUERY PLAN {SKU_LOOKUP}"))
        .bind("TD00007")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>("detail"))
        .collect();
    assert!(plan.iter().any(|step| step.contains("USING INDEX offers_sku_key (sku_key=?)")), "{plan:?}");
    assert!(!plan.iter().any(|step| step.starts_with("SCAN offers")), "{plan:?}");
}

#[tokio::test]
async fn a_sku_lookup_searches_an_index_on_postgres() {
    let Some(db) = TestDb::postgres().await else { return };
    let db = with_parts(db).await;
    assert_eq!(db.store.catalogue().part_ids_by_sku_key("TD00007").await.unwrap().len(), 1);
    db.store.close().await;
    let mut conn = PgConnection::connect(&db.url).await.unwrap();
    // A table this small is cheaper to scan; forbid that to see which index the lookup can use.
    conn.execute("SET enable_seqscan = off").await.unwrap();
    let plan: Vec<String> = sqlx::query(&format!("EXPLAIN {}", SKU_LOOKUP.replace("$1", "'TD00007'")))
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>(0))
        .collect();
    let plan = plan.join("\n");
    assert!(plan.contains("on offers_sku_key") || plan.contains("using offers_sku_key"), "{plan}");
    assert!(plan.contains("Index Cond: (sku_key = 'TD00007'::text)"), "{plan}");
}
