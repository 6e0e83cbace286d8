//! Who the sellers are: whether they are authorized, brokers, where they are and their homepage.
//! Built-in defaults for the major distributors (`sellers.csv`, data rather than code), the
//! operator's `[[sellers]]` over them, and what feeds say over both (an offer's own word on
//! authorization, a seller's homepage as a feed gives it).
//!
//! Authorization is decided when an answer is read, not at import: the store keeps the feed's
//! word per offer (`authorized_by_feed`, `None` when the feed says nothing), so a change to
//! `[[sellers]]` applies at the next start without a re-import (the search index is keyed by the
//! table's [`SellerTable::fingerprint`], so it is rebuilt for it).

use std::collections::HashMap;

use ferrite_core::keys::name_key;
use ferrite_store::OfferRecord;
use serde::{Deserialize, Serialize};

/// What is known of a seller, as `sellers.csv` and `[[sellers]]` write it: every field but the
/// name may be left out, and then the layer below decides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SellerFacts {
    /// Matched as seller names are (case and punctuation ignored).
    pub name: String,
    /// Whether offers are authorized when their feed does not say.
    #[serde(default)]
    pub authorized: Option<bool>,
    #[serde(default)]
    pub broker: Option<bool>,
    #[serde(default)]
    pub homepage: Option<String>,
    /// ISO 3166-1 alpha-2 code of the seller's home (`US`).
    #[serde(default)]
    pub country: Option<String>,
}

/// A seller as answers show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SellerProfile {
    /// Whether its offers are authorized when their feed does not say.
    pub authorized: bool,
    pub broker: bool,
    pub homepage: Option<String>,
    pub country: Option<String>,
}

impl SellerProfile {
    /// Whether `offer` (one of this seller's) is authorized: the feed's word where it gave one,
    /// else the seller's. The one rule answers, matching and the index's `num_authsuppliers` share.
    pub fn authorizes(&self, offer: &OfferRecord) -> bool {
        offer.authorized_by_feed.unwrap_or(self.authorized)
    }
}

/// The built-in sellers.
const DEFAULTS: &str = include_str!("sellers.csv");

/// How the built-in table spells the seller called `name` (`Digikey` → `Digi-Key`), for feeds
/// that spell sellers their own way: the catalogue keeps a seller's first spelling, so every feed
/// names it alike. `None` for a seller the table does not know.
pub fn known_spelling(name: &str) -> Option<&'static str> {
    static BUILT_IN: std::sync::LazyLock<SellerTable> = std::sync::LazyLock::new(SellerTable::default);
    BUILT_IN.by_key.get(&name_key(name)).map(|facts| facts.name.as_str())
}

/// Sellers by name key: the built-in rows with the configured ones over them, field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerTable {
    by_key: HashMap<String, SellerFacts>,
}

impl Default for SellerTable {
    fn default() -> Self {
        SellerTable::new(&[])
    }
}

impl SellerTable {
    /// The built-in table with `configured` over it (a later entry over an earlier one).
    pub fn new(configured: &[SellerFacts]) -> Self {
        let mut by_key: HashMap<String, SellerFacts> = HashMap::new();
        for facts in defaults().iter().chain(configured) {
            let entry = by_key.entry(name_key(&facts.name)).or_default();
            entry.name = facts.name.clone();
            over(&mut entry.authorized, &facts.authorized);
            over(&mut entry.broker, &facts.broker);
            over(&mut entry.homepage, &facts.homepage);
            over(&mut entry.country, &facts.country);
        }
        SellerTable { by_key }
    }

    /// The seller called `name` (however spelled), with the homepage a feed gave (`feed_homepage`)
    /// over the table's; a seller the table does not know is neither authorized nor a broker.
    pub fn profile(&self, name: &str, feed_homepage: Option<&str>) -> SellerProfile {
        let facts = self.by_key.get(&name_key(name));
        let fact = |field: fn(&SellerFacts) -> &Option<String>| facts.and_then(|f| field(f).clone());
        SellerProfile {
            authorized: facts.and_then(|f| f.authorized).unwrap_or(false),
            broker: facts.and_then(|f| f.broker).unwrap_or(false),
            homepage: feed_homepage.map(str::to_owned).or_else(|| fact(|f| &f.homepage)),
            country: fact(|f| &f.country),
        }
    }

    /// A text that changes whenever the table does: the search index records it, so that an index
    /// counted with other authorizations is rebuilt.
    pub fn fingerprint(&self) -> String {
        let mut rows: Vec<(&String, &SellerFacts)> = self.by_key.iter().collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        let rows: Vec<(&String, Option<bool>)> = rows.into_iter().map(|(key, f)| (key, f.authorized)).collect();
        format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&serde_json::to_vec(&rows).expect("rows serialize")))
    }
}

