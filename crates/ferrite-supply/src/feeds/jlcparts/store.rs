//! Where a jlcparts layout lives: a directory, or an http:// base URL. Files come back
//! decompressed when they are gzipped (told by their first bytes, not their names).

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::time::Duration;

use flate2::bufread::MultiGzDecoder;

use crate::feeds::FeedError;

const BUFFER: usize = 1 << 16;

pub(super) enum Store {
    Dir(PathBuf),
    Http { base: String, client: reqwest::blocking::Client },
}

impl Store {
    pub(super) fn new(source: &str) -> Result<Store, FeedError> {
        let lower = source.to_ascii_lowercase();
        if lower.starts_with("https://") {
            // TLS would add a crypto stack to every build; a plain-http mirror or a local copy
            // (`wget -r -np`) of the layout works today.
            return Err(FeedError::source(
                source,
                "https is not supported: mirror the layout to a directory or serve it over http://",
            ));
        }
        if lower.starts_with("http://") {
            let client = reqwest::blocking::Client::builder()
                .connect_timeout(Duration::from_secs(30))
                .timeout(Duration::from_secs(600))
                .build()
                .map_err(|e| FeedError::source(source, format!("cannot start an HTTP client: {e}")))?;
            let base = format!("{}/", source.trim_end_matches('/'));
            return Ok(Store::Http { base, client });
        }
        let dir = PathBuf::from(source);
        if !dir.is_dir() {
            return Err(FeedError::source(source, "not a directory holding a jlcparts layout"));
        }
        Ok(Store::Dir(dir))
    }

    /// How `name` is named in reports: its path or URL.
    pub(super) fn describe(&self, name: &str) -> String {
        match self {
            Store::Dir(dir) => dir.join(name).display().to_string(),
            Store::Http { base, .. } => format!("{base}{name}"),
        }
    }

    /// The file `name` of the layout, decompressed if it is gzipped.
    pub(super) fn open(&self, name: &str) -> Result<Box<dyn BufRead + Send>, FeedError> {
        let at = self.describe(name);
        if !is_plain_name(name) {
            return Err(FeedError::source(at, "the manifest names a file outside the layout"));
        }
        let raw: Box<dyn Read + Send> = match self {
            Store::Dir(_) => {
                Box::new(std::fs::File::open(&at).map_err(|e| FeedError::source(&at, format!("cannot open: {e}")))?)
            }
            Store::Http { client, .. } => {
                let response =
                    client.get(&at).send().map_err(|e| FeedError::source(&at, format!("cannot fetch: {e}")))?;
                if !response.status().is_success() {
                    return Err(FeedError::source(&at, format!("cannot fetch: HTTP {}", response.status())));
                }
                Box::new(response)
            }
        };
        decompressed(raw).map_err(|e| FeedError::source(at, format!("cannot read: {e}")))
    }
}

/// `raw`, gunzipped when it starts with the gzip magic bytes.
pub(crate) fn decompressed(raw: Box<dyn Read + Send>) -> std::io::Result<Box<dyn BufRead + Send>> {
    let mut buffered = BufReader::with_capacity(BUFFER, raw);
    let gzipped = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzipped {
        Box::new(BufReader::with_capacity(BUFFER, MultiGzDecoder::new(buffered)))
    } else {
        Box::new(buffered)
    })
}

/// A file name the layout may use: no directories, nothing to escape in a URL.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}
