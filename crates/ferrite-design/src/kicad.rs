//! KiCad netlist and BOM exports: `<export>` with `<components><comp ref="R1">` holding `<value>`,
//! `<footprint>`, `<libsource>`, user fields (`<fields><field name="manf#">`) and, from KiCad 6,
//! `<property name="dnp"/>` flags. Nets, library parts and the rest are not read.

use roxmltree::{Document, Node, ParsingOptions};

use crate::{
    Bom, Format, Line, ParseError,
    fields::{FieldKind, classify, truthy},
    grouping::group,
    limits::{MAX_LINES, MAX_XML_DEPTH},
    model::{ManufacturerPart, SupplierPart},
    text::clean,
};

pub fn parse(text: &str) -> Result<Bom, ParseError> {
    check_nesting(text, MAX_XML_DEPTH)?;
    // No DTDs: entity expansion is how small XML files become huge.
    let options = ParsingOptions { allow_dtd: false, ..ParsingOptions::default() };
    let document = Document::parse_with_options(text, options).map_err(|err| {
        let pos = err.pos();
        ParseError::at(u64::from(pos.row), format!("the XML is not well-formed: {err}"))
    })?;
    let mut numbers = LineNumbers { text, offset: 0, line: 1 };
    let mut line = |node: Node| numbers.at(node.range().start);
    let root = document.root_element();
    if root.tag_name().name() != "export" {
        return Err(ParseError::at(
            line(root),
            format!(
                "this XML is not a KiCad netlist or BOM export: its root element is <{}>, not <export>",
                root.tag_name().name()
            ),
        ));
    }
    let Some(components) = child(root, "components") else {
        return Err(ParseError::at(line(root), "the KiCad export has no <components> element"));
    };
    let mut lines = Vec::new();
    for comp in components.children().filter(|n| n.has_tag_name("comp")) {
        if lines.len() == MAX_LINES {
            return Err(ParseError::at(line(comp), format!("the file has more than {MAX_LINES} components")));
        }
        if let Some(component) = component(comp, line(comp))? {
            lines.push(component);
        }
    }
    if lines.is_empty() {
        return Err(ParseError::at(line(components), "the KiCad export lists no components"));
    }
    let (items, components, components_with_mpn) = group(lines)?;
    Ok(Bom { format: Format::KicadXml, parameters: parameters(root), items, components, components_with_mpn })
}

/// The 1-based lines of places in the text, each counted on from the place asked before: the
/// components are asked in the file's order. (roxmltree's `text_pos_at` counts from the start
/// every time, which over 50,000 components of a 10 MB file took minutes.)
struct LineNumbers<'t> {
    text: &'t str,
    offset: usize,
    line: u64,
}

impl LineNumbers<'_> {
    fn at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        self.line += self.text.as_bytes()[self.offset..offset].iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset = offset;
        self.line
    }
}

/// Refuses elements nested deeper than `limit` before the XML parser sees them: it recurses once
/// per level, so deep nesting in a small file would overflow the stack and abort the process.
/// Counts as roxmltree's tokenizer reads the text — start tags (outside comments, CDATA,
/// processing instructions and quoted attribute values) open a level, end tags and `/>` close
/// one — so until the parser would stop at an error, its depth is never more than this count.
fn check_nesting(text: &str, limit: usize) -> Result<(), ParseError> {
    let bytes = text.as_bytes();
    // The index just past the first `end` at or after `from`, or the end of the text.
    let past = |from: usize, end: &[u8]| {
        bytes
            .get(from..)
            .and_then(|rest| rest.windows(end.len()).position(|w| w == end))
            .map_or(bytes.len(), |i| from + i + end.len())
    };
    let (mut depth, mut at) = (0_usize, 0_usize);
    while let Some(offset) = bytes[at..].iter().position(|&b| b == b'<') {
        at += offset;
        let rest = &bytes[at..];
        at = if rest.starts_with(b"<!--") {
            past(at + 4, b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            past(at + 9, b"]]>")
        } else if rest.starts_with(b"<?") {
            past(at + 2, b"?>")
        } else if rest.starts_with(b"<!") {
            // A DOCTYPE: refused by the parser, which reads nothing after it.
            past(at + 2, b">")
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            past(at + 2, b">")
        } else {
            depth += 1;
            if depth > limit {
                let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                return Err(ParseError::at(
                    line,
                    format!("the XML nests elements more than {limit} deep; a KiCad export nests about 5 deep"),
                ));
            }
            let (end, closed) = start_tag_end(bytes, at + 1);
            if closed {
                depth -= 1;
            }
            end
        };
    }
    Ok(())
}

/// Where the start tag whose name begins at `from` ends (past its `>`), and whether it closes
/// itself (`/>`); `>` and `/` inside quoted attribute values do not count.
fn start_tag_end(bytes: &[u8], from: usize) -> (usize, bool) {
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(from) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return (i + 1, bytes[i - 1] == b'/'),
            (None, _) => {}
        }
    }
    (bytes.len(), false)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| n.has_tag_name(name))
}

