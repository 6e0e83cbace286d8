//! Parts like a given one: of its category, with the same values of the specs that make parts of
//! a kind interchangeable (a resistor's resistance and package, a connector's positions and
//! pitch), in stock.

use ferrite_store::PartRecord;

use crate::{
    catalogue::Dictionary,
    search::{Filter, SearchRequest, SpecValue},
};

/// The specs two parts of a category must share to be alike, most telling first (Octopart's
/// shortnames). A part is matched on the first [`MATCHED_SPECS`] of these it has.
pub const KEY_SPECS: &[&str] = &[
    "resistance",
    "capacitance",
    "inductance",
    "case_package",
    "tolerance",
    "voltagerating_dc_",
    "dielectric",
    "numberofpositions",
    "pitch",
    "numberofchannels",
    "outputvoltage",
    "outputcurrent",
    "connectortype",
    "color",
];

pub const MATCHED_SPECS: usize = 3;

/// The search for parts like `part`, with the names of the specs it matches on; `None` for a
/// part without a category (nothing says what it is like).
pub fn similar_parts(part: &PartRecord, dictionary: &Dictionary, limit: usize) -> Option<(SearchRequest, Vec<String>)> {
    let category = part.category_id?;
    let mut specs: Vec<(usize, Filter, String)> = part
        .specs
        .iter()
        .filter_map(|(attribute, shown, si)| {
            let attribute = dictionary.attributes.get(attribute)?;
            let rank = KEY_SPECS.iter().position(|key| *key == attribute.shortname)?;
            let value = match si {
                Some(si) => SpecValue::Range { low: Some(*si), high: Some(*si) },
                None => SpecValue::Exact(shown.clone()),
            };
            let filter = Filter::Spec { shortname: attribute.shortname.clone(), values: vec![value] };
            Some((rank, filter, attribute.name.clone()))
        })
        .collect();
    specs.sort_by_key(|(rank, _, _)| *rank);
    specs.truncate(MATCHED_SPECS);
    let names = specs.iter().map(|(_, _, name)| name.clone()).collect();
    let mut filters = vec![Filter::Category(vec![category as u64])];
    filters.extend(specs.into_iter().map(|(_, filter, _)| filter));
    // One more than asked: the part itself is among the matches.
    let request = SearchRequest { limit: limit + 1, in_stock_only: true, filters, ..Default::default() };
    Some((request, names))
}
