//! One `components-*.jsonl.gz` shard: a first line mapping field names to positions, then one
//! part per line as a JSON array. Lines are parsed straight into the fields the header names,
//! skipping the rest without building JSON values.

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, SeqAccess, Visitor};

use super::lut::{Attribute, Lut, OfferField};
use super::store::{read_error, read_line};
use crate::feeds::vocabulary::keep_first;
use crate::feeds::{FeedError, check};
use crate::model::{FeedOffer, FeedPart, FeedSpec, Location, PriceBreak};

pub(crate) const SELLER: &str = "LCSC";
/// The manufacturer of parts whose maker LCSC does not name.
pub(crate) const UNKNOWN_MANUFACTURER: &str = "Unknown";
const IMAGE_BASE: &str = "https://assets.lcsc.com/images/lcsc/900x900/";
const PRODUCT_BASE: &str = "https://www.lcsc.com/product-detail/";

/// What a shard's parts share.
pub(crate) struct Shard<'a> {
    /// How the shard is named in reports.
    pub(crate) file: &'a str,
    pub(crate) category: &'a [String],
    pub(crate) lut: &'a Lut,
}

pub(crate) enum Record {
    Part(FeedPart),
    Skip(Location, String),
}

/// Reads a shard, handing each record to `emit` until it returns false. A missing or unreadable
/// header, or a stream that breaks off (truncated gzip), makes the shard unusable.
pub(crate) fn read(
    reader: &mut dyn BufRead,
    shard: &Shard,
    emit: &mut dyn FnMut(Record) -> bool,
) -> Result<(), FeedError> {
    let mut number = 1;
    let broken = |e: std::io::Error, number| FeedError::Source {
        at: Location { file: shard.file.to_owned(), line: number },
        reason: read_error(&e),
    };
    let mut line = Vec::with_capacity(4096);
    if read_line(reader, &mut line).map_err(|e| broken(e, number))? == 0 {
        return Err(FeedError::source(shard.file, "empty shard: no header line"));
    }
    let columns =
        Columns::from_header(&line).map_err(|e| FeedError::source(shard.file, format!("bad header line: {e}")))?;
    loop {
        number += 1;
        if read_line(reader, &mut line).map_err(|e| broken(e, number))? == 0 {
            return Ok(());
        }
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let record = match parse_line(text, &columns, shard) {
            Ok(part) => Record::Part(part),
            Err(reason) => Record::Skip(Location { file: shard.file.to_owned(), line: number }, reason),
        };
        if !emit(record) {
            return Ok(());
        }
    }
}

#[derive(Clone, Copy)]
enum Field {
    Lcsc,
    Mpn,
    Description,
    Datasheet,
    Price,
    Image,
    Slug,
    Attributes,
    Stock,
}

/// Which field sits at each position of a line.
struct Columns(Vec<Option<Field>>);

impl Columns {
    fn from_header(line: &[u8]) -> Result<Columns, String> {
        let names: HashMap<String, usize> = serde_json::from_slice(line).map_err(|e| e.to_string())?;
        let mut at = Vec::new();
        for (name, field, required) in [
            ("lcsc", Field::Lcsc, true),
            ("mfr", Field::Mpn, true),
            ("description", Field::Description, false),
            ("datasheet", Field::Datasheet, false),
            ("price", Field::Price, true),
            ("img", Field::Image, false),
            ("url", Field::Slug, false),
            ("attributes", Field::Attributes, true),
            ("stock", Field::Stock, true),
        ] {
            match names.get(name) {
                // Positions come from the file: bound them before sizing a table by them.
                Some(&position) if position < 1024 => {
                    if at.len() <= position {
                        at.resize(position + 1, None);
                    }
                    at[position] = Some(field);
                }
                Some(position) => return Err(format!("position {position} of {name:?} is absurd")),
                None if required => return Err(format!("no {name:?} field")),
                None => {}
            }
        }
        Ok(Columns(at))
    }
}

#[derive(Default)]
struct Row {
    lcsc: Option<String>,
    mpn: Option<String>,
    description: Option<String>,
    datasheet: Option<String>,
    price: Option<Vec<PriceRow>>,
    image: Option<String>,
    slug: Option<String>,
    attributes: Option<Vec<u64>>,
    stock: Option<i64>,
}

#[derive(Deserialize)]
struct PriceRow {
    #[serde(rename = "qFrom")]
    from: i64,
    price: f64,
}

/// An LCSC code, as text (`C1091`) or as the bare number older layouts used.
struct LcscCode(String);

impl<'de> Deserialize<'de> for LcscCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Code;
        impl Visitor<'_> for Code {
            type Value = LcscCode;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an LCSC code")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<LcscCode, E> {
                Ok(LcscCode(v.to_owned()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<LcscCode, E> {
                Ok(LcscCode(format!("C{v}")))
            }
        }
        deserializer.deserialize_any(Code)
    }
}

