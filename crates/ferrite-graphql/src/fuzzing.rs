//! The entry points of the `graphql_request` and `graphql_variables` fuzz targets in `fuzz/` (and
//! of the property tests below, which run them on random input in every test run): arbitrary
//! bytes as a whole GraphQL request body, and as the variables of fixed `supSearch` and
//! `supMultiMatch` queries, read as the HTTP edge reads them (bounded, then parsed:
//! [`crate::http::prepare`]) and executed against the real schema over a small catalogue. They
//! must never panic or overflow the stack, and every answer must serialize.

use std::sync::{Arc, OnceLock};

use async_graphql::Request;
use chrono::Utc;
use ferrite_core::{SystemClock, money::ExchangeRates};
use ferrite_identity::{AccessClaims, Identity, TokenConfig};
use ferrite_store::{ConnectOptions, Store};
use ferrite_supply::{
    catalogue::{Catalogue, CatalogueOptions},
    connectors::live::Connectors,
    feeds::Adapter,
    import::{Mode, import},
};

use crate::{ApiSchema, Caller, PartCounter, Services};

/// A few parts, so resolvers below the root fields (specs, sellers, prices) run too.
const CATALOGUE: &str = "\
mpn,manufacturer,description,category,seller,sku,stock,moq,currency,price_breaks,spec:Resistance,spec:Case/Package
RC0603FR-0710KL,Yageo,RES 10K 1% 0603,Resistors > Chip Resistor,LCSC,C98220,1000000,100,USD,100:0.001;1000:0.0008,10 kΩ,0603
RC0603FR-0710KL,Yageo,,,Mouser,603-RC0603FR-0710KL,0,1,EUR,1:0.1;10:0.05,,
LM358DR,Texas Instruments,Dual op amp,Amplifiers,Digi-Key,296-1014-1-ND,5000,1,USD,1:0.45;1000:0.12,,SOIC-8
";

/// The supply search, every argument a variable.
const SEARCH: &str = r#"query Search($q: String, $country: String! = "US", $currency: String! = "USD", $start: Int,
  $limit: Int, $sort: String, $sortDir: SupSortDirection, $inStockOnly: Boolean, $filters: Map, $size: Int! = 10,
  $priceBreaks: [Int!], $authorizedOnly: Boolean! = false, $sellerLimit: Int, $sellerStart: Int) {
  supSearch(q: $q, country: $country, currency: $currency, start: $start, limit: $limit, sort: $sort,
            sortDir: $sortDir, inStockOnly: $inStockOnly, filters: $filters) {
    hits
    results { description part { mpn specs { displayValue siValue } medianPrice1000 { convertedPrice }
      sellers(authorizedOnly: $authorizedOnly, limit: $sellerLimit, start: $sellerStart) {
        company { name } offers(priceBreaks: $priceBreaks) { sku prices { quantity price convertedPrice } } } } }
    manufacturerAgg(size: $size) { count company { name } }
    categoryAgg(size: $size) { count category { path } }
    appliedFilters { shortname values displayValues }
  }
}"#;

/// A BOM match, as KiCost sends it.
const MULTI_MATCH: &str = r#"query Match($queries: [SupPartMatchQuery!]!, $options: SupPartMatchOptions,
  $country: String! = "US", $currency: String! = "USD") {
  supMultiMatch(queries: $queries, options: $options, country: $country, currency: $currency) {
    hits reference error parts { mpn manufacturer { name } sellers { offers { sku inventoryLevel prices { price } } } }
  }
}"#;

struct Harness {
    runtime: tokio::runtime::Runtime,
    schema: ApiSchema,
    caller: Caller,
}

const DIR_PREFIX: &str = "ferrite-graphql-fuzz-";

/// The harness lives as long as its process and cannot remove its directory on exit, so each
/// start removes those of processes that are gone (where `/proc` tells).
fn remove_stale_directories() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(DIR_PREFIX)) else { continue };
        let proc = std::path::Path::new("/proc");
        if proc.is_dir() && !proc.join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The schema over a catalogue in a temporary directory, built once per process.
fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("a runtime");
        remove_stale_directories();
        let dir = std::env::temp_dir().join(format!("{DIR_PREFIX}{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let schema = runtime.block_on(async {
            let url = format!("sqlite://{}", dir.join("ferrite.db").display());
            let store = Store::connect(&url, &ConnectOptions::default()).await.expect("the store opens");
            store.migrate().await.expect("the store migrates");
            let csv = dir.join("catalogue.csv");
            std::fs::write(&csv, CATALOGUE).expect("the catalogue is written");
            let source = csv.to_str().expect("a UTF-8 path");
            import(&store, "fuzz", Adapter::Csv, source, Mode::Snapshot, Utc::now(), &mut ())
                .await
                .expect("it imports");
            let rates = ExchangeRates([("USD".to_owned(), 1.0), ("EUR".to_owned(), 0.9)].into_iter().collect());
            let catalogue = Catalogue::open_with(store.clone(), &dir, CatalogueOptions::with_rates(rates))
                .await
                .expect("the catalogue opens");
            let identity = Identity::start(store, Arc::new(SystemClock), TokenConfig::default(), "http://fuzz.test")
                .await
                .expect("identity starts");
            let (accounts, _) = ferrite_identity::services(&identity, Default::default());
            let connectors = Connectors::none(catalogue.store().clone(), catalogue.clone());
            let public_url = "http://fuzz.test".into();
            crate::schema(Arc::new(Services { identity, accounts, catalogue, connectors, public_url }))
        });
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            iss: "http://fuzz.test".into(),
            sub: "fuzz".into(),
            aud: "http://fuzz.test/graphql".into(),
            exp: now + 3600,
            iat: now,
            jti: "fuzz".into(),
            client_id: "fuzz".into(),
            scope: "supply.domain user.access".into(),
            auth_time: None,
            grant_id: None,
        };
        Harness { runtime, schema, caller: Caller { claims } }
    })
}

/// Runs one request as the HTTP edge does (with a caller and a part counter) and checks that
/// the answer serializes, as the edge sends it.
fn execute(harness: &Harness, request: Request) {
    let request = request.data(harness.caller.clone()).data(Arc::new(PartCounter::default()));
    let response = harness.runtime.block_on(harness.schema.execute(request));
    serde_json::to_vec(&response).expect("every answer serializes");
    for error in &response.errors {
        assert!(!error.message.is_empty(), "an error without a message");
    }
}

/// `data` as a request body (`{"query", "variables", "operationName"}`), read as the edge reads
/// it and executed when the edge would. Never panics.
pub fn request(data: &[u8]) {
    if let Ok(request) = crate::http::prepare(data) {
        execute(harness(), request);
    }
}

