//! Recorded Nexar (Octopart) results: a recording `{"query", "results": {"<key>": {"hits",
//! "reference", "parts": [...]}}}`, or a GraphQL response from `supMultiMatch`
//! (`{"data": {"supMultiMatch": [{"parts": [...]}]}}`) or `supSearch`/`supSearchMpn`
//! (`{"data": {"supSearch": {"results": [{"part": {...}}]}}}`). A path may name one file or a
//! directory of `.json` files, read in name order.
//!
//! The same part often comes back for several queries: it is emitted once (by manufacturer and
//! MPN), with its offers merged by seller and SKU, a later one replacing an earlier.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::files;
use super::json::{self, nullable};
use super::merge::{PartMerger, push_offer};
use super::vocabulary::{Feed, SourceSpec, keep_first};
use super::{FeedError, PartSink, check};
use crate::model::{FeedOffer, FeedPart, FeedSpec, Location, PriceBreak};

/// Streams the parts of the recording or response at `path` (a file or a directory of them).
/// One file that is not JSON, or not of a known shape, fails the read; in a directory it is
/// skipped. A part or offer that cannot be read is skipped with its record number (the part's
/// position in the file).
pub fn read(path: &str, sink: &mut dyn PartSink) -> Result<(), FeedError> {
    files::read_json_sources(path, sink, parse)
}

/// Adds the parts of one file to `merger`.
pub(crate) fn parse(
    bytes: &[u8],
    file: &str,
    merger: &mut PartMerger,
    sink: &mut dyn PartSink,
) -> Result<(), FeedError> {
    let document = json::document(bytes, file)?;
    let parts = part_values(&document).map_err(|reason| FeedError::source(file, reason))?;
    for (index, value) in parts.into_iter().enumerate() {
        let at = Location { file: file.to_owned(), line: index as u64 + 1 };
        let part = Part::deserialize(value)
            .map_err(|e| format!("not a Nexar part: {e}"))
            .and_then(|p| p.into_feed_part(&mut |reason| sink.skip(at.clone(), reason)));
        match part {
            Ok(part) => merger.add(part),
            Err(reason) => sink.skip(at, reason),
        }
    }
    Ok(())
}

/// The part objects of a document of any shape this adapter knows.
fn part_values(document: &Value) -> Result<Vec<&Value>, String> {
    let mut parts = Vec::new();
    if let Some(results) = document.get("results") {
        collect(results, &mut parts);
    } else if let Some(data) = document.get("data").and_then(Value::as_object) {
        data.values().for_each(|query| collect(query, &mut parts));
    } else if let Some(errors) = document.get("errors") {
        return Err(format!("a GraphQL error response: {}", first_error(errors)));
    } else {
        return Err("neither a Nexar recording nor a GraphQL response".into());
    }
    Ok(parts)
}

/// Parts under a result set, a list of them, or a search result (`{"results": [{"part"}]}`).
fn collect<'a>(value: &'a Value, parts: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| collect(item, parts)),
        Value::Object(object) => {
            if let Some(Value::Array(found)) = object.get("parts") {
                parts.extend(found);
            } else if let Some(part) = object.get("part") {
                parts.push(part);
            } else if let Some(results) = object.get("results") {
                collect(results, parts);
            } else if !object.contains_key("mpn") {
                // A recording's map of result sets by query key.
                object.values().for_each(|v| collect(v, parts));
            }
        }
        _ => {}
    }
}

