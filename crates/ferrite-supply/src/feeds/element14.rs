//! element14 (Farnell, Newark, element14 Asia-Pacific) product-search answers, as KiCost records
//! them: a recording maps cache names (`mpn_<MPN>_uk.farnell.com.dat`, `sku_<SKU>_...`,
//! `key_<word>_...`) to answers `{"manufacturerPartNumberSearchReturn" (or
//! "premierFarnellPartNumberReturn", "keywordSearchReturn"): {"numberOfResults", "products"}}`.
//! A path names a recording, one answer (its file named like a cache name to tell the store), or
//! a directory of either.
//!
//! The answers do not name the store they came from: the cache name does (its last part, the
//! API's `storeInfo.id`), and `element14-stores.tsv` gives its seller and currency. An answer of
//! no results is nothing to import.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

use super::files;
use super::json::{self, Recording, nullable, read_recording};
use super::merge::PartMerger;
use super::vocabulary::{Feed, LIFECYCLE_STATUS, SourceSpec, ValueType, keep_first, value_type};
use super::{FeedError, PartSink, check};
use crate::model::{FeedOffer, FeedPart, FeedSpec, Location, PriceBreak};

/// The seller of answers from a store the table does not know.
pub(crate) const SELLER: &str = "element14";

/// The answer kinds, by the field that holds them.
const REPLIES: [&str; 3] =
    ["manufacturerPartNumberSearchReturn", "premierFarnellPartNumberReturn", "keywordSearchReturn"];

/// Streams the products of the recording(s) or answer(s) at `path`. One file that is not JSON,
/// or holds no element14 answer, fails the read; in a directory it is skipped.
pub fn read(path: &str, sink: &mut dyn PartSink) -> Result<(), FeedError> {
    files::read_json_sources(path, sink, parse)
}

/// Adds the products of one file to `merger`.
pub(crate) fn parse(
    bytes: &[u8],
    file: &str,
    merger: &mut PartMerger,
    sink: &mut dyn PartSink,
) -> Result<(), FeedError> {
    let document = json::document(bytes, file)?;
    let Some(object) = document.as_object() else {
        return Err(FeedError::source(file, "not an element14 answer: not an object"));
    };
    let mut reader = Reader { file, merger, sink, record: 0 };
    if REPLIES.iter().any(|r| object.contains_key(*r)) {
        let stem = Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or(file);
        return reader.answer(stem, &document).map_err(|reason| FeedError::source(file, reason));
    }
    // A recording: cache name -> answer.
    read_recording(&mut reader, file, object, "an element14 answer")
}

struct Reader<'a> {
    file: &'a str,
    merger: &'a mut PartMerger,
    sink: &'a mut dyn PartSink,
    /// Products read from the file so far (an unusable entry of a recording counts as one).
    record: u64,
}

impl Recording for Reader<'_> {
    /// Reads one answer, named by its cache name. An error means the answer is unusable as a whole.
    fn answer(&mut self, key: &str, answer: &Value) -> Result<(), String> {
        let reply = REPLIES
            .iter()
            .find_map(|r| answer.get(*r))
            .ok_or("not an element14 answer (no manufacturerPartNumberSearchReturn or the like)")?;
        let count = reply.get("numberOfResults").and_then(Value::as_u64).ok_or("no numberOfResults")?;
        let products = match reply.get("products") {
            Some(Value::Array(products)) => products.as_slice(),
            // No results: nothing to import.
            None if count == 0 => &[],
            _ => return Err(format!("numberOfResults {count} without a list of products")),
        };
        let store = Store::of_key(key);
        for value in products {
            self.record += 1;
            let at = Location { file: self.file.to_owned(), line: self.record };
            let part = Product::deserialize(value)
                .map_err(|e| format!("not an element14 product: {e}"))
                .and_then(|p| p.into_feed_part(&store, &mut |reason| self.sink.skip(at.clone(), reason)));
            match part {
                Ok(part) => self.merger.add(part),
                Err(reason) => self.sink.skip(at, format!("{key}: {reason}")),
            }
        }
        Ok(())
    }

    fn refuse(&mut self, key: &str, reason: String) {
        self.record += 1;
        self.sink.skip(Location { file: self.file.to_owned(), line: self.record }, format!("{key}: {reason}"));
    }
}

