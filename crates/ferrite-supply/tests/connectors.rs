//! The live connectors against local replay servers of each distributor's API (`support/replay.rs`):
//! lookups filed under the connector's feed, no second call within `max_age`, tokens refreshed,
//! faults reported and rested on, slow answers cut off at the query's timeout, and the budget never
//! overspent by concurrent lookups on one node or two sharing a database. The real recorded
//! answers in `../shared/data` are replayed too when they are there.

#[path = "support/replay.rs"]
mod replay;
mod support;

use std::{collections::HashMap, sync::Arc, time::Duration};

use ferrite_core::keys::mpn_key;
use ferrite_store::{OfferRecord, Store, testing::TestDb};
use ferrite_supply::{
    catalogue::Catalogue,
    connectors::{ConnectorConfig, ConnectorKind, Secret, live::Connectors},
};
use replay::{API_KEY, CLIENT_ID, CLIENT_SECRET, Fault, Replay, TME_SECRET, TME_TOKEN};
use serde_json::{Value, json};
use support::shared_data;

/// A DigiKey product-details answer as the API sends it.
fn digikey_product(mpn: &str, sku: &str, stock: i64) -> Value {
    json!({
        "Product": {
            "Description": { "ProductDescription": "RES 10K OHM 1% 1/10W 0603", "DetailedDescription": "10 kOhms ±1% 0.1W Chip Resistor 0603" },
            "Manufacturer": { "Id": 13, "Name": "YAGEO" },
            "ManufacturerProductNumber": mpn,
            "UnitPrice": 0.1,
            "ProductUrl": format!("https://www.digikey.com/en/products/detail/yageo/{mpn}/727118"),
            "DatasheetUrl": "https://www.yageo.com/upload/media/product/productsearch/datasheet/rchip/PYu-RC_Group_51_RoHS_L_12.pdf",
            "ProductVariations": [{
                "DigiKeyProductNumber": sku,
                "PackageType": { "Id": 2, "Name": "Cut Tape (CT)" },
                "StandardPricing": [
                    { "BreakQuantity": 1, "UnitPrice": 0.1, "TotalPrice": 0.1 },
                    { "BreakQuantity": 10, "UnitPrice": 0.019, "TotalPrice": 0.19 }
                ],
                "QuantityAvailableforPackageType": stock,
                "MinimumOrderQuantity": 1,
                "StandardPackage": 5000,
                "MarketPlace": false
            }],
            "QuantityAvailable": stock,
            "ProductStatus": { "Id": 0, "Status": "Active" },
            "Parameters": [{ "ParameterId": 2085, "ParameterText": "Resistance", "ParameterType": "String", "ValueId": "1", "ValueText": "10 kOhms" }],
            "Category": { "CategoryId": 2, "ParentId": 0, "Name": "Resistors",
                          "ChildCategories": [{ "CategoryId": 52, "ParentId": 2, "Name": "Chip Resistor - Surface Mount", "ChildCategories": [] }] },
            "ManufacturerLeadWeeks": "10"
        },
        "SearchLocaleUsed": { "Site": "US", "Language": "en", "Currency": "USD" }
    })
}

fn mouser_answer(mpn: &str, sku: &str) -> Value {
    json!({ "Errors": [], "SearchResults": { "NumberOfResult": 1, "Parts": [{
        "Availability": "6809 In Stock", "Description": "Thick Film Resistors - SMD 10K OHM 1%", "Category": "Thick Film Resistors - SMD",
        "Manufacturer": "YAGEO", "ManufacturerPartNumber": mpn, "Min": "1", "Mult": "1", "MouserPartNumber": sku,
        "PriceBreaks": [{ "Quantity": 1, "Price": "$0.10", "Currency": "USD" }, { "Quantity": 100, "Price": "$0.012", "Currency": "USD" }],
        "ProductDetailUrl": format!("https://www.mouser.com/ProductDetail/{sku}"), "ProductAttributes": [], "ROHSStatus": "RoHS Compliant"
    }]}})
}

fn element14_answer(mpn: &str, sku: &str) -> Value {
    json!({ "manufacturerPartNumberSearchReturn": { "numberOfResults": 1, "products": [{
        "sku": sku, "displayName": format!("YAGEO - {mpn} - SMD Chip Resistor, 10 kohm"), "productStatus": "STOCKED",
        "packSize": 1, "unitOfMeasure": "EACH (SUPPLIED ON CUT TAPE)", "prices": [{ "to": 99, "from": 10, "cost": 0.0569 }],
        "inv": 598428, "vendorName": "YAGEO", "brandName": "YAGEO", "translatedManufacturerPartNumber": mpn,
        "translatedMinimumOrderQuality": 10, "attributes": []
    }]}})
}

