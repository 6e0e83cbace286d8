//! What the index answers beyond a page of parts, through the GraphQL edge: spec aggregations
//! (as nexar-examples-py reads and feeds them back), a result set's facets, sorting by any
//! attribute, suggestions (as web-supply-demo-blazor's search box asks) and spelling corrections.

mod harness;

use harness::Harness;
use serde_json::{Value, json};

/// Ceramic capacitors, one written `0.1µF` (the same value as `100nF`), and an op amp.
const CSV: &str = "\
mpn,manufacturer,category,seller,sku,stock,currency,price_breaks,spec:Capacitance,spec:Voltage,spec:Case/Package,spec:Dielectric
GRM188R71H104KA93D,Murata,Capacitors > Ceramic Capacitors,LCSC,C1,1000,USD,1:0.01,100nF,50V,0603,X7R
GRM155R71C104KA88D,Murata,Capacitors > Ceramic Capacitors,LCSC,C2,0,USD,1:0.01,0.1µF,16V,0402,X7R
GRM188R71E104KA01D,Murata,Capacitors > Ceramic Capacitors,LCSC,C3,10,USD,1:0.01,100nF,25V,0603,X7R
CL10A106KP8NNNC,Samsung,Capacitors > Ceramic Capacitors,LCSC,C4,500,USD,1:0.01,10µF,10V~16V,0603,X5R
LM358DR,Texas Instruments,Amplifiers,LCSC,C5,5,USD,1:0.1,,,SOIC-8,
";

async fn server(harness: Harness) -> (Harness, String) {
    harness.import_csv("parts", CSV).await;
    let ada = harness.person("ada@example.com").await;
    let acme = harness.org("Acme", ada.id).await;
    harness.plan(acme.id, "Standard").await;
    let app = harness.app(acme.id, "tool", "supply", &[], 1_000).await;
    let token = harness.app_token(&app, None).await;
    (harness, token)
}

async fn query(harness: &Harness, token: &str, query: &str, variables: Value) -> Value {
    let bearer = format!("Bearer {token}");
    let body = json!({ "query": query, "variables": variables });
    harness.post_json("/graphql", Some(("authorization", &bearer)), &body).await.json()
}

fn mpns(set: &Value) -> Vec<&str> {
    set["results"].as_array().unwrap().iter().map(|r| r["part"]["mpn"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn spec_aggregations_answer_as_nexar_examples_read_them_and_their_values_filter_back() {
    let (harness, token) = server(Harness::start().await).await;
    // nexar-examples-py, supply_filtering_and_sorting.py: no `q`, one attribute, buckets[0..].
    let choices =
        "query ($attributeNames: [String!]!) { supSearchMpn { specAggs(attributeNames: $attributeNames, size: 10) {
        buckets { displayValue floatValue count }
        attribute { shortname } min max siMin siMax displayMin displayMax valueType units unitsName unitsSymbol } } }";
    let answer = query(&harness, &token, choices, json!({ "attributeNames": ["capacitance"] })).await;
    let agg = &answer["data"]["supSearchMpn"]["specAggs"][0];
    assert_eq!(
        agg["buckets"],
        json!([
            { "displayValue": "100 nF", "floatValue": 1e-7, "count": 3 },
            { "displayValue": "10 µF", "floatValue": 1e-5, "count": 1 },
        ]),
        "{answer}"
    );
    assert_eq!(agg["attribute"]["shortname"], "capacitance");
    assert_eq!((agg["min"].as_f64(), agg["max"].as_f64()), (Some(1e-7), Some(1e-5)));
    assert_eq!((agg["displayMin"].as_str(), agg["displayMax"].as_str()), (Some("100 nF"), Some("10 µF")));
    assert_eq!(
        (agg["valueType"].as_str(), agg["unitsSymbol"].as_str(), agg["unitsName"].as_str()),
        (Some("float"), Some("F"), Some("farads"))
    );

    // The client sends the chosen floatValue back as a filter, a scalar through a Map variable.
    let filtered = "query ($filters: Map) { supSearchMpn(filters: $filters, limit: 10) { hits } }";
    let answer = query(&harness, &token, filtered, json!({ "filters": { "capacitance": 1e-7 } })).await;
    assert_eq!(answer["data"]["supSearchMpn"]["hits"], 3, "{answer}");
    let answer = query(&harness, &token, filtered, json!({ "filters": { "dielectric": "X7R" } })).await;
    assert_eq!(answer["data"]["supSearchMpn"]["hits"], 3, "a text bucket's displayValue filters too: {answer}");

    // One entry per name asked, even for an attribute the catalogue lacks (the file's default).
    let answer = query(&harness, &token, choices, json!({ "attributeNames": ["life_hours_", "dielectric"] })).await;
    let aggs = &answer["data"]["supSearchMpn"]["specAggs"];
    assert_eq!(aggs[0]["buckets"], json!([]), "{answer}");
    assert_eq!(aggs[1]["valueType"], "text");
    assert_eq!(aggs[1]["buckets"][0], json!({ "displayValue": "X7R", "floatValue": null, "count": 3 }));
    assert_eq!(aggs[1]["min"], Value::Null);

    let bad = query(
        &harness,
        &token,
        "{ supSearch { specAggs(attributeNames: [\"voltage\"], size: 1000) { max } } }",
        json!({}),
    )
    .await;
    assert!(bad["errors"][0]["message"].as_str().unwrap().contains("size must be between 0 and 100"), "{bad}");
    let all = query(
        &harness,
        &token,
        "{ supSearch(q: \"murata\") { specAggs(attributeNames: [], attributeSelection: ALL, size: 1) { attribute { shortname } } } }",
        json!({}),
    )
    .await;
    assert_eq!(all["data"]["supSearch"]["specAggs"].as_array().map(Vec::len), Some(4), "{all}");
}

