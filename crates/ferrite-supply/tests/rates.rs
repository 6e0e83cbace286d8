//! The daily exchange-rate refresh on each backend, against a local server serving a document in
//! the ECB's `eurofxref-daily.xml` format (`data/eurofxref-daily.xml`).

mod support;

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};
use std::time::Duration;

use chrono::{DateTime, TimeDelta};
use ferrite_core::money::ExchangeRates;
use ferrite_store::{ConnectOptions, Store, testing::TestDb};
use ferrite_supply::{
    catalogue::{Catalogue, CatalogueOptions},
    rates::{self, RatesFeed},
};

const ECB: &str = include_str!("data/eurofxref-daily.xml");
/// The fixture's USD per EUR.
const USD_PER_EUR: f64 = 1.1571;

/// A feed server answering `body` (swappable), counting requests.
struct Feed {
    url: String,
    body: Arc<Mutex<String>>,
    requests: Arc<AtomicUsize>,
}

fn feed_server() -> Feed {
    let body = Arc::new(Mutex::new(ECB.to_owned()));
    let requests = Arc::new(AtomicUsize::new(0));
    let (served, counted) = (body.clone(), requests.clone());
    let address = support::serve(None, move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
        support::response("200 OK", &[("Content-Type", "text/xml")], served.lock().unwrap().as_bytes())
    });
    Feed { url: format!("http://{address}/stats/eurofxref/eurofxref-daily.xml"), body, requests }
}

fn eur_per_usd(catalogue: &Catalogue) -> f64 {
    catalogue.rates().convert(1.0, "USD", "EUR").amount
}

#[tokio::test]
async fn the_feed_s_rates_are_kept_in_the_store_for_every_node_and_a_bad_feed_keeps_the_last_good() {
    for db in TestDb::each_backend().await {
        let feed = feed_server();
        let config = RatesFeed { feed_url: feed.url.clone(), ..RatesFeed::default() };
        let node = Catalogue::open(db.store.clone(), db.path()).await.unwrap();
        assert_eq!(node.rates().source, "built-in", "a fresh install converts at the built-in table");
        assert!(node.rates().knows("EUR") && node.rates().knows("KRW"));

        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        rates::refresh(&db.store, &node, &config, now).await.unwrap();
        assert_eq!(feed.requests.load(Ordering::SeqCst), 1);
        assert_eq!(node.rates().date.to_string(), "2026-11-30");
        assert_eq!(node.rates().source, feed.url);
        assert!((eur_per_usd(&node) - 1.0 / USD_PER_EUR).abs() < 1e-12);

        // Within the period no node fetches again, and a second node (or a restart) converts at
        // what the first fetched, with its own configured rates over them.
        rates::refresh(&db.store, &node, &config, now + TimeDelta::hours(11)).await.unwrap();
        assert_eq!(feed.requests.load(Ordering::SeqCst), 1, "not due yet");
        let other_store = Store::connect(&db.url, &ConnectOptions::default()).await.unwrap();
        let other_dir = tempfile::tempdir().unwrap();
        let overrides = ExchangeRates([("GBP".to_owned(), 0.5)].into_iter().collect());
        let other =
            Catalogue::open_with(other_store, other_dir.path(), CatalogueOptions::with_rates(overrides)).await.unwrap();
        assert_eq!(other.rates().date.to_string(), "2026-11-30");
        assert!((eur_per_usd(&other) - 1.0 / USD_PER_EUR).abs() < 1e-12);
        assert_eq!(other.rates().convert(1.0, "USD", "GBP").amount, 0.5, "the configured rate wins");

        // A feed that answers something else keeps the last good rates, in use and stored.
        *feed.body.lock().unwrap() = "<html><body>Service unavailable</body></html>".to_owned();
        let later = now + TimeDelta::hours(13);
        rates::refresh(&db.store, &node, &config, later).await.unwrap();
        assert_eq!(feed.requests.load(Ordering::SeqCst), 2, "due again after 12 h");
        assert_eq!(node.rates().date.to_string(), "2026-11-30");
        let stored = db.store.catalogue().exchange_rates().await.unwrap().unwrap();
        assert_eq!(stored.fetched_at, now, "a failed fetch is not an answer");

        // The next day's document replaces them; an older one never does.
        *feed.body.lock().unwrap() = ECB.replace("2026-11-30", "2026-12-01").replace("1.1571", "1.2");
        rates::refresh(&db.store, &node, &config, later).await.unwrap();
        assert_eq!(node.rates().date.to_string(), "2026-12-01");
        assert!((eur_per_usd(&node) - 1.0 / 1.2).abs() < 1e-12);
        *feed.body.lock().unwrap() = ECB.to_owned();
        rates::refresh(&db.store, &node, &config, later + TimeDelta::hours(13)).await.unwrap();
        assert_eq!(node.rates().date.to_string(), "2026-12-01", "an older day stays out");
        let stored = db.store.catalogue().exchange_rates().await.unwrap().unwrap();
        assert_eq!(stored.date, "2026-12-01");

        // Off: no fetch at all, the stored rates still apply.
        let off = RatesFeed { refresh: false, ..config.clone() };
        rates::refresh(&db.store, &other, &off, later + TimeDelta::days(30)).await.unwrap();
        assert_eq!(feed.requests.load(Ordering::SeqCst), 4);
        assert_eq!(other.rates().date.to_string(), "2026-12-01", "the other node follows the store");
    }
}

/// New rates move answers at once but do not rebuild the search index: not on the node that
/// fetched them, and not on a restart (the index of a version is built once per configured
/// `currency_rates`); the next catalogue version sorts at the rates of its day.
#[tokio::test]
async fn new_rates_do_not_rebuild_the_search_index() {
    let db = TestDb::sqlite().await;
    let csv = db.path().join("acme.csv");
    std::fs::write(
        &csv,
        "mpn,manufacturer,description,seller,sku,stock,currency,price_breaks\nLM358,TI,Op amp,Acme,A-1,10,EUR,1:0.5\n",
    )
    .unwrap();
    let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    ferrite_supply::import::import(
        &db.store,
        "acme",
        ferrite_supply::feeds::Adapter::Csv,
        csv.to_str().unwrap(),
        ferrite_supply::import::Mode::Snapshot,
        now,
        &mut (),
    )
    .await
    .unwrap();
    let node = Catalogue::open(db.store.clone(), db.path()).await.unwrap();
    let marker = db.path().join(format!("search/v{}/complete", node.version()));
    let built = std::fs::metadata(&marker).unwrap().modified().unwrap();

    let feed = feed_server();
    let config =
        RatesFeed { feed_url: feed.url.clone(), refresh_every: Duration::from_secs(3600), ..RatesFeed::default() };
    rates::refresh(&db.store, &node, &config, now).await.unwrap();
    node.refresh().await.unwrap();
    assert_eq!(node.rates().date.to_string(), "2026-11-30");
    let restarted = Catalogue::open(db.store.clone(), db.path()).await.unwrap();
    assert_eq!(restarted.rates().date.to_string(), "2026-11-30");
    assert_eq!(std::fs::metadata(&marker).unwrap().modified().unwrap(), built, "the index was not rebuilt");

    // The operator's own rates are part of what an index was built for.
    let overrides = ExchangeRates([("EUR".to_owned(), 0.5)].into_iter().collect());
    Catalogue::open_with(db.store.clone(), db.path(), CatalogueOptions::with_rates(overrides)).await.unwrap();
    assert_ne!(std::fs::metadata(&marker).unwrap().modified().unwrap(), built, "other configured rates: rebuilt");
}
