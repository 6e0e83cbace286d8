//! The round trip that matters most to users: a real Nexar recording (KiCost's `supMultiMatch`
//! answers, `../shared/data/nexar`) is imported with the `nexar-json` adapter, then KiCost's very
//! query is sent for the recorded MPNs and SKUs, and every recorded part must come back as Nexar
//! gave it: MPN, manufacturer, description, specs, datasheet, sellers, and each offer's SKU, stock,
//! MOQ, order multiple, packaging, quantity on order, link and price breaks.
//!
//! Ferrite assigns its own ids and links parts to its own pages (`octopartUrl`), so those are not
//! compared. Where the adapter or the importer normalise on purpose (`docs/feeds.md`), the same
//! rule is applied to the expectation below, each where it is applied.

mod harness;

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    path::PathBuf,
};

use axum::{
    body::Body,
    http::{Request, header},
};
use chrono::Utc;
use ferrite_core::{
    keys::{ManufacturerAliases, mpn_key, name_key},
    money::ExchangeRates,
};
use ferrite_supply::{
    feeds::Adapter,
    import::{Mode, import},
};
use harness::Harness;
use serde_json::{Value, json};
use tower::ServiceExt;

const RECORDING: &str = "nexar/supMultiMatch-2022-10-28.json";

/// KiCost's query (kicost/distributors/api_nexar.py, `QUERY_MATCH`), spaces removed as KiCost
/// removes them from the field list.
const KICOST_QUERY: &str = "query MultiMatchSearch($queries: [SupPartMatchQuery!]!) {supMultiMatch(queries: $queries, \
country: \"US\", currency: \"USD\") {hits,reference,parts{id,slug,mpn,manufacturer{name,id},shortDescription,\
specs{attribute{shortname,name,id},displayValue},octopartUrl,bestDatasheet{name,url},sellers(authorizedOnly:false){\
company{name,id},offers{sku,id,inventoryLevel,moq,orderMultiple,packaging,prices{quantity,price,currency},\
onOrderQuantity,clickUrl}}}} }";

/// KiCost sends at most 20 queries per call, each with `limit: 5`.
const QUERIES_PER_CALL: usize = 20;

/// BOM manufacturer names by which Nexar also answers parts of another manufacturer that it keeps
/// apart. Ferrite reads a BOM's manufacturer through its alias table (`Avago` finds Broadcom,
/// `Fairchild` onsemi, `MPD` Memory Protection Devices), and an alias makes two names one
/// manufacturer: these cannot be aliases without merging manufacturers Nexar (and the recording)
/// keeps apart, whose parts of one MPN would then be one part. For these queries the test does
/// what KiCost does when a match has no hits: it asks again without the manufacturer.
const ALIAS_ONLY: &[(&str, &str)] = &[
    ("mpn_Rean_BRT-L", "Nexar answers Neutrik's part for REAN, a Neutrik brand, yet keeps RE-AN apart"),
    ("mpn_Rean_RT3FC-B", "Nexar answers Neutrik's part for REAN, and RE-AN has a part of this MPN too"),
    ("mpn_Rean_RT3MPR", "Nexar answers Neutrik's part for REAN, a Neutrik brand, yet keeps RE-AN apart"),
    ("mpn_ALPS_SKHHLQA010", "Nexar also answers the ALPSALPINE part, and keeps ALPSALPINE apart from ALPS"),
    ("mpn_DIODES_ZHCS1000", "Nexar also answers the Pericom part, and keeps Pericom apart from Diodes Inc."),
];

/// Queries whose parts Ferrite answers in another order than Nexar, which answers the part most
/// sellers offer first, as Ferrite does.
const ORDER_DIFFERS: &[(&str, &str)] = &[(
    "mpn_unk_SN74LS00N",
    "brokers list one SKU for several makers' SN74LS00N; an offer is one per seller and SKU in Ferrite's \
     catalogue (the first listing imported wins), so Motorola's part keeps 2 of its 10 recorded sellers and \
     comes after onsemi's 3",
)];

fn shared_data() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if path.join(RECORDING).is_file() {
        Some(path)
    } else {
        eprintln!("skipped: the Nexar recording {} is absent", path.join(RECORDING).display());
        None
    }
}

// ---------------------------------------------------------------------------------------------
// The expectation: the recording, through the adapter's and the importer's documented rules.

