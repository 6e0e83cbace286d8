//! BOM manufacturer parts to supply parts: by MPN (as the catalogue keys MPNs, ignoring case and
//! punctuation) and manufacturer. A BOM that names a manufacturer links only to that
//! manufacturer's part (`same_manufacturer`: however spelled, or by words, as `supMultiMatch`
//! reads it); one that names none links when exactly one catalogue part has the MPN. Anything
//! else — no such MPN, another maker's, or a choice the BOM does not settle — stays unlinked.

use std::collections::{BTreeSet, HashMap};

use ferrite_core::keys::{mpn_key, same_manufacturer};
use ferrite_store::{Store, StoreError};

use crate::Bom;

/// For each item of `bom`, for each of its manufacturer parts, the supply part id it links to.
pub async fn link(store: &Store, bom: &Bom) -> Result<Vec<Vec<Option<i64>>>, StoreError> {
    let keys: BTreeSet<String> =
        bom.items.iter().flat_map(|i| &i.parts).map(|p| mpn_key(&p.mpn)).filter(|k| !k.is_empty()).collect();
    let keys: Vec<String> = keys.into_iter().collect();
    let mut candidates: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    for (key, id, manufacturer) in store.catalogue().parts_by_mpn_keys(&keys).await? {
        candidates.entry(key).or_default().push((id, manufacturer));
    }
    Ok(bom
        .items
        .iter()
        .map(|item| {
            item.parts
                .iter()
                .map(|p| choose(candidates.get(&mpn_key(&p.mpn)).map_or(&[], Vec::as_slice), &p.manufacturer))
                .collect()
        })
        .collect())
}

/// The part of `candidates` (id, manufacturer name; same MPN) that a BOM naming `manufacturer` means.
pub fn choose(candidates: &[(i64, String)], manufacturer: &str) -> Option<i64> {
    if manufacturer.trim().is_empty() {
        return match candidates {
            [(id, _)] => Some(*id),
            _ => None,
        };
    }
    candidates.iter().find(|(_, known)| same_manufacturer(manufacturer, known)).map(|(id, _)| *id)
}

#[cfg(test)]
mod tests {
    use super::choose;

    #[test]
    fn the_manufacturer_settles_which_part_and_never_contradicts_it() {
        let parts = [(1, "Texas Instruments".to_owned()), (2, "onsemi".to_owned())];
        assert_eq!(choose(&parts, "TEXAS INSTRUMENTS"), Some(1));
        assert_eq!(choose(&parts, "ON Semi"), Some(2), "however spelled");
        assert_eq!(choose(&parts, "ON Semiconductor"), None, "no aliases");
        assert_eq!(choose(&parts, "onsemi"), Some(2));
        assert_eq!(choose(&parts, ""), None, "two makers: the BOM does not say which");
        assert_eq!(choose(&parts[..1], ""), Some(1), "one maker: that one");
        assert_eq!(choose(&parts[..1], "Analog Devices"), None, "another maker's part is not this one");
        assert_eq!(choose(&[], "Texas Instruments"), None);
    }
}
