//! Structured logs on stderr. Nothing secret is ever a field: handlers log ids, not credentials.
//!
//! Logging never blocks or stops the process: lines go through a bounded queue to a writer
//! thread and are dropped when it is full (a stalled reader), and a closed stderr (the reader of
//! `ferrite serve 2>&1 | tee log` gone) only loses lines. Rust ignores SIGPIPE, so such a write
//! fails with EPIPE, which nothing reports on stderr again.

use std::io::IsTerminal;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{EnvFilter, fmt};

use crate::config::{Config, LogFormat};

/// Lines that may wait for the writer thread before new ones are dropped.
const QUEUED_LINES: usize = 16_384;

/// Installs the subscriber; keep the guard until the end of `main` so queued lines are written.
pub fn init(config: &Config) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) =
        NonBlockingBuilder::default().lossy(true).buffered_lines_limit(QUEUED_LINES).finish(std::io::stderr());
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal())
        // Its default reports a failed write with eprintln!, which panics when stderr is closed.
        .log_internal_errors(false);
    // A second init (tests run several commands in one process) keeps the first subscriber.
    let installed = match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    installed.ok().map(|()| guard)
}
