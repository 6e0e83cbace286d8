//! Octopart's attribute vocabulary, as data: `octopart.tsv` names each Octopart attribute (shortname,
//! name, group, value type, units), and one table per feed maps the feed's parameter names to those
//! shortnames. A parameter no table names keeps its own name and a derived shortname
//! (`ferrite_core::units::shortname`). Lifecycle words become Octopart's through `lifecycle.tsv`.

use std::collections::HashMap;
use std::sync::LazyLock;

use ferrite_core::units::{restate, shortname};

use crate::model::FeedSpec;

/// How Octopart types an attribute's values (`SupAttribute.valueType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Float,
    Integer,
    Text,
}

impl ValueType {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Float => "float",
            ValueType::Integer => "integer",
            ValueType::Text => "text",
        }
    }

    fn parse(word: &str) -> Option<ValueType> {
        [ValueType::Float, ValueType::Integer, ValueType::Text].into_iter().find(|t| t.as_str() == word)
    }
}

/// One Octopart attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OctopartAttribute {
    pub shortname: String,
    pub name: String,
    pub group: String,
    pub value_type: ValueType,
    /// `ohms`; empty for text and counts.
    pub units_name: String,
    /// `Ω`, the unit `siValue` is in; empty for text and counts.
    pub units_symbol: String,
}

/// The Octopart attribute of `shortname`, if Octopart has one.
pub fn octopart(shortname: &str) -> Option<&'static OctopartAttribute> {
    OCTOPART.get(shortname)
}

/// Every Octopart attribute the table names.
pub fn octopart_attributes() -> impl Iterator<Item = &'static OctopartAttribute> {
    OCTOPART.values()
}

/// The value type of an attribute: Octopart's, or for an attribute Octopart does not name, `float`
/// when the feed gave it units (one quantity) and `text` otherwise.
pub fn value_type(shortname: &str, units: Option<&str>) -> ValueType {
    match octopart(shortname) {
        Some(attribute) => attribute.value_type,
        None if units.is_some_and(|u| !u.is_empty()) => ValueType::Float,
        None => ValueType::Text,
    }
}

/// A lifecycle word in Octopart's words (`Active` → `Production`, `Not For New Designs` → `NRND`);
/// a word the table does not know is kept as written.
pub fn lifecycle(word: &str) -> String {
    known_lifecycle(word).unwrap_or_else(|| word.trim().to_owned())
}

/// A lifecycle word in Octopart's words, only when `lifecycle.tsv` knows it: for feeds whose
/// status lists mix lifecycle with stock flags (TME's `HARDLY_AVAILABLE`).
pub fn known_lifecycle(word: &str) -> Option<String> {
    LIFECYCLE.get(&word.trim().to_lowercase()).cloned()
}

/// `10 kΩ` → (`10`, `kΩ`): the number as shown and the units it is shown in. `None` without a
/// leading number.
pub fn split_value(display: &str) -> Option<(&str, &str)> {
    let display = display.trim();
    let end = display
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || (*i == 0 && matches!(c, '-' | '+' | '−'))))
        .map_or(display.len(), |(i, _)| i);
    let number = &display[..end];
    number.bytes().any(|b| b.is_ascii_digit()).then(|| (number, display[end..].trim()))
}

/// The feeds that have a table.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Feed {
    // In the order of `Feed::ALL`, which indexes the tables.
    Jlcparts,
    DigikeyV4,
    NexarJson,
    KitspacePartinfo,
    Csv,
    Tme,
    Element14,
    Mouser,
}

impl Feed {
    const ALL: [Feed; 8] = [
        Feed::Jlcparts,
        Feed::DigikeyV4,
        Feed::NexarJson,
        Feed::KitspacePartinfo,
        Feed::Csv,
        Feed::Tme,
        Feed::Element14,
        Feed::Mouser,
    ];
}

/// A parameter as the feed gives it.
pub(crate) struct SourceSpec {
    pub(crate) name: String,
    /// The feed's own shortname, when it has one (Nexar).
    pub(crate) shortname: Option<String>,
    pub(crate) group: Option<String>,
    pub(crate) display_value: String,
    pub(crate) units: Option<String>,
}