#[derive(Debug, Clone, PartialEq)]
struct Offer {
    seller: String,
    sku: String,
    inventory_level: i64,
    moq: Option<i64>,
    order_multiple: Option<i64>,
    packaging: Option<String>,
    on_order_quantity: Option<i64>,
    prices: Vec<(i64, f64, String)>,
    click_url: String,
}

/// A part as the adapter emits it.
#[derive(Debug, Clone)]
struct FeedPart {
    mpn: String,
    manufacturer: String,
    description: Option<String>,
    /// (attribute name, shortname, display value)
    specs: Vec<(String, String, String)>,
    datasheet: Option<String>,
    offers: Vec<Offer>,
}

/// A catalogue part as Ferrite should answer it.
#[derive(Debug, Clone)]
struct Part {
    mpn: String,
    manufacturer_key: String,
    description: Option<String>,
    specs: Vec<(String, String)>,
    datasheet: Option<String>,
    offers: Vec<Offer>,
}

/// The adapter's `check::text`: trimmed, and absent when empty.
fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// The adapter's `check::url`: only http(s) links without spaces pass.
fn url(value: &Value) -> Option<String> {
    let link = text(value)?;
    let lower = link.to_ascii_lowercase();
    let web = lower.starts_with("http://") || lower.starts_with("https://");
    (web && !link.contains(char::is_whitespace) && link.len() > link.find("://").unwrap() + 3).then_some(link)
}

/// One recorded offer, or why the adapter skips it.
fn offer(seller: &str, value: &Value) -> Result<Offer, String> {
    let sku = text(&value["sku"]).ok_or("no SKU")?;
    let plausible = |n: i64| (1..=1_000_000_000_000).contains(&n);
    let mut prices = Vec::new();
    for price in value["prices"].as_array().into_iter().flatten() {
        // Rule: a price break without a currency is dropped (some sellers repeat each break so).
        let Some(currency) = text(&price["currency"]) else { continue };
        // Rule: any other bad break skips the whole offer.
        let quantity = price["quantity"].as_i64().filter(|q| plausible(*q)).ok_or("bad break quantity")?;
        let amount = price["price"].as_f64().filter(|p| p.is_finite() && *p > 0.0 && *p <= 1e9).ok_or("bad price")?;
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err("bad currency".into());
        }
        prices.push((quantity, amount, currency));
    }
    // Rule: a negative stock (Octopart's codes for non-stocked, unknown, RFQ) is "not stated",
    // which the API answers as 0; an absurd one skips the offer.
    let stock = value["inventoryLevel"].as_i64().filter(|n| *n >= 0);
    if stock.is_some_and(|n| n > 1_000_000_000_000) {
        return Err("absurd stock".into());
    }
    // Rule: a MOQ or order multiple of 0 is "not stated" (null).
    let positive = |v: &Value| -> Result<Option<i64>, String> {
        match v.as_i64().filter(|n| *n > 0) {
            Some(n) if !plausible(n) => Err("absurd quantity".into()),
            other => Ok(other),
        }
    };
    Ok(Offer {
        seller: seller.to_owned(),
        sku,
        inventory_level: stock.unwrap_or(0),
        moq: positive(&value["moq"])?,
        order_multiple: positive(&value["orderMultiple"])?,
        packaging: text(&value["packaging"]),
        on_order_quantity: value["onOrderQuantity"].as_i64().filter(|n| *n >= 0),
        prices,
        // `clickUrl` is non-null in the API: "" when the source gave no link.
        click_url: url(&value["clickUrl"]).unwrap_or_default(),
    })
}

/// Rule: within a part, a seller's offers with one SKU are one offer; a later listing replaces
/// the earlier in its place.
fn push_offer(offers: &mut Vec<Offer>, offer: Offer) {
    match offers.iter_mut().find(|o| o.seller == offer.seller && o.sku == offer.sku) {
        Some(same) => *same = offer,
        None => offers.push(offer),
    }
}

