//! What a feed produces: parts as their sources describe them, before they enter the catalogue.
//! A part is identified by its manufacturer and MPN; an offer by its seller and SKU.

use chrono::{DateTime, Utc};
pub use ferrite_core::money::PriceBreak;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedPart {
    /// Manufacturer part number, as the manufacturer writes it (`LM358DR`).
    pub mpn: String,
    /// Other spellings the source gives for the same part (Octopart's `akaMpns`).
    #[serde(default)]
    pub aka_mpns: Vec<String>,
    /// Manufacturer name (`Texas Instruments`).
    pub manufacturer: String,
    pub description: Option<String>,
    /// Category path from the root, e.g. `["Amplifiers", "Comparators"]`; empty when unknown.
    pub category: Vec<String>,
    pub specs: Vec<FeedSpec>,
    pub datasheet_url: Option<String>,
    pub image_url: Option<String>,
    pub offers: Vec<FeedOffer>,
}

/// One attribute value of a part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedSpec {
    /// Human name of the attribute (`Resistance`).
    pub attribute: String,
    /// Short machine name (`resistance`); adapters derive it when the source has none
    /// (see `ferrite_core::units::shortname`).
    pub shortname: String,
    /// Attribute group, when the source has one (`Physical`, `Technical`).
    pub group: Option<String>,
    /// The value as shown (`10 kΩ`).
    pub display_value: String,
    /// Units when the source states them separately (`Ω`).
    pub units: Option<String>,
}

/// A seller's offer of a part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedOffer {
    /// The seller (distributor) name (`LCSC`, `Digi-Key`).
    pub seller: String,
    /// The seller's homepage, when the source gives it (a Nexar answer's `company.homepageUrl`):
    /// it comes before the seller table's.
    pub seller_homepage: Option<String>,
    pub sku: String,
    /// Whether the source says the seller is authorized for this part; `None` when it does not
    /// say (the seller table decides, see `crate::sellers`).
    pub is_authorized: Option<bool>,
    /// Units in stock; `None` when the source does not say.
    pub inventory_level: Option<i64>,
    pub moq: Option<i64>,
    pub order_multiple: Option<i64>,
    /// The manufacturer's lead time for this offer, in days, when the source says.
    #[serde(default)]
    pub factory_lead_days: Option<i64>,
    /// The manufacturer's standard pack (a full reel, tray or tube), in units, when the source says.
    #[serde(default)]
    pub factory_pack_quantity: Option<i64>,
    /// Units the seller has on order from the manufacturer, when the source says.
    #[serde(default)]
    pub on_order_quantity: Option<i64>,
    pub packaging: Option<String>,
    pub prices: Vec<PriceBreak>,
    pub click_url: Option<String>,
    /// When the source last saw this offer change, if it says.
    pub updated: Option<DateTime<Utc>>,
}

/// Where in a source a record came from, for error reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    /// 1-based line (or record) number; 0 when the whole file is meant.
    pub line: u64,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 { write!(f, "{}", self.file) } else { write!(f, "{}:{}", self.file, self.line) }
    }
}
