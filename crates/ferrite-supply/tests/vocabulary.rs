//! Every feed speaks Octopart's attribute vocabulary: a resistor, a capacitor and an IC from each
//! feed carry `resistance`/`capacitance`/`case_package`/`lifecyclestatus` with Octopart's names,
//! groups, units and value types; and Octopart's table agrees with the real Nexar recordings.

use std::collections::BTreeMap;
use std::path::Path;

mod support;
use support::{Collect, gzip, shared_data};

use ferrite_supply::feeds::Adapter;
use ferrite_supply::feeds::vocabulary::{self, ValueType};
use ferrite_supply::model::{FeedPart, FeedSpec};
use serde_json::{Value, json};

fn read(adapter: Adapter, source: &Path) -> Vec<FeedPart> {
    let mut sink = Collect::default();
    adapter.read(source.to_str().unwrap(), &mut sink).unwrap();
    assert!(sink.skips.is_empty(), "{adapter}: {:?}", sink.skips);
    sink.parts
}

fn spec<'a>(part: &'a FeedPart, shortname: &str) -> &'a FeedSpec {
    part.specs
        .iter()
        .find(|s| s.shortname == shortname)
        .unwrap_or_else(|| panic!("{} has no {shortname}: {:?}", part.mpn, part.specs))
}

/// The resistor, the capacitor and the IC of one feed, in Octopart's words.
fn check_feed(feed: &str, parts: &[FeedPart]) {
    let part = |mpn: &str| parts.iter().find(|p| p.mpn == mpn).unwrap_or_else(|| panic!("{feed}: no {mpn}"));
    let expected = [
        ("RC0603FR-0710KL", "resistance", "Resistance", Some("Ω"), ValueType::Float),
        ("GRM188R71H104KA93D", "capacitance", "Capacitance", Some("F"), ValueType::Float),
        ("LM358DR", "case_package", "Case/Package", None, ValueType::Text),
        ("LM358DR", "lifecyclestatus", "Lifecycle Status", None, ValueType::Text),
    ];
    for (mpn, shortname, name, units, value_type) in expected {
        let spec = spec(part(mpn), shortname);
        assert_eq!((spec.attribute.as_str(), spec.units.as_deref()), (name, units), "{feed} {mpn}");
        let octopart = vocabulary::octopart(shortname).unwrap();
        assert_eq!(spec.group.as_deref(), Some(octopart.group.as_str()), "{feed} {mpn} {shortname}");
        assert_eq!(vocabulary::value_type(&spec.shortname, spec.units.as_deref()), value_type, "{feed} {shortname}");
    }
    for mpn in ["RC0603FR-0710KL", "GRM188R71H104KA93D", "LM358DR"] {
        assert_eq!(spec(part(mpn), "case_package").display_value, if mpn == "LM358DR" { "SOIC-8" } else { "0603" });
        assert_eq!(spec(part(mpn), "lifecyclestatus").display_value, "Production", "{feed} {mpn}");
    }
    // Quantities as Octopart shows them, however the feed writes them (`10kΩ`, `10 kOhms`, `0.1 µF`).
    assert_eq!(spec(part("RC0603FR-0710KL"), "resistance").display_value, "10 kΩ", "{feed}");
    assert_eq!(spec(part("GRM188R71H104KA93D"), "capacitance").display_value, "100 nF", "{feed}");
    assert_eq!(vocabulary::octopart("resistance").unwrap().units_name, "ohms");
}

/// The real jlcparts catalogue: the parameters engineers filter on most come out under Octopart's
/// names, and their quantities as Octopart shows them (`1 %`, `100 mW`, `50 V`).
#[test]
fn jlcparts_catalogue_speaks_octopart() {
    let Some(dir) = shared_data("jlcparts") else { return };
    let mut sink = Collect::default();
    Adapter::Jlcparts.read(dir.to_str().unwrap(), &mut sink).unwrap();
    let (mut mapped, mut all, mut floats, mut shown) = (0, 0, 0, 0);
    let mut tolerances = BTreeMap::new();
    for spec in sink.parts.iter().flat_map(|p| &p.specs) {
        all += 1;
        let Some(octopart) = vocabulary::octopart(&spec.shortname) else { continue };
        mapped += 1;
        if octopart.value_type == ValueType::Float {
            floats += 1;
            shown += usize::from(
                ferrite_core::units::restate(&spec.display_value, &octopart.units_symbol).as_deref()
                    == Some(spec.display_value.as_str()),
            );
        }
        if spec.shortname == "tolerance" {
            *tolerances.entry(spec.display_value.clone()).or_insert(0) += 1;
        }
    }
    eprintln!(
        "jlcparts: {mapped} of {all} spec values under Octopart names; {shown} of {floats} quantities as Octopart shows them"
    );
    assert!(mapped * 100 >= all * 65, "{mapped} of {all} under Octopart names");
    assert!(shown * 100 >= floats * 90, "{shown} of {floats} quantities as Octopart shows them");
    let (top, _) = tolerances.iter().max_by_key(|(_, n)| **n).unwrap();
    assert_eq!(top, "1 %", "the most common tolerance, as Octopart shows it");
    let temperature = |short| sink.parts.iter().flat_map(|p| &p.specs).filter(|s| s.shortname == short).count();
    assert!(temperature("minoperatingtemperature") > 100_000, "operating temperature ranges split into low and high");
    assert_eq!(temperature("minoperatingtemperature"), temperature("maxoperatingtemperature"));
}

