//! Reading the supply catalogue: parts and offers by id (for API answers), the small dictionary
//! tables whole (callers cache them per catalogue version), and a paged scan for index builds.

use chrono::{DateTime, Utc};
use ferrite_core::money::PriceBreak;

use crate::{
    CatalogueStore, StoreError,
    db::{Execute, Record, list_statement, sql},
    time,
};

#[derive(Debug, Clone, PartialEq)]
pub struct PartRecord {
    pub id: i64,
    pub manufacturer_id: i64,
    pub mpn: String,
    pub description: Option<String>,
    pub category_id: Option<i64>,
    /// (attribute id, display value, SI value)
    pub specs: Vec<(i64, String, Option<f64>)>,
    pub datasheet_url: Option<String>,
    pub image_url: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OfferRecord {
    pub id: i64,
    pub part_id: i64,
    pub seller_id: i64,
    pub sku: String,
    /// The feed's own word on the seller's authorization; `None` when it said nothing.
    pub authorized_by_feed: Option<bool>,
    pub inventory_level: Option<i64>,
    pub moq: Option<i64>,
    pub order_multiple: Option<i64>,
    /// The manufacturer's lead time, in days, and standard pack, in units, as the feed gave them.
    pub factory_lead_days: Option<i64>,
    pub factory_pack_quantity: Option<i64>,
    /// Units the seller has on order from the manufacturer.
    pub on_order_quantity: Option<i64>,
    pub packaging: Option<String>,
    pub prices: Vec<PriceBreak>,
    pub click_url: Option<String>,
    /// When the import that wrote the offer as it is ran.
    pub updated_at: DateTime<Utc>,
    /// The feed that wrote it, by its configured name, and the path or URL that feed read.
    pub feed: String,
    pub feed_source: String,
}

/// A row of a dictionary table: manufacturers and sellers (`extra` = homepage URL), categories
/// (`parent` and `extra` = path), attributes (`extra` = shortname, with group and units).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Named {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub homepage_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CategoryRecord {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttributeRecord {
    pub id: i64,
    pub name: String,
    pub shortname: String,
    #[sqlx(rename = "group_name")]
    pub group: Option<String>,
    pub units: Option<String>,
}

/// One entry of an offer's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRecord {
    pub recorded_at: DateTime<Utc>,
    pub inventory_level: Option<i64>,
    pub prices: Vec<PriceBreak>,
}

/// A part's row as stored.
#[derive(sqlx::FromRow)]
struct StoredPart {
    id: i64,
    manufacturer_id: i64,
    mpn: String,
    description: Option<String>,
    category_id: Option<i64>,
    specs: String,
    datasheet_url: Option<String>,
    image_url: Option<String>,
    updated_at: i64,
}

/// An offer's row as stored.
#[derive(sqlx::FromRow)]
struct StoredOffer {
    id: i64,
    part_id: i64,
    seller_id: i64,
    sku: String,
    authorized_by_feed: Option<bool>,
    inventory_level: Option<i64>,
    moq: Option<i64>,
    order_multiple: Option<i64>,
    factory_lead_days: Option<i64>,
    factory_pack_quantity: Option<i64>,
    on_order_quantity: Option<i64>,
    packaging: Option<String>,
    prices: String,
    click_url: Option<String>,
    updated_at: i64,
    feed: String,
    feed_source: String,
}

/// A part joined with one of its offers: the offer's columns are prefixed `o_`, and all null
/// for a part without offers.
#[derive(sqlx::FromRow)]
struct PartOfferRow {
    #[sqlx(flatten)]
    part: StoredPart,
    o_id: Option<i64>,
    o_seller_id: Option<i64>,
    o_sku: Option<String>,
    o_authorized_by_feed: Option<bool>,
    o_inventory_level: Option<i64>,
    o_moq: Option<i64>,
    o_order_multiple: Option<i64>,
    o_factory_lead_days: Option<i64>,
    o_factory_pack_quantity: Option<i64>,
    o_on_order_quantity: Option<i64>,
    o_packaging: Option<String>,
    o_prices: Option<String>,
    o_click_url: Option<String>,
    o_updated_at: Option<i64>,
    o_feed: Option<String>,
    o_feed_source: Option<String>,
}

const PART_COLUMNS: &str =
    "id, manufacturer_id, mpn, description, category_id, specs, datasheet_url, image_url, updated_at";
