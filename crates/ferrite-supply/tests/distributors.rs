//! The distributor API adapters (`tme`, `element14`, `mouser`) on small answers the tests write,
//! in the shapes KiCost records, and on the real recordings in `../shared/data` when they are there.

use std::path::Path;

mod support;
use support::{Collect, shared_data};

use ferrite_supply::feeds::vocabulary::{self, ValueType};
use ferrite_supply::feeds::{Adapter, FeedError};
use ferrite_supply::model::{FeedOffer, FeedPart, Location};
use serde_json::{Value, json};

fn source_error(result: Result<(), FeedError>) -> (Location, String) {
    match result {
        Err(FeedError::Source { at, reason }) => (at, reason),
        other => panic!("expected a source error, got {other:?}"),
    }
}

fn write(dir: &Path, name: &str, document: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, document.to_string()).unwrap();
    path.to_str().unwrap().to_owned()
}

fn read(adapter: Adapter, path: &str) -> Collect {
    let mut sink = Collect::default();
    adapter.read(path, &mut sink).unwrap();
    sink
}

fn spec<'a>(part: &'a FeedPart, shortname: &str) -> &'a str {
    part.specs
        .iter()
        .find(|s| s.shortname == shortname)
        .map(|s| s.display_value.as_str())
        .unwrap_or_else(|| panic!("{} has no {shortname}: {:?}", part.mpn, part.specs))
}

fn prices(offer: &FeedOffer) -> Vec<(i64, f64, &str)> {
    offer.prices.iter().map(|b| (b.quantity, b.price, b.currency.as_str())).collect()
}

/// The skips as `record: reason`.
fn skips(sink: &Collect) -> Vec<String> {
    sink.skips.iter().map(|(at, reason)| format!("{}: {reason}", at.line)).collect()
}