/// `data` as a request body, then as the variables of the fixed search and match queries (text
/// that is not JSON as a string). Never panics.
pub fn variables(data: &[u8]) {
    request(data);
    let json = match serde_json::from_slice::<serde_json::Value>(data) {
        Ok(object @ serde_json::Value::Object(_)) => object,
        // Variables are an object; anything else runs the queries on their defaults.
        _ => serde_json::json!({}),
    };
    for query in [SEARCH, MULTI_MATCH] {
        request(serde_json::json!({ "query": query, "variables": json }).to_string().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::variables;

    /// Names the queries use, so random objects reach the resolvers rather than stopping at
    /// "unknown variable".
    const KEYS: &[&str] = &[
        "q",
        "country",
        "currency",
        "start",
        "limit",
        "sort",
        "sortDir",
        "inStockOnly",
        "filters",
        "size",
        "priceBreaks",
        "authorizedOnly",
        "sellerLimit",
        "sellerStart",
        "queries",
        "options",
        "mpn",
        "sku",
        "mpnOrSku",
        "manufacturer",
        "seller",
        "reference",
        "requireAuthorizedSellers",
        "requireStockAvailable",
        "resistance",
        "manufacturer_id",
        "distributor_id",
        "category_id",
        "case_package",
        "query",
        "variables",
        "operationName",
    ];

    const TEXTS: &[&str] = &[
        "",
        "US",
        "USD",
        "EUR",
        "XX",
        "mpn",
        "avg_price",
        "asc",
        "desc",
        "RC0603FR-0710KL",
        "rc0603",
        "LM358",
        "C98220",
        "Yageo",
        "LCSC",
        "(1__)",
        "(__8)",
        "(8__16)",
        "(a__b)",
        "10 kΩ",
        "0603",
        "{ supAttributes { name } }",
        "query { supMultiMatch(queries: [{mpn: \"LM358DR\"}]) { hits } }",
        "\u{0}",
        "🦀",
    ];

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(i64::from(i32::MAX) + 1), -3i64..1200, any::<i64>()]
                .prop_map(Value::from),
            any::<f64>().prop_map(|f| json!(f)),
            prop::sample::select(TEXTS).prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|entries| {
                    Value::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                }),
            ]
        })
    }

    /// Mostly well-typed values, sometimes anything.
    fn int() -> impl Strategy<Value = Value> {
        prop_oneof![4 => (-2i64..1102).prop_map(Value::from), 1 => json_value()]
    }

    fn text() -> impl Strategy<Value = Value> {
        prop_oneof![4 => prop::sample::select(TEXTS).prop_map(Value::from), 1 => json_value()]
    }

    fn flag() -> impl Strategy<Value = Value> {
        prop_oneof![4 => any::<bool>().prop_map(Value::from), 1 => json_value()]
    }

    /// An object with some of `fields`.
    fn object(fields: Vec<(&'static str, BoxedStrategy<Value>)>) -> impl Strategy<Value = Value> {
        let entries: Vec<_> = fields.into_iter().map(|(k, v)| prop::option::of(v).prop_map(move |v| (k, v))).collect();
        entries.prop_map(|entries| {
            Value::Object(entries.into_iter().filter_map(|(k, v)| Some((k.to_owned(), v?))).collect())
        })
    }

    fn filters() -> BoxedStrategy<Value> {
        let values =
            prop_oneof![text().prop_map(|v| json!([v])), prop::collection::vec(text(), 0..3).prop_map(Value::Array)];
        prop_oneof![
            4 => prop::collection::btree_map(prop::sample::select(KEYS), values, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            1 => json_value(),
        ]
        .boxed()
    }

    fn search_variables() -> impl Strategy<Value = Value> {
        object(vec![
            ("q", text().boxed()),
            ("country", text().boxed()),
            ("currency", text().boxed()),
            ("start", int().boxed()),
            ("limit", int().boxed()),
            ("sort", text().boxed()),
            ("sortDir", text().boxed()),
            ("inStockOnly", flag().boxed()),
            ("filters", filters()),
            ("size", int().boxed()),
            ("priceBreaks", prop::collection::vec(int(), 0..4).prop_map(Value::Array).boxed()),
            ("authorizedOnly", flag().boxed()),
            ("sellerLimit", int().boxed()),
            ("sellerStart", int().boxed()),
        ])
    }

    fn match_variables() -> impl Strategy<Value = Value> {
        let query = object(vec![
            ("mpn", text().boxed()),
            ("sku", text().boxed()),
            ("mpnOrSku", text().boxed()),
            ("manufacturer", text().boxed()),
            ("seller", text().boxed()),
            ("start", int().boxed()),
            ("limit", int().boxed()),
            ("reference", text().boxed()),
        ]);
        let options = object(vec![
            ("requireAuthorizedSellers", flag().boxed()),
            ("requireStockAvailable", flag().boxed()),
            ("filters", filters()),
        ]);
        object(vec![
            ("queries", prop::collection::vec(query, 0..25).prop_map(Value::Array).boxed()),
            ("options", options.boxed()),
            ("country", text().boxed()),
            ("currency", text().boxed()),
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..256)) {
            variables(&data);
        }

        #[test]
        fn json_shaped_like_the_queries_never_panics(
            value in prop_oneof![json_value(), search_variables(), match_variables()]
        ) {
            variables(value.to_string().as_bytes());
        }

        #[test]
        fn request_bodies_never_panic(
            variables_value in prop_oneof![search_variables(), match_variables(), json_value()],
            query in prop::sample::select(&[super::SEARCH, super::MULTI_MATCH, "{ supAttributes { name } }", "{", ""][..]),
        ) {
            let body = json!({ "query": query, "variables": variables_value });
            variables(body.to_string().as_bytes());
        }
    }

    /// `depth` levels of `open` … `close` around a value, for the nesting properties.
    fn nest(depth: usize, open: &str, close: &str) -> String {
        format!("{}1{}", open.repeat(depth), close.repeat(depth))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Lists, objects and selections nested to any depth, in the query text and in the
        /// variables: refused past the bound, answered within it, and the stack never overflows.
        #[test]
        fn nesting_of_any_depth_is_refused_or_answered(depth in prop_oneof![0usize..80, 0usize..5_000], place in 0usize..5) {
            let body = match place {
                0 => json!({ "query": format!("{{ supParts(ids: {}) {{ id }} }}", nest(depth, "[", "]")) }).to_string(),
                1 => json!({ "query": format!("{{ supSearch(filters: {}) {{ hits }} }}", nest(depth, "{a: ", "}")) }).to_string(),
                2 => json!({ "query": format!("{{ supCategories {} }}", nest(depth, "{ children ", "}")).replace('1', "{ id }") }).to_string(),
                3 => format!(r#"{{"query": "query($f: Map) {{ supSearch(filters: $f) {{ hits }} }}", "variables": {{"f": {}}}}}"#,
                    nest(depth, "{\"a\": [", "]}")),
                _ => format!(r#"{{"query": "query($ids: [String!]!) {{ supParts(ids: $ids) {{ id }} }}", "variables": {{"ids": {}}}}}"#,
                    nest(depth, "[", "]")),
            };
            let prepared = crate::http::prepare(body.as_bytes());
            if depth > crate::bounds::MAX_NESTING {
                prop_assert_eq!(prepared.map(|_| ()).map_err(|refusal| refusal.code), Err("QueryTooDeep"));
            }
            super::request(body.as_bytes());
        }
    }

    #[test]
    fn the_fixed_queries_are_valid_and_reach_the_catalogue() {
        let harness = super::harness();
        let run = |query: &str, variables: Value| {
            let request = async_graphql::Request::new(query).variables(async_graphql::Variables::from_json(variables));
            let request = request.data(harness.caller.clone()).data(std::sync::Arc::new(crate::PartCounter::default()));
            harness.runtime.block_on(harness.schema.execute(request))
        };
        let search = run(super::SEARCH, json!({ "q": "RC0603FR-0710KL", "filters": { "case_package": ["0603"] } }));
        assert!(search.errors.is_empty(), "{:?}", search.errors);
        let data = search.data.into_json().unwrap();
        assert_eq!(data["supSearch"]["hits"], 1, "{data}");
        let matched = run(super::MULTI_MATCH, json!({ "queries": [{ "mpn": "lm358-dr" }, { "sku": "C98220" }] }));
        assert!(matched.errors.is_empty(), "{:?}", matched.errors);
        let data = matched.data.into_json().unwrap();
        assert_eq!(data["supMultiMatch"][0]["parts"][0]["mpn"], "LM358DR", "{data}");
        assert_eq!(data["supMultiMatch"][1]["parts"][0]["mpn"], "RC0603FR-0710KL", "{data}");
    }
}
