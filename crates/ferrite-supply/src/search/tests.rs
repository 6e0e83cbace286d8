//! Facets, spec aggregations, attribute sorting, suggestions and corrections on a small built index.

use std::sync::Arc;

use chrono::Utc;
use ferrite_store::testing::TestDb;
use serde_json::json;

use super::{
    Filter, SearchRequest, Sort, SortKey, SpecValue,
    facets::{Facets, SpecBucket},
    suggest::{Correction, SuggestRequest, Suggestion},
};
use crate::{
    catalogue::Catalogue,
    feeds::Adapter,
    import::{Mode, import},
};

/// Capacitors (one written `0.1µF`, the value of `100nF`; one with a voltage range, which has no
/// SI value) and resistors (one without a package).
const CSV: &str = "\
mpn,manufacturer,category,seller,sku,stock,spec:Capacitance,spec:Voltage,spec:Package,spec:Dielectric,spec:Resistance
GRM188R71H104KA93D,Murata,Capacitors > Ceramic Capacitors,LCSC,C1,1000,100nF,50V,0603,X7R,
GRM155R71C104KA88D,Murata,Capacitors > Ceramic Capacitors,LCSC,C2,0,0.1µF,16V,0402,X7R,
GRM188R71E104KA01D,Murata,Capacitors > Ceramic Capacitors,LCSC,C3,10,100nF,25V,0603,X7R,
CL10A106KP8NNNC,Samsung,Capacitors > Ceramic Capacitors,LCSC,C4,500,10µF,10V~16V,0603,X5R,
RC0603FR-0710KL,Yageo,Resistors,LCSC,C5,100,,,0603,,10kΩ
RC0402FR-07100RL,Yageo,Resistors,LCSC,C6,0,,,,,100Ω
";

async fn catalogue() -> (Arc<Catalogue>, TestDb) {
    catalogue_of(CSV).await
}

/// A catalogue of one CSV feed's parts, with its index built.
pub(super) async fn catalogue_of(csv: &str) -> (Arc<Catalogue>, TestDb) {
    let db = TestDb::sqlite().await;
    let path = db.dir.path().join("parts.csv");
    std::fs::write(&path, csv).unwrap();
    import(&db.store, "parts", Adapter::Csv, path.to_str().unwrap(), Mode::Snapshot, Utc::now(), &mut ())
        .await
        .unwrap();
    let catalogue = Catalogue::open(db.store.clone(), db.dir.path()).await.unwrap();
    (catalogue, db)
}

fn everything() -> SearchRequest {
    SearchRequest { limit: 10, ..Default::default() }
}

/// The MPNs a search answers, in order.
async fn mpns(catalogue: &Catalogue, request: SearchRequest) -> Vec<String> {
    let ids = catalogue.search(request).await.unwrap().part_ids;
    catalogue.parts(&ids).await.unwrap().iter().map(|p| p.part.mpn.clone()).collect()
}

