//! `distributorApi: true` through the API, against a replayed DigiKey (the connector tests'
//! replay servers): an MPN the catalogue lacks is answered with the distributor's offers within
//! the timeout, the next query answers it from the catalogue without an upstream call, and a
//! distributor that fails or is slow never fails or holds an answer past its timeout.

mod common;
mod harness;
#[path = "../../ferrite-supply/tests/support/replay.rs"]
mod replay;

use std::{collections::HashMap, time::Duration};

use common::{ferrite, run, stderr};
use ferrite_supply::connectors::{ConnectorConfig, ConnectorKind, Secret};
use harness::Harness;
use replay::{CLIENT_ID, CLIENT_SECRET, Fault, Replay};
use serde_json::{Value, json};

const MPN: &str = "LM358DR";

fn product(mpn: &str) -> Value {
    json!({
        "Product": {
            "Description": { "ProductDescription": "IC OPAMP GP 2 CIRCUIT 8SOIC", "DetailedDescription": "General Purpose Amplifier 2 Circuit 8-SOIC" },
            "Manufacturer": { "Id": 296, "Name": "Texas Instruments" },
            "ManufacturerProductNumber": mpn,
            "ProductVariations": [{
                "DigiKeyProductNumber": "296-1014-1-ND",
                "PackageType": { "Id": 2, "Name": "Cut Tape (CT)" },
                "StandardPricing": [{ "BreakQuantity": 1, "UnitPrice": 0.45, "TotalPrice": 0.45 }],
                "QuantityAvailableforPackageType": 5000,
                "MinimumOrderQuantity": 1
            }],
            "Category": { "CategoryId": 32, "ParentId": 0, "Name": "Integrated Circuits (ICs)", "ChildCategories": [] }
        },
        "SearchLocaleUsed": { "Site": "US", "Language": "en", "Currency": "USD" }
    })
}

async fn harness(replay: &Replay) -> Harness {
    let mut digikey = ConnectorConfig::new(ConnectorKind::Digikey);
    digikey.base_url = Some(replay.url());
    digikey.token_url = Some(format!("{}/v1/oauth2/token", replay.url()));
    digikey.client_id = Some(Secret::new(CLIENT_ID));
    digikey.client_secret = Some(Secret::new(CLIENT_SECRET));
    Harness::setup().configure(|config| config.connectors = vec![digikey]).start().await
}