#[test]
fn jlcparts_parts_carry_octopart_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let shard = "components-mixed-001.jsonl.gz";
    let manifest = json!({
        "attributesLut": "attributes-lut.json.gz",
        "categories": [{"category": "Mixed", "subcategory": "Mixed", "componentCount": 3, "id": 1, "shards": [shard]}],
        "totalComponents": 3, "version": 2
    });
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).unwrap();
    let text =
        |name: &str, value: &str| json!([name, {"format": "${default}", "values": {"default": [value, "string"]}}]);
    let lut = json!([
        text("Manufacturer", "Yageo"),
        ["Resistance", {"format": "${resistance}", "values": {"resistance": [10000.0, "resistance"]}}],
        text("Package", "0603"),
        text("Status", "Active"),
        text("Manufacturer", "Murata Electronics"),
        ["Capacitance", {"format": "${capacitance}", "values": {"capacitance": [1e-7, "capacitance"]}}],
        text("Manufacturer", "Texas Instruments"),
        text("Package", "SOIC-8"),
    ]);
    gzip(&dir.path().join("attributes-lut.json.gz"), &lut.to_string());
    let header = r#"{"lcsc":0,"mfr":1,"price":2,"attributes":3,"stock":4}"#;
    let lines = [
        r#"["C1","RC0603FR-0710KL",[{"qFrom":1,"price":0.001}],[0,1,2,3],10]"#,
        r#"["C2","GRM188R71H104KA93D",[{"qFrom":1,"price":0.002}],[4,5,2,3],10]"#,
        r#"["C3","LM358DR",[{"qFrom":1,"price":0.1}],[6,7,3],10]"#,
    ];
    gzip(&dir.path().join(shard), &format!("{header}\n{}\n", lines.join("\n")));
    check_feed("jlcparts", &read(Adapter::Jlcparts, dir.path()));
}

#[test]
fn nexar_parts_carry_octopart_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let spec = |name: &str, shortname: &str, value: &str| json!({"attribute": {"name": name, "shortname": shortname}, "displayValue": value});
    let part = |mpn: &str, manufacturer: &str, specs: Vec<Value>| json!({"mpn": mpn, "manufacturer": {"name": manufacturer}, "specs": specs});
    let package = |value| spec("Case/Package", "case_package", value);
    let production = spec("Lifecycle Status", "lifecyclestatus", "Production");
    let recording = json!({"query": "test", "results": {"q": {"hits": 3, "parts": [
        part("RC0603FR-0710KL", "Yageo", vec![spec("Resistance", "resistance", "10 kΩ"), package("0603"), production.clone()]),
        part("GRM188R71H104KA93D", "Murata", vec![spec("Capacitance", "capacitance", "100 nF"), package("0603"), production.clone()]),
        // An older recording's spelling of the same attribute.
        part("LM358DR", "Texas Instruments", vec![package("SOIC-8"), spec("Lifecycle Status", "lifecycle_status", "Active")]),
    ]}}});
    let path = dir.path().join("recording.json");
    std::fs::write(&path, recording.to_string()).unwrap();
    check_feed("nexar-json", &read(Adapter::NexarJson, &path));
}

#[test]
fn digikey_parts_carry_octopart_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let product = |mpn: &str, manufacturer: &str, parameters: &[(&str, &str)]| {
        let parameters: Vec<Value> =
            parameters.iter().map(|(name, value)| json!({"parameter_text": name, "value_text": value})).collect();
        json!({"product": {
            "manufacturer_product_number": mpn, "manufacturer": {"name": manufacturer},
            "product_status": {"id": 0, "status": "Active"}, "parameters": parameters,
            "product_variations": [{"digi_key_product_number": format!("{mpn}-ND"), "standard_pricing": []}]
        }, "search_locale_used": {"currency": "USD"}})
    };
    for (file, document) in [
        ("r.json", product("RC0603FR-0710KL", "YAGEO", &[("Resistance", "10 kOhms"), ("Package / Case", "0603")])),
        ("c.json", product("GRM188R71H104KA93D", "Murata", &[("Capacitance", "0.1 µF"), ("Package / Case", "0603")])),
        ("u.json", product("LM358DR", "Texas Instruments", &[("Package / Case", "SOIC-8")])),
    ] {
        std::fs::write(dir.path().join(file), document.to_string()).unwrap();
    }
    check_feed("digikey-v4", &read(Adapter::DigikeyV4, dir.path()));
}

