//! The `sup*` root fields (scope `supply.domain`).
//!
//! Every object below the roots resolves its fields in turn (`#[Object(serial)]`,
//! `#[graphql(serial)]`): none of them waits on I/O, and async-graphql's concurrent resolution
//! costs a task set per object, which for ten parts with their specs and offers was a tenth of
//! an answer's time. Root fields (which read the store) stay concurrent.

mod extras;
pub mod facets;
mod lookups;
mod types;
mod unheld;

pub use lookups::SupplyLookups;

use std::{sync::Arc, time::Duration};

use async_graphql::{Context, Enum, InputObject, Object, Result};
use ferrite_core::{scope::Scope, slug::category_path};
use ferrite_supply::{
    matching::{LineMatch, LineQuery, MatchError, MatchOptions, match_line},
    search::{self, Filter, SearchRequest, SearchResult, Sort, SortKey},
};

use self::facets::{
    SupAttributeGroup, SupCadBucket, SupInStockBucket, SupLevelBucket, SupSpecAgg, SupSpecAggsSelection,
};
use self::types::{
    Env, SupAppliedFilter, SupAttribute, SupCategory, SupCategoryBucket, SupCompany, SupCompanyBucket, SupPart,
    applied_filters, services,
};
use crate::{
    Caller,
    context::count_parts,
    cost,
    errors::{bad_argument, internal},
    money::{check_country, check_currency},
    scalars::Map,
};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(rename_items = "lowercase")]
pub enum SupSortDirection {
    Asc,
    Desc,
}

#[derive(InputObject)]
pub struct SupPartMatchQuery {
    mpn: Option<String>,
    sku: Option<String>,
    mpn_or_sku: Option<String>,
    manufacturer: Option<String>,
    seller: Option<String>,
    #[graphql(default = 0)]
    start: i32,
    #[graphql(default = 3)]
    limit: i32,
    reference: Option<String>,
}

#[derive(InputObject, Default)]
pub struct SupPartMatchOptions {
    #[graphql(default_with = "Some(false)")]
    require_authorized_sellers: Option<bool>,
    #[graphql(default_with = "Some(false)")]
    require_stock_available: Option<bool>,
    filters: Option<Map>,
}

/// Credentials for a distributor's API, for `customPricingCredentials`. Ferrite calls
/// distributors with its operator's connectors (`[[connectors]]`), so these are accepted and
/// never used.
#[derive(InputObject)]
#[allow(dead_code)]
pub struct SupApiCredentials {
    api_name: String,
    client_id: Option<String>,
    client_secret: Option<String>,
    username: Option<String>,
    password: Option<String>,
    api_key: Option<String>,
}

/// The longest `distributorApiTimeout` honoured: a longer one waits this long.
const MAX_LIVE_WAIT: Duration = Duration::from_secs(30);

/// The `distributorApi`, `distributorApiTimeout` and `customPricingCredentials` arguments: with
/// `distributorApi: true`, how long the answer may wait for the connectors' live lookups. The
/// timeout reads as Nexar's duration (`3s`, `500ms`, `1m`) whether or not it is used.
fn live_wait(
    live: Option<bool>,
    timeout: &str,
    credentials: Option<Vec<SupApiCredentials>>,
) -> Result<Option<Duration>> {
    let _ = credentials;
    let digits = timeout.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &timeout[digits.len()..];
    let scale = match unit {
        "ms" => Some(0.001),
        "s" => Some(1.0),
        "m" => Some(60.0),
        _ => None,
    };
    let number = digits.parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0);
    let Some(seconds) = number.zip(scale).map(|(n, scale)| n * scale) else {
        return Err(bad_argument(format!(
            "distributorApiTimeout `{timeout}` is not a duration: write it like \"3s\", \"500ms\" or \"1m\""
        )));
    };
    Ok((live == Some(true)).then(|| Duration::from_secs_f64(seconds.min(MAX_LIVE_WAIT.as_secs_f64()))))
}

