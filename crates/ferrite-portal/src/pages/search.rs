//! Part search (`/parts?q=…`): the API's keyword search over the same catalogue and index, with
//! facets over every match (manufacturer, category, seller, in stock) that narrow the search,
//! parametric filters once a category is chosen (the values its matches' most common specs
//! take, as the API's `specAggs` count them), and results paged. Each result links to its page.

use std::collections::HashMap;

use axum::{
    extract::{Query, RawQuery, State},
    response::Response,
};
use ferrite_core::{plan::thousands, slug::part_page};
use ferrite_supply::{
    catalogue::{Dictionary, PartView},
    search::{Filter, SearchRequest, filters::spec_value},
};

use super::name;
use crate::{
    error::PortalError,
    member::Member,
    state::Portal,
    views::{FacetLink, FacetView, PartHit, SearchPage},
};

/// Results per page.
const PAGE: usize = 20;
/// Values shown per facet.
const FACET_VALUES: usize = 10;
/// The deepest page offered (the API's bound on `start`).
const MAX_START: usize = 1000;
/// Specs offered as filters: the ones most of a category's matches have.
const SPEC_FACETS: usize = 6;
/// Spec filters read from one address at most.
const MAX_SPEC_FILTERS: usize = 12;

/// The search as the address holds it; every facet link is this with one value changed.
#[derive(serde::Deserialize, Default, Clone)]
pub struct PartSearch {
    #[serde(default)]
    q: String,
    manufacturer: Option<u64>,
    category: Option<u64>,
    seller: Option<u64>,
    #[serde(default)]
    in_stock: bool,
    #[serde(default)]
    start: usize,
    /// `spec=<shortname>:<value>` pairs (repeated; read from the raw query): a value as the
    /// API's spec filters write one, `(low__high)` for numbers.
    #[serde(skip)]
    specs: Vec<(String, String)>,
}

impl PartSearch {
    fn href(&self) -> String {
        let mut pairs = url::form_urlencoded::Serializer::new(String::new());
        pairs.append_pair("q", &self.q);
        for (name, value) in [("manufacturer", self.manufacturer), ("category", self.category), ("seller", self.seller)]
        {
            if let Some(value) = value {
                pairs.append_pair(name, &value.to_string());
            }
        }
        for (shortname, value) in &self.specs {
            pairs.append_pair("spec", &format!("{shortname}:{value}"));
        }
        if self.in_stock {
            pairs.append_pair("in_stock", "true");
        }
        if self.start > 0 {
            pairs.append_pair("start", &self.start.to_string());
        }
        format!("/parts?{}", pairs.finish())
    }

    /// This search with `change` made, from its first page.
    fn with(&self, change: impl FnOnce(&mut PartSearch)) -> String {
        let mut next = PartSearch { start: 0, ..self.clone() };
        change(&mut next);
        next.href()
    }
}

