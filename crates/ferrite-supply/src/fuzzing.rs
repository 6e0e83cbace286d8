//! Entry points for the fuzz targets in `fuzz/` (and for the tests below, which run them on
//! random input in every test run): each takes arbitrary bytes, must never panic, and checks
//! that whatever part comes out obeys the rules every adapter promises the importer.

use std::io::Cursor;
use std::sync::OnceLock;

use crate::feeds::jlcparts::{Lut, Record, Shard, decompressed, read_shard};
use crate::feeds::merge::PartMerger;
use crate::feeds::{
    FeedError, PartSink, check, csv, digikey_v4, element14, kitspace_partinfo, mouser, nexar_json, tme,
};
use crate::model::{FeedPart, Location};

/// The real shard header. The first byte of the data chooses: even, the rest follows this header,
/// so most inputs exercise the part parser; odd, the rest is the whole shard (gzipped or not).
const HEADER: &[u8] = br#"{"lcsc":0,"mfr":1,"joints":2,"description":3,"datasheet":4,"price":5,"img":6,"url":7,"attributes":8,"stock":9,"subcategory":10}
"#;

/// A small attributes table: 0 is the manufacturer, 1 a spec, 2 a composite spec, 3 not a spec.
const LUT: &str = r#"[
["Manufacturer",{"format":"${default}","primary":"default","values":{"default":["Texas Instruments","string"]}}],
["Resistance",{"format":"${resistance}","primary":"resistance","values":{"resistance":[30.0,"resistance"]}}],
["Vf",{"default":"Vf","format":"${Vf} @ ${If}","values":{"If":[1.0,"current"],"Vf":["NaN","voltage"]}}],
["Basic/Extended",{"format":"${default}","primary":"default","values":{"default":["Extended","string"]}}]
]"#;

/// A jlcparts shard (gzipped or not) against a small attributes table; and the bytes as an
/// attributes table.
pub fn jlcparts_shard(data: &[u8]) {
    static TABLE: OnceLock<Lut> = OnceLock::new();
    let lut = TABLE.get_or_init(|| Lut::parse(LUT.as_bytes(), "lut", &mut |_, _| {}).expect("the fuzz table parses"));
    let category = ["Resistors".to_owned(), "Chip Resistor - Surface Mount".to_owned()];
    let shard = Shard { file: "fuzz.jsonl.gz", category: &category, lut };
    let bytes = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => [HEADER, rest].concat(),
        Some((_, rest)) => rest.to_vec(),
        None => Vec::new(),
    };
    if let Ok(mut reader) = decompressed(Box::new(Cursor::new(bytes))) {
        let _ = read_shard(&mut *reader, &shard, &mut |record| {
            if let Record::Part(part) = record {
                expect_valid(&part);
            }
            true
        });
    }
    let _ = Lut::parse(data, "fuzz", &mut |_, _| {});
}

/// A Nexar recording or GraphQL response.
pub fn nexar_json(data: &[u8]) {
    let mut merger = PartMerger::default();
    if nexar_json::parse(data, "fuzz.json", &mut merger, &mut Checking).is_ok() {
        let _ = merger.emit(&mut Checking);
    }
}

/// A DigiKey v4 product-details or keyword-search response.
pub fn digikey(data: &[u8]) {
    let mut merger = PartMerger::default();
    if digikey_v4::parse(data, "fuzz.json", &mut merger, &mut Checking).is_ok() {
        let _ = merger.emit(&mut Checking);
    }
}

/// A Kitspace PartInfo cache (answers by cache name).
pub fn kitspace_partinfo(data: &[u8]) {
    let mut merger = PartMerger::default();
    if kitspace_partinfo::parse(data, "fuzz.json", &mut merger, &mut Checking).is_ok() {
        let _ = merger.emit(&mut Checking);
    }
}

/// A TME recording or answer, its symbols joined into parts.
pub fn tme(data: &[u8]) {
    let mut answers = tme::Answers::default();
    if tme::parse(data, "fuzz.json", &mut answers, &mut Checking).is_ok() {
        let mut merger = PartMerger::default();
        answers.into_parts(&mut merger, &mut Checking);
        let _ = merger.emit(&mut Checking);
    }
}

/// An element14 recording or product-search answer.
pub fn element14(data: &[u8]) {
    let mut merger = PartMerger::default();
    if element14::parse(data, "mpn_X_uk.farnell.com.json", &mut merger, &mut Checking).is_ok() {
        let _ = merger.emit(&mut Checking);
    }
}