impl Feed {
    /// The feed's table as written.
    fn source(self) -> &'static str {
        match self {
            Feed::Jlcparts => include_str!("jlcparts.tsv"),
            Feed::DigikeyV4 => include_str!("digikey-v4.tsv"),
            Feed::NexarJson => include_str!("nexar-json.tsv"),
            Feed::KitspacePartinfo => include_str!("kitspace-partinfo.tsv"),
            Feed::Csv => include_str!("csv.tsv"),
            Feed::Tme => include_str!("tme.tsv"),
            Feed::Element14 => include_str!("element14.tsv"),
            Feed::Mouser => include_str!("mouser.tsv"),
        }
    }

    fn table(self) -> &'static HashMap<String, Target> {
        static TABLES: LazyLock<Vec<HashMap<String, Target>>> =
            LazyLock::new(|| Feed::ALL.iter().map(|feed| mapping(feed.source())).collect());
        &TABLES[self as usize]
    }

    /// The specs of one parameter: one, or two when the table splits a range into Octopart's low
    /// and high attributes (`-40℃~+85℃` → `minoperatingtemperature` -40 °C, `maxoperatingtemperature`
    /// 85 °C). A value that is not such a range is one spec, under the parameter's own name.
    pub(crate) fn specs(self, source: SourceSpec) -> Vec<FeedSpec> {
        if let Some(Target::Range(low, high)) = self.table().get(&table_key(&source))
            && let Some((from, to)) = range(&source.display_value, octopart(low).unwrap(), octopart(high).unwrap())
        {
            return vec![
                self.octopart_spec(octopart(low).unwrap(), from),
                self.octopart_spec(octopart(high).unwrap(), to),
            ];
        }
        vec![self.spec(source)]
    }

    /// The spec in Octopart's words: its shortname from the feed's table (or its own, or derived),
    /// then name, group and units from Octopart's table when Octopart has the attribute.
    pub(crate) fn spec(self, source: SourceSpec) -> FeedSpec {
        let short = match self.table().get(&table_key(&source)) {
            Some(Target::One(short)) => Some(short.clone()),
            _ => None,
        }
        .or(source.shortname)
        .or_else(|| octopart_by_name(&source.name).map(|a| a.shortname.clone()))
        .unwrap_or_else(|| shortname(&source.name));
        let display_value =
            if short == LIFECYCLE_STATUS { lifecycle(&source.display_value) } else { source.display_value };
        match octopart(&short) {
            Some(attribute) => self.octopart_spec(attribute, display_value),
            None => FeedSpec {
                attribute: source.name,
                shortname: short,
                group: source.group,
                display_value,
                units: source.units,
            },
        }
    }

    fn octopart_spec(self, attribute: &OctopartAttribute, display_value: String) -> FeedSpec {
        FeedSpec {
            attribute: attribute.name.clone(),
            shortname: attribute.shortname.clone(),
            group: Some(attribute.group.clone()),
            display_value: self.as_octopart_shows(display_value, attribute),
            units: (!attribute.units_symbol.is_empty()).then(|| attribute.units_symbol.clone()),
        }
    }

    /// A quantity as Octopart shows it (`±1%` → `1 %`); other values, and a Nexar recording's
    /// (Octopart's own), as written.
    fn as_octopart_shows(self, display: String, attribute: &OctopartAttribute) -> String {
        if matches!(self, Feed::NexarJson)
            || attribute.value_type != ValueType::Float
            || attribute.units_symbol.is_empty()
        {
            return display;
        }
        restate(&display, &attribute.units_symbol).unwrap_or(display)
    }
}

/// Adds `new` to `specs`, one value per attribute: the first a part gives.
pub(crate) fn keep_first(specs: &mut Vec<FeedSpec>, new: impl IntoIterator<Item = FeedSpec>) {
    for spec in new {
        if specs.iter().all(|s| s.shortname != spec.shortname) {
            specs.push(spec);
        }
    }
}

/// What a feed table maps a parameter to.
enum Target {
    One(String),
    /// A range's low and high ends, each its own Octopart attribute (`low..high` in the table).
    Range(String, String),
}

fn table_key(source: &SourceSpec) -> String {
    source.shortname.as_deref().unwrap_or(&source.name).trim().to_lowercase()
}

/// `-40℃~+85℃`, `-40°C ~ 105°C`, `-55 °C to 155 °C`: both ends, each as Octopart shows it in its
/// attribute's units.
fn range(display: &str, low: &OctopartAttribute, high: &OctopartAttribute) -> Option<(String, String)> {
    let (from, to) = display.split_once(['~', '～']).or_else(|| display.split_once(" to "))?;
    Some((restate(from, &low.units_symbol)?, restate(to, &high.units_symbol)?))
}

pub const LIFECYCLE_STATUS: &str = "lifecyclestatus";

static OCTOPART: LazyLock<HashMap<String, OctopartAttribute>> = LazyLock::new(|| {
    rows(include_str!("octopart.tsv"))
        .map(|cells| {
            let [shortname, name, group, value_type, units_name, units_symbol] = cells[..] else {
                panic!("octopart.tsv: a row of {} cells, not 6: {cells:?}", cells.len())
            };
            let value_type =
                ValueType::parse(value_type).unwrap_or_else(|| panic!("octopart.tsv: type {value_type:?}"));
            let attribute = OctopartAttribute {
                shortname: shortname.to_owned(),
                name: name.to_owned(),
                group: group.to_owned(),
                value_type,
                units_name: units_name.to_owned(),
                units_symbol: units_symbol.to_owned(),
            };
            (shortname.to_owned(), attribute)
        })
        .collect()
});

