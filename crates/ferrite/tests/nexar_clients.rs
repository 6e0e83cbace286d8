//! Every document the real Nexar clients send (`crates/ferrite-graphql/tests/clients/`, with its
//! `.variables.json`) answers with data and no error: on a small catalogue written here, and on
//! one imported from the Nexar recording in `../shared/data` when that is present.

mod harness;

use std::{collections::BTreeMap, path::PathBuf};

use ferrite_core::{Clock, money::ExchangeRates};
use ferrite_supply::{
    feeds::Adapter,
    import::{Mode, import},
};
use harness::Harness;
use serde_json::{Value, json};

/// The parts the fixtures' variables name (`LM358DR`, `GRM188R61A226ME15D`, `C0603C103K5RACTU`,
/// Mouser's `595-LM358DR`, Digi-Key's `399-1092-1-ND`), in the generic CSV feed.
const CATALOGUE: &str = "\
mpn,manufacturer,description,category,datasheet_url,seller,sku,authorized,stock,currency,price_breaks,spec:Capacitance,spec:Lifecycle Status,factory_lead_days,factory_pack_quantity,on_order_quantity
LM358DR,Texas Instruments,Dual op amp,Integrated Circuits > Amplifiers,https://example.com/lm358.pdf,Mouser,595-LM358DR,true,5000,USD,1:0.45;1000:0.12,,Production,,,
LM358DR,Texas Instruments,Dual op amp,Integrated Circuits > Amplifiers,,Digi-Key,296-1014-1-ND,true,300,USD,1:0.50,,,,,
LM358DT,STMicroelectronics,Dual op amp,Integrated Circuits > Amplifiers,,Mouser,511-LM358DT,true,120,EUR,1:0.40,,,,,
GRM188R61A226ME15D,Murata,Capacitor 22uF 10V 0603,Passive Components > Capacitors,,Digi-Key,490-10475-1-ND,true,10000,USD,1:0.10;100:0.05,22µF,,,,
C0603C103K5RACTU,KEMET,Capacitor 10nF 50V 0603 op amp decoupling,Passive Components > Capacitors,https://example.com/c0603.pdf,Digi-Key,399-1092-1-ND,true,80000,USD,1:0.10;4000:0.01,10nF,Active,98,4000,25000
";

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ferrite-graphql/tests/clients")
}

/// Every fixture: (name, document, variables).
fn fixtures() -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(fixture_dir()).expect("the fixtures directory") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "graphql") {
            continue;
        }
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let document = std::fs::read_to_string(&path).unwrap();
        let variables = std::fs::read_to_string(path.with_extension("variables.json"))
            .unwrap_or_else(|err| panic!("{name} has no .variables.json ({err})"));
        found.push((name, document, serde_json::from_str(&variables).unwrap()));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(found.len() >= 39, "the fixtures were found: {}", found.len());
    found
}

async fn harness() -> Harness {
    Harness::setup()
        .configure(|config| {
            config.currency_rates = ExchangeRates(BTreeMap::from([("USD".into(), 1.0), ("EUR".into(), 0.92)]));
        })
        .start()
        .await
}

/// A token of an app with a part limit no fixture run reaches.
async fn token(harness: &Harness) -> String {
    let ada = harness.person("ada@example.com").await;
    let org = harness.org("Acme", ada.id).await;
    harness.plan(org.id, "Standard").await;
    let app = harness.app(org.id, "clients", "supply", &[], 2000).await;
    harness.app_token(&app, None).await
}

/// What is wrong with a fixture's answer: an error, or a root field without data.
fn problem(answer: &Value) -> Option<String> {
    if let Some(errors) = answer.get("errors") {
        return Some(format!("errors: {errors}"));
    }
    let data = answer["data"].as_object()?;
    data.iter().find(|(_, value)| value.is_null()).map(|(root, _)| format!("{root} is null: {answer}"))
}

/// Runs every fixture as its client sends it (the document, its variables, and the operation's
/// name); returns what failed, by fixture, and how many answered with parts.
async fn run_all(harness: &Harness, token: &str) -> (BTreeMap<String, String>, usize) {
    let mut failed = BTreeMap::new();
    let mut with_parts = 0;
    for (name, document, variables) in fixtures() {
        let body = json!({ "query": document, "variables": variables });
        let bearer = format!("Bearer {token}");
        let answer = harness.post_json("/graphql/", Some(("authorization", &bearer)), &body).await;
        let json = answer.json();
        if answer.status != 200 {
            failed.insert(name, format!("HTTP {}: {json}", answer.status));
        } else if let Some(problem) = problem(&json) {
            failed.insert(name, problem);
        } else if json.to_string().contains("\"mpn\":\"") {
            with_parts += 1;
        }
    }
    (failed, with_parts)
}

