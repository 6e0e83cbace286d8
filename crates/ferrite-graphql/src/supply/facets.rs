//! The parts of the supply surface the search index answers beyond a page of parts: a result
//! set's facets (`specAggs`, `allFilters`, `suggestedFilters`, `suggestedCategories`,
//! `specsViewAttributeGroups`, `inStockAgg`, `appliedCategory`) and the search box's help
//! (`supSuggest`, `supSpellingCorrection`). Facets are counted over every match, in one pass of
//! the index a result set makes the first time one is asked for (and never when none is).

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use ferrite_supply::search::{
    Filter,
    facets::{Facets, SpecAgg},
    suggest::{MAX_SUGGESTIONS, SuggestRequest},
};

use super::{
    SupPartResultSet, clamp, supply_env,
    types::{SupAttribute, SupCategory, SupCategoryBucket},
};
use crate::{
    cost,
    errors::{bad_argument, internal},
};

/// How `specAggs` picks its attributes.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum SupSpecAggsSelection {
    /// Only `attributeNames`.
    #[default]
    Explicit,
    /// `attributeNames`, then the suggested filters.
    WithSuggested,
    /// Every attribute the result set's parts have, most parts first (at most [`MAX_SPEC_AGGS`]).
    All,
}

/// Attributes one `specAggs` aggregates at most.
const MAX_SPEC_AGGS: usize = 50;
/// Buckets one attribute's aggregation gives at most.
const MAX_SPEC_BUCKETS: i32 = 100;
/// `suggestedFilters`: the attributes most parts of the result set have.
const SUGGESTED_FILTERS: usize = 10;

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupSpecBucket {
    /// As parts show the value.
    display_value: String,
    /// The SI value, for a numeric attribute.
    float_value: Option<f64>,
    count: Option<i32>,
}

/// One attribute's values over a result set.
pub struct SupSpecAgg {
    attribute: SupAttribute,
    agg: SpecAgg,
}

#[Object(serial)]
impl SupSpecAgg {
    async fn attribute(&self) -> &SupAttribute {
        &self.attribute
    }
    async fn buckets(&self) -> Vec<SupSpecBucket> {
        (self.agg.buckets.iter())
            .map(|b| SupSpecBucket {
                display_value: b.display.clone(),
                float_value: b.value,
                count: Some(clamp(b.count)),
            })
            .collect()
    }
    /// The lowest SI value in the result set, for a numeric attribute.
    async fn min(&self) -> Option<f64> {
        self.agg.min.as_ref().map(|(value, _)| *value)
    }
    async fn max(&self) -> Option<f64> {
        self.agg.max.as_ref().map(|(value, _)| *value)
    }
    async fn si_min(&self) -> Option<String> {
        self.agg.min.as_ref().map(|(value, _)| value.to_string())
    }
    async fn si_max(&self) -> Option<String> {
        self.agg.max.as_ref().map(|(value, _)| value.to_string())
    }
    /// The lowest value as a part shows it.
    async fn display_min(&self) -> Option<&str> {
        self.agg.min.as_ref().map(|(_, display)| display.as_str())
    }
    async fn display_max(&self) -> Option<&str> {
        self.agg.max.as_ref().map(|(_, display)| display.as_str())
    }
    async fn value_type(&self) -> &str {
        self.attribute.value_type().as_str()
    }
    async fn units(&self) -> Option<&str> {
        self.attribute.record().units.as_deref()
    }
    async fn units_name(&self) -> Option<&str> {
        Some(self.attribute.units_name()).filter(|n| !n.is_empty())
    }
    async fn units_symbol(&self) -> Option<&str> {
        self.attribute.record().units.as_deref()
    }
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupAttributeGroup {
    /// The attributes' group, as `SupAttribute.group` names it.
    name: String,
    attributes: Vec<SupAttribute>,
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupInStockBucket {
    is_in_stock: bool,
    count: Option<i32>,
}

/// Ferrite has no CAD models: `cadAgg` is always empty.
#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupCadBucket {
    cad_state: String,
    count: Option<i32>,
}

/// Ferrite has no CAD models: `cadLevelAgg` is always empty.
#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupLevelBucket {
    level: Option<i32>,
    display_name: String,
    count: Option<i32>,
}