/// Looks `mpns` up live when the query asked to (`wait`); true when the catalogue in use now
/// holds what was found, so the answer should be read again.
async fn look_up_live(env: &mut Env, mpns: &[String], wait: Option<Duration>) -> bool {
    let Some(wait) = wait else { return false };
    let refreshed = env.services.connectors.live(mpns, wait).await;
    if refreshed {
        *env = Env::new(env.services.catalogue.dictionary(), env.services.clone(), env.currency.clone());
    }
    refreshed
}

/// Most parts one `supMultiMatch` call may ask for (the sum of its queries' limits): Nexar's bound.
const MULTI_MATCH_MAX_PARTS: i32 = 100;
/// Most queries one `supMultiMatch` call may hold. Nexar bounds only the parts, but a query with
/// `limit: 0` asks for none and is still a search or a lookup; as many queries as parts keeps
/// every call Nexar accepts with a limit of 1 or more (KiCost sends 20 of `limit: 5`).
const MULTI_MATCH_MAX_QUERIES: usize = 100;

#[derive(Default)]
pub struct SupplyQuery;

/// Nexar's bounds, with Nexar's exact messages.
/// Most ids or references one lookup (`supParts`, `supPartOffers`, the Ciiva lookups) may ask for.
const MAX_LOOKUPS: usize = 100;

fn check_count(asked: usize) -> Result<()> {
    if asked > MAX_LOOKUPS {
        return Err(bad_argument(format!("at most {MAX_LOOKUPS} ids can be asked for at once")));
    }
    Ok(())
}

fn check_bounds(start: i32, limit: i32) -> Result<()> {
    if !(0..=100).contains(&limit) {
        return Err(bad_argument("limit must be between 0 and 100"));
    }
    if !(0..=1000).contains(&start) {
        return Err(bad_argument("start must be between 0 and 1000"));
    }
    Ok(())
}

/// Checks scope, country and currency, and returns the rendering environment.
fn supply_env(ctx: &Context<'_>, country: &str, currency: &str) -> Result<Env> {
    Caller::require(ctx, Scope::SupplyDomain)?;
    let services = services(ctx);
    check_country(country)?;
    let currency = check_currency(&services.catalogue.rates(), currency)?;
    Ok(Env::new(services.catalogue.dictionary(), services, currency.into()))
}

async fn load_parts(env: &Env, ids: &[i64]) -> Result<Vec<SupPart>> {
    let views = env.services.catalogue.parts(ids).await.map_err(internal)?;
    env.services.connectors.touched(&views);
    Ok(views.into_iter().map(|view| SupPart { view, env: env.clone() }).collect())
}

/// The parts of `ids`, in the order asked; an unknown (or non-numeric) id answers None. With
/// `live` (the query's `distributorApi`), the parts' MPNs are looked up live first.
async fn parts_by_id(env: &mut Env, ids: &[String], live: Option<Duration>) -> Result<Vec<Option<SupPart>>> {
    let numeric: Vec<i64> = ids.iter().filter_map(|id| id.parse().ok()).collect();
    let mut parts = load_parts(env, &numeric).await?;
    if live.is_some() {
        let mpns: Vec<String> = parts.iter().map(|p| p.view.part.mpn.clone()).collect();
        if look_up_live(env, &mpns, live).await {
            parts = load_parts(env, &numeric).await?;
        }
    }
    Ok(ids.iter().map(|id| parts.iter().find(|p| id.parse::<i64>().ok() == Some(p.view.part.id)).cloned()).collect())
}