/// A resistor, a capacitor and an IC carry Octopart's names, groups and units, where the source
/// has them.
fn octopart_specs(parts: &[FeedPart], expected: &[(&str, &str)]) {
    for (mpn, shortname) in expected {
        let part = parts.iter().find(|p| p.mpn == *mpn).unwrap_or_else(|| panic!("no {mpn}"));
        let spec =
            part.specs.iter().find(|s| s.shortname == *shortname).unwrap_or_else(|| panic!("{mpn}: no {shortname}"));
        let octopart = vocabulary::octopart(shortname).unwrap();
        assert_eq!(spec.attribute, octopart.name, "{mpn}");
        assert_eq!(spec.group.as_deref(), Some(octopart.group.as_str()), "{mpn} {shortname}");
        let units = (!octopart.units_symbol.is_empty()).then_some(octopart.units_symbol.as_str());
        assert_eq!(spec.units.as_deref(), units, "{mpn} {shortname}");
        if octopart.value_type == ValueType::Float {
            assert!(
                ferrite_core::units::si_value(&spec.display_value).is_some(),
                "{mpn} {shortname}: {}",
                spec.display_value
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// TME

fn tme_v1(symbol: &str, mpn: &str, producer: &str, parameters: &[(&str, &str)]) -> Value {
    let parameters: Vec<Value> =
        parameters.iter().map(|(n, v)| json!({"ParameterId": 1, "ParameterName": n, "ParameterValue": v})).collect();
    json!({
        "Symbol": symbol, "CustomerSymbol": "", "OriginalSymbol": mpn, "Producer": producer,
        "Description": "Resistor: thick film; 10kΩ; 0603", "CategoryId": "100300", "Category": "0603 SMD resistors",
        "Photo": "//ce8dc832c.cloudimg.io/v7/r.jpg", "Weight": 0.018, "WeightUnit": "g", "SuppliedAmount": 0,
        "MinAmount": 100, "Multiples": 100, "Packing": [{"Id": "RL1", "IdUnit": "ST", "Amount": 5000}],
        "ProductStatusList": [], "Unit": "pcs",
        "ProductInformationPage": format!("//www.tme.eu/en/details/{}/0603-smd-resistors/yageo/", symbol.to_lowercase()),
        "Guarantee": null, "OfferId": null,
        "PriceList": [{"Amount": 100, "PriceValue": 0.01, "PriceBase": 0, "Special": false},
                      {"Amount": 5000, "PriceValue": 0.002, "PriceBase": 0, "Special": false}],
        "VatRate": 0, "VatType": "VAT", "Amount": 50000, "ParameterList": parameters,
        "Files": {"DocumentList": [{"DocumentUrl": "//www.tme.eu/Document/x/rc0603.pdf", "DocumentType": "DTE", "Filesize": "1", "Language": "EN"}]}
    })
}

fn tme_v2(symbol: &str, mpns: &[&str], manufacturer: &str, status: &[&str], parameters: &[(&str, &str)]) -> Value {
    let parameters: Vec<Value> = parameters
        .iter()
        .map(|(n, v)| json!({"id": 1, "name": n, "values": if v.is_empty() { json!([]) } else { json!([{"id": 2, "value": v}]) }}))
        .collect();
    json!({
        "product_status": status, "symbol": symbol, "ean": "", "customer_symbol": "",
        "category": {"id": 1, "name": "MLCC SMD capacitors"}, "manufacturer_symbols": mpns,
        "manufacturer": {"id": 1, "name": manufacturer}, "description": "Capacitor: ceramic; 100nF; 50V; X7R; 0603",
        "multiples": 1, "minimal_amount": 1, "weight": {"value": 0.029, "unit": "g"},
        "unit": {"id": "ST", "short_name": "pcs"},
        "packing": {"elements": [{"id": "RL1", "translation": "Reel", "amount": 4000}]},
        "assets": {"primary_photo": {"prime": "//ce8dc832c.cloudimg.io/v7/c.jpg", "thumbnail": null, "high_resolution": null}},
        "notification": null, "stock_quantity": 580,
        "prices": {"elements": [{"amount": 1, "price": 0.2, "special": false}, {"amount": 100, "price": 0.03, "special": false}],
                   "tax": {"type": "VAT", "rate": 0.0}, "currency": "USD", "type": "NET"},
        "deliveries": null, "parameters": {"elements": parameters},
        "documents": {"elements": [{"url": "//www.tme.eu/Document/y/smd.txt", "type": "YTB"},
                                   {"url": "//www.tme.eu/Document/y/grm.pdf", "type": "DTE"}]},
        "parameter_images": {"elements": []}
    })
}

/// A search answer's product: the product data without prices, stock or parameters.
fn tme_search_v2(product: &Value) -> Value {
    let mut product = product.clone();
    for field in ["stock_quantity", "prices", "parameters", "documents", "deliveries", "parameter_images"] {
        product.as_object_mut().unwrap().remove(field);
    }
    product["packing"]["elements"][0]["translation"] = Value::Null;
    product
}

#[test]
fn tme_answers_are_joined_into_one_offer_per_symbol() {
    let dir = tempfile::tempdir().unwrap();
    let resistor = tme_v1(
        "RC0603FR-0710K",
        "RC0603FR-0710KL",
        "YAGEO",
        &[
            ("Manufacturer", "YAGEO"),
            ("Resistance", "10kΩ"),
            ("Case - inch", "0603"),
            ("Case - mm", "1608"),
            ("Power", "0.1W"),
        ],
    );
    let mut resistor_v2 = tme_v2("RC0603FR-0710K", &["RC0603FR-0710KL"], "YAGEO", &["HARDLY_AVAILABLE"], &[]);
    resistor_v2["stock_quantity"] = json!(1234);
    resistor_v2["documents"] = json!({"elements": []});
    resistor_v2["category"] = json!({"id": 2, "name": "SMD resistors"});
    resistor_v2["description"] = json!("Resistor: thick film; SMD; 0603; 10kΩ");
    let capacitor = tme_v2(
        "GRM188R71H104KA93D",
        &["GRM188R71H104KA93D", "GRM188R71H104KA93"],
        "MURATA",
        &["HARDLY_AVAILABLE", "AVAILABLE_WHILE_STOCKS_LAST"],
        &[("Manufacturer", "MURATA"), ("Capacitance", "100nF"), ("Case - inch", "0603"), ("Type of diode", "")],
    );
    let recording = json!({
        "US_currencies.dat": {"currencies": ["USD"]},
        "all_countries_en.dat": {"CountryList": [{"CountryId": "US", "Name": "United States", "CurrencyList": ["USD"]}], "Language": "EN"},
        "data_RC0603FR-0710K_US_en_USD.dat": resistor,
        "data_RC0603FR-0710K_US_en_USD_v2.dat": resistor_v2,
        "data_GRM188R71H104KA93D_US_en_USD_v2.dat": capacitor,
        "search_GRM188R71H104KA93D_US_en_USD_v2.dat": [tme_search_v2(&capacitor)],
        "search_NOTHING_US_en_USD_v2.dat": [],
        // A record that cannot be read, a price answer without its product, an entry of no known shape.
        "search_BAD_US_en_USD.dat": [{"Symbol": "BAD-1", "MinAmount": "many"}],
        "data_ORPHAN_US_en_USD.dat": {"Symbol": "ORPHAN", "PriceList": [{"Amount": 1, "PriceValue": 0.5}], "Amount": 3},
        "mystery.dat": {"something": 1}
    });
    let sink = read(Adapter::Tme, &write(dir.path(), "responses.json", &recording));

    assert_eq!(sink.parts.len(), 2, "{:?}", sink.parts);
    let resistor = sink.part("RC0603FR-0710KL");
    assert_eq!(resistor.manufacturer, "YAGEO");
    // The v2 answers are newer: their words win, and v1 fills in what they lack.
    assert_eq!(resistor.category, ["SMD resistors"]);
    assert_eq!(resistor.description.as_deref(), Some("Resistor: thick film; SMD; 0603; 10kΩ"));
    assert_eq!(resistor.datasheet_url.as_deref(), Some("https://www.tme.eu/Document/x/rc0603.pdf"));
    assert_eq!(spec(resistor, "resistance"), "10 kΩ");
    assert_eq!(spec(resistor, "case_package"), "0603");
    assert_eq!(spec(resistor, "casecode_metric_"), "1608");
    assert_eq!(spec(resistor, "powerrating"), "100 mW");
    assert!(resistor.specs.iter().all(|s| s.attribute != "Manufacturer"), "{:?}", resistor.specs);
    // The v2 answer has prices and stock and is newer: it gives the offer; v1 fills in the link.
    let [offer] = &resistor.offers[..] else { panic!("{:?}", resistor.offers) };
    assert_eq!((offer.seller.as_str(), offer.sku.as_str()), ("TME", "RC0603FR-0710K"));
    assert_eq!((offer.inventory_level, offer.moq, offer.order_multiple), (Some(1234), Some(1), Some(1)));
    assert_eq!((offer.packaging.as_deref(), offer.factory_pack_quantity), (Some("Reel"), Some(4000)));
    assert_eq!(prices(offer), [(1, 0.2, "USD"), (100, 0.03, "USD")]);
    assert_eq!(
        offer.click_url.as_deref(),
        Some("https://www.tme.eu/en/details/rc0603fr-0710k/0603-smd-resistors/yageo/")
    );

    let capacitor = sink.part("GRM188R71H104KA93D");
    assert_eq!(capacitor.aka_mpns, ["GRM188R71H104KA93"]);
    assert_eq!(spec(capacitor, "capacitance"), "100 nF");
    assert_eq!(spec(capacitor, "lifecyclestatus"), "EOL");
    assert_eq!(spec(capacitor, "weight"), "29 mg");
    assert!(capacitor.specs.iter().all(|s| s.attribute != "Type of diode"), "a parameter without values is none");
    assert_eq!(capacitor.datasheet_url.as_deref(), Some("https://www.tme.eu/Document/y/grm.pdf"));
    // The search answer, later, states no packaging name: the product answer's stays.
    let offer = &capacitor.offers[0];
    assert_eq!((offer.inventory_level, offer.packaging.as_deref()), (Some(580), Some("Reel")));
    assert_eq!(offer.click_url.as_deref(), Some("https://www.tme.eu/en/details/grm188r71h104ka93d/"));
    octopart_specs(
        &sink.parts,
        &[
            ("RC0603FR-0710KL", "resistance"),
            ("RC0603FR-0710KL", "case_package"),
            ("GRM188R71H104KA93D", "capacitance"),
            ("GRM188R71H104KA93D", "lifecyclestatus"),
        ],
    );

    let skipped = skips(&sink);
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    // Records are numbered in the recording's order (serde_json reads its keys sorted).
    assert_eq!(skipped[0], "5: mystery.dat: not a TME answer");
    assert!(
        skipped[1].starts_with("6: search_BAD_US_en_USD.dat: not a TME product: invalid type: string \"many\""),
        "{skipped:?}"
    );
    assert!(skipped[2].starts_with("2: ORPHAN: no manufacturer's part number"), "{skipped:?}");
    assert!(sink.skips.iter().all(|(at, _)| at.file.ends_with("responses.json") && at.line > 0));
}

/// TME's raw API answers, one per file: the product, its prices and stock, and its parameters
/// are three answers, joined into one offer.
#[test]
fn tme_raw_answers_in_a_directory_are_joined() {
    let dir = tempfile::tempdir().unwrap();
    let answer = |products: Value, currency: Option<&str>| {
        let mut data = json!({"ProductList": products, "Language": "EN"});
        if let Some(currency) = currency {
            data["Currency"] = json!(currency);
        }
        json!({"Status": "OK", "Data": data})
    };
    let product = json!({"Symbol": "LM358DR-TI", "OriginalSymbol": "LM358DR", "Producer": "TEXAS INSTRUMENTS",
        "Description": "IC: operational amplifier", "Category": "THT operational amplifiers", "MinAmount": 5, "Multiples": 5,
        "ProductStatusList": ["NEW"], "ProductInformationPage": "//www.tme.eu/en/details/lm358dr-ti/"});
    write(dir.path(), "1-products.json", &answer(json!([product]), None));
    let price_answer = json!({"Symbol": "LM358DR-TI", "PriceList": [{"Amount": 5, "PriceValue": 0.3}, {"Amount": 100, "PriceValue": 0.2}], "Amount": 700});
    write(dir.path(), "2-prices.json", &answer(json!([price_answer]), Some("EUR")));
    let parameters =
        json!({"Symbol": "LM358DR-TI", "ParameterList": [{"ParameterName": "Case", "ParameterValue": "SO8"}]});
    write(dir.path(), "3-parameters.json", &answer(json!([parameters]), None));
    write(dir.path(), "4-countries.json", &json!({"Status": "OK", "Data": {"CountryList": [{"CountryId": "PL"}]}}));
    write(dir.path(), "5-error.json", &json!({"Status": "E_INPUT_PARAMS_VALIDATION_ERROR", "Error": "bad token"}));
    std::fs::write(dir.path().join("6-truncated.json"), "{\"Status\": ").unwrap();
    let sink = read(Adapter::Tme, dir.path().to_str().unwrap());

    let part = sink.part("LM358DR");
    assert_eq!(spec(part, "case_package"), "SO8");
    assert_eq!(spec(part, "lifecyclestatus"), "New");
    let offer = &part.offers[0];
    assert_eq!((offer.inventory_level, offer.moq, offer.order_multiple), (Some(700), Some(5), Some(5)));
    assert_eq!(prices(offer), [(5, 0.3, "EUR"), (100, 0.2, "EUR")]);
    let skipped: Vec<String> = sink
        .skips
        .iter()
        .map(|(at, reason)| format!("{}: {reason}", Path::new(&at.file).file_name().unwrap().to_str().unwrap()))
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_eq!(skipped[0], "5-error.json: TME answered E_INPUT_PARAMS_VALIDATION_ERROR: bad token");
    assert!(skipped[1].starts_with("6-truncated.json: not JSON"), "{skipped:?}");
}

#[test]
fn tme_unusable_files_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("truncated.json"), "{\"Symbol\": ").unwrap();
    let (at, reason) =
        source_error(Adapter::Tme.read(dir.path().join("truncated.json").to_str().unwrap(), &mut Collect::default()));
    assert!(at.file.ends_with("truncated.json") && reason.starts_with("not JSON"), "{at}: {reason}");
    for (name, document) in
        [("other.json", json!({"foo": 1, "bar": [1]})), ("number.json", json!(3)), ("empty.json", json!({}))]
    {
        let path = write(dir.path(), name, &document);
        let (_, reason) = source_error(Adapter::Tme.read(&path, &mut Collect::default()));
        assert!(reason.contains("not a TME answer") || reason.contains("neither a TME answer"), "{name}: {reason}");
    }
    // An answer without a currency anywhere keeps its offer and reports the prices it leaves out.
    let mut product = tme_v1("X-1", "X1", "ACME", &[]);
    product.as_object_mut().unwrap().remove("ProductInformationPage");
    let sink = read(Adapter::Tme, &write(dir.path(), "product.json", &product));
    let offer = &sink.part("X1").offers[0];
    assert!(offer.prices.is_empty() && offer.inventory_level == Some(50000), "{offer:?}");
    assert_eq!(offer.click_url.as_deref(), Some("https://www.tme.eu/en/details/x-1/"));
    assert!(skips(&sink)[0].contains("name no currency"), "{:?}", sink.skips);
}

#[test]
fn tme_real_answers() {
    let Some(dir) = shared_data("tme") else { return };
    let sink = read(Adapter::Tme, dir.join("responses.json").to_str().unwrap());
    // 178 symbols in 60 product answers and 93 searches (4 answers are country, language and
    // currency lists); one offer per symbol.
    let offers: usize = sink.parts.iter().map(|p| p.offers.len()).sum();
    assert_eq!((sink.parts.len(), offers), (178, 178));
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    assert!(sink.parts.iter().flat_map(|p| &p.offers).all(|o| o.seller == "TME" && o.click_url.is_some()));
    let priced = sink.parts.iter().flat_map(|p| &p.offers).filter(|o| !o.prices.is_empty()).count();
    assert_eq!(priced, 37, "symbols with a price answer");
    octopart_specs(
        &sink.parts,
        &[
            ("RC0603FR-0710RL", "resistance"),
            ("RC0603FR-0710RL", "case_package"),
            ("GRM188R61A226ME15D", "capacitance"),
            ("GRM188R61A226ME15D", "case_package"),
            ("TPS61070DDCR", "case_package"),
            // TME states a lifecycle only as "available while stocks last".
            ("ERJ3EKF2003V", "lifecyclestatus"),
        ],
    );
    // KiCost's join: the MPN is TME's OriginalSymbol, not its symbol.
    let capacitor = sink.part("C0603C103K5RACTU");
    assert_eq!(capacitor.offers[0].sku, "C0603C103K5RAC");
}

// ---------------------------------------------------------------------------------------------
// element14

fn e14_product(sku: &str, mpn: &str, vendor: &str, status: &str, attributes: &[(&str, &str, &str)]) -> Value {
    let attributes: Vec<Value> = attributes
        .iter()
        .map(|(label, unit, value)| {
            let mut a = json!({"attributeLabel": label, "attributeValue": value});
            if !unit.is_empty() {
                a["attributeUnit"] = json!(unit);
            }
            a
        })
        .collect();
    json!({
        "sku": sku, "displayName": format!("{vendor} - {mpn} - SMD Chip Resistor, 10 kohm, ± 1%"),
        "productStatus": status, "rohsStatusCode": "YES_YES", "packSize": 1, "unitOfMeasure": "EACH (SUPPLIED ON CUT TAPE)",
        "id": format!("pf_UK1_{sku}_0"), "image": {"baseName": "/2116464-40.jpg", "vrntPath": "farnell/"},
        "datasheets": [{"type": "T", "description": "Technical Data Sheet", "url": "http://www.farnell.com/datasheets/1.pdf"}],
        "prices": [{"to": 99, "from": 10, "cost": 0.042}, {"to": 999999999, "from": 100, "cost": 0.0149}],
        "inv": 180220, "vendorId": "1", "vendorName": vendor, "brandName": vendor,
        "translatedManufacturerPartNumber": mpn, "translatedMinimumOrderQuality": 10,
        "attributes": attributes, "related": {}, "stock": {"level": 180220, "leastLeadTime": 141, "status": 1},
        "comingSoon": false, "inventoryCode": 5, "isSpecialOrder": false, "isAwaitingRelease": false, "reeling": false
    })
}

fn e14_answer(reply: &str, products: Vec<Value>) -> Value {
    json!({reply: {"numberOfResults": products.len(), "products": products}})
}

#[test]
fn element14_answers_name_their_store() {
    let dir = tempfile::tempdir().unwrap();
    let resistor = |sku: &str| {
        e14_product(
            sku,
            "RC0603FR-0710KL",
            "YAGEO",
            "STOCKED",
            &[
                ("Resistance", "kohm", "10"),
                ("Resistor Case Style", "", "0603 [1608 Metric]"),
                ("Resistance Tolerance", "", "± 1%"),
                ("Power Rating", "mW", "100"),
                ("Product Range", "", "-"),
            ],
        )
    };
    let mut reel = e14_product(
        "1759805",
        "GRM188R71H104KA93D",
        "MURATA",
        "NO_LONGER_STOCKED",
        &[("Capacitance", "pF", "100000"), ("Ceramic Capacitor Case", "", "0603 [1608 Metric]")],
    );
    reel["packSize"] = json!(4000);
    reel["unitOfMeasure"] = json!("REEL OF");
    reel["translatedMinimumOrderQuality"] = json!(1);
    reel["prices"] = json!([{"to": 4, "from": 1, "cost": 24.0}, {"to": 999999999, "from": 5, "cost": 20.0}]);
    let ic = e14_product(
        "58K9468",
        "LM358DR",
        "TEXAS INSTRUMENTS",
        "NO_LONGER_MANUFACTURED",
        &[("No. of Pins", "Pins", "8"), ("Logic Case Style", "", "SOIC")],
    );
    let mut bad = resistor("BAD-1");
    bad["inv"] = json!("lots");
    let recording = json!({
        "mpn_RC0603FR-0710KL_uk.farnell.com.dat": e14_answer("manufacturerPartNumberSearchReturn", vec![resistor("9238247"), bad]),
        "mpn_RC0603FR-0710KL_www.newark.com.dat": e14_answer("manufacturerPartNumberSearchReturn", vec![resistor("98K7348")]),
        "sku_1759805_uk.farnell.com.dat": e14_answer("premierFarnellPartNumberReturn", vec![reel]),
        "mpn_LM358DR_www.newark.com.dat": e14_answer("manufacturerPartNumberSearchReturn", vec![ic]),
        "key_NOTHING_uk.farnell.com.dat": {"keywordSearchReturn": {"numberOfResults": 0}},
        "mpn_NOTHING_www.newark.com.dat": {"manufacturerPartNumberSearchReturn": {"numberOfResults": 0}},
        "mpn_BROKEN_uk.farnell.com.dat": {"manufacturerPartNumberSearchReturn": {"numberOfResults": 2}},
    });
    let sink = read(Adapter::Element14, &write(dir.path(), "responses.json", &recording));

    assert_eq!(sink.parts.len(), 3);
    let resistor = sink.part("RC0603FR-0710KL");
    assert_eq!(resistor.description.as_deref(), Some("SMD Chip Resistor, 10 kohm, ± 1%"));
    assert_eq!(spec(resistor, "resistance"), "10 kΩ");
    assert_eq!(spec(resistor, "case_package"), "0603 [1608 Metric]");
    assert_eq!(spec(resistor, "tolerance"), "1 %");
    assert_eq!(spec(resistor, "powerrating"), "100 mW");
    assert_eq!(spec(resistor, "lifecyclestatus"), "Production");
    assert_eq!(spec(resistor, "rohs"), "YES_YES");
    assert!(resistor.specs.iter().all(|s| s.display_value != "-"), "{:?}", resistor.specs);
    let offers: Vec<(&str, &str, Option<&str>)> =
        resistor.offers.iter().map(|o| (o.seller.as_str(), o.sku.as_str(), o.click_url.as_deref())).collect();
    assert_eq!(
        offers,
        [
            ("Farnell", "9238247", Some("https://uk.farnell.com/w/search?st=9238247")),
            ("Newark", "98K7348", Some("https://www.newark.com/w/search?st=98K7348")),
        ]
    );
    let farnell = &resistor.offers[0];
    assert_eq!(prices(farnell), [(10, 0.042, "GBP"), (100, 0.0149, "GBP")]);
    assert_eq!(prices(&resistor.offers[1])[0].2, "USD");
    assert_eq!((farnell.inventory_level, farnell.moq, farnell.order_multiple), (Some(180220), Some(10), Some(10)));
    assert_eq!(
        (farnell.factory_lead_days, farnell.packaging.as_deref()),
        (Some(141), Some("EACH (SUPPLIED ON CUT TAPE)"))
    );
    assert_eq!(resistor.datasheet_url.as_deref(), Some("http://www.farnell.com/datasheets/1.pdf"));

    // Sold by the reel of 4,000: quantities and prices per part.
    let capacitor = sink.part("GRM188R71H104KA93D");
    let offer = &capacitor.offers[0];
    assert_eq!(prices(offer), [(4000, 0.006, "GBP"), (20000, 0.005, "GBP")]);
    assert_eq!((offer.moq, offer.factory_pack_quantity), (Some(4000), Some(4000)));
    assert_eq!(spec(capacitor, "capacitance"), "100 nF");
    let ic = sink.part("LM358DR");
    assert_eq!(spec(ic, "lifecyclestatus"), "Obsolete");
    assert_eq!(spec(ic, "numberofpins"), "8");
    assert_eq!(spec(ic, "case_package"), "SOIC");
    octopart_specs(
        &sink.parts,
        &[
            ("RC0603FR-0710KL", "resistance"),
            ("GRM188R71H104KA93D", "capacitance"),
            ("LM358DR", "case_package"),
            ("LM358DR", "lifecyclestatus"),
        ],
    );

    let mut skipped = skips(&sink);
    skipped.sort_by_key(|s| s.contains("BROKEN"));
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(
        skipped[0].contains(
            "mpn_RC0603FR-0710KL_uk.farnell.com.dat: not an element14 product: invalid type: string \"lots\""
        ),
        "{skipped:?}"
    );
    assert!(
        skipped[1].contains("mpn_BROKEN_uk.farnell.com.dat: numberOfResults 2 without a list of products"),
        "{skipped:?}"
    );
}

#[test]
fn element14_single_answers_and_unusable_files() {
    let dir = tempfile::tempdir().unwrap();
    let product = e14_product("SG-1", "LM358DR", "TEXAS INSTRUMENTS", "STOCKED", &[]);
    // The file named like a cache name tells the store; without it, element14 and no currency.
    let named = write(
        dir.path(),
        "mpn_LM358DR_sg.element14.com.json",
        &e14_answer("manufacturerPartNumberSearchReturn", vec![product.clone()]),
    );
    let offer = read(Adapter::Element14, &named).part("LM358DR").offers[0].clone();
    assert_eq!((offer.seller.as_str(), offer.prices[0].currency.as_str()), ("element14", "SGD"));
    let plain = write(dir.path(), "answer.json", &e14_answer("manufacturerPartNumberSearchReturn", vec![product]));
    let sink = read(Adapter::Element14, &plain);
    let offer = &sink.part("LM358DR").offers[0];
    assert!(
        offer.seller == "element14" && offer.prices.is_empty() && offer.inventory_level == Some(180220),
        "{offer:?}"
    );
    assert!(skips(&sink)[0].contains("a currency the answer does not say"), "{:?}", sink.skips);
    let empty = write(dir.path(), "key_X_uk.farnell.com.json", &json!({"keywordSearchReturn": {"numberOfResults": 0}}));
    let sink = read(Adapter::Element14, &empty);
    assert!(sink.parts.is_empty() && sink.skips.is_empty());

    std::fs::write(dir.path().join("truncated.json"), "{\"keywordSearchReturn\": ").unwrap();
    let (_, reason) = source_error(
        Adapter::Element14.read(dir.path().join("truncated.json").to_str().unwrap(), &mut Collect::default()),
    );
    assert!(reason.starts_with("not JSON"), "{reason}");
    let other = write(dir.path(), "other.json", &json!({"Fault": {"message": "bad key"}}));
    let (_, reason) = source_error(Adapter::Element14.read(&other, &mut Collect::default()));
    assert!(reason.contains("neither an element14 answer"), "{reason}");
}

#[test]
fn element14_real_answers() {
    let Some(dir) = shared_data("element14") else { return };
    let sink = read(Adapter::Element14, dir.join("responses.json").to_str().unwrap());
    // 103 answers, 22 of no results; 544 products by 264 manufacturer and MPN.
    let offers: usize = sink.parts.iter().map(|p| p.offers.len()).sum();
    assert_eq!((sink.parts.len(), offers), (264, 544));
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let mut sellers: Vec<&str> = sink.parts.iter().flat_map(|p| &p.offers).map(|o| o.seller.as_str()).collect();
    sellers.sort();
    sellers.dedup();
    assert_eq!(sellers, ["Farnell", "Newark"]);
    octopart_specs(
        &sink.parts,
        &[
            ("RC0603FR-0710RL", "resistance"),
            ("RC0603FR-0710RL", "case_package"),
            ("RC0603FR-0710RL", "lifecyclestatus"),
            ("GRM188R61A226ME15D", "capacitance"),
            ("GRM188R61A226ME15D", "case_package"),
            ("TPS61070DDCR", "case_package"),
            ("TPS61070DDCR", "lifecyclestatus"),
            ("TPS61070DDCR", "numberofpins"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Mouser

fn mouser_part(sku: &str, mpn: &str, attributes: &[(&str, &str)], price: &str) -> Value {
    let attributes: Vec<Value> =
        attributes.iter().map(|(n, v)| json!({"AttributeName": n, "AttributeValue": v})).collect();
    json!({
        "Availability": "6809 In Stock", "DataSheetUrl": "https://www.mouser.com/datasheet/2/1/x.pdf",
        "Description": "Thick Film Resistors - SMD 10K OHM 1%", "FactoryStock": "0",
        "ImagePath": "https://www.mouser.com/images/yageo/images/rc.jpg", "Category": "Thick Film Resistors - SMD",
        "LeadTime": "12 Weeks", "LifecycleStatus": "New Product", "Manufacturer": "YAGEO", "ManufacturerPartNumber": mpn,
        "Min": "1", "Mult": "1", "MouserPartNumber": sku, "ProductAttributes": attributes,
        "PriceBreaks": [{"Quantity": 1, "Price": price, "Currency": "USD"}, {"Quantity": 1000, "Price": "$0.004", "Currency": "USD"}],
        "AlternatePackagings": null, "ProductDetailUrl": format!("https://www.mouser.com/ProductDetail/{sku}"),
        "Reeling": true, "ROHSStatus": "RoHS Compliant", "SuggestedReplacement": "", "MultiSimBlue": 0, "InfoMessages": [],
        "ProductCompliance": [{"ComplianceName": "ECCN", "ComplianceValue": "EAR99"}]
    })
}

fn mouser_answer(parts: Vec<Value>) -> Value {
    json!({"Errors": [], "SearchResults": {"NumberOfResult": parts.len(), "Parts": parts}})
}

#[test]
fn mouser_answers_become_offers() {
    let dir = tempfile::tempdir().unwrap();
    let resistor = mouser_part(
        "603-RC0603FR-0710KL",
        "RC0603FR-0710KL",
        &[
            ("Packaging", "Reel"),
            ("Packaging", "Cut Tape"),
            ("Standard Pack Qty", "5000"),
            ("Resistance", "10 kOhms"),
            ("Case Code - in", "0603"),
            ("Tolerance", "1 %"),
        ],
        "$0.10",
    );
    let mut bad = mouser_part("603-BAD", "BAD", &[], "$1");
    bad["PriceBreaks"][0]["Quantity"] = json!("ten");
    let recording = json!({
        "mou_603-RC0603FR-0710KL.dat": mouser_answer(vec![resistor.clone()]),
        "mpn_RC0603FR-0710KL.dat": mouser_answer(vec![resistor]),
        "mpn_NOTHING.dat": mouser_answer(vec![]),
        "mpn_BAD.dat": mouser_answer(vec![bad]),
        "mpn_REFUSED.dat": {"Errors": [{"Id": 0, "Code": "Invalid", "Message": "Invalid unique identifier.", "PropertyName": "API Key"}], "SearchResults": null},
    });
    let sink = read(Adapter::Mouser, &write(dir.path(), "responses.json", &recording));

    assert_eq!(sink.parts.len(), 1, "{:?}", sink.parts);
    let part = sink.part("RC0603FR-0710KL");
    assert_eq!(
        (part.manufacturer.as_str(), part.category.as_slice()),
        ("YAGEO", ["Thick Film Resistors - SMD".to_owned()].as_slice())
    );
    assert_eq!(spec(part, "resistance"), "10 kΩ");
    assert_eq!(spec(part, "case_package"), "0603");
    assert_eq!(spec(part, "lifecyclestatus"), "New");
    assert_eq!(spec(part, "rohs"), "RoHS Compliant");
    assert!(part.specs.iter().all(|s| s.attribute != "Packaging" && s.attribute != "Standard Pack Qty"));
    let [offer] = &part.offers[..] else { panic!("one offer, merged: {:?}", part.offers) };
    assert_eq!((offer.seller.as_str(), offer.sku.as_str()), ("Mouser", "603-RC0603FR-0710KL"));
    assert_eq!((offer.inventory_level, offer.moq, offer.order_multiple), (Some(6809), Some(1), Some(1)));
    assert_eq!((offer.factory_lead_days, offer.factory_pack_quantity), (Some(84), Some(5000)));
    assert_eq!(offer.packaging.as_deref(), Some("Reel, Cut Tape"));
    assert_eq!(prices(offer), [(1, 0.1, "USD"), (1000, 0.004, "USD")]);
    assert_eq!(offer.click_url.as_deref(), Some("https://www.mouser.com/ProductDetail/603-RC0603FR-0710KL"));
    octopart_specs(
        &sink.parts,
        &[
            ("RC0603FR-0710KL", "resistance"),
            ("RC0603FR-0710KL", "case_package"),
            ("RC0603FR-0710KL", "lifecyclestatus"),
        ],
    );

    let skipped = skips(&sink);
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0].contains("mpn_BAD.dat: not a Mouser part: invalid type: string \"ten\""), "{skipped:?}");
    assert!(
        skipped[1].contains("mpn_REFUSED.dat: Mouser answered an error: Invalid unique identifier. (Invalid)"),
        "{skipped:?}"
    );

    let refused = write(dir.path(), "refused.json", &recording["mpn_REFUSED.dat"]);
    let (_, reason) = source_error(Adapter::Mouser.read(&refused, &mut Collect::default()));
    assert!(reason.starts_with("Mouser answered an error"), "{reason}");
    std::fs::write(dir.path().join("truncated.json"), "{\"SearchResults\": ").unwrap();
    let (_, reason) = source_error(
        Adapter::Mouser.read(dir.path().join("truncated.json").to_str().unwrap(), &mut Collect::default()),
    );
    assert!(reason.starts_with("not JSON"), "{reason}");
    let other = write(dir.path(), "other.json", &json!({"something": "else"}));
    let (_, reason) = source_error(Adapter::Mouser.read(&other, &mut Collect::default()));
    assert!(reason.contains("neither a Mouser answer"), "{reason}");
    let empty = write(dir.path(), "empty.json", &mouser_answer(vec![]));
    let sink = read(Adapter::Mouser, &empty);
    assert!(sink.parts.is_empty() && sink.skips.is_empty());
}

#[test]
fn mouser_real_answers() {
    let Some(dir) = shared_data("mouser") else { return };
    let sink = read(Adapter::Mouser, dir.join("responses.json").to_str().unwrap());
    // Two fuse parts by Mouser number; the MPN search found nothing.
    let offers: usize = sink.parts.iter().map(|p| p.offers.len()).sum();
    assert_eq!((sink.parts.len(), offers), (2, 2));
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let part = sink.part("5MF 6-R");
    assert_eq!(spec(part, "rohs"), "RoHS Compliant");
    let offer = &part.offers[0];
    assert_eq!((offer.seller.as_str(), offer.sku.as_str()), ("Mouser", "530-5MF6-R"));
    assert_eq!(
        (offer.inventory_level, offer.factory_lead_days, offer.factory_pack_quantity),
        (Some(6809), Some(178), Some(1000))
    );
    assert_eq!((offer.packaging.as_deref(), prices(offer)[0]), (Some("Bulk"), (1, 0.25, "USD")));
}

// ---------------------------------------------------------------------------------------------
// Importing the real recordings: every part arrives, and a second import changes nothing.

async fn real_recordings_import_once_and_idempotently(store: ferrite_store::Store) {
    use ferrite_supply::import::{Mode, import};
    for (adapter, folder) in [(Adapter::Tme, "tme"), (Adapter::Element14, "element14"), (Adapter::Mouser, "mouser")] {
        let Some(dir) = shared_data(folder) else { continue };
        let source = dir.join("responses.json");
        let source = source.to_str().unwrap();
        let parts = read(adapter, source).parts.len() as u64;
        let now = chrono::Utc::now();
        let first = import(&store, folder, adapter, source, Mode::default_for(adapter), now, &mut ()).await.unwrap();
        assert_eq!(first.skipped, 0, "{adapter}: {:?}", first.skipped_examples);
        // Parts an earlier feed brought (the same manufacturer and MPN) are updated, not added.
        let seen = first.parts_added + first.parts_updated + first.parts_unchanged + first.parts_repeated;
        assert_eq!(seen, parts, "{adapter}: {first:?}");
        let again = import(&store, folder, adapter, source, Mode::default_for(adapter), now, &mut ()).await.unwrap();
        assert!(!again.changed(), "{adapter}: {again:?}");
    }
}

#[tokio::test]
async fn real_recordings_import_on_sqlite() {
    let db = ferrite_store::testing::TestDb::sqlite().await;
    real_recordings_import_once_and_idempotently(db.store.clone()).await;
}

#[tokio::test]
async fn real_recordings_import_on_postgres() {
    let Some(db) = ferrite_store::testing::TestDb::postgres().await else { return };
    real_recordings_import_once_and_idempotently(db.store.clone()).await;
}