impl SupPartResultSet {
    /// The result set's facets, counted the first time a field asks.
    async fn facets(&self) -> Result<Arc<Facets>> {
        self.facets
            .get_or_try_init(|| async {
                let request = self.request.clone();
                let facets = self.env.services.catalogue.with_index(move |index, _| index.facets(&request)).await;
                facets.map(Arc::new).map_err(internal)
            })
            .await
            .cloned()
    }

    /// The attributes the result set's parts have, most parts first (then by shortname).
    pub(super) async fn attributes_present(&self) -> Result<Vec<SupAttribute>> {
        let dictionary = &self.env.dictionary;
        let mut present: Vec<(u64, &str, i64)> = (self.facets().await?.attributes.iter())
            .filter_map(|(id, parts)| Some((*parts, dictionary.attributes.get(id)?.shortname.as_str(), *id)))
            .collect();
        present.sort_by(|(a, x, _), (b, y, _)| b.cmp(a).then_with(|| x.cmp(y)));
        Ok(present.into_iter().map(|(_, _, id)| SupAttribute::new(&self.env, id)).collect())
    }

    pub(super) async fn suggested_attributes(&self) -> Result<Vec<SupAttribute>> {
        let mut attributes = self.attributes_present().await?;
        attributes.truncate(SUGGESTED_FILTERS);
        Ok(attributes)
    }

    /// `allFilters` by group, groups in the order of their first attribute.
    pub(super) async fn attribute_groups(&self) -> Result<Vec<SupAttributeGroup>> {
        let mut groups: Vec<SupAttributeGroup> = Vec::new();
        for attribute in self.attributes_present().await? {
            let name = attribute.record().group.clone().unwrap_or_default();
            match groups.iter_mut().find(|g| g.name == name) {
                Some(group) => group.attributes.push(attribute),
                None => groups.push(SupAttributeGroup { name, attributes: vec![attribute] }),
            }
        }
        Ok(groups)
    }

    /// The categories the result set's parts are in (their own, not the ancestors), most parts first.
    pub(super) async fn own_categories(&self) -> Result<Vec<SupCategoryBucket>> {
        let env = &self.env;
        Ok((self.facets().await?.categories.iter())
            .filter_map(|(id, count)| {
                let record = env.dictionary.categories.get(id)?.clone();
                Some(SupCategoryBucket {
                    category: SupCategory { record, env: env.clone() },
                    count: Some(clamp(*count)),
                })
            })
            .collect())
    }

    pub(super) async fn stock_buckets(&self) -> Result<Vec<SupInStockBucket>> {
        Ok((self.facets().await?.in_stock.iter())
            .map(|(is_in_stock, count)| SupInStockBucket { is_in_stock: *is_in_stock, count: Some(clamp(*count)) })
            .collect())
    }

    /// The category filter's category, when it names one.
    pub(super) fn filtered_category(&self) -> Option<SupCategory> {
        let [id] = self.filters.iter().find_map(|f| match f {
            Filter::Category(ids) => Some(ids.as_slice()),
            _ => None,
        })?
        else {
            return None;
        };
        let record = self.env.dictionary.categories.get(&(*id as i64))?.clone();
        Some(SupCategory { record, env: self.env.clone() })
    }

