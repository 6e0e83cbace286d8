//! Reading the supply catalogue: parts and offers by id (for API answers), the small dictionary
//! tables whole (callers cache them per catalogue version), and a paged scan for index builds.

use chrono::{DateTime, Utc};
use ferrite_core::money::PriceBreak;

use crate::{Store, StoreError, dispatch, time};

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
    pub is_authorized: bool,
    pub inventory_level: Option<i64>,
    pub moq: Option<i64>,
    pub order_multiple: Option<i64>,
    pub packaging: Option<String>,
    pub prices: Vec<PriceBreak>,
    pub click_url: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A row of a dictionary table: manufacturers and sellers (`extra` = homepage URL), categories
/// (`parent` and `extra` = path), attributes (`extra` = shortname, with group and units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub homepage_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRecord {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeRecord {
    pub id: i64,
    pub name: String,
    pub shortname: String,
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

type PartRow = (i64, i64, String, Option<String>, Option<i64>, String, Option<String>, Option<String>, i64);
type OfferRowTuple =
    (i64, i64, i64, String, bool, Option<i64>, Option<i64>, Option<i64>, Option<String>, String, Option<String>, i64);

const PART_COLUMNS: &str =
    "id, manufacturer_id, mpn, description, category_id, specs, datasheet_url, image_url, updated_at";
const OFFER_COLUMNS: &str = "id, part_id, seller_id, sku, is_authorized, inventory_level, moq, order_multiple, packaging, \
                             prices, click_url, updated_at";

fn corrupt(what: &str, err: serde_json::Error) -> StoreError {
    StoreError::Database(format!("stored {what} is not valid JSON: {err}"))
}

/// Prices are stored as `[[quantity, unit price, currency], ...]`.
fn price_breaks(json: &str) -> Result<Vec<PriceBreak>, StoreError> {
    let breaks: Vec<(i64, f64, String)> = serde_json::from_str(json).map_err(|e| corrupt("prices", e))?;
    Ok(breaks.into_iter().map(|(quantity, price, currency)| PriceBreak { quantity, price, currency }).collect())
}

fn part(
    (id, manufacturer_id, mpn, description, category_id, specs, datasheet_url, image_url, updated): PartRow,
) -> Result<PartRecord, StoreError> {
    Ok(PartRecord {
        id,
        manufacturer_id,
        mpn,
        description,
        category_id,
        specs: serde_json::from_str(&specs).map_err(|e| corrupt("specs", e))?,
        datasheet_url,
        image_url,
        updated_at: time::from_db(updated),
    })
}

fn offer(row: OfferRowTuple) -> Result<OfferRecord, StoreError> {
    let (
        id,
        part_id,
        seller_id,
        sku,
        is_authorized,
        inventory_level,
        moq,
        order_multiple,
        packaging,
        prices,
        click_url,
        updated,
    ) = row;
    Ok(OfferRecord {
        id,
        part_id,
        seller_id,
        sku,
        is_authorized,
        inventory_level,
        moq,
        order_multiple,
        packaging,
        prices: price_breaks(&prices)?,
        click_url,
        updated_at: time::from_db(updated),
    })
}

/// `$1, $2, ...` for `n` parameters.
fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
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

