//! The GraphQL API through its HTTP edge, on a small catalogue written by the test.

mod harness;

use std::{collections::BTreeMap, sync::Arc};

use axum::{
    Router,
    body::Body,
    http::{Request, header},
};
use chrono::{Duration, Utc};
use ferrite_core::money::ExchangeRates;
use ferrite_core::{
    Clock, FakeClock,
    keys::{mpn_key, name_key},
};
use ferrite_identity::{CreatedApp, Identity, TokenRequest};
use ferrite_store::{
    Store,
    catalogue::{ImportScope, OfferRow, PartRow},
};
use harness::{Harness, Setup};
use serde_json::{Value, json};
use tower::ServiceExt;

struct Api {
    router: Router,
    identity: Arc<Identity>,
    clock: FakeClock,
    supply: CreatedApp,
    design: CreatedApp,
    other_org_app: CreatedApp,
    _harness: Harness,
}

/// Parts: (manufacturer, mpn, description, [(seller, sku, stock, [(qty, price, currency)])], [(attr, display, si)])
type Fixture = (
    &'static str,
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str, i64, Vec<(i64, f64, &'static str)>)>,
    Vec<(&'static str, &'static str, Option<f64>)>,
);

fn fixtures() -> Vec<Fixture> {
    vec![
        (
            "Texas Instruments",
            "LM358DR",
            "Dual op amp, SOIC-8, tape and reel",
            vec![("Digi-Key", "296-1014-1-ND", 5000, vec![(1, 0.45, "USD"), (1000, 0.12, "USD")])],
            vec![("Package", "SOIC-8", None)],
        ),
        (
            "Texas Instruments",
            "LM358D",
            "Dual op amp, SOIC-8, tube",
            vec![("Digi-Key", "296-1014-5-ND", 0, vec![(1, 0.50, "USD")])],
            vec![("Package", "SOIC-8", None)],
        ),
        (
            "Texas Instruments",
            "LM358DT",
            "Dual op amp, SOIC-8",
            vec![("Mouser", "595-LM358DT", 120, vec![(1, 0.40, "EUR")])],
            vec![],
        ),
        ("onsemi", "LM358DR2G", "Dual op amp", vec![("Mouser", "863-LM358DR2G", 800, vec![(1, 0.30, "USD")])], vec![]),
        (
            "Yageo",
            "RC0603FR-0710KL",
            "Resistor 10k 1% 0603",
            vec![("LCSC", "C98220", 1_000_000, vec![(100, 0.001, "USD")])],
            vec![("Resistance", "10kΩ", Some(10_000.0)), ("Package", "0603", None)],
        ),
        (
            "Yageo",
            "RC0603FR-07100RL",
            "Resistor 100 ohm 1% 0603",
            vec![("LCSC", "C22775", 50, vec![(100, 0.001, "USD")])],
            vec![("Resistance", "100Ω", Some(100.0)), ("Package", "0603", None)],
        ),
    ]
}

fn hash(text: &str) -> i64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes()) as i64
}

async fn write_catalogue(store: &Store) {
    let mut writer = store
        .catalogue()
        .begin_import("fixture", "https://feeds.example/fixture", Utc::now(), ImportScope::Catalogue)
        .await
        .unwrap();
    for (manufacturer, mpn, description, offers, specs) in fixtures() {
        let m = writer.manufacturer(&name_key(manufacturer), manufacturer).await.unwrap();
        let category = writer.category(&["Integrated Circuits".into(), "Amplifiers".into()]).await.unwrap();
        let mut spec_rows = Vec::new();
        for (name, display, si) in specs {
            let a = writer.attribute(&name.to_lowercase(), name, None, None).await.unwrap();
            spec_rows.push(json!([a, display, si]));
        }
        let specs = serde_json::to_string(&spec_rows).unwrap();
        let row = PartRow {
            manufacturer_id: m,
            mpn: mpn.into(),
            mpn_key: mpn_key(mpn),
            description: Some(description.into()),
            category_id: category,
            content_hash: hash(&format!("{mpn}{specs}")),
            specs,
            datasheet_url: Some(format!("https://example.com/{mpn}.pdf")),
            image_url: None,
        };
        let (part, _) = writer.part(row).await.unwrap();
        for (seller, sku, stock, prices) in offers {
            let s = writer.seller(&name_key(seller), seller).await.unwrap();
            let prices = serde_json::to_string(&prices).unwrap();
            let offer = OfferRow {
                seller_id: s,
                sku: sku.into(),
                sku_key: ferrite_core::keys::sku_key(sku),
                // The fixture's feed says so, over the seller table (where LCSC is authorized).
                authorized_by_feed: Some(seller != "LCSC"),
                inventory_level: Some(stock),
                moq: Some(1),
                order_multiple: None,
                factory_lead_days: None,
                factory_pack_quantity: None,
                on_order_quantity: None,
                packaging: None,
                price_hash: hash(&prices),
                prices,
                click_url: None,
                content_hash: hash(&format!("{sku}{stock}")),
            };
            writer.offer(part, offer).await.unwrap();
        }
    }
    writer.commit(true, "run-1", "{}", Utc::now()).await.unwrap();
}

