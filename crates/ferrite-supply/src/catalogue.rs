//! The catalogue as the API serves it: the current search index, the dictionary tables (small,
//! held in memory), and parts with their offers read from the store, the recently read ones kept
//! in memory. A watcher follows the store's catalogue version, so a refresh made by any node shows
//! up here without a restart; the index, the dictionary and the kept parts belong to one version
//! and are replaced together.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{
        Arc, RwLock,
        atomic::{AtomicU64, Ordering},
    },
};

use ferrite_store::{AttributeRecord, CategoryRecord, Named, OfferRecord, PartRecord, Store, StoreError};

use ferrite_core::{
    keys::{ManufacturerAliases, name_key, name_words, words_match},
    money::{self, ExchangeRates, PriceBreak, RateTable},
};

use crate::{
    search::{self, SearchError, SearchIndex, SearchRequest, SearchResult},
    sellers::{SellerProfile, SellerTable},
};

/// A part's id for APIv3 clients (Nexar's `v3uid`): 16 hex digits of a hash of the part's identity
/// (its manufacturer's key and its exact MPN, as the importer keys parts), so it stays the same
/// across re-imports and in a catalogue rebuilt from scratch, where numeric ids may differ.
pub fn part_uid(manufacturer: &str, mpn: &str) -> String {
    let identity = format!("{}\u{0}{}", name_key(manufacturer), mpn.trim());
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(identity.as_bytes()))
}

/// Manufacturers, sellers, categories and attributes, by id and by the keys the API looks them up by.
#[derive(Default)]
pub struct Dictionary {
    pub manufacturers: HashMap<i64, Named>,
    pub sellers: HashMap<i64, Named>,
    /// Each seller as the seller table and its feeds describe it (see [`crate::sellers`]).
    seller_profiles: HashMap<i64, SellerProfile>,
    pub categories: HashMap<i64, CategoryRecord>,
    pub attributes: HashMap<i64, AttributeRecord>,
    /// By the key the alias table gives a manufacturer's name ([`ManufacturerAliases::key`]).
    manufacturer_keys: HashMap<String, i64>,
    /// The table the catalogue is keyed by: a BOM's manufacturer is read through it.
    manufacturer_table: ManufacturerAliases,
    /// Each manufacturer's other spellings: those feeds gave, and those the table knows, sorted.
    manufacturer_aliases: HashMap<i64, Vec<String>>,
    /// Each manufacturer's name as words (see [`name_words`]), for [`Dictionary::manufacturers_matching`].
    manufacturer_words: Vec<(Vec<String>, i64)>,
    seller_keys: HashMap<String, i64>,
    attribute_shortnames: HashMap<String, i64>,
    children: HashMap<i64, Vec<i64>>,
}

