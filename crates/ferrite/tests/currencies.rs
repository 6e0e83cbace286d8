//! Currencies and countries on the default configuration (no `currency_rates`): a fresh install
//! converts every common currency at the built-in reference rates, in every root field that
//! takes a currency, and accepts the countries Nexar clients send.

mod harness;

use harness::Harness;
use serde_json::Value;

const FEED: &str = "\
mpn,manufacturer,description,seller,sku,stock,currency,price_breaks
LM358DR,Texas Instruments,Dual op amp,Acme,A-1,5000,USD,1:0.45;1000:0.12
LM358DR,Texas Instruments,,Bolt,B-7,10,EUR,10:0.50
";

/// The built-in table's EUR per USD: 1 EUR was 1.0705 USD on its day (2024-06-28).
const EUR_PER_USD: f64 = 1.0 / 1.0705;

async fn fresh_install() -> (Harness, String) {
    let harness = Harness::start().await;
    harness.import_csv("acme", FEED).await;
    let token = harness.supply_token("Standard", 100).await;
    (harness, token)
}

const PRICES: &str = "sellers { company { name } offers { prices { quantity price currency convertedPrice convertedCurrency conversionRate } } }";

/// Each price point of `part`, by seller: (price, currency, converted, converted currency, rate).
fn prices(part: &Value) -> Vec<(String, f64, String, f64, String, f64)> {
    let mut all = Vec::new();
    for seller in part["sellers"].as_array().expect("sellers") {
        for offer in seller["offers"].as_array().unwrap() {
            for p in offer["prices"].as_array().unwrap() {
                all.push((
                    seller["company"]["name"].as_str().unwrap().to_owned(),
                    p["price"].as_f64().unwrap(),
                    p["currency"].as_str().unwrap().to_owned(),
                    p["convertedPrice"].as_f64().unwrap(),
                    p["convertedCurrency"].as_str().unwrap().to_owned(),
                    p["conversionRate"].as_f64().unwrap(),
                ));
            }
        }
    }
    all
}

fn assert_in_euros(part: &Value) {
    let prices = prices(part);
    assert_eq!(prices.len(), 3, "{part}");
    for (seller, price, currency, converted, converted_currency, rate) in prices {
        assert_eq!(converted_currency, "EUR", "{seller}");
        let expected = if currency == "USD" { EUR_PER_USD } else { 1.0 };
        assert!((rate - expected).abs() < 1e-12, "{seller}: {currency} at {rate}");
        assert!((converted - price * expected).abs() < 1e-12, "{seller}: {converted}");
    }
}

#[tokio::test]
async fn eur_and_de_work_in_every_supply_root_field_on_a_fresh_install() {
    let (harness, token) = fresh_install().await;
    let search = harness
        .graphql(&token, &format!(r#"{{ supSearch(q: "LM358DR", currency: "EUR", country: "DE") {{ results {{ part {{ id {PRICES} }} }} }} }}"#))
        .await;
    assert!(search["errors"].is_null(), "{search}");
    let part = &search["data"]["supSearch"]["results"][0]["part"];
    assert_in_euros(part);

    let id = part["id"].as_str().unwrap();
    let parts = harness
        .graphql(&token, &format!(r#"{{ supParts(ids: ["{id}"], currency: "EUR", country: "DE") {{ {PRICES} }} }}"#))
        .await;
    assert!(parts["errors"].is_null(), "{parts}");
    assert_in_euros(&parts["data"]["supParts"][0]);

    let matched = harness
        .graphql(
            &token,
            &format!(
                r#"{{ supMultiMatch(queries: [{{mpn: "LM358DR"}}], currency: "EUR", country: "DE") {{ parts {{ {PRICES} }} }} }}"#
            ),
        )
        .await;
    assert!(matched["errors"].is_null(), "{matched}");
    assert_in_euros(&matched["data"]["supMultiMatch"][0]["parts"][0]);
}

#[tokio::test]
async fn the_countries_and_currencies_clients_send_are_accepted_and_unknown_ones_named() {
    let (harness, token) = fresh_install().await;
    let query = |country: &str, currency: &str| {
        format!(
            r#"{{ supSearchMpn(q: "LM358DR", limit: 1, country: "{country}", currency: "{currency}") {{ results {{ part {{ medianPrice1000 {{ convertedCurrency conversionRate }} }} }} }} }}"#
        )
    };
    // The Nexar Java demo sends EURO; KiBot US; currencies in upper or lower case.
    for (country, currency) in [("EURO", "EUR"), ("US", "USD"), ("de", "gbp"), ("JP", "JPY"), ("KR", "KRW")] {
        let answer = harness.graphql(&token, &query(country, currency)).await;
        assert!(answer["errors"].is_null(), "{country} {currency}: {answer}");
        let median = &answer["data"]["supSearchMpn"]["results"][0]["part"]["medianPrice1000"];
        assert_eq!(median["convertedCurrency"], currency.to_ascii_uppercase(), "{answer}");
        assert!(median["conversionRate"].as_f64().unwrap() > 0.0, "{answer}");
    }

    let unknown = harness.graphql(&token, &query("DE", "XYZ")).await;
    let message = unknown["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("Unknown currency `XYZ`. Known currencies: AUD, BGN, BRL, CAD, CHF"), "{message}");
    let nowhere = harness.graphql(&token, &query("Atlantis", "EUR")).await;
    let message = nowhere["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("Unknown country `Atlantis`"), "{message}");
}
