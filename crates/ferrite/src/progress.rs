//! How a long command shows its progress: on a terminal as a bar; elsewhere as a log line every
//! few seconds.

use std::{
    io::IsTerminal,
    time::{Duration, Instant},
};

use ferrite_supply::import::Progress;

/// An import's progress, shown on stderr.
pub struct Shown {
    bar: Option<indicatif::ProgressBar>,
    last_line: Instant,
}

impl Shown {
    pub fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} records {per_sec} eta {eta}")
                    .expect("a valid template"),
            );
            bar
        });
        Shown { bar, last_line: Instant::now() }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Shown {
    fn update(&mut self, done: u64, total: Option<u64>) {
        match &self.bar {
            Some(bar) => {
                if let Some(total) = total {
                    bar.set_length(total);
                }
                bar.set_position(done);
            }
            None if self.last_line.elapsed() >= Duration::from_secs(5) => {
                self.last_line = Instant::now();
                match total {
                    Some(total) => tracing::info!("import: {done}/{total} records read"),
                    None => tracing::info!("import: {done} records read"),
                }
            }
            None => {}
        }
    }
}
