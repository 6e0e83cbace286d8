//! Feed adapters: each reads one kind of source and streams `FeedPart`s to a sink. Adapters never
//! touch the store; the importer does, atomically.
//!
//! Every adapter reports a record it cannot read with [`PartSink::skip`] and goes on, and fails
//! with [`FeedError::Source`] only when the source as a whole cannot be used. What each source
//! looks like and how it maps to the model is in `docs/feeds.md`.

use crate::model::{FeedPart, Location};

mod adapter;
pub(crate) mod check;
pub mod csv;
pub mod digikey_v4;
pub mod element14;
mod files;
pub mod jlcparts;
mod json;
pub mod kitspace_partinfo;
pub(crate) mod merge;
pub mod mouser;
pub mod nexar_json;
pub mod tme;
pub mod vocabulary;

pub use adapter::{Adapter, UnknownAdapter};

/// Receives what an adapter reads.
pub trait PartSink {
    /// One part. An error here (the importer failing) stops the read.
    fn part(&mut self, part: FeedPart) -> Result<(), FeedError>;
    /// A record that could not be read and was skipped; the read goes on.
    fn skip(&mut self, at: Location, reason: String);
    /// Progress, in records, for progress bars. `total` when known.
    fn progress(&mut self, done: u64, total: Option<u64>);
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The source cannot be read at all (missing, truncated archive, bad manifest, network).
    #[error("{at}: {reason}")]
    Source { at: Location, reason: String },
    /// The sink refused a part (the import failed).
    #[error("{0}")]
    Sink(String),
}

impl FeedError {
    /// The whole of `file` is unusable.
    pub(crate) fn source(file: impl Into<String>, reason: impl Into<String>) -> Self {
        FeedError::Source { at: Location { file: file.into(), line: 0 }, reason: reason.into() }
    }
}

/// How often adapters report progress, in records.
pub(crate) const PROGRESS_EVERY: u64 = 10_000;
