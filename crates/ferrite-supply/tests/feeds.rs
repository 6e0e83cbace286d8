//! The feed adapters on small sources the tests write, faithful to the real layouts, and on the
//! real recordings in `../shared/data` when they are there.

use std::collections::{BTreeMap, BTreeSet, HashSet};
mod support;
use support::{Collect, gzip, kitspace_cache, shared_data};

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ferrite_core::units::shortname;
use ferrite_supply::feeds::{Adapter, FeedError, PartSink, csv, digikey_v4, jlcparts, kitspace_partinfo, nexar_json};
use ferrite_supply::http::HttpOptions;
use ferrite_supply::model::{FeedPart, Location};
use serde_json::{Value, json};

/// Counts parts without keeping them, for the full real sets.
#[derive(Default)]
struct Count {
    parts: u64,
    offers: u64,
    specs: u64,
    unknown_manufacturer: u64,
    skips: Vec<(Location, String)>,
}

impl PartSink for Count {
    fn part(&mut self, part: FeedPart) -> Result<(), FeedError> {
        self.parts += 1;
        self.offers += part.offers.len() as u64;
        self.specs += part.specs.len() as u64;
        self.unknown_manufacturer += u64::from(part.manufacturer == "Unknown");
        Ok(())
    }
    fn skip(&mut self, at: Location, reason: String) {
        self.skips.push((at, reason));
    }
    fn progress(&mut self, _: u64, _: Option<u64>) {}
}

