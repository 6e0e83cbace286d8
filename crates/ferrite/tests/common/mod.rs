//! Runs the real `ferrite` binary: one-shot commands, and servers on a free port that tests stop
//! with a signal.

#![allow(dead_code)]

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, ExitStatus, Output, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use nix::{sys::signal, unistd::Pid};

/// A `ferrite` command with a clean environment: no FERRITE_* variables leak in from the caller.
pub fn ferrite(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferrite"));
    for (key, _) in std::env::vars() {
        if key.starts_with("FERRITE_") {
            command.env_remove(key);
        }
    }
    command.args(args).stdin(Stdio::null());
    command
}

/// Runs a command to completion, with a bound on how long it may take.
pub fn run(mut command: Command) -> Output {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = command.spawn().expect("start ferrite");
    let pid = child.id();
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(60));
        let _ = signal::kill(Pid::from_raw(pid as i32), signal::Signal::SIGKILL);
    });
    let output = child.wait_with_output().expect("wait for ferrite");
    drop(watchdog);
    output
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A running `ferrite serve`, stopped with SIGKILL if a test forgets to stop it.
pub struct Server {
    child: Child,
    pub base: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `ferrite serve` on a free loopback port with `data_dir`, plus `args`.
    pub fn start(data_dir: &Path, args: &[&str]) -> Server {
        let mut command = ferrite(&["serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir.to_str().unwrap()]);
        command.args(args);
        Server::spawn(command)
    }

    pub fn spawn(mut command: Command) -> Server {
        command.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("start ferrite serve");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let lines = BufReader::new(child.stderr.take().unwrap());
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                let address = line.split("address=").nth(1).and_then(|rest| rest.split_whitespace().next());
                let address = address.map(str::to_owned);
                sink.lock().unwrap().push(line);
                if let Some(address) = address {
                    let _ = address_tx.send(address);
                }
            }
        });
        match address_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(address) => Server { child, base: format!("http://{address}"), log },
            Err(_) => {
                let _ = child.kill();
                panic!("ferrite serve did not start listening:\n{}", log.lock().unwrap().join("\n"));
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn pid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// Sends `sig` and waits (bounded) for the process to exit.
    pub fn stop_with(mut self, sig: signal::Signal) -> ExitStatus {
        signal::kill(self.pid(), sig).expect("signal ferrite");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for ferrite") {
                return status;
            }
            assert!(Instant::now() < deadline, "ferrite did not exit after {sig}:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `ferrite <args> --data-dir <dir> [--database-url <url>]` and returns its stdout, failing the test on error.
pub fn admin(dir: &Path, database_url: Option<&str>, args: &[&str], stdin: Option<&str>) -> String {
    let mut command = ferrite(args);
    command.args(["--data-dir", dir.to_str().unwrap()]);
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("start ferrite");
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "ferrite {args:?}: {}", stderr(&output));
    String::from_utf8(output.stdout).unwrap()
}

/// A supply app with `part_limit` parts on the Standard plan, in a database with `parts`
/// synthetic parts (`TEST-00001`…). Returns (app id, client id, client secret).
pub async fn provision_supply_app(
    dir: &Path,
    database_url: Option<&str>,
    part_limit: i64,
    parts: usize,
) -> (String, String, String) {
    admin(dir, database_url, &["migrate"], None);
    let url = database_url.map_or_else(|| ferrite_store::testing::sqlite_url(dir), str::to_owned);
    let store = ferrite_store::Store::connect(&url, &Default::default()).await.unwrap();
    ferrite_store::testing::write_synthetic_parts(&store, parts).await.unwrap();
    store.close().await;
    admin(
        dir,
        database_url,
        &["admin", "user", "create", "--email", "ops@example.com", "--password-stdin"],
        Some("correct horse battery\n"),
    );
    admin(dir, database_url, &["admin", "org", "create", "--name", "Meters", "--owner", "ops@example.com"], None);
    admin(dir, database_url, &["admin", "plan", "set", "--org", "Meters", "--plan", "Standard"], None);
    let limit = part_limit.to_string();
    let created = admin(
        dir,
        database_url,
        &[
            "admin",
            "app",
            "create",
            "--org",
            "Meters",
            "--name",
            "meter",
            "--scopes",
            "supply",
            "--part-limit",
            &limit,
            "--json",
        ],
        None,
    );
    let app: serde_json::Value = serde_json::from_str(&created).unwrap();
    let field = |name: &str| app[name].as_str().unwrap().to_owned();
    (field("id"), field("client_id"), field("client_secret"))
}

/// A client-credentials access token from a running server.
pub async fn client_token(base: &str, client_id: &str, secret: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/connect/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap_or_else(|| panic!("no token: {body}")).to_owned()
}