#[tokio::test]
async fn a_result_sets_facets_count_every_match() {
    let (harness, token) = server(Harness::start().await).await;
    let facets = "{ supSearch(q: \"murata\", limit: 1) { hits
        allFilters { shortname } suggestedFilters { shortname }
        specsViewAttributeGroups { name attributes { shortname } }
        inStockAgg { isInStock count } suggestedCategories { category { name } count }
        cadAgg { cadState count } cadLevelAgg { level count } appliedCategory { name } } }";
    let answer = query(&harness, &token, facets, json!({})).await;
    let set = &answer["data"]["supSearch"];
    assert_eq!(set["hits"], 3, "{answer}");
    let shortnames = json!([
        { "shortname": "capacitance" },
        { "shortname": "case_package" },
        { "shortname": "dielectric" },
        { "shortname": "voltage" }
    ]);
    assert_eq!(set["allFilters"], shortnames);
    assert_eq!(set["suggestedFilters"], shortnames);
    // In Octopart's groups, in the order their attributes first come.
    let technical = json!([{ "shortname": "capacitance" }, { "shortname": "dielectric" }, { "shortname": "voltage" }]);
    assert_eq!(
        set["specsViewAttributeGroups"],
        json!([{ "name": "Technical", "attributes": technical }, { "name": "Physical", "attributes": [{ "shortname": "case_package" }] }])
    );
    assert_eq!(set["inStockAgg"], json!([{ "isInStock": true, "count": 2 }, { "isInStock": false, "count": 1 }]));
    assert_eq!(set["suggestedCategories"], json!([{ "category": { "name": "Ceramic Capacitors" }, "count": 3 }]));
    assert_eq!((&set["cadAgg"], &set["cadLevelAgg"]), (&json!([]), &json!([])), "Ferrite has no CAD");
    assert_eq!(set["appliedCategory"], Value::Null);

    let id = &set["suggestedCategories"];
    let id = query(&harness, &token, "{ supCategories { id name } }", json!({})).await["data"]["supCategories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Ceramic Capacitors")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("{id}"));
    let applied = query(
        &harness,
        &token,
        "query ($filters: Map) { supSearch(filters: $filters) { hits appliedCategory { name } } }",
        json!({ "filters": { "category_id": [id] } }),
    )
    .await;
    assert_eq!(applied["data"]["supSearch"], json!({ "hits": 4, "appliedCategory": { "name": "Ceramic Capacitors" } }));
}

