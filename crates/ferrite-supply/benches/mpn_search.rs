//! MPN search latency on a real catalogue, in process: what `supSearchMpn` asks the index
//! (`Catalogue::search` with `mpn_only`, limit 10), timed one query at a time on one thread.
//! Also times "search + read the 10 parts with their offers from the store" (what the API does
//! next), so the HTTP benchmark can be split into index, store and the rest.
//!
//! A plain timing binary (`harness = false`), not criterion: the inputs are a data directory and
//! a query list that only exist when `../shared/data` is present, and the numbers wanted are
//! percentiles over a query mix, not a mean per function. Run by `bench/search/run.sh`:
//!
//!   mpn_search DATA_DIR QUERIES_FILE [--rounds N] [--keyword]
//!
//! `--keyword`: the queries are keyword queries ("10k 0603 resistor"), searched as `supSearch`
//! searches them (every field, the query understood), and reported as `search_keyword_*`.
//!
//! DATA_DIR holds `ferrite.db` with an imported catalogue (its search index is built if
//! missing). QUERIES_FILE has one query per line as a JSON string. Prints a human summary and a
//! `RESULT ...` line per measurement.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use ferrite_core::keys::mpn_key;
use ferrite_store::{ConnectOptions, Store};
use ferrite_supply::{
    catalogue::{Catalogue, CatalogueOptions},
    search::SearchRequest,
};

fn usage() -> ! {
    eprintln!("usage: mpn_search DATA_DIR QUERIES_FILE [--rounds N] [--keyword]");
    std::process::exit(2);
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1e3
}

fn report(name: &str, mut samples: Vec<Duration>, wall: Duration) {
    samples.sort_unstable();
    let n = samples.len();
    let mean = samples.iter().sum::<Duration>().as_secs_f64() * 1e3 / n as f64;
    println!(
        "RESULT bench={name} samples={n} p50_ms={:.3} p90_ms={:.3} p99_ms={:.3} p999_ms={:.3} max_ms={:.3} mean_ms={:.3} qps_1thread={:.0}",
        percentile(&samples, 50.0),
        percentile(&samples, 90.0),
        percentile(&samples, 99.0),
        percentile(&samples, 99.9),
        samples.last().unwrap().as_secs_f64() * 1e3,
        mean,
        n as f64 / wall.as_secs_f64(),
    );
}

/// Deterministic shuffle (xorshift), so each round visits the queries in a different order
/// without a `rand` dependency.
fn shuffle<T>(items: &mut [T], seed: &mut u64) {
    for i in (1..items.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        items.swap(i, (*seed % (i as u64 + 1)) as usize);
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if args.len() < 2 {
        usage();
    }
    let data_dir = PathBuf::from(&args[0]);
    let queries_file = PathBuf::from(&args[1]);
    let mut rounds = 20usize;
    let mut keyword = false;
    let mut rest = args[2..].iter();
    while let Some(flag) = rest.next() {
        match flag.as_str() {
            "--keyword" => keyword = true,
            "--rounds" => rounds = rest.next().and_then(|n| n.parse().ok()).unwrap_or_else(|| usage()),
            _ => usage(),
        }
    }
    let name = if keyword { "search_keyword" } else { "search_mpn" };
    let queries: Vec<String> = std::fs::read_to_string(&queries_file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", queries_file.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad query line {l:?}: {e}")))
        .collect();
    assert!(!queries.is_empty(), "no queries in {}", queries_file.display());
    // Optional: the kind of each query (`QUERIES_FILE.kinds`, one per line), for a breakdown.
    let kinds: Vec<String> = std::fs::read_to_string(format!("{}.kinds", queries_file.display()))
        .map(|text| text.lines().map(str::to_owned).collect())
        .unwrap_or_default();

    let url = format!("sqlite://{}", data_dir.join("ferrite.db").display());
    let store = Store::connect(&url, &ConnectOptions::default()).await.expect("store opens");
    let opened = Instant::now();
    // No part cache: `search_mpn_plus_parts` measures reading the parts from the store.
    let no_cache = CatalogueOptions { part_cache_bytes: 0, ..Default::default() };
    let catalogue = Catalogue::open_with(store, &data_dir, no_cache).await.expect("catalogue opens");
    println!(
        "catalogue version {} opened in {:.2}s; {} queries, {rounds} rounds",
        catalogue.version(),
        opened.elapsed().as_secs_f64(),
        queries.len()
    );
    let request = |q: &str| SearchRequest { q: q.to_owned(), mpn_only: !keyword, limit: 10, ..Default::default() };

    // Warm-up: one pass (page cache, tantivy's per-segment caches), and relevance checks that
    // say whether the measured queries answer something sensible.
    let (mut with_hits, mut exact_first, mut exact_possible, mut total_hits) = (0, 0, 0, 0u64);
    for q in &queries {
        let result = catalogue.search_blocking(&request(q)).expect("search");
        total_hits += result.hits;
        if result.hits > 0 {
            with_hits += 1;
        }
        let key = mpn_key(q);
        if let Some(first) = result.part_ids.first() {
            let exact = catalogue.store().catalogue().part_ids_by_mpn_key(&key).await.expect("lookup");
            if !exact.is_empty() {
                exact_possible += 1;
                let first = catalogue.parts(&[*first]).await.expect("parts");
                if first.first().is_some_and(|p| mpn_key(&p.part.mpn) == key) {
                    exact_first += 1;
                }
            }
        }
    }
    println!(
        "queries with hits: {with_hits}/{}; mean hits {:.1}; exact MPN ranked first: {exact_first}/{exact_possible} of the queries whose exact MPN is in the catalogue",
        queries.len(),
        total_hits as f64 / queries.len() as f64
    );

    // Index only: Catalogue::search, as supSearchMpn calls it.
    let mut order: Vec<usize> = (0..queries.len()).collect();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut samples = Vec::with_capacity(queries.len() * rounds);
    let mut by_kind: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    let started = Instant::now();
    for _ in 0..rounds {
        shuffle(&mut order, &mut seed);
        for &i in &order {
            let req = request(&queries[i]);
            let t = Instant::now();
            let result = catalogue.search_blocking(&req).expect("search");
            let took = t.elapsed();
            samples.push(took);
            if let Some(kind) = kinds.get(i) {
                by_kind.entry(kind.as_str()).or_default().push(took);
            }
            std::hint::black_box(result);
        }
    }
    let wall = started.elapsed();
    report(&format!("{name}_index"), samples, wall);
    for (kind, mut samples) in by_kind {
        samples.sort_unstable();
        println!(
            "  kind {kind:<7} n={:<6} p50_ms={:.3} p99_ms={:.3} max_ms={:.3}",
            samples.len(),
            percentile(&samples, 50.0),
            percentile(&samples, 99.0),
            samples.last().unwrap().as_secs_f64() * 1e3
        );
    }

    // Index + store: the ids, then the parts with their offers (what the resolver loads).
    let rounds_store = rounds.div_ceil(4).max(1);
    let mut samples = Vec::with_capacity(queries.len() * rounds_store);
    let started = Instant::now();
    for _ in 0..rounds_store {
        shuffle(&mut order, &mut seed);
        for &i in &order {
            let req = request(&queries[i]);
            let t = Instant::now();
            let result = catalogue.search_blocking(&req).expect("search");
            let parts = catalogue.parts(&result.part_ids).await.expect("parts");
            samples.push(t.elapsed());
            std::hint::black_box(parts);
        }
    }
    report(&format!("{name}_plus_parts"), samples, started.elapsed());
}