/// One recorded part as the adapter reads it; `None` when it has no MPN or manufacturer.
fn feed_part(value: &Value) -> Option<FeedPart> {
    let mpn = text(&value["mpn"])?;
    let manufacturer = text(&value["manufacturer"]["name"])?;
    let description = text(&value["shortDescription"])
        .or_else(|| value["descriptions"].as_array().into_iter().flatten().find_map(|d| text(&d["text"])));
    let mut specs: Vec<(String, String, String)> = Vec::new();
    for spec in value["specs"].as_array().into_iter().flatten() {
        let Some(name) = text(&spec["attribute"]["name"]) else { continue };
        let Some(display) = text(&spec["displayValue"]).or_else(|| text(&spec["value"])) else { continue };
        let shortname = text(&spec["attribute"]["shortname"]).unwrap_or_else(|| ferrite_core::units::shortname(&name));
        // Rule: one value per attribute, the first listed.
        if specs.iter().all(|(_, s, _)| *s != shortname) {
            specs.push((name, shortname, display));
        }
    }
    let mut offers = Vec::new();
    for seller in value["sellers"].as_array().into_iter().flatten() {
        // Rule: offers of a seller without a name are skipped.
        let Some(name) = text(&seller["company"]["name"]) else { continue };
        for listed in seller["offers"].as_array().into_iter().flatten() {
            // Rule: an offer that cannot be read is skipped (and reported by the import).
            if let Ok(offer) = offer(&name, listed) {
                push_offer(&mut offers, offer);
            }
        }
    }
    Some(FeedPart { mpn, manufacturer, description, specs, datasheet: url(&value["bestDatasheet"]["url"]), offers })
}

/// What the adapter emits for the recording: parts in the order first seen, result sets in the
/// order `serde_json` keeps object keys (sorted), as the adapter reads them.
fn feed_parts(recording: &Value) -> Vec<FeedPart> {
    let mut parts: Vec<FeedPart> = Vec::new();
    for set in recording["results"].as_object().expect("results").values() {
        for value in set["parts"].as_array().into_iter().flatten() {
            let Some(part) = feed_part(value) else { continue };
            // Rule: a part answering several queries (same manufacturer and MPN) is emitted once:
            // fields the first lacks are filled in, specs it lacks added, offers merged.
            match parts.iter_mut().find(|p| p.manufacturer == part.manufacturer && p.mpn == part.mpn) {
                None => parts.push(part),
                Some(into) => {
                    into.description = into.description.take().or(part.description);
                    into.datasheet = into.datasheet.take().or(part.datasheet);
                    for spec in part.specs {
                        if into.specs.iter().all(|(_, s, _)| *s != spec.1) {
                            into.specs.push(spec);
                        }
                    }
                    for offer in part.offers {
                        push_offer(&mut into.offers, offer);
                    }
                }
            }
        }
    }
    parts
}

/// The catalogue the importer writes from those parts.
struct Expected {
    /// By identity: (manufacturer key, exact MPN).
    parts: HashMap<(String, String), Part>,
    /// Display names by key: the alias table's canonical name.
    manufacturers: HashMap<String, String>,
    sellers: HashMap<String, String>,
    /// Attribute names by shortname: the first imported.
    attributes: HashMap<String, String>,
}

/// A recorded or answered part's identity: its manufacturer's key by the alias table the harness
/// keeps the catalogue by (the built-in one), and its exact MPN.
fn identity(manufacturer: &str, mpn: &str) -> (String, String) {
    (ManufacturerAliases::default().key(manufacturer), mpn.trim().to_owned())
}

fn expected(recording: &Value) -> Expected {
    let mut expected = Expected {
        parts: HashMap::new(),
        manufacturers: HashMap::new(),
        sellers: HashMap::new(),
        attributes: HashMap::new(),
    };
    let mut offer_owner: HashSet<(String, String)> = HashSet::new();
    for part in feed_parts(recording) {
        // Rule: a manufacturer is one however spelled (the alias table's key: case, punctuation,
        // legal forms, aliases), named by the table's canonical name; a seller is one however
        // spelled (`name_key`), the first spelling imported its name. An attribute is one per
        // shortname, the first name imported its name.
        let (manufacturer_key, mpn) = identity(&part.manufacturer, &part.mpn);
        let canonical = ManufacturerAliases::default().canonical_name(&part.manufacturer).to_owned();
        expected.manufacturers.entry(manufacturer_key.clone()).or_insert(canonical);
        for (name, shortname, _) in &part.specs {
            expected.attributes.entry(shortname.clone()).or_insert(name.clone());
        }
        // Rule: a part is one per manufacturer and exact MPN, as in Nexar (`C0603C103K5RAC-TU` is
        // not `C0603C103K5RACTU`); the first record imported gives its description, specs and
        // datasheet, and later records only add offers.
        let into = expected.parts.entry((manufacturer_key.clone(), mpn)).or_insert_with(|| Part {
            mpn: part.mpn.clone(),
            manufacturer_key,
            description: part.description.clone(),
            specs: part.specs.iter().map(|(_, shortname, display)| (shortname.clone(), display.clone())).collect(),
            datasheet: part.datasheet.clone(),
            offers: Vec::new(),
        });
        for offer in part.offers {
            let seller_key = name_key(&offer.seller);
            expected.sellers.entry(seller_key.clone()).or_insert(offer.seller.clone());
            // Rule: an offer is one per seller and SKU in the whole catalogue; the first listing
            // imported wins (brokers list several manufacturers' parts under one SKU).
            if offer_owner.insert((seller_key, offer.sku.clone())) {
                into.offers.push(offer);
            }
        }
    }
    expected
}