/// A Mouser recording or Search API answer.
pub fn mouser(data: &[u8]) {
    let mut merger = PartMerger::default();
    if mouser::parse(data, "fuzz.json", &mut merger, &mut Checking).is_ok() {
        let _ = merger.emit(&mut Checking);
    }
}

/// A generic CSV feed.
pub fn csv(data: &[u8]) {
    let _ = csv::read_from(data, "fuzz.csv", &mut Checking);
}

/// JSON nested as deep as the first byte says (up to 130,560 levels of arrays, or of objects
/// when the second byte is odd) around the rest of the data, read by every JSON feed — as a
/// Nexar, a DigiKey and a Kitspace document, a jlcparts line and attributes table — on a small stack: any
/// nesting that reached a parser's recursion unbounded would overflow it.
pub fn json_nesting(data: &[u8]) {
    let (levels, objects, rest) = match data {
        [levels, kind, rest @ ..] => (usize::from(*levels) * 512, kind % 2 == 1, rest),
        _ => return,
    };
    let (open, close): (&[u8], &[u8]) = if objects { (br#"{"parts":"#, b"}") } else { (b"[", b"]") };
    let mut deep = open.repeat(levels);
    deep.extend_from_slice(rest);
    deep.extend_from_slice(&close.repeat(levels));
    let thread = std::thread::Builder::new().stack_size(512 * 1024).spawn(move || {
        nexar_json(&[br#"{"results":"#.as_slice(), &deep, b"}"].concat());
        digikey(&[br#"{"products":"#.as_slice(), &deep, b"}"].concat());
        kitspace_partinfo(&[br#"{"mpn_x.dat":{"offers":"#.as_slice(), &deep, b"}}"].concat());
        tme(&[br#"{"search_X.dat":"#.as_slice(), &deep, b"}"].concat());
        element14(&[br#"{"keywordSearchReturn":"#.as_slice(), &deep, b"}"].concat());
        mouser(&[br#"{"SearchResults":"#.as_slice(), &deep, b"}"].concat());
        jlcparts_shard(&[&[0u8][..], &deep, b"\n"].concat());
        let _ = Lut::parse(&deep, "fuzz", &mut |_, _| {});
    });
    if let Err(panic) = thread.expect("a thread starts").join() {
        std::panic::resume_unwind(panic);
    }
}

/// A sink that checks every part against the rules adapters promise.
struct Checking;

impl PartSink for Checking {
    fn part(&mut self, part: FeedPart) -> Result<(), FeedError> {
        expect_valid(&part);
        Ok(())
    }
    fn skip(&mut self, _: Location, reason: String) {
        assert!(!reason.is_empty(), "a skip without a reason");
    }
    fn progress(&mut self, _: u64, _: Option<u64>) {}
}

fn expect_valid(part: &FeedPart) {
    if let Err(reason) = check::part(part) {
        panic!("an adapter let through an invalid part ({reason}): {part:?}");
    }
    assert!(part.category.iter().all(|c| !c.trim().is_empty()), "empty category level: {part:?}");
    assert!(part.specs.iter().all(|s| !s.attribute.is_empty() && !s.display_value.is_empty()), "empty spec: {part:?}");
}

/// An ECB daily reference-rate document: refused with a reason, or rates every price can be
/// converted at (positive, finite, three-letter codes, USD the base).
pub fn ecb_rates(data: &[u8]) {
    let Ok(xml) = std::str::from_utf8(data) else { return };
    if let Ok(table) = crate::rates::parse_ecb(xml, "fuzz") {
        table.rates.validate().expect("parsed rates are valid");
        assert_eq!(table.rates.0.get("USD"), Some(&1.0), "USD is the base");
    }
}

/// A search query as typed: read without panicking, every value finite and held by some
/// attribute, every package key letters and digits, and nothing of the query lost (each term is a
/// value, a package, a kind or a word).
pub fn search_query(data: &[u8]) {
    let query = String::from_utf8_lossy(data);
    let understood = crate::search::understand::understand(&query);
    for value in &understood.values {
        assert!(value.si.is_finite() && !value.attributes.is_empty(), "{value:?} from {query:?}");
    }
    for key in &understood.packages {
        assert!(!key.is_empty() && key.chars().all(char::is_alphanumeric), "package {key:?} from {query:?}");
    }
    let terms = understood.values.len() + understood.packages.len() + understood.words.len();
    let written = query.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).count();
    assert!(terms + understood.kinds.len() <= written, "more terms than the query has: {query:?}");
    // A number and its unit may be joined (`8 pF`): compared without the spaces between.
    let unspaced: String = query.split_whitespace().collect();
    assert!(
        understood.words.iter().all(|w| unspaced.contains(w.as_str())),
        "words are the query's own: {understood:?} from {query:?}"
    );
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn search_queries_never_panic(data in proptest::collection::vec(any::<u8>(), 0..128)) {
            super::search_query(&data);
        }

        #[test]
        fn plausible_search_values_never_panic(
            query in r"([0-9]{0,4}\.?[0-9]{0,3}[pnuµmkKMGRE]?[0-9]{0,4} ?(F|H|Ω|ohm|V|%|pF|kOhm)? ?){1,4}(res|caps|0603|SOT-23)?",
        ) {
            super::search_query(query.as_bytes());
        }

        #[test]
        fn jlcparts_shards_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::jlcparts_shard(&data);
        }

        #[test]
        fn plausible_jlcparts_lines_never_panic(
            lcsc in r#"(C[0-9]{1,6}|[0-9]{1,3}|null|"")"#,
            price in r#"(-?[0-9]{1,3}(\.[0-9]{1,4})?|1e309|null)"#,
            stock in r#"(-?[0-9]{1,14}|null|"x")"#,
            attributes in r#"\[([0-9]{1,2}(,[0-9]{1,2}){0,3})?\]"#,
        ) {
            let line = format!(
                "\0\n[\"{lcsc}\",\"MPN\",2,\"d\",\"https://x.io/d.pdf\",[{{\"qFrom\":1,\"qTo\":null,\"price\":{price}}}],\"i.jpg\",\"slug\",{attributes},{stock},1]\n"
            );
            super::jlcparts_shard(line.as_bytes());
        }

        #[test]
        fn gzipped_jlcparts_shards_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512), cut in 0usize..600) {
            use std::io::Write;
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            encoder.write_all(&[super::HEADER, &data].concat()).unwrap();
            let gzipped = encoder.finish().unwrap();
            // Odd first byte: no header prepended; the gzip stream, whole or cut short.
            super::jlcparts_shard(&[&[1u8][..], &gzipped[..cut.min(gzipped.len())]].concat());
            super::jlcparts_shard(&[&[1u8][..], &gzipped].concat());
        }

        #[test]
        fn nexar_json_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::nexar_json(&data);
        }

        #[test]
        fn plausible_nexar_parts_never_panic(
            mpn in r#"[ A-Z0-9-]{0,8}"#,
            inventory in -5i64..2_000_000_000_000,
            price in prop_oneof![Just("0".to_owned()), Just("-1".to_owned()), Just("1e308".to_owned()), "[0-9]{1,4}\\.[0-9]{1,3}"],
            currency in r#"(USD|usd||EURO)"#,
        ) {
            let doc = format!(
                r#"{{"results":{{"a":{{"parts":[{{"mpn":"{mpn}","manufacturer":{{"name":"TI"}},"sellers":[{{"company":{{"name":"S"}},"offers":[{{"sku":"k","inventoryLevel":{inventory},"prices":[{{"quantity":1,"price":{price},"currency":"{currency}"}}]}}]}}]}}]}}}}}}"#
            );
            super::nexar_json(doc.as_bytes());
        }

        #[test]
        fn digikey_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::digikey(&data);
        }

        #[test]
        fn kitspace_partinfo_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::kitspace_partinfo(&data);
        }

        #[test]
        fn plausible_kitspace_answers_never_panic(
            mpn in r#"[ A-Z0-9-]{0,8}"#,
            vendor in r#"(Digikey|RS| |)"#,
            stock in -5i64..2_000_000_000_000,
            moq in r#"(-?[0-9]{1,3}|null)"#,
            price in prop_oneof![Just("0".to_owned()), Just("-1".to_owned()), Just("1e308".to_owned()), "[0-9]{1,4}\\.[0-9]{1,3}"],
            currency in r#"(USD|usd||EURO)"#,
            value in r#"(null|1|"Â±5%"|"x"|\[\])"#,
        ) {
            let doc = format!(
                r#"{{"mpn_{mpn}.dat":{{"mpn":{{"manufacturer":"TI","part":"{mpn}"}},"specs":[{{"key":"resistance","value":{value}}}],"offers":[{{"sku":{{"vendor":"{vendor}","part":"k"}},"moq":{moq},"in_stock_quantity":{stock},"prices":{{"{currency}":[[1,{price}]],"GBP":null}}}}]}},"sku_x":null}}"#
            );
            super::kitspace_partinfo(doc.as_bytes());
        }

        #[test]
        fn tme_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::tme(&data);
        }

        #[test]
        fn plausible_tme_answers_never_panic(
            symbol in r#"[ A-Z0-9/-]{0,6}"#,
            stock in -5i64..2_000_000_000_000,
            price in prop_oneof![Just("0".to_owned()), Just("-1".to_owned()), Just("1e308".to_owned()), "[0-9]{1,4}\\.[0-9]{1,3}"],
            currency in r#"(USD|usd||EURO)"#,
        ) {
            let doc = format!(
                r#"{{"data_{symbol}_US_en_{currency}.dat":{{"Symbol":"{symbol}","OriginalSymbol":"M","Producer":"P","MinAmount":1,"Amount":{stock},"PriceList":[{{"Amount":1,"PriceValue":{price}}}]}},"search_{symbol}_v2.dat":[{{"symbol":"{symbol}","manufacturer_symbols":["M"],"manufacturer":{{"name":"P"}},"prices":{{"elements":[{{"amount":1,"price":{price}}}],"currency":"{currency}"}},"stock_quantity":{stock}}}]}}"#
            );
            super::tme(doc.as_bytes());
        }

        #[test]
        fn element14_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::element14(&data);
        }

        #[test]
        fn plausible_element14_answers_never_panic(
            inventory in -5i64..2_000_000_000_000,
            pack in -2i64..10_000_000_000,
            cost in prop_oneof![Just("0".to_owned()), Just("-1".to_owned()), Just("1e308".to_owned()), "[0-9]{1,4}\\.[0-9]{1,3}"],
        ) {
            let doc = format!(
                r#"{{"mpn_X_www.newark.com.dat":{{"manufacturerPartNumberSearchReturn":{{"numberOfResults":1,"products":[{{"sku":"S","translatedManufacturerPartNumber":"M","vendorName":"V","packSize":{pack},"translatedMinimumOrderQuality":{pack},"inv":{inventory},"prices":[{{"from":1,"cost":{cost}}}]}}]}}}}}}"#
            );
            super::element14(doc.as_bytes());
        }

        #[test]
        fn mouser_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::mouser(&data);
        }

        #[test]
        fn plausible_mouser_answers_never_panic(
            availability in r#"[0-9,. ]{0,8}(In Stock|On Order|)"#,
            price in r#"[$€]?[0-9,.]{0,8}( €)?"#,
            lead in r#"[0-9]{0,6} (Days|Weeks)"#,
        ) {
            let doc = format!(
                r#"{{"SearchResults":{{"Parts":[{{"ManufacturerPartNumber":"M","Manufacturer":"V","MouserPartNumber":"S","Availability":"{availability}","LeadTime":"{lead}","Min":"1","PriceBreaks":[{{"Quantity":1,"Price":"{price}","Currency":"USD"}}]}}]}}}}"#
            );
            super::mouser(doc.as_bytes());
        }

        #[test]
        fn deep_json_never_overflows(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            super::json_nesting(&data);
        }

        #[test]
        fn csv_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::csv(&data);
        }

        #[test]
        fn plausible_csv_rows_never_panic(
            row in r#"[A-Z0-9 ]{0,5},[A-Za-z ]{0,5},[a-z]{0,3},[a-z0-9]{0,3},-?[0-9e.]{0,14},[0-9:.;-]{0,16},(USD|usd|)"#,
        ) {
            let text = format!("mpn,manufacturer,seller,sku,stock,price_breaks,currency\n{row}\n");
            super::csv(text.as_bytes());
        }

        #[test]
        fn ecb_documents_with_any_rates_never_panic(usd in -320i32..320, jpy in -320i32..320, sign in "-?") {
            // Rates of every magnitude: some overflow alone, some only once divided by USD's.
            let xml = format!(
                r#"<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><Cube><Cube time="2026-12-01"><Cube currency="USD" rate="1e{usd}"/><Cube currency="JPY" rate="{sign}1e{jpy}"/></Cube></Cube></gesmes:Envelope>"#
            );
            super::ecb_rates(xml.as_bytes());
        }
    }
}
