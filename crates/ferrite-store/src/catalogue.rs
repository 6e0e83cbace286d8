//! Writing the supply catalogue: one import is one transaction (all of it is applied, or none),
//! and only what changed is written, so re-importing the same feed changes nothing.
//!
//! The importer (in `ferrite-supply`) decides what a part is and computes content hashes; this
//! module keeps the lookup tables that make "changed or not" a memory lookup, and writes rows.

use std::collections::{HashMap, HashSet};

use crate::{
    StoreError,
    db::{Db, Execute, Pool, Tx, list_statement, rows_insert, sql},
    time,
};
use chrono::{DateTime, Utc};

/// The supply catalogue's database: on SQLite a file of its own (so a long import never holds the
/// write lock of sessions and usage counters), on PostgreSQL the one pool. Reached through
/// `Store::catalogue`, so that every catalogue statement runs on the catalogue's pool.
#[derive(Clone, Debug)]
pub struct CatalogueStore {
    pub(crate) db: Db,
}

/// A part as the catalogue stores it.
#[derive(Debug, Clone)]
pub struct PartRow {
    pub manufacturer_id: i64,
    /// The part's identity within its manufacturer, exactly as spelled (as in Nexar).
    pub mpn: String,
    /// Upper-cased MPN without punctuation or spaces: what BOM lines are matched by.
    pub mpn_key: String,
    pub description: Option<String>,
    pub category_id: Option<i64>,
    /// JSON `[[attribute_id, display_value, si_value|null], ...]`.
    pub specs: String,
    pub datasheet_url: Option<String>,
    pub image_url: Option<String>,
    pub content_hash: i64,
}

