//! Mouser Search API answers (`{"Errors": [...], "SearchResults": {"NumberOfResult", "Parts":
//! [...]}}`), one per file or as KiCost records them: a map of cache names (`mpn_<MPN>.dat`,
//! `mou_<SKU>.dat`) to answers. A path names a recording, one answer, or a directory of either.
//! An answer of no results is nothing to import; one with `Errors` is unusable.

use serde::Deserialize;
use serde_json::Value;

use super::files;
use super::json::{self, Recording, nullable, read_recording};
use super::merge::PartMerger;
use super::vocabulary::{Feed, LIFECYCLE_STATUS, SourceSpec, keep_first};
use super::{FeedError, PartSink, check};
use crate::model::{FeedOffer, FeedPart, FeedSpec, Location, PriceBreak};

pub(crate) const SELLER: &str = "Mouser";

/// The attributes that describe Mouser's offer, not the part.
const PACKAGING: &str = "Packaging";
const STANDARD_PACK: &str = "Standard Pack Qty";

/// The words Mouser's sites write after (or before) the quantity in stock, as KiCost reads them.
const IN_STOCK: [&str; 15] = [
    "in stock",
    "en existencias",
    "a magazzino",
    "auf lager",
    "en stock",
    "em estoque",
    "na skladě",
    "på lager",
    "склад в сша",
    "in voorraad",
    "na stanie magazynowym",
    "库存",
    "在庫",
    "สต็อก",
    "tồn kho",
];

/// Streams the parts of the answer(s) at `path`. One file that is not JSON, or holds no Mouser
/// answer, fails the read; in a directory it is skipped.
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
    let Some(object) = document.as_object() else {
        return Err(FeedError::source(file, "not a Mouser answer: not an object"));
    };
    let mut reader = Reader { file, merger, sink, record: 0 };
    if object.contains_key("SearchResults") || object.contains_key("Errors") {
        return reader.answer("answer", &document).map_err(|reason| FeedError::source(file, reason));
    }
    // A recording: cache name -> answer.
    read_recording(&mut reader, file, object, "a Mouser answer")
}

struct Reader<'a> {
    file: &'a str,
    merger: &'a mut PartMerger,
    sink: &'a mut dyn PartSink,
    /// Parts read from the file so far (an unusable entry of a recording counts as one).
    record: u64,
}

