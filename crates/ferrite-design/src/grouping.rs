//! Lines into BOM items: the same MPN (compared as the catalogue compares them, ignoring case and
//! punctuation) is one item; without an MPN, the same value and footprint; without those, the same
//! description. Items are ordered by their first designator, the way BOMs are read (C1, C2, …,
//! R1, R10), designators naturally within each item.

use std::{cmp::Ordering, collections::HashMap};

use ferrite_core::keys::{mpn_key, name_key};

use crate::{BomItem, Instance, Line, ParseError};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Mpn(String),
    ValueFootprint(String, String),
    Description(String),
    /// A line that shares nothing with others.
    Alone(usize),
}

fn key(line: &Line, index: usize) -> Key {
    if let Some(part) = line.parts.iter().find(|p| !mpn_key(&p.mpn).is_empty()) {
        Key::Mpn(mpn_key(&part.mpn))
    } else if !line.value.is_empty() || !line.footprint.is_empty() {
        Key::ValueFootprint(line.value.clone(), line.footprint.clone())
    } else if !line.description.is_empty() {
        Key::Description(line.description.clone())
    } else {
        Key::Alone(index)
    }
}

/// Groups `lines` into items; also returns the components they stand for, and how many of those
/// name an MPN. Fails only when an item's quantity would not fit a GraphQL `Int`.
pub fn group(lines: Vec<Line>) -> Result<(Vec<BomItem>, u64, u64), ParseError> {
    let mut items: Vec<(BomItem, u64)> = Vec::new();
    let mut by_key: HashMap<Key, usize> = HashMap::new();
    let (mut components, mut with_mpn) = (0u64, 0u64);
    for (index, line) in lines.into_iter().enumerate() {
        let units = line.units();
        components += units;
        if line.has_mpn() {
            with_mpn += units;
        }
        let slot = *by_key.entry(key(&line, index)).or_insert_with(|| {
            items.push((empty_item(), 0));
            items.len() - 1
        });
        let (item, quantity) = &mut items[slot];
        if line.fitted {
            *quantity += units;
        }
        if *quantity > i32::MAX as u64 {
            return Err(ParseError::at(line.line, "the quantities of one item add up to more than 2147483647"));
        }
        merge(item, line);
    }
    let mut items: Vec<BomItem> = items
        .into_iter()
        .map(|(mut item, quantity)| {
            item.quantity = quantity as u32;
            item.instances.sort_by(|a, b| natural_cmp(&a.designator, &b.designator));
            let mpn = item.parts.first().map(|p| p.mpn.clone()).unwrap_or_default();
            let name = [&item.value, &mpn, &item.name, &item.description].into_iter().find(|n| !n.is_empty()).cloned();
            item.name = name.unwrap_or_default();
            item
        })
        .collect();
    // Stable: items without designators keep the file's order, after the others.
    items.sort_by(|a, b| match (a.instances.first(), b.instances.first()) {
        (Some(a), Some(b)) => natural_cmp(&a.designator, &b.designator),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    });
    Ok((items, components, with_mpn))
}

fn empty_item() -> BomItem {
    BomItem {
        name: String::new(),
        description: String::new(),
        value: String::new(),
        footprint: String::new(),
        quantity: 0,
        instances: Vec::new(),
        parts: Vec::new(),
        supplier_parts: Vec::new(),
    }
}

/// Adds a line to its item. The item's texts are the first line's that has them; parts and
/// distributor codes are collected without repeats.
fn merge(item: &mut BomItem, line: Line) {
    for (slot, value) in [
        (&mut item.value, line.value),
        (&mut item.footprint, line.footprint),
        (&mut item.description, line.description),
        // `name` holds the symbol until grouping ends and picks the item's name.
        (&mut item.name, line.symbol),
    ] {
        if slot.is_empty() {
            *slot = value;
        }
    }
    for designator in line.designators {
        if !item.instances.iter().any(|i| i.designator == designator) {
            item.instances.push(Instance { designator, fitted: line.fitted });
        }
    }
    for part in line.parts {
        let same = |p: &crate::ManufacturerPart| {
            mpn_key(&p.mpn) == mpn_key(&part.mpn) && name_key(&p.manufacturer) == name_key(&part.manufacturer)
        };
        let known_mpn = |p: &crate::ManufacturerPart| mpn_key(&p.mpn) == mpn_key(&part.mpn);
        if part.manufacturer.is_empty() && item.parts.iter().any(known_mpn) {
            continue;
        }
        if !item.parts.iter().any(same) {
            // A later line that names the maker of a part an earlier one left unnamed fills it in.
            match item.parts.iter_mut().find(|p| p.manufacturer.is_empty() && mpn_key(&p.mpn) == mpn_key(&part.mpn)) {
                Some(unnamed) => unnamed.manufacturer = part.manufacturer,
                None => item.parts.push(part),
            }
        }
    }
    for sku in line.supplier_parts {
        if !item.supplier_parts.contains(&sku) {
            item.supplier_parts.push(sku);
        }
    }
}

