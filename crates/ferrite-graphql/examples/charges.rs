//! Charges per second through the store, as the API makes them: `W` concurrent tasks, each charging
//! one part in a loop for `S` seconds. Run by `bench/charges/run.sh` (see bench/README.md).
//!
//!   charges --database-url URL --client-id ID [--writers 16] [--seconds 10] [--mode MODE]
//!
//! MODE
//!   meter (default)  drives `ferrite_graphql::Meter` itself, so the charges are grouped into
//!                    batches (group commit) exactly as `ferrite serve` groups them
//!   direct           `Store::charge_batch` with one charge per call (a transaction per charge),
//!                    to show what the grouping buys
//!   batch16          `Store::charge_batch` with 16 one-part charges of the app per call: the
//!                    batch the meter builds from 16 waiting requests (counts 16 charges a call)
//!   batch16-merged   one 16-part charge per call: the same parts in one charge (counts 16), to
//!                    show what a batch's per-charge statements cost (run both with --writers 1)
//!
//! The app behind `ID` must exist with a part limit large enough for the run.
//! The tasks run on a multi-threaded runtime with one worker per core, like the server.

#[path = "support/checkpoints.rs"]
mod checkpoints;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use ferrite_core::{ChargeBatchId, SystemClock, metering::Outcome, plan::Period};
use ferrite_graphql::Meter;
use ferrite_identity::{Identity, TokenConfig};
use ferrite_store::{ConnectOptions, Store, metering::ChargeRequest};

struct Args {
    database_url: String,
    client_id: String,
    writers: usize,
    seconds: f64,
    mode: Mode,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Meter,
    Direct,
    Batch16,
    Batch16Merged,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Meter => "meter",
            Mode::Direct => "direct",
            Mode::Batch16 => "batch16",
            Mode::Batch16Merged => "batch16-merged",
        }
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: charges --database-url URL --client-id ID [--writers 16] [--seconds 10] [--mode meter|direct|batch16|batch16-merged]"
    );
    std::process::exit(2);
}

fn args() -> Args {
    let mut args =
        Args { database_url: String::new(), client_id: String::new(), writers: 16, seconds: 10.0, mode: Mode::Meter };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--database-url" => args.database_url = value,
            "--client-id" => args.client_id = value,
            "--writers" => args.writers = value.parse().unwrap_or_else(|_| usage()),
            "--seconds" => args.seconds = value.parse().unwrap_or_else(|_| usage()),
            "--mode" => {
                args.mode = match value.as_str() {
                    "meter" => Mode::Meter,
                    "direct" => Mode::Direct,
                    "batch16" => Mode::Batch16,
                    "batch16-merged" => Mode::Batch16Merged,
                    _ => usage(),
                }
            }
            _ => usage(),
        }
    }
    if args.database_url.is_empty() || args.client_id.is_empty() {
        usage();
    }
    args
}

#[derive(Default)]
struct Tally {
    charged: u64,
    refused: u64,
    failed: u64,
    latencies: Vec<Duration>,
}

fn ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1e3
}

fn main() {
    let args = args();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(run(args));
}

async fn run(args: Args) {
    let options = ConnectOptions { max_connections: 16, ..Default::default() };
    let store = Store::connect(&args.database_url, &options).await.expect("the store opens");
    store.migrate().await.expect("the schema is current");
    let (app, _) = store.app_by_client_id(&args.client_id).await.expect("the app exists");
    let period = Period::for_app(app.is_evaluation, chrono::Utc::now()).key();
    let used_before = store.part_usage(app.id, &period).await.expect("usage reads");

    let identity = Identity::start(store.clone(), Arc::new(SystemClock), TokenConfig::default(), "http://127.0.0.1")
        .await
        .expect("identity starts");
    let meter = Meter::start(identity);
    checkpoints::spawn(&meter);
    // One charge before the clock starts: fills the meter's client-id cache and the pool.
    meter.charge(&args.client_id, 1).await.expect("a first charge");

    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.writers {
        let (meter, store, client_id, period) = (meter.clone(), store.clone(), args.client_id.clone(), period.clone());
        let mode = args.mode;
        let app_id = app.id;
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            while Instant::now() < deadline {
                let t = Instant::now();
                let day = || chrono::Utc::now().format("%Y-%m-%d").to_string();
                let charge = |parts| ChargeRequest { app: app_id, period: period.clone(), day: day(), parts };
                // (outcome of the call, charges it stands for)
                let (outcome, count) = match mode {
                    Mode::Meter => (meter.charge(&client_id, 1).await.map(|c| c.outcome).map_err(|e| e.to_string()), 1),
                    Mode::Direct => (
                        store
                            .charge_batch(ChargeBatchId::new(), &[charge(1)])
                            .await
                            .map(|mut o| o.remove(0))
                            .map_err(|e| e.to_string()),
                        1,
                    ),
                    Mode::Batch16 => {
                        let batch: Vec<ChargeRequest> = (0..16).map(|_| charge(1)).collect();
                        (
                            store
                                .charge_batch(ChargeBatchId::new(), &batch)
                                .await
                                .map(|o| o[15])
                                .map_err(|e| e.to_string()),
                            16,
                        )
                    }
                    Mode::Batch16Merged => (
                        store
                            .charge_batch(ChargeBatchId::new(), &[charge(16)])
                            .await
                            .map(|mut o| o.remove(0))
                            .map_err(|e| e.to_string()),
                        16,
                    ),
                };
                tally.latencies.push(t.elapsed());
                match outcome {
                    Ok(Outcome::Charged { .. }) => tally.charged += count,
                    Ok(Outcome::Refused { .. }) => tally.refused += count,
                    Err(err) => {
                        if tally.failed == 0 {
                            eprintln!("a charge failed: {err}");
                        }
                        tally.failed += 1;
                    }
                }
            }
            tally
        }));
    }
    let mut total = Tally::default();
    for task in tasks {
        let tally = task.await.expect("a writer task");
        total.charged += tally.charged;
        total.refused += tally.refused;
        total.failed += tally.failed;
        total.latencies.extend(tally.latencies);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let used_after = store.part_usage(app.id, &period).await.expect("usage reads");
    total.latencies.sort_unstable();
    let counted = used_after - used_before - 1; // minus the warm-up charge (parts = charges of 1 part)
    println!(
        "RESULT backend={:?} mode={} writers={} seconds={elapsed:.2} charged={} refused={} failed={} charges_per_s={:.0} p50_ms={:.3} p99_ms={:.3} max_ms={:.3} counter_delta={counted} counter_matches={}",
        store.backend(),
        args.mode.name(),
        args.writers,
        total.charged,
        total.refused,
        total.failed,
        total.charged as f64 / elapsed,
        ms(&total.latencies, 50.0),
        ms(&total.latencies, 99.0),
        total.latencies.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1e3),
        counted == total.charged as i64,
    );
    store.close().await;
}