#[allow(clippy::too_many_arguments)]
#[Object]
impl SupplyQuery {
    /// Full-text search over MPN, manufacturer, description and specs.
    #[graphql(complexity = "cost::search(child_complexity)")]
    async fn sup_search(
        &self,
        ctx: &Context<'_>,
        q: Option<String>,
        #[graphql(default = "US")] country: String,
        #[graphql(default = "USD")] currency: String,
        start: Option<i32>,
        limit: Option<i32>,
        sort: Option<String>,
        sort_dir: Option<SupSortDirection>,
        in_stock_only: Option<bool>,
        filters: Option<Map>,
        distributor_api: Option<bool>,
        #[graphql(default = "3s")] distributor_api_timeout: String,
        custom_pricing_credentials: Option<Vec<SupApiCredentials>>,
    ) -> Result<Option<SupPartResultSet>> {
        let env = supply_env(ctx, &country, &currency)?;
        let live = live_wait(distributor_api, &distributor_api_timeout, custom_pricing_credentials)?;
        let page = Page { start, limit, sort, sort_dir, in_stock_only, filters };
        search_parts(ctx, env, q, false, page, live).await.map(Some)
    }

    /// Search on MPN only: the exact MPN first, then MPNs that start with it, then its family.
    #[graphql(complexity = "cost::search(child_complexity)")]
    async fn sup_search_mpn(
        &self,
        ctx: &Context<'_>,
        q: Option<String>,
        #[graphql(default = "US")] country: String,
        #[graphql(default = "USD")] currency: String,
        start: Option<i32>,
        limit: Option<i32>,
        sort: Option<String>,
        sort_dir: Option<SupSortDirection>,
        in_stock_only: Option<bool>,
        filters: Option<Map>,
        distributor_api: Option<bool>,
        #[graphql(default = "3s")] distributor_api_timeout: String,
        custom_pricing_credentials: Option<Vec<SupApiCredentials>>,
    ) -> Result<Option<SupPartResultSet>> {
        let env = supply_env(ctx, &country, &currency)?;
        let live = live_wait(distributor_api, &distributor_api_timeout, custom_pricing_credentials)?;
        let page = Page { start, limit, sort, sort_dir, in_stock_only, filters };
        search_parts(ctx, env, q, true, page, live).await.map(Some)
    }

    /// Matches a list of MPNs or SKUs, as BOM tools do.
    #[graphql(complexity = "cost::multi_match(queries.len(), child_complexity)")]
    async fn sup_multi_match(
        &self,
        ctx: &Context<'_>,
        queries: Vec<SupPartMatchQuery>,
        options: Option<SupPartMatchOptions>,
        #[graphql(default = "US")] country: String,
        #[graphql(default = "USD")] currency: String,
        distributor_api: Option<bool>,
        #[graphql(default = "3s")] distributor_api_timeout: String,
        custom_pricing_credentials: Option<Vec<SupApiCredentials>>,
    ) -> Result<Option<Vec<SupPartMatch>>> {
        let mut env = supply_env(ctx, &country, &currency)?;
        let live = live_wait(distributor_api, &distributor_api_timeout, custom_pricing_credentials)?;
        if queries.len() > MULTI_MATCH_MAX_QUERIES {
            return Err(bad_argument(format!(
                "at most {MULTI_MATCH_MAX_QUERIES} queries can be matched in one supMultiMatch call (this one has {})",
                queries.len()
            )));
        }
        for query in &queries {
            check_bounds(query.start, query.limit)?;
        }
        let asked: i32 = queries.iter().map(|q| q.limit).sum();
        if asked > MULTI_MATCH_MAX_PARTS {
            return Err(bad_argument(format!(
                "at most {MULTI_MATCH_MAX_PARTS} parts can be matched in one supMultiMatch call (the queries ask for {asked})"
            )));
        }
        let options = options.unwrap_or_default();
        let options = MatchOptions {
            authorized_only: options.require_authorized_sellers.unwrap_or(false),
            in_stock_only: options.require_stock_available.unwrap_or(false),
            filters: match &options.filters {
                Some(map) => search::filters::parse(&map.0).map_err(bad_argument)?,
                None => Vec::new(),
            },
        };
        if live.is_some() {
            let mpns: Vec<String> =
                queries.iter().filter_map(|q| q.mpn.clone().or_else(|| q.mpn_or_sku.clone())).collect();
            look_up_live(&mut env, &mpns, live).await;
        }
        let mut matches = Vec::with_capacity(queries.len());
        for query in queries {
            matches.push(match_one(&env, query, &options).await?);
        }
        Ok(Some(matches))
    }

