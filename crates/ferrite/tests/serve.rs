//! `ferrite serve` and `ferrite migrate` as an operator meets them: the real binary, a real socket.

mod common;

use common::{Server, ferrite, run, stderr};
use nix::sys::signal::Signal;

fn data_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A failed start says what is wrong in one line and never panics.
fn assert_clean_failure(output: &std::process::Output, code: i32, mentions: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    for needle in mentions {
        assert!(err.contains(needle), "expected {needle:?} in:\n{err}");
    }
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
}

#[tokio::test]
async fn serves_health_readiness_and_metrics_then_stops_cleanly_on_sigterm() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let client = reqwest::Client::new();
    let health = client.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
    let metrics = client.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 1"#), "{metrics}");
    assert!(dir.path().join("ferrite.db").is_file(), "the embedded store lives in the data directory");

    let status = server.stop_with(Signal::SIGTERM);
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn sigint_stops_it_too() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    assert!(server.stop_with(Signal::SIGINT).success());
}

#[test]
fn an_address_in_use_is_reported() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let dir = data_dir();
    let output = run(ferrite(&["serve", "--listen", &address, "--data-dir", dir.path().to_str().unwrap()]));
    assert_clean_failure(&output, 1, &["cannot listen on", &address, "in use"]);
}

#[test]
fn a_data_directory_that_cannot_be_written_is_reported() {
    // A path below a regular file cannot become a directory, even for root.
    let dir = data_dir();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "").unwrap();
    let blocked = file.join("data");
    let output = run(ferrite(&["serve", "--listen", "127.0.0.1:0", "--data-dir", blocked.to_str().unwrap()]));
    assert_clean_failure(&output, 1, &["data directory", "cannot be created"]);
}

#[test]
fn an_unreachable_database_is_reported_without_its_password() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("postgres://ferrite:s3cret-pw@127.0.0.1:{closed}/ferrite");
    let dir = data_dir();
    let output = run(ferrite(&["serve", "--data-dir", dir.path().to_str().unwrap(), "--database-url", &url]));
    assert_clean_failure(&output, 1, &["unreachable", "ferrite:***@127.0.0.1"]);
    assert!(!stderr(&output).contains("s3cret-pw"));
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_ferrite_is_refused() {
    let dir = data_dir();
    let dir_arg = dir.path().to_str().unwrap();
    assert!(run(ferrite(&["migrate", "--data-dir", dir_arg])).status.success());
    let url = ferrite_store::testing::sqlite_url(dir.path());
    ferrite_store::testing::execute_raw(
        &url,
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         SELECT 99991231000001, 'from the future', installed_on, success, checksum, execution_time
         FROM _sqlx_migrations LIMIT 1",
    )
    .await
    .unwrap();
    let output = run(ferrite(&["serve", "--listen", "127.0.0.1:0", "--data-dir", dir_arg]));
    assert_clean_failure(&output, 1, &["newer Ferrite", "99991231000001"]);
    let output = run(ferrite(&["migrate", "--data-dir", dir_arg]));
    assert_clean_failure(&output, 1, &["newer Ferrite"]);
}

#[test]
fn bad_configuration_stops_the_start_naming_the_key() {
    let dir = data_dir();
    let mut command = ferrite(&["serve", "--data-dir", dir.path().to_str().unwrap()]);
    command.env("FERRITE_SHUTDOWN_TIMEOUT", "whenever");
    assert_clean_failure(&run(command), 2, &["SHUTDOWN_TIMEOUT"]);

    let config = dir.path().join("ferrite.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nlisten_port = 80\n").unwrap();
    let output = run(ferrite(&["serve", "--config", config.to_str().unwrap()]));
    assert_clean_failure(&output, 2, &["listen_port", "ferrite.toml"]);

    let output = run(ferrite(&["serve", "--config", "/nonexistent/ferrite.toml"]));
    assert_clean_failure(&output, 2, &["/nonexistent/ferrite.toml", "does not exist"]);
}

