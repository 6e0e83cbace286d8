//! Importing a feed into the catalogue: the adapter reads on a blocking thread and streams parts
//! over a channel; this side turns them into catalogue rows inside one store transaction. Nothing
//! is visible until the commit, so a failed or killed import leaves the catalogue as it was.

use std::time::Instant;

use chrono::{DateTime, Utc};
use ferrite_core::keys::{ManufacturerAliases, mpn_key, name_key, sku_key};
use ferrite_store::{
    Store, StoreError,
    catalogue::{CatalogueWriter, ImportScope, OfferRow, PartChange, PartRow},
};
use serde::Serialize;
use tokio::sync::mpsc;
use xxhash_rust::xxh3::xxh3_64;

use crate::{
    feeds::{Adapter, FeedError, PartSink},
    model::{FeedOffer, FeedPart, Location},
};

/// What an import changed, for people (`Display`) and scripts (`--json`).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    pub feed: String,
    pub parts_added: u64,
    pub parts_updated: u64,
    pub parts_unchanged: u64,
    /// Records naming a part already read in this import (the same manufacturer and exact MPN);
    /// the first one is kept.
    pub parts_repeated: u64,
    pub offers_added: u64,
    pub offers_stock_changed: u64,
    pub offers_price_changed: u64,
    pub offers_removed: u64,
    /// Records the adapter could not read and skipped.
    pub skipped: u64,
    /// The first few skipped records, as `file:line: reason`.
    pub skipped_examples: Vec<String>,
    pub catalogue_version: i64,
    pub duration_ms: u64,
}

impl ImportReport {
    pub fn changed(&self) -> bool {
        self.parts_added
            + self.parts_updated
            + self.offers_added
            + self.offers_stock_changed
            + self.offers_price_changed
            + self.offers_removed
            > 0
    }
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "feed {}: catalogue version {}", self.feed, self.catalogue_version)?;
        writeln!(
            f,
            "parts:  {} added, {} updated, {} unchanged, {} repeated in the source",
            self.parts_added, self.parts_updated, self.parts_unchanged, self.parts_repeated
        )?;
        writeln!(
            f,
            "offers: {} added, {} with stock changed, {} with price changed, {} removed",
            self.offers_added, self.offers_stock_changed, self.offers_price_changed, self.offers_removed
        )?;
        write!(f, "skipped records: {}", self.skipped)?;
        for example in &self.skipped_examples {
            write!(f, "\n  {example}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the feed could not be read: {0}")]
    Feed(FeedError),
    #[error("the catalogue could not be written: {0}")]
    Store(StoreError),
}

// Not `#[from]`: that would also make the inner error the `source`, and `{:#}` would say it twice.
impl From<FeedError> for ImportError {
    fn from(err: FeedError) -> Self {
        ImportError::Feed(err)
    }
}

impl From<StoreError> for ImportError {
    fn from(err: StoreError) -> Self {
        ImportError::Store(err)
    }
}

/// How an import treats offers the source no longer lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The source is the feed's whole catalogue: offers it no longer lists are removed.
    Snapshot,
    /// The source adds to what the feed brought before: nothing is removed.
    Incremental,
}

impl Mode {
    /// Whole-catalogue feeds replace what they brought before; recordings and samples add to it.
    pub fn default_for(adapter: Adapter) -> Mode {
        match adapter {
            Adapter::Jlcparts | Adapter::Csv => Mode::Snapshot,
            Adapter::NexarJson
            | Adapter::DigikeyV4
            | Adapter::KitspacePartinfo
            | Adapter::Tme
            | Adapter::Element14
            | Adapter::Mouser => Mode::Incremental,
        }
    }
}

/// Told how far an import has come (records read, and the total when known).
pub trait Progress: Send {
    fn update(&mut self, done: u64, total: Option<u64>);
}

impl Progress for () {
    fn update(&mut self, _: u64, _: Option<u64>) {}
}

enum Message {
    Parts(Vec<FeedPart>),
    Skip(Location, String),
    Progress(u64, Option<u64>),
}

/// Parts per message: the importer wakes up once per batch, not once per part.
const BATCH: usize = 256;

/// Sends what the adapter reads to the importer; a closed channel means the importer gave up.
/// Parts travel in batches; a skip or a progress report first sends the parts read before it.
struct ChannelSink {
    sender: mpsc::Sender<Message>,
    parts: Vec<FeedPart>,
}

impl ChannelSink {
    fn send(&mut self, message: Message) -> Result<(), FeedError> {
        self.sender.blocking_send(message).map_err(|_| FeedError::Sink("the import stopped".into()))
    }

    fn send_parts(&mut self) -> Result<(), FeedError> {
        if self.parts.is_empty() {
            return Ok(());
        }
        let parts = std::mem::replace(&mut self.parts, Vec::with_capacity(BATCH));
        self.send(Message::Parts(parts))
    }
}