// ---------------------------------------------------------------------------------------------
// The queries, as KiCost sent them.

/// A result key back into KiCost's query: `mpn_<manufacturer>_<mpn>` or `sku_<seller>_<sku>`,
/// where KiCost wrote spaces as `_`, `unk` for no manufacturer, and `/` as `_` (cache file names).
fn query_of(key: &str, reference: &str) -> Value {
    let (kind, rest) = key.split_once('_').expect("a result key");
    let (who, code) = match rest.strip_prefix("unk_") {
        Some(code) => (None, code.replace('_', "/")),
        None => {
            let (who, code) = rest.rsplit_once('_').expect("a result key");
            (Some(who.replace('_', " ")), code.to_owned())
        }
    };
    let mut query = json!({ "reference": reference, "start": 0, "limit": 5 });
    match kind {
        "mpn" => {
            query["mpn"] = json!(code);
            if let Some(manufacturer) = who.filter(|_| !ALIAS_ONLY.iter().any(|(k, _)| *k == key)) {
                query["manufacturer"] = json!(manufacturer);
            }
        }
        "sku" => {
            query["sku"] = json!(code);
            if let Some(seller) = who {
                query["seller"] = json!(seller);
            }
        }
        other => panic!("unknown result key kind {other}"),
    }
    query
}

// ---------------------------------------------------------------------------------------------
// Comparing.

