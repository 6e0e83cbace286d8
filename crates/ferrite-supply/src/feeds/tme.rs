//! TME (tme.eu) API answers, as KiCost records them: a recording maps KiCost's cache names
//! (`data_<symbol>_US_en_USD.dat`, `search_<MPN>_US_en_USD_v2.dat`, `all_countries_en.dat`) to
//! answers. An answer is a product (`Products/GetProducts`: `Symbol`, `Producer`, `MinAmount`...),
//! its prices and stock (`GetPricesAndStocks`: `PriceList`, `Amount`), parameters or files, KiCost's
//! join of those four (`data_*`), a search's product list (`search_*`), the same in the v2 API's
//! words (`symbol`, `stock_quantity`, `prices.elements`...), a raw answer `{"Status", "Data":
//! {"ProductList"}}`, or a list of countries, languages or currencies (nothing to import). A path
//! names a recording, one answer, or a directory of either.
//!
//! TME answers one product in several answers, so records are joined by TME's symbol (the SKU)
//! before they become parts: within one API generation a later answer's fields replace an
//! earlier's (KiCost's own join); across generations the one with a price and stock answer gives
//! the offer, the v2 one when both have, and the other fills in what it lacks.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::files;
use super::json::{self, Recording, nullable, read_recording};
use super::merge::PartMerger;
use super::vocabulary::{Feed, LIFECYCLE_STATUS, SourceSpec, keep_first, known_lifecycle};
use super::{FeedError, PartSink, check};
use crate::model::{FeedOffer, FeedPart, FeedSpec, Location, PriceBreak};

pub(crate) const SELLER: &str = "TME";

/// Streams the parts of the recording(s) or answer(s) at `path` (a file or a directory of
/// `.json` files). One file that is not JSON, or holds no TME answer, fails the read; in a
/// directory it is skipped.
pub fn read(path: &str, sink: &mut dyn PartSink) -> Result<(), FeedError> {
    let mut answers = Answers::default();
    files::for_each_json_file(path, sink, &mut answers, parse)?;
    let mut merger = PartMerger::default();
    answers.into_parts(&mut merger, sink);
    merger.emit(sink)
}

/// The answers read so far, joined by API generation and symbol, in the order first seen.
#[derive(Default)]
pub(crate) struct Answers {
    joined: Vec<(Answer, Location)>,
    by_key: HashMap<(Generation, String), usize>,
}

/// Adds the answers of one file to `answers`.
pub(crate) fn parse(bytes: &[u8], file: &str, answers: &mut Answers, sink: &mut dyn PartSink) -> Result<(), FeedError> {
    let document = json::document(bytes, file)?;
    let mut reader = Reader { file, answers, sink, record: 0 };
    let stem = Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or(file);
    match &document {
        Value::Object(object) if !is_answer(object) && !object.is_empty() => {
            read_recording(&mut reader, file, object, "a TME answer")
        }
        _ => reader.answer(stem, &document).map_err(|reason| FeedError::source(file, reason)),
    }
}

/// Whether an object is one answer rather than a recording of several.
fn is_answer(object: &serde_json::Map<String, Value>) -> bool {
    ["Symbol", "symbol", "Data", "Status"].iter().chain(REFERENCE_LISTS).any(|key| object.contains_key(*key))
}

/// What TME's country, language and currency answers hold: nothing to import.
const REFERENCE_LISTS: &[&str] = &["CountryList", "LanguageList", "currencies", "languages", "elements"];

struct Reader<'a> {
    file: &'a str,
    answers: &'a mut Answers,
    sink: &'a mut dyn PartSink,
    /// Product records read from the file so far (an unusable entry of a recording counts as one).
    record: u64,
}