/// An offer as the catalogue stores it.
#[derive(Debug, Clone)]
pub struct OfferRow {
    pub seller_id: i64,
    pub sku: String,
    /// The SKU without case, punctuation or leading zeros (`ferrite_core::keys::sku_key`): what
    /// BOM lines are matched by.
    pub sku_key: String,
    /// The feed's own word on whether the seller is authorized for this part; `None` when it
    /// says nothing (the seller table decides at read).
    pub authorized_by_feed: Option<bool>,
    pub inventory_level: Option<i64>,
    pub moq: Option<i64>,
    pub order_multiple: Option<i64>,
    pub factory_lead_days: Option<i64>,
    pub factory_pack_quantity: Option<i64>,
    pub on_order_quantity: Option<i64>,
    pub packaging: Option<String>,
    /// JSON `[[quantity, price, currency], ...]`.
    pub prices: String,
    pub price_hash: i64,
    pub click_url: Option<String>,
    pub content_hash: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartChange {
    Added,
    Updated,
    Unchanged,
    /// The import already wrote this part (the same manufacturer and MPN again): the first record
    /// wins, so that importing the same source twice changes nothing.
    Repeated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OfferChange {
    pub added: bool,
    pub stock_changed: bool,
    pub price_changed: bool,
    /// Something else changed (MOQ, packaging, URL...).
    pub other_changed: bool,
}

impl OfferChange {
    pub fn changed(&self) -> bool {
        self.added || self.stock_changed || self.price_changed || self.other_changed
    }
}

/// A part as the import's lookup reads it.
#[derive(sqlx::FromRow)]
struct KnownPart {
    id: i64,
    manufacturer_id: i64,
    mpn: String,
    content_hash: i64,
}

const KNOWN_PART: &str = "id, manufacturer_id, mpn, content_hash";
const KNOWN_OFFER: &str = "id, seller_id, sku, part_id, feed, feed_source, content_hash, inventory_level, price_hash";

/// An offer's key with what the import compares.
#[derive(sqlx::FromRow)]
struct KnownOfferRow {
    seller_id: i64,
    sku: String,
    #[sqlx(flatten)]
    known: KnownOffer,
}

#[derive(sqlx::FromRow)]
struct KnownOffer {
    id: i64,
    part_id: i64,
    feed: String,
    feed_source: String,
    content_hash: i64,
    inventory_level: Option<i64>,
    price_hash: i64,
}

/// The id of the root of the category tree, as in Nexar's (clients look for it); the migration
/// `category_root` creates it with an empty path.
pub const ROOT_CATEGORY_ID: i64 = 4161;
/// The root category's name, as in Nexar's tree.
pub const ROOT_CATEGORY_NAME: &str = "Electronic Parts";

/// What an import compares against the catalogue, and how it reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportScope {
    /// A feed: every part and offer is read once up front, as a feed meets most of them (and a
    /// snapshot removes the offers it did not meet).
    Catalogue,
    /// A few parts (a connector's answer): each part and offer is read when the import meets it,
    /// so the import costs what it writes, not what the catalogue holds. Removes nothing.
    Parts,
}

/// An import in progress. Dropping it without `commit` rolls everything back.
pub struct CatalogueWriter {
    tx: Tx,
    scope: ImportScope,
    feed: String,
    /// The path or URL the feed reads: every offer written records it.
    source: String,
    now: DateTime<Utc>,
    manufacturers: HashMap<String, i64>,
    /// The spellings each manufacturer has been given (`manufacturer_spellings`).
    manufacturer_spellings: HashSet<(i64, String)>,
    /// The manufacturer each spelling met in this import names: a feed spells a maker the same
    /// way part after part, so its key is worked out once.
    spelled_now: HashMap<String, i64>,
    sellers: HashMap<String, i64>,
    /// The homepage each seller has, by id: a feed's is written only when it differs.
    seller_homepages: HashMap<i64, Option<String>>,
    categories: HashMap<String, i64>,
    attributes: HashMap<String, i64>,
    /// Known attributes this import has already given its name, group and units.
    attributes_described: HashSet<i64>,
    /// By manufacturer and exact MPN: (id, content hash).
    parts: HashMap<(i64, String), (i64, i64)>,
    offers: HashMap<(i64, String), KnownOffer>,
    seen_offers: HashSet<i64>,
    seen_parts: HashSet<i64>,
    next_id: HashMap<&'static str, i64>,
    pending: Pending,
    /// The last category path asked for and its id: a feed lists a category's parts together.
    last_category: Option<(Vec<String>, Option<i64>)>,
    /// Parts whose row or offers this import wrote or removed (`catalogue_changes`); `None` once
    /// it changed what every part of a seller shows (its homepage, which decides authorization).
    changed_parts: Option<HashSet<i64>>,
}

/// Whether `changed` parts of a catalogue of `parts` are few enough to list in
/// `catalogue_changes`, and so to update a search index with part by part: at most a fifth of
/// the catalogue, or else at most 10,000 (small catalogues). More is built again.
pub fn listed_changes(changed: usize, parts: usize) -> bool {
    changed <= (parts / 5).max(10_000)
}
/// Versions whose changes are kept: a node further behind builds its index again.
const KEPT_CHANGE_VERSIONS: i64 = 10_000;

/// Rows waiting to be written. Parts and offers are written in multi-row statements, a round trip
/// to the database per [`BATCH_ROWS`] rows instead of one per row; parts go first, then offers,
/// then history, so every row's references are already written.
#[derive(Default)]
struct Pending {
    /// New and changed parts, by id.
    parts: Vec<(i64, PartRow)>,
    /// New and changed offers: (id, part id, row).
    offers: Vec<(i64, i64, OfferRow)>,
    /// Stock and price as of this import: (offer id, stock, prices).
    history: Vec<(i64, Option<i64>, String)>,
}

impl Pending {
    fn len(&self) -> usize {
        self.parts.len() + self.offers.len() + self.history.len()
    }
}

/// Rows per statement: 20 columns × 1,000 rows stays under SQLite's limit of 32,766 bound
/// parameters (and PostgreSQL's 65,535).
const BATCH_ROWS: usize = 1000;

const UPSERT_PARTS: &str = "INSERT INTO parts (id, manufacturer_id, mpn, mpn_key, description, category_id, specs, \
                            datasheet_url, image_url, content_hash, updated_at) VALUES";
const PART_COLUMNS: usize = 11;
const ON_PART_CONFLICT: &str = " ON CONFLICT (id) DO UPDATE SET mpn = excluded.mpn, description = excluded.description, \
    category_id = excluded.category_id, specs = excluded.specs, datasheet_url = excluded.datasheet_url, \
    image_url = excluded.image_url, content_hash = excluded.content_hash, updated_at = excluded.updated_at";
const UPSERT_OFFERS: &str = "INSERT INTO offers (id, part_id, seller_id, sku, sku_key, feed, feed_source, \
                             authorized_by_feed, inventory_level, moq, order_multiple, factory_lead_days, \
                             factory_pack_quantity, on_order_quantity, packaging, prices, price_hash, click_url, updated_at, content_hash) VALUES";
const OFFER_COLUMNS: usize = 20;
const ON_OFFER_CONFLICT: &str = " ON CONFLICT (id) DO UPDATE SET part_id = excluded.part_id, feed = excluded.feed, \
    feed_source = excluded.feed_source, authorized_by_feed = excluded.authorized_by_feed, inventory_level = excluded.inventory_level, moq = excluded.moq, \
    order_multiple = excluded.order_multiple, factory_lead_days = excluded.factory_lead_days, \
    factory_pack_quantity = excluded.factory_pack_quantity, on_order_quantity = excluded.on_order_quantity, \
    packaging = excluded.packaging, prices = excluded.prices, \
    price_hash = excluded.price_hash, click_url = excluded.click_url, updated_at = excluded.updated_at, \
    content_hash = excluded.content_hash";
const UPSERT_HISTORY: &str = "INSERT INTO offer_history (offer_id, recorded_at, inventory_level, prices) VALUES";
const HISTORY_COLUMNS: usize = 4;
const ON_HISTORY_CONFLICT: &str = " ON CONFLICT (offer_id, recorded_at) DO UPDATE SET \
    inventory_level = excluded.inventory_level, prices = excluded.prices";

impl CatalogueStore {
    /// Starts an import for `feed`, which reads `source` (a path or URL, recorded with each offer
    /// it writes): takes the catalogue's write lock (other imports wait), and
    /// loads what the catalogue holds so that unchanged records cost no write.
    pub async fn begin_import(
        &self,
        feed: &str,
        source: &str,
        now: DateTime<Utc>,
        scope: ImportScope,
    ) -> Result<CatalogueWriter, StoreError> {
        let mut tx = self.db.begin().await?;
        // A write first: on SQLite it takes the write lock now, on PostgreSQL it locks the row, so
        // a second import waits here instead of failing halfway.
        tx.execute(sql("UPDATE catalogue_state SET updated_at = updated_at WHERE id = 1")).await?;
        let mut writer = CatalogueWriter {
            tx,
            scope,
            feed: feed.to_owned(),
            source: source.to_owned(),
            now,
            manufacturers: HashMap::new(),
            manufacturer_spellings: HashSet::new(),
            spelled_now: HashMap::new(),
            sellers: HashMap::new(),
            seller_homepages: HashMap::new(),
            categories: HashMap::new(),
            attributes: HashMap::new(),
            attributes_described: HashSet::new(),
            parts: HashMap::new(),
            offers: HashMap::new(),
            seen_offers: HashSet::new(),
            seen_parts: HashSet::new(),
            next_id: HashMap::new(),
            pending: Pending::default(),
            last_category: None,
            changed_parts: Some(HashSet::new()),
        };
        writer.load().await?;
        Ok(writer)
    }