fn tme_answers(mpn: &str, symbol: &str) -> HashMap<String, Value> {
    let product = json!({ "Symbol": symbol, "OriginalSymbol": mpn, "Producer": "YAGEO", "Description": "Resistor: thick film; SMD; 0603; 10kΩ",
                          "Category": "SMD resistors", "MinAmount": 100, "Multiples": 100, "ProductStatusList": [] });
    let prices = json!({ "Symbol": symbol, "Amount": 120000, "PriceList": [{ "Amount": 100, "PriceValue": 0.0042 }, { "Amount": 1000, "PriceValue": 0.0021 }] });
    HashMap::from([(format!("Search:{mpn}"), json!([product])), (format!("Prices:{symbol}"), prices)])
}

fn nexar_result(mpn: &str, sku: &str) -> Value {
    json!({ "hits": 1, "parts": [{
        "mpn": mpn, "manufacturer": { "name": "YAGEO" }, "shortDescription": "RES SMD 10K OHM 1% 1/10W 0603",
        "specs": [], "sellers": [{ "company": { "name": "Arrow Electronics" }, "isAuthorized": true,
            "offers": [{ "sku": sku, "inventoryLevel": 30000, "moq": 1, "prices": [{ "quantity": 1, "price": 0.02, "currency": "USD" }] }] }]
    }]})
}

const MPN: &str = "RC0603FR-0710KL";

/// A connector of `kind` pointed at `replay`, with the credentials it accepts.
fn config(kind: ConnectorKind, replay: &Replay) -> ConnectorConfig {
    let mut config = ConnectorConfig::new(kind);
    config.base_url = Some(replay.url());
    match kind {
        ConnectorKind::Digikey => config.token_url = Some(format!("{}/v1/oauth2/token", replay.url())),
        ConnectorKind::Nexar => config.token_url = Some(format!("{}/connect/token", replay.url())),
        _ => {}
    }
    config.client_id = Some(Secret::new(CLIENT_ID));
    config.client_secret = Some(Secret::new(CLIENT_SECRET));
    config.api_key = Some(Secret::new(API_KEY));
    config.token = Some(Secret::new(TME_TOKEN));
    config.app_secret = Some(Secret::new(TME_SECRET));
    config.validate().unwrap();
    config
}

/// The replay server of `kind` with this file's answers for [`MPN`] and the seller its offers have.
async fn replay_of(kind: ConnectorKind) -> (Replay, &'static str) {
    match kind {
        ConnectorKind::Digikey => (
            replay::digikey(HashMap::from([(MPN.into(), digikey_product(MPN, "311-10.0KHRCT-ND", 1234))])).await,
            "Digi-Key",
        ),
        ConnectorKind::Mouser => {
            (replay::mouser(HashMap::from([(MPN.into(), mouser_answer(MPN, "603-RC0603FR-0710KL"))])).await, "Mouser")
        }
        ConnectorKind::Element14 => (
            replay::element14(HashMap::from([(format!("{MPN}_uk.farnell.com"), element14_answer(MPN, "9330399"))]))
                .await,
            "Farnell",
        ),
        ConnectorKind::Tme => (replay::tme(tme_answers(MPN, "RC0603FR-10K")).await, "TME"),
        ConnectorKind::Nexar => (
            replay::nexar(HashMap::from([(MPN.into(), nexar_result(MPN, "RC0603FR-0710KLCT"))])).await,
            "Arrow Electronics",
        ),
    }
}

async fn open(store: &Store, dir: &std::path::Path, configs: Vec<ConnectorConfig>) -> Arc<Connectors> {
    let catalogue = Catalogue::open(store.clone(), dir).await.unwrap();
    Connectors::new(store.clone(), catalogue, configs)
}

/// The offers the catalogue holds for `mpn`, with their sellers' names.
async fn offers_of(store: &Store, mpn: &str) -> Vec<(String, OfferRecord)> {
    let ids = store.catalogue().part_ids_by_mpn_key(&mpn_key(mpn)).await.unwrap();
    let sellers: HashMap<i64, String> =
        store.catalogue().sellers().await.unwrap().into_iter().map(|s| (s.id, s.name)).collect();
    let parts = store.catalogue().parts_with_offers(&ids).await.unwrap();
    parts.into_iter().flat_map(|(_, offers)| offers).map(|o| (sellers[&o.seller_id].clone(), o)).collect()
}

