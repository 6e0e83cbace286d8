//! Full-text and faceted search over the catalogue (tantivy). The index is derived: each node
//! builds its own from the store, in the data directory, and rebuilds it when the catalogue's
//! version moves. Results are part ids; answers are then read from the store.

mod build;
pub mod facets;
pub mod filters;
#[cfg(test)]
mod relevance;
mod schema;
mod sort;
pub mod suggest;
#[cfg(test)]
mod tests;
pub mod understand;

use std::{
    collections::HashMap,
    ops::Bound,
    path::{Path, PathBuf},
};

use serde::Deserialize;
use tantivy::{
    DocAddress, DocId, Index, Order, ReloadPolicy, Score, Searcher, SegmentReader, Term,
    aggregation::{
        AggregationCollector, AggregationLimitsGuard, agg_req::Aggregations, agg_result::AggregationResults,
    },
    collector::{Count, TopDocs},
    columnar::Column,
    index::SegmentId,
    query::{
        AllQuery, BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery,
    },
    schema::IndexRecordOption,
};

pub use build::{build, update};
pub use filters::{Filter, SpecValue};
use schema::Fields;

use ferrite_core::{keys::mpn_key, money::ExchangeRates};

use crate::sellers::SellerTable;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index: {0}")]
    Io(#[from] std::io::Error),
    #[error("search index: {0}")]
    Store(#[from] ferrite_store::StoreError),
    #[error("search stopped: {0}")]
    Task(String),
}

/// What to look for. Bounds (`limit`, `start`) are checked by the API layer.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    /// `supSearchMpn`: match the MPN only.
    pub mpn_only: bool,
    /// `supMultiMatch`: only parts whose MPN is the query's, ignoring case, spaces and punctuation
    /// (`ERJ-3EKF1002V` is `ERJ3EKF1002V`), as Nexar matches a BOM line; not the prefixes and
    /// families `mpn_only` adds. Implies `mpn_only`.
    pub mpn_exact: bool,
    pub start: usize,
    pub limit: usize,
    pub sort: Option<Sort>,
    pub in_stock_only: bool,
    /// Only parts that an authorized seller offers.
    pub authorized_only: bool,
    pub filters: Vec<Filter>,
    /// Compute manufacturer, category and seller facets.
    pub aggregations: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    Mpn,
    MedianPrice1000,
    AvgPrice,
    NumAuthSuppliers,
    /// Sellers of the part, authorized or not: not a name Nexar's `sort` takes, but the order in
    /// which Nexar's `supMultiMatch` answers a line's parts (most sellers first).
    NumSellers,
    /// An attribute's shortname: parts by SI value, then those with only a text value by that
    /// text, then parts without the attribute, whichever the direction.
    Attribute(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl SortKey {
    /// The sort keys Nexar names; any other name is an attribute's shortname.
    pub const NAMED: &[&str] = &["mpn", "median_price_1000", "avg_price", "num_authsuppliers"];

    pub fn parse(name: &str) -> SortKey {
        match name {
            "mpn" => SortKey::Mpn,
            "median_price_1000" => SortKey::MedianPrice1000,
            "avg_price" => SortKey::AvgPrice,
            "num_authsuppliers" => SortKey::NumAuthSuppliers,
            shortname => SortKey::Attribute(shortname.to_owned()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResult {
    pub hits: u64,
    pub part_ids: Vec<i64>,
    /// (manufacturer id, parts), most first.
    pub manufacturers: Vec<(i64, u64)>,
    pub categories: Vec<(i64, u64)>,
    pub sellers: Vec<(i64, u64)>,
    /// Words of the query no part holds, left out of the search, each with the nearest word the
    /// catalogue holds, if any: what `SupPartResultSet.warnings` reports.
    pub dropped: Vec<(String, Option<String>)>,
}

/// A built, searchable index of one catalogue version.
pub struct SearchIndex {
    index: Index,
    /// A built index never changes, so one searcher serves every search...
    searcher: Searcher,
    /// ...and each of its segments' `id` column is opened once (by segment ordinal); opening one
    /// reads and decompresses the segment's column directory.
    ids: Vec<Column<u64>>,
    /// Each segment's stock and seller columns, for ranking ([`availability`]).
    availability: std::sync::Arc<HashMap<SegmentId, Availability>>,
    fields: Fields,
    /// Whether a segment has deleted documents: then term counts are not part counts.
    has_deletes: bool,
    version: i64,
    dir: PathBuf,
    /// Parts per manufacturer, counted once for this version (`supManufacturers` filters every
    /// manufacturer by it, and a term count reads every segment).
    manufacturer_parts: std::sync::Mutex<std::collections::HashMap<i64, u64>>,
}

/// A segment's `total_avail` and `num_sellers` columns.
type Availability = (Column<u64>, Column<u64>);

/// Written last by a build: a directory without it is an interrupted build, never opened. It
/// records the version, the operator's configured exchange rates and the seller table
/// ([`complete_marker`]).
const COMPLETE_MARKER: &str = "complete";

/// The index layout ([`schema::build`]); raised whenever fields change, so an index written by an
/// older build is built again rather than opened with fields it lacks.
const LAYOUT: u32 = 6;

/// What a complete build of `version` for the configured `rates` and `sellers` writes in its
/// marker: an index built for other configured rates (the operator changed `currency_rates`), for
/// another seller table (`[[sellers]]`: which offers count as authorized) or of another [`LAYOUT`]
/// is built again; the feed's daily rates are not part of it (see `Catalogue::refresh`).
fn complete_marker(version: i64, configured: &ExchangeRates, sellers: &SellerTable) -> String {
    format!(
        "{version}
{}
sellers {}
layout {LAYOUT}",
        serde_json::to_string(configured).expect("rates serialize"),
        sellers.fingerprint()
    )
}

impl SearchIndex {
    pub fn version(&self) -> i64 {
        self.version
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The parts (documents) the index holds.
    pub fn parts(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Opens the complete index for `version` under `root` built for the `configured` rates and
    /// `sellers`, if one exists.
    pub fn open(
        root: &Path,
        version: i64,
        configured: &ExchangeRates,
        sellers: &SellerTable,
    ) -> Result<Option<SearchIndex>, SearchError> {
        let dir = root.join(format!("v{version}"));
        match std::fs::read_to_string(dir.join(COMPLETE_MARKER)) {
            Ok(marker) if marker == complete_marker(version, configured, sellers) => {}
            Ok(_) => return Ok(None),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err.into()),
        }
        let index = Index::open_in_dir(&dir)?;
        Ok(Some(Self::from_index(index, dir, version)?))
    }

    /// The complete index of the latest version before `version` under `root` built for the
    /// `configured` rates and `sellers`, if one is left (a node that was stopped, `ferrite
    /// import`): what the index of `version` can be updated from.
    pub fn latest_before(
        root: &Path,
        version: i64,
        configured: &ExchangeRates,
        sellers: &SellerTable,
    ) -> Option<SearchIndex> {
        let mut versions: Vec<i64> = std::fs::read_dir(root)
            .ok()?
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.strip_prefix('v')?.parse().ok())
            .filter(|v| *v < version)
            .collect();
        versions.sort_unstable_by(|a, b| b.cmp(a));
        // One being removed by another process's build is passed over.
        versions.into_iter().find_map(|v| Self::open(root, v, configured, sellers).ok().flatten())
    }

    fn from_index(index: Index, dir: PathBuf, version: i64) -> Result<SearchIndex, SearchError> {
        schema::register_tokenizers(&index);
        let (_, fields) = schema::build();
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        let ids = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().u64("id"))
            .collect::<Result<_, _>>()?;
        let availability = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                let columns = segment.fast_fields();
                Ok((segment.segment_id(), (columns.u64("total_avail")?, columns.u64("num_sellers")?)))
            })
            .collect::<Result<_, SearchError>>()
            .map(std::sync::Arc::new)?;
        Ok(SearchIndex {
            has_deletes: searcher.segment_readers().iter().any(SegmentReader::has_deletes),
            index,
            searcher,
            ids,
            availability,
            fields,
            version,
            dir,
            manufacturer_parts: Default::default(),
        })
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResult, SearchError> {
        let searcher = &self.searcher;
        let (query, dropped_words) = self.plan(request);
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.start);
        // The count and the page in one pass over the matches.
        let (hits, addresses): (u64, Vec<DocAddress>) = match &request.sort {
            None => {
                let columns = self.availability.clone();
                let ranked = top.tweak_score(move |segment: &SegmentReader| {
                    let (stock, sellers) = columns[&segment.segment_id()].clone();
                    move |doc: DocId, score: Score| {
                        score + availability(stock.first(doc).unwrap_or(0), sellers.first(doc).unwrap_or(0))
                    }
                });
                page(searcher.search(&query, &(Count, ranked))?)
            }
            Some(Sort { key: SortKey::Mpn, descending }) => {
                let order = sort::MpnOrder { descending: *descending };
                page(searcher.search(&query, &(Count, top.custom_score(order)))?)
            }
            Some(Sort { key: SortKey::Attribute(shortname), descending }) => {
                let order = sort::AttributeOrder::new(searcher, shortname, *descending)?;
                page(searcher.search(&query, &(Count, top.custom_score(order)))?)
            }
            Some(Sort { key, descending }) => {
                let order = if *descending { Order::Desc } else { Order::Asc };
                match key {
                    SortKey::MedianPrice1000 | SortKey::AvgPrice => {
                        let field = if *key == SortKey::AvgPrice { "avg_price" } else { "median_price_1000" };
                        page(searcher.search(&query, &(Count, top.order_by_fast_field::<f64>(field, order)))?)
                    }
                    _ => {
                        let field = match key {
                            SortKey::NumSellers => "num_sellers",
                            _ => "num_authsuppliers",
                        };
                        page(searcher.search(&query, &(Count, top.order_by_fast_field::<u64>(field, order)))?)
                    }
                }
            }
        };
        let part_ids = addresses
            .iter()
            .map(|a| self.ids[a.segment_ord as usize].first(a.doc_id).unwrap_or_default() as i64)
            .collect();
        let mut dropped = Vec::new();
        for word in dropped_words {
            let nearest = self.nearest_words(&word.to_lowercase())?.into_iter().next();
            dropped.push((word, nearest));
        }
        let mut result = SearchResult { hits, part_ids, dropped, ..Default::default() };
        if request.aggregations {
            let results = self.aggregate(
                &query,
                serde_json::json!({
                    "manufacturers": { "terms": { "field": "manufacturer_id", "size": 100 } },
                    "categories": { "terms": { "field": "category_ids", "size": 100 } },
                    "sellers": { "terms": { "field": "seller_ids", "size": 100 } },
                }),
            )?;
            result.manufacturers = id_buckets(&results["manufacturers"]);
            result.categories = id_buckets(&results["categories"]);
            result.sellers = id_buckets(&results["sellers"]);
        }
        Ok(result)
    }

    /// Runs tantivy aggregations (Elasticsearch's request syntax) over every match of `query`;
    /// the results as JSON, by the names of the request.
    fn aggregate(&self, query: &dyn Query, request: serde_json::Value) -> Result<serde_json::Value, SearchError> {
        let aggregations: Aggregations = serde_json::from_value(request).expect("a valid aggregation request");
        let collector = AggregationCollector::from_aggs(aggregations, AggregationLimitsGuard::default());
        let results: AggregationResults = self.searcher.search(query, &collector)?;
        Ok(serde_json::to_value(results).unwrap_or_default())
    }

    /// Documents (parts) that carry `category` among their category ids: the category and its
    /// descendants.
    pub fn parts_in_category(&self, category: i64) -> Result<u64, SearchError> {
        self.parts_with_term(Term::from_field_u64(self.fields.category_ids, category as u64))
    }

    /// Parts that carry `term`: its document count, read free from the term dictionary while no
    /// segment has deleted documents (a built index), else counted (an updated one, whose
    /// term counts still include the documents [`update`] replaced).
    fn parts_with_term(&self, term: Term) -> Result<u64, SearchError> {
        if self.has_deletes {
            Ok(self.searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)? as u64)
        } else {
            Ok(self.searcher.doc_freq(&term)?)
        }
    }

    /// Parts of `manufacturer`, read from the index's term counts (no search).
    pub fn parts_of_manufacturer(&self, manufacturer: i64) -> Result<u64, SearchError> {
        if let Some(parts) = self.manufacturer_parts.lock().expect("counts lock").get(&manufacturer) {
            return Ok(*parts);
        }
        let parts = self.parts_with_term(Term::from_field_u64(self.fields.manufacturer_id, manufacturer as u64))?;
        self.manufacturer_parts.lock().expect("counts lock").insert(manufacturer, parts);
        Ok(parts)
    }

    fn query(&self, request: &SearchRequest) -> Box<dyn Query> {
        self.plan(request).0
    }

    /// The query for `request`, and the words of its text no part holds, which it searches
    /// without (`SearchResult::dropped`).
    fn plan(&self, request: &SearchRequest) -> (Box<dyn Query>, Vec<String>) {
        let f = &self.fields;
        let mut dropped = Vec::new();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let text = request.q.trim();
        if !text.is_empty() {
            let mpn = if request.mpn_exact { exact_mpn_clause(f, text) } else { mpn_clauses(f, text) };
            // A part scores by the best way it matches, not their sum: words the query's
            // constraints consumed do not count again as text.
            let mut alternatives: Vec<Box<dyn Query>> = vec![Box::new(BooleanQuery::union(mpn))];
            if !request.mpn_only && !request.mpn_exact {
                // Every word in the text, as before the query was understood...
                let words: Vec<Box<dyn Query>> =
                    text.split_whitespace().filter_map(|word| self.word_query(word, false)).collect();
                if !words.is_empty() {
                    alternatives.push(Box::new(BooleanQuery::intersection(words)));
                }
                // ...and, above those, the parts that answer what it asks for, ranked by the
                // words it leaves.
                let understood = understand::understand(text);
                let mut leftovers = Vec::new();
                for word in &understood.words {
                    match self.word_query(word, true) {
                        Some(query) => leftovers.push(query),
                        None if word.chars().any(char::is_alphanumeric) => dropped.push(word.clone()),
                        None => {}
                    }
                }
                if understood.constrains() {
                    alternatives.push(self.answers(&understood, leftovers));
                }
            }
            clauses.push((Occur::Must, Box::new(DisjunctionMaxQuery::new(alternatives))));
        }
        if request.in_stock_only {
            clauses.push((Occur::Must, term_u64(f.in_stock, 1)));
        }
        if request.authorized_only {
            let one = Term::from_field_u64(f.num_authsuppliers, 1);
            clauses.push((Occur::Must, Box::new(RangeQuery::new(Bound::Included(one), Bound::Unbounded))));
        }
        for filter in &request.filters {
            clauses.push((Occur::Must, filter_query(f, filter)));
        }
        let query: Box<dyn Query> =
            if clauses.is_empty() { Box::new(AllQuery) } else { Box::new(BooleanQuery::new(clauses)) };
        (query, dropped)
    }

    /// Parts that meet every value, package and kind the query names, scored [`ANSWER_SCORE`]
    /// above any part that only shares its words, then by the `words` (queries of the words
    /// left over) they also match.
    fn answers(&self, understood: &understand::Understood, words: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        let f = &self.fields;
        let mut constraints: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for value in &understood.values {
            let held =
                value.attributes.iter().map(|attribute| term_text(f.spec_si, &si_term(attribute, value.si))).collect();
            constraints.push((Occur::Must, Box::new(BooleanQuery::union(held))));
        }
        if !understood.packages.is_empty() {
            // Term queries, not a term set: a set builds an automaton and a bitset of every
            // document per search, for the one or two packages a query names.
            let keys = understood.packages.iter().map(|key| term_text(f.package, key)).collect();
            constraints.push((Occur::Must, Box::new(BooleanQuery::union(keys))));
        }
        for kind in &understood.kinds {
            constraints.push((Occur::Must, term_text(f.kinds, &kind.name)));
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(constraints)), ANSWER_SCORE)))];
        clauses.extend(words.into_iter().map(|word| (Occur::Should, word)));
        Box::new(BooleanQuery::new(clauses))
    }

    /// One word of a query in the text field: any of its spellings ([`understand::spellings`]),
    /// each as every token the text's tokenizer makes of it (`usb-c` is `usb` and `c`), a token
    /// also found in the singular. With `as_mpn`, an MPN that starts with it matches too. `None`
    /// when no part holds the word: a query searches without it (see [`SearchIndex::plan`]).
    fn word_query(&self, word: &str, as_mpn: bool) -> Option<Box<dyn Query>> {
        let mut tokenizer = self.index.tokenizer_for_field(self.fields.text).ok()?;
        let held = |field, text: &str| self.searcher.doc_freq(&Term::from_field_text(field, text)).unwrap_or(0) > 0;
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for spelling in understand::spellings(word) {
            let mut tokens: Vec<Box<dyn Query>> = Vec::new();
            let mut stream = tokenizer.token_stream(spelling);
            while let Some(token) = stream.next() {
                let forms: Vec<&str> = std::iter::once(token.text.as_str())
                    .chain(understand::singular(&token.text))
                    .filter(|form| held(self.fields.text, form))
                    .collect();
                if forms.is_empty() {
                    tokens.clear();
                    break; // a spelling with a token no part holds finds nothing
                }
                tokens.push(Box::new(BooleanQuery::union(
                    forms.iter().map(|form| term_scored(self.fields.text, form)).collect(),
                )));
            }
            if !tokens.is_empty() {
                alternatives.push(Box::new(BooleanQuery::intersection(tokens)));
            }
        }
        let key = mpn_key(word).to_lowercase();
        if as_mpn && key.len() >= 3 && held(self.fields.mpn_prefix, &key) {
            alternatives.push(term_text(self.fields.mpn_prefix, &key));
        }
        (!alternatives.is_empty()).then(|| Box::new(BooleanQuery::union(alternatives)) as Box<dyn Query>)
    }
}