fn answered_offer(seller: &str, offer: &Value) -> Offer {
    Offer {
        seller: seller.to_owned(),
        sku: offer["sku"].as_str().unwrap_or_default().to_owned(),
        inventory_level: offer["inventoryLevel"].as_i64().unwrap_or(-1),
        moq: offer["moq"].as_i64(),
        order_multiple: offer["orderMultiple"].as_i64(),
        packaging: offer["packaging"].as_str().map(str::to_owned),
        on_order_quantity: offer["onOrderQuantity"].as_i64(),
        prices: offer["prices"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p["quantity"].as_i64().unwrap_or_default(),
                    p["price"].as_f64().unwrap_or_default(),
                    p["currency"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        click_url: offer["clickUrl"].as_str().unwrap_or_default().to_owned(),
    }
}

/// Every difference between Ferrite's answer for a part and the expectation, as sentences.
fn compare_part(at: &str, answer: &Value, part: &Part, expected: &Expected, out: &mut Vec<String>) {
    let mut differ = |what: &str, ours: String, theirs: String| {
        if ours != theirs {
            out.push(format!("{at}: {what}: Ferrite answers {ours}, the recording says {theirs}"));
        }
    };
    differ("mpn", answer["mpn"].to_string(), json!(part.mpn).to_string());
    differ(
        "manufacturer",
        answer["manufacturer"]["name"].to_string(),
        json!(expected.manufacturers[&part.manufacturer_key]).to_string(),
    );
    // `shortDescription` is non-null in the API: "" when the source has none.
    differ(
        "shortDescription",
        answer["shortDescription"].to_string(),
        json!(part.description.clone().unwrap_or_default()).to_string(),
    );
    differ("bestDatasheet.url", answer["bestDatasheet"]["url"].to_string(), json!(part.datasheet).to_string());

    let mut specs: Vec<(String, String, String)> = answer["specs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let a = &s["attribute"];
            let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
            (text(&a["shortname"]), text(&a["name"]), text(&s["displayValue"]))
        })
        .collect();
    let mut want: Vec<(String, String, String)> = part
        .specs
        .iter()
        .map(|(shortname, display)| (shortname.clone(), expected.attributes[shortname].clone(), display.clone()))
        .collect();
    specs.sort();
    want.sort();
    if specs != want {
        let missing: Vec<_> = want.iter().filter(|s| !specs.contains(s)).collect();
        let extra: Vec<_> = specs.iter().filter(|s| !want.contains(s)).collect();
        out.push(format!("{at}: specs differ: missing {missing:?}, not recorded {extra:?}"));
    }

    // Sellers in the order the recording lists them, each with its offers in order.
    let mut want_sellers: Vec<(String, Vec<Offer>)> = Vec::new();
    for offer in &part.offers {
        let name = expected.sellers[&name_key(&offer.seller)].clone();
        let offer = Offer { seller: name.clone(), ..offer.clone() };
        match want_sellers.iter_mut().find(|(s, _)| *s == name) {
            Some((_, offers)) => offers.push(offer),
            None => want_sellers.push((name, vec![offer])),
        }
    }
    let sellers: Vec<(String, Vec<Offer>)> = answer["sellers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let name = s["company"]["name"].as_str().unwrap_or_default().to_owned();
            let offers = s["offers"].as_array().into_iter().flatten().map(|o| answered_offer(&name, o)).collect();
            (name, offers)
        })
        .collect();
    let names = |list: &[(String, Vec<Offer>)]| list.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    let (ours, theirs) = (names(&sellers), names(&want_sellers));
    let (ours_set, theirs_set): (HashSet<_>, HashSet<_>) = (ours.iter().collect(), theirs.iter().collect());
    if ours_set != theirs_set {
        out.push(format!(
            "{at}: sellers differ: missing {:?}, not recorded {:?}",
            theirs_set.difference(&ours_set).collect::<Vec<_>>(),
            ours_set.difference(&theirs_set).collect::<Vec<_>>()
        ));
    } else if ours != theirs {
        out.push(format!("{at}: sellers in another order: Ferrite {ours:?}, the recording {theirs:?}"));
    }
    for (seller, offers) in &sellers {
        let Some((_, want)) = want_sellers.iter().find(|(s, _)| s == seller) else { continue };
        if offers != want {
            out.push(format!("{at}: offers of {seller} differ:\n    Ferrite   {offers:?}\n    recording {want:?}"));
        }
    }
}

// ---------------------------------------------------------------------------------------------

async fn catalogue_api(data: &std::path::Path) -> (Harness, String) {
    let harness = Harness::setup()
        .configure(|config| config.currency_rates = ExchangeRates(BTreeMap::from([("USD".into(), 1.0)])))
        .start()
        .await;
    let source = data.join(RECORDING);
    let report = import(
        &harness.state.store,
        "nexar",
        Adapter::NexarJson,
        source.to_str().unwrap(),
        Mode::Snapshot,
        Utc::now(),
        &mut (),
    )
    .await
    .expect("the recording imports");
    assert!(report.parts_added > 0, "{report}");
    harness.catalogue_changed().await;
    let owner = harness.person("kicost@example.com").await;
    let org = harness.org("KiCost", owner.id).await;
    harness.plan(org.id, "Enterprise").await;
    let app = harness.app(org.id, "kicost", "supply", &[], 1_000_000).await;
    let token = harness.app_token(&app, Some("supply.domain")).await;
    (harness, token)
}

