//! Part search (`/parts?q=…`): the API's keyword search over the same catalogue and index, with
//! facets over every match (manufacturer, category, seller, in stock) that narrow the search,
//! and results paged. Each result links to its part's page.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::Response,
};
use ferrite_core::{plan::thousands, slug::part_page};
use ferrite_supply::search::{Filter, SearchRequest};

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
) -> Result<Response, PortalError> {
    let search = PartSearch { q: search.q.trim().to_owned(), start: search.start.min(MAX_START), ..search };
    let catalogue = &portal.catalogue;
    let dictionary = catalogue.dictionary();
    let filters = [
        search.manufacturer.map(|id| Filter::Manufacturer(vec![id])),
        search.category.map(|id| Filter::Category(vec![id])),
        search.seller.map(|id| Filter::Seller(vec![id])),
    ];
    let request = SearchRequest {
        q: search.q.clone(),
        mpn_only: false,
        mpn_exact: false,
        start: search.start,
        limit: PAGE,
        sort: None,
        in_stock_only: search.in_stock,
        authorized_only: false,
        filters: filters.into_iter().flatten().collect(),
        aggregations: true,
    };
    // Nothing asked yet: the form alone (facets over the whole catalogue would say little).
    let asked = !request.q.is_empty() || !request.filters.is_empty();
    let result = if asked {
        catalogue.search(request).await.map_err(|err| PortalError::Internal(err.to_string()))?
    } else {
        Default::default()
    };
    let parts: HashMap<i64, _> =
        catalogue.parts(&result.part_ids).await?.into_iter().map(|view| (view.part.id, view)).collect();
    let hits = result
        .part_ids
        .iter()
        .filter_map(|id| parts.get(id))
        .map(|view| {
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
        })
        .collect();
    let facet = |title: &'static str,
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
    let facets = vec![
        facet(
            "Manufacturer",
            &result.manufacturers,
            search.manufacturer,
            &|id| name(&dictionary.manufacturers, id).to_owned(),
            |s, v| s.manufacturer = v,
        ),
        facet("Category", &result.categories, search.category, &categories, |s, v| s.category = v),
        facet("Seller", &result.sellers, search.seller, &|id| name(&dictionary.sellers, id).to_owned(), |s, v| {
            s.seller = v
        }),
    ];
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
