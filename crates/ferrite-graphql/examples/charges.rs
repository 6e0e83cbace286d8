//! Charges per second through the store, as the API makes them: `W` concurrent tasks, each charging
//! one part in a loop for `S` seconds. Run by `bench/charges/run.sh` (see bench/README.md).
//!
//!   charges --database-url URL --client-id ID [--writers 16] [--seconds 10] [--mode meter|direct]
//!
//! `--mode meter` (default) drives `ferrite_graphql::Meter` itself, so the charges are grouped
//! into batches (group commit) exactly as `ferrite serve` groups them. `--mode direct` calls
//! `Store::charge_batch` with one charge per call (one transaction per charge), to show what the
//! grouping buys. The app behind `ID` must exist with a part limit large enough for the run.
//! The tasks run on a multi-threaded runtime with one worker per core, like the server.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use ferrite_core::{SystemClock, metering::Outcome, plan::Period};
use ferrite_graphql::Meter;
use ferrite_identity::{Identity, TokenConfig};
use ferrite_store::{ConnectOptions, Store, metering::ChargeRequest};

struct Args {
    database_url: String,
    client_id: String,
    writers: usize,
    seconds: f64,
    direct: bool,
}

fn usage() -> ! {
    eprintln!("usage: charges --database-url URL --client-id ID [--writers 16] [--seconds 10] [--mode meter|direct]");
    std::process::exit(2);
}

fn args() -> Args {
    let mut args =
        Args { database_url: String::new(), client_id: String::new(), writers: 16, seconds: 10.0, direct: false };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--database-url" => args.database_url = value,
            "--client-id" => args.client_id = value,
            "--writers" => args.writers = value.parse().unwrap_or_else(|_| usage()),
            "--seconds" => args.seconds = value.parse().unwrap_or_else(|_| usage()),
            "--mode" => {
                args.direct = match value.as_str() {
                    "meter" => false,
                    "direct" => true,
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
    // One charge before the clock starts: fills the meter's client-id cache and the pool.
    meter.charge(&args.client_id, 1).await.expect("a first charge");

    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.writers {
        let (meter, store, client_id, period) = (meter.clone(), store.clone(), args.client_id.clone(), period.clone());
        let direct = args.direct;
        let app_id = app.id;
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            while Instant::now() < deadline {
                let t = Instant::now();
                let outcome = if direct {
                    let now = chrono::Utc::now();
                    let request = ChargeRequest {
                        app: app_id,
                        period: period.clone(),
                        day: now.format("%Y-%m-%d").to_string(),
                        parts: 1,
                    };
                    store.charge_batch(&[request]).await.map(|mut o| o.remove(0)).map_err(|e| e.to_string())
                } else {
                    meter.charge(&client_id, 1).await.map(|c| c.outcome).map_err(|e| e.to_string())
                };
                tally.latencies.push(t.elapsed());
                match outcome {
                    Ok(Outcome::Charged { .. }) => tally.charged += 1,
                    Ok(Outcome::Refused { .. }) => tally.refused += 1,
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
    let counted = used_after - used_before - 1; // minus the warm-up charge
    println!(
        "RESULT backend={:?} mode={} writers={} seconds={elapsed:.2} charged={} refused={} failed={} charges_per_s={:.0} p50_ms={:.3} p99_ms={:.3} max_ms={:.3} counter_delta={counted} counter_matches={}",
        store.backend(),
        if args.direct { "direct" } else { "meter" },
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