fn first_error(errors: &Value) -> String {
    errors
        .get(0)
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .unwrap_or("no message")
        .chars()
        .take(200)
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Part {
    mpn: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    aka_mpns: Vec<String>,
    manufacturer: Option<Named>,
    short_description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    descriptions: Vec<Description>,
    category: Option<Category>,
    #[serde(default, deserialize_with = "nullable")]
    specs: Vec<Spec>,
    best_datasheet: Option<Link>,
    best_image: Option<Link>,
    #[serde(default, deserialize_with = "nullable")]
    images: Vec<Link>,
    #[serde(default, deserialize_with = "nullable")]
    sellers: Vec<Seller>,
}

#[derive(Deserialize)]
struct Named {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Description {
    text: Option<String>,
}

#[derive(Deserialize)]
struct Category {
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    ancestors: Vec<Named>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    attribute: Option<Attribute>,
    display_value: Option<String>,
    value: Option<String>,
    units: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attribute {
    name: Option<String>,
    shortname: Option<String>,
    group: Option<String>,
}

#[derive(Deserialize)]
struct Link {
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Company {
    name: Option<String>,
    homepage_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Seller {
    company: Option<Company>,
    is_authorized: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    offers: Vec<Offer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Offer {
    sku: Option<String>,
    inventory_level: Option<i64>,
    moq: Option<i64>,
    order_multiple: Option<i64>,
    factory_lead_days: Option<i64>,
    factory_pack_quantity: Option<i64>,
    on_order_quantity: Option<i64>,
    packaging: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    prices: Vec<Price>,
    click_url: Option<String>,
    updated: Option<String>,
}

#[derive(Deserialize)]
struct Price {
    quantity: Option<i64>,
    price: Option<f64>,
    currency: Option<String>,
}

impl Part {
    /// The part; offers that cannot be read are reported to `skip` and left out.
    fn into_feed_part(self, skip: &mut dyn FnMut(String)) -> Result<FeedPart, String> {
        let mpn = check::text(self.mpn.as_deref()).ok_or("no MPN")?;
        let manufacturer = check::text(self.manufacturer.and_then(|m| m.name).as_deref()).ok_or("no manufacturer")?;
        let description = check::text(self.short_description.as_deref())
            .or_else(|| self.descriptions.iter().find_map(|d| check::text(d.text.as_deref())));
        let category = self
            .category
            .map(|c| {
                c.ancestors
                    .into_iter()
                    .map(|a| a.name)
                    .chain([c.name])
                    .filter_map(|n| check::text(n.as_deref()))
                    .collect()
            })
            .unwrap_or_default();
        let mut specs: Vec<FeedSpec> = Vec::new();
        keep_first(&mut specs, self.specs.into_iter().filter_map(Spec::into_feed_spec));
        let image_url = check::url(self.best_image.and_then(|i| i.url).as_deref())
            .or_else(|| self.images.iter().find_map(|i| check::url(i.url.as_deref())));
        let mut offers = Vec::new();
        for seller in self.sellers {
            let homepage = seller.company.as_ref().and_then(|c| check::url(c.homepage_url.as_deref()));
            let Some(name) = check::text(seller.company.and_then(|c| c.name).as_deref()) else {
                if !seller.offers.is_empty() {
                    skip(format!("{} offers of a seller without a name", seller.offers.len()));
                }
                continue;
            };
            // Absent when the query did not ask: the seller table decides.
            let authorized = seller.is_authorized;
            for offer in seller.offers {
                match offer.into_feed_offer(&name, authorized) {
                    Ok(offer) => push_offer(&mut offers, FeedOffer { seller_homepage: homepage.clone(), ..offer }),
                    Err(reason) => skip(format!("offer of {name}: {reason}")),
                }
            }
        }
        let aka_mpns =
            self.aka_mpns.iter().filter_map(|m| check::text(Some(m.as_str()))).filter(|m| *m != mpn).collect();
        let part = FeedPart {
            mpn,
            aka_mpns,
            manufacturer,
            description,
            category,
            specs,
            datasheet_url: check::url(self.best_datasheet.and_then(|d| d.url).as_deref()),
            image_url,
            offers,
        };
        check::part(&part)?;
        Ok(part)
    }
}

impl Spec {
    fn into_feed_spec(self) -> Option<FeedSpec> {
        let attribute = self.attribute?;
        let name = check::text(attribute.name.as_deref())?;
        let display_value =
            check::text(self.display_value.as_deref()).or_else(|| check::text(self.value.as_deref()))?;
        Some(Feed::NexarJson.spec(SourceSpec {
            name,
            shortname: check::text(attribute.shortname.as_deref()),
            group: check::text(attribute.group.as_deref()),
            display_value,
            units: check::text(self.units.as_deref()),
        }))
    }
}

impl Offer {
    fn into_feed_offer(self, seller: &str, is_authorized: Option<bool>) -> Result<FeedOffer, String> {
        let sku = check::text(self.sku.as_deref()).ok_or("no SKU")?;
        let mut prices = Vec::new();
        for price in self.prices {
            // Some sellers repeat each break without a currency: nothing to price it in.
            let Some(currency) = check::text(price.currency.as_deref()) else { continue };
            prices.push(PriceBreak {
                quantity: check::quantity("break quantity", price.quantity.ok_or("a break without a quantity")?, 1)?,
                price: check::price(price.price.ok_or("a break without a price")?)?,
                currency: check::currency(&currency)?,
            });
        }
        let offer = FeedOffer {
            seller: seller.to_owned(),
            seller_homepage: None,
            sku,
            is_authorized,
            // Octopart writes -1..-4 for "non-stocked", "in stock, unknown", "unknown", "RFQ".
            inventory_level: self.inventory_level.filter(|&n| n >= 0),
            moq: self.moq.filter(|&n| n > 0),
            order_multiple: self.order_multiple.filter(|&n| n > 0),
            factory_lead_days: self.factory_lead_days.filter(|&n| n >= 0),
            factory_pack_quantity: self.factory_pack_quantity.filter(|&n| n > 0),
            on_order_quantity: self.on_order_quantity.filter(|&n| n >= 0),
            packaging: check::text(self.packaging.as_deref()),
            prices,
            click_url: check::url(self.click_url.as_deref()),
            updated: self.updated.and_then(|u| DateTime::parse_from_rfc3339(&u).ok()).map(|t| t.with_timezone(&Utc)),
        };
        check::offer(&offer)?;
        Ok(offer)
    }
}