    /// Parts by id, in the order asked; unknown ids answer null.
    async fn sup_parts(
        &self,
        ctx: &Context<'_>,
        ids: Vec<String>,
        #[graphql(default = "US")] country: String,
        #[graphql(default = "USD")] currency: String,
        distributor_api: Option<bool>,
        #[graphql(default = "3s")] distributor_api_timeout: String,
        custom_pricing_credentials: Option<Vec<SupApiCredentials>>,
    ) -> Result<Option<Vec<Option<SupPart>>>> {
        let mut env = supply_env(ctx, &country, &currency)?;
        let live = live_wait(distributor_api, &distributor_api_timeout, custom_pricing_credentials)?;
        check_count(ids.len())?;
        let answer = parts_by_id(&mut env, &ids, live).await?;
        count_parts(ctx, answer.iter().flatten().count());
        Ok(Some(answer))
    }

    async fn sup_categories(
        &self,
        ctx: &Context<'_>,
        ids: Option<Vec<String>>,
        paths: Option<Vec<String>>,
    ) -> Result<Option<Vec<SupCategory>>> {
        let env = supply_env(ctx, "US", "USD")?;
        let mut records: Vec<_> = env.dictionary.categories.values().cloned().collect();
        records.sort_by_key(|c| c.id);
        let wanted = |c: &ferrite_store::CategoryRecord| {
            ids.as_ref().is_none_or(|ids| ids.contains(&c.id.to_string()))
                && paths.as_ref().is_none_or(|paths| paths.iter().any(|p| *p == category_path(&c.path) || *p == c.path))
        };
        Ok(Some(records.into_iter().filter(wanted).map(|record| SupCategory { record, env: env.clone() }).collect()))
    }

    async fn sup_manufacturers(
        &self,
        ctx: &Context<'_>,
        ids: Option<Vec<String>>,
        slugs: Option<Vec<String>>,
        min_number_of_active_parts: Option<i32>,
    ) -> Result<Option<Vec<SupCompany>>> {
        let env = supply_env(ctx, "US", "USD")?;
        let mut chosen = companies(env.dictionary.manufacturers.values(), ids, slugs);
        for company in &mut chosen {
            let id = company.id.parse().unwrap_or_default();
            *company = SupCompany::manufacturer(&env.dictionary, id);
        }
        if let Some(least) = min_number_of_active_parts.filter(|n| *n > 0) {
            // Ferrite does not track lifecycles reliably enough to tell active parts: it counts
            // the manufacturer's parts in the catalogue.
            let catalogue = &env.services.catalogue;
            let mut kept = Vec::with_capacity(chosen.len());
            for company in chosen {
                let id: i64 = company.id.parse().map_err(internal)?;
                if catalogue.parts_of_manufacturer(id).map_err(internal)? >= least as u64 {
                    kept.push(company);
                }
            }
            chosen = kept;
        }
        Ok(Some(chosen))
    }

    async fn sup_sellers(
        &self,
        ctx: &Context<'_>,
        ids: Option<Vec<String>>,
        slugs: Option<Vec<String>>,
    ) -> Result<Option<Vec<SupCompany>>> {
        let env = supply_env(ctx, "US", "USD")?;
        let mut sellers = companies(env.dictionary.sellers.values(), ids, slugs);
        for seller in &mut sellers {
            let id = seller.id.parse().unwrap_or_default();
            *seller = SupCompany::seller(&env.dictionary, id);
        }
        Ok(Some(sellers))
    }