/// Every fixture answered with data and no error.
fn check(failed: &BTreeMap<String, String>, catalogue: &str) {
    let failures: Vec<String> = failed.iter().map(|(name, why)| format!("  {name}: {why}")).collect();
    assert!(failures.is_empty(), "on {catalogue}: {} fixtures fail:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn every_client_document_answers_on_a_small_catalogue() {
    let harness = harness().await;
    harness.import_csv("clients", CATALOGUE).await;
    let token = token(&harness).await;
    let (failed, with_parts) = run_all(&harness, &token).await;
    check(&failed, "the small catalogue");
    assert!(with_parts >= 20, "most documents find the parts their variables name: {with_parts}");
}

#[tokio::test]
async fn every_client_document_answers_on_the_nexar_recording() {
    let data =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/nexar/supMultiMatch-2022-12-14.json");
    if !data.exists() {
        eprintln!("skipped: {} is not present (../shared/data is not shipped with the repo)", data.display());
        return;
    }
    let harness = harness().await;
    let store = &harness.state.store;
    import(store, "nexar", Adapter::NexarJson, data.to_str().unwrap(), Mode::Snapshot, harness.clock.now(), &mut ())
        .await
        .expect("the Nexar recording imports");
    harness.catalogue_changed().await;
    let token = token(&harness).await;
    let (failed, with_parts) = run_all(&harness, &token).await;
    check(&failed, "the Nexar recording");
    assert!(with_parts >= 10, "the recording holds the fixtures' parts: {with_parts}");
}

/// The supply fields answered from the catalogue's own data (docs/nexar-compatibility.md).
#[tokio::test]
async fn supply_fields_hold_the_catalogues_data() {
    let harness = harness().await;
    harness.import_csv("clients", CATALOGUE).await;
    let token = token(&harness).await;
    let part = r#"{ supSearchMpn(q: "C0603C103K5RACTU", limit: 1) { results { part {
        id v3uid akaMpns estimatedFactoryLeadDays
        documentCollections { name documents { name url mimeType pageCount } }
        extras { partId lifeCycle datasheetUrls parameters { name value } }
        sellers { offers { id factoryPackQuantity onOrderQuantity } }
    } } } }"#;
    let answer = harness.graphql(&token, part).await;
    let found = &answer["data"]["supSearchMpn"]["results"][0]["part"];
    assert_eq!(
        found["documentCollections"],
        json!([{"name": "Datasheets", "documents": [{"name": "Datasheet", "url": "https://example.com/c0603.pdf",
            "mimeType": "application/pdf", "pageCount": null}]}]),
        "{answer}"
    );
    assert_eq!(found["extras"]["lifeCycle"], "ACTIVE");
    assert_eq!(found["extras"]["datasheetUrls"], json!(["https://example.com/c0603.pdf"]));
    assert!(
        found["extras"]["parameters"].as_array().unwrap().iter().any(|p| p["value"] == json!(["10 nF"])),
        "{answer}"
    );
    assert_eq!((&found["akaMpns"], &found["estimatedFactoryLeadDays"]), (&json!([]), &json!(98)));
    assert_eq!(found["sellers"][0]["offers"][0]["factoryPackQuantity"], 4000, "{answer}");
    assert_eq!(found["sellers"][0]["offers"][0]["onOrderQuantity"], 25000, "{answer}");
    let v3uid = found["v3uid"].as_str().unwrap().to_owned();
    assert_eq!(v3uid.len(), 16);

    // The offer by reference, as a cart tool keeps it.
    let (part_id, offer_id) = (found["id"].as_str().unwrap(), found["sellers"][0]["offers"][0]["id"].as_str().unwrap());
    let offers = harness
        .graphql(
            &token,
            &format!(
                r#"{{ supPartOffers(country: "US", currency: "USD", references: [
                    {{partId: "{part_id}", offerId: "{offer_id}"}}, {{partId: "{part_id}", offerId: "0"}}]) {{
                    partId offer {{ sku inventoryLevel }} }} }}"#
            ),
        )
        .await;
    assert_eq!(
        offers["data"]["supPartOffers"],
        json!([{"partId": part_id, "offer": {"sku": "399-1092-1-ND", "inventoryLevel": 80000}}, null]),
        "{offers}"
    );

    // Manufacturers by how many parts they have: Texas Instruments has one, no one has two.
    let makers = |least: i32| {
        let query = format!("{{ supManufacturers(minNumberOfActiveParts: {least}) {{ name }} }}");
        let (harness, token) = (&harness, &token);
        async move {
            let answer = harness.graphql(token, &query).await;
            let mut names: Vec<String> = answer["data"]["supManufacturers"]
                .as_array()
                .unwrap_or_else(|| panic!("{answer}"))
                .iter()
                .map(|m| m["name"].as_str().unwrap().to_owned())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(makers(1).await, ["KEMET", "Murata", "STMicroelectronics", "Texas Instruments"]);
    assert!(makers(2).await.is_empty());

    // Categories hang under Nexar's root, as the Blazor demo looks for them.
    let categories = harness.graphql(&token, "{ supCategories { id parentId name path } }").await;
    let categories = categories["data"]["supCategories"].as_array().unwrap();
    let root = categories.iter().find(|c| c["id"] == "4161").expect("the root");
    assert_eq!(
        (&root["name"], &root["parentId"], &root["path"]),
        (&json!("Electronic Parts"), &json!("0"), &json!("/electronic-parts"))
    );
    let tops: Vec<&str> =
        categories.iter().filter(|c| c["parentId"] == "4161").map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(tops, ["Integrated Circuits", "Passive Components"]);
    let counts = harness
        .graphql(&token, r#"{ supCategories(ids: ["4161"]) { numParts } supSearch(q: "electronic parts") { hits } }"#)
        .await;
    assert_eq!(counts["data"]["supCategories"][0]["numParts"], 4, "every part is under the root: {counts}");
    assert_eq!(counts["data"]["supSearch"]["hits"], 0, "the root's name is not searched: {counts}");

    // A re-import keeps the part's v3uid.
    harness.import_csv("clients", CATALOGUE).await;
    let again = harness.graphql(&token, part).await;
    assert_eq!(again["data"]["supSearchMpn"]["results"][0]["part"]["v3uid"], v3uid.as_str());
}
