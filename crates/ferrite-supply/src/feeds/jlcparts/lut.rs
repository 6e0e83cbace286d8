//! `attributes-lut.json.gz`: every distinct attribute value of the catalogue, which parts refer
//! to by index. Each entry is `[name, {format, primary, values: {key: [value, quantity]}}]`; its
//! display value is the format with each `${key}` replaced by the value in its quantity's unit
//! (`${Vf} @ ${If}` → `1.25 V @ 1 A`). Entries are turned into specs once, not once per part.

use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

use ferrite_core::units::{decimal, with_prefix};

use crate::feeds::vocabulary::{Feed, SourceSpec};
use crate::model::{FeedSpec, Location};

/// What one entry of the table means for a part.
pub(crate) enum Attribute {
    /// The part's manufacturer.
    Manufacturer(String),
    /// A number of LCSC's offer, not of the part.
    Offer(OfferField, i64),
    /// Not a property of the part (see [`NOT_SPECS`]), or without a value.
    NotSpec,
    Spec(Vec<FeedSpec>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum OfferField {
    Moq,
    OrderMultiple,
    /// The reel, tray or tube LCSC sells whole (`Packaging_num`).
    PackQuantity,
}

/// Entries that describe something else than the part: its identity (MPN, description,
/// category, all held elsewhere), JLCPCB's assembly class (`Basic/Extended`) and warehouse stock
/// (`Whs-*`).
const NOT_SPECS: &[&str] = &["Manufacturer", "Mpn", "Description", "Category", "Basic/Extended"];

/// Entries that are numbers of the offer.
const OFFER_FIELDS: &[(&str, OfferField)] = &[
    ("MOQ", OfferField::Moq),
    ("Order_multiple", OfferField::OrderMultiple),
    ("Packaging_num", OfferField::PackQuantity),
];

pub(crate) struct Lut {
    entries: Vec<Attribute>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawEntry {
    Entry(String, RawAttribute),
    Unreadable(IgnoredAny),
}

#[derive(Deserialize)]
struct RawAttribute {
    format: String,
    values: HashMap<String, (Value, String)>,
}

impl Lut {
    /// Reads the table; entries that cannot be read are reported and mean nothing.
    pub(crate) fn parse(bytes: &[u8], file: &str, skip: &mut dyn FnMut(Location, String)) -> Result<Lut, String> {
        let raw: Vec<RawEntry> = serde_json::from_slice(bytes).map_err(|e| format!("not an attributes table: {e}"))?;
        let entries = raw
            .into_iter()
            .enumerate()
            .map(|(i, entry)| match entry {
                RawEntry::Entry(name, attribute) => attribute.meaning(name),
                RawEntry::Unreadable(_) => {
                    let at = Location { file: file.to_owned(), line: i as u64 + 1 };
                    skip(at, "attribute entry is not [name, {format, values}]".into());
                    Attribute::NotSpec
                }
            })
            .collect();
        Ok(Lut { entries })
    }

    pub(crate) fn get(&self, index: u64) -> Option<&Attribute> {
        self.entries.get(usize::try_from(index).ok()?)
    }
}

impl RawAttribute {
    fn meaning(self, name: String) -> Attribute {
        if name == "Manufacturer" {
            let manufacturer = self.values.values().next().and_then(|(v, _)| v.as_str()).map(str::trim);
            return match manufacturer {
                Some(m) if !m.is_empty() => Attribute::Manufacturer(m.to_owned()),
                _ => Attribute::NotSpec,
            };
        }
        if let Some(&(_, field)) = OFFER_FIELDS.iter().find(|(n, _)| *n == name) {
            let count = self.values.values().next().and_then(|(v, _)| v.as_i64()).filter(|&n| n > 0);
            return count.map_or(Attribute::NotSpec, |n| Attribute::Offer(field, n));
        }
        if NOT_SPECS.contains(&name.as_str()) || name.starts_with("Whs-") {
            return Attribute::NotSpec;
        }
        if self.values.values().all(|(v, _)| is_nan(v)) {
            return Attribute::NotSpec;
        }
        let display_value = render(&self.format, &self.values);
        let display_value = display_value.trim();
        if display_value.is_empty() || display_value == "-" {
            return Attribute::NotSpec;
        }
        // Units are separate only when the value is one quantity.
        let units = match (self.values.iter().next(), self.values.len()) {
            (Some((key, (_, quantity))), 1) if self.format.trim() == format!("${{{key}}}") => {
                unit(quantity).map(str::to_owned)
            }
            _ => None,
        };
        Attribute::Spec(Feed::Jlcparts.specs(SourceSpec {
            name,
            shortname: None,
            group: None,
            display_value: display_value.to_owned(),
            units,
        }))
    }
}

fn is_nan(value: &Value) -> bool {
    value.as_str() == Some("NaN")
}

/// `format` with each `${key}` replaced by its value; unknown keys are left as written.
fn render(format: &str, values: &HashMap<String, (Value, String)>) -> String {
    let mut out = String::with_capacity(format.len() + 8);
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        match values.get(&after[..end]) {
            Some((value, quantity)) => out.push_str(&display(value, quantity)),
            None => out.push_str(&rest[start..start + 2 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The SI unit jlcparts gives each quantity; `None` for text and counts.
fn unit(quantity: &str) -> Option<&'static str> {
    Some(match quantity {
        "resistance" => "Ω",
        "capacitance" => "F",
        "voltage" => "V",
        "current" => "A",
        "power" => "W",
        "frequency" => "Hz",
        "inductance" => "H",
        "charge" => "C",
        "length" => "m",
        "temperature" => "°C",
        _ => return None,
    })
}

fn display(value: &Value, quantity: &str) -> String {
    if is_nan(value) {
        return "-".into();
    }
    let Some(number) = value.as_f64() else {
        return match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
    };
    match unit(quantity) {
        Some("°C") => format!("{} °C", decimal(number)),
        Some(unit) => with_prefix(number, unit),
        None => decimal(number),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> Option<(String, Option<String>)> {
        let raw: Vec<RawEntry> = serde_json::from_str(&format!("[{json}]")).unwrap();
        match raw.into_iter().next().unwrap() {
            RawEntry::Entry(name, attribute) => match attribute.meaning(name) {
                Attribute::Spec(s) => s.into_iter().next().map(|s| (s.display_value, s.units)),
                _ => None,
            },
            RawEntry::Unreadable(_) => panic!("unreadable"),
        }
    }

    #[test]
    fn formats_values_in_their_units() {
        let s = |j| spec(j).map(|(d, _)| d);
        assert_eq!(
            spec(
                r#"["Resistance",{"format":"${resistance}","primary":"resistance","values":{"resistance":[30.0,"resistance"]}}]"#
            ),
            Some(("30 Ω".into(), Some("Ω".into())))
        );
        assert_eq!(
            s(r#"["Power",{"default":"power","format":"${power}","values":{"power":[0.0625,"power"]}}]"#).as_deref(),
            Some("62.5 mW")
        );
        assert_eq!(
            s(r#"["Vf",{"default":"Vf","format":"${Vf} @ ${If}","values":{"If":[1.0,"current"],"Vf":[1.25,"voltage"]}}]"#)
                .as_deref(),
            Some("1.25 V @ 1 A")
        );
        assert_eq!(
            s(r#"["Capacitance",{"format":"${c}","values":{"c":[4.7e-6,"capacitance"]}}]"#).as_deref(),
            Some("4.7 µF")
        );
        assert_eq!(
            s(r#"["Package",{"format":"${default}","values":{"default":["0402","string"]}}]"#).as_deref(),
            Some("0402")
        );
        assert_eq!(s(r#"["Impedance",{"format":"-","values":{"esr":["NaN","resistance"]}}]"#), None);
        assert_eq!(s(r#"["Whs-zh",{"format":"${default}","values":{"default":[31,"string"]}}]"#), None);
        assert_eq!(s(r#"["Mpn",{"format":"${default}","values":{"default":["X","string"]}}]"#), None);
    }

    #[test]
    fn offer_numbers_belong_to_the_offer() {
        let meaning = |json: &str| {
            let raw: Vec<RawEntry> = serde_json::from_str(&format!("[{json}]")).unwrap();
            match raw.into_iter().next().unwrap() {
                RawEntry::Entry(name, attribute) => attribute.meaning(name),
                RawEntry::Unreadable(_) => panic!("unreadable"),
            }
        };
        let reel = meaning(r#"["Packaging_num",{"format":"${default}","values":{"default":[3000,"string"]}}]"#);
        assert!(matches!(reel, Attribute::Offer(OfferField::PackQuantity, 3000)));
        let moq = meaning(r#"["MOQ",{"format":"${default}","values":{"default":[5,"string"]}}]"#);
        assert!(matches!(moq, Attribute::Offer(OfferField::Moq, 5)));
        let zero = meaning(r#"["Order_multiple",{"format":"${default}","values":{"default":[0,"string"]}}]"#);
        assert!(matches!(zero, Attribute::NotSpec));
    }
}