    async fn sup_attributes(&self, ctx: &Context<'_>) -> Result<Option<Vec<SupAttribute>>> {
        let env = supply_env(ctx, "US", "USD")?;
        let mut attributes: Vec<SupAttribute> =
            env.dictionary.attributes.keys().map(|id| SupAttribute::new(&env, *id)).collect();
        attributes.sort_by(|a, b| a.record().shortname.cmp(&b.record().shortname));
        Ok(Some(attributes))
    }
}

fn companies<'a>(
    all: impl Iterator<Item = &'a ferrite_store::Named>,
    ids: Option<Vec<String>>,
    slugs: Option<Vec<String>>,
) -> Vec<SupCompany> {
    let mut chosen: Vec<SupCompany> = all
        .filter(|c| ids.as_ref().is_none_or(|ids| ids.contains(&c.id.to_string())))
        .filter(|c| slugs.as_ref().is_none_or(|slugs| slugs.contains(&c.slug)))
        .map(SupCompany::from)
        .collect();
    chosen.sort_by(|a, b| a.id.0.len().cmp(&b.id.0.len()).then_with(|| a.id.0.cmp(&b.id.0)));
    chosen
}

#[allow(clippy::too_many_arguments)]
/// The paging, order and filters of `supSearch` and `supSearchMpn`.
struct Page {
    start: Option<i32>,
    limit: Option<i32>,
    sort: Option<String>,
    sort_dir: Option<SupSortDirection>,
    in_stock_only: Option<bool>,
    filters: Option<Map>,
}

async fn search_parts(
    ctx: &Context<'_>,
    mut env: Env,
    q: Option<String>,
    mpn_only: bool,
    page: Page,
    live: Option<Duration>,
) -> Result<SupPartResultSet> {
    let Page { start, limit, sort, sort_dir, in_stock_only, filters } = page;
    let (start, limit) = (start.unwrap_or(0), limit.unwrap_or(10));
    check_bounds(start, limit)?;
    let filters = match filters {
        Some(map) => search::filters::parse(&map.0).map_err(bad_argument)?,
        None => Vec::new(),
    };
    let sort = match sort.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(name) => {
            let key = SortKey::parse(name);
            if matches!(&key, SortKey::Attribute(shortname) if env.dictionary.attribute(shortname).is_none()) {
                return Err(bad_argument(format!(
                    "unknown sort `{name}`: use {} or an attribute's shortname (see supAttributes)",
                    SortKey::NAMED.join(", ")
                )));
            }
            Some(Sort { key, descending: sort_dir == Some(SupSortDirection::Desc) })
        }
    };
    let look_ahead = ctx.look_ahead();
    let aggregations =
        ["manufacturerAgg", "distributorAgg", "categoryAgg"].iter().any(|f| look_ahead.field(f).exists());
    let request = SearchRequest {
        q: q.unwrap_or_default(),
        mpn_only,
        mpn_exact: false,
        start: start as usize,
        limit: limit as usize,
        sort,
        in_stock_only: in_stock_only.unwrap_or(false),
        authorized_only: false,
        filters,
        aggregations,
    };
    let filters = request.filters.clone();
    // What the facets count over (every match, not the page), should a field ask for them.
    let matches = SearchRequest { start: 0, limit: 0, sort: None, aggregations: false, ..request.clone() };
    let catalogue = &env.services.catalogue;
    let mut result = catalogue.search(request.clone()).await.map_err(internal)?;
    if live.is_some() {
        // The parts of the page, and the MPN asked for when the catalogue has none by it.
        let mut mpns: Vec<String> =
            catalogue.parts(&result.part_ids).await.map_err(internal)?.iter().map(|v| v.part.mpn.clone()).collect();
        if mpn_only && result.hits == 0 {
            mpns.push(request.q.clone());
        }
        if look_up_live(&mut env, &mpns, live).await {
            result = env.services.catalogue.search(request).await.map_err(internal)?;
        }
    }
    Ok(SupPartResultSet {
        result: Arc::new(result),
        filters,
        env,
        limit: limit as usize,
        request: Arc::new(matches),
        facets: tokio::sync::OnceCell::new(),
    })
}