#[tokio::test]
async fn results_sort_by_any_attribute_and_an_unknown_sort_is_named() {
    let (harness, token) = server(Harness::start().await).await;
    let sorted = |dir: &str| {
        format!("{{ supSearch(sort: \"voltage\", sortDir: {dir}, limit: 10) {{ results {{ part {{ mpn }} }} }} }}")
    };
    let asc = query(&harness, &token, &sorted("asc"), json!({})).await;
    assert_eq!(
        mpns(&asc["data"]["supSearch"]),
        ["GRM155R71C104KA88D", "GRM188R71E104KA01D", "GRM188R71H104KA93D", "CL10A106KP8NNNC", "LM358DR"],
        "16, 25, 50 V, then the text-only `10V~16V`, then the part without a voltage: {asc}"
    );
    let desc = query(&harness, &token, &sorted("desc"), json!({})).await;
    assert_eq!(
        mpns(&desc["data"]["supSearch"]),
        ["GRM188R71H104KA93D", "GRM188R71E104KA01D", "GRM155R71C104KA88D", "CL10A106KP8NNNC", "LM358DR"]
    );
    let bad = query(&harness, &token, "{ supSearch(sort: \"color\") { hits } }", json!({})).await;
    let message = bad["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("unknown sort `color`") && message.contains("shortname"), "{message}");
}

#[tokio::test]
async fn suggestions_and_spelling_corrections_come_from_the_catalogue() {
    let (harness, token) = server(Harness::start().await).await;
    // web-supply-demo-blazor, Suggest.graphql, on a keystroke.
    let suggest = "query ($q: String!) { supSuggest(q: $q) { text inCategoryName inCategoryId } }";
    let answer = query(&harness, &token, suggest, json!({ "q": "LM35" })).await;
    assert_eq!(answer["data"]["supSuggest"], json!([{ "text": "LM358DR", "inCategoryName": "", "inCategoryId": "" }]));
    let answer = query(&harness, &token, suggest, json!({ "q": "ceram" })).await;
    assert_eq!(answer["data"]["supSuggest"][0]["inCategoryName"], "Ceramic Capacitors", "{answer}");
    let answer = query(&harness, &token, "{ supSuggest(q: \"mura\") { text } }", json!({})).await;
    assert_eq!(answer["data"]["supSuggest"], json!([{ "text": "Murata" }]));
    let bad = query(&harness, &token, "{ supSuggest(q: \"GRM\", categoryId: \"nope\") { text } }", json!({})).await;
    assert!(bad["errors"][0]["message"].as_str().unwrap().contains("categoryId `nope`"), "{bad}");

    let correct = "{ supSpellingCorrection(q: \"ceramic capacitros\") { correctionString hits } }";
    let answer = query(&harness, &token, correct, json!({})).await;
    assert_eq!(
        answer["data"]["supSpellingCorrection"],
        json!([{ "correctionString": "ceramic capacitors", "hits": 4 }]),
        "{answer}"
    );
    let known = query(&harness, &token, "{ supSpellingCorrection(q: \"murata\") { hits } }", json!({})).await;
    assert_eq!(known["data"]["supSpellingCorrection"], json!([]));
}

#[tokio::test]
async fn facets_cost_as_aggregations_and_only_when_asked() {
    let (harness, token) = server(Harness::start().await).await;
    let aliased = |n: usize, field: &str| {
        format!("{{ {} }}", (0..n).map(|i| format!("a{i}: {field}")).collect::<Vec<_>>().join(" "))
    };
    let aggs = "supSearch(limit: 0) { specAggs(attributeNames: [\"voltage\"]) { buckets { count } } }";
    let refused = query(&harness, &token, &aliased(40, aggs), json!({})).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "QueryTooComplex", "{refused}");
    // 40 × (a search, 100, + specAggs, 400, + buckets and count).
    assert_eq!(refused["errors"][0]["extensions"]["cost"], 40 * (100 + 400 + 2));
    let facets = "supSearch(limit: 0) { allFilters { id } inStockAgg { count } }";
    let refused = query(&harness, &token, &aliased(23, facets), json!({})).await;
    assert_eq!(refused["errors"][0]["extensions"]["cost"], 23 * (100 + 2 * (400 + 1)), "{refused}");
    // Without them, a search costs what it did.
    let plain = query(&harness, &token, &aliased(198, "supSearchMpn(q: \"GRM\", limit: 0) { hits }"), json!({})).await;
    assert!(plain["errors"].is_null(), "{plain}");
    let refused =
        query(&harness, &token, &aliased(199, "supSearchMpn(q: \"GRM\", limit: 0) { hits }"), json!({})).await;
    assert_eq!(refused["errors"][0]["extensions"]["cost"], 199 * 101);
}

