//! Entry points for the fuzz targets in `fuzz/` (and for the property tests below, which run them
//! on random input in every test run): each takes arbitrary bytes, must never panic, and checks
//! what every parsed BOM promises.

use crate::{
    Bom, ParseError,
    limits::{MAX_ROW_QUANTITY, MAX_SUBPARTS},
};

/// The bytes as a KiCad XML export (prefixed with `<`, so the XML parser always runs).
pub fn kicad_xml(data: &[u8]) {
    let mut bytes = b"<".to_vec();
    bytes.extend_from_slice(data);
    check(&bytes, crate::parse(&bytes));
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
    check(&bytes, crate::parse(&bytes));
}

/// The bytes as any design file, its format told from its content as uploads are, on a small
/// stack: every parser's recursion must stay bounded whatever the input.
pub fn any_file(data: &[u8]) {
    let data = data.to_vec();
    on_small_stack(move || check(&data, crate::parse(&data)));
}

/// A 1-click BOM: its header (references, quantity, description, two manufacturer/MPN pairs, a
/// column per distributor), then the bytes as rows.
pub fn one_click_bom(data: &[u8]) {
    table_with_header(b"References,Qty,Description,Manufacturer,MPN,Manufacturer,MPN,Digikey,Mouser,LCSC\n", data);
}

/// A TSV BOM as spreadsheets export it (a tab-delimited header), then the bytes as rows.
pub fn tsv_bom(data: &[u8]) {
    table_with_header(b"Designator\tQuantity\tValue\tFootprint\tManufacturer Part Number\tDNP\n", data);
}

fn table_with_header(header: &[u8], rows: &[u8]) {
    let bytes = [header, rows].concat();
    check(&bytes, crate::parse(&bytes));
}

/// Elements nested as deep as the first byte says (up to 16,320 levels), each level the rest of
/// the data (up to 64 bytes) and an element, parsed on a small stack: any nesting that reached
/// the XML parser's recursion unbounded would overflow it.
pub fn xml_nesting(data: &[u8]) {
    let Some((&levels, rest)) = data.split_first() else { return };
    let piece = [&rest[..rest.len().min(64)], b"<e a='>'>".as_slice()].concat();
    let mut xml = b"<export><components><comp ref=\"R1\"/></components>".to_vec();
    for _ in 0..usize::from(levels) * 64 {
        xml.extend_from_slice(&piece);
    }
    xml.extend_from_slice(rest);
    on_small_stack(move || check(&xml, crate::parse(&xml)));
}

/// Runs `parse` on a thread with a quarter of a thread's usual stack (512 KiB), so that deep
/// recursion crashes here rather than passing unnoticed on the fuzzer's big main stack.
fn on_small_stack(parse: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new().stack_size(512 * 1024).spawn(parse).expect("a thread starts");
    if let Err(panic) = thread.join() {
        std::panic::resume_unwind(panic);
    }
}

fn check(input: &[u8], result: Result<Bom, ParseError>) {
    let Ok(bom) = result else { return };
    assert!(!bom.items.is_empty(), "a BOM that parses has items");
    assert!(bom.components_with_mpn <= bom.components);
    let quantities: u64 = bom.items.iter().map(|i| u64::from(i.quantity)).sum();
    // A component is at most `MAX_SUBPARTS` lines, each needing at most `MAX_ROW_QUANTITY` of
    // its part; rounding up adds less than one per item.
    let most = bom.components * (MAX_SUBPARTS as u64 * u64::from(MAX_ROW_QUANTITY)) + bom.items.len() as u64;
    assert!(quantities <= most, "fitted quantities never exceed what the components need");
    let has = |b: u8| input.contains(&b);
    if !has(b':') {
        assert!(quantities <= bom.components * MAX_SUBPARTS as u64, "without sub-part quantities, one per line");
    }
    if !has(b':') && !has(b';') && !has(b',') {
        assert!(quantities <= bom.components, "without sub-parts, fitted quantities never exceed the components");
    }
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

    /// KiCost's sub-parts and designator ranges, as the seeds in `fuzz/corpus` carry them, through
    /// the entry points: they parse, so `check` sees the BOMs they make.
    #[test]
    fn sub_parts_and_ranges_keep_the_promises() {
        let rows = "R1-R4,4,Yageo,RC0603FR-0710KL; 2:JUMPER,10k,311-10.0KHRCT-ND; 2:J-ND\n\
                    \"J1, J3-J4\",3,Molex; ~,\"0022232061, 6:08-50-0114\",Conn,\"WM4204-ND; WM2015-ND\"\n\
                    C17/18/19,3,Murata,1/4:GRM155R71C104KA88D,100n,490-1-ND\n";
        let xml = "export><components><comp ref=\"J1\"><value>Conn</value><fields>\
                   <field name=\"manf\">Molex; ~; LEM</field>\
                   <field name=\"manf#\">0022232061;0022012067; 6: 08-50-0114;  LA 55-P</field>\
                   <field name=\"digikey#\">;;; 398-1010-ND</field></fields></comp></components></export>";
        let table = format!("References,Qty,Manufacturer,MPN,Value,Digikey\n{rows}");
        let items = |bom: &[u8]| crate::parse(bom).map(|bom| bom.items.len());
        assert_eq!(
            items(table.as_bytes()),
            Ok(5),
            "RC0603FR-0710KL, JUMPER, 0022232061, 08-50-0114, GRM155R71C104KA88D"
        );
        assert_eq!(items(format!("<{xml}").as_bytes()), Ok(4));
        super::csv_bom(&[b"\0".as_slice(), rows.as_bytes()].concat());
        super::any_file(table.as_bytes());
        super::kicad_xml(xml.as_bytes());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn kicad_xml_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::kicad_xml(&data);
        }

        #[test]
        fn kicad_xml_like_input_never_panics(body in "(<comp ref=\"[RC][0-9]{1,2}\">(<value>[0-9a-z]{0,3}</value>)?(<fields>(<field name=\"(manf#|MPN|dnp|manf|digikey#)\">[A-Z0-9~;:,./ \\\\-]{0,8}</field>){0,3}</fields>)?</comp>){0,6}") {
            super::kicad_xml(format!("export><components>{body}</components></export>").as_bytes());
        }

        #[test]
        fn csv_boms_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::csv_bom(&data);
        }

        #[test]
        fn any_file_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::any_file(&data);
        }

        #[test]
        fn one_click_and_tsv_boms_never_panic(rows in "([RCU][0-9 ,/-]{0,6}[,\t][0-9x]{0,3}[,\t][A-Za-z ;~]{0,5}[,\t][A-Z0-9;:./ \\\\-]{0,8}[,\t]\0?[0-9kn]{0,3}\n){0,8}") {
            super::one_click_bom(rows.as_bytes());
            super::tsv_bom(rows.as_bytes());
        }

        #[test]
        fn csv_like_input_never_panics(rows in "([RCU][0-9 ,/-]{0,6},[0-9x]{0,3},[A-Za-z ;~]{0,5},\"?[A-Z0-9;:,./ \\\\-]{0,8}\"?,[0-9kn]{0,3},[0-9A-Z;:-]{0,4}\n){0,8}") {
            super::csv_bom(format!("\u{0}{rows}").as_bytes());
        }
    }

    proptest! {
        // Each case is up to a megabyte of XML.
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn deep_xml_nesting_never_overflows(data in proptest::collection::vec(any::<u8>(), 0..80)) {
            super::xml_nesting(&data);
        }
    }
}