impl Dictionary {
    async fn load(
        store: &Store,
        seller_table: &SellerTable,
        manufacturer_table: &ManufacturerAliases,
    ) -> Result<Dictionary, StoreError> {
        let manufacturers: HashMap<i64, Named> =
            store.catalogue().manufacturers().await?.into_iter().map(|m| (m.id, m)).collect();
        let mut manufacturer_aliases: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, spelling) in store.catalogue().manufacturer_spellings().await? {
            manufacturer_aliases.entry(id).or_default().push(spelling);
        }
        for m in manufacturers.values() {
            let aliases = manufacturer_aliases.entry(m.id).or_default();
            aliases.extend(manufacturer_table.known_spellings(&m.name).into_iter().map(str::to_owned));
            aliases.retain(|a| *a != m.name);
            aliases.sort_unstable();
            aliases.dedup();
        }
        let sellers: HashMap<i64, Named> = store.catalogue().sellers().await?.into_iter().map(|s| (s.id, s)).collect();
        let categories: HashMap<i64, CategoryRecord> =
            store.catalogue().categories().await?.into_iter().map(|c| (c.id, c)).collect();
        let attributes: HashMap<i64, AttributeRecord> =
            store.catalogue().attributes().await?.into_iter().map(|a| (a.id, a)).collect();
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for category in categories.values() {
            if let Some(parent) = category.parent_id {
                children.entry(parent).or_default().push(category.id);
            }
        }
        children.values_mut().for_each(|list| list.sort_unstable());
        let seller_profiles =
            sellers.values().map(|s| (s.id, seller_table.profile(&s.name, s.homepage_url.as_deref()))).collect();
        Ok(Dictionary {
            seller_profiles,
            manufacturer_keys: manufacturers.values().map(|m| (manufacturer_table.key(&m.name), m.id)).collect(),
            manufacturer_table: manufacturer_table.clone(),
            manufacturer_aliases,
            manufacturer_words: manufacturers.values().map(|m| (name_words(&m.name), m.id)).collect(),
            seller_keys: sellers.values().map(|s| (name_key(&s.name), s.id)).collect(),
            attribute_shortnames: attributes.values().map(|a| (a.shortname.clone(), a.id)).collect(),
            manufacturers,
            sellers,
            categories,
            attributes,
            children,
        })
    }

    /// The manufacturer called `name`, however it is spelled (`texas instruments`, `Texas-Instruments`,
    /// `TI`, `Diodes Incorporated` for `Diodes Inc.`: the alias table's key).
    pub fn manufacturer_named(&self, name: &str) -> Option<&Named> {
        self.manufacturer_keys.get(&self.manufacturer_table.key(name)).and_then(|id| self.manufacturers.get(id))
    }

    /// The manufacturer's other spellings (`SupCompany.aliases`): those feeds gave it and those
    /// the alias table knows, sorted.
    pub fn manufacturer_aliases(&self, id: i64) -> &[String] {
        self.manufacturer_aliases.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The manufacturers a BOM's manufacturer column means, as `supMultiMatch` reads it: the one
    /// called `name` (however spelled), or else those whose names contain all of its words
    /// (`Diodes` → `Diodes Inc.`, `Amphenol FCI` → `Amphenol ICC / FCI`) or whose words it
    /// contains all of (`Vishay Lite-On` → `Lite-On` and `Vishay`). Empty when none does. The
    /// name is read through the alias table, so `Avago` finds Broadcom.
    pub fn manufacturers_matching(&self, name: &str) -> Vec<&Named> {
        if let Some(exact) = self.manufacturer_named(name) {
            return vec![exact];
        }
        let words = name_words(name);
        let mut found: Vec<&Named> = self
            .manufacturer_words
            .iter()
            .filter(|(known, _)| words_match(known, &words))
            .filter_map(|(_, id)| self.manufacturers.get(id))
            .collect();
        found.sort_by_key(|m| m.id);
        found
    }

    /// The seller `id` as answers show it (not authorized, not a broker when unknown).
    pub fn seller_profile(&self, id: i64) -> &SellerProfile {
        static UNKNOWN: SellerProfile =
            SellerProfile { authorized: false, broker: false, homepage: None, country: None };
        self.seller_profiles.get(&id).unwrap_or(&UNKNOWN)
    }

    /// Whether `offer` is authorized: its feed's word, else its seller's ([`SellerProfile::authorizes`]).
    pub fn is_authorized(&self, offer: &OfferRecord) -> bool {
        self.seller_profile(offer.seller_id).authorizes(offer)
    }

    pub fn seller_named(&self, name: &str) -> Option<&Named> {
        self.seller_keys.get(&name_key(name)).and_then(|id| self.sellers.get(id))
    }

    pub fn attribute(&self, shortname: &str) -> Option<&AttributeRecord> {
        self.attribute_shortnames.get(shortname).and_then(|id| self.attributes.get(id))
    }

    pub fn children(&self, category: i64) -> &[i64] {
        self.children.get(&category).map_or(&[], Vec::as_slice)
    }

    /// The category's ancestors, root first.
    pub fn ancestors(&self, category: i64) -> Vec<&CategoryRecord> {
        let mut chain = Vec::new();
        let mut next = self.categories.get(&category).and_then(|c| c.parent_id);
        while let Some(id) = next {
            let Some(parent) = self.categories.get(&id) else { break };
            chain.push(parent);
            next = parent.parent_id;
            if chain.len() > 32 {
                break;
            }
        }
        chain.reverse();
        chain
    }
}