#[tokio::test]
async fn spec_aggregations_count_every_match_not_the_page() {
    let (catalogue, _db) = catalogue().await;
    let names = vec!["capacitance".to_owned(), "dielectric".to_owned(), "life_hours_".to_owned()];
    // One part a page: the buckets still count the whole result set.
    let request = SearchRequest { limit: 1, ..Default::default() };
    let aggs = catalogue.with_index(move |index, _| index.spec_aggs(&request, &names, 10)).await.unwrap();
    let capacitance = &aggs[0];
    assert!(capacitance.numeric);
    assert_eq!(
        capacitance.buckets,
        [
            SpecBucket { display: "100 nF".into(), value: Some(1e-7), count: 3 },
            SpecBucket { display: "10 µF".into(), value: Some(1e-5), count: 1 },
        ],
        "by SI value, shown as most of its parts show it"
    );
    assert_eq!(capacitance.min, Some((1e-7, "100 nF".into())));
    assert_eq!(capacitance.max, Some((1e-5, "10 µF".into())));
    let dielectric = &aggs[1];
    assert!(!dielectric.numeric && dielectric.min.is_none());
    assert_eq!(
        dielectric.buckets,
        [
            SpecBucket { display: "X7R".into(), value: None, count: 3 },
            SpecBucket { display: "X5R".into(), value: None, count: 1 },
        ]
    );
    assert!(aggs[2].buckets.is_empty(), "an attribute no part has: {:?}", aggs[2]);

    // Over a filtered result set, and cut to `size`.
    let filtered = SearchRequest {
        filters: vec![Filter::Spec { shortname: "case_package".into(), values: vec![SpecValue::Exact("0603".into())] }],
        ..everything()
    };
    let names = vec!["capacitance".to_owned()];
    let aggs = catalogue.with_index(move |index, _| index.spec_aggs(&filtered, &names, 1)).await.unwrap();
    assert_eq!(aggs[0].buckets, [SpecBucket { display: "100 nF".into(), value: Some(1e-7), count: 2 }]);
    assert_eq!(aggs[0].max, Some((1e-5, "10 µF".into())), "min and max hold over every match, whatever the size");
}

#[tokio::test]
async fn a_bucket_value_filters_back_to_its_parts() {
    let (catalogue, _db) = catalogue().await;
    let filters = super::filters::parse(json!({"capacitance": 1e-7}).as_object().unwrap()).unwrap();
    let hits = catalogue.search(SearchRequest { filters, ..everything() }).await.unwrap().hits;
    assert_eq!(hits, 3);
}

#[tokio::test]
async fn facets_count_attributes_own_categories_and_stock_over_every_match() {
    let (catalogue, _db) = catalogue().await;
    let request = SearchRequest { limit: 0, ..Default::default() };
    let (facets, (mut attributes, categories)) = catalogue
        .with_index(move |index, dictionary| {
            let names = |ids: &[(i64, u64)], name: &dyn Fn(i64) -> String| {
                ids.iter().map(|(id, count)| (name(*id), *count)).collect::<Vec<_>>()
            };
            let facets: Facets = index.facets(&request)?;
            let attributes = names(&facets.attributes, &|id| dictionary.attributes[&id].shortname.clone());
            let categories = names(&facets.categories, &|id| dictionary.categories[&id].name.clone());
            Ok((facets, (attributes, categories)))
        })
        .await
        .unwrap();
    attributes.sort_by(|(a, x), (b, y)| y.cmp(x).then(a.cmp(b)));
    let expected = [("case_package", 5), ("capacitance", 4), ("dielectric", 4), ("voltage", 4), ("resistance", 2)];
    assert_eq!(attributes, expected.map(|(name, count)| (name.to_owned(), count)));
    assert_eq!(
        categories,
        [("Ceramic Capacitors".into(), 4), ("Resistors".into(), 2)],
        "own categories, not ancestors"
    );
    assert_eq!(facets.in_stock, [(true, 4), (false, 2)]);
}

