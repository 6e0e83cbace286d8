//! The import's floor, in process: the jlcparts adapter reading a whole layout (decompress, parse
//! every line, build every `FeedPart`, on the adapter's own reader threads) into a sink that only
//! counts. No store, no index. `bench/import/run.sh` reports it next to the full import.
//!
//!   jlcparts_read SOURCE_DIR
//!
//! Prints `RESULT bench=jlcparts_read parts=N skipped=N offers=N seconds=S`.

use std::time::Instant;

use ferrite_supply::{
    feeds::{Adapter, FeedError, PartSink},
    model::{FeedPart, Location},
};

#[derive(Default)]
struct Count {
    parts: u64,
    offers: u64,
    specs: u64,
    skipped: u64,
}

impl PartSink for Count {
    fn part(&mut self, part: FeedPart) -> Result<(), FeedError> {
        self.parts += 1;
        self.offers += part.offers.len() as u64;
        self.specs += part.specs.len() as u64;
        std::hint::black_box(part);
        Ok(())
    }
    fn skip(&mut self, _: Location, _: String) {
        self.skipped += 1;
    }
    fn progress(&mut self, _: u64, _: Option<u64>) {}
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let [source] = args.as_slice() else {
        eprintln!("usage: jlcparts_read SOURCE_DIR");
        std::process::exit(2);
    };
    let mut count = Count::default();
    let started = Instant::now();
    Adapter::Jlcparts.read(source, &mut count).expect("the layout reads");
    println!(
        "RESULT bench=jlcparts_read parts={} skipped={} offers={} specs={} seconds={:.2}",
        count.parts,
        count.skipped,
        count.offers,
        count.specs,
        started.elapsed().as_secs_f64()
    );
}