async fn api() -> Api {
    api_on(setup().start().await).await
}

/// The API on a fresh schema of the test PostgreSQL server, when one is configured.
async fn api_on_postgres() -> Option<Api> {
    Some(api_on(setup().start_on_postgres().await?).await)
}

fn setup() -> Setup {
    Harness::setup().configure(|config| {
        config.currency_rates = ExchangeRates(BTreeMap::from([("USD".into(), 1.0), ("EUR".into(), 0.5)]));
    })
}

async fn api_on(harness: Harness) -> Api {
    write_catalogue(&harness.state.store).await;
    harness.catalogue_changed().await;
    let ada = harness.person("ada@example.com").await;
    let acme = harness.org("Acme", ada.id).await;
    let bob = harness.person("bob@example.com").await;
    let bolt = harness.org("Bolt", bob.id).await;
    // A monthly plan, so that the supply app can be given parts.
    harness.plan(acme.id, "Standard").await;
    let supply = harness.app(acme.id, "bom tool", "supply", &[], 100).await;
    let design = harness.app(acme.id, "cad", "design", &[], 0).await;
    let other_org_app = harness.app(bolt.id, "theirs", "supply", &[], 0).await;
    Api {
        router: harness.router.clone(),
        identity: harness.state.identity.clone(),
        clock: harness.clock.clone(),
        supply,
        design,
        other_org_app,
        _harness: harness,
    }
}

impl Api {
    async fn token(&self, app: &CreatedApp, scope: Option<&str>) -> String {
        let client =
            self.identity.authenticate_client(&app.app.client_id, &app.client_secret, "127.0.0.1").await.unwrap();
        let request = TokenRequest {
            grant_type: "client_credentials".into(),
            scope: scope.map(str::to_owned),
            ..Default::default()
        };
        self.identity.token(&client, &request).await.unwrap().access_token
    }

    async fn post(&self, path: &str, auth: Option<(&str, &str)>, body: Value) -> Value {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some((name, value)) = auth {
            request = request.header(name, value);
        }
        let response = self.router.clone().oneshot(request.body(Body::from(body.to_string())).unwrap()).await.unwrap();
        let bytes = axum::body::to_bytes(response.into_body(), 10 << 20).await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    /// Posts `body` as it is (a JSON value this deep could not be built in the test); returns the
    /// status and the answer.
    async fn post_raw(&self, token: &str, body: String) -> (u16, Value) {
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 10 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    async fn query(&self, token: &str, query: &str) -> Value {
        self.post("/graphql", Some(("authorization", &format!("Bearer {token}"))), json!({ "query": query })).await
    }
}

fn error_code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn tokens_are_read_from_bearer_or_token_headers_and_refused_with_nexar_codes() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    let query = json!({ "query": "{ supSearchMpn(q: \"LM358DR\", limit: 1) { hits } }" });
    let bearer = api.post("/graphql", Some(("authorization", &format!("Bearer {token}"))), query.clone()).await;
    assert!(bearer["data"]["supSearchMpn"]["hits"].as_i64().unwrap() >= 1, "{bearer}");
    let header_token = api.post("/graphql/", Some(("token", &token)), query.clone()).await;
    assert_eq!(header_token["data"], bearer["data"]);

    for auth in [None, Some(("authorization", "Bearer not-a-jwt")), Some(("token", "a.b.c"))] {
        let refused = api.post("/graphql", auth, query.clone()).await;
        assert_eq!(refused["errors"][0]["message"], "Token validation failed. Please provide a valid access token.");
        assert_eq!(error_code(&refused), "AuthInvalidToken");
        assert!(refused["data"].is_null());
    }
    api.clock.advance(Duration::hours(25));
    let expired = api.post("/graphql", Some(("token", &token)), query).await;
    assert_eq!(error_code(&expired), "AuthExpiredToken");
}

#[tokio::test]
async fn a_missing_scope_refuses_that_root_field_only() {
    let api = api().await;
    let token = api.token(&api.design, Some("design.domain user.access")).await;
    let answer = api.query(&token, "{ supSearch(q: \"LM358\") { hits } admOrganizations { name } }").await;
    assert!(answer["data"]["supSearch"].is_null());
    assert_eq!(answer["data"]["admOrganizations"][0]["name"], "Acme");
    let message = answer["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("supply.domain"), "{message}");
    assert_eq!(answer["errors"][0]["path"][0], "supSearch");
    let lists =
        api.query(&token, "{ supParts(ids: [\"1\"]) { id } supSellers { name } admOrganizations { name } }").await;
    assert!(lists["data"]["supParts"].is_null() && lists["data"]["supSellers"].is_null(), "{lists}");
    assert_eq!(lists["data"]["admOrganizations"][0]["name"], "Acme", "list root fields are refused alone too");
}

#[tokio::test]
async fn bounds_are_refused_with_nexar_messages() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    for (args, message) in [
        ("limit: 101", "limit must be between 0 and 100"),
        ("limit: -1", "limit must be between 0 and 100"),
        ("start: 1001", "start must be between 0 and 1000"),
    ] {
        let answer = api.query(&token, &format!("{{ supSearch(q: \"LM358\", {args}) {{ hits }} }}")).await;
        assert_eq!(answer["errors"][0]["message"], message, "{args}");
    }
    let many: Vec<String> = (0..21).map(|i| format!("{{mpn: \"LM358\", limit: 5, reference: \"r{i}\"}}")).collect();
    let answer = api.query(&token, &format!("{{ supMultiMatch(queries: [{}]) {{ hits }} }}", many.join(","))).await;
    assert!(answer["errors"][0]["message"].as_str().unwrap().contains("at most 100 parts"), "{answer}");
}

#[tokio::test]
async fn mpn_search_ranks_the_exact_part_first_then_its_family() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    for q in ["LM358DR", "lm358dr", "LM358-DR", " lm358 dr "] {
        let answer = api
            .query(&token, &format!("{{ supSearchMpn(q: {q:?}, limit: 10) {{ hits results {{ part {{ mpn }} }} }} }}"))
            .await;
        let mpns: Vec<&str> = answer["data"]["supSearchMpn"]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["part"]["mpn"].as_str().unwrap())
            .collect();
        assert_eq!(mpns[0], "LM358DR", "{q}: {mpns:?}");
        assert!(mpns.contains(&"LM358D") && mpns.contains(&"LM358DT"), "{q}: the LM358D family follows: {mpns:?}");
        assert!(mpns.contains(&"LM358DR2G"), "{q}: MPNs that start with the query follow: {mpns:?}");
        assert!(!mpns.contains(&"RC0603FR-0710KL"));
    }
    let answer = api.query(&token, "{ supSearchMpn(q: \"LM358\", limit: 0) { hits results { part { mpn } } } }").await;
    assert_eq!(answer["data"]["supSearchMpn"]["hits"], 4);
    assert_eq!(answer["data"]["supSearchMpn"]["results"], json!([]));
}