    /// Gives back the disk space a failed import took: on SQLite its pages stay in the catalogue's
    /// write-ahead log after the rollback, which only a truncating checkpoint returns to the disk.
    pub async fn reclaim_catalogue_log(&self) -> Result<(), StoreError> {
        if let Pool::Sqlite(pool) = &self.db.pool {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await?;
        }
        Ok(())
    }

    /// The catalogue's version: it moves whenever an import changes something.
    pub async fn catalogue_version(&self) -> Result<i64, StoreError> {
        self.db.scalar(sql("SELECT version FROM catalogue_state WHERE id = 1")).await
    }

    /// The parts that the versions after `since` up to `until` changed, sorted; `None` when one
    /// of them did not list its changes (see [`listed_changes`]) or is no longer kept.
    pub async fn changes_between(&self, since: i64, until: i64) -> Result<Option<Vec<i64>>, StoreError> {
        let query = sql("SELECT part_ids FROM catalogue_changes WHERE version > $1 AND version <= $2");
        let lists: Vec<Option<String>> = self.db.scalars(query.bind(since).bind(until)).await?;
        if lists.len() as i64 != until - since {
            return Ok(None);
        }
        let mut ids = Vec::new();
        for list in lists {
            let Some(parsed) = list.and_then(|list| serde_json::from_str::<Vec<i64>>(&list).ok()) else {
                return Ok(None);
            };
            ids.extend(parsed);
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(Some(ids))
    }

    /// The latest exchange rates a rate feed gave, if one ever answered.
    pub async fn exchange_rates(&self) -> Result<Option<StoredRates>, StoreError> {
        let row: Option<(String, String, String, i64)> = self
            .db
            .fetch_optional(sql("SELECT rate_date, source, rates, fetched_at FROM exchange_rates WHERE id = 1"))
            .await?;
        Ok(row.map(|(date, source, rates, fetched_at)| StoredRates {
            date,
            source,
            rates,
            fetched_at: time::from_db(fetched_at),
        }))
    }

    /// Keeps the rates a feed gave at `rates.fetched_at`, unless the store holds rates of a later
    /// day (another node's fetch, or a feed that went back in time): those stay.
    pub async fn save_exchange_rates(&self, rates: &StoredRates) -> Result<(), StoreError> {
        let upsert =
            sql("INSERT INTO exchange_rates (id, rate_date, source, rates, fetched_at) VALUES (1, $1, $2, $3, $4)
                          ON CONFLICT (id) DO UPDATE SET rate_date = excluded.rate_date, source = excluded.source,
                          rates = excluded.rates, fetched_at = excluded.fetched_at
                          WHERE exchange_rates.rate_date <= excluded.rate_date");
        let statement =
            upsert.bind(&rates.date).bind(&rates.source).bind(&rates.rates).bind(time::to_db(rates.fetched_at));
        self.db.execute(statement).await?;
        Ok(())
    }
}

/// Exchange rates as the store keeps them (see the `exchange_rates` migration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRates {
    /// The day they hold for, `YYYY-MM-DD`.
    pub date: String,
    /// The feed's URL.
    pub source: String,
    /// JSON: units of each currency per US dollar.
    pub rates: String,
    pub fetched_at: DateTime<Utc>,
}

impl CatalogueWriter {
    async fn load(&mut self) -> Result<(), StoreError> {
        let tx = &mut self.tx;
        let by_key = |rows: Vec<(i64, String)>| rows.into_iter().map(|(id, key)| (key, id)).collect();
        self.manufacturers = by_key(tx.fetch_all(sql("SELECT id, name_key FROM manufacturers")).await?);
        let spellings: Vec<(i64, String)> =
            tx.fetch_all(sql("SELECT manufacturer_id, spelling FROM manufacturer_spellings")).await?;
        self.manufacturer_spellings = spellings.into_iter().collect();
        self.sellers = by_key(tx.fetch_all(sql("SELECT id, name_key FROM sellers")).await?);
        let homepages: Vec<(i64, Option<String>)> = tx.fetch_all(sql("SELECT id, homepage_url FROM sellers")).await?;
        self.seller_homepages = homepages.into_iter().collect();
        self.categories = by_key(tx.fetch_all(sql("SELECT id, path FROM categories")).await?);
        self.attributes = by_key(tx.fetch_all(sql("SELECT id, shortname FROM attributes")).await?);

        if self.scope == ImportScope::Catalogue {
            let parts: Vec<KnownPart> = tx.fetch_all(sql(format!("SELECT {KNOWN_PART} FROM parts"))).await?;
            self.parts = parts.into_iter().map(|p| ((p.manufacturer_id, p.mpn), (p.id, p.content_hash))).collect();
            let offers: Vec<KnownOfferRow> = tx.fetch_all(sql(format!("SELECT {KNOWN_OFFER} FROM offers"))).await?;
            self.offers = offers.into_iter().map(|row| ((row.seller_id, row.sku), row.known)).collect();
        }

        for table in ["manufacturers", "sellers", "categories", "attributes", "parts", "offers"] {
            let max: Option<i64> = tx.scalar(sql(format!("SELECT MAX(id) FROM {table}"))).await?;
            self.next_id.insert(table, max.unwrap_or(0) + 1);
        }
        Ok(())
    }