fn child_text(node: Node, name: &str) -> String {
    child(node, name).and_then(|n| n.text()).map(clean).unwrap_or_default()
}

/// One `<comp>`, or `None` when it is excluded from the BOM.
fn component(comp: Node, at: u64) -> Result<Option<Line>, ParseError> {
    let reference = comp.attribute("ref").map(clean).unwrap_or_default();
    if reference.is_empty() {
        return Err(ParseError::at(at, "a <comp> element has no `ref` attribute (its designator)"));
    }
    let mut line = Line {
        line: at,
        designators: vec![reference],
        fitted: true,
        value: child_text(comp, "value"),
        footprint: child_text(comp, "footprint"),
        ..Line::default()
    };
    let mut description = String::new();
    if let Some(lib) = child(comp, "libsource") {
        line.symbol = lib.attribute("part").map(clean).unwrap_or_default();
        description = lib.attribute("description").map(clean).unwrap_or_default();
    }
    let (mut mpn, mut manufacturer) = (String::new(), String::new());
    let (mut supplier, mut supplier_sku) = (String::new(), String::new());
    let fields = child(comp, "fields").into_iter().flat_map(|f| f.children()).filter(|n| n.has_tag_name("field"));
    for field in fields {
        let value = field.text().map(clean).unwrap_or_default();
        match classify(field.attribute("name").unwrap_or("")) {
            FieldKind::DoNotPopulate if truthy(&value, false) => line.fitted = false,
            FieldKind::Populate if !value.is_empty() && !truthy(&value, false) => line.fitted = false,
            FieldKind::ExcludeFromBom if truthy(&value, false) => return Ok(None),
            _ if value.is_empty() => {}
            FieldKind::Mpn => first(&mut mpn, value),
            FieldKind::Manufacturer => first(&mut manufacturer, value),
            FieldKind::Description => first(&mut line.description, value),
            FieldKind::Value => first(&mut line.value, value),
            FieldKind::Footprint => first(&mut line.footprint, value),
            FieldKind::Supplier => first(&mut supplier, value),
            FieldKind::SupplierSku => first(&mut supplier_sku, value),
            FieldKind::Sku(seller) => add_sku(&mut line.supplier_parts, seller, value),
            _ => {}
        }
    }
    // KiCad 6 and later: flags as properties, present or not.
    for property in comp.children().filter(|n| n.has_tag_name("property")) {
        let value = property.attribute("value").unwrap_or("");
        match classify(property.attribute("name").unwrap_or("")) {
            FieldKind::DoNotPopulate if truthy(value, true) => line.fitted = false,
            FieldKind::ExcludeFromBom if truthy(value, true) => return Ok(None),
            _ => {}
        }
    }
    if line.description.is_empty() {
        line.description = description;
    }
    if !mpn.is_empty() {
        line.parts.push(ManufacturerPart { manufacturer, mpn });
    }
    if !supplier.is_empty() && !supplier_sku.is_empty() {
        add_sku(&mut line.supplier_parts, &supplier, supplier_sku);
    }
    Ok(Some(line))
}

/// Several fields may spell the same thing (`manf#` and `mpn`): the first one given wins.
fn first(slot: &mut String, value: String) {
    if slot.is_empty() {
        *slot = value;
    }
}

fn add_sku(skus: &mut Vec<SupplierPart>, seller: &str, sku: String) {
    if !skus.iter().any(|s| s.seller == seller && s.sku == sku) {
        skus.push(SupplierPart { seller: seller.to_owned(), sku });
    }
}