#[tokio::test]
async fn full_text_search_filters_facets_and_sorting() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    let answer = api
        .query(
            &token,
            r#"{ supSearch(q: "resistor 0603", filters: {resistance: ["(1000__)"]}) {
                hits results { part { mpn specs { attribute { shortname } displayValue siValue } } }
                manufacturerAgg { company { name } count } appliedFilters { shortname values }
            } }"#,
        )
        .await;
    let set = &answer["data"]["supSearch"];
    assert_eq!(set["hits"], 1, "{answer}");
    assert_eq!(set["results"][0]["part"]["mpn"], "RC0603FR-0710KL");
    assert_eq!(set["manufacturerAgg"], json!([{ "company": { "name": "Yageo" }, "count": 1 }]));
    assert_eq!(set["appliedFilters"][0]["shortname"], "resistance");

    let sorted = api
        .query(
            &token,
            r#"{ supSearch(q: "dual op amp", sort: "mpn", sortDir: desc, limit: 10) { results { part { mpn } } } }"#,
        )
        .await;
    let mpns: Vec<&str> = sorted["data"]["supSearch"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["part"]["mpn"].as_str().unwrap())
        .collect();
    assert_eq!(mpns, ["LM358DT", "LM358DR2G", "LM358DR", "LM358D"]);
    let in_stock = api.query(&token, r#"{ supSearch(q: "LM358D", inStockOnly: true, limit: 10) { hits } }"#).await;
    assert_eq!(in_stock["data"]["supSearch"]["hits"], 3, "LM358D has no stock: {in_stock}");
    let bad = api.query(&token, r#"{ supSearch(q: "x", sort: "color") { hits } }"#).await;
    assert!(bad["errors"][0]["message"].as_str().unwrap().contains("unknown sort"));
}

#[tokio::test]
async fn prices_convert_to_the_requested_currency() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    let query = |currency: &str, country: &str| {
        format!(
            r#"{{ supSearchMpn(q: "LM358DT", limit: 1, currency: "{currency}", country: "{country}") {{ results {{ part {{
                sellers {{ company {{ name }} offers {{ prices {{ quantity price currency convertedPrice convertedCurrency }} }} }}
            }} }} }} }}"#
        )
    };
    let answer = api.query(&token, &query("USD", "US")).await;
    let price = &answer["data"]["supSearchMpn"]["results"][0]["part"]["sellers"][0]["offers"][0]["prices"][0];
    assert_eq!(price["currency"], "EUR");
    assert_eq!(price["convertedCurrency"], "USD");
    assert!((price["convertedPrice"].as_f64().unwrap() - 0.80).abs() < 1e-9, "0.40 EUR at 0.5 EUR/USD: {price}");
    let unknown = api.query(&token, &query("XYZ", "US")).await;
    assert!(unknown["errors"][0]["message"].as_str().unwrap().contains("Unknown currency `XYZ`"));
    let country = api.query(&token, &query("USD", "XX")).await;
    assert!(country["errors"][0]["message"].as_str().unwrap().contains("Unknown country `XX`"));
}