const ALL: [ConnectorKind; 5] =
    [ConnectorKind::Digikey, ConnectorKind::Mouser, ConnectorKind::Tme, ConnectorKind::Element14, ConnectorKind::Nexar];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_connector_files_what_it_finds_under_its_feed_and_asks_once_within_max_age() {
    for kind in ALL {
        let db = TestDb::sqlite().await;
        let (replay, seller) = replay_of(kind).await;
        let connectors = open(&db.store, db.path(), vec![config(kind, &replay)]).await;
        assert!(connectors.live(&[MPN.into()], Duration::from_secs(10)).await, "{kind:?}: the lookup imported");
        let offers = offers_of(&db.store, MPN).await;
        assert_eq!(offers.len(), 1, "{kind:?}: {offers:?}");
        let (name, offer) = &offers[0];
        assert_eq!(name, seller, "{kind:?}");
        assert_eq!(offer.feed, kind.name(), "{kind:?}: filed under the connector's name");
        assert_eq!(offer.feed_source, format!("{} API", kind.name()));
        assert!(offer.inventory_level.unwrap_or(0) > 0 && !offer.prices.is_empty(), "{kind:?}: {offer:?}");
        let calls = replay.calls();

        // Asked again within max_age: answered from the catalogue, no call.
        assert!(!connectors.live(&[MPN.into()], Duration::from_secs(10)).await);
        assert_eq!(replay.calls(), calls, "{kind:?}: no second call");
        // Unknown to the distributor: looked up once, remembered as looked up.
        assert!(!connectors.live(&["NO-SUCH-PART-1".into()], Duration::from_secs(10)).await);
        let after_unknown = replay.calls();
        assert!(after_unknown > calls, "{kind:?}");
        assert!(!connectors.live(&["NO-SUCH-PART-1".into()], Duration::from_secs(10)).await);
        assert_eq!(replay.calls(), after_unknown, "{kind:?}: an unknown MPN is not asked again either");
        let status = connectors.status().await.unwrap();
        assert_eq!(status[0].health.failures, 0, "{kind:?}: {status:?}");
        assert!(status[0].spent.today >= 2, "{kind:?}: {status:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_fetched_again_once() {
    for kind in [ConnectorKind::Digikey, ConnectorKind::Nexar] {
        let db = TestDb::sqlite().await;
        let (replay, _) = replay_of(kind).await;
        let connectors = open(&db.store, db.path(), vec![config(kind, &replay)]).await;
        assert!(!connectors.live(&["FIRST-UNKNOWN".into()], Duration::from_secs(10)).await);
        assert_eq!(replay.token_requests.load(std::sync::atomic::Ordering::SeqCst), 1);
        replay.revoke_tokens();
        assert!(connectors.live(&[MPN.into()], Duration::from_secs(10)).await, "{kind:?}");
        assert_eq!(replay.token_requests.load(std::sync::atomic::Ordering::SeqCst), 2, "{kind:?}");
        assert_eq!(connectors.status().await.unwrap()[0].health.failures, 0, "{kind:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_connector_is_reported_rests_and_never_fails_the_query() {
    let cases = [
        (Fault::RateLimited, "rate limited (HTTP 429), retry after 120 s", 120),
        (Fault::Unavailable, "the API failed: HTTP 503 Service Unavailable", 10),
        (Fault::Malformed, "an answer that cannot be read: not JSON: expected value at line 1 column 1", 10),
    ];
    for (fault, message, rest_seconds) in cases {
        let db = TestDb::sqlite().await;
        let (replay, _) = replay_of(ConnectorKind::Mouser).await;
        let connectors = open(&db.store, db.path(), vec![config(ConnectorKind::Mouser, &replay)]).await;
        replay.set_fault(fault);
        let started = chrono::Utc::now();
        assert!(!connectors.live(&[MPN.into()], Duration::from_secs(10)).await);
        let status = &connectors.status().await.unwrap()[0];
        assert_eq!(status.health.last_error.as_deref(), Some(message), "{fault:?}");
        assert_eq!((status.health.failures, status.health.failures_in_row), (1, 1));
        let rest = status.health.resting_until().unwrap() - started;
        assert!(rest >= chrono::Duration::seconds(rest_seconds - 1), "{fault:?}: rests {rest}");
        // While it rests, queries do not wait for it and it is not called.
        replay.set_fault(Fault::None);
        let calls = replay.calls();
        assert!(!connectors.live(&[MPN.into()], Duration::from_secs(10)).await);
        assert_eq!(replay.calls(), calls, "{fault:?}: a resting connector is not called");
    }

    // A refused key says so, and no credential reaches the report.
    let db = TestDb::sqlite().await;
    let (replay, _) = replay_of(ConnectorKind::Mouser).await;
    let mut wrong = config(ConnectorKind::Mouser, &replay);
    wrong.api_key = Some(Secret::new("a-wrong-key-1234"));
    let connectors = open(&db.store, db.path(), vec![wrong]).await;
    assert!(!connectors.live(&[MPN.into()], Duration::from_secs(10)).await);
    let error = connectors.status().await.unwrap()[0].health.last_error.clone().unwrap();
    assert_eq!(error, "the credentials were refused: Invalid unique identifier.");
    assert!(!error.contains("a-wrong-key"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_holds_the_query_no_longer_than_its_timeout_and_lands_later() {
    let db = TestDb::sqlite().await;
    let (replay, _) = replay_of(ConnectorKind::Digikey).await;
    let connectors = open(&db.store, db.path(), vec![config(ConnectorKind::Digikey, &replay)]).await;
    replay.set_fault(Fault::Slow(Duration::from_secs(2)));
    let started = std::time::Instant::now();
    assert!(!connectors.live(&[MPN.into()], Duration::from_millis(300)).await);
    assert!(started.elapsed() < Duration::from_secs(1), "waited {:?}", started.elapsed());
    // The lookup goes on and its offers are written.
    for _ in 0..100 {
        if !offers_of(&db.store, MPN).await.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the slow lookup's offers never arrived");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_looks_an_answers_mpns_up_side_by_side() {
    let db = TestDb::sqlite().await;
    let (replay, _) = replay_of(ConnectorKind::Mouser).await;
    let connectors = open(&db.store, db.path(), vec![config(ConnectorKind::Mouser, &replay)]).await;
    replay.set_fault(Fault::Slow(Duration::from_millis(300)));
    let mpns: Vec<String> = (0..8).map(|i| format!("PART-{i}")).collect();
    connectors.live(&mpns, Duration::from_secs(20)).await;
    assert_eq!(replay.calls(), 8, "every MPN asked once");
    let at_once = replay.most_at_once.load(std::sync::atomic::Ordering::SeqCst);
    assert!((2..=4).contains(&at_once), "{at_once} calls at once: the connector asks up to 4 side by side");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_past_the_connectors_timeout_fails_without_an_answer() {
    let db = TestDb::sqlite().await;
    let (replay, _) = replay_of(ConnectorKind::Element14).await;
    let mut slow = config(ConnectorKind::Element14, &replay);
    slow.timeout = Duration::from_millis(200);
    let connectors = open(&db.store, db.path(), vec![slow]).await;
    replay.set_fault(Fault::Slow(Duration::from_secs(2)));
    assert!(!connectors.live(&[MPN.into()], Duration::from_secs(5)).await);
    let error = connectors.status().await.unwrap()[0].health.last_error.clone().unwrap();
    assert!(error.starts_with("no answer: timed out"), "{error}");
}

/// Many concurrent lookups of distinct MPNs, on two nodes sharing `store`, with a budget of 3
/// calls a minute: the distributor sees 3 calls.
async fn the_budget_holds_under_concurrency(store: Store, dir: std::path::PathBuf) {
    let (replay, _) = replay_of(ConnectorKind::Mouser).await;
    let mut budgeted = config(ConnectorKind::Mouser, &replay);
    budgeted.per_minute = Some(3);
    let nodes = [
        open(&store, &dir.join("a"), vec![budgeted.clone()]).await,
        open(&store, &dir.join("b"), vec![budgeted]).await,
    ];
    let mut tasks = Vec::new();
    for i in 0..24 {
        let node = nodes[i % 2].clone();
        tasks.push(tokio::spawn(async move { node.live(&[format!("PART-{i}")], Duration::from_secs(10)).await }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(replay.calls(), 3, "the budget allows 3 calls a minute");
    let status = nodes[0].status().await.unwrap();
    assert!(
        status[0].spent.this_minute == 3 || status[0].spent.this_minute == 0,
        "{status:?} (0 if the minute turned)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_holds_under_concurrency_on_sqlite() {
    let db = TestDb::sqlite().await;
    the_budget_holds_under_concurrency(db.store.clone(), db.path().to_owned()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_holds_under_concurrency_on_postgres() {
    let Some(db) = TestDb::postgres().await else { return };
    the_budget_holds_under_concurrency(db.store.clone(), db.path().to_owned()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_refresh_queue_spends_the_budget_on_the_most_asked_first() {
    let db = TestDb::sqlite().await;
    // Two parts in the catalogue from another feed, neither with a Mouser offer.
    let (seed, _) = replay_of(ConnectorKind::Digikey).await;
    let answers = HashMap::from([
        (MPN.into(), mouser_answer(MPN, "603-A")),
        ("RC0603FR-071KL".into(), mouser_answer("RC0603FR-071KL", "603-B")),
    ]);
    let mouser = replay::mouser(answers).await;
    let mut budgeted = config(ConnectorKind::Mouser, &mouser);
    budgeted.per_minute = Some(1);
    let connectors = open(&db.store, db.path(), vec![config(ConnectorKind::Digikey, &seed), budgeted]).await;
    let digikey_only = open(&db.store, &db.path().join("seed"), vec![config(ConnectorKind::Digikey, &seed)]).await;
    assert!(digikey_only.live(&[MPN.into()], Duration::from_secs(10)).await);
    let catalogue = Catalogue::open(db.store.clone(), &db.path().join("read")).await.unwrap();
    let ids = db.store.catalogue().part_ids_by_mpn_key(&mpn_key(MPN)).await.unwrap();
    let views = catalogue.parts(&ids).await.unwrap();
    // Touched three times; its DigiKey offers are fresh, its Mouser ones missing.
    for _ in 0..3 {
        connectors.touched(&views);
    }
    connectors.refresh_queued().await.unwrap();
    assert_eq!(mouser.calls(), 1, "one call in the minute's budget");
    let sellers: Vec<String> = offers_of(&db.store, MPN).await.into_iter().map(|(s, _)| s).collect();
    assert!(sellers.contains(&"Mouser".to_owned()), "{sellers:?}");
    assert_eq!(seed.calls(), 1, "DigiKey's offers are fresh: not queued");
    let status = connectors.status().await.unwrap();
    assert_eq!(status[1].queued, 0, "{status:?}");
}

/// The real recorded answers of `../shared/data`, replayed: every DigiKey product-details answer
/// (recorded in its client's snake_case, sent in the API's PascalCase), Mouser's and element14's
/// full answers, and a sample of Nexar's result sets, each found by its MPN.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_recorded_answers_replay_through_each_connector() {
    let (Some(digikey), Some(mouser), Some(element14), Some(nexar), Some(tme)) = (
        shared_data("digikey-v4"),
        shared_data("mouser"),
        shared_data("element14"),
        shared_data("nexar"),
        shared_data("tme"),
    ) else {
        return;
    };
    let read = |path: std::path::PathBuf| -> Value { serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap() };
    // Each case: the kind, its answers, the MPNs asked, the MPNs the answers hold.
    type Case = (ConnectorKind, HashMap<String, Value>, Vec<String>, Vec<String>);
    let mut cases: Vec<Case> = Vec::new();

    let mut answers = HashMap::new();
    for entry in std::fs::read_dir(&digikey).unwrap() {
        let recorded = read(entry.unwrap().path());
        if let Some(mpn) = recorded.pointer("/product/manufacturer_product_number").and_then(Value::as_str) {
            answers.insert(mpn.to_owned(), replay::digikey_wire(&recorded));
        }
    }
    let mpns: Vec<String> = answers.keys().cloned().collect();
    cases.push((ConnectorKind::Digikey, answers, mpns.clone(), mpns));

    let mut answers = HashMap::new();
    for answer in read(mouser.join("responses.json")).as_object().unwrap().values() {
        if let Some(mpn) = answer.pointer("/SearchResults/Parts/0/ManufacturerPartNumber").and_then(Value::as_str) {
            answers.insert(mpn.to_owned(), answer.clone());
        }
    }
    let mpns: Vec<String> = answers.keys().cloned().collect();
    cases.push((ConnectorKind::Mouser, answers, mpns.clone(), mpns));

    let mut answers = HashMap::new();
    for (name, answer) in read(element14.join("responses.json")).as_object().unwrap() {
        let Some(rest) = name.strip_prefix("mpn_").and_then(|n| n.strip_suffix(".dat")) else { continue };
        let Some((mpn, store)) = rest.rsplit_once('_') else { continue };
        let found = answer.pointer("/manufacturerPartNumberSearchReturn/numberOfResults").and_then(Value::as_u64);
        if store == "uk.farnell.com" && found.unwrap_or(0) > 0 {
            answers.insert(format!("{mpn}_{store}"), answer.clone());
        }
    }
    let mpns = answers.keys().map(|k| k.rsplit_once('_').unwrap().0.to_owned()).collect();
    // element14 may answer an MPN with its successor's (`ZHCS1000` with `ZHCS1000TA`).
    let held = answers
        .values()
        .flat_map(|a| a["manufacturerPartNumberSearchReturn"]["products"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p["translatedManufacturerPartNumber"].as_str().map(str::to_owned))
        .collect();
    cases.push((ConnectorKind::Element14, answers, mpns, held));

    let mut answers = HashMap::new();
    let recording = read(nexar.join("supMultiMatch-2022-12-14.json"));
    for result in recording["results"].as_object().unwrap().values().take(12) {
        if let Some(mpn) = result.pointer("/parts/0/mpn").and_then(Value::as_str) {
            answers.insert(mpn.to_owned(), result.clone());
        }
    }
    let mpns: Vec<String> = answers.keys().cloned().collect();
    let held = answers
        .values()
        .flat_map(|r| r["parts"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p["mpn"].as_str().map(str::to_owned))
        .collect();
    cases.push((ConnectorKind::Nexar, answers, mpns, held));

    // TME's recordings are KiCost's: each search's product list, and each product with its prices
    // and stock joined in. The replay serves them in the API's envelopes.
    let recorded = read(tme.join("responses.json"));
    let recorded = recorded.as_object().unwrap();
    let mut answers = HashMap::new();
    for (name, answer) in recorded {
        if let Some(mpn) = name.strip_prefix("search_").and_then(|n| n.strip_suffix("_US_en_USD.dat")) {
            answers.insert(format!("Search:{mpn}"), answer.clone());
        } else if name.starts_with("data_")
            && name.ends_with("_US_en_USD.dat")
            && let Some(symbol) = answer["Symbol"].as_str()
        {
            answers.insert(format!("Prices:{symbol}"), answer.clone());
        }
    }
    let priced =
        |product: &Value| product["Symbol"].as_str().is_some_and(|s| answers.contains_key(&format!("Prices:{s}")));
    let mut mpns = Vec::new();
    for (key, list) in &answers {
        let Some(mpn) = key.strip_prefix("Search:") else { continue };
        let products = list.as_array().map(Vec::as_slice).unwrap_or_default();
        let sold = |p: &&Value| p["OriginalSymbol"].as_str().is_some_and(|m| mpn_key(m) == mpn_key(mpn));
        if products.iter().filter(sold).any(priced) {
            mpns.push(mpn.to_owned());
        }
    }
    cases.push((ConnectorKind::Tme, answers, mpns.clone(), mpns));

    for (kind, answers, mpns, held) in cases {
        assert!(!mpns.is_empty(), "{kind:?}: the recording has answers with products");
        let replay = match kind {
            ConnectorKind::Digikey => replay::digikey(answers).await,
            ConnectorKind::Mouser => replay::mouser(answers).await,
            ConnectorKind::Element14 => replay::element14(answers).await,
            ConnectorKind::Tme => replay::tme(answers).await,
            _ => replay::nexar(answers).await,
        };
        let db = TestDb::sqlite().await;
        let connectors = open(&db.store, db.path(), vec![config(kind, &replay)]).await;
        assert!(connectors.live(&mpns, Duration::from_secs(30)).await, "{kind:?}");
        let mut missing = Vec::new();
        for mpn in &held {
            if !offers_of(&db.store, mpn).await.iter().any(|(_, offer)| offer.feed == kind.name()) {
                missing.push(mpn);
            }
        }
        assert!(missing.is_empty(), "{kind:?}: no offers for {missing:?} of {}", held.len());
        assert_eq!(connectors.status().await.unwrap()[0].health.failures, 0, "{kind:?}");
    }
}
