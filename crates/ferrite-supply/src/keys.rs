//! Identities in the catalogue: which spellings name the same manufacturer, seller or part.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_ignore_case_and_punctuation() {
        assert_eq!(name_key("Texas-Instruments"), name_key("TEXAS INSTRUMENTS"));
        assert_eq!(mpn_key(" lm358-dr "), "LM358DR");
        assert_ne!(mpn_key("LM358D"), mpn_key("LM358DR"));
    }
}
