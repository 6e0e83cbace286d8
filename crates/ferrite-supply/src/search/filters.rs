//! Nexar's filter syntax: `{"manufacturer_id": ["370"], "resistance": ["(8__16)"], "case_package": ["0603"]}`.
//! Values of one key are alternatives; keys must all hold. Ranges are `(low__high)`, either side
//! may be empty; bounds are SI values (`(1000__)`: at least 1 kΩ). A number (not a string) is
//! the SI value itself, as `specAggs` buckets give it (`{"capacitance": 1e-7}`).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Manufacturer(Vec<u64>),
    Seller(Vec<u64>),
    Category(Vec<u64>),
    Spec { shortname: String, values: Vec<SpecValue> },
}

#[derive(Debug, Clone, PartialEq)]
pub enum SpecValue {
    Exact(String),
    Range { low: Option<f64>, high: Option<f64> },
}

/// Parses the `filters` argument. Errors name the key and the value that is wrong.
pub fn parse(filters: &serde_json::Map<String, Value>) -> Result<Vec<Filter>, String> {
    filters
        .iter()
        .map(|(key, value)| {
            let items = match value {
                Value::Array(items) => items.as_slice(),
                other => std::slice::from_ref(other),
            };
            let values: Vec<String> = items
                .iter()
                .map(scalar)
                .collect::<Result<_, _>>()
                .map_err(|_| format!("filter `{key}` must be a string or a list of strings"))?;
            let ids = || {
                values
                    .iter()
                    .map(|v| v.parse::<u64>().map_err(|_| format!("filter `{key}`: `{v}` is not an id")))
                    .collect::<Result<Vec<_>, _>>()
            };
            Ok(match key.as_str() {
                "manufacturer_id" => Filter::Manufacturer(ids()?),
                "distributor_id" | "seller_id" => Filter::Seller(ids()?),
                "category_id" => Filter::Category(ids()?),
                shortname => Filter::Spec {
                    shortname: shortname.to_owned(),
                    values: items
                        .iter()
                        .zip(&values)
                        .map(|(item, text)| match item.as_f64() {
                            Some(si) => Ok(SpecValue::Range { low: Some(si), high: Some(si) }),
                            None => spec_value(key, text),
                        })
                        .collect::<Result<_, _>>()?,
                },
            })
        })
        .collect()
}

fn scalar(value: &Value) -> Result<String, ()> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(()),
    }
}

/// One value of a spec filter as the API's `filters` write it: `(low__high)`, either bound
/// optional, or a value as parts show it.
pub fn spec_value(key: &str, value: &str) -> Result<SpecValue, String> {
    let Some(inner) = value.strip_prefix('(').and_then(|v| v.strip_suffix(')')) else {
        return Ok(SpecValue::Exact(value.to_owned()));
    };
    let (low, high) =
        inner.split_once("__").ok_or_else(|| format!("filter `{key}`: range `{value}` must look like (low__high)"))?;
    let bound = |text: &str| -> Result<Option<f64>, String> {
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<f64>()
            .ok()
            .or_else(|| ferrite_core::units::si_value(text))
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| format!("filter `{key}`: `{text}` is not a number"))
    };
    Ok(SpecValue::Range { low: bound(low)?, high: bound(high)? })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse_json(value: Value) -> Result<Vec<Filter>, String> {
        parse(value.as_object().unwrap())
    }

    #[test]
    fn nexar_filters_parse() {
        let filters = parse_json(json!({
            "manufacturer_id": ["370", 12],
            "resistance": ["(8__16)", "(__8)", "(1k__)"],
            "case_package": "0603",
        }))
        .unwrap();
        assert!(filters.contains(&Filter::Manufacturer(vec![370, 12])));
        assert!(filters.contains(&Filter::Spec {
            shortname: "resistance".into(),
            values: vec![
                SpecValue::Range { low: Some(8.0), high: Some(16.0) },
                SpecValue::Range { low: None, high: Some(8.0) },
                SpecValue::Range { low: Some(1000.0), high: None },
            ],
        }));
        assert!(filters.contains(&Filter::Spec {
            shortname: "case_package".into(),
            values: vec![SpecValue::Exact("0603".into())]
        }));
    }

    #[test]
    fn a_number_is_an_si_value_to_match_exactly() {
        let filters = parse_json(json!({"capacitance": 1e-7, "voltage": [50, "(__16)"]})).unwrap();
        assert!(filters.contains(&Filter::Spec {
            shortname: "capacitance".into(),
            values: vec![SpecValue::Range { low: Some(1e-7), high: Some(1e-7) }],
        }));
        assert!(filters.contains(&Filter::Spec {
            shortname: "voltage".into(),
            values: vec![
                SpecValue::Range { low: Some(50.0), high: Some(50.0) },
                SpecValue::Range { low: None, high: Some(16.0) }
            ],
        }));
    }

    #[test]
    fn bad_filters_say_what_is_wrong() {
        assert!(parse_json(json!({"manufacturer_id": ["acme"]})).unwrap_err().contains("manufacturer_id"));
        assert!(parse_json(json!({"resistance": ["(8..16)"]})).unwrap_err().contains("(low__high)"));
        assert!(parse_json(json!({"resistance": ["(x__16)"]})).unwrap_err().contains("not a number"));
        assert!(parse_json(json!({"resistance": {"a": 1}})).is_err());
    }
}