impl Store {
    /// Parts by id, in the order asked (ids not found are left out, an id asked twice is
    /// answered once).
    pub async fn parts_by_ids(&self, ids: &[i64]) -> Result<Vec<PartRecord>, StoreError> {
        let ids = distinct(ids);
        let rows: Vec<PartRow> =
            self.rows_by_ids(&ids, |list| format!("SELECT {PART_COLUMNS} FROM parts WHERE id IN ({list})")).await?;
        let mut parts = rows.into_iter().map(part).collect::<Result<Vec<_>, _>>()?;
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

    /// [`Store::parts_with_offers`] for ids without repeats, at most [`IDS_PER_QUERY`] of them, in id order.
    async fn parts_with_offers_at_most(&self, ids: &[i64]) -> Result<Vec<(PartRecord, Vec<OfferRecord>)>, StoreError> {
        let sql = format!(
            "SELECT p.id, p.manufacturer_id, p.mpn, p.description, p.category_id, p.specs, p.datasheet_url, \
             p.image_url, p.updated_at, o.id, o.seller_id, o.sku, o.is_authorized, o.inventory_level, o.moq, \
             o.order_multiple, o.packaging, o.prices, o.click_url, o.updated_at \
             FROM parts p LEFT JOIN offers o ON o.part_id = p.id WHERE p.id IN ({}) ORDER BY p.id, o.seller_id, o.sku",
            placeholders(ids.len())
        );
        // The offer's columns after the part's; all null for a part without offers.
        type OfferCells = (
            i64,
            i64,
            String,
            bool,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<String>,
            String,
            Option<String>,
            i64,
        );
        let rows: Vec<(PartRow, Option<OfferCells>)> = dispatch!(catalogue self, pool => {
            let mut query = sqlx::query(&sql);
            for id in ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await.and_then(|rows| {
                use sqlx::Row;
                rows.iter()
                    .map(|row| {
                        let part: PartRow = (
                            row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?,
                            row.try_get(5)?, row.try_get(6)?, row.try_get(7)?, row.try_get(8)?,
                        );
                        let offer = match row.try_get::<Option<i64>, _>(9)? {
                            None => None,
                            Some(id) => Some((
                                id, row.try_get(10)?, row.try_get(11)?, row.try_get(12)?, row.try_get(13)?,
                                row.try_get(14)?, row.try_get(15)?, row.try_get(16)?, row.try_get(17)?,
                                row.try_get(18)?, row.try_get(19)?,
                            )),
                        };
                        Ok((part, offer))
                    })
                    .collect()
            })
        })?;
        let mut found: Vec<(PartRecord, Vec<OfferRecord>)> = Vec::new();
        for (part_row, cells) in rows {
            // Rows come by part: a new part starts where the id changes.
            if found.last().is_none_or(|(last, _)| last.id != part_row.0) {
                found.push((part(part_row)?, Vec::new()));
            }
            let (part, offers) = found.last_mut().expect("a part was pushed");
            if let Some((id, seller, sku, authorized, inventory, moq, multiple, packaging, prices, click, at)) = cells {
                offers.push(offer((
                    id, part.id, seller, sku, authorized, inventory, moq, multiple, packaging, prices, click, at,
                ))?);
            }
        }
        Ok(found)
    }

    /// Parts whose MPN key (upper-case, no punctuation) is exactly `mpn_key`.
    pub async fn part_ids_by_mpn_key(&self, mpn_key: &str) -> Result<Vec<i64>, StoreError> {
        Ok(dispatch!(catalogue self, pool => sqlx::query_scalar("SELECT id FROM parts WHERE mpn_key = $1 ORDER BY id")
            .bind(mpn_key).fetch_all(pool).await)?)
    }

    /// Parts that some seller sells under `sku` (case as given).
    pub async fn part_ids_by_sku(&self, sku: &str) -> Result<Vec<i64>, StoreError> {
        Ok(
            dispatch!(catalogue self, pool => sqlx::query_scalar("SELECT DISTINCT part_id FROM offers WHERE sku = $1 ORDER BY part_id")
            .bind(sku).fetch_all(pool).await)?,
        )
    }

    /// The offers of these parts, by part then seller.
    pub async fn offers_of_parts(&self, part_ids: &[i64]) -> Result<Vec<OfferRecord>, StoreError> {
        let mut ids = distinct(part_ids);
        ids.sort_unstable();
        // Chunks in id order, each ordered by part: the whole is ordered by part.
        let rows: Vec<OfferRowTuple> = self
            .rows_by_ids(&ids, |list| {
                format!("SELECT {OFFER_COLUMNS} FROM offers WHERE part_id IN ({list}) ORDER BY part_id, seller_id, sku")
            })
            .await?;
        rows.into_iter().map(offer).collect()
    }

    /// The rows of `sql(placeholders)` for `ids`, at most [`IDS_PER_QUERY`] ids a statement (SQLite
    /// takes a bounded number of parameters), chunk after chunk.
    async fn rows_by_ids<R>(&self, ids: &[i64], sql: impl Fn(&str) -> String) -> Result<Vec<R>, StoreError>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let sql = sql(&placeholders(chunk.len()));
            let found: Vec<R> = dispatch!(catalogue self, pool => {
                let mut query = sqlx::query_as(&sql);
                for id in chunk {
                    query = query.bind(id);
                }
                query.fetch_all(pool).await
            })?;
            rows.extend(found);
        }
        Ok(rows)
    }

    /// Every part id, in MPN order (for sorting search results by MPN).
    pub async fn part_ids_in_mpn_order(&self) -> Result<Vec<i64>, StoreError> {
        Ok(dispatch!(catalogue self, pool => sqlx::query_scalar("SELECT id FROM parts ORDER BY mpn_key, id")
            .fetch_all(pool).await)?)
    }

    /// A page of parts in id order after `after_id`, for building the search index.
    pub async fn parts_page(&self, after_id: i64, limit: i64) -> Result<Vec<PartRecord>, StoreError> {
        let sql = format!("SELECT {PART_COLUMNS} FROM parts WHERE id > $1 ORDER BY id LIMIT $2");
        let rows: Vec<PartRow> =
            dispatch!(catalogue self, pool => sqlx::query_as(&sql).bind(after_id).bind(limit).fetch_all(pool).await)?;
        rows.into_iter().map(part).collect()
    }

    /// Offers of the parts with ids in `(after_id, up_to]`, for building the search index.
    pub async fn offers_in_part_range(&self, after_id: i64, up_to: i64) -> Result<Vec<OfferRecord>, StoreError> {
        let sql = format!("SELECT {OFFER_COLUMNS} FROM offers WHERE part_id > $1 AND part_id <= $2 ORDER BY part_id");
        let rows: Vec<OfferRowTuple> =
            dispatch!(catalogue self, pool => sqlx::query_as(&sql).bind(after_id).bind(up_to).fetch_all(pool).await)?;
        rows.into_iter().map(offer).collect()
    }

    pub async fn manufacturers(&self) -> Result<Vec<Named>, StoreError> {
        self.named("manufacturers").await
    }

    pub async fn sellers(&self) -> Result<Vec<Named>, StoreError> {
        self.named("sellers").await
    }

    async fn named(&self, table: &str) -> Result<Vec<Named>, StoreError> {
        let sql = format!("SELECT id, name, slug, homepage_url FROM {table} ORDER BY id");
        let rows: Vec<(i64, String, String, Option<String>)> =
            dispatch!(catalogue self, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(|(id, name, slug, homepage_url)| Named { id, name, slug, homepage_url }).collect())
    }

    pub async fn categories(&self) -> Result<Vec<CategoryRecord>, StoreError> {
        let rows: Vec<(i64, Option<i64>, String, String)> = dispatch!(catalogue self, pool =>
            sqlx::query_as("SELECT id, parent_id, name, path FROM categories ORDER BY id").fetch_all(pool).await)?;
        Ok(rows.into_iter().map(|(id, parent_id, name, path)| CategoryRecord { id, parent_id, name, path }).collect())
    }

    pub async fn attributes(&self) -> Result<Vec<AttributeRecord>, StoreError> {
        type Row = (i64, String, String, Option<String>, Option<String>);
        let rows: Vec<Row> = dispatch!(catalogue self, pool =>
            sqlx::query_as("SELECT id, name, shortname, group_name, units FROM attributes ORDER BY id").fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, shortname, group, units)| AttributeRecord { id, name, shortname, group, units })
            .collect())
    }

    /// An offer's stock and price history, oldest first.
    pub async fn offer_history(&self, offer_id: i64) -> Result<Vec<HistoryRecord>, StoreError> {
        let rows: Vec<(i64, Option<i64>, String)> = dispatch!(catalogue self, pool => sqlx::query_as(
            "SELECT recorded_at, inventory_level, prices FROM offer_history WHERE offer_id = $1 ORDER BY recorded_at"
        ).bind(offer_id).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(at, inventory_level, prices)| {
                Ok(HistoryRecord { recorded_at: time::from_db(at), inventory_level, prices: price_breaks(&prices)? })
            })
            .collect()
    }

    /// When the last successful run of `feed` started, if there was one.
    pub async fn last_feed_run(&self, feed: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let at: Option<i64> = dispatch!(catalogue self, pool => sqlx::query_scalar(
            "SELECT MAX(started_at) FROM feed_runs WHERE feed = $1 AND succeeded"
        ).bind(feed).fetch_one(pool).await)?;
        Ok(at.map(time::from_db))
    }

    /// The id of the offer a seller sells under `sku`.
    pub async fn offer_id(&self, seller_id: i64, sku: &str) -> Result<i64, StoreError> {
        Ok(
            dispatch!(catalogue self, pool => sqlx::query_scalar("SELECT id FROM offers WHERE seller_id = $1 AND sku = $2")
            .bind(seller_id).bind(sku).fetch_one(pool).await)?,
        )
    }
}