#[test]
fn kitspace_partinfo_parts_carry_octopart_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let answer = |mpn: &str, manufacturer: &str, specs: &[(&str, &str)]| {
        let specs: Vec<Value> = specs.iter().map(|(key, value)| json!({"key": key, "value": value})).collect();
        json!({"mpn": {"manufacturer": manufacturer, "part": mpn}, "specs": specs, "offers": []})
    };
    let cache = json!({
        "mpn_RC0603FR-0710KL.dat": answer("RC0603FR-0710KL", "Yageo", &[("resistance", "10.0 kÎ©"), ("case_package", "0603"), ("lifecycle_status", "Active")]),
        "mpn_GRM188R71H104KA93D.dat": answer("GRM188R71H104KA93D", "Murata", &[("capacitance", "100 nF"), ("case_package", "0603"), ("lifecycle_status", "Active")]),
        "mpn_LM358DR.dat": answer("LM358DR", "Texas Instruments", &[("case_package", "SOIC-8"), ("lifecycle_status", "Active")]),
    });
    let path = dir.path().join("responses.json");
    std::fs::write(&path, cache.to_string()).unwrap();
    check_feed("kitspace-partinfo", &read(Adapter::KitspacePartinfo, &path));
}

#[test]
fn csv_parts_carry_octopart_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parts.csv");
    std::fs::write(
        &path,
        "mpn,manufacturer,spec:Resistance,spec:Capacitance,spec:Package,spec:Status\n\
         RC0603FR-0710KL,Yageo,10kΩ,,0603,Active\n\
         GRM188R71H104KA93D,Murata,,100nF,0603,Production\n\
         LM358DR,Texas Instruments,,,SOIC-8,active\n",
    )
    .unwrap();
    check_feed("csv", &read(Adapter::Csv, &path));
}

/// Every attribute the real recordings carry is in Octopart's table under the same name, and the
/// nexar-json adapter keeps their names and gives them Octopart's group and units.
#[test]
fn octopart_table_agrees_with_the_nexar_recordings() {
    let Some(dir) = shared_data("nexar") else { return };
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for name in ["supMultiMatch-2022-10-28.json", "supMultiMatch-2022-12-14.json"] {
        let raw: Value = serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap();
        for set in raw["results"].as_object().unwrap().values() {
            for part in set["parts"].as_array().unwrap() {
                for spec in part["specs"].as_array().unwrap() {
                    let attribute = &spec["attribute"];
                    let (short, name) = (attribute["shortname"].as_str().unwrap(), attribute["name"].as_str().unwrap());
                    // Octopart's own names carry stray spaces (`Peak Pulse Power `); the table keeps them trimmed.
                    seen.insert(short.to_owned(), name.trim().to_owned());
                }
            }
        }
    }
    assert!(seen.len() > 150, "{}", seen.len());
    let differ: Vec<_> =
        seen.iter().filter(|(short, name)| vocabulary::octopart(short).is_none_or(|a| a.name != **name)).collect();
    assert!(differ.is_empty(), "not as Octopart's table has them: {differ:?}");

    let parts = read(Adapter::NexarJson, &dir);
    for spec in parts.iter().flat_map(|p| &p.specs) {
        let octopart = vocabulary::octopart(&spec.shortname).unwrap();
        assert_eq!(spec.attribute, octopart.name);
        assert_eq!(spec.group.as_deref(), Some(octopart.group.as_str()));
        let units = (!octopart.units_symbol.is_empty()).then_some(octopart.units_symbol.as_str());
        assert_eq!(spec.units.as_deref(), units, "{}", spec.shortname);
    }
    // Octopart's float attributes show one number in their units (`10 kΩ`), which the SI reading takes.
    let floats = parts
        .iter()
        .flat_map(|p| &p.specs)
        .filter(|s| vocabulary::octopart(&s.shortname).unwrap().value_type == ValueType::Float);
    let (mut numbers, mut all) = (0, 0);
    for spec in floats {
        all += 1;
        numbers += usize::from(ferrite_core::units::si_value(&spec.display_value).is_some());
    }
    assert!(numbers * 100 >= all * 95, "{numbers} of {all} float values read as numbers");
}
