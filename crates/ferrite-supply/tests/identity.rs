//! Which records are one manufacturer and one part: a manufacturer is one however feeds spell it
//! (the alias table), and a catalogue keyed otherwise is re-keyed with its manufacturers merged.
//! Every case runs on SQLite, and on PostgreSQL when `FERRITE_TEST_POSTGRES_URL` names a server.

use std::path::Path;

use chrono::Utc;
use ferrite_core::keys::{ManufacturerAliases, mpn_key, name_key};
use ferrite_store::{
    Store,
    catalogue::{ImportScope, OfferRow, PartRow},
    testing::TestDb,
};
use ferrite_supply::{
    catalogue::{Catalogue, CatalogueOptions},
    feeds::Adapter,
    import::{Mode, import},
    matching::{LineQuery, MatchOptions, match_line},
};

mod support;
use support::on_both_backends;

on_both_backends!(
    one_manufacturer_however_feeds_spell_it,
    a_catalogue_keyed_otherwise_is_re_keyed_and_its_manufacturers_merged,
    distinct_mpn_spellings_are_distinct_parts_and_a_line_matches_them_all,
);

const HEADER: &str = "mpn,manufacturer,seller,sku,authorized,stock,currency,price_breaks\n";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{HEADER}{text}")).unwrap();
    path.to_str().unwrap().to_owned()
}

