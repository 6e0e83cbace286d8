//! Importing feeds into a real store: idempotent, atomic, and reporting what changed. Every case
//! runs on SQLite, and on PostgreSQL when `FERRITE_TEST_POSTGRES_URL` names a server.

use std::{io::Write, path::Path};

mod support;
use support::on_both_backends;

use chrono::{Duration, Utc};
use ferrite_core::keys::ManufacturerAliases;
use ferrite_store::{ROOT_CATEGORY_ID, Store, testing::TestDb};
use ferrite_supply::{
    feeds::{Adapter, FeedError, PartSink},
    import::{Mode, import, import_parts},
    model::{FeedPart, Location},
};

on_both_backends!(
    importing_the_same_source_twice_changes_nothing,
    changes_are_reported_and_history_keeps_the_old_values,
    thousands_of_changes_cross_write_batches_whole,
    an_incremental_import_removes_nothing,
    a_few_parts_import_as_the_feed_would_reading_only_them,
    a_failed_import_leaves_the_catalogue_as_it_was,
    gzip_bombs_are_refused_and_leave_the_catalogue_as_it_was,
    the_two_real_nexar_recordings_report_what_changed_in_six_weeks,
    categories_hang_under_nexars_root_and_keep_their_ids_across_imports,
    every_offer_records_its_feed_source_and_import_time,
    a_sellers_homepage_from_its_feed_is_kept,
    a_kitspace_cache_imported_twice_changes_nothing,
    the_real_kitspace_cache_imported_twice_changes_nothing,
);

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Provenance: each offer names the feed and source that wrote it and when; an unchanged re-import
/// keeps both, the same feed read from elsewhere records the new source.
async fn every_offer_records_its_feed_source_and_import_time(store: Store, dir: &Path) {
    let text = "mpn,manufacturer,seller,sku,authorized,stock,currency,price_breaks\n\
                LM358DR,TI,Acme,A-1,,10,USD,1:0.5\nNE555,TI,Acme,A-2,no,5,USD,1:0.2\n";
    let (first, moved) = (write(dir, "a.csv", text), write(dir, "b.csv", text));
    let day1 = Utc::now() - Duration::days(1);
    let provenance = async || {
        let ids = store.catalogue().part_ids_in_mpn_order().await.unwrap();
        let parts = store.catalogue().parts_with_offers(&ids).await.unwrap();
        let offers = parts.into_iter().flat_map(|(_, offers)| offers);
        offers.map(|o| (o.sku, o.feed, o.feed_source, o.updated_at, o.authorized_by_feed)).collect::<Vec<_>>()
    };
    import(&store, "acme", Adapter::Csv, &first, Mode::Snapshot, day1, &mut ()).await.unwrap();
    // The store keeps milliseconds.
    let at = |t: chrono::DateTime<Utc>| chrono::DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap();
    let recorded = vec![
        ("A-1".to_owned(), "acme".to_owned(), first.clone(), at(day1), None),
        ("A-2".to_owned(), "acme".to_owned(), first.clone(), at(day1), Some(false)),
    ];
    assert_eq!(provenance().await, recorded);

    let report = import(&store, "acme", Adapter::Csv, &first, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    assert!(!report.changed());
    assert_eq!(provenance().await, recorded, "an unchanged re-import keeps what wrote the offers, and when");

    let day2 = Utc::now();
    import(&store, "acme", Adapter::Csv, &moved, Mode::Snapshot, day2, &mut ()).await.unwrap();
    let sources: Vec<(String, chrono::DateTime<Utc>)> = provenance().await.into_iter().map(|o| (o.2, o.3)).collect();
    assert_eq!(sources, [(moved.clone(), at(day2)), (moved.clone(), at(day2))]);
}

async fn a_sellers_homepage_from_its_feed_is_kept(store: Store, dir: &Path) {
    let recording = serde_json::json!({"query": "supMultiMatch", "results": {"q": {"hits": 1, "parts": [{
        "mpn": "LM358DR", "manufacturer": {"name": "TI"},
        "sellers": [{"company": {"name": "Mouser", "homepageUrl": "https://eu.mouser.com"},
                     "offers": [{"sku": "595-LM358DR", "inventoryLevel": 5, "prices": []}]}]
    }]}}});
    let source = write(dir, "recording.json", &recording.to_string());
    for _ in 0..2 {
        import(&store, "nexar", Adapter::NexarJson, &source, Mode::Incremental, Utc::now(), &mut ()).await.unwrap();
    }
    let sellers = store.catalogue().sellers().await.unwrap();
    let homepages: Vec<(&str, Option<&str>)> =
        sellers.iter().map(|s| (s.name.as_str(), s.homepage_url.as_deref())).collect();
    assert_eq!(homepages, [("Mouser", Some("https://eu.mouser.com"))]);
}

async fn categories_hang_under_nexars_root_and_keep_their_ids_across_imports(store: Store, dir: &Path) {
    let header = "mpn,manufacturer,description,category,seller,sku,stock,currency,price_breaks\n";
    let day1 = write(
        dir,
        "1.csv",
        &format!(
            "{header}LM358DR,TI,Op amp,Integrated Circuits > Op Amps,Acme,A-1,10,USD,1:0.5\n\
             RC0603,Yageo,Resistor,Electronic Parts > Passive Components > Resistors,Acme,A-2,5,USD,1:0.01\n"
        ),
    );
    let day2 = write(
        dir,
        "2.csv",
        &format!(
            "{header}LM393DR,TI,Comparator,Integrated Circuits > Comparators,Acme,A-3,10,USD,1:0.5\n\
             LM358DR,TI,Op amp,Integrated Circuits > Op Amps,Acme,A-1,10,USD,1:0.5\n"
        ),
    );
    let tree = || async {
        let categories = store.catalogue().categories().await.unwrap();
        categories.into_iter().map(|c| (c.path, (c.id, c.parent_id))).collect::<std::collections::BTreeMap<_, _>>()
    };
    assert_eq!(tree().await[""], (ROOT_CATEGORY_ID, None), "an empty catalogue has the root");
    import(&store, "acme", Adapter::Csv, &day1, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    let first = tree().await;
    assert_eq!(first[""], (ROOT_CATEGORY_ID, None));
    for top in ["Integrated Circuits", "Passive Components"] {
        assert_eq!(first[top].1, Some(ROOT_CATEGORY_ID), "{top} hangs under the root: {first:?}");
    }
    assert!(!first.contains_key("Electronic Parts"), "a path that names the root starts below it: {first:?}");
    assert_eq!(first["Passive Components/Resistors"].1, Some(first["Passive Components"].0));

    import(&store, "acme", Adapter::Csv, &day2, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    import(&store, "acme", Adapter::Csv, &day1, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    let again = tree().await;
    for (path, ids) in &first {
        assert_eq!(again.get(path), Some(ids), "{path} keeps its id across imports");
    }
    assert!(again["Integrated Circuits/Comparators"].0 > ROOT_CATEGORY_ID, "new ids never collide with the root");
}

const HEADER: &str = "mpn,manufacturer,description,seller,sku,stock,currency,price_breaks\n";

async fn importing_the_same_source_twice_changes_nothing(store: Store, dir: &Path) {
    let csv = write(
        dir,
        "a.csv",
        &format!("{HEADER}LM358DR,TI,Op amp,Acme,A-1,10,USD,1:0.5\nNE555,TI,Timer,Acme,A-2,5,USD,1:0.2\n"),
    );
    let first = import(&store, "csv", Adapter::Csv, &csv, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    assert_eq!((first.parts_added, first.offers_added), (2, 2));
    assert_eq!(first.catalogue_version, 1);
    let again = import(&store, "csv", Adapter::Csv, &csv, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    assert_eq!((again.parts_added, again.parts_updated, again.parts_unchanged), (0, 0, 2));
    assert_eq!(
        (again.offers_added, again.offers_stock_changed, again.offers_price_changed, again.offers_removed),
        (0, 0, 0, 0)
    );
    assert!(!again.changed());
    assert_eq!(again.catalogue_version, 1, "an import that changes nothing leaves the version alone");
}

async fn changes_are_reported_and_history_keeps_the_old_values(store: Store, dir: &Path) {
    let day1 = write(
        dir,
        "1.csv",
        &format!(
            "{HEADER}LM358DR,TI,Op amp,Acme,A-1,10,USD,1:0.5\nNE555,TI,Timer,Acme,A-2,5,USD,1:0.2\nTL072,TI,JFET op amp,Acme,A-3,7,USD,1:0.9\n"
        ),
    );
    let day2 = write(
        dir,
        "2.csv",
        &format!("{HEADER}LM358DR,TI,Op amp,Acme,A-1,8,USD,1:0.5\nNE555,TI,Timer,Acme,A-2,5,USD,1:0.25\n"),
    );
    let t1 = Utc::now() - Duration::days(1);
    import(&store, "acme", Adapter::Csv, &day1, Mode::Snapshot, t1, &mut ()).await.unwrap();
    let report = import(&store, "acme", Adapter::Csv, &day2, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    assert_eq!(report.offers_stock_changed, 1, "{report}");
    assert_eq!(report.offers_price_changed, 1, "{report}");
    assert_eq!(report.offers_removed, 1, "TL072's offer is no longer listed: {report}");
    assert!(report.to_string().contains("1 with stock changed"));

    let seller = store.catalogue().sellers().await.unwrap()[0].id;
    let history =
        store.catalogue().offer_history(store.catalogue().offer_id(seller, "A-1").await.unwrap()).await.unwrap();
    let stock: Vec<Option<i64>> = history.iter().map(|h| h.inventory_level).collect();
    assert_eq!(stock, [Some(10), Some(8)]);
    let prices =
        store.catalogue().offer_history(store.catalogue().offer_id(seller, "A-2").await.unwrap()).await.unwrap();
    assert_eq!(prices.iter().map(|h| h.prices[0].price).collect::<Vec<_>>(), [0.2, 0.25]);
}

/// More rows than one write batch holds, so new, changed and removed rows each span several
/// multi-row statements.
async fn thousands_of_changes_cross_write_batches_whole(store: Store, dir: &Path) {
    let rows = |day: u32, parts: std::ops::Range<u32>| {
        let lines: String = parts
            .map(|n| {
                // On day 2 every third part's stock moves and every fifth part's price does.
                let stock = if day == 2 && n % 3 == 0 { n + 1 } else { n };
                let price = if day == 2 && n % 5 == 0 { "0.75" } else { "0.5" };
                format!("PART-{n},Acme,Part {n},Acme,A-{n},{stock},USD,1:{price}\n")
            })
            .collect();
        format!("{HEADER}{lines}")
    };
    let day1 = write(dir, "1.csv", &rows(1, 0..4500));
    let day2 = write(dir, "2.csv", &rows(2, 1500..6000));
    let first = import(&store, "acme", Adapter::Csv, &day1, Mode::Snapshot, Utc::now() - Duration::days(1), &mut ())
        .await
        .unwrap();
    assert_eq!((first.parts_added, first.offers_added), (4500, 4500), "{first}");
    let second = import(&store, "acme", Adapter::Csv, &day2, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    assert_eq!((second.parts_added, second.offers_added, second.offers_removed), (1500, 1500, 1500), "{second}");
    assert_eq!((second.offers_stock_changed, second.offers_price_changed), (1000, 600), "{second}");

    let offers = store.catalogue().offers_in_part_range(0, i64::MAX).await.unwrap();
    assert_eq!(offers.len(), 4500);
    let stock: std::collections::HashMap<&str, Option<i64>> =
        offers.iter().map(|o| (o.sku.as_str(), o.inventory_level)).collect();
    assert_eq!(stock["A-3000"], Some(3001));
    assert_eq!(stock["A-3001"], Some(3001));
    assert!(!stock.contains_key("A-1499"), "removed");
    let seller = store.catalogue().sellers().await.unwrap()[0].id;
    let history =
        store.catalogue().offer_history(store.catalogue().offer_id(seller, "A-4500").await.unwrap()).await.unwrap();
    assert_eq!(history.iter().map(|h| h.prices[0].price).collect::<Vec<_>>(), [0.75]);
    let history =
        store.catalogue().offer_history(store.catalogue().offer_id(seller, "A-3000").await.unwrap()).await.unwrap();
    assert_eq!(history.iter().map(|h| h.inventory_level).collect::<Vec<_>>(), [Some(3000), Some(3001)]);
    assert_eq!(history[1].prices[0].price, 0.75);

    let again = import(&store, "acme", Adapter::Csv, &day2, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    assert!(!again.changed(), "{again}");
}

async fn an_incremental_import_removes_nothing(store: Store, dir: &Path) {
    let a = write(dir, "a.csv", &format!("{HEADER}LM358DR,TI,Op amp,Acme,A-1,10,USD,1:0.5\n"));
    let b = write(dir, "b.csv", &format!("{HEADER}NE555,TI,Timer,Acme,A-2,5,USD,1:0.2\n"));
    import(&store, "acme", Adapter::Csv, &a, Mode::Incremental, Utc::now(), &mut ()).await.unwrap();
    let report = import(&store, "acme", Adapter::Csv, &b, Mode::Incremental, Utc::now(), &mut ()).await.unwrap();
    assert_eq!(report.offers_removed, 0);
    assert_eq!(store.catalogue().part_ids_in_mpn_order().await.unwrap().len(), 2);
}

/// The parts a CSV feed gives, as a connector's answer would hand them over.
fn parts_of(path: &str) -> Vec<FeedPart> {
    struct Parts(Vec<FeedPart>);
    impl PartSink for Parts {
        fn part(&mut self, part: FeedPart) -> Result<(), FeedError> {
            self.0.push(part);
            Ok(())
        }
        fn skip(&mut self, at: Location, reason: String) {
            panic!("{at}: {reason}");
        }
        fn progress(&mut self, _: u64, _: Option<u64>) {}
    }
    let mut parts = Parts(Vec::new());
    Adapter::Csv.read(path, &mut parts).unwrap();
    parts.0
}

/// A connector's few parts are read from the store one by one, not with the whole catalogue,
/// and compare with what it holds exactly as a feed's import does; the version lists them.
async fn a_few_parts_import_as_the_feed_would_reading_only_them(store: Store, dir: &Path) {
    let day1 = format!(
        "{HEADER}LM358DR,TI,Op amp,Acme,A-1,10,USD,1:0.5\nNE555,TI,Timer,Acme,A-2,5,USD,1:0.2\nTL072,TI,JFET op amp,Acme,A-3,7,USD,1:0.9\n"
    );
    let source = write(dir, "1.csv", &day1);
    let first = import(&store, "acme", Adapter::Csv, &source, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    let looked_up = write(
        dir,
        "2.csv",
        &format!(
            "{HEADER}LM358DR,TI,Op amp,Acme,A-1,8,USD,1:0.5\nNE555,TI,Timer,Acme,A-2,5,USD,1:0.2\nOPA2134,TI,Audio op amp,Bolt,B-9,3,USD,1:2.5\n"
        ),
    );
    let aliases = ManufacturerAliases::default();
    let report = import_parts(&store, &aliases, "acme", &source, parts_of(&looked_up), Utc::now()).await.unwrap();
    assert_eq!((report.parts_added, report.parts_updated, report.parts_unchanged), (1, 0, 2), "{report}");
    assert_eq!((report.offers_added, report.offers_stock_changed, report.offers_removed), (1, 1, 0), "{report}");
    let ids = |mpn: &'static str| {
        let store = store.clone();
        async move { store.catalogue().part_ids_by_mpn_key(mpn).await.unwrap()[0] }
    };
    let mut changed = vec![ids("LM358DR").await, ids("OPA2134").await];
    changed.sort_unstable();
    let listed = store.catalogue().changes_between(first.catalogue_version, report.catalogue_version).await.unwrap();
    assert_eq!(listed, Some(changed));
    assert_eq!(store.catalogue().offers_in_part_range(0, i64::MAX).await.unwrap().len(), 4, "TL072's offer stays");

    let again = import_parts(&store, &aliases, "acme", &source, parts_of(&looked_up), Utc::now()).await.unwrap();
    assert!(!again.changed(), "{again}");
}

/// A jlcparts layout whose second shard is a truncated gzip: the read fails after parts of the
/// first shard were already written.
fn broken_jlcparts(dir: &Path) -> String {
    let root = dir.join("jlc");
    std::fs::create_dir_all(&root).unwrap();
    let gzip = |name: &str, text: &str, truncate: bool| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        let mut bytes = encoder.finish().unwrap();
        if truncate {
            bytes.truncate(bytes.len() / 2);
        }
        std::fs::write(root.join(name), bytes).unwrap();
    };
    let lut =
        r#"[["Manufacturer",{"format":"${default}","primary":"default","values":{"default":["Acme","string"]}}]]"#;
    gzip("attributes-lut.json.gz", lut, false);
    let header = r#"{"lcsc":0,"mfr":1,"joints":2,"description":3,"datasheet":4,"price":5,"img":6,"url":7,"attributes":8,"stock":9,"subcategory":10}"#;
    let row = |n: u32| {
        format!(r#"["C{n}","PART-{n}",2,"Part {n}","",[{{"qFrom":1,"qTo":null,"price":0.1}}],null,null,[0],{n},1]"#)
    };
    let good: Vec<String> = (1..=300).map(row).collect();
    gzip("components-a-001.jsonl.gz", &format!("{header}\n{}\n", good.join("\n")), false);
    let more: Vec<String> = (301..=5000).map(row).collect();
    gzip("components-b-001.jsonl.gz", &format!("{header}\n{}\n", more.join("\n")), true);
    let manifest = r#"{"categories":[
        {"category":"Cat","subcategory":"A","id":1,"componentCount":300,"shards":["components-a-001.jsonl.gz"]},
        {"category":"Cat","subcategory":"B","id":2,"componentCount":4700,"shards":["components-b-001.jsonl.gz"]}]}"#;
    std::fs::write(root.join("manifest.json"), manifest).unwrap();
    root.to_str().unwrap().to_owned()
}

async fn a_failed_import_leaves_the_catalogue_as_it_was(store: Store, dir: &Path) {
    let csv = write(dir, "a.csv", &format!("{HEADER}LM358DR,TI,Op amp,Acme,A-1,10,USD,1:0.5\n"));
    import(&store, "base", Adapter::Csv, &csv, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    let before = store.catalogue().part_ids_in_mpn_order().await.unwrap();

    let broken = broken_jlcparts(dir);
    let failed = import(&store, "jlcparts", Adapter::Jlcparts, &broken, Mode::Snapshot, Utc::now(), &mut ()).await;
    let message = failed.expect_err("a truncated shard fails the import").to_string();
    assert!(message.contains("components-b-001.jsonl.gz"), "the error names the file: {message}");
    assert_eq!(
        store.catalogue().part_ids_in_mpn_order().await.unwrap(),
        before,
        "nothing of the failed import remains"
    );
    assert_eq!(store.catalogue().catalogue_version().await.unwrap(), 1);
    assert!(store.catalogue().manufacturers().await.unwrap().iter().all(|m| m.name != "Acme"));

    // The store is not left locked: the next import goes through.
    let again = import(&store, "base", Adapter::Csv, &csv, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    assert!(!again.changed());
}

/// After a rollback SQLite keeps the failed import's pages in the catalogue's write-ahead log: on a
/// full disk, the very space the server needs next. The import gives it back.
#[tokio::test]
async fn a_failed_import_on_sqlite_gives_back_the_log_it_wrote() {
    let db = TestDb::sqlite().await;
    let (store, dir) = (db.store.clone(), &db.dir);
    let broken = broken_jlcparts(dir.path());
    let failed = import(&store, "jlcparts", Adapter::Jlcparts, &broken, Mode::Snapshot, Utc::now(), &mut ()).await;
    failed.expect_err("a truncated shard fails the import");
    let log = dir.path().join("ferrite-catalogue.db-wal");
    assert_eq!(
        std::fs::metadata(&log).map_or(0, |m| m.len()),
        0,
        "{} is left holding the failed import",
        log.display()
    );
}

/// A jlcparts layout of one good shard and one that is a gzip bomb: `member` (gzipped once) repeated
/// `times` as concatenated gzip members, so a file of a few MB inflates to gigabytes.
fn bomb_jlcparts(dir: &Path, name: &str, member: &[u8], times: usize) -> String {
    let root = dir.join(name);
    std::fs::create_dir_all(&root).unwrap();
    let gzipped = |text: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text).unwrap();
        encoder.finish().unwrap()
    };
    let lut =
        r#"[["Manufacturer",{"format":"${default}","primary":"default","values":{"default":["Boom","string"]}}]]"#;
    std::fs::write(root.join("attributes-lut.json.gz"), gzipped(lut.as_bytes())).unwrap();
    let header = r#"{"lcsc":0,"mfr":1,"joints":2,"description":3,"datasheet":4,"price":5,"img":6,"url":7,"attributes":8,"stock":9,"subcategory":10}"#;
    let good: Vec<String> = (1..=300)
        .map(|n| {
            format!(r#"["C{n}","BOOM-{n}",2,"Part {n}","",[{{"qFrom":1,"qTo":null,"price":0.1}}],null,null,[0],{n},1]"#)
        })
        .collect();
    std::fs::write(
        root.join("components-a-001.jsonl.gz"),
        gzipped(format!("{header}\n{}\n", good.join("\n")).as_bytes()),
    )
    .unwrap();
    let mut bomb = gzipped(format!("{header}\n").as_bytes());
    let member = gzipped(member);
    for _ in 0..times {
        bomb.extend_from_slice(&member);
    }
    std::fs::write(root.join("components-b-001.jsonl.gz"), bomb).unwrap();
    let manifest = r#"{"categories":[
        {"category":"Cat","subcategory":"A","id":1,"componentCount":300,"shards":["components-a-001.jsonl.gz"]},
        {"category":"Cat","subcategory":"B","id":2,"componentCount":1,"shards":["components-b-001.jsonl.gz"]}]}"#;
    std::fs::write(root.join("manifest.json"), manifest).unwrap();
    root.to_str().unwrap().to_owned()
}

/// The most memory this process has held (Linux), in MiB.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? / 1024)
}

async fn gzip_bombs_are_refused_and_leave_the_catalogue_as_it_was(store: Store, dir: &Path) {
    let csv = write(dir, "a.csv", &format!("{HEADER}LM358DR,TI,Op amp,Acme,A-1,10,USD,1:0.5\n"));
    import(&store, "base", Adapter::Csv, &csv, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    let before = store.catalogue().part_ids_in_mpn_order().await.unwrap();

    // Issue 13: one 2 GiB line (16 MiB of `x` gzipped, 128 times; 2 MB on disk) took 3.1 GiB.
    let x = vec![b'x'; 16 << 20];
    let long_line = bomb_jlcparts(dir, "line", &x, 128);
    // 2 GiB of blank lines of 1 KiB: no line is long, the file is.
    let blank = [[b' '; 1023].as_slice(), b"\n"].concat().repeat(16 << 10);
    let many_lines = bomb_jlcparts(dir, "size", &blank, 128);
    for (bomb, why) in [
        (long_line, "components-b-001.jsonl.gz:2: a line is longer than 1 MiB: not a jlcparts shard"),
        (many_lines, "more than 256 MiB once decompressed: not a jlcparts file (a gzip bomb?)"),
    ] {
        let on_disk: u64 = std::fs::read_dir(&bomb).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
        assert!(on_disk < 8 << 20, "the bomb is small: {on_disk} bytes");
        let failed = import(&store, "jlcparts", Adapter::Jlcparts, &bomb, Mode::Snapshot, Utc::now(), &mut ()).await;
        let message = failed.expect_err("a bomb fails the import").to_string();
        assert!(message.contains(why), "{message}");
        assert_eq!(
            store.catalogue().part_ids_in_mpn_order().await.unwrap(),
            before,
            "nothing of the failed import remains"
        );
        assert_eq!(store.catalogue().catalogue_version().await.unwrap(), 1);
    }
    if let Some(peak) = peak_rss_mib() {
        // The inflated data would be 2 GiB each; what is held is a line (1 MiB) and buffers.
        assert!(peak < 512, "peak RSS {peak} MiB");
    }
}

/// Importing a Kitspace PartInfo cache: the part two answers name is one, with the offers of
/// both; sellers are spelled as the seller table spells them; the same cache again changes nothing.
async fn a_kitspace_cache_imported_twice_changes_nothing(store: Store, _: &Path) {
    let source = support::kitspace_cache();
    let adapter = Adapter::KitspacePartinfo;
    let mode = Mode::default_for(adapter);
    assert_eq!(mode, Mode::Incremental, "a cache of answers adds to what the feed brought");
    let source = source.to_str().unwrap();
    let first = import(&store, "kitspace", adapter, source, mode, Utc::now(), &mut ()).await.unwrap();
    assert_eq!((first.parts_added, first.offers_added, first.skipped), (4, 7, 3), "{first}");
    let mut sellers: Vec<String> = store.catalogue().sellers().await.unwrap().into_iter().map(|s| s.name).collect();
    sellers.sort();
    assert_eq!(sellers, ["Digi-Key", "Farnell", "LCSC", "Mouser", "Newark", "RS", "TME"]);
    let again = import(&store, "kitspace", adapter, source, mode, Utc::now(), &mut ()).await.unwrap();
    assert_eq!((again.parts_added, again.parts_updated, again.parts_unchanged), (0, 0, 4), "{again}");
    assert!(!again.changed(), "{again}");
    assert_eq!(again.catalogue_version, first.catalogue_version);
}

/// The real cache: 354 parts with 2,751 offers (its 368 answers merged), and a second import
/// changes nothing.
async fn the_real_kitspace_cache_imported_twice_changes_nothing(store: Store, _: &Path) {
    let Some(data) = support::shared_data("") else { return };
    let source = data.join("kitspace-partinfo/responses.json");
    let source = source.to_str().unwrap();
    let adapter = Adapter::KitspacePartinfo;
    let first = import(&store, "kitspace", adapter, source, Mode::Incremental, Utc::now(), &mut ()).await.unwrap();
    assert_eq!(
        (first.parts_added, first.parts_repeated, first.offers_added, first.skipped),
        (354, 0, 2751, 0),
        "{first}"
    );
    let again = import(&store, "kitspace", adapter, source, Mode::Incremental, Utc::now(), &mut ()).await.unwrap();
    assert_eq!((again.parts_added, again.parts_updated, again.parts_unchanged), (0, 0, 354), "{again}");
    assert!(!again.changed(), "{again}");
}

async fn the_two_real_nexar_recordings_report_what_changed_in_six_weeks(store: Store, _: &Path) {
    let Some(data) = support::shared_data("") else { return };
    let file = |date: &str| data.join(format!("nexar/supMultiMatch-{date}.json")).to_str().unwrap().to_owned();
    let first = import(
        &store,
        "nexar",
        Adapter::NexarJson,
        &file("2022-10-28"),
        Mode::Incremental,
        Utc::now() - Duration::days(47),
        &mut (),
    )
    .await
    .unwrap();
    assert!(first.parts_added > 60, "{first}");
    let second =
        import(&store, "nexar", Adapter::NexarJson, &file("2022-12-14"), Mode::Incremental, Utc::now(), &mut ())
            .await
            .unwrap();
    assert!(second.offers_stock_changed > 100 && second.offers_price_changed > 100, "{second}");
    // Every offer whose stock or price moved kept both values.
    let offers = store.catalogue().offers_in_part_range(0, i64::MAX).await.unwrap();
    let mut changed_with_both = 0;
    for offer in &offers {
        let history = store.catalogue().offer_history(offer.id).await.unwrap();
        if history.len() >= 2
            && (history[0].inventory_level != history[1].inventory_level || history[0].prices != history[1].prices)
        {
            changed_with_both += 1;
        }
    }
    assert!(
        changed_with_both >= second.offers_stock_changed.max(second.offers_price_changed),
        "{changed_with_both}: {second}"
    );
}

/// The whole real jlcparts set: every one of its 582,280 records becomes a part of the catalogue.
/// 1,745 LCSC codes name a manufacturer and exact MPN that another code also names (manufacturers
/// read through the alias table): those are one part (the first record's) with an offer per code,
/// so the catalogue holds 580,535 distinct parts and 582,280 LCSC offers.
#[tokio::test]
async fn the_full_jlcparts_set_imports_every_record() {
    let Some(data) = support::shared_data("") else { return };
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let source = data.join("jlcparts");
    let report =
        import(&store, "jlcparts", Adapter::Jlcparts, source.to_str().unwrap(), Mode::Snapshot, Utc::now(), &mut ())
            .await
            .unwrap();
    assert_eq!(report.skipped, 0, "{report}");
    assert_eq!(report.parts_added + report.parts_repeated, 582_280, "{report}");
    assert_eq!((report.parts_added, report.parts_repeated), (580_535, 1_745), "{report}");
    assert_eq!(report.offers_added, 582_280, "{report}");
    assert_eq!(store.catalogue().part_ids_in_mpn_order().await.unwrap().len(), 580_535);
}

/// Every real feed in one catalogue: a part that several feeds sell (the same manufacturer,
/// however each spells it, and the exact MPN) is one part with the offers of all of them.
#[tokio::test]
async fn the_parts_several_real_feeds_sell_are_one_part_each() {
    let Some(data) = support::shared_data("") else { return };
    let db = TestDb::sqlite().await;
    let store = db.store.clone();
    let feeds = [
        ("jlcparts", Adapter::Jlcparts, "jlcparts"),
        ("nexar", Adapter::NexarJson, "nexar/supMultiMatch-2022-10-28.json"),
        ("nexar", Adapter::NexarJson, "nexar/supMultiMatch-2022-12-14.json"),
        ("digikey", Adapter::DigikeyV4, "digikey-v4"),
        ("kitspace", Adapter::KitspacePartinfo, "kitspace-partinfo/responses.json"),
        ("tme", Adapter::Tme, "tme/responses.json"),
        ("element14", Adapter::Element14, "element14/responses.json"),
        ("mouser", Adapter::Mouser, "mouser/responses.json"),
    ];
    for (feed, adapter, path) in feeds {
        let source = data.join(path);
        let mode = Mode::default_for(adapter);
        import(&store, feed, adapter, source.to_str().unwrap(), mode, Utc::now(), &mut ()).await.unwrap();
    }
    let catalogue = store.catalogue();
    let mut feeds_of: std::collections::BTreeMap<i64, std::collections::BTreeSet<String>> = Default::default();
    for offer in catalogue.offers_in_part_range(0, i64::MAX).await.unwrap() {
        feeds_of.entry(offer.part_id).or_default().insert(offer.feed);
    }
    let shared: Vec<i64> = feeds_of.iter().filter(|(_, feeds)| feeds.len() > 1).map(|(id, _)| *id).collect();
    let parts = catalogue.parts_by_ids(&shared).await.unwrap();
    let manufacturers: std::collections::HashMap<i64, String> =
        catalogue.manufacturers().await.unwrap().into_iter().map(|m| (m.id, m.name)).collect();
    let name = |mpn: &str| {
        let part = parts.iter().find(|p| p.mpn == mpn).unwrap_or_else(|| panic!("{mpn} is not sold by several feeds"));
        (
            manufacturers[&part.manufacturer_id].as_str(),
            feeds_of[&part.id].iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    eprintln!("{} parts are sold by several feeds", shared.len());
    // Kitspace's "Murata", the Nexar recording's "muRata", LCSC's "Murata Electronics" and the
    // distributors' spellings are one manufacturer. LCSC's offer C84419 is there too, but Kitspace
    // reports that same offer (seller and SKU) later, so it is kept once, as the newer report.
    assert_eq!(name("GRM188R61A226ME15D"), ("Murata", vec!["element14", "kitspace", "nexar", "tme"]));
    let grm = parts.iter().find(|p| p.mpn == "GRM188R61A226ME15D").unwrap().id;
    let grm_offers = catalogue.offers_in_part_range(grm - 1, grm).await.unwrap();
    assert_eq!(grm_offers.iter().filter(|o| o.sku == "C84419").count(), 1, "{grm_offers:?}");
    assert!(shared.len() >= SHARED_PARTS, "{} parts sold by several feeds", shared.len());
    // And no two parts are one: the same exact MPN under two manufacturers of one key is a bug.
    let mut seen = std::collections::HashSet::new();
    for part in catalogue.parts_by_ids(&feeds_of.keys().copied().collect::<Vec<_>>()).await.unwrap() {
        assert!(seen.insert((part.manufacturer_id, part.mpn.clone())), "{} twice", part.mpn);
    }
}

/// Measured on the real data: 296 (the test reports it).
const SHARED_PARTS: usize = 290;
