//! Lines into BOM items: the same MPN (compared as the catalogue compares them, ignoring case and
//! punctuation) is one item; without an MPN, the same value and footprint; without those, the same
//! description. Items are ordered by their first designator, the way BOMs are read (C1, C2, …,
//! R1, R10), designators naturally within each item. A line whose MPN lists KiCost sub-parts is
//! first split into one line per sub-part (see `subparts`).

use std::{
    cmp::Ordering,
    collections::{HashMap, HashSet},
};

use ferrite_core::keys::{mpn_key, name_key};

use crate::{
    BomItem, Instance, Line, ParseError, SupplierPart,
    subparts::{Fraction, Subpart, split},
};

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

/// An item being built, with what it holds indexed: a file may give one item many designators
/// and parts, and looking each up in a list would make grouping quadratic.
struct Building {
    item: BomItem,
    /// The parts it takes: its fitted lines' quantities times their sub-part quantities.
    needed: Fraction,
    designators: HashSet<String>,
    /// (MPN key, manufacturer key) of its parts,
    parts: HashSet<(String, String)>,
    /// the MPN keys among them,
    mpns: HashSet<String>,
    /// and by MPN key the index of the part that names no manufacturer.
    unnamed: HashMap<String, usize>,
    supplier_parts: HashSet<SupplierPart>,
    /// Whether its texts are a whole component's, not only a sub-part's.
    whole_component_texts: bool,
}

/// Groups `lines` into items, each line first split into its sub-parts (`subparts`); also
/// returns the components the lines stand for, and how many of those name an MPN (a component
/// counts once however many sub-parts it has). Fails on a sub-part that cannot be read, or when
/// an item's quantity would not fit a GraphQL `Int`.
pub fn group(lines: Vec<Line>) -> Result<(Vec<BomItem>, u64, u64), ParseError> {
    let mut items: Vec<Building> = Vec::new();
    let mut by_key: HashMap<Key, usize> = HashMap::new();
    let (mut components, mut with_mpn) = (0u64, 0u64);
    let mut index = 0;
    for line in lines {
        let units = line.units();
        let at = line.line;
        components += units;
        let subparts = split(line)?;
        if subparts.iter().any(|s| s.line.has_mpn()) {
            with_mpn += units;
        }
        for Subpart { line, per_component, one_of_several } in subparts {
            index += 1;
            let slot = *by_key.entry(key(&line, index)).or_insert_with(|| {
                items.push(Building::default());
                items.len() - 1
            });
            let building = &mut items[slot];
            if line.fitted {
                let needed =
                    per_component.checked_mul(Fraction::whole(units)).and_then(|n| building.needed.checked_add(n));
                building.needed = needed.ok_or_else(|| {
                    ParseError::at(at, "the sub-part quantities of one item are too many different fractions to add up")
                })?;
            }
            if building.needed.ceil() > i32::MAX as u128 {
                return Err(ParseError::at(at, "the quantities of one item add up to more than 2147483647"));
            }
            building.merge(line, one_of_several);
        }
    }
    let mut items: Vec<BomItem> = items
        .into_iter()
        .map(|Building { mut item, needed, .. }| {
            item.quantity = needed.ceil() as u32;
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

impl Default for Building {
    fn default() -> Building {
        Building {
            item: BomItem {
                name: String::new(),
                description: String::new(),
                value: String::new(),
                footprint: String::new(),
                quantity: 0,
                instances: Vec::new(),
                parts: Vec::new(),
                supplier_parts: Vec::new(),
            },
            needed: Fraction::ZERO,
            designators: HashSet::new(),
            parts: HashSet::new(),
            mpns: HashSet::new(),
            unnamed: HashMap::new(),
            supplier_parts: HashSet::new(),
            whole_component_texts: false,
        }
    }
}

impl Building {
    /// Adds a line to the item. The item's texts are the first line's that has them — a whole
    /// component's before a sub-part's, whose value says which sub-part it is (`10k - p2/2`);
    /// parts and distributor codes are collected without repeats.
    fn merge(&mut self, line: Line, one_of_several: bool) {
        let item = &mut self.item;
        let replace = !one_of_several && !self.whole_component_texts;
        self.whole_component_texts |= !one_of_several;
        for (slot, value) in [
            (&mut item.value, line.value),
            (&mut item.footprint, line.footprint),
            (&mut item.description, line.description),
            // `name` holds the symbol until grouping ends and picks the item's name.
            (&mut item.name, line.symbol),
        ] {
            if slot.is_empty() || (replace && !value.is_empty()) {
                *slot = value;
            }
        }
        for designator in line.designators {
            if self.designators.insert(designator.clone()) {
                item.instances.push(Instance { designator, fitted: line.fitted });
            }
        }
        for part in line.parts {
            let mpn = mpn_key(&part.mpn);
            if part.manufacturer.is_empty() && self.mpns.contains(&mpn) {
                continue;
            }
            let identity = (mpn.clone(), name_key(&part.manufacturer));
            if self.parts.contains(&identity) {
                continue;
            }
            // A later line that names the maker of a part an earlier one left unnamed fills it in.
            if let Some(unnamed) = self.unnamed.remove(&mpn) {
                self.parts.remove(&(mpn, name_key("")));
                item.parts[unnamed].manufacturer = part.manufacturer;
            } else {
                if part.manufacturer.is_empty() {
                    self.unnamed.insert(mpn.clone(), item.parts.len());
                }
                self.mpns.insert(mpn);
                item.parts.push(part);
            }
            self.parts.insert(identity);
        }
        for sku in line.supplier_parts {
            if self.supplier_parts.insert(sku.clone()) {
                item.supplier_parts.push(sku);
            }
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

    /// A part both a component of its own and a KiCost sub-part of another: one item, named by
    /// the whole component, its quantities added up exactly before rounding up.
    #[test]
    fn a_sub_part_joins_the_item_of_its_mpn() {
        let (items, components, with_mpn) = group(vec![
            line("S1", "CL-SB-22A", "", "CL-SB-22A-01T, 2.5:RC1005J000CS"),
            line("R2", "0", "0402", "RC1005J000CS"),
            line("R3", "0", "0402", "0.5:RC1005J000CS"),
        ])
        .unwrap();
        assert_eq!((components, with_mpn), (3, 3));
        let jumpers = &items[0];
        assert_eq!((jumpers.name.as_str(), jumpers.value.as_str(), jumpers.footprint.as_str()), ("0", "0", "0402"));
        assert_eq!(jumpers.quantity, 4, "2.5 + 1 + 0.5");
        let designators: Vec<&str> = jumpers.instances.iter().map(|i| i.designator.as_str()).collect();
        assert_eq!(designators, ["R2", "R3", "S1#2"]);
        assert_eq!((items[1].name.as_str(), items[1].quantity), ("CL-SB-22A - p1/2", 1));
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