const OFFER_COLUMNS: &str = "id, part_id, seller_id, sku, authorized_by_feed, inventory_level, moq, order_multiple, \
                             factory_lead_days, factory_pack_quantity, on_order_quantity, packaging, prices, click_url, updated_at, \
                             feed, feed_source";

fn corrupt(what: &str, err: serde_json::Error) -> StoreError {
    StoreError::Database(format!("stored {what} is not valid JSON: {err}"))
}

/// Prices are stored as `[[quantity, unit price, currency], ...]`.
fn price_breaks(json: &str) -> Result<Vec<PriceBreak>, StoreError> {
    let breaks: Vec<(i64, f64, String)> = serde_json::from_str(json).map_err(|e| corrupt("prices", e))?;
    Ok(breaks.into_iter().map(|(quantity, price, currency)| PriceBreak { quantity, price, currency }).collect())
}

impl StoredPart {
    fn into_record(self) -> Result<PartRecord, StoreError> {
        Ok(PartRecord {
            id: self.id,
            manufacturer_id: self.manufacturer_id,
            mpn: self.mpn,
            description: self.description,
            category_id: self.category_id,
            specs: serde_json::from_str(&self.specs).map_err(|e| corrupt("specs", e))?,
            datasheet_url: self.datasheet_url,
            image_url: self.image_url,
            updated_at: time::from_db(self.updated_at),
        })
    }
}

impl StoredOffer {
    fn into_record(self) -> Result<OfferRecord, StoreError> {
        Ok(OfferRecord {
            id: self.id,
            part_id: self.part_id,
            seller_id: self.seller_id,
            sku: self.sku,
            authorized_by_feed: self.authorized_by_feed,
            inventory_level: self.inventory_level,
            moq: self.moq,
            order_multiple: self.order_multiple,
            factory_lead_days: self.factory_lead_days,
            factory_pack_quantity: self.factory_pack_quantity,
            on_order_quantity: self.on_order_quantity,
            packaging: self.packaging,
            prices: price_breaks(&self.prices)?,
            click_url: self.click_url,
            updated_at: time::from_db(self.updated_at),
            feed: self.feed,
            feed_source: self.feed_source,
        })
    }
}

impl PartOfferRow {
    /// The joined offer, if the row has one.
    fn offer(&mut self) -> Result<Option<StoredOffer>, StoreError> {
        let Some(id) = self.o_id else { return Ok(None) };
        let missing = || StoreError::Database(format!("offer {id} has a null in a required column"));
        Ok(Some(StoredOffer {
            id,
            part_id: self.part.id,
            seller_id: self.o_seller_id.ok_or_else(missing)?,
            sku: self.o_sku.take().ok_or_else(missing)?,
            authorized_by_feed: self.o_authorized_by_feed,
            inventory_level: self.o_inventory_level,
            moq: self.o_moq,
            order_multiple: self.o_order_multiple,
            factory_lead_days: self.o_factory_lead_days,
            factory_pack_quantity: self.o_factory_pack_quantity,
            on_order_quantity: self.o_on_order_quantity,
            packaging: self.o_packaging.take(),
            prices: self.o_prices.take().ok_or_else(missing)?,
            click_url: self.o_click_url.take(),
            updated_at: self.o_updated_at.ok_or_else(missing)?,
            feed: self.o_feed.take().ok_or_else(missing)?,
            feed_source: self.o_feed_source.take().ok_or_else(missing)?,
        }))
    }
}

/// Ids bound per statement at most: SQLite takes 32,766 parameters, PostgreSQL 65,535, and a
/// BOM of 50,000 lines asks for more.
const IDS_PER_QUERY: usize = 1_000;

/// `ids` without repeats, in the order first asked.
fn distinct(ids: &[i64]) -> Vec<i64> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

/// Each id's position in `ids` (which has no repeats), to answer in the order asked.
fn positions(ids: &[i64]) -> std::collections::HashMap<i64, usize> {
    ids.iter().enumerate().map(|(i, id)| (*id, i)).collect()
}

impl CatalogueStore {
    /// Parts by id, in the order asked (ids not found are left out, an id asked twice is
    /// answered once).
    pub async fn parts_by_ids(&self, ids: &[i64]) -> Result<Vec<PartRecord>, StoreError> {
        let ids = distinct(ids);
        let head = format!("SELECT {PART_COLUMNS} FROM parts WHERE id IN");
        let rows: Vec<StoredPart> = self.rows_by_ids(&ids, &head, "").await?;
        let mut parts = rows.into_iter().map(StoredPart::into_record).collect::<Result<Vec<_>, _>>()?;
        let order = positions(&ids);
        parts.sort_by_key(|p| order[&p.id]);
        Ok(parts)
    }