/// A field of a later layer over an earlier one, when the later one sets it.
fn over<T: Clone>(mine: &mut Option<T>, given: &Option<T>) {
    if given.is_some() {
        mine.clone_from(given)
    }
}

/// The rows of `sellers.csv` (checked by a test, so a bad row fails the build's tests, not a start).
fn defaults() -> Vec<SellerFacts> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(DEFAULTS.as_bytes())
        .deserialize()
        .collect::<Result<Vec<SellerFacts>, _>>()
        .expect("sellers.csv is valid")
}

/// Checks the operator's `[[sellers]]`: every entry names a seller, once.
pub fn validate(configured: &[SellerFacts]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for facts in configured {
        let key = name_key(&facts.name);
        if key.is_empty() {
            return Err("every seller needs a name".into());
        }
        if !seen.insert(key) {
            return Err(format!("seller `{}` is listed twice", facts.name));
        }
        if let Some(homepage) = &facts.homepage
            && !(homepage.starts_with("https://") || homepage.starts_with("http://"))
        {
            return Err(format!("seller `{}`: `homepage` must be an http(s) URL, not `{homepage}`", facts.name));
        }
        if let Some(country) = &facts.country
            && !(country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase()))
        {
            return Err(format!(
                "seller `{}`: `country` must be a two-letter code such as `US`, not `{country}`",
                facts.name
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_table_reads_and_knows_the_major_distributors() {
        let rows = defaults();
        assert!(rows.len() >= 20, "{rows:?}");
        let table = SellerTable::default();
        for name in ["Digi-Key", "Digikey", "Mouser", "Farnell", "Newark", "TME", "LCSC", "Arrow", "Avnet", "RS", "TTI"]
        {
            let profile = table.profile(name, None);
            assert!(profile.authorized && !profile.broker, "{name}: {profile:?}");
            assert!(profile.homepage.as_deref().is_some_and(|h| h.starts_with("https://")), "{name}");
            assert_eq!(profile.country.as_deref().map(str::len), Some(2), "{name}");
        }
        assert!(!table.profile("Digi-Key Marketplace", None).authorized);
        assert_eq!(known_spelling("Digikey"), Some("Digi-Key"));
        assert_eq!(known_spelling("Someone Unknown"), None);
        assert_eq!(table.profile("Someone Unknown", None), SellerProfile::default());
    }

    #[test]
    fn configuration_overrides_the_defaults_field_by_field() {
        let configured = [
            SellerFacts { name: "lcsc".into(), authorized: Some(false), ..Default::default() },
            SellerFacts {
                name: "Chips R Us".into(),
                broker: Some(true),
                country: Some("HK".into()),
                ..Default::default()
            },
        ];
        validate(&configured).unwrap();
        let table = SellerTable::new(&configured);
        let lcsc = table.profile("LCSC", None);
        assert!(!lcsc.authorized);
        assert_eq!(lcsc.homepage.as_deref(), Some("https://www.lcsc.com"), "fields not configured stay");
        let broker = table.profile("Chips R Us", Some("https://chips.example"));
        assert!(broker.broker && !broker.authorized);
        assert_eq!(
            (broker.country.as_deref(), broker.homepage.as_deref()),
            (Some("HK"), Some("https://chips.example"))
        );
        assert_ne!(table.fingerprint(), SellerTable::default().fingerprint());
    }

    #[test]
    fn the_feeds_word_on_an_offer_comes_before_the_sellers() {
        let mut offer = OfferRecord {
            id: 1,
            part_id: 1,
            seller_id: 1,
            sku: "X".into(),
            authorized_by_feed: None,
            inventory_level: None,
            moq: None,
            order_multiple: None,
            factory_lead_days: None,
            factory_pack_quantity: None,
            on_order_quantity: None,
            packaging: None,
            prices: Vec::new(),
            click_url: None,
            updated_at: chrono::Utc::now(),
            feed: "f".into(),
            feed_source: "s".into(),
        };
        let digikey = SellerTable::default().profile("Digi-Key", None);
        assert!(digikey.authorizes(&offer));
        offer.authorized_by_feed = Some(false);
        assert!(!digikey.authorizes(&offer), "a Marketplace listing of an authorized seller");
    }

    #[test]
    fn bad_entries_are_refused_by_name() {
        for (entry, says) in [
            (SellerFacts::default(), "a name"),
            (SellerFacts { name: "X".into(), homepage: Some("x.example".into()), ..Default::default() }, "homepage"),
            (SellerFacts { name: "X".into(), country: Some("USA".into()), ..Default::default() }, "country"),
        ] {
            let err = validate(&[entry]).unwrap_err();
            assert!(err.contains(says), "{err}");
        }
        let twice = [
            SellerFacts { name: "TME".into(), ..Default::default() },
            SellerFacts { name: "tme".into(), ..Default::default() },
        ];
        assert!(validate(&twice).unwrap_err().contains("twice"));
    }
}