fn search(mpn: &str, timeout: &str) -> String {
    format!(
        r#"{{ supSearchMpn(q: "{mpn}", distributorApi: true, distributorApiTimeout: "{timeout}") {{ hits results {{ part {{
            mpn manufacturer {{ name }} sellers {{ company {{ name }} offers {{ sku inventoryLevel prices {{ quantity price }} }} }} }} }} }} }}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributor_api_answers_a_missing_mpn_live_then_from_the_catalogue() {
    let replay = replay::digikey(HashMap::from([(MPN.into(), product(MPN))])).await;
    let harness = harness(&replay).await;
    let token = harness.supply_token("Standard", 1000).await;

    let started = std::time::Instant::now();
    let answer = harness.graphql(&token, &search(MPN, "10s")).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    let results = &answer["data"]["supSearchMpn"];
    assert_eq!(results["hits"], 1, "{answer}");
    let part = &results["results"][0]["part"];
    assert_eq!(part["mpn"], MPN);
    assert_eq!(part["manufacturer"]["name"], "Texas Instruments");
    assert_eq!(part["sellers"][0]["company"]["name"], "Digi-Key");
    assert_eq!(part["sellers"][0]["offers"][0]["sku"], "296-1014-1-ND");
    assert_eq!(part["sellers"][0]["offers"][0]["inventoryLevel"], 5000);
    let calls = replay.calls();
    assert_eq!(calls, 1, "one product-details call");

    // From the catalogue now, live or not: no upstream call.
    let again = harness.graphql(&token, &search(MPN, "10s")).await;
    assert_eq!(again["data"]["supSearchMpn"]["results"][0]["part"]["mpn"], MPN);
    let plain =
        harness.graphql(&token, &format!(r#"{{ supMultiMatch(queries: [{{ mpn: "{MPN}" }}]) {{ hits }} }}"#)).await;
    assert_eq!(plain["data"]["supMultiMatch"][0]["hits"], 1, "{plain}");
    assert_eq!(replay.calls(), calls);

    // A slow distributor: the answer comes at the timeout, with what the catalogue has.
    replay.set_fault(Fault::Slow(Duration::from_secs(3)));
    let started = std::time::Instant::now();
    let slow = harness.graphql(&token, &search("OPA2134PA", "300ms")).await;
    assert!(started.elapsed() < Duration::from_secs(2), "waited {:?}", started.elapsed());
    assert_eq!(slow["data"]["supSearchMpn"]["hits"], 0, "{slow}");
    assert!(slow.get("errors").is_none(), "{slow}");

    // A failing one: the answer is the catalogue's, without an error.
    replay.set_fault(Fault::Unavailable);
    let failed = harness.graphql(&token, &search("NE5532P", "5s")).await;
    assert_eq!(failed["data"]["supSearchMpn"]["hits"], 0, "{failed}");
    assert!(failed.get("errors").is_none(), "{failed}");

    // Both outcomes are counted in /metrics.
    let request = axum::http::Request::get("/metrics").body(axum::body::Body::empty()).unwrap();
    let metrics = harness.send(request).await.text();
    for outcome in ["ok", "upstream"] {
        let line = format!(r#"ferrite_connector_calls_total{{connector="digikey",outcome="{outcome}"}}"#);
        assert!(metrics.contains(&line), "no {line} in\n{metrics}");
    }
}

/// A cart tool keeps offers by reference and asks for them again with `distributorApi: true`: the
/// parts are looked up live first, and the distributor's offer is then the part's too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn part_offers_by_reference_are_looked_up_live_when_asked() {
    let replay = replay::digikey(HashMap::from([(MPN.into(), product(MPN))])).await;
    let harness = harness(&replay).await;
    harness
        .import_csv("acme", &format!("mpn,manufacturer,seller,sku,stock\n{MPN},Texas Instruments,Acme,A-1,10\n"))
        .await;
    let token = harness.supply_token("Standard", 1000).await;
    let found = harness
        .graphql(&token, r#"{ supSearch(q: "LM358DR") { results { part { id sellers { offers { id } } } } } }"#)
        .await;
    let part = &found["data"]["supSearch"]["results"][0]["part"];
    let (part_id, offer_id) = (part["id"].as_str().unwrap(), part["sellers"][0]["offers"][0]["id"].as_str().unwrap());
    let offers = |live: bool| {
        let query = format!(
            r#"{{ supPartOffers(country: "US", currency: "USD", distributorApi: {live}, distributorApiTimeout: "10s",
                references: [{{partId: "{part_id}", offerId: "{offer_id}"}}]) {{ partId offer {{ sku }} }} }}"#
        );
        let (harness, token) = (&harness, &token);
        async move { harness.graphql(token, &query).await }
    };
    let plain = offers(false).await;
    assert_eq!(plain["data"]["supPartOffers"][0]["offer"]["sku"], "A-1", "{plain}");
    assert_eq!(replay.calls(), 0, "not asked without distributorApi");
    let live = offers(true).await;
    assert_eq!(live["data"]["supPartOffers"][0]["offer"]["sku"], "A-1", "{live}");
    assert_eq!(replay.calls(), 1, "the part's MPN looked up live");
    let skus = harness
        .graphql(&token, &format!(r#"{{ supParts(ids: ["{part_id}"]) {{ sellers {{ offers {{ sku }} }} }} }}"#))
        .await;
    let skus: Vec<&str> = skus["data"]["supParts"][0]["sellers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|seller| seller["offers"][0]["sku"].as_str().unwrap())
        .collect();
    assert!(skus.contains(&"296-1014-1-ND"), "the live offer is the part's: {skus:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_timeout_is_refused_and_without_distributor_api_nothing_is_called() {
    let replay = replay::digikey(HashMap::from([(MPN.into(), product(MPN))])).await;
    let harness = harness(&replay).await;
    let token = harness.supply_token("Standard", 1000).await;
    let answer = harness.graphql(&token, &search(MPN, "soon")).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BadArgument", "{answer}");
    let plain = harness.graphql(&token, &format!(r#"{{ supSearchMpn(q: "{MPN}") {{ hits }} }}"#)).await;
    assert_eq!(plain["data"]["supSearchMpn"]["hits"], 0);
    assert_eq!(replay.calls(), 0);
}

/// `[[connectors]]` in a configuration file: a connector without its credentials is refused naming
/// the key; `ferrite connectors status` reports the budget and health, and never a credential;
/// `ferrite connectors lookup` looks an MPN up and the status shows the call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connectors_command_reports_budget_and_health_without_credentials() {
    let replay = replay::digikey(HashMap::from([(MPN.into(), product(MPN))])).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ferrite.toml");
    let data = dir.path().to_str().unwrap();
    std::fs::write(&config, "[[connectors]]\nkind = \"mouser\"\n").unwrap();
    let refused = run(ferrite(&["--config", config.to_str().unwrap(), "--data-dir", data, "connectors", "status"]));
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("connector `mouser` (mouser) needs `api_key`"), "{}", stderr(&refused));

    let url = replay.url();
    std::fs::write(
        &config,
        format!(
            "[[connectors]]\nkind = \"digikey\"\nname = \"dk\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{CLIENT_SECRET}\"\n\
             per_day = 50\nbase_url = \"{url}\"\ntoken_url = \"{url}/v1/oauth2/token\"\n"
        ),
    )
    .unwrap();
    let args = |more: &[&str]| {
        let mut all = vec!["--config", config.to_str().unwrap(), "--data-dir", data, "connectors"];
        all.extend_from_slice(more);
        all.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    let command = |more: &[&str]| {
        let owned = args(more);
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        tokio::task::block_in_place(|| run(ferrite(&refs)))
    };
    let before = command(&["status"]);
    assert!(before.status.success(), "{}", stderr(&before));
    let text = String::from_utf8_lossy(&before.stdout).into_owned();
    assert!(text.starts_with("dk (digikey): not called yet; calls this minute 0/120, today 0/50"), "{text}");

    let lookup = command(&["lookup", MPN]);
    assert!(lookup.status.success(), "{}", stderr(&lookup));
    assert!(String::from_utf8_lossy(&lookup.stdout).contains("offers written to the catalogue"));
    let after = command(&["status", "--json"]);
    let report: Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(report[0]["name"], "dk");
    assert_eq!(report[0]["spent"]["today"], 1);
    assert_eq!(report[0]["health"]["calls"], 1);
    for output in [&before, &lookup, &after] {
        let all = format!("{}{}", String::from_utf8_lossy(&output.stdout), stderr(output));
        assert!(!all.contains(CLIENT_SECRET), "a credential in the output: {all}");
    }
}