impl PartSink for ChannelSink {
    fn part(&mut self, part: FeedPart) -> Result<(), FeedError> {
        self.parts.push(part);
        if self.parts.len() == BATCH { self.send_parts() } else { Ok(()) }
    }
    fn skip(&mut self, at: Location, reason: String) {
        let _ = self.send_parts().and_then(|()| self.send(Message::Skip(at, reason)));
    }
    fn progress(&mut self, done: u64, total: Option<u64>) {
        let _ = self.send_parts().and_then(|()| self.send(Message::Progress(done, total)));
    }
}

const SKIPPED_EXAMPLES: usize = 20;

/// Runs one feed into the catalogue, atomically, with the built-in manufacturer alias table; a
/// failed import gives back the disk it took.
pub async fn import(
    store: &Store,
    feed: &str,
    adapter: Adapter,
    source: &str,
    mode: Mode,
    now: DateTime<Utc>,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    import_with_aliases(store, &ManufacturerAliases::default(), feed, adapter, source, mode, now, progress).await
}

/// [`import`] with the alias table the catalogue is keyed by (`Catalogue::manufacturer_aliases`,
/// the built-in table with the operator's `[[manufacturers]]` over it): each part is filed under
/// the manufacturer the table names. A catalogue keyed by another table is re-keyed first.
#[allow(clippy::too_many_arguments)]
pub async fn import_with_aliases(
    store: &Store,
    aliases: &ManufacturerAliases,
    feed: &str,
    adapter: Adapter,
    source: &str,
    mode: Mode,
    now: DateTime<Utc>,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let source_owned = source.to_owned();
    let read = move |sink: &mut dyn PartSink| adapter.read(&source_owned, sink);
    import_read(store, aliases, feed, source, read, (mode, ImportScope::Catalogue), now, progress).await
}

/// Writes `parts` (a connector's answer) into the catalogue as one import of `feed`, atomically,
/// adding to what the feed brought before.
pub async fn import_parts(
    store: &Store,
    aliases: &ManufacturerAliases,
    feed: &str,
    source: &str,
    parts: Vec<FeedPart>,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let read = move |sink: &mut dyn PartSink| parts.into_iter().try_for_each(|part| sink.part(part));
    import_read(store, aliases, feed, source, read, (Mode::Incremental, ImportScope::Parts), now, &mut ()).await
}

/// Runs what `read` streams into the catalogue, re-keyed by `aliases` first; a failed import
/// gives back the disk it took. A snapshot is of [`ImportScope::Catalogue`].
#[allow(clippy::too_many_arguments)]
async fn import_read(
    store: &Store,
    aliases: &ManufacturerAliases,
    feed: &str,
    source: &str,
    read: impl FnOnce(&mut dyn PartSink) -> Result<(), FeedError> + Send + 'static,
    (mode, scope): (Mode, ImportScope),
    now: DateTime<Utc>,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let imported = async {
        store.catalogue().rekey_manufacturers(aliases).await?;
        import_whole(store, aliases, feed, source, read, (mode, scope), now, progress).await
    }
    .await;
    if imported.is_err()
        && let Err(err) = store.catalogue().reclaim_catalogue_log().await
    {
        tracing::warn!(feed, error = %err, "the space a failed import took could not be given back");
    }
    imported
}

#[allow(clippy::too_many_arguments)]
async fn import_whole(
    store: &Store,
    aliases: &ManufacturerAliases,
    feed: &str,
    source: &str,
    read: impl FnOnce(&mut dyn PartSink) -> Result<(), FeedError> + Send + 'static,
    (mode, scope): (Mode, ImportScope),
    now: DateTime<Utc>,
    progress: &mut dyn Progress,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let mut writer = store.catalogue().begin_import(feed, source, now, scope).await?;
    let (sender, mut receiver) = mpsc::channel::<Message>(16);
    let reader = tokio::task::spawn_blocking(move || {
        let mut sink = ChannelSink { sender, parts: Vec::with_capacity(BATCH) };
        read(&mut sink).and_then(|()| sink.send_parts())
    });

    let mut report = ImportReport { feed: feed.to_owned(), ..Default::default() };
    let mut failure: Option<ImportError> = None;
    while let Some(message) = receiver.recv().await {
        match message {
            Message::Parts(parts) => {
                if let Err(err) = write_parts(&mut writer, aliases, &parts, &mut report).await {
                    failure = Some(err.into());
                    break;
                }
            }
            Message::Skip(at, reason) => {
                report.skipped += 1;
                if report.skipped_examples.len() < SKIPPED_EXAMPLES {
                    report.skipped_examples.push(format!("{at}: {reason}"));
                }
            }
            Message::Progress(done, total) => progress.update(done, total),
        }
    }
    drop(receiver);
    let read = reader.await.map_err(|err| FeedError::Sink(format!("the feed reader failed: {err}")))?;
    if let Some(err) = failure {
        return Err(err);
    }
    read?;
    if mode == Mode::Snapshot {
        tracing::info!(feed, "import: removing the offers the feed no longer lists");
        report.offers_removed = writer.remove_unseen_offers().await?;
    }
    tracing::info!(feed, "import: committing");
    report.duration_ms = started.elapsed().as_millis() as u64;
    let json = serde_json::to_string(&report).unwrap_or_default();
    let run_id = uuid::Uuid::now_v7().to_string();
    report.catalogue_version = writer.commit(report.changed(), &run_id, &json, now).await?;
    Ok(report)
}