#[tokio::test]
async fn parts_sort_by_any_attribute_and_those_without_it_come_last_either_way() {
    let (catalogue, _db) = catalogue().await;
    let sorted = |shortname: &str, descending| SearchRequest {
        sort: Some(Sort { key: SortKey::parse(shortname), descending }),
        ..everything()
    };
    let by_capacitance = mpns(&catalogue, sorted("capacitance", false)).await;
    assert!(by_capacitance[..3].iter().all(|mpn| mpn.starts_with("GRM")), "{by_capacitance:?}");
    assert_eq!(by_capacitance[3], "CL10A106KP8NNNC");
    assert!(by_capacitance[4..].iter().all(|mpn| mpn.starts_with("RC")), "{by_capacitance:?}");
    let by_capacitance_desc = mpns(&catalogue, sorted("capacitance", true)).await;
    assert_eq!(by_capacitance_desc[0], "CL10A106KP8NNNC");
    assert!(by_capacitance_desc[4..].iter().all(|mpn| mpn.starts_with("RC")), "{by_capacitance_desc:?}");

    // Numbers, then text-only values, then none.
    let by_voltage = mpns(&catalogue, sorted("voltage", false)).await;
    assert_eq!(by_voltage[..4], ["GRM155R71C104KA88D", "GRM188R71E104KA01D", "GRM188R71H104KA93D", "CL10A106KP8NNNC"]);
    let by_voltage_desc = mpns(&catalogue, sorted("voltage", true)).await;
    assert_eq!(
        by_voltage_desc[..4],
        ["GRM188R71H104KA93D", "GRM188R71E104KA01D", "GRM155R71C104KA88D", "CL10A106KP8NNNC"]
    );

    // A text attribute sorts by its text.
    let by_dielectric = mpns(&catalogue, sorted("dielectric", false)).await;
    assert_eq!(by_dielectric[0], "CL10A106KP8NNNC", "X5R first: {by_dielectric:?}");
    assert!(by_dielectric[4..].iter().all(|mpn| mpn.starts_with("RC")), "{by_dielectric:?}");
    let by_dielectric_desc = mpns(&catalogue, sorted("dielectric", true)).await;
    assert_eq!(by_dielectric_desc[3], "CL10A106KP8NNNC");
    assert!(by_dielectric_desc[4..].iter().all(|mpn| mpn.starts_with("RC")), "{by_dielectric_desc:?}");
}

#[tokio::test]
async fn suggestions_complete_categories_manufacturers_and_mpns() {
    let (catalogue, _db) = catalogue().await;
    let suggest = |q: &str, category: Option<&str>, part_numbers_only| {
        let (q, category) = (q.to_owned(), category.map(str::to_owned));
        let catalogue = catalogue.clone();
        async move {
            catalogue
                .with_index(move |index, dictionary| {
                    let category =
                        category.map(|name| dictionary.categories.values().find(|c| c.name == name).unwrap().id);
                    let found = index.suggest(dictionary, &SuggestRequest { q, category, part_numbers_only })?;
                    Ok(found.into_iter().map(|s: Suggestion| (s.text, s.category.is_some())).collect::<Vec<_>>())
                })
                .await
                .unwrap()
        }
    };
    assert_eq!(
        suggest("grm18", None, false).await,
        [("GRM188R71E104KA01D".into(), false), ("GRM188R71H104KA93D".into(), false)],
        "MPNs in MPN order"
    );
    assert_eq!(
        suggest("cap", None, false).await,
        [("Capacitors".into(), true), ("Ceramic Capacitors".into(), true)],
        "a category names the category to search in"
    );
    assert_eq!(suggest("mur", None, false).await, [("Murata".into(), false)]);
    assert_eq!(suggest("mur", Some("Capacitors"), false).await, [("Murata".into(), true)], "in the category asked");
    assert_eq!(suggest("mur", Some("Resistors"), false).await, [], "Murata makes no resistors here");
    assert_eq!(suggest("cap", None, true).await, [], "part numbers only");
    assert_eq!(suggest("rc0", None, false).await.len(), 2);
    assert_eq!(suggest("rc0", Some("Capacitors"), false).await, [], "within a category");
    assert_eq!(suggest("  ", None, false).await, []);
}

#[tokio::test]
async fn spelling_corrections_come_from_the_catalogues_own_words_and_find_parts() {
    let (catalogue, _db) = catalogue().await;
    let correct = |q: &'static str| {
        let catalogue = catalogue.clone();
        async move { catalogue.with_index(move |index, _| index.spelling_corrections(q)).await.unwrap() }
    };
    assert_eq!(correct("ceramic capacitro").await, [Correction { text: "ceramic capacitors".into(), hits: 4 }]);
    assert_eq!(correct("murta").await, [Correction { text: "murata".into(), hits: 3 }]);
    assert_eq!(correct("murata capacitors").await, [], "nothing to correct");
    assert_eq!(correct("zzzzzzzz").await, [], "nothing near");
}
