//! Identities in the catalogue and in BOMs: which spellings name the same manufacturer, seller or
//! part. The importer keys parts with these and BOM lines are compared with them, so a line
//! matches the part it names however either is spelled.

/// Manufacturer and seller identity: `Texas Instruments`, `TEXAS INSTRUMENTS` and
/// `Texas-Instruments` are one.
pub fn name_key(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// A part's identity within its manufacturer: upper case, without punctuation or spaces
/// (`lm358-dr` and `LM358DR` are one part).
pub fn mpn_key(mpn: &str) -> String {
    mpn.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// A name's words: runs of letters and digits, lower case (`Amphenol ICC / FCI` → `amphenol`,
/// `icc`, `fci`).
pub fn name_words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Whether two names' words (see [`name_words`]) mean one manufacturer: all of one's words are
/// among the other's (`Diodes` and `Diodes Inc.`, `Vishay Lite-On` and `Lite-On`). A name without
/// words means nothing.
pub fn words_match(a: &[String], b: &[String]) -> bool {
    let within = |all: &[String], some: &[String]| some.iter().all(|w| all.contains(w));
    !a.is_empty() && !b.is_empty() && (within(a, b) || within(b, a))
}

/// Whether a BOM's manufacturer column means the catalogue's manufacturer `known`: the same name
/// however spelled, or by their words (`YAGEO (VA)` and `Yageo`), as `supMultiMatch` reads a
/// manufacturer. No aliases: `TI` is not `Texas Instruments`.
pub fn same_manufacturer(bom: &str, known: &str) -> bool {
    name_key(bom) == name_key(known) || words_match(&name_words(bom), &name_words(known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_ignore_case_and_punctuation() {
        assert_eq!(name_key("Texas-Instruments"), name_key("TEXAS INSTRUMENTS"));
        assert_eq!(name_key("Würth Elektronik"), "würthelektronik");
        assert_eq!(mpn_key(" lm358-dr "), "LM358DR");
        assert_ne!(mpn_key("LM358D"), mpn_key("LM358DR"));
        assert_eq!(name_words("Amphenol ICC / FCI"), ["amphenol", "icc", "fci"]);
    }

    #[test]
    fn manufacturers_are_compared_by_name_and_words() {
        assert!(same_manufacturer("TEXAS INSTRUMENTS", "Texas Instruments"));
        assert!(same_manufacturer("Yageo", "YAGEO (VA)"));
        assert!(same_manufacturer("Diodes Inc.", "Diodes"));
        assert!(same_manufacturer("Vishay Lite-On", "Lite-On"));
        assert!(!same_manufacturer("TI", "Texas Instruments"), "no aliases");
        assert!(!same_manufacturer("", "Yageo"));
        assert!(!same_manufacturer("Yageo", "--"));
    }
}