/// Issue 14: the index sorted `median_price_1000` on raw prices of mixed currencies (0.40 EUR
/// before 0.50 USD), while the field of that name converts first (0.40 EUR is 0.80 USD).
#[tokio::test]
async fn the_median_price_sort_orders_parts_by_the_converted_price_the_field_shows() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    for direction in ["asc", "desc"] {
        let answer = api
            .query(
                &token,
                &format!(
                    r#"{{ supSearch(q: "dual op amp", sort: "median_price_1000", sortDir: {direction}, limit: 10) {{
                        results {{ part {{ mpn medianPrice1000 {{ convertedPrice convertedCurrency }} }} }} }} }}"#
                ),
            )
            .await;
        let results = answer["data"]["supSearch"]["results"].as_array().unwrap_or_else(|| panic!("{answer}"));
        let shown: Vec<(&str, f64)> = results
            .iter()
            .map(|r| {
                (r["part"]["mpn"].as_str().unwrap(), r["part"]["medianPrice1000"]["convertedPrice"].as_f64().unwrap())
            })
            .collect();
        let mut sorted = shown.clone();
        sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
        if direction == "desc" {
            sorted.reverse();
        }
        assert_eq!(shown, sorted, "sorted {direction} by the field's value");
        assert_eq!(shown.len(), 4);
    }
}

/// Issue 14: `requireAuthorizedSellers` dropped parts after the page was cut, so `hits` counted
/// parts the answer then left out. LCSC, the only seller of the resistors, is not authorized (the fixture's feed says so).
#[tokio::test]
async fn multi_match_counts_only_parts_of_authorized_sellers_when_they_are_required() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    let answer = api
        .query(
            &token,
            r#"{ supMultiMatch(options: {requireAuthorizedSellers: true}, queries: [
                {mpn: "RC0603FR-0710KL"},
                {sku: "C98220"},
                {mpnOrSku: "C98220"},
                {mpn: "LM358DR"}
            ]) { hits parts { mpn } } }"#,
        )
        .await;
    let matches = answer["data"]["supMultiMatch"].as_array().unwrap_or_else(|| panic!("{answer}"));
    for unauthorized in &matches[..3] {
        assert_eq!(unauthorized, &json!({ "hits": 0, "parts": [] }), "{answer}");
    }
    assert_eq!(matches[3], json!({ "hits": 1, "parts": [{ "mpn": "LM358DR" }] }));
}

/// A manufacturer's other spellings (the alias table's here) are its `aliases`, and a BOM line
/// may name it by any of them.
#[tokio::test]
async fn manufacturers_answer_their_aliases_and_lines_may_use_them() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    let answer = api
        .query(
            &token,
            r#"{ supManufacturers { name aliases }
                 supMultiMatch(queries: [{mpn: "LM358DR", manufacturer: "TI"}]) { hits parts { manufacturer { name aliases } } } }"#,
        )
        .await;
    let manufacturers = answer["data"]["supManufacturers"].as_array().unwrap_or_else(|| panic!("{answer}"));
    let ti = manufacturers.iter().find(|m| m["name"] == "Texas Instruments").expect("TI");
    let aliases: Vec<&str> = ti["aliases"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(aliases.contains(&"TI") && !aliases.contains(&"Texas Instruments"), "{aliases:?}");
    let matched = &answer["data"]["supMultiMatch"][0];
    assert_eq!(matched["hits"], 1, "{answer}");
    assert_eq!(matched["parts"][0]["manufacturer"]["aliases"], ti["aliases"]);
}

#[tokio::test]
async fn multi_match_answers_per_query_by_mpn_manufacturer_or_sku() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    let answer = api
        .query(
            &token,
            r#"{ supMultiMatch(queries: [
                {mpn: "LM358DR", manufacturer: "texas instruments", limit: 1, reference: "U1"},
                {sku: "C98220", reference: "R1"},
                {mpn: "LM358DR", manufacturer: "Nobody Inc", reference: "U2"},
                {reference: "X1"}
            ]) { reference hits parts { mpn manufacturer { name } } error } }"#,
        )
        .await;
    let matches = answer["data"]["supMultiMatch"].as_array().unwrap();
    assert_eq!(matches[0]["reference"], "U1");
    assert_eq!(matches[0]["parts"], json!([{ "mpn": "LM358DR", "manufacturer": { "name": "Texas Instruments" } }]));
    assert_eq!(matches[1]["parts"][0]["mpn"], "RC0603FR-0710KL");
    assert_eq!(matches[2]["hits"], 0);
    assert!(matches[3]["error"].as_str().unwrap().contains("mpn, sku or mpnOrSku"));
}

