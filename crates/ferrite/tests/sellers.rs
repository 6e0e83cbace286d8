//! Sellers and provenance as the API answers them: authorization from the feed's word, else the
//! seller table (built-in distributors under `[[sellers]]`), so Part-DB's default
//! (`authorizedOnly: true`) answers LCSC's prices; broker, country and homepage per seller; each
//! description and datasheet credited to the feed it came from.

mod harness;

use ferrite::config::Config;
use ferrite_supply::{
    catalogue::Catalogue,
    search::SearchRequest,
    sellers::{SellerFacts, SellerTable},
};
use harness::Harness;
use serde_json::json;

/// An LCSC part whose feed says nothing of authorization (as jlcparts), a part only a broker
/// sells, and a Digi-Key Marketplace listing the feed marks unauthorized.
const CATALOGUE: &str = "\
mpn,manufacturer,description,datasheet_url,seller,sku,authorized,stock,currency,price_breaks
RC0603FR-0710KL,Yageo,Resistor 10k 1% 0603,https://example.com/rc.pdf,LCSC,C98220,,1000000,USD,100:0.001
NE555P,Texas Instruments,Timer,,Chips R Us,CRU-555,,40,USD,1:0.9
NE555P,Texas Instruments,Timer,,Digi-Key,296-NE555P-ND,no,10,USD,1:0.5
";

const PART_DB_DETAILS: &str = r#"{ supSearchMpn(q: "RC0603FR-0710KL") { results { part {
    descriptions { text creditString creditUrl }
    bestDatasheet { url creditString creditUrl }
    sellers(authorizedOnly: true) {
        isAuthorized isBroker country
        company { name homepageUrl isBroker }
        offers { sku prices { quantity price currency } }
    }
} } } }"#;

async fn harness() -> Harness {
    let harness = Harness::setup()
        .configure(|config| {
            config.sellers = vec![SellerFacts {
                name: "Chips R Us".into(),
                broker: Some(true),
                country: Some("HK".into()),
                homepage: Some("https://chips.example".into()),
                ..Default::default()
            }]
        })
        .start()
        .await;
    harness.import_csv("lcsc", CATALOGUE).await;
    harness
}

#[tokio::test]
async fn authorized_only_answers_lcsc_prices_with_the_seller_and_the_source_credited() {
    let harness = harness().await;
    let token = harness.supply_token("Standard", 1000).await;
    let answer = harness.graphql(&token, PART_DB_DETAILS).await;
    let part = &answer["data"]["supSearchMpn"]["results"][0]["part"];
    let source = harness.db.path().join("lcsc.csv");
    let homepage = "https://www.lcsc.com";
    assert_eq!(
        part["sellers"],
        json!([{
            "isAuthorized": true, "isBroker": false, "country": "CN",
            "company": { "name": "LCSC", "homepageUrl": homepage, "isBroker": false },
            "offers": [{ "sku": "C98220", "prices": [{ "quantity": 100, "price": 0.001, "currency": "USD" }] }]
        }]),
        "{answer}; the feed at {}",
        source.display()
    );
    // The feed read a file: its credit links the seller's homepage.
    let (credit, url) = ("LCSC via lcsc", homepage);
    assert_eq!(
        part["descriptions"],
        json!([{ "text": "Resistor 10k 1% 0603", "creditString": credit, "creditUrl": url }])
    );
    assert_eq!(
        part["bestDatasheet"],
        json!({ "url": "https://example.com/rc.pdf", "creditString": credit, "creditUrl": url })
    );
}

#[tokio::test]
async fn brokers_answer_only_when_asked_and_the_feeds_word_comes_before_the_sellers() {
    let harness = harness().await;
    let token = harness.supply_token("Standard", 1000).await;
    let answer = harness
        .graphql(
            &token,
            r#"{ supSearchMpn(q: "NE555P") { results { part {
                default: sellers { company { name } isAuthorized }
                all: sellers(includeBrokers: true) { company { name } isBroker country }
                authorized: sellers(includeBrokers: true, authorizedOnly: true) { company { name } }
            } } } }"#,
        )
        .await;
    let part = &answer["data"]["supSearchMpn"]["results"][0]["part"];
    assert_eq!(part["default"], json!([{ "company": { "name": "Digi-Key" }, "isAuthorized": false }]), "{answer}");
    assert_eq!(
        part["all"],
        json!([
            { "company": { "name": "Chips R Us" }, "isBroker": true, "country": "HK" },
            { "company": { "name": "Digi-Key" }, "isBroker": false, "country": "US" }
        ])
    );
    assert_eq!(part["authorized"], json!([]), "the feed marked Digi-Key's listing unauthorized");
    let matched = harness
        .graphql(
            &token,
            r#"{ supMultiMatch(options: {requireAuthorizedSellers: true},
                 queries: [{mpn: "RC0603FR-0710KL"}, {sku: "C98220"}, {mpn: "NE555P"}]) { hits } }"#,
        )
        .await;
    assert_eq!(matched["data"]["supMultiMatch"], json!([{ "hits": 1 }, { "hits": 1 }, { "hits": 0 }]), "{matched}");
}

/// `[[sellers]]` applies to the catalogue as imported: the next start rebuilds the index for it.
#[tokio::test]
async fn a_changed_seller_table_applies_without_a_re_import() {
    let harness = harness().await;
    let authorized =
        SearchRequest { q: "RC0603FR-0710KL".into(), limit: 10, authorized_only: true, ..Default::default() };
    assert_eq!(harness.state.catalogue.search(authorized.clone()).await.unwrap().hits, 1);

    let lcsc = SellerFacts { name: "lcsc".into(), authorized: Some(false), ..Default::default() };
    let config = Config { sellers: vec![lcsc], ..Default::default() };
    let options = config.catalogue_options();
    assert_ne!(options.sellers.fingerprint(), SellerTable::default().fingerprint());
    let restarted = Catalogue::open_with(harness.state.store.clone(), harness.db.path(), options).await.unwrap();
    assert_eq!(restarted.search(authorized.clone()).await.unwrap().hits, 0, "the index counted LCSC anew");
    let part = restarted.search(SearchRequest { authorized_only: false, ..authorized }).await.unwrap().part_ids;
    let view = &restarted.parts(&part).await.unwrap()[0];
    assert!(!restarted.dictionary().is_authorized(&view.offers[0]));
}