/// Octopart's attributes by name, lowercased, so that a feed writing Octopart's own names needs no row.
fn octopart_by_name(name: &str) -> Option<&'static OctopartAttribute> {
    static BY_NAME: LazyLock<HashMap<String, &'static OctopartAttribute>> =
        LazyLock::new(|| OCTOPART.values().map(|a| (a.name.to_lowercase(), a)).collect());
    BY_NAME.get(&name.trim().to_lowercase()).copied()
}

static LIFECYCLE: LazyLock<HashMap<String, String>> =
    LazyLock::new(|| pairs(include_str!("lifecycle.tsv")).map(|(from, to)| (from.to_lowercase(), to)).collect());

/// A feed table: name (lowercased) → an Octopart shortname, or `low..high`, which must be in
/// `octopart.tsv`.
fn mapping(text: &'static str) -> HashMap<String, Target> {
    let known = |from: &str, to: &str| {
        assert!(OCTOPART.contains_key(to), "feed vocabulary maps {from:?} to {to:?}, which octopart.tsv lacks");
        to.to_owned()
    };
    pairs(text)
        .map(|(from, to)| {
            let target = match to.split_once("..") {
                Some((low, high)) => Target::Range(known(&from, low), known(&from, high)),
                None => Target::One(known(&from, &to)),
            };
            (from.to_lowercase(), target)
        })
        .collect()
}

fn pairs(text: &'static str) -> impl Iterator<Item = (String, String)> {
    rows(text).map(|cells| match cells[..] {
        [from, to] => (from.to_owned(), to.to_owned()),
        _ => panic!("vocabulary table: a row of {} cells, not 2: {cells:?}", cells.len()),
    })
}

/// Tab-separated rows, without `#` comments and blank lines. The tables are compiled in, so a
/// malformed row is a build's mistake: the unit tests load every table.
fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).map(|l| l.split('\t').map(str::trim).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(feed: Feed, name: &str, display: &str) -> FeedSpec {
        feed.spec(SourceSpec {
            name: name.into(),
            shortname: None,
            group: None,
            display_value: display.into(),
            units: None,
        })
    }

    #[test]
    fn every_table_loads_and_names_octopart_attributes() {
        assert!(octopart_attributes().count() > 100);
        for feed in Feed::ALL {
            assert!(!feed.table().is_empty(), "{feed:?}");
        }
        assert_eq!(lifecycle("not for new designs"), "NRND");
        assert_eq!(lifecycle("Pre-Release"), "New");
    }

    #[test]
    fn distributors_status_codes_are_lifecycles() {
        assert_eq!(known_lifecycle("AVAILABLE_WHILE_STOCKS_LAST").as_deref(), Some("EOL"));
        assert_eq!(known_lifecycle("HARDLY_AVAILABLE"), None);
        assert_eq!(lifecycle("NO_LONGER_MANUFACTURED"), "Obsolete");
        let case = spec(Feed::Element14, "Resistor Case Style", "0603 [1608 Metric]");
        assert_eq!(case.shortname, "case_package");
    }

    #[test]
    fn feed_names_become_octopart_names() {
        let status = spec(Feed::Jlcparts, "Status", "Active");
        assert_eq!((status.shortname.as_str(), status.attribute.as_str()), ("lifecyclestatus", "Lifecycle Status"));
        assert_eq!(status.display_value, "Production");
        let package = spec(Feed::DigikeyV4, "Package / Case", "0603 (1608 Metric)");
        assert_eq!((package.shortname.as_str(), package.group.as_deref()), ("case_package", Some("Physical")));
        let resistance = spec(Feed::Csv, "resistance", "10k");
        assert_eq!((resistance.attribute.as_str(), resistance.units.as_deref()), ("Resistance", Some("Ω")));
        let tolerance = spec(Feed::Jlcparts, "Tolerance", "±1%");
        assert_eq!(tolerance.display_value, "1 %");
        let power = spec(Feed::DigikeyV4, "Power (Watts)", "0.125W, 1/8W");
        assert_eq!(power.display_value, "125 mW");
        let range = spec(Feed::DigikeyV4, "Tolerance", "-20%, +80%");
        assert_eq!(range.display_value, "-20%, +80%");
        let other = spec(Feed::Jlcparts, "Noise figure", "1 dB");
        assert_eq!((other.shortname.as_str(), other.group), ("noisefigure", None));
    }

    #[test]
    fn values_split_into_number_and_units() {
        assert_eq!(split_value("10 kΩ"), Some(("10", "kΩ")));
        assert_eq!(split_value("-40 °C"), Some(("-40", "°C")));
        assert_eq!(split_value("8"), Some(("8", "")));
        assert_eq!(split_value("SOT-23"), None);
        assert_eq!(value_type("numberofpins", None), ValueType::Integer);
        assert_eq!(value_type("case_package", None), ValueType::Text);
        assert_eq!(value_type("noisefigure", Some("dB")), ValueType::Float);
    }
}