/// A part with its offers (by seller, then SKU), ready to answer from.
#[derive(Debug, Clone)]
pub struct PartView {
    pub part: PartRecord,
    pub offers: Vec<OfferRecord>,
}

impl PartView {
    /// About how much memory the part takes: what the part cache is bounded by.
    fn weight(&self) -> u64 {
        use std::mem::size_of;
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        let part = &self.part;
        let specs: usize =
            part.specs.iter().map(|(_, display, _)| size_of::<(i64, String, Option<f64>)>() + display.len()).sum();
        let offers: usize = self
            .offers
            .iter()
            .map(|o| {
                let prices: usize = o.prices.iter().map(|b| size_of::<PriceBreak>() + b.currency.len()).sum();
                size_of::<OfferRecord>()
                    + o.sku.len()
                    + o.feed.len()
                    + o.feed_source.len()
                    + text(&o.packaging)
                    + text(&o.click_url)
                    + prices
            })
            .sum();
        let bytes = size_of::<PartView>()
            + part.mpn.len()
            + text(&part.description)
            + text(&part.datasheet_url)
            + text(&part.image_url)
            + specs
            + offers;
        bytes as u64
    }
}

/// How the catalogue is kept in memory, and how it compares prices.
#[derive(Debug, Clone)]
pub struct CatalogueOptions {
    /// Parts with their offers kept in memory, in bytes (about); 0 reads every part from the store.
    pub part_cache_bytes: u64,
    /// The operator's exchange rates (`currency_rates`): they override the rate table in use
    /// (the built-in one, then the feed's latest), currency by currency ([`Catalogue::rates`]).
    pub rates: ExchangeRates,
    /// The sellers: the built-in table with the operator's `[[sellers]]` over it.
    pub sellers: SellerTable,
    /// Which spellings name one manufacturer: the built-in alias table with the operator's
    /// `[[manufacturers]]` over it. The catalogue re-keys what it holds by it when it opens.
    pub manufacturers: ManufacturerAliases,
}

impl Default for CatalogueOptions {
    fn default() -> Self {
        // About 40,000 parts of the jlcparts catalogue (1.5 KiB each with specs and offers).
        CatalogueOptions {
            part_cache_bytes: 64 << 20,
            rates: ExchangeRates::default(),
            sellers: SellerTable::default(),
            manufacturers: ManufacturerAliases::default(),
        }
    }
}

impl CatalogueOptions {
    /// The default cache with the operator's `rates` over the rate table.
    pub fn with_rates(rates: ExchangeRates) -> Self {
        CatalogueOptions { rates, ..CatalogueOptions::default() }
    }

    /// The default cache with the operator's `rates` and seller table.
    pub fn configured(rates: ExchangeRates, sellers: SellerTable) -> Self {
        CatalogueOptions { rates, sellers, ..CatalogueOptions::default() }
    }
}

#[derive(Clone)]
struct PartWeight;

impl quick_cache::Weighter<i64, Arc<PartView>> for PartWeight {
    fn weight(&self, _id: &i64, view: &Arc<PartView>) -> u64 {
        view.weight()
    }
}

/// Recently read parts of one catalogue version, by id.
type PartCache = quick_cache::sync::Cache<i64, Arc<PartView>, PartWeight>;

/// How the part cache has done since the catalogue opened (over all versions).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartCacheStats {
    /// Parts answered from memory.
    pub hits: u64,
    /// Parts read from the store.
    pub misses: u64,
    /// Parts held now, and about how many bytes they take.
    pub parts: u64,
    pub bytes: u64,
}