    /// One aggregation per attribute named (an attribute the catalogue lacks answers empty),
    /// then those `selection` adds.
    pub(super) async fn aggregate_specs(
        &self,
        names: Vec<String>,
        selection: SupSpecAggsSelection,
        size: i32,
    ) -> Result<Vec<SupSpecAgg>> {
        if !(0..=MAX_SPEC_BUCKETS).contains(&size) {
            return Err(bad_argument(format!("size must be between 0 and {MAX_SPEC_BUCKETS}")));
        }
        let mut names = names;
        let added = match selection {
            SupSpecAggsSelection::Explicit => Vec::new(),
            SupSpecAggsSelection::WithSuggested => self.suggested_attributes().await?,
            SupSpecAggsSelection::All => self.attributes_present().await?,
        };
        names.extend(added.iter().map(|a| a.record().shortname.clone()));
        let mut seen = std::collections::HashSet::new();
        names.retain(|name| seen.insert(name.clone()));
        if names.len() > MAX_SPEC_AGGS {
            if selection == SupSpecAggsSelection::Explicit {
                return Err(bad_argument(format!("specAggs aggregates at most {MAX_SPEC_AGGS} attributes at once")));
            }
            names.truncate(MAX_SPEC_AGGS);
        }
        let request = self.request.clone();
        let shortnames = names.clone();
        let aggs = (self.env.services.catalogue)
            .with_index(move |index, _| index.spec_aggs(&request, &shortnames, size as usize))
            .await
            .map_err(internal)?;
        let dictionary = &self.env.dictionary;
        Ok(names
            .iter()
            .zip(aggs)
            .map(|(name, agg)| {
                let id = dictionary.attribute(name).map_or(0, |a| a.id);
                SupSpecAgg { attribute: SupAttribute::new(&self.env, id), agg }
            })
            .collect())
    }
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupSuggestion {
    text: String,
    /// The category a search for `text` should be filtered by; empty when none.
    in_category_name: String,
    in_category_id: String,
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupSpellingCorrection {
    correction_string: String,
    /// Parts a `supSearch` for the correction finds.
    hits: i32,
}

/// The search box's root fields.
#[derive(Default)]
pub struct SupplySearchAidsQuery;

#[Object]
impl SupplySearchAidsQuery {
    /// Completions of a partial query: categories, manufacturers, then MPNs that start with it.
    #[graphql(complexity = "cost::search(child_complexity)")]
    async fn sup_suggest(
        &self,
        ctx: &Context<'_>,
        q: String,
        category_id: Option<String>,
        part_numbers_only: Option<bool>,
    ) -> Result<Vec<SupSuggestion>> {
        let env = supply_env(ctx, "US", "USD")?;
        let category = match category_id.as_deref().map(str::trim).filter(|id| !id.is_empty()) {
            None => None,
            Some(id) => Some(
                id.parse::<i64>()
                    .ok()
                    .filter(|id| env.dictionary.categories.contains_key(id))
                    .ok_or_else(|| bad_argument(format!("categoryId `{id}` is not a category of this catalogue")))?,
            ),
        };
        let request = SuggestRequest { q, category, part_numbers_only: part_numbers_only.unwrap_or(false) };
        let found = (env.services.catalogue)
            .with_index(move |index, dictionary| index.suggest(dictionary, &request))
            .await
            .map_err(internal)?;
        Ok(found
            .into_iter()
            .take(MAX_SUGGESTIONS)
            .map(|suggestion| {
                let category = suggestion.category.and_then(|id| env.dictionary.categories.get(&id));
                SupSuggestion {
                    text: suggestion.text,
                    in_category_name: category.map(|c| c.name.clone()).unwrap_or_default(),
                    in_category_id: category.map(|c| c.id.to_string()).unwrap_or_default(),
                }
            })
            .collect())
    }

    /// Corrections of a query's words the catalogue does not hold, from the catalogue's own
    /// words, each with the parts it finds; empty when nothing needs correcting.
    #[graphql(complexity = "cost::aggregation(child_complexity)")]
    async fn sup_spelling_correction(&self, ctx: &Context<'_>, q: String) -> Result<Vec<SupSpellingCorrection>> {
        let env = supply_env(ctx, "US", "USD")?;
        let found = (env.services.catalogue)
            .with_index(move |index, _| index.spelling_corrections(&q))
            .await
            .map_err(internal)?;
        Ok(found
            .into_iter()
            .map(|c| SupSpellingCorrection { correction_string: c.text, hits: clamp(c.hits) })
            .collect())
    }
}
