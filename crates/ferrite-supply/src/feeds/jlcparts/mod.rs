//! The jlcparts web-database layout (github.com/yaqwsx/jlcparts): `manifest.json` lists the
//! categories and their shards, `attributes-lut.json.gz` holds every attribute value once, and
//! each `components-*.jsonl.gz` shard holds one part per line. Each part becomes one `FeedPart`
//! with one LCSC offer; see `docs/feeds.md` for the mapping.
//!
//! Shards are read in parallel (decompressing and parsing is the cost); the sink is fed from the
//! calling thread in manifest order, so that when two records name the same part the same one
//! comes first in every run (the importer keeps the first, and a re-import must change nothing).

mod lut;
mod manifest;
mod shard;
mod store;

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

pub(crate) use lut::Lut;
pub(crate) use shard::{Record, Shard};
// For the fuzz entry points only.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use {shard::read as read_shard, store::decompressed};

use self::manifest::Manifest;
use self::store::Store;
use super::{FeedError, PROGRESS_EVERY, PartSink};

/// Records sent to the sink's thread at a time.
const BATCH: usize = 256;
/// Shard readers at most; beyond this the sink is the bottleneck.
const MAX_THREADS: usize = 8;

/// Streams every part of the layout at `source` (a directory or an `http://` base URL).
///
/// Fails when the manifest, the attributes table or a shard is missing or cannot be read
/// (truncated gzip, bad header line); a line that is not a readable part is skipped.
/// Blocking: call it from a thread that may block (not an async task).
pub fn read(source: &str, sink: &mut dyn PartSink) -> Result<(), FeedError> {
    let store = Store::new(source)?;
    let manifest = Manifest::load(&store)?;
    let lut = load_lut(&store, manifest.lut_name(), sink)?;
    let shards: Vec<(String, Vec<String>)> = manifest
        .categories
        .iter()
        .flat_map(|c| c.shards.iter().map(|s| (s.clone(), vec![c.category.clone(), c.subcategory.clone()])))
        .collect();
    let total = manifest.total();
    sink.progress(0, total);
    let done = stream(&store, &lut, &shards, total, sink)?;
    sink.progress(done, total);
    Ok(())
}

fn load_lut(store: &Store, name: &str, sink: &mut dyn PartSink) -> Result<Lut, FeedError> {
    let at = store.describe(name);
    let mut bytes = Vec::new();
    store.open(name)?.read_to_end(&mut bytes).map_err(|e| FeedError::source(&at, store::read_error(&e)))?;
    Lut::parse(&bytes, &at, &mut |at, reason| sink.skip(at, reason)).map_err(|reason| FeedError::source(&at, reason))
}

enum Message {
    /// Records of the shard at this position, in order; `last` closes the shard.
    Records {
        shard: usize,
        records: Vec<Record>,
        last: bool,
    },
    Failed(FeedError),
}

/// Reads the shards on worker threads and feeds the sink here; returns the records seen.
fn stream(
    store: &Store,
    lut: &Lut,
    shards: &[(String, Vec<String>)],
    total: Option<u64>,
    sink: &mut dyn PartSink,
) -> Result<u64, FeedError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_THREADS).min(shards.len());
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = sync_channel(threads * 4);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (tx, next, stop) = (tx.clone(), &next, &stop);
            scope.spawn(move || read_shards(store, lut, shards, next, stop, tx));
        }
        drop(tx);
        let result = feed(&rx, total, sink);
        // Stop the readers: they see the flag between shards, and a closed channel at once.
        stop.store(true, Ordering::Relaxed);
        drop(rx);
        result
    })
}

fn read_shards(
    store: &Store,
    lut: &Lut,
    shards: &[(String, Vec<String>)],
    next: &AtomicUsize,
    stop: &AtomicBool,
    tx: SyncSender<Message>,
) {
    while !stop.load(Ordering::Relaxed) {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some((name, category)) = shards.get(index) else { return };
        let file = store.describe(name);
        let shard = Shard { file: &file, category, lut };
        let mut batch = Vec::with_capacity(BATCH);
        let mut open = true;
        let result = store.open(name).and_then(|mut reader| {
            shard::read(&mut *reader, &shard, &mut |record| {
                batch.push(record);
                if batch.len() == BATCH {
                    let records = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    open = tx.send(Message::Records { shard: index, records, last: false }).is_ok();
                }
                open
            })
        });
        if let Err(e) = result {
            let _ = tx.send(Message::Failed(e));
            return;
        }
        if !open || tx.send(Message::Records { shard: index, records: batch, last: true }).is_err() {
            return;
        }
    }
}

/// Feeds the sink shard by shard in manifest order: records of the shard being fed go straight
/// through, records of later shards (read ahead by the other threads) wait until it closes.
fn feed(rx: &Receiver<Message>, total: Option<u64>, sink: &mut dyn PartSink) -> Result<u64, FeedError> {
    let mut done = 0_u64;
    let mut current = 0_usize;
    let mut waiting: BTreeMap<usize, (Vec<Vec<Record>>, bool)> = BTreeMap::new();
    for message in rx {
        let (shard, records, last) = match message {
            Message::Records { shard, records, last } => (shard, records, last),
            Message::Failed(e) => return Err(e),
        };
        let entry = waiting.entry(shard).or_default();
        entry.0.push(records);
        entry.1 |= last;
        while let Some((batches, closed)) = waiting.remove(&current) {
            for record in batches.into_iter().flatten() {
                match record {
                    Record::Part(part) => sink.part(part)?,
                    Record::Skip(at, reason) => sink.skip(at, reason),
                }
                done += 1;
                if done.is_multiple_of(PROGRESS_EVERY) {
                    sink.progress(done, total);
                }
            }
            if !closed {
                waiting.insert(current, (Vec::new(), false));
                break;
            }
            current += 1;
        }
    }
    Ok(done)
}