struct Current {
    version: i64,
    index: Option<Arc<SearchIndex>>,
    dictionary: Arc<Dictionary>,
    /// Parts of this version read for answers; `None` when the cache is off. A new version gets a
    /// new, empty cache, so no part read before a refresh is answered after it.
    parts: Option<Arc<PartCache>>,
}

pub struct Catalogue {
    store: Store,
    root: PathBuf,
    options: CatalogueOptions,
    /// The rates answers convert at: the latest table with the operator's over it. A new table
    /// ([`Catalogue::use_rates`]) applies to the next query at once; the index keeps sorting at
    /// the rates it was built at until the next catalogue version (see [`Catalogue::refresh`]).
    rates: RwLock<Arc<RateTable>>,
    current: RwLock<Current>,
    /// One refresh at a time: two builds of one version would share a directory.
    refreshing: tokio::sync::Mutex<()>,
    /// Turns to search: one per core (see [`Catalogue::search`]).
    searches: Arc<tokio::sync::Semaphore>,
    hits: AtomicU64,
    misses: AtomicU64,
    index_builds: IndexBuilds<AtomicU64>,
}

/// Search indexes this catalogue made since it opened: built from the store, and updated in place.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexBuilds<N = u64> {
    pub full: N,
    pub in_place: N,
}

impl Catalogue {
    /// Opens the catalogue with its search index under `data_dir/search`, building the index if
    /// this node has none for the current version.
    pub async fn open(store: Store, data_dir: &Path) -> Result<Arc<Catalogue>, SearchError> {
        Catalogue::open_with(store, data_dir, CatalogueOptions::default()).await
    }

    pub async fn open_with(
        store: Store,
        data_dir: &Path,
        options: CatalogueOptions,
    ) -> Result<Arc<Catalogue>, SearchError> {
        let catalogue = Arc::new(Catalogue {
            store,
            root: data_dir.join("search"),
            rates: RwLock::new(Arc::new(money::reference_rates().overridden_by(&options.rates))),
            options,
            current: RwLock::new(Current { version: -1, index: None, dictionary: Arc::default(), parts: None }),
            refreshing: tokio::sync::Mutex::new(()),
            searches: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            index_builds: IndexBuilds::default(),
        });
        // The latest rates any node fetched, before the index is built at them.
        if let Some(table) = stored_rates(&catalogue.store).await? {
            catalogue.use_rates(table);
        }
        // A catalogue keyed by another alias table (an upgrade, a changed `[[manufacturers]]`).
        if catalogue.store.catalogue().rekey_manufacturers(&catalogue.options.manufacturers).await? {
            tracing::info!("manufacturers re-keyed by the alias table");
        }
        catalogue.refresh().await?;
        Ok(catalogue)
    }

    fn new_part_cache(&self) -> Option<Arc<PartCache>> {
        let bytes = self.options.part_cache_bytes;
        (bytes > 0).then(|| Arc::new(PartCache::with_weighter((bytes / 1536).max(16) as usize, bytes, PartWeight)))
    }