/// The store an answer came from.
struct Store {
    /// `uk.farnell.com`; `None` when the cache name does not say.
    id: Option<String>,
    seller: &'static str,
    currency: Option<&'static str>,
}

impl Store {
    /// The store named by the last part of a cache name (`mpn_ERJ3EKF1002V_uk.farnell.com.dat`).
    fn of_key(key: &str) -> Store {
        static STORES: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> = LazyLock::new(|| {
            include_str!("element14-stores.tsv")
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .map(|l| match l.split('\t').collect::<Vec<_>>()[..] {
                    [store, seller, currency] => (store, (seller, currency)),
                    _ => panic!("element14-stores.tsv: a row not of 3 cells: {l:?}"),
                })
                .collect()
        });
        let key = key.strip_suffix(".dat").or_else(|| key.strip_suffix(".json")).unwrap_or(key);
        let id = key.rsplit('_').next().filter(|id| id.contains('.') && key.contains('_')).map(str::to_lowercase);
        match id.as_deref().and_then(|id| STORES.get(id)) {
            Some(&(seller, currency)) => Store { id, seller, currency: Some(currency) },
            None => Store { id, seller: SELLER, currency: None },
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Product {
    sku: Option<String>,
    display_name: Option<String>,
    product_status: Option<String>,
    rohs_status_code: Option<String>,
    /// Units per sold unit: 4,000 for a product sold by the reel (`REEL OF`), else 1.
    pack_size: Option<i64>,
    unit_of_measure: Option<String>,
    vendor_name: Option<String>,
    brand_name: Option<String>,
    translated_manufacturer_part_number: Option<String>,
    /// Sic: element14's name for the minimum order quantity, in sold units.
    translated_minimum_order_quality: Option<i64>,
    inv: Option<i64>,
    stock: Option<Stock>,
    #[serde(default, deserialize_with = "nullable")]
    prices: Vec<Break>,
    #[serde(default, deserialize_with = "nullable")]
    attributes: Vec<Attribute>,
    #[serde(default, deserialize_with = "nullable")]
    datasheets: Vec<Datasheet>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stock {
    level: Option<i64>,
    /// Days.
    least_lead_time: Option<i64>,
}

#[derive(Deserialize)]
struct Break {
    from: Option<i64>,
    cost: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attribute {
    attribute_label: Option<String>,
    attribute_unit: Option<String>,
    attribute_value: Option<String>,
}

#[derive(Deserialize)]
struct Datasheet {
    url: Option<String>,
}

impl Product {
    fn into_feed_part(self, store: &Store, skip: &mut dyn FnMut(String)) -> Result<FeedPart, String> {
        let mpn = check::text(self.translated_manufacturer_part_number.as_deref())
            .ok_or("no translatedManufacturerPartNumber")?;
        let manufacturer = check::text(self.vendor_name.as_deref())
            .or_else(|| check::text(self.brand_name.as_deref()))
            .ok_or("no vendorName")?;
        let description = self.display_name.as_deref().map(|name| {
            description(name, [self.brand_name.as_deref(), self.vendor_name.as_deref()].into_iter().flatten())
        });
        let offers = match self.offer(store, skip) {
            Ok(offer) => vec![offer],
            Err(reason) => {
                skip(format!("offer of {manufacturer} {mpn}: {reason}"));
                Vec::new()
            }
        };
        let mut specs: Vec<FeedSpec> = Vec::new();
        let status = check::text(self.product_status.as_deref()).map(|s| (LIFECYCLE_STATUS.to_owned(), s, None));
        let rohs = check::text(self.rohs_status_code.as_deref()).map(|s| ("RoHS".to_owned(), s, None));
        let attributes = self.attributes.into_iter().filter_map(|a| {
            Some((
                check::text(a.attribute_label.as_deref())?,
                check::text(a.attribute_value.as_deref())?,
                a.attribute_unit,
            ))
        });
        for (name, value, unit) in status.into_iter().chain(rohs).chain(attributes) {
            // "-" is element14's "does not apply".
            if value == "-" {
                continue;
            }
            let source = SourceSpec {
                name,
                shortname: None,
                group: None,
                display_value: with_unit(&value, unit.as_deref()),
                units: None,
            };
            let mut these = Feed::Element14.specs(source);
            for spec in &mut these {
                // A count shows as one (`6`, not `6 Pins`).
                if value_type(&spec.shortname, spec.units.as_deref()) == ValueType::Integer {
                    spec.display_value = value.clone();
                }
            }
            keep_first(&mut specs, these);
        }
        let datasheet_url = self.datasheets.iter().find_map(|d| check::url(d.url.as_deref()));
        let part = FeedPart {
            mpn,
            aka_mpns: Vec::new(),
            manufacturer,
            description: description.as_deref().and_then(|d| check::text(Some(d))),
            category: Vec::new(),
            specs,
            datasheet_url,
            image_url: None,
            offers,
        };
        check::part(&part)?;
        Ok(part)
    }

    fn offer(&self, store: &Store, skip: &mut dyn FnMut(String)) -> Result<FeedOffer, String> {
        let sku = check::text(self.sku.as_deref()).ok_or("no sku")?;
        // Quantities and prices are per sold unit; a reel of 4,000 is 4,000 parts.
        let unit = self.pack_size.filter(|&n| n > 1).unwrap_or(1);
        let prices = match (store.currency, self.prices.is_empty()) {
            (_, true) => Vec::new(),
            (None, false) => {
                skip(format!(
                    "the prices of {sku} are in a currency the answer does not say (no store in its name): left out"
                ));
                Vec::new()
            }
            (Some(currency), false) => {
                let currency = check::currency(currency)?;
                self.prices
                    .iter()
                    .map(|b| {
                        let from = b.from.ok_or("a break without from")?;
                        Ok(PriceBreak {
                            quantity: check::quantity("break quantity", from.saturating_mul(unit), 1)?,
                            price: check::price(b.cost.ok_or("a break without cost")? / unit as f64)?,
                            currency: currency.clone(),
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?
            }
        };
        let stock = self.inv.or(self.stock.as_ref().and_then(|s| s.level));
        // KiCost orders element14 parts in multiples of the minimum.
        let moq = self.translated_minimum_order_quality.filter(|&n| n > 0).map(|n| n.saturating_mul(unit));
        let offer = FeedOffer {
            seller: store.seller.into(),
            seller_homepage: None,
            click_url: store.id.as_deref().and_then(|id| check::url(Some(&format!("https://{id}/w/search?st={sku}")))),
            sku,
            is_authorized: None,
            inventory_level: stock.map(|n| check::quantity("stock", n.saturating_mul(unit), 0)).transpose()?,
            moq,
            order_multiple: moq,
            factory_lead_days: self
                .stock
                .as_ref()
                .and_then(|s| s.least_lead_time)
                .filter(|&n| (0..=5 * 365).contains(&n)),
            factory_pack_quantity: (unit > 1).then_some(unit),
            on_order_quantity: None,
            packaging: check::text(self.unit_of_measure.as_deref()),
            prices,
            updated: None,
        };
        check::offer(&offer)?;
        Ok(offer)
    }
}

/// `PANASONIC - ERJ3EKF1002V - RES, 10K, 1%, 0.1W, 0603` → `RES, 10K, 1%, 0.1W, 0603`: the display
/// name without the brand and MPN it starts with.
fn description<'a>(display_name: &str, brands: impl Iterator<Item = &'a str>) -> String {
    for brand in brands {
        let prefix = format!("{} - ", brand.trim());
        if let Some(rest) = display_name.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(&prefix)) {
            let rest = &display_name[rest.len()..];
            if let Some((_, text)) = rest.split_once(" - ") {
                return text.trim().to_owned();
            }
        }
    }
    display_name.trim().to_owned()
}

/// `10` and `kohm` → `10 kΩ`: the value with its unit, ohms written as Octopart writes them.
fn with_unit(value: &str, unit: Option<&str>) -> String {
    match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(unit) => {
            let unit = match unit.strip_suffix("ohm") {
                Some(prefix) => format!("{prefix}Ω"),
                None => unit.to_owned(),
            };
            format!("{value} {unit}")
        }
        None => value.to_owned(),
    }
}
