//! Matching a BOM line to catalogue parts, as `supMultiMatch` does: by MPN exactly (ignoring case
//! and punctuation), else by SKU (ignoring case, punctuation and leading zeros); narrowed by manufacturer, seller, stock, authorized sellers and
//! filters, all before the page is cut, so the hits count exactly the parts the line could page
//! through.

use std::sync::Arc;

use ferrite_core::keys::sku_key;
use ferrite_store::StoreError;

use crate::{
    catalogue::{Catalogue, Dictionary, PartView},
    search::{Filter, SearchError, SearchRequest, Sort, SortKey},
};

/// One BOM line: what it names, and which page of its matches it asks for.
#[derive(Debug, Clone, Default)]
pub struct LineQuery {
    pub mpn: Option<String>,
    pub sku: Option<String>,
    /// Tried as an MPN, then, when no MPN matches, as a SKU.
    pub mpn_or_sku: Option<String>,
    pub manufacturer: Option<String>,
    pub seller: Option<String>,
    pub start: usize,
    pub limit: usize,
}

/// What every line of a request must satisfy.
#[derive(Debug, Clone, Default)]
pub struct MatchOptions {
    /// Only parts that an authorized seller offers.
    pub authorized_only: bool,
    /// Only parts in stock somewhere.
    pub in_stock_only: bool,
    pub filters: Vec<Filter>,
}

/// A line's matches: how many parts match in all, and the page asked for.
#[derive(Debug, Clone, Default)]
pub struct LineMatch {
    pub hits: u64,
    pub parts: Vec<Arc<PartView>>,
}

#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    /// The line names neither an MPN nor a SKU.
    #[error("a line needs an MPN or a SKU")]
    NothingToMatch,
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The parts `query` means, with names read from `dictionary` (the answer's own, so that one
/// answer reads one catalogue version's names). A manufacturer or seller the catalogue does not
/// know matches nothing; that is not an error.
pub async fn match_line(
    catalogue: &Catalogue,
    dictionary: &Dictionary,
    query: &LineQuery,
    options: &MatchOptions,
) -> Result<LineMatch, MatchError> {
    let given = |text: &Option<String>| text.clone().filter(|t| !t.trim().is_empty());
    let mut filters = options.filters.clone();
    let mut manufacturers = None;
    if let Some(name) = given(&query.manufacturer) {
        let matching: Vec<i64> = dictionary.manufacturers_matching(&name).iter().map(|m| m.id).collect();
        if matching.is_empty() {
            return Ok(LineMatch::default());
        }
        filters.push(Filter::Manufacturer(matching.iter().map(|id| *id as u64).collect()));
        manufacturers = Some(matching);
    }
    let mut seller = None;
    if let Some(name) = given(&query.seller) {
        let Some(known) = dictionary.seller_named(&name) else { return Ok(LineMatch::default()) };
        filters.push(Filter::Seller(vec![known.id as u64]));
        seller = Some(known.id);
    }
    let mpn = given(&query.mpn).or_else(|| given(&query.mpn_or_sku));
    let sku = given(&query.sku).or_else(|| given(&query.mpn_or_sku));
    if mpn.is_none() && sku.is_none() {
        return Err(MatchError::NothingToMatch);
    }
    if let Some(mpn) = mpn {
        // A BOM line matches its MPN exactly (ignoring case and punctuation), as in Nexar: not
        // the MPN's family, which `supSearchMpn` adds and which would charge parts the line does
        // not mean. Every spelling is a part of its own, answered as Nexar orders them: the part
        // most sellers offer first.
        let request = SearchRequest {
            q: mpn,
            mpn_only: true,
            mpn_exact: true,
            sort: Some(Sort { key: SortKey::NumSellers, descending: true }),
            start: query.start,
            limit: query.limit,
            in_stock_only: options.in_stock_only,
            authorized_only: options.authorized_only,
            filters,
            ..Default::default()
        };
        let result = catalogue.search(request).await?;
        if result.hits > 0 || sku.is_none() {
            return Ok(LineMatch { hits: result.hits, parts: catalogue.parts(&result.part_ids).await? });
        }
    }
    // No MPN, or none matched (`mpnOrSku`): the parts the seller (any seller when none is named)
    // sells under this SKU, of the manufacturer when one is named. A SKU matches as in Nexar,
    // ignoring case, punctuation and leading zeros (`166-327` is RS's `0166327`).
    let sku = sku_key(&sku.expect("a line without an MPN has a SKU"));
    let candidates = catalogue.store().catalogue().part_ids_by_sku_key(&sku).await?;
    let mut parts = catalogue.parts(&candidates).await?;
    parts.retain(|p| {
        manufacturers.as_ref().is_none_or(|m| m.contains(&p.part.manufacturer_id))
            && p.offers.iter().any(|o| sku_key(&o.sku) == sku && seller.is_none_or(|s| o.seller_id == s))
            && (!options.in_stock_only || p.offers.iter().any(|o| o.inventory_level.unwrap_or(0) > 0))
            && (!options.authorized_only || p.offers.iter().any(|o| dictionary.is_authorized(o)))
    });
    let hits = parts.len() as u64;
    Ok(LineMatch { hits, parts: parts.into_iter().skip(query.start).take(query.limit).collect() })
}