/// One BOM line's match (`ferrite_supply::matching`), as Nexar answers it.
async fn match_one(env: &Env, query: SupPartMatchQuery, options: &MatchOptions) -> Result<SupPartMatch> {
    let line = LineQuery {
        mpn: query.mpn,
        sku: query.sku,
        mpn_or_sku: query.mpn_or_sku,
        manufacturer: query.manufacturer,
        seller: query.seller,
        start: query.start as usize,
        limit: query.limit as usize,
    };
    let reference = query.reference;
    match match_line(&env.services.catalogue, &env.dictionary, &line, options).await {
        Ok(LineMatch { hits, parts }) => {
            env.services.connectors.touched(&parts);
            let parts = parts.into_iter().map(|view| SupPart { view, env: env.clone() }).collect();
            Ok(SupPartMatch { reference, hits, parts, error: None })
        }
        Err(MatchError::NothingToMatch) => Ok(SupPartMatch {
            reference,
            hits: 0,
            parts: Vec::new(),
            error: Some("a query needs mpn, sku or mpnOrSku".into()),
        }),
        Err(err) => Err(internal(err)),
    }
}

/// The answer of `supSearch` and `supSearchMpn`.
pub struct SupPartResultSet {
    result: Arc<SearchResult>,
    filters: Vec<Filter>,
    env: Env,
    limit: usize,
    /// The search without its page, for facets (`facets.rs`).
    request: Arc<SearchRequest>,
    facets: tokio::sync::OnceCell<Arc<ferrite_supply::search::facets::Facets>>,
}

pub struct SupPartResult {
    part: SupPart,
}

#[Object(serial)]
impl SupPartResult {
    #[graphql(name = "_cacheId")]
    async fn cache_id(&self) -> String {
        format!("result-{}", self.part.view.part.id)
    }
    async fn part(&self) -> &SupPart {
        &self.part
    }
    async fn description(&self) -> String {
        self.part.view.part.description.clone().unwrap_or_default()
    }
    async fn aka_mpn(&self) -> Option<String> {
        None
    }
    #[graphql(deprecation = "always empty")]
    async fn explain(&self) -> &str {
        ""
    }
}

fn clamp(n: u64) -> i32 {
    n.min(i32::MAX as u64) as i32
}