/// What a part adds to its relevance for being easy to buy, so that of equally relevant parts the
/// ones in stock at more sellers come first: up to 4 points for stock (on a log scale), 0.5 for
/// each seller up to 8. Less than any difference in what a query matched.
fn availability(stock: u64, sellers: u64) -> Score {
    0.5 * ((1 + stock) as f32).log10().min(8.0) + 0.5 * sellers.min(8) as f32
}

/// What a part that meets every constraint of a query scores before its words: more than words
/// alone ever give (a handful of BM25 scores) or an MPN prefix, less than an exact MPN match
/// (see [`mpn_clauses`]).
const ANSWER_SCORE: f32 = 200.0;

/// The part whose MPN key is the query's, and no other.
fn exact_mpn_clause(f: &Fields, text: &str) -> Vec<Box<dyn Query>> {
    let key = mpn_key(text);
    if key.is_empty() { Vec::new() } else { vec![term_text(f.mpn_exact, &key)] }
}

/// MPN matching: the exact MPN first, then MPNs that start with the query, then the families of
/// the query with up to three trailing (packaging) characters removed: `LM358DR` also finds `LM358D…`.
/// Each tier scores a constant (a part scores the tiers it is in), so within one the best stocked
/// come first, not the shortest MPNs (which BM25 would favour: a longer MPN has more prefixes).
fn mpn_clauses(f: &Fields, text: &str) -> Vec<Box<dyn Query>> {
    let key = mpn_key(text);
    if key.is_empty() {
        return Vec::new();
    }
    let tier = |query: Box<dyn Query>, score: f32| -> Box<dyn Query> { Box::new(ConstScoreQuery::new(query, score)) };
    let mut clauses =
        vec![tier(term_text(f.mpn_exact, &key), 300.0), tier(term_text(f.mpn_prefix, &key.to_lowercase()), 60.0)];
    let chars: Vec<char> = key.chars().collect();
    for cut in 1..=3usize {
        if chars.len() >= cut + 4 {
            let family: String = chars[..chars.len() - cut].iter().collect::<String>().to_lowercase();
            clauses.push(tier(term_text(f.mpn_prefix, &family), 30.0 - 5.0 * cut as f32));
        }
    }
    clauses
}

