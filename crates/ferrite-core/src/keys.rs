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

/// What a SKU's key leaves out: ASCII punctuation, spaces and tabs. A fixed list, so that the
/// migration `part_identity` computes the same key in SQL for the offers stored before it.
pub const SKU_PUNCTUATION: &str = " \t!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// Which spellings of a SKU name one offer, as Nexar matches SKUs: upper case, without
/// punctuation or spaces, without leading zeros (`166-327` is RS's `0166327`); a SKU of zeros
/// keeps them.
pub fn sku_key(sku: &str) -> String {
    let key: String = sku.chars().filter(|c| !SKU_PUNCTUATION.contains(*c)).map(|c| c.to_ascii_uppercase()).collect();
    match key.trim_start_matches('0') {
        "" => key,
        trimmed => trimmed.to_owned(),
    }
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

/// Legal-form words a feed may add or drop (`Diodes Inc.`, `Diodes Incorporated`): left out of a
/// manufacturer's key. Only forms that never name a company on their own, so no two makers merge.
const LEGAL_SUFFIXES: &[&str] =
    &["inc", "incorporated", "corp", "corporation", "co", "ltd", "limited", "llc", "gmbh", "ag", "sa", "bv", "plc"];

/// The built-in alias table: canonical name, then the spellings feeds use for it.
const ALIAS_TABLE: &str = include_str!("manufacturer_aliases.txt");

/// A manufacturer's identity before aliases: [`name_words`] without trailing legal forms, joined
/// (`Diodes Inc.`, `DIODES INCORPORATED` and `Diodes` are one; `Murata Electronics` is not
/// `Murata`: that takes an alias).
pub fn manufacturer_key(name: &str) -> String {
    let mut words = name_words(name);
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_SUFFIXES.contains(&w.as_str())) {
        words.pop();
    }
    words.concat()
}

/// Which spellings name one manufacturer: the built-in table (`manufacturer_aliases.txt`) plus
/// the operator's `[[manufacturers]]`. A spelling that no entry names is its own manufacturer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManufacturerAliases {
    /// By [`manufacturer_key`] of every spelling (the canonical name's too): the canonical name.
    canonical: std::collections::HashMap<String, String>,
    /// By [`manufacturer_key`] of every spelling: the spelling as the table writes it.
    spelled: std::collections::HashMap<String, String>,
}

impl Default for ManufacturerAliases {
    fn default() -> Self {
        let mut aliases = ManufacturerAliases { canonical: Default::default(), spelled: Default::default() };
        for line in ALIAS_TABLE.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let mut names = line.split('|').map(str::trim);
            let name = names.next().expect("split yields one");
            aliases.add(name, names);
        }
        aliases
    }
}

impl ManufacturerAliases {
    /// Adds (or, for a spelling already known, moves) `spellings` to the manufacturer `name`.
    pub fn add<'a>(&mut self, name: &'a str, spellings: impl IntoIterator<Item = &'a str>) {
        let name = name.trim();
        for spelling in std::iter::once(name).chain(spellings.into_iter().map(str::trim)) {
            let key = manufacturer_key(spelling);
            if !key.is_empty() {
                self.canonical.insert(key.clone(), name.to_owned());
                self.spelled.insert(key, spelling.to_owned());
            }
        }
    }

    /// The name a feed's spelling is stored under: the alias table's canonical name, or the
    /// spelling itself, trimmed.
    pub fn canonical_name<'a>(&'a self, spelling: &'a str) -> &'a str {
        self.canonical.get(&manufacturer_key(spelling)).map_or(spelling.trim(), String::as_str)
    }

    /// The identity key the catalogue keys manufacturers by.
    pub fn key(&self, spelling: &str) -> String {
        manufacturer_key(self.canonical_name(spelling))
    }

    /// The spellings the table knows for the manufacturer `name` (however spelled), as the table
    /// writes them, sorted, the canonical name left out (for `SupCompany.aliases`).
    pub fn known_spellings(&self, name: &str) -> Vec<&str> {
        let canonical = self.canonical_name(name);
        let mut found: Vec<&str> = self
            .canonical
            .iter()
            .filter(|(_, n)| n.as_str() == canonical)
            .map(|(key, _)| self.spelled[key].as_str())
            .filter(|spelling| *spelling != canonical)
            .collect();
        found.sort_unstable();
        found
    }
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
        assert_eq!(sku_key("166-327"), sku_key("0166327"));
        assert_eq!(sku_key("694-9374"), "6949374");
        assert_eq!(sku_key("81-grm188 r61a"), "81GRM188R61A");
        assert_eq!(sku_key("00-0"), "000", "a SKU of zeros keeps them");
        assert_ne!(sku_key("C1234"), sku_key("C12345"));
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

    #[test]
    fn legal_forms_are_left_out_but_words_are_not() {
        assert_eq!(manufacturer_key("Diodes Inc."), manufacturer_key("DIODES INCORPORATED"));
        assert_eq!(manufacturer_key("Diodes"), manufacturer_key("Diodes, Inc"));
        assert_ne!(manufacturer_key("Murata Electronics"), manufacturer_key("Murata"), "not a legal form");
        assert_eq!(manufacturer_key("Co."), "co", "a name of legal forms only keeps them");
    }

    #[test]
    fn aliases_give_one_manufacturer_however_a_feed_spells_it() {
        let aliases = ManufacturerAliases::default();
        for (spelling, name) in [
            ("Murata Electronics", "Murata"),
            ("muRata", "Murata"),
            ("TI", "Texas Instruments"),
            ("TEXAS INSTRUMENTS", "Texas Instruments"),
            ("ON Semiconductor", "onsemi"),
            ("Diodes Incorporated", "Diodes Inc."),
            ("Vishay Intertech", "Vishay"),
            ("FH(Guangdong Fenghua Advanced Tech)", "Fenghua"),
            ("Fairchild Semiconductor", "onsemi"),
            ("Avago", "Broadcom"),
            ("STMicroelectronics", "STMicroelectronics"),
            ("ST", "STMicroelectronics"),
            ("UNI-ROYAL(厚声)", "Uniroyal"),
            ("Some New Maker ", "Some New Maker"),
        ] {
            assert_eq!(aliases.canonical_name(spelling), name, "{spelling}");
        }
        assert_eq!(aliases.key("muRata"), aliases.key("Murata Electronics"));
        assert_ne!(aliases.key("Murata"), aliases.key("Yageo"));
    }

    #[test]
    fn operators_extend_the_table_and_no_built_in_spelling_names_two_makers() {
        let mut aliases = ManufacturerAliases::default();
        aliases.add("Acme Parts", ["ACME", "Acme(阿克米)"]);
        assert_eq!(aliases.canonical_name("acme"), "Acme Parts");
        assert_eq!(aliases.known_spellings("ACME"), ["ACME", "Acme(阿克米)"]);
        assert!(aliases.known_spellings("Murata").contains(&"muRata"));
        assert!(aliases.known_spellings("Unknown Maker").is_empty());

        let mut seen = std::collections::HashMap::new();
        for line in ALIAS_TABLE.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
            let name = line.split('|').next().unwrap().trim();
            for spelling in line.split('|') {
                let key = manufacturer_key(spelling);
                if let Some(other) = seen.insert(key.clone(), name) {
                    assert_eq!(other, name, "{key} names two manufacturers");
                }
            }
        }
    }
}
