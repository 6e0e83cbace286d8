//! Where a jlcparts layout lives: a directory, or an http:// or https:// base URL (fetched with
//! the one client of [`crate::http`]). Files come back decompressed when they are gzipped (told
//! by their first bytes, not their names).

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use flate2::bufread::MultiGzDecoder;

use crate::{feeds::FeedError, http::HttpClient};

const BUFFER: usize = 1 << 16;

/// Most bytes one file of a layout may hold once decompressed. A gzip bomb (a few MB inflating
/// to gigabytes) is refused here; the real data's largest file, the attributes table, is 30 MB
/// (the largest shard 14 MB), and the table is read whole, so this also bounds what it holds.
pub(crate) const MAX_FILE_BYTES: u64 = 256 << 20;
/// Longest line a shard may have: a line is held whole while it is parsed. Real lines are at
/// most 1.2 KB.
pub(crate) const MAX_LINE_BYTES: usize = 1 << 20;

pub(super) enum Store {
    Dir(PathBuf),
    Http { base: String, client: HttpClient },
}

impl Store {
    pub(super) fn new(source: &str) -> Result<Store, FeedError> {
        let lower = source.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let client = HttpClient::configured().map_err(|e| FeedError::source(source, e.to_string()))?;
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
                    client.get(&at).map_err(|e| FeedError::source(&at, format!("cannot fetch: {}", e.reason())))?;
                Box::new(response)
            }
        };
        decompressed(raw).map_err(|e| FeedError::source(at, format!("cannot read: {e}")))
    }
}

/// `raw`, gunzipped when it starts with the gzip magic bytes; reading past [`MAX_FILE_BYTES`]
/// of it (decompressed) fails with [`TooLarge`].
pub(crate) fn decompressed(raw: Box<dyn Read + Send>) -> std::io::Result<Box<dyn BufRead + Send>> {
    let mut buffered = BufReader::with_capacity(BUFFER, raw);
    let gzipped = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let content: Box<dyn Read + Send> =
        if gzipped { Box::new(MultiGzDecoder::new(buffered)) } else { Box::new(buffered) };
    Ok(Box::new(BufReader::with_capacity(BUFFER, Bounded { inner: content, read: 0 })))
}

/// A file that holds more than the layout's bounds allow (see [`MAX_FILE_BYTES`], [`MAX_LINE_BYTES`]).
#[derive(Debug)]
pub(crate) struct TooLarge(pub(crate) String);

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TooLarge {}

/// Why a file of the layout could not be read, for reports: a bound it passed, or a broken stream.
pub(crate) fn read_error(err: &std::io::Error) -> String {
    match err.get_ref().and_then(|e| e.downcast_ref::<TooLarge>()) {
        Some(too_large) => too_large.0.clone(),
        None => format!("cannot read (truncated or corrupt?): {err}"),
    }
}

/// Fails a read once more than [`MAX_FILE_BYTES`] came through, rather than inflating on.
struct Bounded {
    inner: Box<dyn Read + Send>,
    read: u64,
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > MAX_FILE_BYTES {
            let limit = MAX_FILE_BYTES >> 20;
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                TooLarge(format!(
                    "the file holds more than {limit} MiB once decompressed: not a jlcparts file (a gzip bomb?)"
                )),
            ));
        }
        Ok(n)
    }
}

/// Reads one line (with its `\n`) into `line`, cleared first; 0 at the end of the file. A line
/// longer than [`MAX_LINE_BYTES`] fails with [`TooLarge`] instead of being held whole.
pub(crate) fn read_line(reader: &mut dyn BufRead, line: &mut Vec<u8>) -> std::io::Result<usize> {
    line.clear();
    let n = Read::take(&mut *reader, MAX_LINE_BYTES as u64 + 1).read_until(b'\n', line)?;
    if n > MAX_LINE_BYTES && line.last() != Some(&b'\n') {
        let limit = MAX_LINE_BYTES >> 20;
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            TooLarge(format!("a line is longer than {limit} MiB: not a jlcparts shard")),
        ));
    }
    Ok(n)
}

/// A file name the layout may use: no directories, nothing to escape in a URL.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}
