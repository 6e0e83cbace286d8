//! The storage suite: every case runs against SQLite, and against PostgreSQL when
//! `FERRITE_TEST_POSTGRES_URL` is set (each case in a schema of its own).

use chrono::{DateTime, Utc};
use ferrite_core::{OrgId, UserId, org::Role};
use ferrite_store::{ConnectOptions, Store, StoreError, testing};

/// A migrated store and the URL it was opened with, plus whatever keeps it alive.
struct TestDb {
    store: Store,
    url: String,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite_db() -> Option<TestDb> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ferrite.db").display());
    open(url, Some(dir)).await
}

async fn postgres_db() -> Option<TestDb> {
    let base = testing::postgres_url()?;
    let url = testing::fresh_postgres_url(&base).await.expect("create a test schema");
    open(url, None).await
}

async fn open(url: String, dir: Option<tempfile::TempDir>) -> Option<TestDb> {
    let store = Store::connect(&url, &ConnectOptions::default()).await.expect("connect");
    store.migrate().await.expect("migrate");
    Some(TestDb { store, url, _dir: dir })
}

fn t(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

macro_rules! store_suite {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $case() {
                if let Some(db) = super::sqlite_db().await { super::$case(db).await }
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $case() {
                if let Some(db) = super::postgres_db().await { super::$case(db).await }
            })*
        }
    };
}

store_suite!(
    migrations_are_idempotent_and_leave_the_schema_current,
    a_database_migrated_by_a_newer_ferrite_is_refused,
    emails_are_unique_regardless_of_case,
    an_organization_starts_with_its_owner,
    memberships_are_per_organization,
);

async fn migrations_are_idempotent_and_leave_the_schema_current(db: TestDb) {
    let status = db.store.schema_status().await.unwrap();
    assert!(status.is_current(), "{status:?}");
    db.store.migrate().await.unwrap();
    assert_eq!(db.store.schema_status().await.unwrap(), status);
    db.store.ping().await.unwrap();
}

async fn a_database_migrated_by_a_newer_ferrite_is_refused(db: TestDb) {
    let future = 99_991_231_000_001_i64;
    testing::execute_raw(
        &db.url,
        &format!(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
             SELECT {future}, 'from the future', installed_on, success, checksum, execution_time
             FROM _sqlx_migrations LIMIT 1"
        ),
    )
    .await
    .unwrap();
    match db.store.migrate().await {
        Err(StoreError::SchemaTooNew { found, known }) => {
            assert_eq!(found, future);
            assert!(known < future);
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(!db.store.schema_status().await.unwrap().is_current());
}

async fn emails_are_unique_regardless_of_case(db: TestDb) {
    let ada = db.store.create_user("Ada@Example.com", "ada@example.com", "hash", t(1)).await.unwrap();
    let again = db.store.create_user("ADA@example.com", "ada@example.com", "other", t(2)).await;
    assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");
    let (found, hash) = db.store.user_by_email("ada@example.com").await.unwrap();
    assert_eq!(found, ada);
    assert_eq!(found.email, "Ada@Example.com");
    assert_eq!(hash, "hash");
    assert_eq!(db.store.user_by_id(ada.id).await.unwrap(), ada);
    assert!(matches!(db.store.user_by_email("bob@example.com").await, Err(StoreError::NotFound)));
    assert!(matches!(db.store.user_by_id(UserId::new()).await, Err(StoreError::NotFound)));
}

async fn an_organization_starts_with_its_owner(db: TestDb) {
    let ada = db.store.create_user("ada@example.com", "ada@example.com", "h", t(1)).await.unwrap();
    let acme = db.store.create_org("Acme", ada.id, &[], t(5)).await.unwrap();
    assert_eq!(db.store.org_by_id(acme.id).await.unwrap(), acme);
    assert_eq!(db.store.role_in(acme.id, ada.id).await.unwrap(), Role::Owner);
    assert_eq!(db.store.orgs_named("Acme").await.unwrap(), vec![acme.clone()]);
    assert!(db.store.orgs_named("acme").await.unwrap().is_empty());
    assert!(matches!(db.store.org_by_id(OrgId::new()).await, Err(StoreError::NotFound)));
    // An owner who does not exist cannot found an organization, and nothing is left behind.
    let orphan = db.store.create_org("Ghost", UserId::new(), &[], t(6)).await;
    assert!(orphan.is_err());
    assert!(db.store.orgs_named("Ghost").await.unwrap().is_empty());
}

async fn memberships_are_per_organization(db: TestDb) {
    let ada = db.store.create_user("ada@example.com", "ada@example.com", "h", t(1)).await.unwrap();
    let bob = db.store.create_user("bob@example.com", "bob@example.com", "h", t(1)).await.unwrap();
    let acme = db.store.create_org("Acme", ada.id, &[], t(2)).await.unwrap();
    let bolt = db.store.create_org("Bolt", bob.id, &[], t(3)).await.unwrap();
    assert!(matches!(db.store.role_in(acme.id, bob.id).await, Err(StoreError::NotFound)));
    db.store.set_membership(acme.id, bob.id, Role::Member, t(4)).await.unwrap();
    assert_eq!(db.store.role_in(acme.id, bob.id).await.unwrap(), Role::Member);
    let bobs: Vec<_> = db.store.memberships_of(bob.id).await.unwrap();
    assert_eq!(bobs, vec![(acme.clone(), Role::Member), (bolt, Role::Owner)]);
    db.store.set_membership(acme.id, bob.id, Role::Owner, t(5)).await.unwrap();
    assert_eq!(db.store.role_in(acme.id, bob.id).await.unwrap(), Role::Owner);
    assert_eq!(db.store.memberships_of(ada.id).await.unwrap(), vec![(acme, Role::Owner)]);
}