#[Object(serial)]
impl SupPartResultSet {
    /// Deprecated by Nexar in favour of `hits`.
    async fn total(&self) -> i32 {
        clamp(self.result.hits)
    }
    /// All parts that match, whatever `limit` is. Free: only returned parts are charged.
    async fn hits(&self) -> i32 {
        clamp(self.result.hits)
    }
    /// The page of parts; each one counts against the part limit.
    async fn results(&self, ctx: &Context<'_>) -> Result<Option<Vec<SupPartResult>>> {
        let ids: Vec<i64> = self.result.part_ids.iter().take(self.limit).copied().collect();
        let parts = load_parts(&self.env, &ids).await?;
        count_parts(ctx, parts.len());
        Ok(Some(parts.into_iter().map(|part| SupPartResult { part }).collect()))
    }
    #[graphql(complexity = "cost::aggregation(child_complexity)")]
    async fn manufacturer_agg(&self, #[graphql(default = 10)] size: i32) -> Vec<SupCompanyBucket> {
        let dictionary = &self.env.dictionary;
        (self.result.manufacturers.iter().take(size.max(0) as usize))
            .map(|(id, count)| SupCompanyBucket {
                company: SupCompany::manufacturer(dictionary, *id),
                count: Some(clamp(*count)),
            })
            .collect()
    }
    #[graphql(complexity = "cost::aggregation(child_complexity)")]
    async fn distributor_agg(&self, #[graphql(default = 10)] size: i32) -> Vec<SupCompanyBucket> {
        let dictionary = &self.env.dictionary;
        (self.result.sellers.iter().take(size.max(0) as usize))
            .map(|(id, count)| SupCompanyBucket {
                company: SupCompany::seller(dictionary, *id),
                count: Some(clamp(*count)),
            })
            .collect()
    }
    #[graphql(complexity = "cost::aggregation(child_complexity)")]
    async fn category_agg(&self, #[graphql(default = 10)] size: i32) -> Vec<SupCategoryBucket> {
        self.result
            .categories
            .iter()
            .take(size.max(0) as usize)
            .filter_map(|(id, count)| {
                let record = self.env.dictionary.categories.get(id)?;
                Some(SupCategoryBucket {
                    category: SupCategory { record: record.clone(), env: self.env.clone() },
                    count: Some(clamp(*count)),
                })
            })
            .collect()
    }
    /// Values of the attributes named (Attribute.shortname), over every match.
    #[graphql(complexity = "cost::aggregation(child_complexity)")]
    async fn spec_aggs(
        &self,
        attribute_names: Vec<String>,
        #[graphql(default)] attribute_selection: SupSpecAggsSelection,
        #[graphql(default = 10)] size: i32,
    ) -> Result<Vec<SupSpecAgg>> {
        self.aggregate_specs(attribute_names, attribute_selection, size).await
    }
    /// The result set's attributes by group, for a specs view's columns.
    #[graphql(complexity = "cost::aggregation(child_complexity)")]
    async fn specs_view_attribute_groups(&self) -> Result<Vec<SupAttributeGroup>> {
        self.attribute_groups().await
    }
    /// Ferrite has no CAD models: always empty.
    async fn cad_agg(&self) -> Vec<SupCadBucket> {
        Vec::new()
    }
    /// Ferrite has no CAD models: always empty.
    async fn cad_level_agg(&self) -> Vec<SupLevelBucket> {
        Vec::new()
    }
    #[graphql(complexity = "cost::aggregation(child_complexity)")]
    async fn in_stock_agg(&self) -> Result<Vec<SupInStockBucket>> {
        self.stock_buckets().await
    }
    #[graphql(complexity = "cost::aggregation(child_complexity)")]
    async fn suggested_categories(&self) -> Result<Vec<SupCategoryBucket>> {
        self.own_categories().await
    }
    #[graphql(complexity = "cost::aggregation(child_complexity)")]
    async fn suggested_filters(&self) -> Result<Vec<SupAttribute>> {
        self.suggested_attributes().await
    }
    #[graphql(complexity = "cost::aggregation(child_complexity)")]
    async fn all_filters(&self) -> Result<Vec<SupAttribute>> {
        self.attributes_present().await
    }
    async fn applied_category(&self) -> Option<SupCategory> {
        self.filtered_category()
    }
    async fn applied_filters(&self) -> Vec<SupAppliedFilter> {
        applied_filters(&self.env.dictionary, &self.filters)
    }
    /// The query's words no part holds: the search went on without them.
    async fn warnings(&self) -> Option<Vec<String>> {
        let warnings: Vec<String> = self
            .result
            .dropped
            .iter()
            .map(|(word, nearest)| match nearest {
                Some(nearest) => format!("no part matches {word:?}, searched without it (did you mean {nearest:?}?)"),
                None => format!("no part matches {word:?}, searched without it"),
            })
            .collect();
        (!warnings.is_empty()).then_some(warnings)
    }
}

/// One `supMultiMatch` answer.
pub struct SupPartMatch {
    reference: Option<String>,
    hits: u64,
    parts: Vec<SupPart>,
    error: Option<String>,
}

#[Object(serial)]
impl SupPartMatch {
    async fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }
    async fn hits(&self) -> i32 {
        clamp(self.hits)
    }
    /// The matched parts; each one counts against the part limit.
    async fn parts(&self, ctx: &Context<'_>) -> &[SupPart] {
        count_parts(ctx, self.parts.len());
        &self.parts
    }
    async fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}