fn source_error(result: Result<(), FeedError>) -> (Location, String) {
    match result {
        Err(FeedError::Source { at, reason }) => (at, reason),
        other => panic!("expected a source error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// jlcparts

const SHARD: &str = "components-resistors_chip_resistor_surface_mount__b1111123-001.jsonl.gz";
const HEADER: &str = r#"{"lcsc":0,"mfr":1,"joints":2,"description":3,"datasheet":4,"price":5,"img":6,"url":7,"attributes":8,"stock":9,"subcategory":10}"#;

/// A layout as jlcparts publishes it: manifest, attributes table and one shard of three parts.
fn jlcparts_layout(dir: &Path, lines: &[String]) {
    let manifest = json!({
        "attributesLut": "attributes-lut.json.gz",
        "categories": [{
            "category": "Resistors", "componentCount": lines.len(), "id": 1066,
            "shards": [SHARD], "subcategory": "Chip Resistor - Surface Mount"
        }],
        "created": "2026-05-21T07:51:38+00:00",
        "totalComponents": lines.len(),
        "version": 2
    });
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    let lut = json!([
        ["Manufacturer", {"format": "${default}", "primary": "default", "values": {"default": ["FH(Guangdong Fenghua Advanced Tech)", "string"]}}],
        ["Resistance", {"format": "${resistance}", "primary": "resistance", "values": {"resistance": [30.0, "resistance"]}}],
        ["Power", {"default": "power", "format": "${power}", "values": {"power": [0.0625, "power"]}}],
        ["Package", {"format": "${default}", "primary": "default", "values": {"default": ["0402", "string"]}}],
        ["Basic/Extended", {"format": "${default}", "primary": "default", "values": {"default": ["Extended", "string"]}}],
        ["Whs-zh", {"format": "${default}", "primary": "default", "values": {"default": [31, "string"]}}],
        ["Mpn", {"format": "${default}", "primary": "default", "values": {"default": ["RC-02W300JT", "string"]}}],
        ["Voltage - forward (vf) (max) @ if", {"default": "Vf", "format": "${Vf} @ ${If}", "values": {"If": [1.0, "current"], "Vf": [1.25, "voltage"]}}],
        ["Manufacturer", {"format": "${default}", "primary": "default", "values": {"default": ["Texas Instruments", "string"]}}],
        ["Operating temperature", {"format": "${default}", "primary": "default", "values": {"default": ["-55℃~+155℃", "string"]}}]
    ]);
    gzip(&dir.join("attributes-lut.json.gz"), &lut.to_string());
    gzip(&dir.join(SHARD), &format!("{HEADER}\n{}\n", lines.join("\n")));
}

fn jlcparts_lines() -> Vec<String> {
    vec![
        r#"["C1091","RC-02W300JT",2,"-55℃~+155℃ 30Ω 50V 62.5mW Thick Film Resistor ±5% 0402 Chip Resistor - Surface Mount ROHS","https://jlcpcb.com/api/file/downloadByFileSystemAccessId/8588898840480501760",[{"qFrom":1,"qTo":999,"price":0.0005},{"qFrom":1000,"qTo":null,"price":0.0004}],"20221227_FH--Guangdong-Fenghua-Advanced-Tech-RC-02W300JT_C1091_front.jpg","Chip-Resistor---Surface-Mount_FH-Guangdong-Fenghua-Advanced-Tech-RC-02W300JT",[0,1,2,3,4,5,6,9],1,1066]"#.to_owned(),
        r#"["C5192","LM239N",14,"Comparators","https://www.ti.com/cn/lit/gpn/lm339",[{"qFrom":50,"qTo":null,"price":0.1845}],null,null,[8,7,3],2905,1066]"#.to_owned(),
        r#"["C5209","LM393P",8,"",null,[],"",null,[8],0,1066]"#.to_owned(),
    ]
}

#[test]
fn jlcparts_reads_a_layout() {
    let dir = tempfile::tempdir().unwrap();
    jlcparts_layout(dir.path(), &jlcparts_lines());
    let mut sink = Collect::default();
    jlcparts::read(dir.path().to_str().unwrap(), &mut sink).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    assert_eq!(sink.parts.len(), 3);
    assert_eq!(sink.progress.first(), Some(&(0, Some(3))));
    assert_eq!(sink.progress.last(), Some(&(3, Some(3))));

    let resistor = sink.part("RC-02W300JT");
    assert_eq!(resistor.manufacturer, "FH(Guangdong Fenghua Advanced Tech)");
    assert_eq!(resistor.category, ["Resistors", "Chip Resistor - Surface Mount"]);
    assert!(resistor.description.as_deref().unwrap().starts_with("-55℃~+155℃ 30Ω"));
    assert_eq!(
        resistor.datasheet_url.as_deref(),
        Some("https://jlcpcb.com/api/file/downloadByFileSystemAccessId/8588898840480501760")
    );
    assert_eq!(
        resistor.image_url.as_deref(),
        Some(
            "https://assets.lcsc.com/images/lcsc/900x900/20221227_FH--Guangdong-Fenghua-Advanced-Tech-RC-02W300JT_C1091_front.jpg"
        )
    );
    let specs: Vec<(&str, &str, &str, Option<&str>)> = resistor
        .specs
        .iter()
        .map(|s| (s.attribute.as_str(), s.shortname.as_str(), s.display_value.as_str(), s.units.as_deref()))
        .collect();
    assert_eq!(
        specs,
        [
            ("Resistance", "resistance", "30 Ω", Some("Ω")),
            ("Power Rating", "powerrating", "62.5 mW", Some("W")),
            ("Case/Package", "case_package", "0402", None),
            ("Min Operating Temperature", "minoperatingtemperature", "-55 °C", Some("°C")),
            ("Max Operating Temperature", "maxoperatingtemperature", "155 °C", Some("°C")),
        ]
    );
    let offer = &resistor.offers[0];
    assert_eq!(resistor.offers.len(), 1);
    assert_eq!(
        (offer.seller.as_str(), offer.sku.as_str(), offer.is_authorized),
        ("LCSC", "C1091", None),
        "jlcparts does not say; the seller table decides"
    );
    assert_eq!((offer.inventory_level, offer.moq), (Some(1), Some(1)));
    assert_eq!(
        offer.click_url.as_deref(),
        Some(
            "https://www.lcsc.com/product-detail/Chip-Resistor---Surface-Mount_FH-Guangdong-Fenghua-Advanced-Tech-RC-02W300JT_C1091.html"
        )
    );
    let prices: Vec<(i64, f64, &str)> =
        offer.prices.iter().map(|p| (p.quantity, p.price, p.currency.as_str())).collect();
    assert_eq!(prices, [(1, 0.0005, "USD"), (1000, 0.0004, "USD")]);

    let comparator = sink.part("LM239N");
    assert_eq!(comparator.manufacturer, "Texas Instruments");
    assert_eq!(comparator.image_url, None);
    assert_eq!(comparator.specs[0].display_value, "1.25 V @ 1 A");
    assert_eq!(comparator.offers[0].moq, Some(50));
    assert_eq!(comparator.offers[0].click_url.as_deref(), Some("https://www.lcsc.com/product-detail/C5192.html"));

    let bare = sink.part("LM393P");
    assert_eq!(
        (bare.description.as_deref(), bare.datasheet_url.as_deref(), bare.image_url.as_deref()),
        (None, None, None)
    );
    assert!(bare.offers[0].prices.is_empty());
    assert_eq!((bare.offers[0].moq, bare.offers[0].inventory_level), (None, Some(0)));
}

#[test]
fn jlcparts_skips_unreadable_lines_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = jlcparts_lines();
    lines.insert(1, r#"["C1","broken",2,"d",null,[{"qFrom":1,"price":0.1}],null,null,[0],"#.to_owned());
    lines.insert(2, r#"["C2","NoMaker",2,"d",null,[],null,null,[1],5,1066]"#.to_owned());
    lines.insert(3, r#"["C3","Negative",2,"d",null,[],null,null,[0],-5,1066]"#.to_owned());
    lines.insert(4, r#"["C4","Free",2,"d",null,[{"qFrom":1,"qTo":null,"price":0}],null,null,[0],5,1066]"#.to_owned());
    lines.insert(5, r#"["C5","Unknown",2,"d",null,[],null,null,[0,99],5,1066]"#.to_owned());
    jlcparts_layout(dir.path(), &lines);
    let mut sink = Collect::default();
    jlcparts::read(dir.path().to_str().unwrap(), &mut sink).unwrap();
    // A part LCSC lists without a maker is still a part.
    assert_eq!(sink.parts.len(), 4);
    assert_eq!(sink.part("NoMaker").manufacturer, "Unknown");
    let skipped: Vec<(u64, &str)> = sink.skips.iter().map(|(at, reason)| (at.line, reason.as_str())).collect();
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    for (at, _) in &sink.skips {
        assert!(at.file.ends_with(SHARD), "{at}");
    }
    // Line 1 is the header.
    assert_eq!(skipped.iter().map(|s| s.0).collect::<Vec<_>>(), [3, 5, 6, 7]);
    assert!(skipped[0].1.starts_with("not a part"), "{}", skipped[0].1);
    assert!(skipped[1].1.contains("stock -5"), "{}", skipped[1].1);
    assert!(skipped[2].1.contains("price 0"), "{}", skipped[2].1);
    assert!(skipped[3].1.contains("attribute 99"), "{}", skipped[3].1);
    assert!(sink.skips[0].0.to_string().ends_with(&format!("{SHARD}:3")));
}

#[test]
fn jlcparts_truncated_gzip_fails_naming_the_shard() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..2000).map(|i| jlcparts_lines()[0].replace("C1091", &format!("C{i}"))).collect();
    jlcparts_layout(dir.path(), &lines);
    let shard = dir.path().join(SHARD);
    let bytes = std::fs::read(&shard).unwrap();
    std::fs::write(&shard, &bytes[..bytes.len() / 2]).unwrap();
    let (at, reason) = source_error(jlcparts::read(dir.path().to_str().unwrap(), &mut Collect::default()));
    assert!(at.file.ends_with(SHARD), "{at}: {reason}");
    assert!(reason.contains("truncated or corrupt"), "{reason}");
}

#[test]
fn jlcparts_unusable_layouts_fail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap().to_owned();
    let (at, _) = source_error(jlcparts::read(&path, &mut Collect::default()));
    assert!(at.file.ends_with("manifest.json"), "{at}");

    std::fs::write(dir.path().join("manifest.json"), "<html>not json</html>").unwrap();
    let (at, reason) = source_error(jlcparts::read(&path, &mut Collect::default()));
    assert!(at.file.ends_with("manifest.json") && reason.contains("not a jlcparts manifest"), "{at}: {reason}");

    jlcparts_layout(dir.path(), &jlcparts_lines());
    std::fs::remove_file(dir.path().join(SHARD)).unwrap();
    let (at, _) = source_error(jlcparts::read(&path, &mut Collect::default()));
    assert!(at.file.ends_with(SHARD), "{at}");

    gzip(&dir.path().join(SHARD), "[\"not\",\"a header\"]\n[]\n");
    let (at, reason) = source_error(jlcparts::read(&path, &mut Collect::default()));
    assert!(at.file.ends_with(SHARD) && reason.starts_with("bad header line"), "{at}: {reason}");

    gzip(&dir.path().join(SHARD), r#"{"lcsc":0,"mfr":1}"#);
    let (_, reason) = source_error(jlcparts::read(&path, &mut Collect::default()));
    assert!(reason.contains("no \"price\" field"), "{reason}");

    std::fs::write(dir.path().join("manifest.json"), json!({"categories": []}).to_string()).unwrap();
    let (_, reason) = source_error(jlcparts::read(&path, &mut Collect::default()));
    assert_eq!(reason, "the manifest lists no shards");

    let escape = json!({"categories": [{"category": "a", "subcategory": "b", "shards": ["../../etc/passwd"]}]});
    std::fs::write(dir.path().join("manifest.json"), escape.to_string()).unwrap();
    let (_, reason) = source_error(jlcparts::read(&path, &mut Collect::default()));
    assert!(reason.contains("outside the layout"), "{reason}");
}

/// Serves `dir` under `/data` on a local port (over TLS with `tls`), until the tests end.
fn serve(dir: PathBuf, tls: Option<std::sync::Arc<rustls::ServerConfig>>) -> SocketAddr {
    support::serve(tls, move |path| match std::fs::read(dir.join(path.trim_start_matches("/data/"))) {
        Ok(body) => support::response("200 OK", &[], &body),
        Err(_) => support::response("404 Not Found", &[], b""),
    })
}

/// Shards are read on several threads, yet parts reach the sink in manifest order: a big first
/// shard does not let the small ones after it jump ahead, so "the first record of a part wins"
/// picks the same record in every run.
#[test]
fn jlcparts_streams_shards_in_manifest_order() {
    let dir = tempfile::tempdir().unwrap();
    jlcparts_layout(dir.path(), &jlcparts_lines());
    let line = |n: usize| format!(r#"["C{n}","PART-{n}",8,"",null,[],"",null,[8],0,1066]"#);
    let sizes = [3000, 5, 7, 1, 9, 2, 400, 3, 8, 6, 1, 4];
    let mut shards = Vec::new();
    let mut expected = Vec::new();
    for (i, size) in sizes.iter().enumerate() {
        let name = format!("components-order-{i:03}.jsonl.gz");
        let numbers: Vec<usize> = (0..*size).map(|k| i * 10_000 + k).collect();
        let lines: Vec<String> = numbers.iter().map(|&n| line(n)).collect();
        gzip(&dir.path().join(&name), &format!("{HEADER}\n{}\n", lines.join("\n")));
        expected.extend(numbers.iter().map(|n| format!("PART-{n}")));
        shards.push(name);
    }
    let manifest = json!({
        "attributesLut": "attributes-lut.json.gz",
        "categories": [{"category": "ICs", "subcategory": "Misc", "id": 1, "componentCount": expected.len(), "shards": shards}],
        "totalComponents": expected.len(),
        "version": 2
    });
    std::fs::write(dir.path().join("manifest.json"), manifest.to_string()).unwrap();
    for _ in 0..3 {
        let mut sink = Collect::default();
        jlcparts::read(dir.path().to_str().unwrap(), &mut sink).unwrap();
        let mpns: Vec<&str> = sink.parts.iter().map(|p| p.mpn.as_str()).collect();
        assert_eq!(mpns, expected);
    }
}

#[test]
fn jlcparts_reads_over_http() {
    let dir = tempfile::tempdir().unwrap();
    jlcparts_layout(dir.path(), &jlcparts_lines());
    let base = format!("http://{}/data", serve(dir.path().to_owned(), None));
    let mut sink = Collect::default();
    jlcparts::read(&base, &mut sink).unwrap();
    assert_eq!(sink.parts.len(), 3);

    std::fs::remove_file(dir.path().join(SHARD)).unwrap();
    let (at, reason) = source_error(jlcparts::read(&format!("{base}/"), &mut Collect::default()));
    assert_eq!(at.file, format!("{base}/{SHARD}"));
    assert!(reason.contains("404"), "{reason}");
}

/// An https:// layout: refused while its certificate's CA is unknown, read once the CA is
/// configured (`fetch.extra_root_certificates`).
#[test]
fn jlcparts_reads_over_https_with_the_configured_roots() {
    let dir = tempfile::tempdir().unwrap();
    jlcparts_layout(dir.path(), &jlcparts_lines());
    let ca = support::test_ca();
    let address = serve(dir.path().to_owned(), Some(ca.server.clone()));
    let base = format!("https://localhost:{}/data", address.port());

    let (at, reason) = source_error(jlcparts::read(&base, &mut Collect::default()));
    assert_eq!(at.file, format!("{base}/manifest.json"));
    assert!(reason.starts_with("cannot fetch: TLS failed: invalid peer certificate: UnknownIssuer"), "{reason}");

    let pem = dir.path().join("ca.pem");
    std::fs::write(&pem, &ca.pem).unwrap();
    let options = HttpOptions { extra_root_certificates: vec![pem], ..HttpOptions::default() };
    ferrite_supply::http::configure(options);
    let mut sink = Collect::default();
    jlcparts::read(&base, &mut sink).unwrap();
    assert_eq!(sink.parts.len(), 3);
}

#[test]
fn jlcparts_real_layout_streams_every_part() {
    let Some(dir) = shared_data("jlcparts") else { return };
    let started = Instant::now();
    let mut sink = Count::default();
    jlcparts::read(dir.to_str().unwrap(), &mut sink).unwrap();
    eprintln!(
        "jlcparts: {} parts, {} offers, {} specs in {:.1?} ({} build)",
        sink.parts,
        sink.offers,
        sink.specs,
        started.elapsed(),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    assert!(sink.skips.is_empty(), "{:?}", &sink.skips[..sink.skips.len().min(5)]);
    assert_eq!(sink.parts, 582_280);
    assert_eq!(sink.offers, 582_280);
    // LCSC names no maker for these (an empty Manufacturer attribute).
    assert_eq!(sink.unknown_manufacturer, 488);
}

// ---------------------------------------------------------------------------------------------
// Nexar

fn nexar_part(mpn: &str, offers: Value) -> Value {
    json!({
        "id": "1057284", "slug": "/skhhlqa010-alps-1057284", "mpn": mpn,
        "manufacturer": {"name": "ALPS", "id": "631"},
        "shortDescription": "Switch Tactile N.O. SPST",
        "specs": [
            {"attribute": {"shortname": "actuatorlength", "name": "Actuator Length", "id": "466"}, "displayValue": "5.8 mm"},
            {"attribute": {"shortname": "life_cycles_", "name": "Life (Cycles)", "id": "858"}, "displayValue": "1 Mcycles"}
        ],
        "octopartUrl": "https://octopart.com/skhhlqa010-alps-1057284",
        "bestDatasheet": {"name": "Datasheet", "url": "http://datasheet.octopart.com/SKHHLQA010-ALPS-datasheet-11018116.pdf"},
        "sellers": offers
    })
}

fn nexar_offer(sku: &str, stock: i64, price: f64) -> Value {
    json!({
        "sku": sku, "id": "709366526", "inventoryLevel": stock, "moq": 42, "orderMultiple": null, "packaging": "Bulk",
        "prices": [{"quantity": 1, "price": price, "currency": "USD"}, {"quantity": 1, "price": price, "currency": ""}],
        "onOrderQuantity": null, "clickUrl": "https://octopart.com/opatz8j6/a1?t=x"
    })
}

#[test]
fn nexar_recording_emits_each_part_once_with_merged_offers() {
    let first = nexar_part(
        "SKHHLQA010",
        json!([
            {"company": {"name": "Mouser", "id": "2401"}, "offers": [nexar_offer("688-SKHHLQA010", 100, 0.5)]},
            {"company": {"name": "Verical", "id": "1"}, "offers": [nexar_offer("V1", -2, 0.3)]}
        ]),
    );
    let again = nexar_part(
        "SKHHLQA010",
        json!([
            {"company": {"name": "Mouser", "id": "2401", "homepageUrl": "https://www.mouser.com"}, "isAuthorized": true, "offers": [nexar_offer("688-SKHHLQA010", 90, 0.6)]},
            {"company": {"name": "Digi-Key", "id": "459"}, "offers": [nexar_offer("DK1", 5, 0.7), nexar_offer("DK2", 1, -1.0)]}
        ]),
    );
    let recording = json!({
        "query": "supMultiMatch(...)",
        "results": {
            "mpn_ALPS_SKHHLQA010": {"hits": 1, "reference": "q1", "parts": [first]},
            "mpn_ALPS_SKHHLQA010_again": {"hits": 2, "reference": "q2", "parts": [again, {"mpn": "", "manufacturer": {"name": "X"}}]}
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("recording.json");
    std::fs::write(&file, recording.to_string()).unwrap();
    let mut sink = Collect::default();
    nexar_json::read(file.to_str().unwrap(), &mut sink).unwrap();

    assert_eq!(sink.parts.len(), 1);
    let part = &sink.parts[0];
    assert_eq!((part.manufacturer.as_str(), part.description.as_deref()), ("ALPS", Some("Switch Tactile N.O. SPST")));
    assert_eq!(part.specs[1].shortname, "life_cycles_");
    /// Seller, SKU, stock, the feed's word on authorization, price breaks.
    type Offer<'a> = (&'a str, &'a str, Option<i64>, Option<bool>, usize);
    let offers: Vec<Offer> = part
        .offers
        .iter()
        .map(|o| (o.seller.as_str(), o.sku.as_str(), o.inventory_level, o.is_authorized, o.prices.len()))
        .collect();
    assert_eq!(
        offers,
        [
            ("Mouser", "688-SKHHLQA010", Some(90), Some(true), 1),
            ("Verical", "V1", None, None, 1),
            ("Digi-Key", "DK1", Some(5), None, 1)
        ]
    );
    let homepages: Vec<Option<&str>> = part.offers.iter().map(|o| o.seller_homepage.as_deref()).collect();
    assert_eq!(homepages, [Some("https://www.mouser.com"), None, None], "the company's homepage where given");
    let skipped: Vec<(u64, &str)> = sink.skips.iter().map(|(at, r)| (at.line, r.as_str())).collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0].1.starts_with("offer of Digi-Key: price -1"), "{skipped:?}");
    assert_eq!(skipped[1], (3, "no MPN"));
}

#[test]
fn nexar_graphql_responses() {
    let dir = tempfile::tempdir().unwrap();
    let seller = json!([{"company": {"name": "Mouser"}, "offers": [nexar_offer("M1", 1, 1.0)]}]);
    let multi = json!({"data": {"supMultiMatch": [{"hits": 1, "parts": [nexar_part("A1", seller.clone())]}, {"hits": 0, "parts": []}]}});
    let search = json!({"data": {"supSearch": {"hits": 2, "results": [
        {"part": nexar_part("B1", seller.clone())},
        {"part": {"mpn": "B2", "manufacturer": {"name": "TI"}, "specs": null, "sellers": null,
                  "category": {"name": "Resistors", "ancestors": [{"name": "Electronic Parts"}, {"name": "Passive Components"}]},
                  "bestImage": {"url": "https://sigma.octopart.com/1/image/x.jpg"}}}
    ]}}});
    std::fs::write(dir.path().join("a-multi.json"), multi.to_string()).unwrap();
    std::fs::write(dir.path().join("b-search.json"), search.to_string()).unwrap();
    std::fs::write(dir.path().join("c-broken.json"), "{\"errors\": [{\"message\": \"Unauthorized\"}]}").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not read").unwrap();
    let mut sink = Collect::default();
    nexar_json::read(dir.path().to_str().unwrap(), &mut sink).unwrap();
    let mpns: Vec<&str> = sink.parts.iter().map(|p| p.mpn.as_str()).collect();
    assert_eq!(mpns, ["A1", "B1", "B2"]);
    let b2 = sink.part("B2");
    assert_eq!(b2.category, ["Electronic Parts", "Passive Components", "Resistors"]);
    assert_eq!(b2.image_url.as_deref(), Some("https://sigma.octopart.com/1/image/x.jpg"));
    assert_eq!(sink.skips.len(), 1);
    assert!(
        sink.skips[0].0.file.ends_with("c-broken.json") && sink.skips[0].1.contains("Unauthorized"),
        "{:?}",
        sink.skips
    );

    let (at, reason) =
        source_error(nexar_json::read(dir.path().join("c-broken.json").to_str().unwrap(), &mut Collect::default()));
    assert!(at.file.ends_with("c-broken.json") && reason.contains("GraphQL error"), "{reason}");
    std::fs::write(dir.path().join("d.json"), "\u{1f}\u{8b} binary").unwrap();
    let (_, reason) =
        source_error(nexar_json::read(dir.path().join("d.json").to_str().unwrap(), &mut Collect::default()));
    assert!(reason.starts_with("not JSON"), "{reason}");
    let (_, reason) = source_error(nexar_json::read("/no/such/file.json", &mut Collect::default()));
    assert!(reason.starts_with("cannot open"), "{reason}");
}

/// What PROVENANCE.md states of the two recordings, counted from the raw JSON: per file, parts
/// are distinct parts (a part answering several queries counts once), sellers are distinct seller
/// names, offers are the offers of those distinct parts.
fn nexar_raw_counts(recording: &Value) -> (usize, usize, usize, usize) {
    let mut parts = BTreeMap::new();
    for set in recording["results"].as_object().unwrap().values() {
        for part in set["parts"].as_array().unwrap() {
            parts.insert((part["manufacturer"]["name"].to_string(), part["mpn"].to_string()), part);
        }
    }
    let sellers: HashSet<&Value> =
        parts.values().flat_map(|p| p["sellers"].as_array().unwrap()).map(|s| &s["company"]["name"]).collect();
    let offers = parts
        .values()
        .flat_map(|p| p["sellers"].as_array().unwrap())
        .map(|s| s["offers"].as_array().unwrap().len())
        .sum();
    let distinct_offers = parts
        .values()
        .map(|p| {
            let keys: HashSet<(&Value, &Value)> = p["sellers"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| s["offers"].as_array().unwrap().iter().map(move |o| (&s["company"]["name"], &o["sku"])))
                .collect();
            keys.len()
        })
        .sum();
    (parts.len(), sellers.len(), offers, distinct_offers)
}

#[test]
fn nexar_real_recordings() {
    let Some(dir) = shared_data("nexar") else { return };
    let mut totals = (0, 0, 0);
    for (name, expected) in [
        ("supMultiMatch-2022-10-28.json", (73, 143, 2066, 2005)),
        ("supMultiMatch-2022-12-14.json", (56, 98, 1449, 1401)),
    ] {
        let file = dir.join(name);
        let raw: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(nexar_raw_counts(&raw), expected, "{name}");
        totals = (totals.0 + expected.0, totals.1 + expected.1, totals.2 + expected.2);

        let mut sink = Collect::default();
        nexar_json::read(file.to_str().unwrap(), &mut sink).unwrap();
        assert!(sink.skips.is_empty(), "{name}: {:?}", sink.skips);
        let sellers: BTreeSet<&str> = sink.parts.iter().flat_map(|p| &p.offers).map(|o| o.seller.as_str()).collect();
        let offers: usize = sink.parts.iter().map(|p| p.offers.len()).sum();
        // Offers with the same seller and SKU (Verical lists lots that way) are one offer here.
        assert_eq!((sink.parts.len(), sellers.len(), offers), (expected.0, expected.1, expected.3), "{name}");
    }
    assert_eq!(totals, (129, 241, 3515), "PROVENANCE.md: 129 parts, 241 sellers, 3,515 offers in all");
}

#[test]
fn shortnames_match_every_pair_in_the_nexar_recordings() {
    let Some(dir) = shared_data("nexar") else { return };
    let mut pairs = BTreeSet::new();
    for name in ["supMultiMatch-2022-10-28.json", "supMultiMatch-2022-12-14.json"] {
        let raw: Value = serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap();
        for set in raw["results"].as_object().unwrap().values() {
            for part in set["parts"].as_array().unwrap() {
                for spec in part["specs"].as_array().unwrap() {
                    let attribute = &spec["attribute"];
                    pairs.insert((
                        attribute["name"].as_str().unwrap().to_owned(),
                        attribute["shortname"].as_str().unwrap().to_owned(),
                    ));
                }
            }
        }
    }
    assert!(pairs.len() > 150, "{}", pairs.len());
    let wrong: Vec<_> = pairs.iter().filter(|(name, short)| shortname(name) != *short).collect();
    assert!(wrong.is_empty(), "{wrong:?}");
}

// ---------------------------------------------------------------------------------------------
// DigiKey

fn digikey_product(mpn: &str, variations: Value) -> Value {
    json!({
        "description": {"product_description": "IC REG LINEAR 3.3V 600MA SOT223", "detailed_description": "Linear Voltage Regulator IC Positive Fixed 1 Output 3.3V 600mA SOT-223"},
        "manufacturer": {"id": 31, "name": "Diodes Incorporated"},
        "manufacturer_product_number": mpn,
        "unit_price": 0.5,
        "product_url": "https://www.digikey.com/en/products/detail/diodes-incorporated/AP2114H-3-3TRG1/4470746",
        "datasheet_url": "//www.diodes.com/assets/Datasheets/AP2114.pdf",
        "photo_url": "https://mm.digikey.com/Volume0/opasdata/d220001/medias/images/SOT-223.jpg",
        "product_variations": variations,
        "parameters": [
            {"parameter_id": 16, "parameter_text": "Package / Case", "parameter_type": "String", "value_id": "1", "value_text": "TO-261-4, TO-261AA"},
            {"parameter_id": 2, "parameter_text": "Voltage - Output (Min/Fixed)", "parameter_type": "UnitOfMeasure", "value_id": "3.3 V", "value_text": "3.3V"},
            {"parameter_id": 5, "parameter_text": "Features", "parameter_type": "String", "value_id": "1", "value_text": "-"}
        ],
        "category": {"category_id": 32, "parent_id": 0, "name": "Integrated Circuits (ICs)", "child_categories": [
            {"category_id": 2, "parent_id": 32, "name": "Power Management (PMIC)", "child_categories": [
                {"category_id": 699, "parent_id": 2, "name": "Voltage Regulators - Linear, Low Drop Out (LDO) Regulators", "child_categories": []}
            ]}
        ]}
    })
}

fn digikey_variation(sku: &str, package: &str, market_place: bool) -> Value {
    json!({
        "digi_key_product_number": sku, "package_type": {"id": 2, "name": package},
        "standard_pricing": [{"break_quantity": 1, "unit_price": 0.5, "total_price": 0.5}, {"break_quantity": 10, "unit_price": 0.4, "total_price": 4.0}],
        "my_pricing": [], "market_place": market_place, "supplier": {"id": 1, "name": "x"},
        "quantity_availablefor_package_type": 1234, "minimum_order_quantity": 1, "standard_package": 0
    })
}

#[test]
fn digikey_product_details_and_searches() {
    let dir = tempfile::tempdir().unwrap();
    let details = json!({
        "search_locale_used": {"site": "us", "language": "en", "currency": "EUR"},
        "product": digikey_product("AP2114H-3.3TRG1", json!([
            digikey_variation("AP2114H-3.3TRG1DICT-ND", "Cut Tape (CT)", false),
            digikey_variation("2156-AP2114H-ND", "Bulk", true),
            {"digi_key_product_number": "", "standard_pricing": []}
        ]))
    });
    let search = json!({
        "products": [digikey_product("AP2114H-3.3TRG1", json!([digikey_variation("AP2114H-3.3TRG1DITR-ND", "Tape & Reel (TR)", false)])),
                     digikey_product("AP2114H-1.2TRG1", json!([]))],
        "products_count": 2,
        "exact_matches": [digikey_product("AP2114H-1.2TRG1", json!([]))],
        "search_locale_used": {"site": "us", "language": "en", "currency": "EUR"}
    });
    std::fs::write(dir.path().join("dpn_AP2114H.json"), details.to_string()).unwrap();
    std::fs::write(dir.path().join("key_AP2114H.json"), search.to_string()).unwrap();
    std::fs::write(dir.path().join("dpn_unknown.json"), "null").unwrap();
    std::fs::write(dir.path().join("dpn_truncated.json"), "{\"product\": {").unwrap();
    let mut sink = Collect::default();
    digikey_v4::read(dir.path().to_str().unwrap(), &mut sink).unwrap();

    assert_eq!(sink.parts.len(), 2);
    let part = sink.part("AP2114H-3.3TRG1");
    assert_eq!(part.manufacturer, "Diodes Incorporated");
    assert_eq!(
        part.description.as_deref(),
        Some("Linear Voltage Regulator IC Positive Fixed 1 Output 3.3V 600mA SOT-223")
    );
    assert_eq!(
        part.category,
        [
            "Integrated Circuits (ICs)",
            "Power Management (PMIC)",
            "Voltage Regulators - Linear, Low Drop Out (LDO) Regulators"
        ]
    );
    assert_eq!(part.datasheet_url.as_deref(), Some("https://www.diodes.com/assets/Datasheets/AP2114.pdf"));
    let specs: Vec<(&str, &str)> =
        part.specs.iter().map(|s| (s.shortname.as_str(), s.display_value.as_str())).collect();
    assert_eq!(specs, [("case_package", "TO-261-4, TO-261AA"), ("outputvoltage", "3.3 V")]);
    let offers: Vec<(&str, &str, Option<bool>, Option<&str>)> = part
        .offers
        .iter()
        .map(|o| (o.seller.as_str(), o.sku.as_str(), o.is_authorized, o.packaging.as_deref()))
        .collect();
    assert_eq!(
        offers,
        [
            ("Digi-Key", "AP2114H-3.3TRG1DICT-ND", Some(true), Some("Cut Tape (CT)")),
            ("Digi-Key", "2156-AP2114H-ND", Some(false), Some("Bulk")),
            ("Digi-Key", "AP2114H-3.3TRG1DITR-ND", Some(true), Some("Tape & Reel (TR)")),
        ]
    );
    let offer = &part.offers[0];
    assert_eq!((offer.inventory_level, offer.moq, offer.prices.len()), (Some(1234), Some(1), 2));
    assert_eq!((offer.prices[1].quantity, offer.prices[1].price, offer.prices[1].currency.as_str()), (10, 0.4, "EUR"));
    assert_eq!(
        offer.click_url.as_deref(),
        Some("https://www.digikey.com/en/products/detail/diodes-incorporated/AP2114H-3-3TRG1/4470746")
    );

    let mut skipped: Vec<String> = sink
        .skips
        .iter()
        .map(|(at, r)| format!("{}: {r}", Path::new(&at.file).file_name().unwrap().to_str().unwrap()))
        .collect();
    skipped.sort();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert!(
        skipped[0].starts_with(
            "dpn_AP2114H.json: variation of Diodes Incorporated AP2114H-3.3TRG1: no digi_key_product_number"
        ),
        "{skipped:?}"
    );
    assert!(skipped[1].starts_with("dpn_truncated.json: not JSON"), "{skipped:?}");
    assert_eq!(skipped[2], "dpn_unknown.json: empty response (null): no product");

    let (_, reason) = source_error(digikey_v4::read(
        dir.path().join("dpn_truncated.json").to_str().unwrap(),
        &mut Collect::default(),
    ));
    assert!(reason.starts_with("not JSON"), "{reason}");
}

#[test]
fn digikey_real_responses() {
    let Some(dir) = shared_data("digikey-v4") else { return };
    let mut sink = Collect::default();
    digikey_v4::read(dir.to_str().unwrap(), &mut sink).unwrap();
    // 42 product details and 4 keyword searches, merged; 5 responses are `null`.
    let offers: usize = sink.parts.iter().map(|p| p.offers.len()).sum();
    assert_eq!((sink.parts.len(), offers), (67, 141));
    assert_eq!(sink.skips.len(), 5, "{:?}", sink.skips);
    assert!(sink.skips.iter().all(|(_, reason)| reason.starts_with("empty response (null)")));
    let part = sink.part("LM4040DEX3-3.3+T");
    assert!(!part.category.is_empty() && !part.specs.is_empty() && part.datasheet_url.is_some(), "{part:?}");
}

// ---------------------------------------------------------------------------------------------
// Kitspace PartInfo

fn spec_values(part: &FeedPart) -> Vec<(&str, &str, &str, Option<&str>)> {
    part.specs
        .iter()
        .map(|s| (s.shortname.as_str(), s.attribute.as_str(), s.display_value.as_str(), s.units.as_deref()))
        .collect()
}

#[test]
fn kitspace_answers_become_one_part_each_with_every_sellers_offers() {
    let mut sink = Collect::default();
    kitspace_partinfo::read(kitspace_cache().to_str().unwrap(), &mut sink).unwrap();
    let mpns: Vec<&str> = sink.parts.iter().map(|p| p.mpn.as_str()).collect();
    assert_eq!(mpns, ["ERJ-3EKF1002V", "GRM188R61A226ME15D", "LM2611BMF/NOPB", "RC0603FR-0710KL"]);

    // Answered by its MPN and by a Digi-Key SKU: one part, the offers of both, text as written.
    let resistor = sink.part("ERJ-3EKF1002V");
    assert_eq!(resistor.manufacturer, "Panasonic");
    assert_eq!(resistor.description.as_deref(), Some("Res Thick Film 0603 10K Ohm 1% ±100ppm/°C Pad SMD T/R"));
    assert_eq!(
        resistor.datasheet_url.as_deref(),
        Some("http://datasheet.octopart.com/ERJ-3EKF1002V-Panasonic-datasheet.pdf")
    );
    assert!(resistor.aka_mpns.is_empty() && resistor.category.is_empty() && resistor.image_url.is_none());
    assert_eq!(
        spec_values(resistor),
        [
            ("resistance", "Resistance", "10 kΩ", Some("Ω")),
            ("case_package", "Case/Package", "0603", None),
            ("tolerance", "Tolerance", "1 %", Some("%")),
            ("minoperatingtemperature", "Min Operating Temperature", "-55 °C", Some("°C")),
            ("maxoperatingtemperature", "Max Operating Temperature", "155 °C", Some("°C")),
            ("lifecyclestatus", "Lifecycle Status", "Production", None),
        ]
    );
    /// Seller, SKU, stock, MOQ, authorized.
    type Row<'a> = (&'a str, &'a str, Option<i64>, Option<i64>, Option<bool>);
    let offers: Vec<Row> = resistor
        .offers
        .iter()
        .map(|o| (o.seller.as_str(), o.sku.as_str(), o.inventory_level, o.moq, o.is_authorized))
        .collect();
    assert_eq!(
        offers,
        [
            // The later answer's stock; Octopart's -2 ("in stock, quantity unknown") and an MOQ of 0 mean not stated.
            ("Digi-Key", "P10.0KHCT-ND", Some(90), Some(1), None),
            ("Farnell", "2059330", None, Some(10), None),
            ("LCSC", "C25804", Some(5000), None, None),
            ("Mouser", "667-ERJ-3EKF1002V", Some(20000), None, None),
        ]
    );
    let prices = |offer: usize| -> Vec<(i64, f64, &str)> {
        resistor.offers[offer].prices.iter().map(|p| (p.quantity, p.price, p.currency.as_str())).collect()
    };
    assert_eq!(prices(0), [(1, 0.1, "USD"), (10, 0.044, "USD")]);
    assert_eq!(prices(1), [(10, 0.05, "GBP"), (100, 0.01, "GBP")]);
    assert_eq!(prices(2), [(100, 0.0023, "EUR"), (100, 0.002, "GBP"), (100, 0.0027, "USD")], "every currency");
    assert!(prices(3).is_empty());
    assert_eq!(resistor.offers[0].click_url.as_deref(), Some("https://octopart.com/click/track?ai=1&sid=459&vpid=1"));

    let capacitor = sink.part("GRM188R61A226ME15D");
    assert_eq!(
        spec_values(capacitor),
        [
            ("capacitance", "Capacitance", "22 µF", Some("F")),
            ("case_package", "Case/Package", "1608, 0603", None),
            ("casecode_metric_", "Case Code (Metric)", "1608", None),
            ("dielectric", "Dielectric", "X5R", None),
        ],
        "a null value is no spec"
    );
    assert_eq!(ferrite_core::units::si_value(&capacitor.specs[0].display_value), Some(22e-6));
    assert_eq!((capacitor.offers[0].seller.as_str(), capacitor.offers[0].inventory_level), ("TME", Some(0)));

    let ic = sink.part("LM2611BMF/NOPB");
    assert_eq!(
        spec_values(ic),
        [
            ("case_package", "Case/Package", "SOT-23", None),
            ("numberofpins", "Number of Pins", "5", None),
            ("lifecyclestatus", "Lifecycle Status", "New", None),
        ]
    );
    assert_eq!(ic.offers[0].seller, "RS");

    // The unpriceable offer is left out, the part and its other offers stay.
    let skipped: Vec<(u64, &str)> = sink.skips.iter().map(|(at, r)| (at.line, r.as_str())).collect();
    assert_eq!(
        skipped,
        [
            (5, "mpn_UNKNOWN.dat: empty answer (null): no part"),
            (6, "mpn_NOPART.dat: no mpn.part"),
            (7, "mpn_RC0603FR-0710KL.dat: offer of RS: price 0 is not a positive number"),
        ]
    );
    assert!(sink.skips.iter().all(|(at, _)| at.file.ends_with("kitspace-partinfo.json")));
    assert_eq!(sink.part("RC0603FR-0710KL").offers[0].seller, "Newark");
}

#[test]
fn kitspace_files_that_are_not_caches_fail_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, expected) in [
        ("truncated.json", r#"{"mpn_X.dat": {"mpn": "#, "not JSON: EOF while parsing"),
        (
            "list.json",
            r#"[{"mpn": {"manufacturer": "TI", "part": "X"}}]"#,
            "not a Kitspace PartInfo cache (an object of answers by cache name): invalid type: sequence",
        ),
        ("null.json", "null", "not a Kitspace PartInfo cache: null"),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let (at, reason) = source_error(kitspace_partinfo::read(file.to_str().unwrap(), &mut Collect::default()));
        assert!(at.file.ends_with(name), "{at}");
        assert!(reason.starts_with(expected), "{name}: {reason}");
    }
    // In a directory, a bad file is skipped and reported and the others are read.
    std::fs::copy(kitspace_cache(), dir.path().join("responses.json")).unwrap();
    let mut sink = Collect::default();
    kitspace_partinfo::read(dir.path().to_str().unwrap(), &mut sink).unwrap();
    assert_eq!(sink.parts.len(), 4);
    let bad: Vec<&str> = sink.skips.iter().filter(|(at, _)| at.line == 0).map(|(at, _)| at.file.as_str()).collect();
    assert_eq!(bad.len(), 3, "{:?}", sink.skips);
}

/// The real cache KiCost's tests carry: 368 answers of 354 parts (14 answered by both their MPN
/// and a seller's SKU), 2,854 offers of which 103 repeat across answers, from 7 sellers.
#[test]
fn kitspace_real_answers() {
    let Some(dir) = shared_data("kitspace-partinfo") else { return };
    let file = dir.join("responses.json");
    let mut sink = Collect::default();
    kitspace_partinfo::read(file.to_str().unwrap(), &mut sink).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    let offers: usize = sink.parts.iter().map(|p| p.offers.len()).sum();
    assert_eq!((sink.parts.len(), offers), (354, 2751));
    let sellers: BTreeSet<&str> = sink.parts.iter().flat_map(|p| &p.offers).map(|o| o.seller.as_str()).collect();
    assert_eq!(sellers, BTreeSet::from(["Digi-Key", "Farnell", "LCSC", "Mouser", "Newark", "RS", "TME"]));
    let several = sink.parts.iter().filter(|p| p.offers.iter().map(|o| &o.seller).collect::<HashSet<_>>().len() > 1);
    assert_eq!(several.count(), 301, "parts sold by several sellers");
    let mangled = |text: &str| text.contains('Â') || text.contains('Ã') || text.contains('Î');
    for part in &sink.parts {
        assert!(!mangled(&part.manufacturer) && !part.description.as_deref().is_some_and(mangled), "{part:?}");
        assert!(part.specs.iter().all(|s| !mangled(&s.display_value)), "{:?}", part.specs);
    }
    assert!(sink.parts.iter().any(|p| p.manufacturer == "Würth Elektronik"));

    // Every resistance, capacitance, package and lifecycle the answers give comes out in Octopart's words.
    let raw: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let mut carried: BTreeMap<&str, usize> = BTreeMap::new();
    for answer in raw.as_object().unwrap().values() {
        let mpn = answer["mpn"]["part"].as_str().unwrap();
        let part = sink.part(mpn);
        for spec in answer["specs"].as_array().unwrap() {
            let shortname = match spec["key"].as_str().unwrap() {
                "resistance" => "resistance",
                "capacitance" => "capacitance",
                "case_package" => "case_package",
                "lifecycle_status" => "lifecyclestatus",
                _ => continue,
            };
            if spec["value"].is_null() {
                continue;
            }
            let ours = part.specs.iter().find(|s| s.shortname == shortname);
            let ours = ours.unwrap_or_else(|| panic!("{mpn} lacks {shortname}: {:?}", part.specs));
            if matches!(shortname, "resistance" | "capacitance") {
                let si = ferrite_core::units::si_value(&ours.display_value);
                assert!(si.is_some(), "{mpn} {shortname} {:?} reads as a number", ours.display_value);
            }
            *carried.entry(shortname).or_default() += 1;
        }
    }
    assert_eq!(
        carried,
        BTreeMap::from([("capacitance", 83), ("case_package", 196), ("lifecyclestatus", 104), ("resistance", 74)])
    );
    let lifecycles: BTreeSet<&str> = sink
        .parts
        .iter()
        .flat_map(|p| &p.specs)
        .filter(|s| s.shortname == "lifecyclestatus")
        .map(|s| s.display_value.as_str())
        .collect();
    assert_eq!(lifecycles, BTreeSet::from(["NRND", "New", "Production"]));
    let capacitor = sink.part("GRM188R61A226ME15D");
    let specs: Vec<(&str, &str)> = capacitor
        .specs
        .iter()
        .filter(|s| matches!(s.shortname.as_str(), "capacitance" | "case_package" | "lifecyclestatus"))
        .map(|s| (s.shortname.as_str(), s.display_value.as_str()))
        .collect();
    assert_eq!(specs, [("capacitance", "22 µF"), ("case_package", "1608, 0603"), ("lifecyclestatus", "Production")]);
    let ic = sink.part("LM2611BMF/NOPB");
    assert!(
        ["case_package", "lifecyclestatus", "numberofpins"].iter().all(|s| ic.specs.iter().any(|x| x.shortname == *s))
    );
}

// ---------------------------------------------------------------------------------------------
// CSV

#[test]
fn csv_rows_become_parts_and_offers() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.csv");
    std::fs::write(
        &file,
        "\u{feff}mpn,manufacturer,description,category,datasheet_url,image_url,seller,sku,authorized,stock,moq,order_multiple,packaging,currency,price_breaks,click_url,spec:Resistance,spec:Case/Package\n\
         RC0402FR-0710KL,Yageo,\"RES 10K OHM 1% 1/16W 0402, thick film\",Resistors > Chip Resistor - Surface Mount,https://www.yageo.com/rc.pdf,,Acme,A-1,yes,15000,10,10,Cut Tape,USD,1:0.10;100:0.08;,https://acme.example/A-1,10 kΩ,0402\n\
         RC0402FR-0710KL,Yageo,,,,,Acme,A-1-R,no,0,10000,,Reel,USD,10000:0.002,,,\n\
         LM358DR,Texas Instruments,Dual op amp,,,,,,,,,,,,,,,SOIC-8\n",
    )
    .unwrap();
    let mut sink = Collect::default();
    csv::read(file.to_str().unwrap(), &mut sink).unwrap();
    assert!(sink.skips.is_empty(), "{:?}", sink.skips);
    assert_eq!(sink.parts.len(), 2);
    let resistor = sink.part("RC0402FR-0710KL");
    assert_eq!(resistor.description.as_deref(), Some("RES 10K OHM 1% 1/16W 0402, thick film"));
    assert_eq!(resistor.category, ["Resistors", "Chip Resistor - Surface Mount"]);
    let specs: Vec<(&str, &str, &str)> =
        resistor.specs.iter().map(|s| (s.attribute.as_str(), s.shortname.as_str(), s.display_value.as_str())).collect();
    assert_eq!(specs, [("Resistance", "resistance", "10 kΩ"), ("Case/Package", "case_package", "0402")]);
    assert_eq!(resistor.offers.len(), 2);
    let cut = &resistor.offers[0];
    assert_eq!(
        (cut.sku.as_str(), cut.is_authorized, cut.inventory_level, cut.moq, cut.order_multiple),
        ("A-1", Some(true), Some(15000), Some(10), Some(10))
    );
    let prices: Vec<(i64, f64, &str)> = cut.prices.iter().map(|p| (p.quantity, p.price, p.currency.as_str())).collect();
    assert_eq!(prices, [(1, 0.10, "USD"), (100, 0.08, "USD")]);
    assert_eq!(cut.click_url.as_deref(), Some("https://acme.example/A-1"));
    let reel = &resistor.offers[1];
    assert_eq!(
        (reel.is_authorized, reel.inventory_level, reel.packaging.as_deref()),
        (Some(false), Some(0), Some("Reel"))
    );
    let op_amp = sink.part("LM358DR");
    assert!(op_amp.offers.is_empty());
    assert_eq!(op_amp.specs[0].display_value, "SOIC-8");
}

#[test]
fn csv_unknown_columns_fail_the_feed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.csv");
    std::fs::write(&file, "mpn,manufacturer,stok,Price\nA,B,1,2\n").unwrap();
    let (at, reason) = source_error(csv::read(file.to_str().unwrap(), &mut Collect::default()));
    assert!(at.file.ends_with("feed.csv"));
    assert!(reason.starts_with("unknown columns: stok, Price"), "{reason}");

    for (header, expected) in [
        ("mpn,seller\n", "no Manufacturer column"),
        ("mpn,manufacturer,MPN\n", "column Mpn appears twice"),
        ("mpn,manufacturer,spec:\n", "a spec: column without an attribute name"),
    ] {
        std::fs::write(&file, header).unwrap();
        let (_, reason) = source_error(csv::read(file.to_str().unwrap(), &mut Collect::default()));
        assert!(reason.starts_with(expected), "{header}: {reason}");
    }
}

#[test]
fn csv_bad_values_skip_their_row() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.csv");
    let rows = [
        "mpn,manufacturer,seller,sku,stock,moq,currency,price_breaks,datasheet_url",
        "GOOD1,Maker,S,1,5,,USD,1:1.5,",
        "BAD,Maker,S,2,many,,,,",
        "BAD,Maker,S,3,-1,,,,",
        "BAD,Maker,S,4,1000000000001,,,,",
        "BAD,Maker,S,5,1,,USD,1:0,",
        "BAD,Maker,S,6,1,,USD,1:NaN,",
        "BAD,Maker,S,7,1,,,1:0.5,",
        "BAD,Maker,S,8,1,0,,,",
        "BAD,Maker,S,,1,,,,",
        ",Maker,S,10,1,,,,",
        "BAD,Maker,S,11,1,,USD,1:0.5,javascript:alert(1)",
        "GOOD1,Maker,S,1,7,,,,",
        "\"multi\nline\",Maker,S,12,1,,,,,extra",
        "GOOD2,Maker,S,13,1e3,,,,",
        "GOOD3,Maker,,,,,,,",
    ];
    std::fs::write(&file, rows.join("\n")).unwrap();
    let mut sink = Collect::default();
    csv::read(file.to_str().unwrap(), &mut sink).unwrap();
    let mpns: Vec<&str> = sink.parts.iter().map(|p| p.mpn.as_str()).collect();
    assert_eq!(mpns, ["GOOD1", "GOOD3"]);
    assert_eq!(sink.parts[0].offers[0].inventory_level, Some(5));
    let skipped: Vec<(u64, &str)> = sink.skips.iter().map(|(at, r)| (at.line, r.as_str())).collect();
    let expected: [(u64, &str); 13] = [
        (3, "stock \"many\" is not a whole number"),
        (4, "stock -1 is below 0"),
        (5, "stock 1000000000001 is absurd"),
        (6, "price 0 is not a positive number"),
        (7, "price NaN is not a positive number"),
        (8, "price_breaks need a currency"),
        (9, "moq 0 is below 1"),
        (10, "an offer needs both seller and sku"),
        (11, "no mpn"),
        (12, "datasheet_url \"javascript:alert(1)\" is not an http(s) link"),
        (13, "a second row for offer S 1"),
        (14, "unreadable row"),
        (16, "stock \"1e3\" is not a whole number"),
    ];
    assert_eq!(skipped.len(), 13, "{skipped:?}");
    for ((line, reason), (want_line, want)) in skipped.iter().zip(&expected) {
        assert_eq!(line, want_line, "{skipped:?}");
        assert!(reason.starts_with(want), "line {line}: {reason:?} should start with {want:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Adapters by name

#[test]
fn adapters_by_name() {
    for adapter in Adapter::ALL {
        assert_eq!(adapter.name().parse::<Adapter>().unwrap(), adapter);
        assert_eq!(adapter.to_string(), adapter.name());
    }
    let error = "octopart".parse::<Adapter>().unwrap_err();
    assert!(
        error
            .to_string()
            .contains("jlcparts, nexar-json, digikey-v4, kitspace-partinfo, csv, tme, element14 or mouser"),
        "{error}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.csv");
    std::fs::write(&file, "mpn,manufacturer\nLM358DR,Texas Instruments\n").unwrap();
    let mut sink = Collect::default();
    Adapter::Csv.read(file.to_str().unwrap(), &mut sink).unwrap();
    assert_eq!(sink.parts.len(), 1);
    let (_, reason) = source_error(Adapter::Jlcparts.read(file.to_str().unwrap(), &mut Collect::default()));
    assert!(reason.contains("not a directory"), "{reason}");
}

/// A sink that fails stops the read with its error.
#[test]
fn a_failing_sink_stops_the_read() {
    struct Refuse(u64);
    impl PartSink for Refuse {
        fn part(&mut self, _: FeedPart) -> Result<(), FeedError> {
            self.0 += 1;
            Err(FeedError::Sink("disk full".into()))
        }
        fn skip(&mut self, _: Location, _: String) {}
        fn progress(&mut self, _: u64, _: Option<u64>) {}
    }
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..3000).map(|i| jlcparts_lines()[0].replace("C1091", &format!("C{i}"))).collect();
    jlcparts_layout(dir.path(), &lines);
    let mut sink = Refuse(0);
    let result = jlcparts::read(dir.path().to_str().unwrap(), &mut sink);
    assert!(matches!(result, Err(FeedError::Sink(ref m)) if m == "disk full"), "{result:?}");
    assert_eq!(sink.0, 1);
}

/// Issue 13: nesting deep enough to overflow a parser's stack aborts the process. Every JSON
/// feed reads through serde_json, which refuses nesting past 128 levels before it recurses
/// further: a document nested 100,000 deep is refused as a source (or its line skipped), on a
/// thread with a quarter of the usual stack.
#[test]
fn deeply_nested_json_is_refused_clearly_in_every_feed() {
    let deep = |inner: &str| format!("{}{inner}{}", "[".repeat(100_000), "]".repeat(100_000));
    let on_small_stack = |run: Box<dyn FnOnce() + Send>| {
        std::thread::Builder::new().stack_size(512 << 10).spawn(run).unwrap().join().unwrap();
    };
    on_small_stack(Box::new(move || {
        let dir = tempfile::tempdir().unwrap();
        for (name, document) in [
            ("nexar.json", format!(r#"{{"results": {}}}"#, deep("1"))),
            ("nexar-data.json", format!(r#"{{"data": {{"supSearch": {}}}}}"#, deep("{}"))),
            ("digikey.json", format!(r#"{{"products": {}}}"#, deep("{}"))),
            ("kitspace.json", format!(r#"{{"mpn_X.dat": {{"offers": {}}}}}"#, deep("{}"))),
        ] {
            let file = dir.path().join(name);
            std::fs::write(&file, document).unwrap();
            let read = match name {
                _ if name.starts_with("nexar") => nexar_json::read,
                "digikey.json" => digikey_v4::read,
                _ => kitspace_partinfo::read,
            };
            let (at, reason) = source_error(read(file.to_str().unwrap(), &mut Collect::default()));
            assert!(at.file.ends_with(name), "{at}");
            assert!(reason.starts_with("not JSON: recursion limit exceeded at line 1"), "{name}: {reason}");
        }

        // jlcparts lines are read into typed fields: a deep value where a field is read is refused
        // at its first level (the line skipped with its number); in a column no field reads
        // (`joints`) it is skipped over by a loop, not by recursion. A deep table or manifest
        // fails the read.
        let mut lines = jlcparts_lines();
        lines.insert(1, format!(r#"["C8","DEEP-PRICE",2,"","",{}]"#, deep("1")));
        lines.insert(2, format!(r#"["C9","DEEP-JOINTS",{},"","",[],null,null,[8],1,1]"#, deep("1")));
        jlcparts_layout(dir.path(), &lines);
        let mut sink = Collect::default();
        jlcparts::read(dir.path().to_str().unwrap(), &mut sink).unwrap();
        assert_eq!(sink.parts.len(), 4);
        assert_eq!(sink.part("DEEP-JOINTS").offers[0].sku, "C9");
        let (at, reason) = &sink.skips[0];
        assert_eq!(at.line, 3);
        assert!(reason.starts_with("not a part: invalid type: sequence"), "{reason}");
        gzip(&dir.path().join("attributes-lut.json.gz"), &deep("0"));
        let (at, reason) = source_error(jlcparts::read(dir.path().to_str().unwrap(), &mut Collect::default()));
        assert!(at.file.ends_with("attributes-lut.json.gz") && reason.contains("recursion limit exceeded"), "{reason}");
        std::fs::write(dir.path().join("manifest.json"), format!(r#"{{"categories": {}}}"#, deep("{}"))).unwrap();
        let (at, reason) = source_error(jlcparts::read(dir.path().to_str().unwrap(), &mut Collect::default()));
        assert!(at.file.ends_with("manifest.json") && reason.starts_with("not a jlcparts manifest"), "{reason}");
    }));
}
