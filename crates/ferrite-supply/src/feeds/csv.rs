//! A generic CSV feed, for catalogues that come as spreadsheets: one row per offer (or per part,
//! without offer columns), rows of the same part merged. The format is in `docs/feeds.md`.
//!
//! The header is strict, since a misspelt column would silently drop data: an unknown column
//! fails the read. Values are checked row by row, and a row with a bad value is skipped with its
//! line number.

use std::collections::HashSet;
use std::io::Read;

use super::merge::PartMerger;
use super::vocabulary::{Feed, SourceSpec, keep_first};
use super::{FeedError, PROGRESS_EVERY, PartSink, check};
use crate::model::{FeedOffer, FeedPart, Location, PriceBreak};

/// Streams the parts of the CSV file at `path`.
pub fn read(path: &str, sink: &mut dyn PartSink) -> Result<(), FeedError> {
    let file = std::fs::File::open(path).map_err(|e| FeedError::source(path, format!("cannot open: {e}")))?;
    read_from(file, path, sink)
}

/// Streams the parts of CSV text from `reader`, naming it `file` in reports.
pub(crate) fn read_from(reader: impl Read, file: &str, sink: &mut dyn PartSink) -> Result<(), FeedError> {
    let mut csv = ::csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(reader);
    let header = csv.headers().map_err(|e| FeedError::source(file, format!("cannot read the header: {e}")))?;
    let columns =
        header.iter().map(Column::parse).collect::<Result<Vec<_>, _>>().map_err(|e| FeedError::source(file, e))?;
    check_columns(&columns).map_err(|e| FeedError::source(file, e))?;

    let mut merger = PartMerger::default();
    let mut record = ::csv::StringRecord::new();
    let mut rows = 0_u64;
    loop {
        let line = |position: Option<&::csv::Position>| Location {
            file: file.to_owned(),
            line: position.map_or(0, |p| p.line()),
        };
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => match row(&columns, &record) {
                Ok(part) => {
                    let duplicate = part
                        .offers
                        .first()
                        .filter(|o| merger.has_offer(&part.manufacturer, &part.mpn, &o.seller, &o.sku));
                    match duplicate {
                        Some(o) => {
                            sink.skip(line(record.position()), format!("a second row for offer {} {}", o.seller, o.sku))
                        }
                        None => merger.add(part),
                    }
                }
                Err(reason) => sink.skip(line(record.position()), reason),
            },
            Err(e) => match e.kind() {
                ::csv::ErrorKind::Io(_) => return Err(FeedError::source(file, format!("cannot read: {e}"))),
                _ => sink.skip(line(e.position()), format!("unreadable row: {e}")),
            },
        }
        rows += 1;
        if rows.is_multiple_of(PROGRESS_EVERY) {
            sink.progress(rows, None);
        }
    }
    merger.emit(sink)
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Column {
    Mpn,
    Manufacturer,
    Description,
    Category,
    DatasheetUrl,
    ImageUrl,
    Seller,
    Sku,
    Authorized,
    Stock,
    Moq,
    OrderMultiple,
    FactoryLeadDays,
    FactoryPackQuantity,
    OnOrderQuantity,
    Packaging,
    Currency,
    PriceBreaks,
    ClickUrl,
    /// `spec:<Attribute Name>`.
    Spec(String),
    Unknown(String),
}

const NAMES: &[(&str, Column)] = &[
    ("mpn", Column::Mpn),
    ("manufacturer", Column::Manufacturer),
    ("description", Column::Description),
    ("category", Column::Category),
    ("datasheet_url", Column::DatasheetUrl),
    ("image_url", Column::ImageUrl),
    ("seller", Column::Seller),
    ("sku", Column::Sku),
    ("authorized", Column::Authorized),
    ("stock", Column::Stock),
    ("moq", Column::Moq),
    ("order_multiple", Column::OrderMultiple),
    ("factory_lead_days", Column::FactoryLeadDays),
    ("factory_pack_quantity", Column::FactoryPackQuantity),
    ("on_order_quantity", Column::OnOrderQuantity),
    ("packaging", Column::Packaging),
    ("currency", Column::Currency),
    ("price_breaks", Column::PriceBreaks),
    ("click_url", Column::ClickUrl),
];

impl Column {
    fn parse(name: &str) -> Result<Column, String> {
        // Spreadsheets often save a byte-order mark before the first name.
        let name = name.trim_start_matches('\u{feff}').trim();
        if let Some(attribute) = name.get(..5).filter(|p| p.eq_ignore_ascii_case("spec:")).map(|_| name[5..].trim()) {
            return if attribute.is_empty() {
                Err("a spec: column without an attribute name".into())
            } else {
                Ok(Column::Spec(attribute.to_owned()))
            };
        }
        let known = NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
        Ok(match known {
            Some((_, column)) => column.clone(),
            None => Column::Unknown(name.to_owned()),
        })
    }
}

