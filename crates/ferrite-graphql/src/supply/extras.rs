//! `SupPart.extras` and `supPartExtrasByPartId(s)`: a part's own data (description, datasheets,
//! lifecycle, RoHS, specs) in the flat shape of Nexar's part-extras service.

use std::sync::Arc;

use async_graphql::{Enum, Object, SimpleObject, Union};
use ferrite_supply::catalogue::{Dictionary, PartView};

/// Lifecycle stages, as Nexar names them.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SupPartLifeCycle {
    Unknown,
    New,
    Active,
    Nrfnd,
    Eol,
    Discontinued,
    ActiveUnconfirmed,
    DiscontinuedUnconfirmed,
    ContactMfr,
    Transferred,
}

/// Spec shortnames that hold a part's lifecycle, the most trusted first (Nexar's specs).
const LIFECYCLE_SHORTNAMES: [&str; 2] = ["lifecyclestatus", "manufacturerlifecyclestatus"];

/// A lifecycle spec's value (`Production (Last Updated: 2 days ago)`, `EOL …`, `Obsolete`) as a stage.
pub fn life_cycle(value: &str) -> SupPartLifeCycle {
    let head = value.split('(').next().unwrap_or_default().trim().to_ascii_lowercase();
    match head.as_str() {
        "production" | "active" | "in production" => SupPartLifeCycle::Active,
        "new" | "new product" | "preliminary" => SupPartLifeCycle::New,
        "nrnd" | "nrfnd" | "not recommended for new designs" => SupPartLifeCycle::Nrfnd,
        "eol" | "end of life" | "last time buy" | "to be discontinued" => SupPartLifeCycle::Eol,
        "obsolete" | "discontinued" => SupPartLifeCycle::Discontinued,
        _ if head.starts_with("discontinued") => SupPartLifeCycle::Discontinued,
        _ => SupPartLifeCycle::Unknown,
    }
}

/// A RoHS spec's value: `Compliant` → true, `Non-Compliant` → false, anything else unknown.
pub fn rohs_compliant(value: &str) -> Option<bool> {
    let value = value.trim().to_ascii_lowercase();
    if value.starts_with("non") || value.starts_with("not") {
        Some(false)
    } else if value.contains("compliant") {
        Some(true)
    } else {
        None
    }
}

/// One part's extras, read from the part when asked for.
#[derive(Clone)]
pub struct SupPartExtras {
    pub part: Arc<PartView>,
    pub dictionary: Arc<Dictionary>,
}

impl SupPartExtras {
    /// The display value of the part's spec with this shortname.
    fn spec(&self, shortname: &str) -> Option<&str> {
        let attribute = self.dictionary.attribute(shortname)?.id;
        self.part.part.specs.iter().find(|(id, _, _)| *id == attribute).map(|(_, value, _)| value.as_str())
    }

    /// Specs whose attribute the dictionary knows: (name, units, value).
    fn named_specs(&self) -> impl Iterator<Item = (&str, Option<&str>, &str)> {
        self.part.part.specs.iter().filter_map(|(id, value, _)| {
            let attribute = self.dictionary.attributes.get(id)?;
            Some((attribute.name.as_str(), attribute.units.as_deref(), value.as_str()))
        })
    }

    fn stage(&self) -> SupPartLifeCycle {
        LIFECYCLE_SHORTNAMES.iter().find_map(|s| self.spec(s)).map_or(SupPartLifeCycle::Unknown, life_cycle)
    }
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupPartExtrasParameter {
    name: String,
    unit: Option<String>,
    value: Option<Vec<String>>,
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupPartExtrasTechnicalDetail {
    name: String,
    value: String,
}

#[Object(serial)]
impl SupPartExtras {
    /// Ferrite records no alternatives: always empty.
    async fn alternatives(&self, #[graphql(default = 100)] first: i32) -> Vec<SupPartExtras> {
        let _ = first;
        Vec::new()
    }
    async fn part_id(&self) -> String {
        self.part.part.id.to_string()
    }
    async fn description(&self) -> Option<&str> {
        self.part.part.description.as_deref()
    }
    async fn is_rohs_compliant(&self) -> Option<bool> {
        self.spec("rohs").and_then(rohs_compliant)
    }
    /// Ferrite answers from its own catalogue, not a guess: no confidence score.
    async fn confidence(&self) -> Option<f64> {
        None
    }
    async fn datasheet_urls(&self) -> Option<Vec<String>> {
        Some(self.part.part.datasheet_url.iter().cloned().collect())
    }
    async fn life_cycle(&self) -> SupPartLifeCycle {
        self.stage()
    }
    async fn parameters(&self) -> Option<Vec<SupPartExtrasParameter>> {
        let parameters = self.named_specs().map(|(name, unit, value)| SupPartExtrasParameter {
            name: name.to_owned(),
            unit: unit.map(str::to_owned),
            value: Some(vec![value.to_owned()]),
        });
        Some(parameters.collect())
    }
    #[graphql(deprecation = "Use `parameters`.")]
    async fn technical_details(&self) -> Option<Vec<SupPartExtrasTechnicalDetail>> {
        let details = self
            .named_specs()
            .map(|(name, _, value)| SupPartExtrasTechnicalDetail { name: name.to_owned(), value: value.to_owned() });
        Some(details.collect())
    }
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupErrorPayload {
    pub message: String,
}

/// One answer of `supPartExtrasByPartIds`: the extras, or why there are none.
#[derive(Union)]
pub enum SupUnionPayload {
    SupErrorPayload(SupErrorPayload),
    SupPartExtras(SupPartExtras),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_values_of_the_feeds_read_as_nexar_stages() {
        for (value, stage) in [
            ("Production (Last Updated: 2 days ago)", SupPartLifeCycle::Active),
            ("ACTIVE (Last Updated: 5 days ago)", SupPartLifeCycle::Active),
            ("EOL (Last Updated: 2 weeks ago)", SupPartLifeCycle::Eol),
            ("TO BE DISCONTINUED (Last Updated: 2 weeks ago)", SupPartLifeCycle::Eol),
            ("NRND", SupPartLifeCycle::Nrfnd),
            ("Obsolete", SupPartLifeCycle::Discontinued),
            ("Discontinued at Digi-Key", SupPartLifeCycle::Discontinued),
            ("New Product", SupPartLifeCycle::New),
            ("", SupPartLifeCycle::Unknown),
            ("Sampling", SupPartLifeCycle::Unknown),
        ] {
            assert_eq!(life_cycle(value), stage, "{value}");
        }
    }

    #[test]
    fn rohs_values_read_as_compliance() {
        assert_eq!(rohs_compliant("Compliant"), Some(true));
        assert_eq!(rohs_compliant("ROHS3 Compliant"), Some(true));
        assert_eq!(rohs_compliant("Non-Compliant"), Some(false));
        assert_eq!(rohs_compliant("Not Compliant"), Some(false));
        assert_eq!(rohs_compliant("Unknown"), None);
    }
}
