//! Which spellings name one manufacturer: the built-in alias table
//! (`ferrite_core::keys::ManufacturerAliases`, data rather than code) with the operator's
//! `[[manufacturers]]` over it. The importer files each part under the manufacturer the table
//! names, stored under its canonical name; matching reads a BOM's manufacturer through it; the
//! catalogue re-keys what it holds when the table changes (`CatalogueStore::rekey_manufacturers`).

use ferrite_core::keys::{ManufacturerAliases, manufacturer_key};
use serde::{Deserialize, Serialize};

/// A manufacturer as `[[manufacturers]]` writes it: its canonical name, and the spellings feeds
/// and BOMs use for it. A spelling the built-in table gives another manufacturer moves to this one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManufacturerEntry {
    /// The name stored and shown.
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// The built-in table with `configured` over it (a later entry over an earlier one).
pub fn alias_table(configured: &[ManufacturerEntry]) -> ManufacturerAliases {
    let mut table = ManufacturerAliases::default();
    for entry in configured {
        table.add(&entry.name, entry.aliases.iter().map(String::as_str));
    }
    table
}

/// Checks the operator's `[[manufacturers]]`: every entry and alias names something, and no
/// spelling is given to two entries.
pub fn validate(configured: &[ManufacturerEntry]) -> Result<(), String> {
    let mut owner = std::collections::HashMap::new();
    for entry in configured {
        if manufacturer_key(&entry.name).is_empty() {
            return Err("every manufacturer needs a name".into());
        }
        for spelling in std::iter::once(&entry.name).chain(&entry.aliases) {
            let key = manufacturer_key(spelling);
            if key.is_empty() {
                return Err(format!("manufacturer `{}`: an alias without letters or digits", entry.name));
            }
            if let Some(other) = owner.insert(key, &entry.name)
                && manufacturer_key(other) != manufacturer_key(&entry.name)
            {
                return Err(format!("`{spelling}` is an alias of both `{other}` and `{}`", entry.name));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_entries_extend_and_override_the_built_in_table() {
        let configured = [
            ManufacturerEntry { name: "Acme Parts".into(), aliases: vec!["ACME".into(), "Acme(阿克米)".into()] },
            ManufacturerEntry { name: "Neutrik".into(), aliases: vec!["Rean".into()] },
        ];
        validate(&configured).unwrap();
        let table = alias_table(&configured);
        assert_eq!(table.canonical_name("acme"), "Acme Parts");
        assert_eq!(table.key("RE-AN"), table.key("Neutrik"));
        assert_eq!(table.canonical_name("muRata"), "Murata", "the built-in entries stay");
    }

    #[test]
    fn bad_entries_are_refused_by_name() {
        let entry = |name: &str, aliases: &[&str]| ManufacturerEntry {
            name: name.into(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        };
        assert!(validate(&[entry(" ", &[])]).unwrap_err().contains("a name"));
        assert!(validate(&[entry("X", &["--"])]).unwrap_err().contains("alias"));
        let twice = [entry("Acme", &["AC"]), entry("Other", &["ac"])];
        assert!(validate(&twice).unwrap_err().contains("both"), "{:?}", validate(&twice));
    }
}