pub async fn show(
    State(portal): State<Portal>,
    member: Member,
    Query(search): Query<PartSearch>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PortalError> {
    let specs = spec_pairs(raw.as_deref().unwrap_or(""));
    let search = PartSearch { q: search.q.trim().to_owned(), start: search.start.min(MAX_START), specs, ..search };
    let catalogue = &portal.catalogue;
    let dictionary = catalogue.dictionary();
    let filters = [
        search.manufacturer.map(|id| Filter::Manufacturer(vec![id])),
        search.category.map(|id| Filter::Category(vec![id])),
        search.seller.map(|id| Filter::Seller(vec![id])),
    ];
    let mut spec_filters: Vec<Filter> = Vec::new();
    for (shortname, value) in &search.specs {
        let value = spec_value(shortname, value).map_err(PortalError::Unprocessable)?;
        match spec_filters.iter_mut().find(|f| matches!(f, Filter::Spec { shortname: s, .. } if s == shortname)) {
            Some(Filter::Spec { values, .. }) => values.push(value),
            _ => spec_filters.push(Filter::Spec { shortname: shortname.clone(), values: vec![value] }),
        }
    }
    let request = SearchRequest {
        q: search.q.clone(),
        mpn_only: false,
        mpn_exact: false,
        start: search.start,
        limit: PAGE,
        sort: None,
        in_stock_only: search.in_stock,
        authorized_only: false,
        filters: filters.into_iter().flatten().chain(spec_filters).collect(),
        aggregations: true,
    };
    // Nothing asked yet: the form alone (facets over the whole catalogue would say little).
    let asked = !request.q.is_empty() || !request.filters.is_empty();
    let specs_of_category = search.category.is_some().then(|| request.clone());
    let result = if asked {
        catalogue.search(request).await.map_err(|err| PortalError::Internal(err.to_string()))?
    } else {
        Default::default()
    };
    let spec_aggs = match specs_of_category {
        Some(request) => spec_facets(&portal, request).await?,
        None => Vec::new(),
    };
    let parts: HashMap<i64, _> =
        catalogue.parts(&result.part_ids).await?.into_iter().map(|view| (view.part.id, view)).collect();
    let hits = result.part_ids.iter().filter_map(|id| parts.get(id)).map(|view| hit(view, &dictionary)).collect();
    let facet = |title: String,
                 counts: &[(i64, u64)],
                 chosen: Option<u64>,
                 label: &dyn Fn(i64) -> String,
                 set: fn(&mut PartSearch, Option<u64>)| FacetView {
        title,
        values: counts
            .iter()
            .take(FACET_VALUES)
            .map(|(id, parts)| {
                let id = *id as u64;
                let on = chosen == Some(id);
                FacetLink {
                    label: label(id as i64),
                    count: thousands(*parts as i64),
                    href: search.with(|s| set(s, (!on).then_some(id))),
                    on,
                }
            })
            .collect(),
    };
    let categories = |id: i64| dictionary.categories.get(&id).map(|c| c.name.clone()).unwrap_or_default();
    let mut facets = vec![
        facet(
            "Manufacturer".into(),
            &result.manufacturers,
            search.manufacturer,
            &|id| name(&dictionary.manufacturers, id).to_owned(),
            |s, v| s.manufacturer = v,
        ),
        facet("Category".into(), &result.categories, search.category, &categories, |s, v| s.category = v),
        facet(
            "Seller".into(),
            &result.sellers,
            search.seller,
            &|id| name(&dictionary.sellers, id).to_owned(),
            |s, v| s.seller = v,
        ),
    ];
    for (attribute, buckets) in spec_aggs {
        let values = buckets
            .into_iter()
            .map(|(display, value, count)| {
                let pair = (attribute.shortname.clone(), value);
                let on = search.specs.contains(&pair);
                let href = search.with(|s| {
                    if on {
                        s.specs.retain(|p| *p != pair);
                    } else {
                        s.specs.push(pair);
                    }
                });
                FacetLink { label: display, count: thousands(count as i64), href, on }
            })
            .collect();
        facets.push(FacetView { title: attribute.name.clone(), values });
    }
    let shown_to = (search.start + PAGE).min(result.hits as usize);
    let previous =
        (search.start > 0).then(|| PartSearch { start: search.start.saturating_sub(PAGE), ..search.clone() }.href());
    let next = (shown_to < result.hits as usize && search.start + PAGE <= MAX_START)
        .then(|| PartSearch { start: search.start + PAGE, ..search.clone() }.href());
    let warnings = result
        .dropped
        .iter()
        .map(|(word, nearest)| match nearest {
            Some(nearest) => format!("No part matches “{word}”: searched without it (did you mean “{nearest}”?)"),
            None => format!("No part matches “{word}”: searched without it"),
        })
        .collect();
    Ok(member.page(&SearchPage {
        shell: member.shell("parts"),
        q: search.q.clone(),
        asked,
        in_stock: search.in_stock,
        in_stock_href: search.with(|s| s.in_stock = !s.in_stock),
        hits: thousands(result.hits as i64),
        from: if result.hits == 0 { 0 } else { search.start + 1 },
        to: shown_to,
        results: hits,
        facets,
        warnings,
        previous,
        next,
    }))
}

/// A part as a search result: its page, names, category, stock and sellers.
pub fn hit(view: &PartView, dictionary: &Dictionary) -> PartHit {
    let manufacturer = name(&dictionary.manufacturers, view.part.manufacturer_id);
    PartHit {
        page: part_page(&view.part.mpn, manufacturer, view.part.id),
        mpn: view.part.mpn.clone(),
        manufacturer: manufacturer.to_owned(),
        description: view.part.description.clone().unwrap_or_default(),
        category: view
            .part
            .category_id
            .and_then(|id| dictionary.categories.get(&id))
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        stock: thousands(view.stock()),
        sellers: view.offers.iter().map(|o| o.seller_id).collect::<std::collections::HashSet<_>>().len(),
    }
}

/// The `spec` pairs of a query string, in order, at most [`MAX_SPEC_FILTERS`].
fn spec_pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == "spec")
        .filter_map(|(_, pair)| pair.split_once(':').map(|(s, v)| (s.to_owned(), v.to_owned())))
        .take(MAX_SPEC_FILTERS)
        .collect()
}

/// The attributes most of the matches have, each with its most frequent values as (shown, the
/// value a `spec` pair filters by, parts): a number by its SI value, as a one-point range.
async fn spec_facets(
    portal: &Portal,
    request: SearchRequest,
) -> Result<Vec<(ferrite_store::AttributeRecord, Vec<(String, String, u64)>)>, PortalError> {
    let found = portal.catalogue.with_index(move |index, dictionary| {
        let counted = index.facets(&request)?.attributes;
        let attributes: Vec<_> =
            counted.iter().filter_map(|(id, _)| dictionary.attributes.get(id).cloned()).take(SPEC_FACETS).collect();
        let shortnames: Vec<String> = attributes.iter().map(|a| a.shortname.clone()).collect();
        let aggs = index.spec_aggs(&request, &shortnames, FACET_VALUES)?;
        Ok(attributes.into_iter().zip(aggs).collect::<Vec<_>>())
    });
    let found = found.await.map_err(|err| PortalError::Internal(err.to_string()))?;
    Ok(found
        .into_iter()
        .map(|(attribute, agg)| {
            let buckets = agg
                .buckets
                .into_iter()
                .map(|b| {
                    let value = b.value.map_or_else(|| b.display.clone(), |si| format!("({si}__{si})"));
                    (b.display, value, b.count)
                })
                .collect();
            (attribute, buckets)
        })
        .filter(|(_, buckets): &(_, Vec<_>)| !buckets.is_empty())
        .collect())
}
