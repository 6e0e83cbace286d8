//! Kitspace PartInfo answers (an Octopart-backed aggregator) as KiCost caches them: one JSON
//! object mapping each cache name (`mpn_<MPN>.dat`, `sku_<seller>_<SKU>.dat`) to the part that
//! query answered, `{"mpn": {"manufacturer", "part"}, "datasheet", "description", "specs":
//! [{"key", "value"}], "offers": [{"sku": {"vendor", "part"}, "product_url", "moq",
//! "in_stock_quantity", "prices": {"USD": [[quantity, price], ...], "EUR": null, ...}}]}`, or
//! `null` when it answered none; in one file or a directory of `.json` files.
//!
//! Fields are read as KiCost's own client (`api_partinfo_kitspace.py`) reads them. Several
//! queries often answer one part (its MPN and a seller's SKU): it is emitted once, by manufacturer
//! and MPN, with the offers of every answer.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::files;
use super::json::{Ordered, nullable, undo_latin1_misreading};
use super::merge::{PartMerger, push_offer};
use super::vocabulary::{Feed, SourceSpec, keep_first};
use super::{FeedError, PartSink, check};
use crate::model::{FeedOffer, FeedPart, FeedSpec, Location, PriceBreak};
use crate::sellers;

/// Streams the parts of the cache(s) at `path` (a file or a directory of them). One file that is
/// not JSON, or not an object of answers, fails the read; in a directory it is skipped. An answer
/// that cannot be read is skipped with its record number (its position in the file) and cache name.
pub fn read(path: &str, sink: &mut dyn PartSink) -> Result<(), FeedError> {
    files::read_json_sources(path, sink, parse)
}

