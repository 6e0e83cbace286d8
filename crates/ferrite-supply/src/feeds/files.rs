//! Sources given as a path: one file, or a directory of files of one kind.

use std::path::{Path, PathBuf};

use super::FeedError;

/// What a source path names.
pub(crate) enum Files {
    /// One file: if it cannot be read, the source is unusable.
    One(PathBuf),
    /// A directory's files ending in the extension, by name: one that cannot be read is skipped.
    Many(Vec<PathBuf>),
}

pub(crate) fn list(path: &str, extension: &str) -> Result<Files, FeedError> {
    let meta = std::fs::metadata(path).map_err(|e| FeedError::source(path, format!("cannot open: {e}")))?;
    if !meta.is_dir() {
        return Ok(Files::One(PathBuf::from(path)));
    }
    let entries = std::fs::read_dir(path).map_err(|e| FeedError::source(path, format!("cannot list: {e}")))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| FeedError::source(path, format!("cannot list: {e}")))?;
        let file = entry.path();
        let matches = file.extension().is_some_and(|e| e.eq_ignore_ascii_case(extension));
        if matches && entry.file_type().is_ok_and(|t| !t.is_dir()) {
            files.push(file);
        }
    }
    if files.is_empty() {
        return Err(FeedError::source(path, format!("no .{extension} files in this directory")));
    }
    files.sort();
    Ok(Files::Many(files))
}

pub(crate) fn read(path: &Path) -> Result<Vec<u8>, FeedError> {
    std::fs::read(path).map_err(|e| FeedError::source(name(path), format!("cannot read: {e}")))
}

/// How a file is named in reports.
pub(crate) fn name(path: &Path) -> String {
    path.display().to_string()
}

/// Adds what one JSON file (its bytes and name) holds to `S`: the merger, or a feed's own state.
pub(crate) type JsonParserInto<S> = fn(&[u8], &str, &mut S, &mut dyn super::PartSink) -> Result<(), FeedError>;

/// Adds the parts of one JSON file (its bytes and name) to the merger.
pub(crate) type JsonParser = JsonParserInto<super::merge::PartMerger>;

/// Reads a JSON source — one file, or a directory of `.json` files — feeding each file to `parse`
/// and emitting the merged parts. A single unreadable file fails the read; in a directory it is
/// skipped and reported.
pub(crate) fn read_json_sources(
    path: &str,
    sink: &mut dyn super::PartSink,
    parse: JsonParser,
) -> Result<(), FeedError> {
    let mut merger = super::merge::PartMerger::default();
    for_each_json_file(path, sink, &mut merger, parse)?;
    merger.emit(sink)
}

/// Feeds each file of a JSON source to `parse` with `state`, for feeds that join records across
/// files before they are parts (TME's product, price and parameter answers). A single unreadable
/// file fails the read; in a directory it is skipped and reported.
pub(crate) fn for_each_json_file<S>(
    path: &str,
    sink: &mut dyn super::PartSink,
    state: &mut S,
    parse: JsonParserInto<S>,
) -> Result<(), FeedError> {
    match list(path, "json")? {
        Files::One(file) => parse(&read(&file)?, &name(&file), state, sink),
        Files::Many(files) => {
            for file in files {
                match read(&file).and_then(|bytes| parse(&bytes, &name(&file), state, sink)) {
                    Err(FeedError::Source { at, reason }) => sink.skip(at, reason),
                    other => other?,
                }
            }
            Ok(())
        }
    }
}
