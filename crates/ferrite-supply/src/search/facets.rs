//! What a result set holds beyond its page, counted over every match (not the page): the
//! attributes, own categories and stock of the matching parts, and the values of chosen
//! attributes (`specAggs`).

use serde_json::{Value, json};

use super::{SearchError, SearchIndex, SearchRequest, TermsBucket, id_buckets, terms_buckets};

/// Attributes, categories and stock over a result set; each list most parts first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    /// (attribute id, parts that have a value of it).
    pub attributes: Vec<(i64, u64)>,
    /// (category id, parts whose own category it is).
    pub categories: Vec<(i64, u64)>,
    /// (in stock, parts).
    pub in_stock: Vec<(bool, u64)>,
}

/// The values one attribute takes over a result set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpecAgg {
    /// Whether the parts' values are numbers (buckets by SI value) rather than text.
    pub numeric: bool,
    /// The most frequent values, most parts first.
    pub buckets: Vec<SpecBucket>,
    /// The lowest and the greatest SI value, each with how a part shows it.
    pub min: Option<(f64, String)>,
    pub max: Option<(f64, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpecBucket {
    /// As parts show the value (for a number, the display its parts use most).
    pub display: String,
    /// The SI value, for a number.
    pub value: Option<f64>,
    pub count: u64,
}

/// Attributes counted at most: more than any catalogue's result set has.
const MAX_ATTRIBUTES: usize = 5_000;
/// Own categories counted: what a search UI suggests.
const MAX_CATEGORIES: usize = 20;

impl SearchIndex {
    pub fn facets(&self, request: &SearchRequest) -> Result<Facets, SearchError> {
        let results = self.aggregate(
            &self.query(request),
            json!({
                "attributes": { "terms": { "field": "attribute_ids", "size": MAX_ATTRIBUTES } },
                "categories": { "terms": { "field": "category_id", "size": MAX_CATEGORIES } },
                "in_stock": { "terms": { "field": "in_stock", "size": 2 } },
            }),
        )?;
        Ok(Facets {
            attributes: id_buckets(&results["attributes"]),
            categories: id_buckets(&results["categories"]),
            in_stock: id_buckets(&results["in_stock"]).into_iter().map(|(key, count)| (key == 1, count)).collect(),
        })
    }

    /// The values of each attribute of `shortnames` (in that order) over the result set, at
    /// most `size` buckets each. An attribute no part has answers empty.
    pub fn spec_aggs(
        &self,
        request: &SearchRequest,
        shortnames: &[String],
        size: usize,
    ) -> Result<Vec<SpecAgg>, SearchError> {
        if shortnames.is_empty() {
            return Ok(Vec::new());
        }
        // tantivy refuses a terms aggregation of size 0; the buckets are cut to `size` after.
        let wanted = size.max(1);
        let mut aggregations = serde_json::Map::new();
        for (i, shortname) in shortnames.iter().enumerate() {
            let values = format!("spec_values.{shortname}");
            let display =
                json!({ "display": { "terms": { "field": format!("spec_display.{shortname}"), "size": 1 } } });
            let by = |size: usize, order: Value| json!({ "terms": { "field": values, "size": size, "order": order } });
            let with_display = |mut agg: Value| {
                agg["aggs"] = display.clone();
                agg
            };
            aggregations.insert(format!("{i}_numbers"), with_display(by(wanted, json!({ "_count": "desc" }))));
            aggregations.insert(format!("{i}_low"), with_display(by(1, json!({ "_key": "asc" }))));
            aggregations.insert(format!("{i}_high"), with_display(by(1, json!({ "_key": "desc" }))));
            aggregations.insert(
                format!("{i}_texts"),
                json!({ "terms": { "field": format!("spec_display.{shortname}"), "size": wanted } }),
            );
        }
        let results = self.aggregate(&self.query(request), Value::Object(aggregations))?;
        Ok((0..shortnames.len()).map(|i| spec_agg(&results, i, size)).collect())
    }
}

fn spec_agg(results: &Value, i: usize, size: usize) -> SpecAgg {
    let shown = |bucket: &TermsBucket| -> Option<(f64, String)> {
        let value = bucket.key.as_f64()?;
        let display = terms_buckets(&bucket.sub["display"]).first().and_then(|d| d.key.as_str().map(str::to_owned));
        Some((value, display.unwrap_or_else(|| value.to_string())))
    };
    let extreme = |name: &str| terms_buckets(&results[format!("{i}_{name}")]).first().and_then(shown);
    let (min, max) = (extreme("low"), extreme("high"));
    if min.is_none() {
        let buckets = terms_buckets(&results[format!("{i}_texts")])
            .into_iter()
            .take(size)
            .filter_map(|b| Some(SpecBucket { display: b.key.as_str()?.to_owned(), value: None, count: b.doc_count }))
            .collect();
        return SpecAgg { numeric: false, buckets, min: None, max: None };
    }
    let buckets = terms_buckets(&results[format!("{i}_numbers")])
        .iter()
        .take(size)
        .filter_map(|b| {
            let (value, display) = shown(b)?;
            Some(SpecBucket { display, value: Some(value), count: b.doc_count })
        })
        .collect();
    SpecAgg { numeric: true, buckets, min, max }
}