    /// Reads what the catalogue holds of the part with `key` (manufacturer, exact MPN), unless
    /// it was read already ([`ImportScope::Parts`]).
    async fn meet_part(&mut self, key: &(i64, String)) -> Result<(), StoreError> {
        if self.scope == ImportScope::Catalogue || self.parts.contains_key(key) {
            return Ok(());
        }
        let query = sql(format!("SELECT {KNOWN_PART} FROM parts WHERE manufacturer_id = $1 AND mpn = $2"));
        let known: Option<KnownPart> = self.tx.fetch_optional(query.bind(key.0).bind(&key.1)).await?;
        if let Some(part) = known {
            self.parts.insert(key.clone(), (part.id, part.content_hash));
        }
        Ok(())
    }

    /// Reads what the catalogue holds of the offer with `key` (seller, SKU), as [`Self::meet_part`].
    async fn meet_offer(&mut self, key: &(i64, String)) -> Result<(), StoreError> {
        if self.scope == ImportScope::Catalogue || self.offers.contains_key(key) {
            return Ok(());
        }
        let query = sql(format!("SELECT {KNOWN_OFFER} FROM offers WHERE seller_id = $1 AND sku = $2"));
        let known: Option<KnownOfferRow> = self.tx.fetch_optional(query.bind(key.0).bind(&key.1)).await?;
        if let Some(row) = known {
            self.offers.insert(key.clone(), row.known);
        }
        Ok(())
    }