impl Recording for Reader<'_> {
    /// Reads one answer, named by its cache name (or its file's name). An error means the whole
    /// answer is not TME's; a product in it that cannot be read is skipped and reported.
    fn answer(&mut self, key: &str, value: &Value) -> Result<(), String> {
        let currency = currency_of_key(key);
        match value {
            Value::Array(products) => {
                let is_product = |p: &Value| p.get("Symbol").is_some() || p.get("symbol").is_some();
                if !products.is_empty() && !products.iter().any(is_product) {
                    return Err("not a TME answer: a list of no products".into());
                }
                products.iter().for_each(|p| self.product(key, p, currency.clone()));
                Ok(())
            }
            Value::Object(object) if object.contains_key("Symbol") || object.contains_key("symbol") => {
                self.product(key, value, currency);
                Ok(())
            }
            Value::Object(object) if object.contains_key("Data") || object.contains_key("Status") => {
                let status = object.get("Status").and_then(Value::as_str).unwrap_or("OK");
                if status != "OK" {
                    let message = object.get("Error").and_then(Value::as_str).unwrap_or("no message");
                    return Err(format!("TME answered {status}: {}", message.chars().take(200).collect::<String>()));
                }
                let data = object.get("Data").unwrap_or(&Value::Null);
                let currency = data.get("Currency").and_then(Value::as_str).map(str::to_owned).or(currency);
                match data.get("ProductList") {
                    Some(Value::Array(products)) => {
                        products.iter().for_each(|p| self.product(key, p, currency.clone()))
                    }
                    // Countries, languages: nothing to import.
                    None | Some(Value::Null) => {}
                    Some(_) => return Err("ProductList is not a list".into()),
                }
                Ok(())
            }
            Value::Object(object) if REFERENCE_LISTS.iter().any(|k| object.contains_key(*k)) => Ok(()),
            _ => Err("not a TME answer".into()),
        }
    }

    fn refuse(&mut self, key: &str, reason: String) {
        self.record += 1;
        self.sink.skip(Location { file: self.file.to_owned(), line: self.record }, format!("{key}: {reason}"));
    }
}

impl Reader<'_> {
    fn product(&mut self, key: &str, value: &Value, currency: Option<String>) {
        self.record += 1;
        let at = Location { file: self.file.to_owned(), line: self.record };
        match Answer::read(value, currency) {
            Ok(answer) => self.answers.join(answer, at),
            Err(reason) => self.sink.skip(at, format!("{key}: {reason}")),
        }
    }
}