    pub fn part_cache_stats(&self) -> PartCacheStats {
        let cache = self.current.read().expect("catalogue lock").parts.clone();
        PartCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            parts: cache.as_ref().map_or(0, |c| c.len() as u64),
            bytes: cache.as_ref().map_or(0, |c| c.weight()),
        }
    }

    pub fn index_builds(&self) -> IndexBuilds {
        let count = |n: &AtomicU64| n.load(Ordering::Relaxed);
        IndexBuilds { full: count(&self.index_builds.full), in_place: count(&self.index_builds.in_place) }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The alias table the catalogue is keyed by (imports into it use it too).
    pub fn manufacturer_aliases(&self) -> &ManufacturerAliases {
        &self.options.manufacturers
    }

    /// The exchange rates prices are compared and converted at now, with their day and source.
    pub fn rates(&self) -> Arc<RateTable> {
        self.rates.read().expect("rates lock").clone()
    }

    /// Converts at `table` (with the operator's rates over it) from the next query on, unless the
    /// rates in use are of a later day.
    pub fn use_rates(&self, table: RateTable) {
        let mut in_use = self.rates.write().expect("rates lock");
        let table = table.overridden_by(&self.options.rates);
        if table.date >= in_use.date && table != **in_use {
            tracing::info!(date = %table.date, source = table.source, "exchange rates in use");
            *in_use = Arc::new(table);
        }
    }

    pub fn version(&self) -> i64 {
        self.current.read().expect("catalogue lock").version
    }

    pub fn dictionary(&self) -> Arc<Dictionary> {
        self.current.read().expect("catalogue lock").dictionary.clone()
    }

    /// Catches up with the store: when the catalogue version has moved, reloads the dictionary,
    /// opens, updates or builds the index of the new version ([`Catalogue::index_of`]) and keeps
    /// the parts in memory that the new version did not change, then drops older index directories.
    pub async fn refresh(&self) -> Result<(), SearchError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let version = self.store.catalogue().catalogue_version().await?;
        if version == self.version() {
            return Ok(());
        }
        let dictionary =
            Arc::new(Dictionary::load(&self.store, &self.options.sellers, &self.options.manufacturers).await?);
        let index = self.index_of(version, self.index().as_deref()).await?;
        let parts = self.part_cache_after(version).await?;
        *self.current.write().expect("catalogue lock") =
            Current { version, index: Some(Arc::new(index)), dictionary, parts };
        tracing::info!(version, "catalogue version in use");
        Ok(())
    }

    /// The index of `version`: this node's if it has one, else an earlier one (`in_use`, or the
    /// latest this node kept) updated in place when the versions since changed few parts (see
    /// [`ferrite_store::listed_changes`]), else one built from the store.
    async fn index_of(&self, version: i64, in_use: Option<&SearchIndex>) -> Result<SearchIndex, SearchError> {
        // An index is built per catalogue version and per configured `currency_rates`, and
        // sorts prices at the rates in use when it is built. A new day's feed rates do not
        // rebuild it (that would rebuild every node's index daily for a sort that moves by a
        // fraction of a percent): the next catalogue version sorts at the rates of its day.
        let (configured, sellers) = (&self.options.rates, &self.options.sellers);
        if let Some(index) = SearchIndex::open(&self.root, version, configured, sellers)? {
            return Ok(index);
        }
        let _builder = lock_builds(&self.root).await?;
        // Another process sharing the data directory may have built it while we waited.
        if let Some(index) = SearchIndex::open(&self.root, version, configured, sellers)? {
            return Ok(index);
        }
        let kept = match in_use {
            Some(_) => None,
            None => SearchIndex::latest_before(&self.root, version, configured, sellers),
        };
        let previous = in_use.or(kept.as_ref());
        let changed = match previous {
            Some(previous) => self.store.catalogue().changes_between(previous.version(), version).await?,
            None => None,
        };
        let rates = self.rates();
        let started = std::time::Instant::now();
        let in_place = previous
            .zip(changed.as_deref())
            .filter(|(previous, changed)| ferrite_store::listed_changes(changed.len(), previous.parts() as usize));
        let updated = match in_place {
            Some((previous, changed)) => {
                match search::update(&self.store, previous, version, changed, &rates, configured, sellers).await {
                    Ok(index) => {
                        let seconds = started.elapsed().as_secs_f64();
                        tracing::info!(version, parts = changed.len(), seconds, "search index updated in place");
                        self.index_builds.in_place.fetch_add(1, Ordering::Relaxed);
                        Some(index)
                    }
                    // The previous directory may be gone (another process's build removed it).
                    Err(err) => {
                        tracing::warn!(version, error = %err, "the search index could not be updated; building it");
                        None
                    }
                }
            }
            None => None,
        };
        let index = match updated {
            Some(index) => index,
            None => {
                tracing::info!(version, "building the search index");
                let index = search::build(&self.store, &self.root, version, &rates, configured, sellers).await?;
                tracing::info!(version, seconds = started.elapsed().as_secs_f64(), "search index built");
                self.index_builds.full.fetch_add(1, Ordering::Relaxed);
                index
            }
        };
        remove_older_indexes(&self.root, version);
        Ok(index)
    }

    /// The part cache of `version`: the current one's parts but those changed since (none when
    /// what changed is not known). A part the current cache holds was read after its version was
    /// in the store, so one the versions since did not change is as it is now.
    async fn part_cache_after(&self, version: i64) -> Result<Option<Arc<PartCache>>, StoreError> {
        let Some(next) = self.new_part_cache() else { return Ok(None) };
        let (since, current) = {
            let current = self.current.read().expect("catalogue lock");
            (current.version, current.parts.clone())
        };
        if let Some(current) = current
            && let Some(changed) = self.store.catalogue().changes_between(since, version).await?
        {
            for (id, view) in current.iter().filter(|(id, _)| changed.binary_search(id).is_err()) {
                next.insert(id, view);
            }
        }
        Ok(Some(next))
    }

    fn index(&self) -> Option<Arc<SearchIndex>> {
        self.current.read().expect("catalogue lock").index.clone()
    }

    /// Searches on tokio's blocking pool, at most one search per core at a time: a search with
    /// facets over the whole catalogue takes tens of milliseconds of CPU, which on the runtime's
    /// workers would stall every other request (health checks included). Waiting for a turn
    /// costs the runtime nothing.
    pub async fn search(&self, request: SearchRequest) -> Result<SearchResult, SearchError> {
        self.with_index(move |index, _| index.search(&request)).await
    }

    /// Runs `work` on the current index and dictionary as [`Catalogue::search`] runs a search
    /// (facets, spec aggregations, suggestions); without an index yet, answers the default.
    pub async fn with_index<T: Default + Send + 'static>(
        &self,
        work: impl FnOnce(&SearchIndex, &Dictionary) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, SearchError> {
        let Some(index) = self.index() else { return Ok(T::default()) };
        let dictionary = self.dictionary();
        let turn = self.searches.clone().acquire_owned().await.expect("the search semaphore is never closed");
        // The turn goes with the search: a request dropped meanwhile does not end the search.
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            work(&index, &dictionary)
        })
        .await
        .map_err(|err| SearchError::Task(err.to_string()))?
    }

    /// Searches on the calling thread: for callers that are not on the async runtime (benches).
    pub fn search_blocking(&self, request: &SearchRequest) -> Result<SearchResult, SearchError> {
        match self.index() {
            Some(index) => index.search(request),
            None => Ok(SearchResult::default()),
        }
    }

    /// Parts in `category` and its descendants, read from the index's term counts (no search).
    pub fn parts_in_category(&self, category: i64) -> Result<u64, SearchError> {
        match self.index() {
            Some(index) => index.parts_in_category(category),
            None => Ok(0),
        }
    }

    /// Parts of `manufacturer`, read from the index's term counts (no search).
    pub fn parts_of_manufacturer(&self, manufacturer: i64) -> Result<u64, SearchError> {
        match self.index() {
            Some(index) => index.parts_of_manufacturer(manufacturer),
            None => Ok(0),
        }
    }

    /// Parts by id with their offers, in the order asked; unknown ids are left out, an id asked
    /// twice is answered once. Parts in the cache come from memory, the others from the store in
    /// one query.
    pub async fn parts(&self, ids: &[i64]) -> Result<Vec<Arc<PartView>>, StoreError> {
        // The cache of the version current now. Parts read below go into it and never into a
        // later version's: a refresh replaces the cache only after the store has moved to the new
        // version, so a part read from a newer cache is never older than that cache.
        let cache = self.current.read().expect("catalogue lock").parts.clone();
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        let mut views: Vec<(i64, Option<Arc<PartView>>)> =
            ids.iter().filter(|id| seen.insert(**id)).map(|id| (*id, cache.as_ref().and_then(|c| c.get(id)))).collect();
        let missing: Vec<i64> = views.iter().filter(|(_, view)| view.is_none()).map(|(id, _)| *id).collect();
        self.hits.fetch_add((views.len() - missing.len()) as u64, Ordering::Relaxed);
        self.misses.fetch_add(missing.len() as u64, Ordering::Relaxed);
        if !missing.is_empty() {
            let mut read: HashMap<i64, Arc<PartView>> = HashMap::with_capacity(missing.len());
            for (part, offers) in self.store.catalogue().parts_with_offers(&missing).await? {
                let view = Arc::new(PartView { part, offers });
                if let Some(cache) = &cache {
                    cache.insert(view.part.id, view.clone());
                }
                read.insert(view.part.id, view);
            }
            for (id, view) in views.iter_mut().filter(|(_, view)| view.is_none()) {
                *view = read.remove(id);
            }
        }
        Ok(views.into_iter().filter_map(|(_, view)| view).collect())
    }
}