    fn take_id(&mut self, table: &'static str) -> i64 {
        let next = self.next_id.get_mut(table).expect("loaded for every table");
        let id = *next;
        *next += 1;
        id
    }

    /// The id of the manufacturer with this identity key, created with `name` if new.
    pub async fn manufacturer(&mut self, key: &str, name: &str) -> Result<i64, StoreError> {
        if let Some(id) = self.manufacturers.get(key) {
            return Ok(*id);
        }
        let id = self.take_id("manufacturers");
        let slug = format!("{}-{id}", ferrite_core::slug::slug(name));
        let insert = sql("INSERT INTO manufacturers (id, name, name_key, slug) VALUES ($1, $2, $3, $4)");
        self.tx.execute(insert.bind(id).bind(name).bind(key).bind(&slug)).await?;
        self.manufacturers.insert(key.to_owned(), id);
        Ok(id)
    }

    /// The manufacturer that `spelling` named earlier in this import (see
    /// [`CatalogueWriter::manufacturer_spelling`]).
    pub fn manufacturer_spelled(&self, spelling: &str) -> Option<i64> {
        self.spelled_now.get(spelling).copied()
    }

    /// Records that a feed spells manufacturer `id` as `spelling` (for `SupCompany.aliases`).
    pub async fn manufacturer_spelling(&mut self, id: i64, spelling: &str) -> Result<(), StoreError> {
        self.spelled_now.insert(spelling.to_owned(), id);
        if self.manufacturer_spellings.insert((id, spelling.to_owned())) {
            let insert = sql("INSERT INTO manufacturer_spellings (manufacturer_id, spelling) VALUES ($1, $2) \
                              ON CONFLICT DO NOTHING");
            self.tx.execute(insert.bind(id).bind(spelling)).await?;
        }
        Ok(())
    }