/// Adds the parts of one cache file to `merger`.
pub(crate) fn parse(
    bytes: &[u8],
    file: &str,
    merger: &mut PartMerger,
    sink: &mut dyn PartSink,
) -> Result<(), FeedError> {
    let answers: Option<Ordered<Value>> = serde_json::from_slice(bytes).map_err(|e| {
        let what =
            if e.is_data() { "not a Kitspace PartInfo cache (an object of answers by cache name)" } else { "not JSON" };
        FeedError::source(file, format!("{what}: {e}"))
    })?;
    let Some(Ordered(answers)) = answers else {
        return Err(FeedError::source(file, "not a Kitspace PartInfo cache: null"));
    };
    for (index, (name, value)) in answers.into_iter().enumerate() {
        let at = Location { file: file.to_owned(), line: index as u64 + 1 };
        if value.is_null() {
            sink.skip(at, format!("{name}: empty answer (null): no part"));
            continue;
        }
        let part = Answer::deserialize(value)
            .map_err(|e| format!("not a PartInfo part: {e}"))
            .and_then(|a| a.into_feed_part(&mut |reason| sink.skip(at.clone(), format!("{name}: {reason}"))));
        match part {
            Ok(part) => merger.add(part),
            Err(reason) => sink.skip(at, format!("{name}: {reason}")),
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct Answer {
    mpn: Option<Mpn>,
    datasheet: Option<String>,
    description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    specs: Vec<Spec>,
    #[serde(default, deserialize_with = "nullable")]
    offers: Vec<Offer>,
}

#[derive(Deserialize)]
struct Mpn {
    manufacturer: Option<String>,
    part: Option<String>,
}

#[derive(Deserialize)]
struct Spec {
    key: Option<String>,
    /// Text; `null` when Octopart knows the attribute but not its value.
    value: Option<Value>,
}

#[derive(Deserialize)]
struct Offer {
    sku: Option<Sku>,
    product_url: Option<String>,
    moq: Option<i64>,
    in_stock_quantity: Option<i64>,
    /// Breaks (`[quantity, unit price]`) per currency, `null` for a currency the seller does not
    /// price in. By currency code: the answer's order is the query's, which KiCost makes from a set.
    #[serde(default, deserialize_with = "nullable")]
    prices: BTreeMap<String, Option<Vec<(i64, f64)>>>,
}

#[derive(Deserialize)]
struct Sku {
    vendor: Option<String>,
    part: Option<String>,
}

/// Trimmed, non-empty text as it was written (see [`undo_latin1_misreading`]).
fn text(value: Option<&str>) -> Option<String> {
    check::text(value).map(|t| undo_latin1_misreading(&t))
}

impl Answer {
    /// The part; offers that cannot be read are reported to `skip` and left out.
    fn into_feed_part(self, skip: &mut dyn FnMut(String)) -> Result<FeedPart, String> {
        let identity = self.mpn.ok_or("no mpn")?;
        let mpn = text(identity.part.as_deref()).ok_or("no mpn.part")?;
        let manufacturer = text(identity.manufacturer.as_deref()).ok_or("no mpn.manufacturer")?;
        let mut specs: Vec<FeedSpec> = Vec::new();
        // Two keys may mean one Octopart attribute (`resistance_tolerance`, `capacitance_tolerance`): the first counts.
        for spec in self.specs {
            keep_first(&mut specs, spec.into_feed_specs());
        }
        let mut offers = Vec::new();
        for offer in self.offers {
            let seller = offer.sku.as_ref().and_then(|s| text(s.vendor.as_deref()));
            match offer.into_feed_offer() {
                Ok(offer) => push_offer(&mut offers, offer),
                Err(reason) => skip(format!("offer of {}: {reason}", seller.as_deref().unwrap_or("no seller"))),
            }
        }
        let part = FeedPart {
            mpn,
            // The cache names hold the query, not the part's other spellings (`mpn_BAS40-05` answered
            // BAS4005E6327HTSA1), and the answers carry none.
            aka_mpns: Vec::new(),
            manufacturer,
            description: text(self.description.as_deref()),
            category: Vec::new(),
            specs,
            datasheet_url: check::url(self.datasheet.as_deref()),
            image_url: None,
            offers,
        };
        check::part(&part)?;
        Ok(part)
    }
}

impl Spec {
    fn into_feed_specs(self) -> Vec<FeedSpec> {
        let Some(key) = text(self.key.as_deref()) else { return Vec::new() };
        let value = match self.value {
            Some(Value::String(value)) => text(Some(&value)),
            Some(Value::Number(number)) => Some(number.to_string()),
            _ => None,
        };
        let Some(value) = value else { return Vec::new() };
        // A key `kitspace-partinfo.tsv` does not map stays the shortname, named by its words.
        let mut name = key.replace('_', " ");
        if let Some(first) = name.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        Feed::KitspacePartinfo.specs(SourceSpec {
            name,
            shortname: Some(key),
            group: None,
            display_value: value,
            units: None,
        })
    }
}

impl Offer {
    fn into_feed_offer(self) -> Result<FeedOffer, String> {
        let sku = self.sku.ok_or("no sku")?;
        let vendor = text(sku.vendor.as_deref()).ok_or("no sku.vendor")?;
        let part = text(sku.part.as_deref()).ok_or("no sku.part")?;
        let mut prices = Vec::new();
        // Each currency's breaks as the seller gives them; the answer prices in several at once.
        for (currency, breaks) in self.prices {
            let Some(breaks) = breaks else { continue };
            let currency = check::currency(&currency)?;
            for (quantity, price) in breaks {
                prices.push(PriceBreak {
                    quantity: check::quantity("break quantity", quantity, 1)?,
                    price: check::price(price)?,
                    currency: currency.clone(),
                });
            }
        }
        let offer = FeedOffer {
            seller: sellers::known_spelling(&vendor).map_or(vendor, str::to_owned),
            seller_homepage: None,
            sku: part,
            // The answer does not say: the seller table decides.
            is_authorized: None,
            // Octopart writes -1..-4 for "non-stocked", "in stock, unknown", "unknown", "RFQ".
            inventory_level: self.in_stock_quantity.filter(|&n| n >= 0),
            // KiCost: "Some times the API returns minimum purchase 0".
            moq: self.moq.filter(|&n| n > 0),
            order_multiple: None,
            factory_lead_days: None,
            factory_pack_quantity: None,
            on_order_quantity: None,
            packaging: None,
            prices,
            click_url: check::url(self.product_url.as_deref()),
            updated: None,
        };
        check::offer(&offer)?;
        Ok(offer)
    }
}