#[tokio::test]
async fn multi_match_takes_the_exact_mpn_manufacturer_words_and_the_named_sellers_sku() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    let answer = api
        .query(
            &token,
            r#"{ supMultiMatch(queries: [
                {mpn: "lm358-d", limit: 5},
                {mpn: "LM358D", manufacturer: "Texas", limit: 5},
                {mpn: "LM358DR", manufacturer: "Texas Instruments Inc.", limit: 5},
                {mpn: "LM358DR", manufacturer: "Texas Instrumentos", limit: 5},
                {sku: "C98220", seller: "LCSC"},
                {sku: "C98220", seller: "Mouser"},
                {mpnOrSku: "C98220"},
                {mpnOrSku: "rc0603fr-0710kl"}
            ]) { hits parts { mpn } } }"#,
        )
        .await;
    let matches = answer["data"]["supMultiMatch"].as_array().unwrap_or_else(|| panic!("{answer}"));
    let mpns = |i: usize| -> Vec<&str> {
        matches[i]["parts"].as_array().unwrap().iter().map(|p| p["mpn"].as_str().unwrap()).collect()
    };
    // A BOM line means its MPN, not the MPNs it is the start of (LM358DR, LM358DT...).
    assert_eq!((mpns(0), &matches[0]["hits"]), (vec!["LM358D"], &json!(1)));
    // A manufacturer by its words, either way round; a misspelt one matches nothing.
    assert_eq!(mpns(1), ["LM358D"]);
    assert_eq!(mpns(2), ["LM358DR"]);
    assert_eq!(matches[3]["hits"], 0);
    // A SKU of the seller named, and of no other.
    assert_eq!(mpns(4), ["RC0603FR-0710KL"]);
    assert_eq!(matches[5]["hits"], 0, "Mouser does not sell C98220");
    // `mpnOrSku`: the MPN, else the SKU.
    assert_eq!(mpns(6), ["RC0603FR-0710KL"]);
    assert_eq!(mpns(7), ["RC0603FR-0710KL"]);
}

#[tokio::test]
async fn admin_fields_show_only_the_callers_organization() {
    let api = api().await;
    let token = api.token(&api.supply, Some("supply.domain user.access")).await;
    let answer = api.query(&token, "{ admOrganizations { name applications { id name scopes { scope } supplyCounts { partCounter partLimit } } } }").await;
    let orgs = answer["data"]["admOrganizations"].as_array().unwrap();
    assert_eq!(orgs.len(), 1, "{answer}");
    let apps = orgs[0]["applications"].as_array().unwrap();
    let names: Vec<&str> = apps.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Evaluation", "bom tool", "cad"]);
    assert_eq!(apps[1]["supplyCounts"], json!({ "partCounter": 0, "partLimit": 100 }));
    assert!(apps[2]["supplyCounts"].is_null(), "a Design app has no supply counts");
    let mine = api.query(&token, &format!("{{ admApplicationById(id: \"{}\") {{ name }} }}", api.supply.app.id)).await;
    assert_eq!(mine["data"]["admApplicationById"]["name"], "bom tool");
    let theirs =
        api.query(&token, &format!("{{ admApplicationById(id: \"{}\") {{ name }} }}", api.other_org_app.app.id)).await;
    assert!(theirs["data"]["admApplicationById"].is_null(), "{theirs}");
    let no_scope = api.query(&api.token(&api.supply, None).await, "{ admOrganizations { name } }").await;
    assert!(no_scope["errors"][0]["message"].as_str().unwrap().contains("user.access"));
}

#[tokio::test]
async fn deep_or_malformed_queries_get_clear_errors() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    let deep = format!("{{ supCategories {{ {}id{} }} }}", "children { ".repeat(20), " }".repeat(20));
    let answer = api.query(&token, &deep).await;
    assert!(answer["errors"][0]["message"].as_str().unwrap().to_lowercase().contains("nested too deep"), "{answer}");
    let syntax = api.query(&token, "{ supSearch(q: ").await;
    assert!(syntax["errors"][0]["message"].is_string());
    let not_json = api.post("/graphql", Some(("token", &token)), json!("just a string")).await;
    assert_eq!(error_code(&not_json), "BadRequest");
    let unknown_field = api.query(&token, "{ supSearch { nonsense } }").await;
    assert!(unknown_field["errors"][0]["message"].as_str().unwrap().contains("nonsense"));
    let _ = api.clock.now();
}

#[tokio::test]
async fn returned_parts_are_charged_and_a_query_that_would_cross_the_limit_is_refused_whole() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    let search = |limit: u32| {
        format!("{{ supSearchMpn(q: \"LM358\", limit: {limit}) {{ hits results {{ part {{ mpn }} }} }} }}")
    };
    let free = api.query(&token, "{ supSearchMpn(q: \"LM358\", limit: 10) { hits } }").await;
    assert_eq!(free["extensions"]["partLimit"]["used"], 0, "hits alone are free: {free}");
    assert_eq!(free["extensions"]["partLimit"]["limit"], 100);

    let first = api.query(&token, &search(4)).await;
    assert_eq!(first["extensions"]["partLimit"]["used"], 4, "{first}");
    assert_eq!(first["extensions"]["partLimit"]["remaining"], 96);
    // Use up all but 2 parts, then ask for 4: refused whole, nothing charged.
    for _ in 0..23 {
        api.query(&token, &search(4)).await;
    }
    let to_98 = api.query(&token, &search(2)).await;
    assert_eq!(to_98["extensions"]["partLimit"]["used"], 98, "{to_98}");
    let refused = api.query(&token, &search(4)).await;
    assert!(refused["data"].is_null(), "{refused}");
    assert_eq!(refused["errors"][0]["message"], "You have exceeded your part limit of 100. Please upgrade your plan.");
    assert_eq!(refused["errors"][0]["extensions"]["code"], "PartLimitExceeded");
    assert_eq!(refused["errors"][0]["extensions"]["used"], 98);
    assert_eq!(refused["errors"][0]["extensions"]["requested"], 4);
    let fits = api.query(&token, &search(2)).await;
    assert_eq!(fits["extensions"]["partLimit"]["used"], 100, "{fits}");
    let period = ferrite_core::plan::Period::for_app(false, api.clock.now()).key();
    assert_eq!(api.identity.store().part_usage(api.supply.app.id, &period).await.unwrap(), 100);
}