    pub async fn seller(&mut self, key: &str, name: &str) -> Result<i64, StoreError> {
        if let Some(id) = self.sellers.get(key) {
            return Ok(*id);
        }
        let id = self.take_id("sellers");
        let slug = format!("{}-{id}", ferrite_core::slug::slug(name));
        let insert = sql("INSERT INTO sellers (id, name, name_key, slug) VALUES ($1, $2, $3, $4)");
        self.tx.execute(insert.bind(id).bind(name).bind(key).bind(&slug)).await?;
        self.sellers.insert(key.to_owned(), id);
        Ok(id)
    }

    /// Records the homepage a feed gives for seller `id` (answers prefer it to the seller table's).
    pub async fn seller_homepage(&mut self, id: i64, homepage: &str) -> Result<(), StoreError> {
        if self.seller_homepages.get(&id).is_some_and(|known| known.as_deref() == Some(homepage)) {
            return Ok(());
        }
        let update = sql("UPDATE sellers SET homepage_url = $1 WHERE id = $2");
        self.tx.execute(update.bind(homepage).bind(id)).await?;
        if self.seller_homepages.insert(id, Some(homepage.to_owned())).is_some() {
            self.changed_parts = None;
        }
        Ok(())
    }

    /// The id of the category at `path` (names from the root), creating it and its ancestors
    /// under the catalogue's root ([`ROOT_CATEGORY_ID`]). A path that starts with the root's own
    /// name (Nexar's do) starts below it.
    pub async fn category(&mut self, path: &[String]) -> Result<Option<i64>, StoreError> {
        if let Some((last, id)) = &self.last_category
            && last.as_slice() == path
        {
            return Ok(*id);
        }
        if path.is_empty() {
            return Ok(None);
        }
        let root = self.categories.get("").copied();
        let below_root = match path.first() {
            Some(first) if root.is_some() && first.trim().eq_ignore_ascii_case(ROOT_CATEGORY_NAME) => &path[1..],
            _ => path,
        };
        let mut parent: Option<i64> = root;
        let mut joined = String::new();
        for name in below_root {
            if !joined.is_empty() {
                joined.push('/');
            }
            joined.push_str(&name.replace('/', "∕"));
            parent = Some(match self.categories.get(&joined) {
                Some(id) => *id,
                None => {
                    let id = self.take_id("categories");
                    let insert = sql("INSERT INTO categories (id, parent_id, name, path) VALUES ($1, $2, $3, $4)");
                    self.tx.execute(insert.bind(id).bind(parent).bind(name).bind(&joined)).await?;
                    self.categories.insert(joined.clone(), id);
                    id
                }
            });
        }
        self.last_category = Some((path.to_vec(), parent));
        Ok(parent)
    }

    pub async fn attribute(
        &mut self,
        shortname: &str,
        name: &str,
        group: Option<&str>,
        units: Option<&str>,
    ) -> Result<i64, StoreError> {
        if let Some(&id) = self.attributes.get(shortname) {
            // A feed's vocabulary can change between imports (names, groups, units in Octopart's
            // words): the latest import describes the attribute.
            if self.attributes_described.insert(id) {
                let update = sql("UPDATE attributes SET name = $2, group_name = $3, units = $4 WHERE id = $1");
                self.tx.execute(update.bind(id).bind(name).bind(group).bind(units)).await?;
            }
            return Ok(id);
        }
        let id = self.take_id("attributes");
        let insert = sql("INSERT INTO attributes (id, name, shortname, group_name, units) VALUES ($1, $2, $3, $4, $5)");
        self.tx.execute(insert.bind(id).bind(name).bind(shortname).bind(group).bind(units)).await?;
        self.attributes.insert(shortname.to_owned(), id);
        Ok(id)
    }

    /// Inserts or updates a part; returns its id and what happened.
    pub async fn part(&mut self, row: PartRow) -> Result<(i64, PartChange), StoreError> {
        let key = (row.manufacturer_id, row.mpn.clone());
        self.meet_part(&key).await?;
        let known = self.parts.get(&key).copied();
        if let Some((id, _)) = known.filter(|(id, _)| !self.seen_parts.insert(*id)) {
            return Ok((id, PartChange::Repeated));
        }
        let (id, change) = match known {
            Some((id, hash)) if hash == row.content_hash => return Ok((id, PartChange::Unchanged)),
            Some((id, _)) => (id, PartChange::Updated),
            None => {
                let id = self.take_id("parts");
                self.seen_parts.insert(id);
                (id, PartChange::Added)
            }
        };
        self.parts.insert(key, (id, row.content_hash));
        self.part_changed(id);
        self.pending.parts.push((id, row));
        self.flush_if_full().await?;
        Ok((id, change))
    }