async fn write_parts(
    writer: &mut CatalogueWriter,
    aliases: &ManufacturerAliases,
    parts: &[FeedPart],
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    for part in parts {
        write_part(writer, aliases, part, report).await?;
    }
    Ok(())
}

/// The manufacturer a feed's `spelling` names: the one the alias table keys it as, stored under
/// the table's canonical name (`muRata` and `Murata Electronics` are Murata). The spelling is
/// kept for `SupCompany.aliases`.
async fn manufacturer(
    writer: &mut CatalogueWriter,
    aliases: &ManufacturerAliases,
    spelling: &str,
) -> Result<i64, StoreError> {
    let spelling = spelling.trim();
    if let Some(id) = writer.manufacturer_spelled(spelling) {
        return Ok(id);
    }
    let id = writer.manufacturer(&aliases.key(spelling), aliases.canonical_name(spelling)).await?;
    writer.manufacturer_spelling(id, spelling).await?;
    Ok(id)
}

async fn write_part(
    writer: &mut CatalogueWriter,
    aliases: &ManufacturerAliases,
    part: &FeedPart,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let manufacturer = manufacturer(writer, aliases, &part.manufacturer).await?;
    let category = writer.category(&part.category).await?;
    let mut specs = Vec::with_capacity(part.specs.len());
    for spec in &part.specs {
        let attribute =
            writer.attribute(&spec.shortname, &spec.attribute, spec.group.as_deref(), spec.units.as_deref()).await?;
        specs.push((attribute, spec.display_value.as_str(), ferrite_core::units::si_value(&spec.display_value)));
    }
    let specs = serde_json::to_string(&specs).expect("specs serialize");
    let mut row = PartRow {
        manufacturer_id: manufacturer,
        mpn: part.mpn.trim().to_owned(),
        mpn_key: mpn_key(&part.mpn),
        description: part.description.clone(),
        category_id: category,
        specs,
        datasheet_url: part.datasheet_url.clone(),
        image_url: part.image_url.clone(),
        content_hash: 0,
    };
    row.content_hash =
        hash(&(&row.mpn, &row.description, row.category_id, &row.specs, &row.datasheet_url, &row.image_url));
    let (part_id, change) = writer.part(row).await?;
    match change {
        PartChange::Added => report.parts_added += 1,
        PartChange::Updated => report.parts_updated += 1,
        PartChange::Unchanged => report.parts_unchanged += 1,
        PartChange::Repeated => report.parts_repeated += 1,
    }
    for offer in &part.offers {
        let row = offer_row(writer, offer).await?;
        let change = writer.offer(part_id, row).await?;
        report.offers_added += u64::from(change.added);
        report.offers_stock_changed += u64::from(change.stock_changed);
        report.offers_price_changed += u64::from(change.price_changed);
    }
    Ok(())
}

async fn offer_row(writer: &mut CatalogueWriter, offer: &FeedOffer) -> Result<OfferRow, StoreError> {
    let seller = writer.seller(&name_key(&offer.seller), offer.seller.trim()).await?;
    if let Some(homepage) = &offer.seller_homepage {
        writer.seller_homepage(seller, homepage).await?;
    }
    let prices: Vec<(i64, f64, &str)> =
        offer.prices.iter().map(|p| (p.quantity, p.price, p.currency.as_str())).collect();
    let prices = serde_json::to_string(&prices).expect("prices serialize");
    let mut row = OfferRow {
        seller_id: seller,
        sku: offer.sku.trim().to_owned(),
        sku_key: sku_key(&offer.sku),
        authorized_by_feed: offer.is_authorized,
        inventory_level: offer.inventory_level,
        moq: offer.moq,
        order_multiple: offer.order_multiple,
        factory_lead_days: offer.factory_lead_days,
        factory_pack_quantity: offer.factory_pack_quantity,
        on_order_quantity: offer.on_order_quantity,
        packaging: offer.packaging.clone(),
        price_hash: xxh3_64(prices.as_bytes()) as i64,
        prices,
        click_url: offer.click_url.clone(),
        content_hash: 0,
    };
    // The feed's word on authorization last: hashes of offers written before it could be `None`
    // (`offer_provenance`) all differ, so each feed's next import rewrites its offers once.
    row.content_hash = hash(&(
        row.inventory_level,
        row.moq,
        row.order_multiple,
        &row.packaging,
        &row.prices,
        &row.click_url,
        row.authorized_by_feed,
        row.factory_lead_days,
        row.factory_pack_quantity,
        row.on_order_quantity,
    ));
    Ok(row)
}

/// A stable content hash (xxh3 of the JSON form), so "unchanged" survives restarts and upgrades.
fn hash(value: &impl Serialize) -> i64 {
    xxh3_64(&serde_json::to_vec(value).expect("hashable values serialize")) as i64
}