/// The header names each column once, holds `mpn` and `manufacturer`, and nothing unknown.
fn check_columns(columns: &[Column]) -> Result<(), String> {
    let unknown: Vec<&str> =
        columns.iter().filter_map(|c| if let Column::Unknown(name) = c { Some(name.as_str()) } else { None }).collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
        return Err(format!(
            "unknown columns: {} (known: {}, spec:<Attribute Name>)",
            unknown.join(", "),
            known.join(", ")
        ));
    }
    let mut seen = HashSet::new();
    if let Some(twice) = columns.iter().find(|c| !seen.insert(*c)) {
        return Err(format!("column {twice:?} appears twice"));
    }
    for required in [Column::Mpn, Column::Manufacturer] {
        if !columns.contains(&required) {
            return Err(format!("no {required:?} column: mpn and manufacturer are required"));
        }
    }
    Ok(())
}

/// One row as a part with at most one offer.
fn row(columns: &[Column], record: &::csv::StringRecord) -> Result<FeedPart, String> {
    let mut part = FeedPart {
        mpn: String::new(),
        aka_mpns: Vec::new(),
        manufacturer: String::new(),
        description: None,
        category: Vec::new(),
        specs: Vec::new(),
        datasheet_url: None,
        image_url: None,
        offers: Vec::new(),
    };
    let mut offer = FeedOffer {
        seller: String::new(),
        seller_homepage: None,
        sku: String::new(),
        is_authorized: None,
        inventory_level: None,
        moq: None,
        order_multiple: None,
        factory_lead_days: None,
        factory_pack_quantity: None,
        on_order_quantity: None,
        packaging: None,
        prices: Vec::new(),
        click_url: None,
        updated: None,
    };
    let mut offer_fields = Vec::new();
    let mut currency = None;
    let mut breaks = Vec::new();
    for (column, value) in columns.iter().zip(record.iter()) {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match column {
            Column::Mpn => part.mpn = value.to_owned(),
            Column::Manufacturer => part.manufacturer = value.to_owned(),
            Column::Description => part.description = Some(value.to_owned()),
            Column::Category => {
                part.category = value.split(" > ").map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect()
            }
            Column::DatasheetUrl => part.datasheet_url = Some(link("datasheet_url", value)?),
            Column::ImageUrl => part.image_url = Some(link("image_url", value)?),
            Column::Spec(attribute) => {
                let source = SourceSpec {
                    name: attribute.clone(),
                    shortname: None,
                    group: None,
                    display_value: value.to_owned(),
                    units: None,
                };
                keep_first(&mut part.specs, Feed::Csv.specs(source));
            }
            Column::Seller => offer.seller = value.to_owned(),
            Column::Sku => offer.sku = value.to_owned(),
            other => {
                offer_fields.push(other);
                match other {
                    Column::Authorized => offer.is_authorized = Some(boolean(value)?),
                    Column::Stock => offer.inventory_level = Some(whole("stock", value, 0)?),
                    Column::Moq => offer.moq = Some(whole("moq", value, 1)?),
                    Column::OrderMultiple => offer.order_multiple = Some(whole("order_multiple", value, 1)?),
                    Column::FactoryLeadDays => offer.factory_lead_days = Some(whole("factory_lead_days", value, 0)?),
                    Column::FactoryPackQuantity => {
                        offer.factory_pack_quantity = Some(whole("factory_pack_quantity", value, 1)?)
                    }
                    Column::OnOrderQuantity => offer.on_order_quantity = Some(whole("on_order_quantity", value, 0)?),
                    Column::Packaging => offer.packaging = Some(value.to_owned()),
                    Column::Currency => currency = Some(check::currency(value)?),
                    Column::PriceBreaks => breaks = price_breaks(value)?,
                    Column::ClickUrl => offer.click_url = Some(link("click_url", value)?),
                    _ => unreachable!("part columns are matched above"),
                }
            }
        }
    }
    if part.mpn.is_empty() {
        return Err("no mpn".into());
    }
    if part.manufacturer.is_empty() {
        return Err("no manufacturer".into());
    }
    if !breaks.is_empty() {
        let currency = currency.ok_or("price_breaks need a currency")?;
        offer.prices = breaks
            .into_iter()
            .map(|(quantity, price)| PriceBreak { quantity, price, currency: currency.clone() })
            .collect();
    }
    match (offer.seller.is_empty(), offer.sku.is_empty()) {
        (false, false) => part.offers.push(offer),
        (true, true) if offer_fields.is_empty() => {}
        _ => return Err("an offer needs both seller and sku".into()),
    }
    check::part(&part)?;
    Ok(part)
}

fn link(column: &str, value: &str) -> Result<String, String> {
    check::url(Some(value)).ok_or_else(|| format!("{column} {value:?} is not an http(s) link"))
}

fn boolean(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Ok(true),
        "false" | "no" | "n" | "0" => Ok(false),
        _ => Err(format!("authorized {value:?} is not true or false")),
    }
}

fn whole(column: &str, value: &str, min: i64) -> Result<i64, String> {
    let number = value.parse::<i64>().map_err(|_| format!("{column} {value:?} is not a whole number"))?;
    check::quantity(column, number, min)
}

/// `1:0.10;100:0.08` → [(1, 0.10), (100, 0.08)].
fn price_breaks(value: &str) -> Result<Vec<(i64, f64)>, String> {
    value
        .split(';')
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| {
            let (quantity, price) =
                b.split_once(':').ok_or_else(|| format!("price break {b:?} is not quantity:price"))?;
            let price: f64 = price.trim().parse().map_err(|_| format!("price {:?} is not a number", price.trim()))?;
            Ok((whole("break quantity", quantity.trim(), 1)?, check::price(price)?))
        })
        .collect()
}