fn term_text(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
}

/// A term scored by how often the document holds it (BM25), for the text field.
fn term_scored(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

fn term_u64(field: tantivy::schema::Field, value: u64) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_u64(field, value), IndexRecordOption::Basic))
}

fn filter_query(f: &Fields, filter: &Filter) -> Box<dyn Query> {
    let ids = |field, ids: &[u64]| -> Box<dyn Query> {
        Box::new(TermSetQuery::new(ids.iter().map(|id| Term::from_field_u64(field, *id))))
    };
    match filter {
        Filter::Manufacturer(list) => ids(f.manufacturer_id, list),
        Filter::Seller(list) => ids(f.seller_ids, list),
        Filter::Category(list) => ids(f.category_ids, list),
        Filter::Spec { shortname, values } => {
            let alternatives = values
                .iter()
                .map(|value| -> Box<dyn Query> {
                    match value {
                        SpecValue::Exact(text) => term_text(f.spec_terms, &spec_term(shortname, text)),
                        SpecValue::Range { low, high } => {
                            let bound = |value: Option<f64>| match value {
                                Some(v) => {
                                    let mut term = Term::from_field_json_path(f.spec_values, shortname, false);
                                    term.append_type_and_fast_value(v);
                                    Bound::Included(term)
                                }
                                None => Bound::Unbounded,
                            };
                            Box::new(RangeQuery::new(bound(*low), bound(*high)))
                        }
                    }
                })
                .collect();
            Box::new(BooleanQuery::union(alternatives))
        }
    }
}

