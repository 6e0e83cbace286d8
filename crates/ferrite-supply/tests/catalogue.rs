//! The catalogue the API reads: parts with their offers, from memory or the store, always of the
//! version the catalogue is at.

use std::path::Path;

use chrono::Utc;
use ferrite_core::money::PriceBreak;
use ferrite_store::{Store, testing::TestDb};
use ferrite_supply::{
    catalogue::{Catalogue, CatalogueOptions, IndexBuilds, PartView},
    feeds::Adapter,
    import::{Mode, import},
    search::{SearchRequest, SearchResult, Sort, SortKey},
};

const HEADER: &str = "mpn,manufacturer,description,seller,sku,stock,currency,price_breaks\n";

async fn import_csv(store: &Store, dir: &Path, rows: &str) {
    let path = dir.join("feed.csv");
    std::fs::write(&path, format!("{HEADER}{rows}")).unwrap();
    let path = path.to_str().unwrap();
    import(store, "acme", Adapter::Csv, path, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
}

async fn id_of(store: &Store, mpn_key: &str) -> i64 {
    store.catalogue().part_ids_by_mpn_key(mpn_key).await.unwrap()[0]
}

/// (sku, stock, first price) of each offer.
fn offers(view: &PartView) -> Vec<(String, Option<i64>, f64)> {
    view.offers.iter().map(|o| (o.sku.clone(), o.inventory_level, o.prices[0].price)).collect()
}

#[tokio::test]
async fn parts_come_in_the_order_asked_once_each_and_the_same_from_memory_as_from_the_store() {
    let db = TestDb::sqlite().await;
    let (store, dir) = (db.store.clone(), &db.dir);
    import_csv(
        &store,
        dir.path(),
        "LM358DR,TI,Op amp,Acme,A-1,10,USD,1:0.5;100:0.4\nLM358DR,TI,Op amp,Bolt,B-1,3,USD,1:0.6\n\
         NE555,TI,Timer,Acme,A-2,5,USD,1:0.2\n",
    )
    .await;
    let (lm358, ne555) = (id_of(&store, "LM358DR").await, id_of(&store, "NE555").await);
    let cached = Catalogue::open(store.clone(), dir.path()).await.unwrap();
    let uncached =
        Catalogue::open_with(store.clone(), dir.path(), CatalogueOptions { part_cache_bytes: 0, ..Default::default() })
            .await
            .unwrap();

    let ask = [ne555, 999_999, lm358, ne555];
    let first = cached.parts(&ask).await.unwrap();
    let ids: Vec<i64> = first.iter().map(|v| v.part.id).collect();
    assert_eq!(ids, [ne555, lm358], "unknown ids left out, repeated ids answered once");
    assert_eq!(
        offers(&first[1]),
        [("A-1".to_owned(), Some(10), 0.5), ("B-1".to_owned(), Some(3), 0.6)],
        "offers by seller, then SKU"
    );
    assert_eq!(first[1].offers[0].prices, [PriceBreak::new(1, 0.5, "USD"), PriceBreak::new(100, 0.4, "USD")]);
    let stats = cached.part_cache_stats();
    assert_eq!((stats.hits, stats.misses, stats.parts), (0, 3, 2), "{stats:?}");

    let again = cached.parts(&ask).await.unwrap();
    assert_eq!(cached.part_cache_stats().hits, 2, "the second read is answered from memory");
    let from_store = uncached.parts(&ask).await.unwrap();
    assert_eq!(uncached.part_cache_stats().parts, 0, "a cache of 0 bytes keeps nothing");
    for ((a, b), c) in first.iter().zip(&again).zip(&from_store) {
        assert_eq!((&a.part, &a.offers), (&b.part, &b.offers));
        assert_eq!((&a.part, &a.offers), (&c.part, &c.offers));
    }
    // The one-query read agrees with the part and offer reads it replaces.
    let parts = store.catalogue().parts_by_ids(&[lm358, ne555]).await.unwrap();
    let all_offers = store.catalogue().offers_of_parts(&[lm358, ne555]).await.unwrap();
    let joined = store.catalogue().parts_with_offers(&[lm358, ne555]).await.unwrap();
    assert_eq!(joined.len(), 2);
    for ((part, offers), expected) in joined.iter().zip(&parts) {
        assert_eq!(part, expected);
        let expected: Vec<_> = all_offers.iter().filter(|o| o.part_id == part.id).cloned().collect();
        assert_eq!(offers, &expected);
    }
}

#[tokio::test]
async fn after_a_refresh_no_part_of_the_old_version_is_answered() {
    let db = TestDb::sqlite().await;
    let (store, dir) = (db.store.clone(), &db.dir);
    import_csv(
        &store,
        dir.path(),
        "LM358DR,TI,Op amp,Acme,A-1,10,USD,1:0.5\nNE555,TI,Timer,Acme,A-2,5,USD,1:0.2\nNE555,TI,Timer,Bolt,B-2,7,USD,1:0.3\n",
    )
    .await;
    let (lm358, ne555) = (id_of(&store, "LM358DR").await, id_of(&store, "NE555").await);
    let catalogue = Catalogue::open(store.clone(), dir.path()).await.unwrap();
    let before = catalogue.parts(&[lm358, ne555]).await.unwrap();
    assert_eq!(offers(&before[0]), [("A-1".to_owned(), Some(10), 0.5)]);
    assert_eq!(offers(&before[1]).len(), 2);
    catalogue.parts(&[lm358, ne555]).await.unwrap();
    assert_eq!(catalogue.part_cache_stats().hits, 2, "the parts are held in memory");

    // The next day: new stock and price for LM358DR, and Bolt no longer lists NE555.
    let version = catalogue.version();
    import_csv(&store, dir.path(), "LM358DR,TI,Op amp,Acme,A-1,8,USD,1:0.45\nNE555,TI,Timer,Acme,A-2,5,USD,1:0.2\n")
        .await;
    catalogue.refresh().await.unwrap();
    assert!(catalogue.version() > version);
    assert_eq!(catalogue.part_cache_stats().parts, 0, "the parts the new version changed leave memory");

    let after = catalogue.parts(&[lm358, ne555]).await.unwrap();
    assert_eq!(offers(&after[0]), [("A-1".to_owned(), Some(8), 0.45)]);
    let fresh = store.catalogue().parts_with_offers(&[lm358, ne555]).await.unwrap();
    for (view, (part, offers)) in after.iter().zip(&fresh) {
        assert_eq!((&view.part, &view.offers), (part, offers), "the answer is the store's, as of now");
    }
}

#[tokio::test]
async fn an_index_updated_in_place_answers_as_one_built_from_the_store() {
    let db = TestDb::sqlite().await;
    let (store, dir) = (db.store.clone(), &db.dir);
    import_csv(
        &store,
        dir.path(),
        "LM358DR,TI,Op amp,Acme,A-1,10,USD,1:0.5\nLM358DR,TI,Op amp,Bolt,B-1,3,USD,1:0.6\n\
         NE555,TI,Timer,Acme,A-2,5,USD,1:0.2\nNE555,TI,Timer,Bolt,B-2,7,USD,1:0.3\n\
         BC547,onsemi,NPN transistor,Acme,A-3,0,USD,1:0.05\nRC0603FR-0710KL,Yageo,Resistor 10k,Acme,A-4,900,USD,1:0.01\n",
    )
    .await;
    let updated = Catalogue::open(store.clone(), &dir.path().join("updated")).await.unwrap();
    let (lm358, bc547) = (id_of(&store, "LM358DR").await, id_of(&store, "BC547").await);
    updated.parts(&[lm358, bc547]).await.unwrap();

    // The next day: LM358DR's stock moves, Bolt no longer lists NE555 and a new part comes in.
    import_csv(
        &store,
        dir.path(),
        "LM358DR,TI,Op amp,Acme,A-1,4,USD,1:0.5\nLM358DR,TI,Op amp,Bolt,B-1,3,USD,1:0.6\n\
         NE555,TI,Timer,Acme,A-2,5,USD,1:0.2\nBC547,onsemi,NPN transistor,Acme,A-3,0,USD,1:0.05\n\
         RC0603FR-0710KL,Yageo,Resistor 10k,Acme,A-4,900,USD,1:0.01\nTL072CP,TI,Dual op amp,Bolt,B-5,0,USD,1:0.4\n",
    )
    .await;
    updated.refresh().await.unwrap();
    assert_eq!(updated.index_builds(), IndexBuilds { full: 1, in_place: 1 });
    let stats = updated.part_cache_stats();
    assert_eq!(stats.parts, 1, "BC547 did not change and stays in memory; LM358DR left it: {stats:?}");
    assert_eq!(updated.parts(&[lm358]).await.unwrap()[0].offers[0].inventory_level, Some(4));

    let built = Catalogue::open(store.clone(), &dir.path().join("built")).await.unwrap();
    assert_eq!(built.index_builds(), IndexBuilds { full: 1, in_place: 0 });
    let ask = |q: &str| SearchRequest { q: q.to_owned(), limit: 10, aggregations: true, ..Default::default() };
    let by_mpn = |descending| SearchRequest { sort: Some(Sort { key: SortKey::Mpn, descending }), ..ask("") };
    let requests = [
        ask(""),
        ask("op amp"),
        ask("ti"),
        SearchRequest { in_stock_only: true, ..ask("") },
        SearchRequest { mpn_only: true, ..ask("NE555") },
        by_mpn(false),
        by_mpn(true),
    ];
    // Text relevance counts replaced documents until they are merged away: the order of equally
    // good matches may differ, what matches may not.
    let unordered = |mut result: SearchResult| {
        result.part_ids.sort_unstable();
        result
    };
    for request in &requests {
        let (a, b) = (updated.search(request.clone()).await.unwrap(), built.search(request.clone()).await.unwrap());
        if request.sort.is_some() {
            assert_eq!(a, b, "{request:?}");
        } else {
            assert_eq!(unordered(a), unordered(b), "{request:?}");
        }
    }
    let sorted = updated.search(by_mpn(false)).await.unwrap();
    let mpns: Vec<String> = built.parts(&sorted.part_ids).await.unwrap().iter().map(|v| v.part.mpn.clone()).collect();
    assert_eq!(mpns, ["BC547", "LM358DR", "NE555", "RC0603FR-0710KL", "TL072CP"]);
    assert_eq!(updated.search(SearchRequest { in_stock_only: true, ..ask("") }).await.unwrap().hits, 3);
    let ti = updated.dictionary().manufacturer_named("TI").unwrap().id;
    assert_eq!(updated.parts_of_manufacturer(ti).unwrap(), 3, "counted without the replaced documents");
    assert_eq!(updated.parts_of_manufacturer(ti).unwrap(), built.parts_of_manufacturer(ti).unwrap());

    // A node stopped over a change (or `ferrite import`) updates the index it left behind.
    drop(updated);
    import_csv(&store, dir.path(), "NE555,TI,Timer,Acme,A-2,6,USD,1:0.2\n").await;
    let restarted = Catalogue::open(store.clone(), &dir.path().join("updated")).await.unwrap();
    assert_eq!(restarted.index_builds(), IndexBuilds { full: 0, in_place: 1 });
    assert_eq!(restarted.search(ask("")).await.unwrap().hits, 5);
}

#[test]
fn a_search_runs_off_the_async_runtime_and_leaves_its_thread_free() {
    // One thread: if the search ran on it, nothing else could run until it was done.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let db = TestDb::sqlite().await;
        let (store, dir) = (db.store.clone(), &db.dir);
        ferrite_store::testing::write_synthetic_parts(&store, 3_000).await.unwrap();
        let catalogue = Catalogue::open(store, dir.path()).await.unwrap();
        // Work on the index (a search is such work) that cannot end until this thread says so:
        // had it run on the runtime's only thread, nothing else could.
        let (go_on, wait) = std::sync::mpsc::channel::<()>();
        let mut working = std::pin::pin!(catalogue.with_index(move |index, _| {
            wait.recv().unwrap();
            Ok(Some((std::thread::current().id(), index.parts())))
        }));
        let first_poll = std::future::poll_fn(|cx| std::task::Poll::Ready(working.as_mut().poll(cx))).await;
        assert!(first_poll.is_pending());
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
        go_on.send(()).unwrap();
        let (thread, parts) = working.await.unwrap().unwrap();
        assert_ne!(thread, std::thread::current().id(), "the work ran on the runtime's thread");
        assert_eq!(parts, 3_000);
        // Every part, with facets: the dearest kind of search.
        let request = ferrite_supply::search::SearchRequest { limit: 10, aggregations: true, ..Default::default() };
        let result = catalogue.search(request).await.unwrap();
        assert_eq!(result.hits, 3_000);
        assert_eq!(result.manufacturers.len(), 1);
        assert_eq!(catalogue.search_blocking(&Default::default()).unwrap().hits, 3_000, "the same index either way");
    });
}
