//! Entry points for the fuzz targets in `fuzz/` (and for the property tests below, which run them
//! on random input in every test run): each takes arbitrary bytes, must never panic, and checks
//! what every parsed BOM promises.

use crate::{Bom, ParseError};

/// The bytes as a KiCad XML export (prefixed with `<`, so the XML parser always runs).
pub fn kicad_xml(data: &[u8]) {
    let mut bytes = b"<".to_vec();
    bytes.extend_from_slice(data);
    check(crate::parse(&bytes));
}

/// The bytes as a CSV/TSV BOM (prefixed with a header the parser knows half the time, so rows
/// get read and not only refused headers).
pub fn csv_bom(data: &[u8]) {
    let bytes = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => [b"References,Qty,Manufacturer,MPN,Value,Digikey\n".as_slice(), rest].concat(),
        Some((_, rest)) => rest.to_vec(),
        None => Vec::new(),
    };
    if bytes.trim_ascii_start().starts_with(b"<") {
        return;
    }
    check(crate::parse(&bytes));
}

fn check(result: Result<Bom, ParseError>) {
    let Ok(bom) = result else { return };
    assert!(!bom.items.is_empty(), "a BOM that parses has items");
    assert!(bom.components_with_mpn <= bom.components);
    let quantities: u64 = bom.items.iter().map(|i| u64::from(i.quantity)).sum();
    assert!(quantities <= bom.components, "fitted quantities never exceed the components");
    for item in &bom.items {
        assert!(item.quantity <= i32::MAX as u32);
        assert!(item.parts.iter().all(|p| !p.mpn.is_empty()), "no part without an MPN");
        let mut designators: Vec<&str> = item.instances.iter().map(|i| i.designator.as_str()).collect();
        let before = designators.len();
        designators.dedup();
        assert_eq!(before, designators.len(), "no designator twice in one item");
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn kicad_xml_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::kicad_xml(&data);
        }

        #[test]
        fn kicad_xml_like_input_never_panics(body in "(<comp ref=\"[RC][0-9]{1,2}\">(<value>[0-9a-z]{0,3}</value>)?(<fields><field name=\"(manf#|MPN|dnp|manf)\">[A-Z0-9~-]{0,6}</field></fields>)?</comp>){0,6}") {
            super::kicad_xml(format!("export><components>{body}</components></export>").as_bytes());
        }

        #[test]
        fn csv_boms_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::csv_bom(&data);
        }

        #[test]
        fn csv_like_input_never_panics(rows in "([RCU][0-9 ,]{0,6},[0-9x]{0,3},[A-Za-z ]{0,5},[A-Z0-9-]{0,6},[0-9kn]{0,3},[0-9A-Z-]{0,4}\n){0,8}") {
            super::csv_bom(format!("\u{0}{rows}").as_bytes());
        }
    }
}
