//! The jlcparts web-database layout (github.com/yaqwsx/jlcparts): `manifest.json` lists the
//! categories and their shards, `attributes-lut.json.gz` holds every attribute value once, and
//! each `components-*.jsonl.gz` shard holds one part per line. Each part becomes one `FeedPart`
//! with one LCSC offer; see `docs/feeds.md` for the mapping.
//!
//! Shards are read in parallel (decompressing and parsing is the cost); the sink is fed from the
//! calling thread, in batches, in no particular order across shards.

mod lut;
mod manifest;
mod shard;
mod store;

use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

pub(crate) use lut::Lut;
pub(crate) use shard::{Record, Shard, read as read_shard};
pub(crate) use store::decompressed;

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
    store.open(name)?.read_to_end(&mut bytes).map_err(|e| FeedError::source(&at, format!("cannot read: {e}")))?;
    Lut::parse(&bytes, &at, &mut |at, reason| sink.skip(at, reason)).map_err(|reason| FeedError::source(&at, reason))
}

enum Message {
    Records(Vec<Record>),
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
        let Some((name, category)) = shards.get(next.fetch_add(1, Ordering::Relaxed)) else { return };
        let file = store.describe(name);
        let shard = Shard { file: &file, category, lut };
        let mut batch = Vec::with_capacity(BATCH);
        let mut open = true;
        let result = store.open(name).and_then(|mut reader| {
            shard::read(&mut *reader, &shard, &mut |record| {
                batch.push(record);
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    open = tx.send(Message::Records(full)).is_ok();
                }
                open
            })
        });
        if !batch.is_empty() {
            open = tx.send(Message::Records(batch)).is_ok();
        }
        if let Err(e) = result {
            let _ = tx.send(Message::Failed(e));
            return;
        }
        if !open {
            return;
        }
    }
}

fn feed(rx: &Receiver<Message>, total: Option<u64>, sink: &mut dyn PartSink) -> Result<u64, FeedError> {
    let mut done = 0_u64;
    for message in rx {
        let records = match message {
            Message::Records(records) => records,
            Message::Failed(e) => return Err(e),
        };
        for record in records {
            match record {
                Record::Part(part) => sink.part(part)?,
                Record::Skip(at, reason) => sink.skip(at, reason),
            }
            done += 1;
            if done.is_multiple_of(PROGRESS_EVERY) {
                sink.progress(done, total);
            }
        }
    }
    Ok(done)
}
