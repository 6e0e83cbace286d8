//! PostgreSQL stopped under load and started again, against the real binary: requests fail fast
//! with 503 and `Retry-After`, `/readyz` says not ready, the server recovers by itself, and the
//! parts charged are exactly the parts served.

mod common;

use std::{
    path::PathBuf,
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

use common::{Server, client_token, provision_supply_app};
use nix::sys::signal::Signal;
use serde_json::{Value, json};

/// A throwaway cluster of Debian's PostgreSQL on a free loopback port (as `.ci/postgres` makes).
struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl Cluster {
    /// `None` when PostgreSQL is not installed, unless FERRITE_TEST_POSTGRES_REQUIRED=1.
    fn start() -> Option<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| versions.flatten().map(|v| v.path().join("bin")).filter(|b| b.is_dir()).max());
        let Some(bin) = bin else {
            let required = std::env::var("FERRITE_TEST_POSTGRES_REQUIRED").is_ok_and(|v| v == "1");
            assert!(!required, "FERRITE_TEST_POSTGRES_REQUIRED=1 but PostgreSQL is not installed");
            eprintln!("skipped: PostgreSQL is not installed (apt-get install postgresql)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        if nix::unistd::geteuid().is_root() {
            assert!(Command::new("chown").arg("postgres:").arg(dir.path()).status().unwrap().success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let cluster = Cluster { dir, bin, port };
        let data = cluster.data();
        cluster.run("initdb", &["-D", &data, "-U", "ferrite", "--auth=trust", "-E", "UTF8"]);
        cluster.start_again();
        Some(cluster)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").to_str().unwrap().to_owned()
    }

    fn url(&self) -> String {
        format!("postgres://ferrite@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs a PostgreSQL program, as the postgres user when the tests run as root.
    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if nix::unistd::geteuid().is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        let output = command.args(args).output().unwrap();
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }

    fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        self.run("pg_ctl", &["-D", &self.data(), "-l", log.to_str().unwrap(), "-w", "start", "-o", &options]);
    }

    fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let mut command = Command::new(self.bin.join("pg_ctl"));
        if nix::unistd::geteuid().is_root() {
            command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(self.bin.join("pg_ctl"));
        }
        let _ = command.args(["-D", &self.data(), "-m", "immediate", "stop"]).output();
    }
}

const QUERY: &str = r#"{ supSearchMpn(q: "TEST", limit: 3) { results { part { id } } } }"#;

#[derive(Default)]
struct Tally {
    served: AtomicI64,
    refused: AtomicI64,
    /// Requests that got no answer at all (the connection closed, a timeout).
    unanswered: AtomicI64,
    /// The slowest 503 seen, in milliseconds.
    slowest_refusal_ms: AtomicI64,
}

/// Queries until `stop`; counts the parts of every answer served and checks every refusal.
async fn client(base: String, token: String, stop: Arc<AtomicBool>, tally: Arc<Tally>) {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    while !stop.load(Ordering::SeqCst) {
        let started = Instant::now();
        let response =
            http.post(format!("{base}/graphql")).bearer_auth(&token).json(&json!({ "query": QUERY })).send().await;
        let Ok(response) = response else {
            tally.unanswered.fetch_add(1, Ordering::SeqCst);
            continue;
        };
        let status = response.status();
        let retry_after = response.headers().get("retry-after").cloned();
        let answer: Value = response.json().await.unwrap();
        if status == 503 {
            assert!(retry_after.is_some(), "a 503 without Retry-After: {answer}");
            tally.refused.fetch_add(1, Ordering::SeqCst);
            tally.slowest_refusal_ms.fetch_max(started.elapsed().as_millis() as i64, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
        } else if let Some(parts) = answer["data"]["supSearchMpn"]["results"].as_array() {
            assert_eq!(status, 200, "{answer}");
            tally.served.fetch_add(parts.len() as i64, Ordering::SeqCst);
            // Paced, so the answers stay well under the app's limit of 2,000 parts.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn readiness(base: &str) -> u16 {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    http.get(format!("{base}/readyz")).send().await.unwrap().status().as_u16()
}

/// Polls `/readyz` until it answers `status`, for at most `within`.
async fn wait_for_readiness(base: &str, status: u16, within: Duration) -> Duration {
    let started = Instant::now();
    while readiness(base).await != status {
        assert!(started.elapsed() < within, "/readyz did not turn {status} within {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgresql_stopped_under_load_gives_fast_503s_and_recovers_with_every_part_counted_once() {
    let Some(cluster) = Cluster::start() else { return };
    let url = cluster.url();
    let dir = tempfile::tempdir().unwrap();
    let (app, client_id, secret) = provision_supply_app(dir.path(), Some(&url), 2_000, 50).await;
    let server = Server::start(dir.path(), &["--database-url", &url]);
    let token = client_token(&server.base, &client_id, &secret).await;

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let clients: Vec<_> =
        (0..4).map(|_| tokio::spawn(client(server.base.clone(), token.clone(), stop.clone(), tally.clone()))).collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let served_before = tally.served.load(Ordering::SeqCst);
    assert!(served_before > 0, "answers while the database is up");

    cluster.stop();
    let noticed = wait_for_readiness(&server.base, 503, Duration::from_secs(10)).await;
    // Requests that began before the outage was noticed may wait for a connection (5 s at most);
    // every one after it is refused at once.
    tokio::time::sleep(Duration::from_secs(6)).await;
    tally.slowest_refusal_ms.store(0, Ordering::SeqCst);
    let refused_before = tally.refused.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let refused = tally.refused.load(Ordering::SeqCst) - refused_before;
    let slowest = tally.slowest_refusal_ms.load(Ordering::SeqCst);
    assert!(refused > 20, "only {refused} refusals in 2 s:\n{}", server.log());
    assert!(slowest < 500, "a refusal took {slowest} ms");
    let started = Instant::now();
    let portal = reqwest::get(server.url("/signin")).await.unwrap();
    assert_eq!(portal.status(), 503);
    assert!(portal.headers().contains_key("retry-after"));
    assert!(started.elapsed() < Duration::from_millis(500));
    let keys = reqwest::get(server.url("/.well-known/jwks.json")).await.unwrap();
    assert_eq!(keys.status(), 200, "signing keys come from memory: tokens can still be verified");

    cluster.start_again();
    let recovered = wait_for_readiness(&server.base, 200, Duration::from_secs(15)).await;
    let served_down = tally.served.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.unwrap();
    }
    let served = tally.served.load(Ordering::SeqCst);
    assert_eq!(tally.unanswered.load(Ordering::SeqCst), 0, "every request is answered:\n{}", server.log());
    assert!(served > served_down, "answers again after the database is back");

    let store = ferrite_store::Store::connect(&url, &Default::default()).await.unwrap();
    let period = ferrite_core::plan::Period::for_app(false, chrono::Utc::now()).key();
    let counted = store.part_usage(app.parse().unwrap(), &period).await.unwrap();
    store.close().await;
    assert_eq!(counted, served, "every part served is charged once: none lost, none doubled");
    eprintln!(
        "outage noticed in {noticed:?}, {refused} refusals in 2 s (slowest {slowest} ms), recovered in {recovered:?}"
    );
    assert!(server.stop_with(Signal::SIGTERM).success());
}
