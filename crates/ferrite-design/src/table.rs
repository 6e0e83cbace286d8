//! CSV, TSV and other delimited BOMs: a header row naming the columns (in any of the spellings
//! `fields` knows), then one row per line of the BOM. The 1-click BOM format is one of these:
//! `References`, `Qty`, `Description`, pairs of `Manufacturer` and `MPN` columns (the first pair
//! the preferred part, the others alternates), and a column per distributor. Designators may be
//! given as KiCost's ranges (`R1-R4`, see `designators`), part numbers and distributor codes as
//! its sub-parts (`LM358DR; 2:TL072CDR`, see `subparts`).

use crate::{
    Bom, Format, Line, ParseError,
    designators::Budget,
    fields::{FieldKind, classify, truthy},
    grouping::group,
    limits::{MAX_LINES, MAX_ROW_QUANTITY},
    model::{ManufacturerPart, SupplierPart},
    text::clean,
};

const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

pub fn parse(text: &str) -> Result<Bom, ParseError> {
    let (delimiter, body, skipped) = delimiter(text);
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(body.as_bytes());
    let line_of = |position: Option<&csv::Position>| position.map_or(0, |p| p.line()) + skipped;
    let mut records = reader.records();
    let header = loop {
        match records.next() {
            None => return Err(ParseError::file("the file has no header row")),
            Some(Err(err)) => return Err(csv_error(&err, skipped)),
            Some(Ok(record)) if record.iter().all(|cell| cell.trim().is_empty()) => continue,
            Some(Ok(record)) => break record,
        }
    };
    let columns = Columns::read(&header, line_of(header.position()))?;
    let mut lines = Vec::new();
    let mut designators = Budget::default();
    for record in records {
        let record = record.map_err(|err| csv_error(&err, skipped))?;
        let at = line_of(record.position());
        if lines.len() == MAX_LINES {
            return Err(ParseError::at(at, format!("the file has more than {MAX_LINES} rows")));
        }
        if let Some(line) = columns.line(&record, at, &mut designators)? {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        return Err(ParseError::file("the BOM has a header but no rows"));
    }
    let (items, components, components_with_mpn) = group(lines)?;
    Ok(Bom { format: Format::Table { delimiter }, parameters: Vec::new(), items, components, components_with_mpn })
}

fn csv_error(err: &csv::Error, skipped: u64) -> ParseError {
    let line = err.position().map_or(0, |p| p.line()) + skipped;
    let message = match err.kind() {
        csv::ErrorKind::Utf8 { .. } => "the row is not valid text".to_owned(),
        _ => format!("the row cannot be read: {err}"),
    };
    if line > skipped { ParseError::at(line, message) } else { ParseError::file(message) }
}

/// The delimiter, the text after an Excel `sep=` line if there is one, and the lines skipped.
/// Otherwise the delimiter is the candidate that occurs most often in the header row outside
/// quotes (a comma when none does: a single-column file).
fn delimiter(text: &str) -> (u8, &str, u64) {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if let Some(sep) = first.trim().strip_prefix("sep=")
        && let [b] = sep.as_bytes()
    {
        let rest = text.split_once('\n').map_or("", |(_, rest)| rest);
        return (*b, rest, 1);
    }
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for b in first.bytes() {
        match b {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            _ => {
                if let Some(i) = DELIMITERS.iter().position(|d| *d == b) {
                    counts[i] += 1;
                }
            }
        }
    }
    let best = (0..DELIMITERS.len()).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    (DELIMITERS[best], text, 0)
}

/// Which columns hold what.
struct Columns {
    kinds: Vec<FieldKind>,
    names: Vec<String>,
}

impl Columns {
    fn read(header: &csv::StringRecord, at: u64) -> Result<Columns, ParseError> {
        let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        let kinds: Vec<FieldKind> = names.iter().map(|n| classify(n)).collect();
        let names_parts = kinds
            .iter()
            .any(|k| matches!(k, FieldKind::Mpn | FieldKind::References | FieldKind::Value | FieldKind::Description));
        if !names_parts {
            let found: Vec<String> = names.iter().take(8).map(|n| format!("`{n}`")).collect();
            return Err(ParseError::at(
                at,
                format!(
                    "no column names the parts: the header row needs a References, MPN (or manf#), Value or \
                     Description column; it has {}",
                    found.join(", ")
                ),
            ));
        }
        Ok(Columns { kinds, names })
    }

    /// One row as a line of the BOM, or `None` for a row that says nothing about a part.
    fn line(&self, record: &csv::StringRecord, at: u64, designators: &mut Budget) -> Result<Option<Line>, ParseError> {
        let mut line = Line { line: at, fitted: true, ..Line::default() };
        let (mut mpns, mut makers) = (Vec::new(), Vec::new());
        for ((kind, name), cell) in self.kinds.iter().zip(&self.names).zip(record.iter()) {
            let value = clean(cell);
            match kind {
                FieldKind::Mpn => mpns.push(value),
                FieldKind::Manufacturer => makers.push(value),
                FieldKind::DoNotPopulate if truthy(&value, false) => line.fitted = false,
                FieldKind::Populate if !value.is_empty() && !truthy(&value, false) => line.fitted = false,
                _ if value.is_empty() => {}
                FieldKind::References => line.designators.extend(designators.read(&value, at)?),
                FieldKind::Quantity if line.quantity.is_none() => line.quantity = Some(quantity(&value, name, at)?),
                FieldKind::Description if line.description.is_empty() => line.description = value,
                FieldKind::Value if line.value.is_empty() => line.value = value,
                FieldKind::Footprint if line.footprint.is_empty() => line.footprint = value,
                FieldKind::Sku(seller)
                    if !line.supplier_parts.iter().any(|s| s.seller == *seller && s.sku == value) =>
                {
                    line.supplier_parts.push(SupplierPart { seller: (*seller).to_owned(), sku: value });
                }
                _ => {}
            }
        }
        // The n-th manufacturer column goes with the n-th MPN column.
        for (i, mpn) in mpns.into_iter().enumerate() {
            let manufacturer = makers.get(i).cloned().unwrap_or_default();
            let part = ManufacturerPart { manufacturer, mpn };
            if !part.mpn.is_empty() && !line.parts.contains(&part) {
                line.parts.push(part);
            }
        }
        let says_something = !line.designators.is_empty()
            || !line.parts.is_empty()
            || !line.value.is_empty()
            || !line.description.is_empty();
        if !says_something {
            return Ok(None);
        }
        if !line.fitted && line.quantity.is_some() {
            line.quantity = Some(0);
        }
        Ok(Some(line))
    }
}

fn quantity(cell: &str, column: &str, at: u64) -> Result<u32, ParseError> {
    // Spreadsheets write whole numbers as `2.0` now and then.
    let whole = cell.strip_suffix(".0").unwrap_or(cell).trim();
    match whole.parse::<u32>() {
        Ok(n) if n <= MAX_ROW_QUANTITY => Ok(n),
        Ok(_) => {
            Err(ParseError::at(at, format!("the quantity {cell} in column `{column}` is more than {MAX_ROW_QUANTITY}")))
        }
        Err(_) => Err(ParseError::at(at, format!("the quantity `{cell}` in column `{column}` is not a whole number"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_sniffed_from_the_header() {
        assert_eq!(delimiter("References\tQty\tMPN\nR1\t1\tX").0, b'\t');
        assert_eq!(delimiter("manf#;refs\n1;J6").0, b';');
        assert_eq!(delimiter("\"a,b\";c;d\n").0, b';', "commas inside quotes do not count");
        assert_eq!(delimiter("manf#\nX").0, b',');
        let (d, rest, skipped) = delimiter("sep=|\nRef|MPN\nR1|X\n");
        assert_eq!((d, rest, skipped), (b'|', "Ref|MPN\nR1|X\n", 1));
    }

    #[test]
    fn one_click_bom_columns_pair_up() {
        let bom = parse(
            "References,Qty,Description,Manufacturer,MPN,Manufacturer,MPN,Digikey,Mouser\n\
             C1 C2,2,Cap 1uF,Murata,GRM155R61A105ME15D,Taiyo Yuden,TMK105BJ105MV-F,490-1-ND,81-GRM\n\
             ,,,,,,,,\n\
             U1,1,MCU,,EFM32HG309F64G-B-QFN24,,,,\n",
        )
        .unwrap();
        assert_eq!(bom.items.len(), 2);
        let caps = &bom.items[0];
        assert_eq!(caps.quantity, 2);
        assert_eq!(caps.parts.len(), 2);
        assert_eq!(caps.parts[1].manufacturer, "Taiyo Yuden");
        assert_eq!(caps.supplier_parts.len(), 2);
        assert_eq!(bom.items[1].parts[0].manufacturer, "");
        assert_eq!((bom.components, bom.components_with_mpn), (3, 3));
    }

    /// A BOM in KiCost's own CSV form: its field names, designator ranges, and sub-parts in the
    /// part number and distributor columns.
    #[test]
    fn a_kicost_csv_with_ranges_and_sub_parts() {
        let bom = parse(
            "refs,qty,value,footprint,manf,manf#,digikey#\n\
             R1-R4,4,10k,R_0603,Yageo,RC0603FR-0710KL,311-10.0KHRCT-ND\n\
             \"J1, J3-J4\",3,Conn_01x06,Molex_KK,Molex,\"0022232061; 6:08-50-0114\",\"WM4204-ND; WM2015-ND\"\n\
             C1/2/3,3,100n,C_0402,Murata,GRM155R71C104KA88D,490-1-ND\n\
             Q1,1,SSM3J332R,SOT-23,Toshiba,\"SSM3J332R\\,LF\",\n",
        )
        .unwrap();
        let summary: Vec<(String, u32, Vec<&str>, &str)> = bom
            .items
            .iter()
            .map(|i| {
                let designators = i.instances.iter().map(|x| x.designator.as_str()).collect();
                (i.name.clone(), i.quantity, designators, i.parts[0].mpn.as_str())
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("100n".into(), 3, vec!["C1", "C2", "C3"], "GRM155R71C104KA88D"),
                ("Conn_01x06 - p1/2".into(), 3, vec!["J1#1", "J3#1", "J4#1"], "0022232061"),
                ("Conn_01x06 - p2/2".into(), 18, vec!["J1#2", "J3#2", "J4#2"], "08-50-0114"),
                ("SSM3J332R".into(), 1, vec!["Q1"], "SSM3J332R,LF"),
                ("10k".into(), 4, vec!["R1", "R2", "R3", "R4"], "RC0603FR-0710KL"),
            ]
        );
        let contacts = &bom.items[2];
        assert_eq!(contacts.parts[0].manufacturer, "Molex");
        assert_eq!(contacts.supplier_parts[0].sku, "WM2015-ND");
        assert_eq!((bom.components, bom.components_with_mpn), (11, 11), "a connector counts once");
    }

    #[test]
    fn hostile_ranges_and_sub_parts_are_refused_naming_their_line() {
        let err = parse("References,MPN\nR1,X\nR1-R999999999,Y\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: the designator range `R1-R999999999` names more designators than the 50000 a file may have"
        );
        let rows: String = (0..3).map(|n| format!("R{}-R{},X\n", n * 20_000 + 1, n * 20_000 + 20_000)).collect();
        let err = parse(&format!("Ref,MPN\n{rows}")).unwrap_err();
        assert_eq!(err.to_string(), "line 4: the file names more than 50000 designators");
        let err = parse("Ref,Qty,MPN\nJ1,1,\"2:A; -1:B\"\n").unwrap_err();
        assert_eq!(err.to_string(), "line 2: the sub-part quantity `-1` in `-1:B` is negative");
    }

    #[test]
    fn bad_rows_name_their_line_and_column() {
        let err = parse("Ref,Qty,MPN\nR1,1,X\nR2,two,Y\n").unwrap_err();
        assert_eq!(err.to_string(), "line 3: the quantity `two` in column `Qty` is not a whole number");
        let err = parse("A759MW157M1JAAE048, A1\nZLLS350TA, Z1\n").unwrap_err();
        assert!(err.to_string().starts_with("line 1: no column names the parts"), "{err}");
        assert!(parse("Ref,MPN\n").unwrap_err().to_string().contains("no rows"));
    }
}