#[test]
fn a_config_file_and_environment_configure_the_server() {
    let dir = data_dir();
    let config = dir.path().join("ferrite.toml");
    let data = dir.path().join("from-file");
    std::fs::write(&config, format!("data_dir = {:?}\nlisten = \"127.0.0.1:0\"\n", data.to_str().unwrap())).unwrap();
    let mut command = ferrite(&["serve", "--config", config.to_str().unwrap()]);
    command.env("FERRITE_PUBLIC_URL", "https://ferrite.example.com");
    let server = Server::spawn(command);
    assert!(data.join("ferrite.db").is_file());
    assert!(server.log().contains("public_url=https://ferrite.example.com/"), "{}", server.log());
    assert!(server.stop_with(Signal::SIGTERM).success());
}

#[test]
fn harness_variables_and_unknown_ferrite_variables_do_not_stop_the_start() {
    let dir = data_dir();
    let mut command = ferrite(&["serve", "--listen", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()]);
    command.env("FERRITE_BIN", "/repo/target/debug/ferrite").env("FERRITE_DATA_DRI", "/typo");
    let server = Server::spawn(command);
    let log = server.log();
    assert!(log.contains("FERRITE_DATA_DRI") && log.contains("ignored"), "a typo is worth a warning: {log}");
    assert!(!log.contains("FERRITE_BIN"), "the harness's own variable passes silently: {log}");
    assert!(server.stop_with(Signal::SIGTERM).success());
}

#[test]
fn help_says_what_each_command_does() {
    let output = run(ferrite(&["--help"]));
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    for line in ["serve", "Run the server", "migrate", "Bring the database schema up to date"] {
        assert!(help.contains(line), "{help}");
    }
    for command in ["serve", "migrate"] {
        let output = run(ferrite(&[command, "--help"]));
        assert!(output.status.success(), "{command} --help");
    }
}

#[tokio::test]
async fn serves_from_postgresql() {
    let Some(base) = ferrite_store::testing::postgres_url() else { return };
    let url = ferrite_store::testing::fresh_postgres_url(&base).await.unwrap();
    let dir = data_dir();
    let server = Server::start(dir.path(), &["--database-url", &url]);
    let ready = reqwest::get(server.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    assert!(!dir.path().join("ferrite.db").exists(), "no SQLite file when PostgreSQL holds the state");
    assert!(server.stop_with(Signal::SIGTERM).success());
}

#[test]
fn a_request_in_flight_at_sigterm_is_answered_before_the_server_exits() {
    use std::io::{Read, Write};
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    let body = r#"{"query":"{ supSearch(q: \"x\") { hits } }"}"#;
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body.as_bytes()[..10]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    nix::sys::signal::kill(server.pid(), Signal::SIGTERM).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("AuthInvalidToken"), "the request was answered in full: {answer}");
    assert!(server.stop_with(Signal::SIGTERM).success());
}

#[test]
fn a_closed_log_pipe_neither_blocks_nor_stops_the_server() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = data_dir();
    // Every request logs at trace level, so each one writes to the closed pipe.
    let mut child = ferrite(&["serve", "--listen", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()])
        .env("FERRITE_LOG", "trace")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = BufReader::new(child.stderr.take().unwrap());
    let address = loop {
        let mut line = String::new();
        assert!(log.read_line(&mut line).unwrap() > 0, "ferrite exited before listening");
        if let Some(rest) = line.split("address=").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    drop(log); // the `tee` of `ferrite serve 2>&1 | tee log` is gone
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let ask = |path: &str| {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    };
    for _ in 0..50 {
        assert!(ask("/healthz").starts_with("HTTP/1.1 200"));
        assert!(ask("/readyz").starts_with("HTTP/1.1 200"));
    }
    nix::sys::signal::kill(pid, Signal::SIGTERM).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("ferrite ignored SIGTERM with its log pipe closed");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
}

#[test]
fn default_logs_leave_out_library_internals() {
    let dir = data_dir();
    let server = Server::start(dir.path(), &[]);
    let log = server.log();
    assert!(server.stop_with(Signal::SIGTERM).success());
    for internal in ["tantivy", "sqlx"] {
        assert!(!log.contains(internal), "{internal} at the default level:\n{log}");
    }
}