#[tokio::test]
async fn concurrent_requests_never_overspend_and_every_served_part_is_counted() {
    let api = Arc::new(api().await);
    let token = api.token(&api.supply, None).await;
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (api, token) = (api.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut served = 0;
            loop {
                let answer =
                    api.query(&token, "{ supSearchMpn(q: \"LM358\", limit: 3) { results { part { id } } } }").await;
                match answer["data"]["supSearchMpn"]["results"].as_array() {
                    Some(parts) => served += parts.len() as i64,
                    None => {
                        assert_eq!(answer["errors"][0]["extensions"]["code"], "PartLimitExceeded", "{answer}");
                        return served;
                    }
                }
            }
        }));
    }
    let mut served = 0;
    for task in tasks {
        served += task.await.unwrap();
    }
    let period = ferrite_core::plan::Period::for_app(false, api.clock.now()).key();
    let counted = api.identity.store().part_usage(api.supply.app.id, &period).await.unwrap();
    assert!(served <= 100, "served {served} parts past the limit of 100");
    assert_eq!(counted, served, "the counter equals the parts served");
    assert_eq!(served, 99, "3-part answers fill the limit of 100 up to 99");
}

/// `depth` lists around one id: 1,600 of them are a 3 KB request.
fn nested_ids(depth: usize) -> String {
    format!("{}\"1\"{}", "[".repeat(depth), "]".repeat(depth))
}