    /// Inserts or updates an offer of `part_id`, recording stock and price history on change.
    pub async fn offer(&mut self, part_id: i64, row: OfferRow) -> Result<OfferChange, StoreError> {
        let key = (row.seller_id, row.sku.clone());
        self.meet_offer(&key).await?;
        let (id, change) = match self.offers.get(&key) {
            // A second listing of an offer already written by this import: the first wins.
            Some(known) if self.seen_offers.contains(&known.id) => return Ok(OfferChange::default()),
            Some(known)
                if known.content_hash == row.content_hash
                    && known.part_id == part_id
                    && known.feed == self.feed
                    && known.feed_source == self.source =>
            {
                self.seen_offers.insert(known.id);
                return Ok(OfferChange::default());
            }
            Some(known) => (
                known.id,
                OfferChange {
                    added: false,
                    stock_changed: known.inventory_level != row.inventory_level,
                    price_changed: known.price_hash != row.price_hash,
                    other_changed: true,
                },
            ),
            None => (self.take_id("offers"), OfferChange { added: true, ..Default::default() }),
        };
        if let Some(moved_from) = self.offers.get(&key).map(|known| known.part_id).filter(|from| *from != part_id) {
            self.part_changed(moved_from);
        }
        self.part_changed(part_id);
        if change.added || change.stock_changed || change.price_changed {
            self.pending.history.push((id, row.inventory_level, row.prices.clone()));
        }
        self.offers.insert(
            key,
            KnownOffer {
                id,
                part_id,
                feed: self.feed.clone(),
                feed_source: self.source.clone(),
                content_hash: row.content_hash,
                inventory_level: row.inventory_level,
                price_hash: row.price_hash,
            },
        );
        self.seen_offers.insert(id);
        self.pending.offers.push((id, part_id, row));
        self.flush_if_full().await?;
        Ok(change)
    }

    fn part_changed(&mut self, id: i64) {
        if let Some(changed) = &mut self.changed_parts {
            changed.insert(id);
        }
    }

    async fn flush_if_full(&mut self) -> Result<(), StoreError> {
        if self.pending.len() >= BATCH_ROWS {
            self.flush().await?;
        }
        Ok(())
    }

    /// Writes the pending rows, parts before the offers that name them.
    async fn flush(&mut self) -> Result<(), StoreError> {
        let Self { tx, pending, feed, source, now, .. } = self;
        let at = time::to_db(*now);
        for chunk in pending.parts.chunks(BATCH_ROWS) {
            let mut upsert = rows_insert(UPSERT_PARTS, chunk.len(), PART_COLUMNS, ON_PART_CONFLICT);
            for (id, row) in chunk {
                upsert = upsert
                    .bind(*id)
                    .bind(row.manufacturer_id)
                    .bind(&row.mpn)
                    .bind(&row.mpn_key)
                    .bind(&row.description)
                    .bind(row.category_id)
                    .bind(&row.specs)
                    .bind(&row.datasheet_url)
                    .bind(&row.image_url)
                    .bind(row.content_hash)
                    .bind(at);
            }
            tx.execute(upsert).await?;
        }
        for chunk in pending.offers.chunks(BATCH_ROWS) {
            let mut upsert = rows_insert(UPSERT_OFFERS, chunk.len(), OFFER_COLUMNS, ON_OFFER_CONFLICT);
            for (id, part_id, row) in chunk {
                upsert = upsert
                    .bind(*id)
                    .bind(*part_id)
                    .bind(row.seller_id)
                    .bind(&row.sku)
                    .bind(&row.sku_key)
                    .bind(&*feed)
                    .bind(&*source)
                    .bind(row.authorized_by_feed)
                    .bind(row.inventory_level)
                    .bind(row.moq)
                    .bind(row.order_multiple)
                    .bind(row.factory_lead_days)
                    .bind(row.factory_pack_quantity)
                    .bind(row.on_order_quantity)
                    .bind(&row.packaging)
                    .bind(&row.prices)
                    .bind(row.price_hash)
                    .bind(&row.click_url)
                    .bind(at)
                    .bind(row.content_hash);
            }
            tx.execute(upsert).await?;
        }
        for chunk in pending.history.chunks(BATCH_ROWS) {
            let mut upsert = rows_insert(UPSERT_HISTORY, chunk.len(), HISTORY_COLUMNS, ON_HISTORY_CONFLICT);
            for (offer_id, stock, prices) in chunk {
                upsert = upsert.bind(*offer_id).bind(at).bind(*stock).bind(prices);
            }
            tx.execute(upsert).await?;
        }
        *pending = Pending::default();
        Ok(())
    }