impl<'de> DeserializeSeed<'de> for &Columns {
    type Value = Row;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Row, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for &Columns {
    type Value = Row;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a part as a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Row, A::Error> {
        let mut row = Row::default();
        for position in 0.. {
            let more = match self.0.get(position).copied().flatten() {
                Some(Field::Lcsc) => seq.next_element::<Option<LcscCode>>()?.map(|v| row.lcsc = v.map(|c| c.0)),
                Some(Field::Mpn) => seq.next_element()?.map(|v| row.mpn = v),
                Some(Field::Description) => seq.next_element()?.map(|v| row.description = v),
                Some(Field::Datasheet) => seq.next_element()?.map(|v| row.datasheet = v),
                Some(Field::Price) => seq.next_element()?.map(|v| row.price = v),
                Some(Field::Image) => seq.next_element()?.map(|v| row.image = v),
                Some(Field::Slug) => seq.next_element()?.map(|v| row.slug = v),
                Some(Field::Attributes) => seq.next_element()?.map(|v| row.attributes = v),
                Some(Field::Stock) => seq.next_element()?.map(|v| row.stock = v),
                None => seq.next_element::<IgnoredAny>()?.map(|_| ()),
            };
            if more.is_none() {
                break;
            }
        }
        Ok(row)
    }
}

fn parse_line(line: &[u8], columns: &Columns, shard: &Shard) -> Result<FeedPart, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(line);
    let row = columns.deserialize(&mut deserializer).map_err(|e| format!("not a part: {e}"))?;
    deserializer.end().map_err(|e| format!("not a part: {e}"))?;
    part(row, shard)
}

fn part(row: Row, shard: &Shard) -> Result<FeedPart, String> {
    let lcsc = check::text(row.lcsc.as_deref()).ok_or("no LCSC code")?;
    if !lcsc.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!("LCSC code {lcsc:?} is not a code"));
    }
    let mpn = check::text(row.mpn.as_deref()).ok_or("no MPN")?;
    let mut manufacturer = None;
    let mut offer_fields: Vec<(OfferField, i64)> = Vec::new();
    let mut specs: Vec<FeedSpec> = Vec::new();
    for &index in row.attributes.as_deref().unwrap_or_default() {
        match shard.lut.get(index) {
            None => return Err(format!("attribute {index} is not in the attributes table")),
            Some(Attribute::Manufacturer(name)) => {
                manufacturer.get_or_insert_with(|| name.clone());
            }
            Some(&Attribute::Offer(field, count)) => offer_fields.push((field, count)),
            Some(Attribute::NotSpec) => {}
            Some(Attribute::Spec(these)) => keep_first(&mut specs, these.iter().cloned()),
        }
    }
    let offer_field = |wanted| offer_fields.iter().find(|(field, _)| *field == wanted).map(|&(_, count)| count);
    // LCSC lists some parts without a maker (an empty Manufacturer): they are still on sale.
    let manufacturer = manufacturer.unwrap_or_else(|| UNKNOWN_MANUFACTURER.to_owned());
    let prices = row
        .price
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            Ok(PriceBreak {
                quantity: check::quantity("break quantity", p.from, 1)?,
                price: check::price(p.price)?,
                currency: "USD".into(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let inventory_level = row.stock.map(|s| check::quantity("stock", s, 0)).transpose()?;
    let click_url = match row.slug.as_deref().map(str::trim) {
        Some(slug) if is_url_safe(slug) => format!("{PRODUCT_BASE}{slug}_{lcsc}.html"),
        _ => format!("{PRODUCT_BASE}{lcsc}.html"),
    };
    let offer = FeedOffer {
        seller: SELLER.into(),
        seller_homepage: None,
        moq: offer_field(OfferField::Moq).or_else(|| prices.first().map(|b| b.quantity)),
        sku: lcsc,
        // jlcparts does not say; LCSC's row of the seller table does.
        is_authorized: None,
        inventory_level,
        order_multiple: offer_field(OfferField::OrderMultiple),
        factory_lead_days: None,
        factory_pack_quantity: offer_field(OfferField::PackQuantity),
        on_order_quantity: None,
        packaging: None,
        prices,
        click_url: Some(click_url),
        updated: None,
    };
    let part = FeedPart {
        mpn,
        aka_mpns: Vec::new(),
        manufacturer,
        description: check::text(row.description.as_deref()),
        category: shard.category.to_vec(),
        specs,
        datasheet_url: check::url(row.datasheet.as_deref()),
        image_url: image_url(row.image.as_deref()),
        offers: vec![offer],
    };
    check::part(&part)?;
    Ok(part)
}

/// jlcparts stores the LCSC image's file name; LCSC serves it in three sizes under one path.
fn image_url(image: Option<&str>) -> Option<String> {
    let image = image?.trim();
    if is_url_safe(image) { Some(format!("{IMAGE_BASE}{image}")) } else { check::url(Some(image)) }
}

fn is_url_safe(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}
