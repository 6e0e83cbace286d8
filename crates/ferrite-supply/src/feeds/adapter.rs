//! Adapters by name, for configuration, the CLI and the scheduler.

use std::fmt;
use std::str::FromStr;

use super::{FeedError, PartSink, csv, digikey_v4, element14, jlcparts, kitspace_partinfo, mouser, nexar_json, tme};

/// A kind of feed source. Parse one from its name (`"jlcparts".parse()`), then [`Adapter::read`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Adapter {
    /// The jlcparts web-database layout: a directory or an `http://` base URL.
    Jlcparts,
    /// Recorded Nexar/Octopart `supMultiMatch`/`supSearch` results: a file or a directory.
    NexarJson,
    /// DigiKey Product Information v4 responses: a file or a directory.
    DigikeyV4,
    /// Kitspace PartInfo answers as KiCost caches them (`responses.json`): a file or a directory.
    KitspacePartinfo,
    /// The generic CSV of `docs/feeds.md`: a file.
    Csv,
    /// TME API answers (KiCost's recording of them, or raw answers): a file or a directory.
    Tme,
    /// element14 (Farnell, Newark) product-search answers: a file or a directory.
    Element14,
    /// Mouser Search API answers: a file or a directory.
    Mouser,
}

impl Adapter {
    pub const ALL: [Adapter; 8] = [
        Adapter::Jlcparts,
        Adapter::NexarJson,
        Adapter::DigikeyV4,
        Adapter::KitspacePartinfo,
        Adapter::Csv,
        Adapter::Tme,
        Adapter::Element14,
        Adapter::Mouser,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Adapter::Jlcparts => "jlcparts",
            Adapter::NexarJson => "nexar-json",
            Adapter::DigikeyV4 => "digikey-v4",
            Adapter::KitspacePartinfo => "kitspace-partinfo",
            Adapter::Csv => "csv",
            Adapter::Tme => "tme",
            Adapter::Element14 => "element14",
            Adapter::Mouser => "mouser",
        }
    }

    /// Streams the parts of `source` to `sink`. Blocking (files, and HTTP for jlcparts): from
    /// async code, call it on a blocking thread.
    pub fn read(self, source: &str, sink: &mut dyn PartSink) -> Result<(), FeedError> {
        match self {
            Adapter::Jlcparts => jlcparts::read(source, sink),
            Adapter::NexarJson => nexar_json::read(source, sink),
            Adapter::DigikeyV4 => digikey_v4::read(source, sink),
            Adapter::KitspacePartinfo => kitspace_partinfo::read(source, sink),
            Adapter::Csv => csv::read(source, sink),
            Adapter::Tme => tme::read(source, sink),
            Adapter::Element14 => element14::read(source, sink),
            Adapter::Mouser => mouser::read(source, sink),
        }
    }
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "unknown feed adapter {0:?}: use jlcparts, nexar-json, digikey-v4, kitspace-partinfo, csv, tme, element14 or mouser"
)]
pub struct UnknownAdapter(pub String);

impl FromStr for Adapter {
    type Err = UnknownAdapter;

    fn from_str(name: &str) -> Result<Adapter, UnknownAdapter> {
        Adapter::ALL.into_iter().find(|a| a.name() == name).ok_or_else(|| UnknownAdapter(name.to_owned()))
    }
}