    /// Deletes this feed's offers that the import did not see (a snapshot feed's removals).
    /// Only an import of [`ImportScope::Catalogue`] knows them.
    pub async fn remove_unseen_offers(&mut self) -> Result<u64, StoreError> {
        assert_eq!(self.scope, ImportScope::Catalogue, "an import of a few parts removes nothing");
        self.flush().await?;
        let unseen: Vec<i64> = self
            .offers
            .values()
            .filter(|known| known.feed == self.feed && !self.seen_offers.contains(&known.id))
            .map(|known| known.id)
            .collect();
        for chunk in unseen.chunks(BATCH_ROWS) {
            let mut delete = list_statement("DELETE FROM offers WHERE id IN", chunk.len(), "");
            for id in chunk {
                delete = delete.bind(*id);
            }
            self.tx.execute(delete).await?;
        }
        let removed: HashSet<i64> = unseen.iter().copied().collect();
        let parts: Vec<i64> =
            self.offers.values().filter(|known| removed.contains(&known.id)).map(|known| known.part_id).collect();
        parts.into_iter().for_each(|id| self.part_changed(id));
        self.offers.retain(|_, known| !removed.contains(&known.id));
        Ok(unseen.len() as u64)
    }

    /// Makes the import visible: records the run, bumps the version if `changed`, commits.
    /// Returns the catalogue version now current.
    pub async fn commit(
        mut self,
        changed: bool,
        run_id: &str,
        report_json: &str,
        started: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.flush().await?;
        let at = time::to_db(self.now);
        let run = sql(
            "INSERT INTO feed_runs (id, feed, started_at, finished_at, succeeded, report) VALUES ($1, $2, $3, $4, TRUE, $5)",
        );
        self.tx
            .execute(run.bind(run_id).bind(&self.feed).bind(time::to_db(started)).bind(at).bind(report_json))
            .await?;
        if changed {
            let bump = sql("UPDATE catalogue_state SET version = version + 1, updated_at = $1 WHERE id = 1");
            self.tx.execute(bump.bind(at)).await?;
        }
        let version: i64 = self.tx.scalar(sql("SELECT version FROM catalogue_state WHERE id = 1")).await?;
        if changed {
            let parts = match self.scope {
                ImportScope::Catalogue => self.parts.len(),
                ImportScope::Parts => self.tx.scalar::<i64>(sql("SELECT COUNT(*) FROM parts")).await? as usize,
            };
            let listed = self.changed_parts.take().filter(|ids| listed_changes(ids.len(), parts));
            let part_ids = listed.map(|ids| {
                let mut ids: Vec<i64> = ids.into_iter().collect();
                ids.sort_unstable();
                serde_json::to_string(&ids).expect("ids serialize")
            });
            let record = sql("INSERT INTO catalogue_changes (version, part_ids) VALUES ($1, $2)");
            self.tx.execute(record.bind(version).bind(part_ids)).await?;
            let forget = sql("DELETE FROM catalogue_changes WHERE version <= $1");
            self.tx.execute(forget.bind(version - KEPT_CHANGE_VERSIONS)).await?;
        }
        self.tx.commit().await?;
        Ok(version)
    }
}