/// LCSC's `Murata Electronics` and a Nexar recording's `muRata` are Murata; the same MPN from both
/// is one part with both sellers, and `SupCompany.aliases` lists the spellings.
async fn one_manufacturer_however_feeds_spell_it(store: Store, dir: &Path) {
    let lcsc = write(dir, "lcsc.csv", "GRM188R61A226ME15D,Murata Electronics,LCSC,C12345,,10,USD,1:0.01\n");
    let nexar = write(
        dir,
        "nexar.csv",
        "GRM188R61A226ME15D,muRata,Mouser,81-GRM188R61A226ME15,,5,USD,1:0.02\nSN74LS00N,TI,Mouser,595-SN74LS00N,,1,USD,1:0.5\n\
         AP3211KTR-G1,Diodes Incorporated,Mouser,621-AP3211KTR-G1,,1,USD,1:0.3\n",
    );
    import(&store, "lcsc", Adapter::Csv, &lcsc, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    let report = import(&store, "nexar", Adapter::Csv, &nexar, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    assert_eq!((report.parts_added, report.parts_unchanged), (2, 1), "{report}");

    let manufacturers = store.catalogue().manufacturers().await.unwrap();
    let mut names: Vec<&str> = manufacturers.iter().map(|m| m.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Diodes Inc.", "Murata", "Texas Instruments"], "canonical names");
    let murata = store.catalogue().part_ids_by_mpn_key("GRM188R61A226ME15D").await.unwrap();
    assert_eq!(murata.len(), 1, "one part");
    let (_, offers) = &store.catalogue().parts_with_offers(&murata).await.unwrap()[0];
    assert_eq!(offers.len(), 2, "with the sellers of both feeds");

    let catalogue = Catalogue::open(store.clone(), dir).await.unwrap();
    let dictionary = catalogue.dictionary();
    let murata = dictionary.manufacturer_named("MURATA ELECTRONICS").expect("by any spelling");
    let aliases = dictionary.manufacturer_aliases(murata.id);
    for spelling in ["Murata Electronics", "muRata", "Murata Manufacturing"] {
        assert!(aliases.iter().any(|a| a == spelling), "{spelling} in {aliases:?}");
    }
    assert!(!aliases.iter().any(|a| a == "Murata"), "not the name itself");
    assert_eq!(dictionary.manufacturers_matching("Texas Instruments")[0].name, "Texas Instruments");
    assert_eq!(dictionary.manufacturer_named("Diodes").map(|m| m.name.as_str()), Some("Diodes Inc."));
}

/// A catalogue written before the alias table (keys with legal forms, spellings apart) is re-keyed
/// when it opens: manufacturers that now share a key become the first one, their parts move to
/// it, and a part it has already (the same MPN) keeps its own record and takes all offers.
async fn a_catalogue_keyed_otherwise_is_re_keyed_and_its_manufacturers_merged(store: Store, dir: &Path) {
    let now = Utc::now();
    let mut writer = store.catalogue().begin_import("old", "old.csv", now, ImportScope::Catalogue).await.unwrap();
    let seller = writer.seller("mouser", "Mouser").await.unwrap();
    let mut sku = 0;
    for (manufacturer, mpns) in
        [("Diodes Incorporated", &["ZHCS1000", "AP3211KTR-G1"][..]), ("Diodes Inc.", &["ZHCS1000", "BAT54"][..])]
    {
        // As the importer keyed manufacturers before: by `name_key`, legal forms and all.
        let id = writer.manufacturer(&name_key(manufacturer), manufacturer).await.unwrap();
        for mpn in mpns {
            let part = PartRow {
                manufacturer_id: id,
                mpn: (*mpn).into(),
                mpn_key: mpn_key(mpn),
                description: Some(format!("{mpn} of {manufacturer}")),
                category_id: None,
                specs: "[]".into(),
                datasheet_url: None,
                image_url: None,
                content_hash: 1,
            };
            let (part, _) = writer.part(part).await.unwrap();
            sku += 1;
            let offer = OfferRow {
                seller_id: seller,
                sku: format!("621-{sku}"),
                sku_key: format!("621{sku}"),
                authorized_by_feed: None,
                inventory_level: Some(sku),
                moq: None,
                order_multiple: None,
                factory_lead_days: None,
                factory_pack_quantity: None,
                on_order_quantity: None,
                packaging: None,
                prices: "[]".into(),
                price_hash: 0,
                click_url: None,
                content_hash: 1,
            };
            writer.offer(part, offer).await.unwrap();
        }
    }
    writer.commit(true, "run-1", "{}", now).await.unwrap();
    let version = store.catalogue().catalogue_version().await.unwrap();

    let catalogue = Catalogue::open_with(store.clone(), dir, CatalogueOptions::default()).await.unwrap();
    assert!(catalogue.version() > version, "re-keying moves the version");
    let listed = store.catalogue().changes_between(version, catalogue.version()).await.unwrap();
    assert_eq!(listed, None, "a re-keying lists no changes: every node builds its index again");
    let manufacturers = store.catalogue().manufacturers().await.unwrap();
    assert_eq!(manufacturers.len(), 1, "{manufacturers:?}");
    assert_eq!(manufacturers[0].name, "Diodes Inc.", "the table's name for both");
    let ids = store.catalogue().part_ids_in_mpn_order().await.unwrap();
    let parts = store.catalogue().parts_with_offers(&ids).await.unwrap();
    let summary: Vec<(String, String, usize)> = parts
        .iter()
        .map(|(p, offers)| (p.mpn.clone(), p.description.clone().unwrap_or_default(), offers.len()))
        .collect();
    assert_eq!(
        summary,
        [
            ("AP3211KTR-G1".to_owned(), "AP3211KTR-G1 of Diodes Incorporated".to_owned(), 1),
            ("BAT54".to_owned(), "BAT54 of Diodes Inc.".to_owned(), 1),
            ("ZHCS1000".to_owned(), "ZHCS1000 of Diodes Incorporated".to_owned(), 2),
        ]
    );
    let aliases = catalogue.dictionary().manufacturer_aliases(manufacturers[0].id).to_vec();
    assert!(aliases.contains(&"Diodes Incorporated".to_owned()), "{aliases:?}");

    // Keyed now: nothing more to do, and the next import files parts under the same maker.
    assert!(!store.catalogue().rekey_manufacturers(&ManufacturerAliases::default()).await.unwrap());
    let csv = write(dir, "new.csv", "BAT54,DIODES INCORPORATED,Mouser,621-BAT54,,1,USD,1:0.1\n");
    let report = import(&store, "new", Adapter::Csv, &csv, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    assert_eq!((report.parts_added, report.offers_added), (0, 1), "{report}");
    assert_eq!(store.catalogue().manufacturers().await.unwrap().len(), 1);
}

/// As in Nexar, `C0603C103K5RACTU` and `C0603C103K5RAC-TU` are two parts with their own offers;
/// a BOM line of either spelling matches all of them, the part most sellers offer first, and a SKU
/// matches without case, punctuation or leading zeros.
async fn distinct_mpn_spellings_are_distinct_parts_and_a_line_matches_them_all(store: Store, dir: &Path) {
    let csv = write(
        dir,
        "kemet.csv",
        "C0603C103K5RACTU,KEMET,Mouser,80-C0603C103K5R,,10,USD,1:0.1\n\
         C0603C103K5RAC-TU,KEMET,Arrow,C0603C103K5RAC-TU,,5,USD,1:0.1\n\
         C0603C103K5RAC-TU,KEMET,Digi-Key,399-1091-1-ND,,5,USD,1:0.1\n\
         C0603C103K5RAC-TU,KEMET,RS Components,0166327,,5,USD,1:0.1\n\
         C0603C103K5RAC TU,Kemet Corporation,Verical,V-1,,5,USD,1:0.1\n\
         C0603C103K5RAC TU,KEMET,Newark,N-1,,5,USD,1:0.1\n",
    );
    let report = import(&store, "kemet", Adapter::Csv, &csv, Mode::Snapshot, Utc::now(), &mut ()).await.unwrap();
    // The CSV's two spellings of KEMET are two parts to the adapter, and one to the importer.
    assert_eq!((report.parts_added, report.parts_repeated, report.offers_added), (3, 1, 6), "{report}");
    assert_eq!(store.catalogue().manufacturers().await.unwrap().len(), 1, "KEMET however spelled");

    let catalogue = Catalogue::open(store.clone(), dir).await.unwrap();
    let dictionary = catalogue.dictionary();
    let options = MatchOptions::default();
    let line = |mpn: &str| LineQuery { mpn: Some(mpn.into()), limit: 10, ..Default::default() };
    for spelling in ["C0603C103K5RACTU", "c0603c103k5rac-tu"] {
        let found = match_line(&catalogue, &dictionary, &line(spelling), &options).await.unwrap();
        let mpns: Vec<&str> = found.parts.iter().map(|p| p.part.mpn.as_str()).collect();
        assert_eq!(mpns, ["C0603C103K5RAC-TU", "C0603C103K5RAC TU", "C0603C103K5RACTU"], "{spelling}");
        assert_eq!(found.hits, 3);
        let offers: Vec<usize> = found.parts.iter().map(|p| p.offers.len()).collect();
        assert_eq!(offers, [3, 2, 1], "each spelling with its own offers");
    }
    for (sku, seller) in [("166-327", "RS Components"), ("0399 1091 1 nd", "Digi-Key")] {
        let query = LineQuery { sku: Some(sku.into()), seller: Some(seller.into()), limit: 10, ..Default::default() };
        let found = match_line(&catalogue, &dictionary, &query, &options).await.unwrap();
        assert_eq!(found.parts.len(), 1, "{sku}");
        assert_eq!(found.parts[0].part.mpn, "C0603C103K5RAC-TU");
    }
}
