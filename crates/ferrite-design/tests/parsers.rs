//! The parsers on files the tests write, and on every real design file in `../shared/data/boms`
//! (when present): component and MPN counts per file are computed here independently — with
//! regular expressions over the raw XML, or by summing a CSV's quantity column — and must match.

use std::path::{Path, PathBuf};

use ferrite_design::{Format, parse};
use regex::Regex;

fn boms_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/boms");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}

/// KiCost's spellings of the part-number field, literally (not through the parser's normaliser).
const MPN_FIELDS: &[&str] = &[
    "manf#",
    "mpn",
    "pn",
    "p#",
    "part_num",
    "part-num",
    "part#",
    "mnf_num",
    "mnf-num",
    "mnf#",
    "mfr_num",
    "mfr-num",
    "mfr#",
    "mfg_num",
    "mfg-num",
    "mfg#",
    "manf_num",
    "manf-num",
    "man_num",
    "man-num",
    "man#",
    "manufacturer pn",
    "partnum",
];

/// (components, components with an MPN) of a KiCad export, by regular expressions over its text.
fn count_xml(text: &str) -> (u64, u64) {
    let comp = Regex::new(r#"(?s)<comp ref=.*?</comp>"#).unwrap();
    let excluded =
        Regex::new(r#"<field name="Exclude from BOM">\s*1\s*</field>|<property name="exclude_from_bom""#).unwrap();
    let field = Regex::new(r#"<field name="([^"]*)">([^<]*)</field>"#).unwrap();
    let (mut components, mut with_mpn) = (0, 0);
    for block in comp.find_iter(text).map(|m| m.as_str()).filter(|b| !excluded.is_match(b)) {
        components += 1;
        let has_mpn = field.captures_iter(block).any(|c| {
            let name = c[1].trim().to_lowercase();
            let name = name.strip_prefix("kicost:").unwrap_or(&name);
            let value = c[2].trim();
            MPN_FIELDS.contains(&name) && !value.is_empty() && value != "~"
        });
        with_mpn += u64::from(has_mpn);
    }
    (components, with_mpn)
}

/// (components, components with an MPN) of a CSV/TSV BOM: the quantity column summed (a row
/// without one counts 1), over rows with any `MPN`, `MPN2`, `MP_N3`, `manf#` or `Mfg_Part_No` cell.
fn count_table(path: &Path, text: &str) -> (u64, u64) {
    let header = text.lines().next().unwrap();
    let delimiter = if path.extension().is_some_and(|e| e == "tsv") {
        b'\t'
    } else if header.contains(';') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let names: Vec<String> = reader.headers().unwrap().iter().map(str::to_lowercase).collect();
    let quantity = names.iter().position(|n| ["qty", "quantity", "count"].contains(&n.as_str()));
    let mpn_column = Regex::new(r"^(mpn|mp_n)\d*$|^manf#$|^mfg_part_no$").unwrap();
    let mpns: Vec<usize> = (0..names.len()).filter(|&i| mpn_column.is_match(&names[i])).collect();
    let (mut components, mut with_mpn) = (0, 0);
    for row in reader.records() {
        let row = row.unwrap();
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let n: u64 = quantity.and_then(|q| row.get(q)).map_or(1, |q| q.trim().parse().unwrap());
        components += n;
        if mpns.iter().any(|&i| row.get(i).is_some_and(|c| !c.trim().is_empty())) {
            with_mpn += n;
        }
    }
    (components, with_mpn)
}

/// The component a KiCost sub-part's designator belongs to: `J1#2` is J1's second sub-part.
fn component_of(designator: &str) -> &str {
    match designator.rsplit_once('#') {
        Some((component, n)) if !component.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            component
        }
        _ => designator,
    }
}

/// Files that are refused, with the start of the reason.
const REFUSED: &[(&str, &str)] = &[
    ("kicad/currency_rates.xml", "line 2: this XML is not a KiCad netlist or BOM export"),
    ("kicad/part_list_small_nohdr.csv", "line 1: no column names the parts"),
    // `<field name="kicost:link">http://www.xess.com</link>`: really malformed.
    ("kicad/test.xml", "line 64: the XML is not well-formed: expected 'field' tag, not 'link'"),
    ("kicad/test2.xml", "line 35: the XML is not well-formed: expected 'field' tag, not 'link'"),
];

/// A few files' numbers, stated: (file, components, with an MPN, BOM items).
const STATED: &[(&str, u64, u64, usize)] = &[
    ("kicad/single_component.xml", 1, 1, 1),
    ("kicad/300-010.xml", 84, 67, 36),
    // 58 of its 254 components are excluded from the BOM.
    ("kicad/CAN Balancer.xml", 196, 196, 21),
    ("kicad/acquire-PWM.xml", 973, 564, 0),
    ("kicad/part_list_small.csv", 10, 10, 0),
    ("kitspace/im-tomu+tomu-hardware.tsv", 10, 10, 7),
    ("kitspace/ashtuchkin+vive-diy-position-sensor.tsv", 11, 0, 8),
];

#[test]
fn every_real_design_file_parses_with_the_counts_its_text_shows() {
    let Some(dir) = boms_dir() else { return };
    let mut files: Vec<PathBuf> = ["kicad", "kitspace"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.file_name().is_some_and(|n| n != "PROVENANCE.tsv" && !n.to_string_lossy().starts_with("LICENSE")))
        .collect();
    files.sort();
    assert!(files.len() >= 60, "the 57 KiCad files and the kitspace BOMs: {}", files.len());
    let (mut parsed, mut total, mut total_mpn) = (0, 0, 0);
    for path in &files {
        let name = path.strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(path).unwrap();
        let result = parse(&bytes);
        if let Some((_, reason)) = REFUSED.iter().find(|(file, _)| *file == name) {
            let err = result.expect_err(&name).to_string();
            assert!(err.starts_with(reason), "{name}: {err}");
            continue;
        }
        let bom = result.unwrap_or_else(|err| panic!("{name}: {err}"));
        let text = String::from_utf8_lossy(&bytes);
        let expected = match bom.format {
            Format::KicadXml => count_xml(&text),
            Format::Table { .. } => count_table(path, &text),
        };
        assert_eq!((bom.components, bom.components_with_mpn), expected, "{name}");
        // Every component is in exactly one item — one of KiCost sub-parts in one per sub-part, as
        // `J1#1`, `J1#2` — fitted ones in quantities, the rest as instances.
        if bom.format == Format::KicadXml {
            let mut designators: Vec<&str> =
                bom.items.iter().flat_map(|i| &i.instances).map(|i| i.designator.as_str()).collect();
            let instances = designators.len();
            designators.sort_unstable();
            designators.dedup();
            assert_eq!(designators.len(), instances, "{name}: no instance twice");
            let mut components: Vec<&str> = designators.into_iter().map(component_of).collect();
            components.sort_unstable();
            components.dedup();
            assert_eq!(components.len() as u64, bom.components, "{name}: every component, once");
        }
        if let Some((_, components, with_mpn, items)) = STATED.iter().find(|(file, ..)| *file == name) {
            assert_eq!((bom.components, bom.components_with_mpn), (*components, *with_mpn), "{name}");
            if *items > 0 {
                assert_eq!(bom.items.len(), *items, "{name}");
            }
        }
        parsed += 1;
        total += bom.components;
        total_mpn += bom.components_with_mpn;
    }
    eprintln!("{parsed} files parsed: {total} components, {total_mpn} with an MPN");
    assert_eq!(parsed + REFUSED.len(), files.len());
}

#[test]
fn a_kicad_export_groups_by_mpn_then_by_value_and_footprint() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<export version="D">
  <design><source>/home/ada/board.sch</source><tool>Eeschema 5.1</tool>
    <sheet number="1" name="/"><title_block><title>Board</title><rev>B</rev></title_block></sheet></design>
  <components>
    <comp ref="U1"><value>LM358</value><footprint>SOIC-8</footprint>
      <fields><field name="Manufacturer">Texas Instruments</field><field name="MPN">LM358DR</field></fields>
      <libsource lib="Amplifier" part="LM358" description="Dual op amp"/></comp>
    <comp ref="R10"><value>10k</value><footprint>R_0603</footprint></comp>
    <comp ref="U2"><value>LM358</value><footprint>SOIC-8</footprint>
      <fields><field name="mpn">lm358-dr</field></fields></comp>
    <comp ref="R2"><value>10k</value><footprint>R_0603</footprint></comp>
    <comp ref="R3"><value>10k</value><footprint>R_0805</footprint></comp>
  </components>
  <libparts><libpart lib="Device" part="R"><fields><field name="manf#">NOT-A-COMPONENT</field></fields></libpart></libparts>
</export>"#;
    let bom = parse(xml.as_bytes()).unwrap();
    assert_eq!((bom.components, bom.components_with_mpn), (5, 2));
    let items: Vec<(String, u32, Vec<String>)> = bom
        .items
        .iter()
        .map(|i| (i.name.clone(), i.quantity, i.instances.iter().map(|x| x.designator.clone()).collect()))
        .collect();
    assert_eq!(
        items,
        vec![
            ("10k".into(), 2, vec!["R2".into(), "R10".into()]),
            ("10k".into(), 1, vec!["R3".into()]),
            ("LM358".into(), 2, vec!["U1".into(), "U2".into()]),
        ]
    );
    let opamp = &bom.items[2];
    assert_eq!(opamp.parts.len(), 1, "LM358DR and lm358-dr are one part");
    assert_eq!((opamp.parts[0].manufacturer.as_str(), opamp.parts[0].mpn.as_str()), ("Texas Instruments", "LM358DR"));
    assert_eq!(opamp.description, "Dual op amp");
    assert!(bom.parameters.contains(&("Title".into(), "Board".into())));
    assert!(bom.parameters.contains(&("Revision".into(), "B".into())));
}

#[test]
fn a_one_click_bom_in_tsv_with_alternates_and_distributor_codes() {
    let tsv = "References\tQty\tDescription\tManufacturer\tMPN\tManufacturer\tMPN\tDigikey\tMouser\tLCSC\n\
               C1, C2\t2\tCAP CER 1uF\tMurata\tGRM155R61A105ME15D\tTaiyo Yuden\tTMK105BJ105MV-F\t490-1-ND\t\tC52923\n\
               U1\t1\tMCU\tSilicon Labs\tEFM32HG309F64G-B-QFN24\t\t\t336-3896-ND\t634-EFM32\t\n\
               Board\t1\tPerma-proto\t\t\t\t\t1528-1101-ND\t\t\n";
    let bom = parse(tsv.as_bytes()).unwrap();
    assert_eq!(bom.format, Format::Table { delimiter: b'\t' });
    assert_eq!((bom.components, bom.components_with_mpn, bom.items.len()), (4, 3, 3));
    let caps = bom.items.iter().find(|i| i.instances.len() == 2).unwrap();
    assert_eq!(caps.parts.len(), 2);
    let skus: Vec<(&str, &str)> = caps.supplier_parts.iter().map(|s| (s.seller.as_str(), s.sku.as_str())).collect();
    assert_eq!(skus, [("Digi-Key", "490-1-ND"), ("LCSC", "C52923")]);
    let board = bom.items.iter().find(|i| i.parts.is_empty()).unwrap();
    assert_eq!(board.name, "Perma-proto");
}

#[test]
fn bad_files_are_refused_with_the_line_or_field_at_fault() {
    for (input, expected) in [
        ("", "the file is empty"),
        ("Ref,Qty,MPN\nR1,1,X\nR2,-3,Y\n", "line 3: the quantity `-3` in column `Qty` is not a whole number"),
        ("Ref;Qty;MPN\nR1;99999999;X\n", "line 2: the quantity 99999999 in column `Qty` is more than 1000000"),
        ("Colour,Size\nred,2\n", "line 1: no column names the parts"),
        ("<export>\n<components>\n<comp ref=\"\"/>\n</components>\n</export>", "line 3: a <comp> element has no `ref`"),
        ("<export>\n<components>\n<comp ref=\"R1\">\n</components>", "line 4: the XML is not well-formed"),
        ("<html><body>not a design</body></html>", "line 1: this XML is not a KiCad netlist or BOM export"),
    ] {
        let err = parse(input.as_bytes()).expect_err(input).to_string();
        assert!(err.starts_with(expected), "{input:?}: {err}");
    }
    let too_big = vec![b' '; ferrite_design::limits::MAX_FILE_BYTES + 1];
    assert!(parse(&too_big).unwrap_err().to_string().contains("more than the limit"));
}