/// Removes every search index under `data_dir` (for `ferrite reindex`), waiting for a build by
/// another process to end first.
pub async fn discard_indexes(data_dir: &Path) -> Result<(), SearchError> {
    let root = data_dir.join("search");
    let _builder = lock_builds(&root).await?;
    remove_older_indexes(&root, i64::MAX);
    Ok(())
}

/// The lock file that makes one process at a time build indexes under `root`.
const BUILD_LOCK: &str = "build.lock";

/// Waits until no other process (`ferrite serve`, `ferrite import` on the same data directory)
/// builds an index under `root`; the lock lasts as long as the returned file is open.
async fn lock_builds(root: &Path) -> Result<std::fs::File, SearchError> {
    std::fs::create_dir_all(root)?;
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(root.join(BUILD_LOCK))?;
    let locked = tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|err| std::io::Error::other(err.to_string()))?;
    Ok(locked?)
}

/// Removes the index directories of versions before `current` (never a newer one, which another
/// process may be building).
fn remove_older_indexes(root: &Path, current: i64) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let version = entry.file_name().to_str().and_then(|name| name.strip_prefix('v')?.parse::<i64>().ok());
        if path.is_dir()
            && version.is_some_and(|v| v < current)
            && let Err(err) = std::fs::remove_dir_all(&path)
        {
            tracing::warn!(path = %path.display(), error = %err, "an old search index could not be removed");
        }
    }
}

/// The rates the store keeps (the latest any node fetched); `None` before any feed answered.
pub(crate) async fn stored_rates(store: &Store) -> Result<Option<RateTable>, StoreError> {
    let Some(row) = store.catalogue().exchange_rates().await? else { return Ok(None) };
    let table = serde_json::from_str(&row.rates)
        .ok()
        .zip(chrono::NaiveDate::parse_from_str(&row.date, "%Y-%m-%d").ok())
        .map(|(rates, date)| RateTable { rates, date, source: row.source.clone() });
    if table.is_none() {
        tracing::warn!(source = row.source, date = row.date, "the stored exchange rates do not parse; ignored");
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::part_uid;

    #[test]
    fn a_parts_uid_follows_its_identity_not_its_spelling() {
        let uid = part_uid("Texas Instruments", "LM358DR");
        assert_eq!(uid.len(), 16);
        assert!(uid.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(uid, part_uid("texas instruments", "LM358DR "), "the keys the importer keys parts by");
        assert_ne!(uid, part_uid("Texas Instruments", "LM358-DR"), "another spelling is another part");
        assert_ne!(uid, part_uid("Texas Instruments", "LM358D"));
        assert_ne!(uid, part_uid("onsemi", "LM358DR"));
    }
}
