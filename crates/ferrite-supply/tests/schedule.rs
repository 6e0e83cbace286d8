//! The feed schedule on a real store, with time moved by a `FakeClock` rather than waited for.

use std::time::Duration;

use chrono::{DateTime, TimeDelta};
use ferrite_core::{Clock, FakeClock};
use ferrite_store::testing::TestDb;
use ferrite_supply::{
    catalogue::Catalogue,
    feeds::Adapter,
    import::Mode,
    schedule::{ScheduledFeed, run_due_feeds},
};

const HEADER: &str = "mpn,manufacturer,description,seller,sku,stock,currency,price_breaks\n";

#[tokio::test]
async fn a_feed_runs_again_only_once_its_period_has_passed() {
    let db = TestDb::sqlite().await;
    let store = &db.store;
    let catalogue = Catalogue::open(store.clone(), db.path()).await.unwrap();
    let source = db.path().join("acme.csv");
    std::fs::write(&source, format!("{HEADER}LM358DR,TI,Op amp,Acme,A-1,10,USD,1:0.5\n")).unwrap();
    let feeds = [ScheduledFeed {
        name: "acme".into(),
        adapter: Adapter::Csv,
        source: source.to_str().unwrap().into(),
        every: Duration::from_secs(24 * 3600),
        mode: Mode::Snapshot,
    }];
    let start = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let clock = FakeClock::at(start);

    run_due_feeds(store, &catalogue, &feeds, &clock).await;
    assert_eq!(store.catalogue().last_feed_run("acme").await.unwrap(), Some(start), "never ran: due at once");
    assert_eq!(catalogue.version(), 1, "the catalogue follows the import");

    std::fs::write(&source, format!("{HEADER}LM358DR,TI,Op amp,Acme,A-1,7,USD,1:0.5\n")).unwrap();
    clock.advance(TimeDelta::hours(23));
    run_due_feeds(store, &catalogue, &feeds, &clock).await;
    assert_eq!(store.catalogue().last_feed_run("acme").await.unwrap(), Some(start), "23 h after: not due");
    assert_eq!(catalogue.version(), 1);

    clock.advance(TimeDelta::hours(1));
    run_due_feeds(store, &catalogue, &feeds, &clock).await;
    assert_eq!(store.catalogue().last_feed_run("acme").await.unwrap(), Some(clock.now()), "24 h after: due");
    assert_eq!(catalogue.version(), 2, "the changed stock is a new catalogue version");
}