/// The same nesting as an argument, a default value, a variable and a `Map`, as request bodies.
fn nested_bodies(depth: usize) -> Vec<(&'static str, String)> {
    let ids = nested_ids(depth);
    let quoted = ids.replace('"', "\\\"");
    let objects = format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth));
    let json_objects = format!("{}1{}", "{\"a\": ".repeat(depth), "}".repeat(depth));
    vec![
        ("argument", format!(r#"{{"query": "{{ supParts(ids: {quoted}) {{ id }} }}"}}"#)),
        ("default", format!(r#"{{"query": "query($ids: [String!]! = {quoted}) {{ supParts(ids: $ids) {{ id }} }}"}}"#)),
        (
            "variable",
            format!(
                r#"{{"query": "query($ids: [String!]!) {{ supParts(ids: $ids) {{ id }} }}", "variables": {{"ids": {ids}}}}}"#
            ),
        ),
        ("map", format!(r#"{{"query": "{{ supSearch(q: \"x\", filters: {{a: {objects}}}) {{ hits }} }}"}}"#)),
        (
            "map variable",
            format!(
                r#"{{"query": "query($f: Map) {{ supSearch(q: \"x\", filters: $f) {{ hits }} }}", "variables": {{"f": {json_objects}}}}}"#
            ),
        ),
        ("selections", format!(r#"{{"query": "{}"}}"#, "{ a ".repeat(depth) + &"}".repeat(depth))),
    ]
}

#[tokio::test]
async fn inputs_nested_past_the_bound_are_refused_before_anything_recurses() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    for depth in [1_600, 20_000, 129] {
        for (what, body) in nested_bodies(depth) {
            let (status, answer) = api.post_raw(&token, body).await;
            assert_eq!(status, 400, "{what} nested {depth} deep: {answer}");
            assert_eq!(error_code(&answer), "QueryTooDeep", "{what} nested {depth} deep: {answer}");
            let message = answer["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains("more than 64 deep"), "{message}");
            assert!(answer["data"].is_null());
        }
    }
    let answer = api.query(&token, "{ supSearchMpn(q: \"LM358DR\", limit: 1) { hits } }").await;
    assert!(answer["data"]["supSearchMpn"]["hits"].as_i64().unwrap() >= 1, "still serving: {answer}");
}

#[tokio::test]
async fn inputs_just_inside_the_bound_are_parsed_and_answered_without_crashing() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    // 60 levels of input inside the query's own three: parsed, validated, coerced, answered with
    // an ordinary error (the types do not fit), on a test thread's 2 MiB stack in a debug build.
    for (what, body) in nested_bodies(60).into_iter().filter(|(what, _)| *what != "selections") {
        let (status, answer) = api.post_raw(&token, body).await;
        assert!(status == 200 || status == 400, "{what}: {status} {answer}");
        assert_ne!(error_code(&answer), "QueryTooDeep", "{what}: {answer}");
        assert!(answer["errors"][0]["message"].is_string(), "{what}: {answer}");
    }
}

/// `n` aliases of `field`, as one query.
fn aliased(n: usize, field: &str) -> String {
    let fields: Vec<String> = (0..n).map(|i| format!("a{i}: {field}")).collect();
    format!("{{ {} }}", fields.join(" "))
}

#[tokio::test]
async fn every_search_aggregation_and_match_query_costs_and_a_request_over_budget_is_refused_before_it_runs() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    // 1,000 searches of `limit: 0` with facets: no part returned, so never charged, but a
    // minute of work. Refused whole, with the cost, before anything runs.
    let facets = "supSearch(q: \"amp\", limit: 0) { hits manufacturerAgg { count } categoryAgg { count } }";
    let refused = api.query(&token, &aliased(1_000, facets)).await;
    assert_eq!(error_code(&refused), "QueryTooComplex", "{refused}");
    assert!(refused["data"].is_null(), "{refused}");
    // 30 of them select few fields, but cost 30 × (100 + 2 × 400 + the fields).
    let refused = api.query(&token, &aliased(30, facets)).await;
    assert_eq!(error_code(&refused), "QueryTooComplex", "{refused}");
    let error = &refused["errors"][0]["extensions"];
    assert_eq!(error["maxCost"], 20_000);
    assert_eq!(error["cost"], 30 * (100 + 1 + 2 * (400 + 1)), "{error}");
    // Over budget with parts in it: nothing ran, so nothing is charged.
    let parts =
        api.query(&token, &aliased(250, "supSearchMpn(q: \"LM358\", limit: 1) { results { part { id } } }")).await;
    assert_eq!(error_code(&parts), "QueryTooComplex", "{parts}");
    let free = api.query(&token, "{ supSearchMpn(q: \"LM358\", limit: 0) { hits } }").await;
    assert_eq!(free["extensions"]["partLimit"]["used"], 0, "{free}");
    // Under budget: 100 plain searches, 20 with facets.
    let plain = api.query(&token, &aliased(100, "supSearch(q: \"amp\", limit: 0) { hits }")).await;
    assert!(plain["errors"].is_null(), "{plain}");
    assert_eq!(plain["data"]["a99"]["hits"], 4);
    let some_facets = api.query(&token, &aliased(20, facets)).await;
    assert!(some_facets["errors"].is_null(), "{some_facets}");
    // Selections nested too deep are refused with a code too.
    let deep = format!("{{ supCategories {{ {}id{} }} }}", "children { ".repeat(20), " }".repeat(20));
    assert_eq!(error_code(&api.query(&token, &deep).await), "QueryTooDeep");
}

#[tokio::test]
async fn a_multi_match_is_bounded_in_queries_and_each_query_costs_whatever_its_limit() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    let queries = |n: usize, limit: u32| -> String {
        let one: Vec<String> =
            (0..n).map(|i| format!("{{sku: \"C98220\", limit: {limit}, reference: \"r{i}\"}}")).collect();
        format!("supMultiMatch(queries: [{}]) {{ hits }}", one.join(", "))
    };
    let too_many = api.query(&token, &format!("{{ {} }}", queries(101, 0))).await;
    let message = too_many["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("at most 100 queries"), "{too_many}");
    assert_eq!(error_code(&too_many), "BadArgument");
    let full = api.query(&token, &format!("{{ {} }}", queries(100, 0))).await;
    assert!(full["errors"].is_null(), "{full}");
    assert_eq!(full["data"]["supMultiMatch"][99]["hits"], 1);
    // Aliases multiply the queries: ten calls of 100 `limit: 0` lookups are over budget.
    let aliases = api.query(&token, &aliased(10, &queries(100, 0))).await;
    assert_eq!(error_code(&aliases), "QueryTooComplex", "{aliases}");
    // KiCost's request: 20 queries of `limit: 5`, with sellers and prices, fits easily.
    let kicost: Vec<String> = (0..20).map(|i| format!("{{mpn: \"LM358DR\", limit: 5, reference: \"U{i}\"}}")).collect();
    let kicost = format!(
        "{{ supMultiMatch(queries: [{}]) {{ reference hits parts {{ mpn manufacturer {{ name }} sellers {{ company {{ name }} \
         offers {{ sku inventoryLevel moq packaging prices {{ quantity price currency }} }} }} }} }} }}",
        kicost.join(", ")
    );
    let answer = api.query(&token, &kicost).await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(answer["data"]["supMultiMatch"][19]["parts"][0]["mpn"], "LM358DR");
}

/// Parts the answer's `partLimit` says were charged.
fn charged(answer: &Value) -> i64 {
    answer["extensions"]["partLimit"]["charged"].as_i64().unwrap_or_else(|| panic!("no charge: {answer}"))
}

#[tokio::test]
async fn a_field_selected_twice_under_one_key_is_charged_for_what_the_answer_holds() {
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    let search = |fields: &str| format!("supSearchMpn(q: \"LM358\", limit: 3) {{ results {{ part {{ {fields} }} }} }}");
    // One response key three times (twice directly, once through an inline fragment): 3 parts.
    let merged = format!("{{ a: {} a: {} ... on Query {{ a: {} }} }}", search("id"), search("mpn"), search("id"));
    let answer = api.query(&token, &merged).await;
    let results = answer["data"]["a"]["results"].as_array().unwrap_or_else(|| panic!("{answer}"));
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r["part"]["id"].is_string() && r["part"]["mpn"].is_string()), "{answer}");
    assert_eq!(charged(&answer), 3, "{answer}");
    // Overlapping named fragments, and a match asked twice: charged once each.
    let fragments = format!(
        "{{ ...F ...G }} fragment F on Query {{ s: supParts(ids: [\"1\", \"2\"]) {{ id }} m: {} }} \
         fragment G on Query {{ s: supParts(ids: [\"1\", \"2\"]) {{ mpn }} m: {} }}",
        "supMultiMatch(queries: [{mpn: \"LM358DR\"}]) { parts { id } }",
        "supMultiMatch(queries: [{mpn: \"LM358DR\"}]) { parts { mpn } }",
    );
    let answer = api.query(&token, &fragments).await;
    assert_eq!(answer["data"]["s"].as_array().map(Vec::len), Some(2), "{answer}");
    assert_eq!(answer["data"]["m"][0]["parts"].as_array().map(Vec::len), Some(1), "{answer}");
    assert_eq!(charged(&answer), 3, "{answer}");
    // Different keys are different answers: each is charged.
    let answer = api.query(&token, &format!("{{ b: {} c: {} }}", search("id"), search("id"))).await;
    assert_eq!(charged(&answer), 6, "{answer}");
    let period = ferrite_core::plan::Period::for_app(false, api.clock.now()).key();
    assert_eq!(api.identity.store().part_usage(api.supply.app.id, &period).await.unwrap(), 12);
}

async fn nul_bytes_are_refused_with_a_clear_error(api: Api) {
    let token = api.token(&api.supply, None).await;
    let cases = [
        json!({ "query": "{ supSearch(q: \"LM\\u0000358\") { hits } }" }),
        json!({ "query": "{ supMultiMatch(queries: [{sku: \"C98\\u000020\"}]) { hits } }" }),
        json!({ "query": "query($q: String) { supSearchMpn(q: $q) { hits } }", "variables": { "q": "LM358\u{0}" } }),
        json!({
            "query": "query($qs: [SupPartMatchQuery!]!) { supMultiMatch(queries: $qs) { hits } }",
            "variables": { "qs": [{ "sku": "\u{0}" }] },
        }),
        json!({ "query": "{ supSearch(q: \"x\", filters: {case_package: [\"06\\u000003\"]}) { hits } }" }),
        json!({ "query": "{ admApplicationById(id: \"\\u0000\") { name } }" }),
    ];
    for body in cases {
        let (status, answer) = api.post_raw(&token, body.to_string()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(error_code(&answer), "BadArgument", "{body}: {answer}");
        let message = answer["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("NUL character"), "{message}");
    }
    let fine = api.query(&token, "{ supMultiMatch(queries: [{sku: \"C98220\"}]) { hits } }").await;
    assert_eq!(fine["data"]["supMultiMatch"][0]["hits"], 1, "{fine}");
}

#[tokio::test]
async fn nul_bytes_are_refused_with_a_clear_error_on_sqlite() {
    nul_bytes_are_refused_with_a_clear_error(api().await).await;
}

#[tokio::test]
async fn nul_bytes_are_refused_with_a_clear_error_on_postgres() {
    if let Some(api) = api_on_postgres().await {
        nul_bytes_are_refused_with_a_clear_error(api).await;
    }
}

#[tokio::test]
async fn many_selections_of_one_key_are_validated_quickly() {
    // Validation compares the selections of one response key pairwise; the field bound keeps
    // that small (20 ms and 80 ms here in a debug build).
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    for (query, code) in [
        (format!("{{ {} }}", vec!["a: supSearch(q: \"x\") { hits }"; 1_000].join(" ")), "QueryTooComplex"),
        (format!("{{ {} }}", vec!["supAttributes { name }"; 1_000].join(" ")), ""),
        (format!("{{ {} }}", vec!["supAttributes { name }"; 1_001].join(" ")), "QueryTooComplex"),
    ] {
        let started = std::time::Instant::now();
        let answer = api.query(&token, &query).await;
        assert_eq!(error_code(&answer), code, "{answer}");
        assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
    }
}

#[tokio::test]
async fn a_variable_of_an_unknown_type_is_refused_rather_than_panicking() {
    // Found by the graphql_request fuzz target: async-graphql's validation panicked on it.
    let api = api().await;
    let token = api.token(&api.supply, None).await;
    let answer = api.query(&token, r#"query($x: [[Striog]] = [["a"]]) { supParts(ids: ["2"]) { id } }"#).await;
    assert_eq!(error_code(&answer), "BadRequest", "{answer}");
    assert!(answer["errors"][0]["message"].as_str().unwrap().contains("Unknown type \"Striog\""), "{answer}");
}