#[tokio::test]
async fn kicosts_recorded_multi_match_comes_back_as_nexar_answered_it() {
    let Some(data) = shared_data() else { return };
    let recording: Value = serde_json::from_slice(&std::fs::read(data.join(RECORDING)).unwrap()).unwrap();
    let expected = expected(&recording);
    let (harness, token) = catalogue_api(&data).await;
    let router = harness.router.clone();

    let results: Vec<(&String, &Value)> = recording["results"].as_object().unwrap().iter().collect();
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for batch in results.chunks(QUERIES_PER_CALL) {
        let queries: Vec<Value> =
            batch.iter().map(|(key, set)| query_of(key, set["reference"].as_str().unwrap_or_default())).collect();
        // As KiCost sends it: JSON body with variables, the token in a header named `token`.
        let body = json!({ "query": KICOST_QUERY, "variables": { "queries": queries } });
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header("token", &token)
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20).await.unwrap();
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        assert!(answer.get("errors").is_none(), "{}", answer["errors"]);
        let matches = answer["data"]["supMultiMatch"].as_array().expect("a list of matches");
        assert_eq!(matches.len(), batch.len(), "one match per query");

        for ((key, set), found) in batch.iter().zip(matches) {
            assert_eq!(found["reference"], set["reference"], "{key}: the reference comes back");
            let recorded = set["parts"].as_array().cloned().unwrap_or_default();
            // Each recorded part (manufacturer and exact MPN) is a part in Ferrite, in Nexar's order.
            let mut identities: Vec<(String, String)> = Vec::new();
            for part in &recorded {
                let Some(found) = text(&part["manufacturer"]["name"]).zip(text(&part["mpn"])) else { continue };
                let found = identity(&found.0, &found.1);
                if !identities.contains(&found) {
                    identities.push(found);
                }
            }
            let hits = found["hits"].as_i64().unwrap_or(-1);
            if hits < identities.len() as i64 {
                mismatches.push(format!("{key}: {hits} hits, but the recording has {} parts", identities.len()));
            }
            let parts = found["parts"].as_array().cloned().unwrap_or_default();
            // A BOM line's matches are parts with its very MPN (ignoring case and punctuation),
            // as every recorded match is: not its family or MPNs it is the start of.
            if let Some(mpn) = query_of(key, "")["mpn"].as_str() {
                for part in &parts {
                    if mpn_key(part["mpn"].as_str().unwrap_or_default()) != mpn_key(mpn) {
                        mismatches.push(format!("{key}: Ferrite also matches {}", part["mpn"]));
                    }
                }
            }
            let answered_identities: Vec<(String, String)> = parts
                .iter()
                .map(|p| {
                    let manufacturer = p["manufacturer"]["name"].as_str().unwrap_or_default();
                    identity(manufacturer, p["mpn"].as_str().unwrap_or_default())
                })
                .collect();
            let in_order: Vec<&(String, String)> =
                answered_identities.iter().filter(|found| identities.contains(found)).collect();
            let recorded_order: Vec<&(String, String)> =
                identities.iter().filter(|found| answered_identities.contains(found)).collect();
            if in_order != recorded_order && !ORDER_DIFFERS.iter().any(|(k, _)| k == key) {
                mismatches.push(format!(
                    "{key}: parts in another order: Ferrite {in_order:?}, the recording {recorded_order:?}"
                ));
            }
            for identity in identities {
                let part = &expected.parts[&identity];
                let at = format!("{key}: {} {}", expected.manufacturers[&identity.0], part.mpn);
                let answered =
                    parts.iter().zip(&answered_identities).find(|(_, found)| **found == identity).map(|(p, _)| p);
                match answered {
                    Some(answered) => {
                        compare_part(&at, answered, part, &expected, &mut mismatches);
                        compared += 1;
                    }
                    None => mismatches.push(format!("{at}: not in Ferrite's answer")),
                }
            }
        }
    }
    assert!(mismatches.is_empty(), "{} mismatches with the recording:\n{}", mismatches.len(), mismatches.join("\n"));
    assert!(compared >= 70, "only {compared} parts were compared");
}

#[test]
fn result_keys_read_back_into_kicosts_queries() {
    assert_eq!(
        query_of("mpn_Vishay_Lite-On_LTST-C193KSKT-5A", "q2"),
        json!({"reference": "q2", "start": 0, "limit": 5, "mpn": "LTST-C193KSKT-5A", "manufacturer": "Vishay Lite-On"})
    );
    assert_eq!(
        query_of("mpn_unk_LM2611BMF_NOPB", "q18"),
        json!({"reference": "q18", "start": 0, "limit": 5, "mpn": "LM2611BMF/NOPB"})
    );
    assert_eq!(
        query_of("sku_Mouser_789-ACC-AADBL-5212", "q57"),
        json!({"reference": "q57", "start": 0, "limit": 5, "sku": "789-ACC-AADBL-5212", "seller": "Mouser"})
    );
    assert_eq!(query_of("sku_RS_Components_694-9374", "q42")["seller"], "RS Components");
    assert_eq!(query_of("sku_RS_Components_694-9374", "q42")["sku"], "694-9374", "as the BOM spells it");
    assert_eq!(query_of("mpn_Avago_HLMP-K150", "q11")["manufacturer"], "Avago", "an alias of Broadcom");
    assert_eq!(query_of("mpn_Rean_BRT-L", "q11")["manufacturer"], Value::Null, "asked again without it");
}