/// Designator order: `C2` before `C10`, letters case-insensitively, numbers by value.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        let (chunk_a, rest_a) = chunk(a);
        let (chunk_b, rest_b) = chunk(b);
        let digits = |c: &str| c.starts_with(|c: char| c.is_ascii_digit());
        let order = if digits(chunk_a) && digits(chunk_b) {
            // By value however long (a parse would overflow, and mixing parsed and unparsed
            // chunks is no total order), then fewer leading zeros first.
            let (x, y) = (chunk_a.trim_start_matches('0'), chunk_b.trim_start_matches('0'));
            x.len().cmp(&y.len()).then(x.cmp(y)).then(chunk_a.len().cmp(&chunk_b.len()))
        } else {
            chunk_a.to_lowercase().cmp(&chunk_b.to_lowercase()).then(chunk_a.cmp(chunk_b))
        };
        if order != Ordering::Equal {
            return order;
        }
        (a, b) = (rest_a, rest_b);
    }
}

/// The leading run of digits, or of non-digits.
fn chunk(s: &str) -> (&str, &str) {
    let digits = s.starts_with(|c: char| c.is_ascii_digit());
    let end = s.find(|c: char| c.is_ascii_digit() != digits).unwrap_or(s.len());
    s.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ManufacturerPart;

    fn line(designator: &str, value: &str, footprint: &str, mpn: &str) -> Line {
        Line {
            designators: vec![designator.into()],
            fitted: true,
            value: value.into(),
            footprint: footprint.into(),
            parts: (!mpn.is_empty())
                .then(|| ManufacturerPart { manufacturer: String::new(), mpn: mpn.into() })
                .into_iter()
                .collect(),
            ..Line::default()
        }
    }

    #[test]
    fn same_mpn_or_same_value_and_footprint_make_one_item() {
        let (items, components, with_mpn) = group(vec![
            line("R10", "10k", "0603", "RC0603FR-0710KL"),
            line("C1", "100n", "0402", ""),
            line("R2", "10K", "0603", "rc0603fr 0710kl"),
            line("C12", "100n", "0402", ""),
            line("C3", "100n", "0603", ""),
        ])
        .unwrap();
        assert_eq!((components, with_mpn), (5, 2));
        let summary: Vec<(Vec<&str>, u32)> =
            items.iter().map(|i| (i.instances.iter().map(|x| x.designator.as_str()).collect(), i.quantity)).collect();
        assert_eq!(summary, vec![(vec!["C1", "C12"], 2), (vec!["C3"], 1), (vec!["R2", "R10"], 2)]);
        assert_eq!(items[2].parts.len(), 1, "one MPN, spelled two ways");
        assert_eq!(items[2].name, "10k");
    }

    /// Found by fuzzing (design_one_click_bom): numbers past u128 were compared as text, others by
    /// value, so the order was not total and the sort panicked.
    #[test]
    fn designator_order_is_total_also_for_numbers_past_u128() {
        let long = format!("C{}", "6".repeat(45));
        let mut refs = vec![long.clone(), "C7".into(), format!("C{}", "1".repeat(40)), "C072".into(), "C72".into()];
        refs.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(refs, ["C7".to_owned(), "C72".into(), "C072".into(), format!("C{}", "1".repeat(40)), long]);
        proptest::proptest!(|(mut refs in proptest::collection::vec("[A-Z]{0,2}[0-9]{0,50}[a-z,]{0,2}[0-9]{0,3}", 0..40))| {
            refs.sort_by(|a, b| natural_cmp(a, b));
            for pair in refs.windows(2) {
                proptest::prop_assert_ne!(natural_cmp(&pair[0], &pair[1]), Ordering::Greater);
            }
        });
    }

    #[test]
    fn designators_sort_naturally() {
        let mut refs = vec!["R10", "C2", "R1", "c10", "U1A", "R2", "J1"];
        refs.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(refs, ["C2", "c10", "J1", "R1", "R2", "R10", "U1A"]);
    }
}