/// The design's title block and origin, as project parameters.
fn parameters(root: Node) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(design) = child(root, "design") else { return out };
    let title_block = child(design, "sheet").and_then(|s| child(s, "title_block"));
    let mut add = |name: &str, value: String| {
        if !value.is_empty() {
            out.push((name.to_owned(), value));
        }
    };
    if let Some(block) = title_block {
        add("Title", child_text(block, "title"));
        add("Company", child_text(block, "company"));
        add("Revision", child_text(block, "rev"));
    }
    add("SourceSchematic", child_text(design, "source"));
    add("Tool", child_text(design, "tool"));
    add("ExportDate", child_text(design, "date"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comp(body: &str) -> String {
        format!("<export version=\"D\"><components>{body}</components></export>")
    }

    #[test]
    fn fields_flags_and_properties() {
        let xml = comp(
            r#"<comp ref="R1"><value>10k</value><footprint>R_0603</footprint>
                 <libsource lib="Device" part="R" description="Resistor"/>
                 <fields><field name="Manufacturer">Yageo</field><field name="manf#">RC0603FR-0710KL</field>
                 <field name="MPN">ignored, manf# came first</field><field name="digikey#">311-10.0KHRCT-ND</field></fields></comp>
               <comp ref="R2"><value>10k</value><fields><field name="dnp">1</field></fields></comp>
               <comp ref="R3"><value>10k</value><property name="dnp"/></comp>
               <comp ref="R4"><value>10k</value><property name="exclude_from_bom"/></comp>
               <comp ref="R5"><value>10k</value><fields><field name="Exclude from BOM">1</field></fields></comp>"#,
        );
        let bom = parse(&xml).unwrap();
        assert_eq!(bom.components, 3);
        let r1 = &bom.items[0];
        assert_eq!(r1.parts, vec![ManufacturerPart { manufacturer: "Yageo".into(), mpn: "RC0603FR-0710KL".into() }]);
        assert_eq!(r1.description, "Resistor");
        assert_eq!(r1.supplier_parts[0].seller, "Digi-Key");
        let dnp = &bom.items[1];
        assert_eq!((dnp.quantity, dnp.instances.len()), (0, 2), "R2 and R3 are not fitted");
    }

    /// KiCost's sub-parts in a KiCad BOM: each its own item, quantities multiplied and added up
    /// exactly (four quarters of heat-shrink are one piece), DNP components needing none.
    #[test]
    fn a_manf_field_with_sub_parts() {
        let xml = comp(
            r#"<comp ref="J1"><value>Conn_01x02</value><fields><field name="manf">Molex</field>
                 <field name="manf#">22-23-2021; 2:08-50-0114</field><field name="digikey#">WM4200-ND; WM1114-ND</field></fields></comp>
               <comp ref="J2"><value>Conn_01x02</value><fields><field name="manf">Molex</field>
                 <field name="manf#">22-23-2021; 2:08-50-0114</field></fields></comp>
               <comp ref="R1"><value>0R</value><fields><field name="manf#">CR0603-JW-000ELF; 1/4:Q2-F-3/32-01-QB48IN</field></fields></comp>
               <comp ref="R2"><value>0R</value><fields><field name="manf#">CR0603-JW-000ELF; 1/4:Q2-F-3/32-01-QB48IN</field></fields></comp>
               <comp ref="R3"><value>0R</value><fields><field name="manf#">CR0603-JW-000ELF; 1/4:Q2-F-3/32-01-QB48IN</field></fields></comp>
               <comp ref="R4"><value>0R</value><fields><field name="manf#">CR0603-JW-000ELF; 1/4:Q2-F-3/32-01-QB48IN</field>
                 <field name="dnp">1</field></fields></comp>
               <comp ref="Q1"><value>2N7002P</value><fields><field name="manf#">2N7002P,215</field></fields></comp>"#,
        );
        let bom = parse(&xml).unwrap();
        assert_eq!((bom.components, bom.components_with_mpn), (7, 7));
        let summary: Vec<(&str, u32, usize)> =
            bom.items.iter().map(|i| (i.parts[0].mpn.as_str(), i.quantity, i.instances.len())).collect();
        assert_eq!(
            summary,
            [
                ("22-23-2021", 2, 2),
                ("08-50-0114", 4, 2),
                ("2N7002P,215", 1, 1),
                ("CR0603-JW-000ELF", 3, 4),
                ("Q2-F-3/32-01-QB48IN", 1, 4),
            ]
        );
        let housings = &bom.items[0];
        assert_eq!(housings.instances.iter().map(|i| i.designator.as_str()).collect::<Vec<_>>(), ["J1#1", "J2#1"]);
        assert_eq!(housings.parts[0].manufacturer, "Molex");
        assert_eq!(housings.supplier_parts, [SupplierPart { seller: "Digi-Key".into(), sku: "WM4200-ND".into() }]);
        assert_eq!(bom.items[1].supplier_parts[0].sku, "WM1114-ND");
        assert_eq!(bom.items[4].name, "0R - p2/2");
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("<export>\n<components>\n<comp><value>1k</value></comp>\n</components></export>").unwrap_err();
        assert_eq!(err.to_string(), "line 3: a <comp> element has no `ref` attribute (its designator)");
        let err = parse("<export>\n<components>\n<comp ref=\"R1\">\n</export>").unwrap_err();
        assert!(err.to_string().starts_with("line 4: the XML is not well-formed"), "{err}");
        let err = parse("<?xml version=\"1.0\"?>\n<Envelope/>").unwrap_err();
        assert!(err.to_string().contains("root element is <Envelope>"), "{err}");
        let err = parse("<export><components/></export>").unwrap_err();
        assert!(err.to_string().contains("lists no components"), "{err}");
        let bomb = "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><export/>";
        assert!(parse(bomb).is_err(), "DTDs are refused");
    }

    #[test]
    fn line_numbers_are_the_parsers_in_any_order() {
        let xml = comp("\n<comp ref=\"R1\"/>\n\n<comp ref=\"R2\"/><comp ref=\"R3\"/>\r\n<comp ref=\"R4\"/>\n");
        let document = Document::parse(&xml).unwrap();
        let mut numbers = LineNumbers { text: &xml, offset: 0, line: 1 };
        let nodes: Vec<Node> = document.descendants().collect();
        for node in nodes.iter().chain(nodes.iter().rev()) {
            let expected = u64::from(document.text_pos_at(node.range().start).row);
            assert_eq!(numbers.at(node.range().start), expected, "{node:?}");
        }
        assert_eq!(numbers.at(usize::MAX), 6, "past the end: the last line");
    }

    fn nested(depth: usize) -> String {
        let open: String = (0..depth).map(|i| format!("<e{}>", i % 10)).collect();
        let close: String = (0..depth).rev().map(|i| format!("</e{}>", i % 10)).collect();
        format!(
            "<export><components><comp ref=\"R1\"><value>1k</value></comp></components>\n<x>{open}{close}</x></export>"
        )
    }

    #[test]
    fn deep_nesting_is_refused_before_the_parser_recurses() {
        // The attack from issue 13: 3,200 nested elements in about 20 KB.
        let err = parse(&nested(3_200)).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("more than 64 deep"), "{err}");
        let within = nested(MAX_XML_DEPTH - 2);
        assert_eq!(parse(&within).unwrap().components, 1, "64 levels, <export> and <x> included, are fine");
        assert!(parse(&nested(MAX_XML_DEPTH - 1)).is_err());
    }

    #[test]
    fn nesting_counts_what_the_parser_counts() {
        let deep = "<e>".repeat(100);
        // Inside comments, CDATA, processing instructions and attribute values, tags are text.
        for hidden in [
            format!("<!--{deep}-->"),
            format!("<![CDATA[{deep}]]>"),
            format!("<?pi {deep}?>"),
            format!("<y a='{}' b=\"/>\"/>", deep.replace('<', "&lt;")),
        ] {
            let xml = format!("<export><components><comp ref=\"R1\"/></components>{hidden}</export>");
            assert!(check_nesting(&xml, 3).is_ok(), "{hidden}");
        }
        assert!(check_nesting(&"<a/>".repeat(500), 1).is_ok(), "siblings that close themselves");
        assert!(check_nesting("<a><b x=\">\"><c>", 2).is_err(), "a quoted > does not end the tag");
    }

    #[test]
    fn the_deepest_file_allowed_parses_on_a_small_stack() {
        // What the bound buys: the parser's recursion fits in a quarter of a thread's usual stack.
        let xml = nested(MAX_XML_DEPTH - 2);
        let parsed = std::thread::Builder::new().stack_size(512 * 1024).spawn(move || parse(&xml).is_ok()).unwrap();
        assert!(parsed.join().unwrap());
    }
}