/// The term a part's SI value of an attribute is indexed as: 12 significant digits, so a query's
/// `100n` finds a stored `0.1µF`.
fn si_term(shortname: &str, si: f64) -> String {
    format!("{shortname}={:e}", build::canonical(si))
}

/// The term an exact attribute filter looks for.
fn spec_term(shortname: &str, value: &str) -> String {
    format!("{shortname}={}", value.trim().to_lowercase())
}

/// A terms aggregation's buckets of numeric keys, as (key, count).
/// A terms aggregation's buckets as (id, parts), most parts first and equal counts by id (the
/// aggregation's own order of ties follows the index's segments).
fn id_buckets(terms: &serde_json::Value) -> Vec<(i64, u64)> {
    let mut buckets: Vec<(i64, u64)> =
        terms_buckets(terms).into_iter().filter_map(|b| b.key.as_f64().map(|k| (k as i64, b.doc_count))).collect();
    buckets.sort_by(|(a, parts_a), (b, parts_b)| parts_b.cmp(parts_a).then(a.cmp(b)));
    buckets
}

#[derive(Deserialize)]
struct TermsBucket {
    key: serde_json::Value,
    doc_count: u64,
    #[serde(flatten)]
    sub: serde_json::Map<String, serde_json::Value>,
}

/// A terms aggregation's buckets, in its order (none when the aggregation is missing).
fn terms_buckets(terms: &serde_json::Value) -> Vec<TermsBucket> {
    #[derive(Deserialize)]
    struct Terms {
        buckets: Vec<TermsBucket>,
    }
    serde_json::from_value::<Terms>(terms.clone()).map(|t| t.buckets).unwrap_or_default()
}

/// The match count and the page's addresses, from a `(Count, TopDocs…)` search.
fn page<T>((hits, top): (usize, Vec<(T, DocAddress)>)) -> (u64, Vec<DocAddress>) {
    (hits as u64, top.into_iter().map(|(_, address)| address).collect())
}
