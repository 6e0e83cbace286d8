//! DigiKey Product Information API v4 responses: product details (`{"product": {...},
//! "search_locale_used": {...}}`), keyword searches (`{"products": [...], "exact_matches":
//! [...], "search_locale_used": {...}}`), and `null` (what the API recorded for an unknown
//! product number), in one file or a directory of `.json` files.
//!
//! Each product variation (cut tape, reel, Digi-Reel...) is one Digi-Key offer. Products seen in
//! several files are emitted once, merged by manufacturer and MPN.

use serde::Deserialize;
use serde_json::Value;

use super::files;
use super::json::{self, nullable};
use super::merge::PartMerger;
use super::vocabulary::{Feed, LIFECYCLE_STATUS, SourceSpec, keep_first};
use super::{FeedError, PartSink, check};
use crate::model::{FeedOffer, FeedPart, FeedSpec, Location, PriceBreak};

pub(crate) const SELLER: &str = "Digi-Key";

/// Streams the products of the response(s) at `path` (a file or a directory of them). One file
/// that is not JSON, or not a v4 response, fails the read; in a directory it is skipped.
pub fn read(path: &str, sink: &mut dyn PartSink) -> Result<(), FeedError> {
    files::read_json_sources(path, sink, parse)
}

/// Adds the products of one response to `merger`.
pub(crate) fn parse(
    bytes: &[u8],
    file: &str,
    merger: &mut PartMerger,
    sink: &mut dyn PartSink,
) -> Result<(), FeedError> {
    let document = json::document(bytes, file)?;
    if document.is_null() {
        sink.skip(Location { file: file.into(), line: 0 }, "empty response (null): no product".into());
        return Ok(());
    }
    let Some(object) = document.as_object() else {
        return Err(FeedError::source(file, "not a DigiKey v4 response: not an object"));
    };
    let currency = document.pointer("/search_locale_used/currency").and_then(Value::as_str).unwrap_or("USD");
    let products: Vec<&Value> = match (object.get("product"), object.get("products")) {
        (Some(product), _) => vec![product],
        (None, Some(Value::Array(products))) => {
            let exact = object.get("exact_matches").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            products.iter().chain(exact).collect()
        }
        _ => return Err(FeedError::source(file, "not a DigiKey v4 product-details or keyword-search response")),
    };
    for (index, value) in products.into_iter().enumerate() {
        let at = Location { file: file.to_owned(), line: index as u64 + 1 };
        let part = Product::deserialize(value)
            .map_err(|e| format!("not a DigiKey product: {e}"))
            .and_then(|p| p.into_feed_part(currency, &mut |reason| sink.skip(at.clone(), reason)));
        match part {
            Ok(part) => merger.add(part),
            Err(reason) => sink.skip(at, reason),
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct Product {
    description: Option<Description>,
    manufacturer: Option<Named>,
    manufacturer_product_number: Option<String>,
    product_url: Option<String>,
    datasheet_url: Option<String>,
    photo_url: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    product_variations: Vec<Variation>,
    #[serde(default, deserialize_with = "nullable")]
    parameters: Vec<Parameter>,
    category: Option<Category>,
    product_status: Option<Status>,
    /// Weeks, as text (`"17"`).
    manufacturer_lead_weeks: Option<String>,
}

#[derive(Deserialize)]
struct Status {
    status: Option<String>,
}

#[derive(Deserialize)]
struct Description {
    product_description: Option<String>,
    detailed_description: Option<String>,
}

#[derive(Deserialize)]
struct Named {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Category {
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    child_categories: Vec<Category>,
}

#[derive(Deserialize)]
struct Parameter {
    parameter_text: Option<String>,
    value_text: Option<String>,
}

#[derive(Deserialize)]
struct Variation {
    digi_key_product_number: Option<String>,
    package_type: Option<Named>,
    #[serde(default, deserialize_with = "nullable")]
    standard_pricing: Vec<Break>,
    quantity_availablefor_package_type: Option<i64>,
    minimum_order_quantity: Option<i64>,
    standard_package: Option<i64>,
    market_place: Option<bool>,
}

#[derive(Deserialize)]
struct Break {
    break_quantity: Option<i64>,
    unit_price: Option<f64>,
}

impl Product {
    fn into_feed_part(self, currency: &str, skip: &mut dyn FnMut(String)) -> Result<FeedPart, String> {
        let mpn = check::text(self.manufacturer_product_number.as_deref()).ok_or("no manufacturer_product_number")?;
        let manufacturer = check::text(self.manufacturer.and_then(|m| m.name).as_deref()).ok_or("no manufacturer")?;
        // The detailed description reads better ("Diode 100 V 200mA Surface Mount SOD-80") than
        // the terse capitals of the short one.
        let description = self.description.and_then(|d| {
            check::text(d.detailed_description.as_deref()).or_else(|| check::text(d.product_description.as_deref()))
        });
        let mut category = Vec::new();
        let mut level = self.category;
        while let Some(node) = level {
            category.extend(check::text(node.name.as_deref()));
            // The response holds the product's own branch: one child per level.
            level = match <[Category; 1]>::try_from(node.child_categories) {
                Ok([child]) => Some(child),
                Err(_) => None,
            };
        }
        let mut specs: Vec<FeedSpec> = Vec::new();
        // The product's status is its lifecycle, a spec as Octopart shows it.
        let status = check::text(self.product_status.and_then(|s| s.status).as_deref())
            .map(|status| (LIFECYCLE_STATUS.to_owned(), status));
        let parameters = self
            .parameters
            .into_iter()
            .filter_map(|p| Some((check::text(p.parameter_text.as_deref())?, check::text(p.value_text.as_deref())?)));
        for (name, value) in status.into_iter().chain(parameters) {
            // "-" is DigiKey's "does not apply".
            if value == "-" {
                continue;
            }
            let source = SourceSpec { name, shortname: None, group: None, display_value: value, units: None };
            keep_first(&mut specs, Feed::DigikeyV4.specs(source));
        }
        let click_url = check::url(self.product_url.as_deref());
        let lead_days = self.manufacturer_lead_weeks.and_then(|w| w.trim().parse::<i64>().ok()).map(|w| w * 7);
        let mut offers = Vec::new();
        for variation in self.product_variations {
            match variation.into_feed_offer(currency, click_url.clone(), lead_days) {
                Ok(offer) => offers.push(offer),
                Err(reason) => skip(format!("variation of {manufacturer} {mpn}: {reason}")),
            }
        }
        let part = FeedPart {
            mpn,
            aka_mpns: Vec::new(),
            manufacturer,
            description,
            category,
            specs,
            datasheet_url: check::url(self.datasheet_url.as_deref()),
            image_url: check::url(self.photo_url.as_deref()),
            offers,
        };
        check::part(&part)?;
        Ok(part)
    }
}

impl Variation {
    fn into_feed_offer(
        self,
        currency: &str,
        click_url: Option<String>,
        factory_lead_days: Option<i64>,
    ) -> Result<FeedOffer, String> {
        let sku = check::text(self.digi_key_product_number.as_deref()).ok_or("no digi_key_product_number")?;
        let currency = check::currency(currency)?;
        let prices = self
            .standard_pricing
            .into_iter()
            .map(|b| {
                Ok(PriceBreak {
                    quantity: check::quantity(
                        "break quantity",
                        b.break_quantity.ok_or("a break without a quantity")?,
                        1,
                    )?,
                    price: check::price(b.unit_price.ok_or("a break without a price")?)?,
                    currency: currency.clone(),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let offer = FeedOffer {
            seller: SELLER.into(),
            seller_homepage: None,
            sku,
            // DigiKey is authorized for what it stocks; Marketplace listings ship from third
            // parties it does not vouch for in the same way.
            is_authorized: Some(!self.market_place.unwrap_or(false)),
            inventory_level: self
                .quantity_availablefor_package_type
                .map(|n| check::quantity("stock", n, 0))
                .transpose()?,
            // 0 is what DigiKey sends for a variation that cannot be ordered.
            moq: self.minimum_order_quantity.filter(|&n| n > 0),
            order_multiple: None,
            factory_lead_days,
            factory_pack_quantity: self.standard_package.filter(|&n| n > 0),
            on_order_quantity: None,
            packaging: check::text(self.package_type.and_then(|p| p.name).as_deref()),
            prices,
            click_url,
            updated: None,
        };
        check::offer(&offer)?;
        Ok(offer)
    }
}
