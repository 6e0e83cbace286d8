//! How BOM text is compared with the catalogue. These must agree with `ferrite_supply::keys`,
//! which the importer keys parts with (`tests/parsers.rs` checks that they do); they are repeated
//! here so that design data depends on the store only, not on the supply crate.

/// A part's identity within its manufacturer: upper case, without punctuation or spaces.
pub fn mpn_key(mpn: &str) -> String {
    mpn.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// A manufacturer's identity: lower case, letters and digits only.
pub fn name_key(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// A name's words, lower case (`Amphenol ICC / FCI` → `amphenol`, `icc`, `fci`).
pub fn name_words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Whether a BOM's manufacturer column means the catalogue's manufacturer `known`: the same name
/// however spelled, or one's words all among the other's (`Diodes` and `Diodes Inc.`, `YAGEO (VA)`
/// and `Yageo`), as `supMultiMatch` reads a manufacturer.
pub fn same_manufacturer(bom: &str, known: &str) -> bool {
    if name_key(bom) == name_key(known) {
        return true;
    }
    let (a, b) = (name_words(bom), name_words(known));
    let within = |all: &[String], some: &[String]| !some.is_empty() && some.iter().all(|w| all.contains(w));
    within(&a, &b) || within(&b, &a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manufacturers_are_compared_by_name_and_words() {
        assert!(same_manufacturer("TEXAS INSTRUMENTS", "Texas Instruments"));
        assert!(same_manufacturer("Yageo", "YAGEO (VA)"));
        assert!(same_manufacturer("Diodes Inc.", "Diodes"));
        assert!(!same_manufacturer("TI", "Texas Instruments"), "no aliases");
        assert!(!same_manufacturer("", "Yageo"));
    }
}