    /// Parts by id with their offers (by seller, then SKU), in the order asked; ids not found are
    /// left out, an id asked twice is answered once. One query (parts joined with their offers),
    /// so one round trip to the database for a whole answer.
    pub async fn parts_with_offers(&self, ids: &[i64]) -> Result<Vec<(PartRecord, Vec<OfferRecord>)>, StoreError> {
        let ids = distinct(ids);
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_QUERY) {
            found.extend(self.parts_with_offers_at_most(chunk).await?);
        }
        let order = positions(&ids);
        found.sort_by_key(|(p, _)| order[&p.id]);
        Ok(found)
    }

    /// [`CatalogueStore::parts_with_offers`] for ids without repeats, at most [`IDS_PER_QUERY`] of them, in id order.
    async fn parts_with_offers_at_most(&self, ids: &[i64]) -> Result<Vec<(PartRecord, Vec<OfferRecord>)>, StoreError> {
        let mut query = list_statement(
            "SELECT p.id, p.manufacturer_id, p.mpn, p.description, p.category_id, p.specs, p.datasheet_url, \
             p.image_url, p.updated_at, o.id AS o_id, o.seller_id AS o_seller_id, o.sku AS o_sku, \
             o.authorized_by_feed AS o_authorized_by_feed, o.inventory_level AS o_inventory_level, o.moq AS o_moq, \
             o.order_multiple AS o_order_multiple, o.factory_lead_days AS o_factory_lead_days, \
             o.factory_pack_quantity AS o_factory_pack_quantity, o.on_order_quantity AS o_on_order_quantity, o.packaging AS o_packaging, o.prices AS o_prices, \
             o.click_url AS o_click_url, o.updated_at AS o_updated_at, o.feed AS o_feed, \
             o.feed_source AS o_feed_source \
             FROM parts p LEFT JOIN offers o ON o.part_id = p.id WHERE p.id IN",
            ids.len(),
            " ORDER BY p.id, o.seller_id, o.sku",
        );
        for id in ids {
            query = query.bind(*id);
        }
        let rows: Vec<PartOfferRow> = self.db.fetch_all(query).await?;
        let mut found: Vec<(PartRecord, Vec<OfferRecord>)> = Vec::new();
        for mut row in rows {
            let offer = row.offer()?;
            // Rows come by part: a new part starts where the id changes.
            if found.last().is_none_or(|(last, _)| last.id != row.part.id) {
                found.push((row.part.into_record()?, Vec::new()));
            }
            let (_, offers) = found.last_mut().expect("a part was pushed");
            if let Some(offer) = offer {
                offers.push(offer.into_record()?);
            }
        }
        Ok(found)
    }

    /// Parts whose MPN key (upper-case, no punctuation) is exactly `mpn_key`.
    pub async fn part_ids_by_mpn_key(&self, mpn_key: &str) -> Result<Vec<i64>, StoreError> {
        self.db.scalars(sql("SELECT id FROM parts WHERE mpn_key = $1 ORDER BY id").bind(mpn_key)).await
    }

    /// Parts that some seller sells under a SKU whose key (`ferrite_core::keys::sku_key`) is `sku_key`.
    pub async fn part_ids_by_sku_key(&self, sku_key: &str) -> Result<Vec<i64>, StoreError> {
        let query = sql("SELECT DISTINCT part_id FROM offers WHERE sku_key = $1 ORDER BY part_id");
        self.db.scalars(query.bind(sku_key)).await
    }

    /// The offers of these parts, by part then seller.
    pub async fn offers_of_parts(&self, part_ids: &[i64]) -> Result<Vec<OfferRecord>, StoreError> {
        let mut ids = distinct(part_ids);
        ids.sort_unstable();
        // Chunks in id order, each ordered by part: the whole is ordered by part.
        let head = format!("SELECT {OFFER_COLUMNS} FROM offers WHERE part_id IN");
        let rows: Vec<StoredOffer> = self.rows_by_ids(&ids, &head, " ORDER BY part_id, seller_id, sku").await?;
        rows.into_iter().map(StoredOffer::into_record).collect()
    }

    /// The rows of `head (ids) tail`, at most [`IDS_PER_QUERY`] ids a statement (SQLite takes a
    /// bounded number of parameters), chunk after chunk.
    async fn rows_by_ids<R: Record>(&self, ids: &[i64], head: &str, tail: &str) -> Result<Vec<R>, StoreError> {
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let mut query = list_statement(head, chunk.len(), tail);
            for id in chunk {
                query = query.bind(*id);
            }
            rows.extend(self.db.fetch_all::<R>(query).await?);
        }
        Ok(rows)
    }

    /// Every part id, in MPN order.
    pub async fn part_ids_in_mpn_order(&self) -> Result<Vec<i64>, StoreError> {
        self.db.scalars(sql("SELECT id FROM parts ORDER BY mpn_key, id")).await
    }

    /// A page of parts in id order after `after_id`, for building the search index.
    pub async fn parts_page(&self, after_id: i64, limit: i64) -> Result<Vec<PartRecord>, StoreError> {
        let query = sql(format!("SELECT {PART_COLUMNS} FROM parts WHERE id > $1 ORDER BY id LIMIT $2"));
        let rows: Vec<StoredPart> = self.db.fetch_all(query.bind(after_id).bind(limit)).await?;
        rows.into_iter().map(StoredPart::into_record).collect()
    }

    /// Offers of the parts with ids in `(after_id, up_to]`, for building the search index.
    pub async fn offers_in_part_range(&self, after_id: i64, up_to: i64) -> Result<Vec<OfferRecord>, StoreError> {
        let query =
            sql(format!("SELECT {OFFER_COLUMNS} FROM offers WHERE part_id > $1 AND part_id <= $2 ORDER BY part_id"));
        let rows: Vec<StoredOffer> = self.db.fetch_all(query.bind(after_id).bind(up_to)).await?;
        rows.into_iter().map(StoredOffer::into_record).collect()
    }

    pub async fn manufacturers(&self) -> Result<Vec<Named>, StoreError> {
        self.named("manufacturers").await
    }

    /// (manufacturer id, spelling) of every spelling feeds have given a manufacturer, by id and spelling.
    pub async fn manufacturer_spellings(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let query =
            sql("SELECT manufacturer_id, spelling FROM manufacturer_spellings ORDER BY manufacturer_id, spelling");
        self.db.fetch_all(query).await
    }

    pub async fn sellers(&self) -> Result<Vec<Named>, StoreError> {
        self.named("sellers").await
    }

    async fn named(&self, table: &str) -> Result<Vec<Named>, StoreError> {
        self.db.fetch_all(sql(format!("SELECT id, name, slug, homepage_url FROM {table} ORDER BY id"))).await
    }

    pub async fn categories(&self) -> Result<Vec<CategoryRecord>, StoreError> {
        self.db.fetch_all(sql("SELECT id, parent_id, name, path FROM categories ORDER BY id")).await
    }

    pub async fn attributes(&self) -> Result<Vec<AttributeRecord>, StoreError> {
        self.db.fetch_all(sql("SELECT id, name, shortname, group_name, units FROM attributes ORDER BY id")).await
    }

    /// An offer's stock and price history, oldest first.
    pub async fn offer_history(&self, offer_id: i64) -> Result<Vec<HistoryRecord>, StoreError> {
        let query = sql(
            "SELECT recorded_at, inventory_level, prices FROM offer_history WHERE offer_id = $1 ORDER BY recorded_at",
        );
        let rows: Vec<(i64, Option<i64>, String)> = self.db.fetch_all(query.bind(offer_id)).await?;
        rows.into_iter()
            .map(|(at, inventory_level, prices)| {
                Ok(HistoryRecord { recorded_at: time::from_db(at), inventory_level, prices: price_breaks(&prices)? })
            })
            .collect()
    }

    /// When the last successful run of `feed` started, if there was one.
    pub async fn last_feed_run(&self, feed: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let query = sql("SELECT MAX(started_at) FROM feed_runs WHERE feed = $1 AND succeeded");
        let at: Option<i64> = self.db.scalar(query.bind(feed)).await?;
        Ok(at.map(time::from_db))
    }

    /// The id of the offer a seller sells under `sku`.
    pub async fn offer_id(&self, seller_id: i64, sku: &str) -> Result<i64, StoreError> {
        self.db.scalar(sql("SELECT id FROM offers WHERE seller_id = $1 AND sku = $2").bind(seller_id).bind(sku)).await
    }
}