impl Recording for Reader<'_> {
    fn answer(&mut self, key: &str, answer: &Value) -> Result<(), String> {
        if let Some(error) = answer.get("Errors").and_then(Value::as_array).and_then(|e| e.first()) {
            let field = |name: &str| error.get(name).and_then(Value::as_str).unwrap_or("").to_owned();
            let message: String = field("Message").chars().take(200).collect();
            return Err(format!("Mouser answered an error: {message} ({})", field("Code")));
        }
        let results = answer.get("SearchResults").ok_or("not a Mouser answer (no SearchResults)")?;
        let parts = match results.get("Parts") {
            Some(Value::Array(parts)) => parts.as_slice(),
            None | Some(Value::Null) => &[],
            Some(_) => return Err("Parts is not a list".into()),
        };
        for value in parts {
            self.record += 1;
            let at = Location { file: self.file.to_owned(), line: self.record };
            let part = Part::deserialize(value)
                .map_err(|e| format!("not a Mouser part: {e}"))
                .and_then(|p| p.into_feed_part(&mut |reason| self.sink.skip(at.clone(), reason)));
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

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Part {
    availability: Option<String>,
    /// Newer answers give the stock apart: `"6809"`.
    availability_in_stock: Option<Value>,
    data_sheet_url: Option<String>,
    description: Option<String>,
    image_path: Option<String>,
    category: Option<String>,
    /// `178 Days`.
    lead_time: Option<String>,
    lifecycle_status: Option<String>,
    manufacturer: Option<String>,
    manufacturer_part_number: Option<String>,
    min: Option<Value>,
    mult: Option<Value>,
    mouser_part_number: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    product_attributes: Vec<Attribute>,
    #[serde(default, deserialize_with = "nullable")]
    price_breaks: Vec<Break>,
    product_detail_url: Option<String>,
    #[serde(rename = "ROHSStatus")]
    rohs_status: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Attribute {
    attribute_name: Option<String>,
    attribute_value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Break {
    quantity: Option<i64>,
    /// As the site shows it: `$0.25`, `0,25 €`, `$1,234.50`.
    price: Option<Value>,
    currency: Option<String>,
}

impl Part {
    fn into_feed_part(self, skip: &mut dyn FnMut(String)) -> Result<FeedPart, String> {
        let mpn = check::text(self.manufacturer_part_number.as_deref()).ok_or("no ManufacturerPartNumber")?;
        let manufacturer = check::text(self.manufacturer.as_deref()).ok_or("no Manufacturer")?;
        let attributes: Vec<(String, String)> = self
            .product_attributes
            .iter()
            .filter_map(|a| {
                Some((check::text(a.attribute_name.as_deref())?, check::text(a.attribute_value.as_deref())?))
            })
            .collect();
        let offer_attribute = |name: &str| -> Vec<String> {
            attributes.iter().filter(|(n, _)| n == name).map(|(_, v)| v.clone()).collect()
        };
        // One Mouser number may come on several packagings (`Reel`, `Cut Tape`, `MouseReel`).
        let packaging = offer_attribute(PACKAGING).join(", ");
        let pack = offer_attribute(STANDARD_PACK).into_iter().find_map(|v| whole(&Value::String(v)));
        let mut specs: Vec<FeedSpec> = Vec::new();
        let lifecycle = check::text(self.lifecycle_status.as_deref()).map(|s| (LIFECYCLE_STATUS.to_owned(), s));
        let rohs = check::text(self.rohs_status.as_deref()).map(|s| ("RoHS".to_owned(), s));
        let part_attributes = attributes.iter().filter(|(n, _)| n != PACKAGING && n != STANDARD_PACK).cloned();
        for (name, value) in lifecycle.into_iter().chain(rohs).chain(part_attributes) {
            let source = SourceSpec { name, shortname: None, group: None, display_value: value, units: None };
            keep_first(&mut specs, Feed::Mouser.specs(source));
        }
        let offer = match self.offer(Some(packaging).filter(|p| !p.is_empty()), pack) {
            Ok(offer) => vec![offer],
            Err(reason) => {
                skip(format!("offer of {manufacturer} {mpn}: {reason}"));
                Vec::new()
            }
        };
        let part = FeedPart {
            mpn,
            aka_mpns: Vec::new(),
            manufacturer,
            description: check::text(self.description.as_deref()),
            category: check::text(self.category.as_deref()).into_iter().collect(),
            specs,
            datasheet_url: check::url(self.data_sheet_url.as_deref()),
            image_url: check::url(self.image_path.as_deref()),
            offers: offer,
        };
        check::part(&part)?;
        Ok(part)
    }

    fn offer(&self, packaging: Option<String>, pack: Option<i64>) -> Result<FeedOffer, String> {
        let sku = check::text(self.mouser_part_number.as_deref()).ok_or("no MouserPartNumber")?;
        let prices = self
            .price_breaks
            .iter()
            .map(|b| {
                let price = b.price.as_ref().and_then(money).ok_or("a break without a readable Price")?;
                Ok(PriceBreak {
                    quantity: check::quantity("break quantity", b.quantity.ok_or("a break without Quantity")?, 1)?,
                    price: check::price(price)?,
                    currency: check::currency(b.currency.as_deref().ok_or("a break without Currency")?)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let stock =
            self.availability_in_stock.as_ref().and_then(whole).or_else(|| in_stock(self.availability.as_deref()?));
        let offer = FeedOffer {
            seller: SELLER.into(),
            seller_homepage: None,
            sku,
            is_authorized: None,
            inventory_level: stock.map(|n| check::quantity("stock", n, 0)).transpose()?,
            moq: self.min.as_ref().and_then(whole).filter(|&n| n > 0),
            order_multiple: self.mult.as_ref().and_then(whole).filter(|&n| n > 0),
            factory_lead_days: self.lead_time.as_deref().and_then(lead_days).filter(|&n| (0..=5 * 365).contains(&n)),
            factory_pack_quantity: pack.filter(|&n| n > 0),
            on_order_quantity: None,
            packaging,
            prices,
            click_url: check::url(self.product_detail_url.as_deref()),
            updated: None,
        };
        check::offer(&offer)?;
        Ok(offer)
    }
}

/// A whole number given as a number or as text (`"1"`, `"1,000"`).
fn whole(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let digits: String = s.trim().chars().filter(|c| !matches!(c, ',' | '.' | ' ' | '\u{a0}')).collect();
            (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.parse().ok()).flatten()
        }
        _ => None,
    }
}

/// `6809 In Stock` (or `In Stock: 6.809`) → 6809; a text without the stock words (`On Order`,
/// `Non-Stocked`) → 0, as KiCost reads it.
fn in_stock(availability: &str) -> Option<i64> {
    let text = availability.trim().to_lowercase();
    if text.is_empty() {
        return None;
    }
    if !IN_STOCK.iter().any(|w| text.contains(w)) {
        return Some(0);
    }
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let number: String =
        text[start..].chars().take_while(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '\u{a0}')).collect();
    whole(&Value::String(number))
}

/// `178 Days` → 178, `12 Weeks` → 84.
fn lead_days(text: &str) -> Option<i64> {
    let (number, unit) = text.trim().split_once(' ')?;
    let number: i64 = number.parse().ok()?;
    match unit.trim().to_lowercase().as_str() {
        "day" | "days" => Some(number),
        "week" | "weeks" => Some(number * 7),
        _ => None,
    }
}

/// A price as Mouser's sites show it: `$0.25`, `0,25 €`, `$1,234.50`, `1.234,50 €`. Of `,` and `.`
/// the last is the decimal point when both appear; a lone `,` is one unless three digits follow
/// it after a non-zero whole part (`$1,234`).
fn money(value: &Value) -> Option<f64> {
    let text = match value {
        Value::Number(n) => return n.as_f64(),
        Value::String(s) => s,
        _ => return None,
    };
    let number: String = text.chars().filter(|c| c.is_ascii_digit() || matches!(c, ',' | '.')).collect();
    let decimal = match (number.rfind(','), number.rfind('.')) {
        (Some(comma), Some(point)) => Some(comma.max(point)),
        (Some(comma), None) => {
            let whole_part = &number[..comma];
            let thousands = number.matches(',').count() > 1
                || (number.len() - comma - 1 == 3 && !whole_part.trim_start_matches('0').is_empty());
            (!thousands).then_some(comma)
        }
        (None, point) => point,
    };
    let normal: String = number
        .char_indices()
        .filter_map(|(i, c)| match c {
            ',' | '.' if Some(i) == decimal => Some('.'),
            ',' | '.' => None,
            c => Some(c),
        })
        .collect();
    normal.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_and_stock_as_the_sites_write_them() {
        let price = |s: &str| money(&Value::String(s.into()));
        assert_eq!(price("$0.25"), Some(0.25));
        assert_eq!(price("0,25 €"), Some(0.25));
        assert_eq!(price("$1,234.50"), Some(1234.5));
        assert_eq!(price("1.234,50 €"), Some(1234.5));
        assert_eq!(price("$1,234"), Some(1234.0));
        assert_eq!(price("0,123 €"), Some(0.123));
        assert_eq!(price("—"), None);
        assert_eq!(in_stock("6809 In Stock"), Some(6809));
        assert_eq!(in_stock("Auf Lager: 1.234"), Some(1234));
        assert_eq!(in_stock("On Order"), Some(0));
        assert_eq!(lead_days("178 Days"), Some(178));
        assert_eq!(lead_days("12 Weeks"), Some(84));
    }
}