/// KiCost names an answer `<kind>_<symbol>_<country>_<language>_<currency>[_v2].dat`: the
/// currency its prices are in (v1 answers do not say it themselves).
fn currency_of_key(key: &str) -> Option<String> {
    let key = key.strip_suffix(".dat").or_else(|| key.strip_suffix(".json")).unwrap_or(key);
    let key = key.strip_suffix("_v2").unwrap_or(key);
    let last = key.rsplit('_').next()?;
    check::currency(last).ok().filter(|_| key.contains('_'))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Generation {
    /// `api.tme.eu/Products/*`, PascalCase.
    V1,
    /// The v2 API, snake_case.
    V2,
}

/// What one or more answers say about one TME symbol; `None` where they do not say.
#[derive(Debug)]
struct Answer {
    generation: Generation,
    symbol: String,
    mpns: Option<Vec<String>>,
    manufacturer: Option<String>,
    description: Option<String>,
    category: Option<String>,
    photo: Option<String>,
    page: Option<String>,
    statuses: Option<Vec<String>>,
    weight: Option<String>,
    moq: Option<i64>,
    multiple: Option<i64>,
    /// The first packing's name (`Reel`) and quantity (4,000): apart, as search answers state the
    /// quantity without the name.
    packaging: Option<String>,
    pack: Option<i64>,
    stock: Option<i64>,
    prices: Option<Vec<(Option<i64>, Option<f64>)>>,
    currency: Option<String>,
    parameters: Option<Vec<(String, String)>>,
    datasheet: Option<String>,
}

impl Answers {
    fn join(&mut self, answer: Answer, at: Location) {
        let key = (answer.generation, answer.symbol.clone());
        match self.by_key.get(&key) {
            Some(&index) => self.joined[index].0.combine(answer, true),
            None => {
                self.by_key.insert(key, self.joined.len());
                self.joined.push((answer, at));
            }
        }
    }

    /// One part per symbol (the generations joined), added to `merger`; a symbol that does not
    /// make a part (no product answer, a bad price) is skipped and reported.
    pub(crate) fn into_parts(self, merger: &mut PartMerger, sink: &mut dyn PartSink) {
        let mut by_symbol: Vec<(String, Vec<(Answer, Location)>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (answer, at) in self.joined {
            let slot = *index.entry(answer.symbol.clone()).or_insert_with(|| {
                by_symbol.push((answer.symbol.clone(), Vec::new()));
                by_symbol.len() - 1
            });
            by_symbol[slot].1.push((answer, at));
        }
        for (symbol, mut answers) in by_symbol {
            // Best first: the generation with prices and stock, then the newer.
            answers.sort_by_key(|(a, _)| std::cmp::Reverse((a.prices.is_some() || a.stock.is_some(), a.generation)));
            let mut answers = answers.into_iter();
            let Some((mut best, at)) = answers.next() else { continue };
            for (other, _) in answers {
                best.combine(other, false);
            }
            match best.into_feed_part(&mut |reason| sink.skip(at.clone(), format!("{symbol}: {reason}"))) {
                Ok(part) => merger.add(part),
                Err(reason) => sink.skip(at, format!("{symbol}: {reason}")),
            }
        }
    }
}

impl Answer {
    /// One product record; `currency` is what its answer or cache name says prices are in.
    fn read(value: &Value, currency: Option<String>) -> Result<Answer, String> {
        let answer = if value.get("Symbol").is_some() {
            V1::deserialize(value).map_err(|e| format!("not a TME product: {e}"))?.into_answer()
        } else if value.get("symbol").is_some() {
            V2::deserialize(value).map_err(|e| format!("not a TME v2 product: {e}"))?.into_answer()
        } else {
            return Err("not a TME product: no Symbol".into());
        };
        let symbol = check::text(Some(&answer.symbol)).ok_or("an empty Symbol")?;
        // An empty parameter list says nothing: v2 answers list every parameter of the
        // category, most with no value, and the v1 answer may have them.
        let parameters = answer.parameters.filter(|p| !p.is_empty());
        Ok(Answer { symbol, parameters, currency: answer.currency.or(currency), ..answer })
    }

    /// Takes `other`'s fields: all it states when `other_wins`, else only those `self` lacks.
    fn combine(&mut self, other: Answer, other_wins: bool) {
        macro_rules! take {
            ($($field:ident),*) => {$(
                if other.$field.is_some() && (other_wins || self.$field.is_none()) {
                    self.$field = other.$field;
                }
            )*};
        }
        take!(
            mpns,
            manufacturer,
            description,
            category,
            photo,
            page,
            statuses,
            weight,
            moq,
            multiple,
            packaging,
            pack,
            stock,
            prices,
            currency,
            parameters,
            datasheet
        );
    }

    fn into_feed_part(self, skip: &mut dyn FnMut(String)) -> Result<FeedPart, String> {
        let mpns: Vec<String> =
            self.mpns.unwrap_or_default().iter().filter_map(|m| check::text(Some(m.as_str()))).collect();
        let Some(mpn) = mpns.first().cloned() else {
            return Err(
                "no manufacturer's part number (OriginalSymbol): prices or parameters without a product answer".into(),
            );
        };
        let manufacturer = check::text(self.manufacturer.as_deref()).ok_or("no Producer")?;
        let mut specs: Vec<FeedSpec> = Vec::new();
        // TME's status flags mix stock states with the few that are a lifecycle.
        let lifecycle = self.statuses.iter().flatten().find_map(|s| known_lifecycle(s));
        let lifecycle = lifecycle.map(|status| (LIFECYCLE_STATUS.to_owned(), status));
        let weight = self.weight.map(|w| ("Weight".to_owned(), w));
        // The Manufacturer parameter is the part's manufacturer, not a spec.
        let parameters =
            self.parameters.into_iter().flatten().filter(|(name, _)| !name.eq_ignore_ascii_case("Manufacturer"));
        for (name, value) in lifecycle.into_iter().chain(parameters).chain(weight) {
            let source = SourceSpec { name, shortname: None, group: None, display_value: value, units: None };
            keep_first(&mut specs, Feed::Tme.specs(source));
        }
        let offer = Offer {
            sku: self.symbol.clone(),
            stock: self.stock,
            moq: self.moq,
            multiple: self.multiple,
            packaging: self.packaging,
            pack: self.pack,
            prices: self.prices,
            currency: self.currency,
            click_url: check::url(self.page.as_deref()).or_else(|| product_page(&self.symbol)),
        };
        let offers = match offer.into_feed_offer(skip) {
            Ok(offer) => vec![offer],
            Err(reason) => {
                skip(format!("offer of {manufacturer} {mpn}: {reason}"));
                Vec::new()
            }
        };
        let part = FeedPart {
            aka_mpns: mpns.iter().skip(1).filter(|m| **m != mpn).cloned().collect(),
            mpn,
            manufacturer,
            description: check::text(self.description.as_deref()),
            category: check::text(self.category.as_deref()).into_iter().collect(),
            specs,
            datasheet_url: check::url(self.datasheet.as_deref()),
            image_url: check::url(self.photo.as_deref()),
            offers,
        };
        check::part(&part)?;
        Ok(part)
    }
}

/// TME's product page for a symbol, as the v1 answers link it (`/` written `_`), for v2 answers,
/// which carry no link.
fn product_page(symbol: &str) -> Option<String> {
    check::url(Some(&format!("https://www.tme.eu/en/details/{}/", symbol.to_lowercase().replace('/', "_"))))
}

struct Offer {
    sku: String,
    stock: Option<i64>,
    moq: Option<i64>,
    multiple: Option<i64>,
    packaging: Option<String>,
    pack: Option<i64>,
    prices: Option<Vec<(Option<i64>, Option<f64>)>>,
    currency: Option<String>,
    click_url: Option<String>,
}

impl Offer {
    fn into_feed_offer(self, skip: &mut dyn FnMut(String)) -> Result<FeedOffer, String> {
        let breaks = self.prices.unwrap_or_default();
        let prices = match (&self.currency, breaks.is_empty()) {
            (_, true) => Vec::new(),
            (None, false) => {
                skip(format!(
                    "the prices of {} name no currency (neither the answer nor its cache name): left out",
                    self.sku
                ));
                Vec::new()
            }
            (Some(currency), false) => {
                let currency = check::currency(currency)?;
                breaks
                    .into_iter()
                    .map(|(quantity, price)| {
                        Ok(PriceBreak {
                            quantity: check::quantity("break quantity", quantity.ok_or("a break without Amount")?, 1)?,
                            price: check::price(price.ok_or("a break without PriceValue")?)?,
                            currency: currency.clone(),
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?
            }
        };
        let offer = FeedOffer {
            seller: SELLER.into(),
            seller_homepage: None,
            sku: self.sku,
            is_authorized: None,
            inventory_level: self.stock.map(|n| check::quantity("stock", n, 0)).transpose()?,
            // 0 is what TME sends when it states no minimum.
            moq: self.moq.filter(|&n| n > 0),
            order_multiple: self.multiple.filter(|&n| n > 0),
            factory_lead_days: None,
            factory_pack_quantity: self.pack.filter(|&n| n > 0),
            on_order_quantity: None,
            packaging: check::text(self.packaging.as_deref()),
            prices,
            click_url: self.click_url,
            updated: None,
        };
        check::offer(&offer)?;
        Ok(offer)
    }
}

/// A datasheet among TME's documents: the first instruction or data sheet, as KiCost takes it.
fn datasheet<'a>(documents: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>) -> Option<String> {
    documents.filter(|(kind, _)| matches!(kind, Some("DTE" | "INS"))).find_map(|(_, url)| check::url(url))
}

fn weight(value: Option<f64>, unit: Option<&str>) -> Option<String> {
    let value = value.filter(|v| v.is_finite() && *v > 0.0)?;
    Some(format!("{value} {}", unit.unwrap_or("g").trim()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct V1 {
    symbol: String,
    original_symbol: Option<String>,
    producer: Option<String>,
    description: Option<String>,
    category: Option<String>,
    photo: Option<String>,
    product_information_page: Option<String>,
    product_status_list: Option<Vec<String>>,
    weight: Option<f64>,
    weight_unit: Option<String>,
    min_amount: Option<i64>,
    multiples: Option<i64>,
    packing: Option<Vec<V1Packing>>,
    /// Stock, in a price and stock answer.
    amount: Option<i64>,
    price_list: Option<Vec<V1Price>>,
    parameter_list: Option<Vec<V1Parameter>>,
    files: Option<V1Files>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct V1Packing {
    amount: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct V1Price {
    amount: Option<i64>,
    price_value: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct V1Parameter {
    parameter_name: Option<String>,
    parameter_value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct V1Files {
    #[serde(default, deserialize_with = "nullable")]
    document_list: Vec<V1Document>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct V1Document {
    document_url: Option<String>,
    document_type: Option<String>,
}

impl V1 {
    fn into_answer(self) -> Answer {
        Answer {
            generation: Generation::V1,
            symbol: self.symbol,
            mpns: self.original_symbol.map(|m| vec![m]),
            manufacturer: self.producer,
            description: self.description,
            category: self.category,
            photo: self.photo,
            page: self.product_information_page,
            statuses: self.product_status_list,
            weight: weight(self.weight, self.weight_unit.as_deref()),
            moq: self.min_amount,
            multiple: self.multiples,
            // v1 names packings by code only (`RL1`), which is no packaging name.
            packaging: None,
            pack: self.packing.and_then(|p| p.into_iter().next()).and_then(|p| p.amount),
            stock: self.amount,
            prices: self.price_list.map(|list| list.into_iter().map(|p| (p.amount, p.price_value)).collect()),
            currency: None,
            parameters: self.parameter_list.map(|list| {
                list.into_iter()
                    .filter_map(|p| {
                        Some((check::text(p.parameter_name.as_deref())?, check::text(p.parameter_value.as_deref())?))
                    })
                    .collect()
            }),
            datasheet: self.files.and_then(|f| {
                datasheet(f.document_list.iter().map(|d| (d.document_type.as_deref(), d.document_url.as_deref())))
            }),
        }
    }
}

#[derive(Deserialize)]
struct V2 {
    symbol: String,
    manufacturer_symbols: Option<Vec<String>>,
    manufacturer: Option<Named>,
    description: Option<String>,
    category: Option<Named>,
    assets: Option<V2Assets>,
    product_status: Option<Vec<String>>,
    weight: Option<V2Weight>,
    minimal_amount: Option<i64>,
    multiples: Option<i64>,
    packing: Option<Elements<V2Packing>>,
    stock_quantity: Option<i64>,
    prices: Option<V2Prices>,
    parameters: Option<Elements<V2Parameter>>,
    documents: Option<Elements<V2Document>>,
}

#[derive(Deserialize)]
struct Named {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(bound = "T: Deserialize<'de>")]
struct Elements<T> {
    #[serde(default = "Vec::new", deserialize_with = "nullable")]
    elements: Vec<T>,
}

#[derive(Deserialize)]
struct V2Assets {
    primary_photo: Option<V2Photo>,
}

#[derive(Deserialize)]
struct V2Photo {
    prime: Option<String>,
}

#[derive(Deserialize)]
struct V2Weight {
    value: Option<f64>,
    unit: Option<String>,
}

#[derive(Deserialize)]
struct V2Packing {
    translation: Option<String>,
    amount: Option<i64>,
}

#[derive(Deserialize)]
struct V2Prices {
    #[serde(default, deserialize_with = "nullable")]
    elements: Vec<V2Price>,
    currency: Option<String>,
}

#[derive(Deserialize)]
struct V2Price {
    amount: Option<i64>,
    price: Option<f64>,
}

#[derive(Deserialize)]
struct V2Parameter {
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    values: Vec<V2Value>,
}

#[derive(Deserialize)]
struct V2Value {
    value: Option<String>,
}

#[derive(Deserialize)]
struct V2Document {
    url: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

impl V2 {
    fn into_answer(self) -> Answer {
        let (prices, currency) = match self.prices {
            Some(p) => (Some(p.elements.into_iter().map(|b| (b.amount, b.price)).collect()), p.currency),
            None => (None, None),
        };
        let first_packing = self.packing.and_then(|p| p.elements.into_iter().next());
        Answer {
            generation: Generation::V2,
            symbol: self.symbol,
            mpns: self.manufacturer_symbols,
            manufacturer: self.manufacturer.and_then(|m| m.name),
            description: self.description,
            category: self.category.and_then(|c| c.name),
            photo: self.assets.and_then(|a| a.primary_photo).and_then(|p| p.prime),
            page: None,
            statuses: self.product_status,
            weight: self.weight.and_then(|w| weight(w.value, w.unit.as_deref())),
            moq: self.minimal_amount,
            multiple: self.multiples,
            packaging: first_packing.as_ref().and_then(|p| p.translation.clone()),
            pack: first_packing.and_then(|p| p.amount),
            stock: self.stock_quantity,
            prices,
            currency,
            // A parameter that does not apply comes with no values; several values are one list.
            parameters: self.parameters.map(|p| {
                p.elements
                    .into_iter()
                    .filter_map(|p| {
                        let values: Vec<String> =
                            p.values.iter().filter_map(|v| check::text(v.value.as_deref())).collect();
                        Some((check::text(p.name.as_deref())?, Some(values.join(", ")).filter(|v| !v.is_empty())?))
                    })
                    .collect()
            }),
            datasheet: self
                .documents
                .and_then(|d| datasheet(d.elements.iter().map(|d| (d.kind.as_deref(), d.url.as_deref())))),
        }
    }
}