#[tokio::test]
async fn facets_answer_the_same_on_postgres() {
    let Some(harness) = Harness::setup().start_on_postgres().await else { return };
    let (harness, token) = server(harness).await;
    let answer = query(
        &harness,
        &token,
        "{ supSearch(q: \"murata\") { inStockAgg { isInStock count } specAggs(attributeNames: [\"capacitance\"]) { buckets { count } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        answer["data"]["supSearch"],
        json!({ "inStockAgg": [{ "isInStock": true, "count": 2 }, { "isInStock": false, "count": 1 }],
                "specAggs": [{ "buckets": [{ "count": 3 }] }] }),
        "{answer}"
    );
}

/// Specs as Part-DB's Octopart provider reads them: `valueType` `float`/`integer`/`text`, a float's
/// `siValue` in `unitsSymbol`, `value` in the `units` shown; and `supAttributes` saying the same.
#[tokio::test]
async fn specs_answer_value_types_and_units_as_octopart_does() {
    let (harness, token) = server(Harness::start().await).await;
    let specs = "{ supSearchMpn(q: \"CL10A106KP8NNNC\") { results { part { specs {
        attribute { shortname name group valueType unitsName unitsSymbol }
        value siValue valueType units unitsName unitsSymbol displayValue } } } }
        supAttributes { shortname group valueType unitsName unitsSymbol } }";
    let answer = query(&harness, &token, specs, json!({})).await;
    let specs = &answer["data"]["supSearchMpn"]["results"][0]["part"]["specs"];
    let by = |shortname: &str| {
        specs.as_array().unwrap().iter().find(|s| s["attribute"]["shortname"] == shortname).cloned().unwrap()
    };
    let capacitance = by("capacitance");
    assert_eq!(
        capacitance,
        json!({
            "attribute": { "shortname": "capacitance", "name": "Capacitance", "group": "Technical",
                "valueType": "float", "unitsName": "farads", "unitsSymbol": "F" },
            "value": "10", "siValue": "0.00001", "valueType": "float", "units": "µF", "unitsName": "farads",
            "unitsSymbol": "F", "displayValue": "10 µF"
        }),
        "{answer}"
    );
    let package = by("case_package");
    assert_eq!(
        (&package["value"], &package["siValue"], &package["valueType"], &package["units"]),
        (&json!("0603"), &json!("0603"), &json!("text"), &json!("")),
        "a text attribute stays text even when it reads as a number"
    );
    // A range of a float attribute is not one number: text, as Octopart types it.
    let voltage = by("voltage");
    assert_eq!((&voltage["valueType"], &voltage["value"]), (&json!("text"), &json!("10V~16V")));
    assert_eq!(voltage["attribute"]["valueType"], "float");
    let attributes = answer["data"]["supAttributes"].as_array().unwrap();
    let listed = attributes.iter().find(|a| a["shortname"] == "capacitance").unwrap();
    assert_eq!(
        (&listed["group"], &listed["valueType"], &listed["unitsName"], &listed["unitsSymbol"]),
        (&json!("Technical"), &json!("float"), &json!("farads"), &json!("F"))
    );
}
