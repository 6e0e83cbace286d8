//! Slow and idle clients against the real binary on a real socket: every connection is cut off
//! or shed in time, and a fresh client is always served.

mod common;

use std::{
    io::{Read, Write},
    net::TcpStream,
    os::unix::process::CommandExt,
    time::{Duration, Instant},
};

use common::{Server, ferrite};
use nix::sys::signal::Signal;

/// `ferrite serve` on a free port with the given `FERRITE_*` settings.
fn serve(dir: &std::path::Path, settings: &[(&str, &str)]) -> Server {
    let mut command = ferrite(&["serve", "--listen", "127.0.0.1:0", "--data-dir", dir.to_str().unwrap()]);
    command.envs(settings.iter().copied());
    Server::spawn(command)
}

fn address(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_owned()
}

fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(address(server)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream
}

/// Reads until the server closes the connection; returns what it sent and how long that took.
fn read_until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            // A reset also closes it (the server may close with unread bytes from us).
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(err) => panic!("the server kept the connection open for {:?}: {err}", started.elapsed()),
        }
    }
    (String::from_utf8_lossy(&answer).into_owned(), started.elapsed())
}

/// One `GET path` on a fresh connection, answered within `within`.
fn get(server: &Server, path: &str, within: Duration) -> String {
    let started = Instant::now();
    let mut stream = connect(server);
    let host = address(server);
    // A refused connection may be reset before the request is written: the answer is then empty.
    let _ = write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let (answer, _) = read_until_closed(&mut stream);
    assert!(started.elapsed() < within, "GET {path} took {:?}", started.elapsed());
    answer
}

#[test]
fn headers_sent_slowly_are_cut_off_at_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[("FERRITE_HTTP__HEADER_TIMEOUT", "1s")]);
    let mut stream = connect(&server);
    let started = Instant::now();
    stream.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
    // One header line every 200 ms would keep an unbounded server waiting for ever.
    for n in 0..50 {
        std::thread::sleep(Duration::from_millis(200));
        if stream.write_all(format!("X-Slow-{n}: 1\r\n").as_bytes()).is_err() {
            break;
        }
    }
    let (answer, _) = read_until_closed(&mut stream);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(4), "cut off after {elapsed:?}");
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(get(&server, "/healthz", Duration::from_secs(2)).starts_with("HTTP/1.1 200"));
    assert!(server.stop_with(Signal::SIGTERM).success());
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[("FERRITE_HTTP__HEADER_TIMEOUT", "1s")]);
    let mut stream = connect(&server);
    let host = address(&server);
    write!(stream, "GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
    let mut first = [0u8; 512];
    let n = stream.read(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    let (rest, idle) = read_until_closed(&mut stream);
    assert!(rest.is_empty(), "{rest}");
    assert!(idle < Duration::from_secs(3), "an idle connection stayed {idle:?}");
    assert!(server.stop_with(Signal::SIGTERM).success());
}

#[test]
fn a_body_sent_a_byte_at_a_time_is_cut_with_408() {
    let dir = tempfile::tempdir().unwrap();
    let settings = [("FERRITE_HTTP__BODY_TIMEOUT", "1s"), ("FERRITE_HTTP__BODY_MIN_RATE", "100")];
    let server = serve(dir.path(), &settings);
    let mut stream = connect(&server);
    let host = address(&server);
    let started = Instant::now();
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    .unwrap();
    // A byte every 200 ms never pauses for the whole timeout, but averages 5 bytes a second.
    stream.set_nonblocking(true).unwrap();
    let mut answer = Vec::new();
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(200));
        let mut chunk = [0u8; 1024];
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => break,
        }
        if !answer.is_empty() || stream.write_all(b" ").is_err() {
            break;
        }
    }
    let elapsed = started.elapsed();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "after {elapsed:?}: {answer}");
    assert!(answer.to_lowercase().contains("connection: close"), "{answer}");
    assert!(elapsed < Duration::from_secs(5), "cut after {elapsed:?}");
    assert!(server.stop_with(Signal::SIGTERM).success());
}

#[test]
fn at_the_connection_bound_an_idle_connection_makes_room_and_busy_ones_refuse_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[("FERRITE_HTTP__MAX_CONNECTIONS", "4"), ("FERRITE_HTTP__HEADER_TIMEOUT", "60s")]);
    let idle: Vec<TcpStream> = (0..4).map(|_| connect(&server)).collect();
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..3 {
        assert!(get(&server, "/healthz", Duration::from_secs(2)).starts_with("HTTP/1.1 200"));
    }
    drop(idle);

    // Four requests whose bodies are still arriving are not idle: a fifth connection is told
    // at once that there is no room. The server's `100 Continue` says it is reading the body,
    // so each is busy before the fifth comes (however loaded the machine).
    let host = address(&server);
    let busy: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut stream = connect(&server);
            write!(
                stream,
                "POST /graphql HTTP/1.1\r\nHost: {host}\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n"
            )
            .unwrap();
            let mut continued = [0u8; 25];
            stream.read_exact(&mut continued).unwrap();
            assert_eq!(&continued, b"HTTP/1.1 100 Continue\r\n\r\n");
            stream.write_all(b"{").unwrap();
            stream
        })
        .collect();
    let refused = get(&server, "/healthz", Duration::from_secs(2));
    assert!(refused.is_empty() || refused.starts_with("HTTP/1.1 503"), "{refused}");
    drop(busy);
    std::thread::sleep(Duration::from_millis(300));
    assert!(get(&server, "/healthz", Duration::from_secs(2)).starts_with("HTTP/1.1 200"));
    assert!(server.stop_with(Signal::SIGTERM).success());
}

#[test]
fn a_client_holding_more_sockets_than_the_descriptor_limit_does_not_lock_others_out() {
    let log = hold_more_sockets_than_descriptors(&[]);
    assert!(!log.contains("out of file descriptors"), "the derived bound keeps accept from failing:\n{log}");
    assert!(!log.contains("unable to open"), "and leaves the store its files:\n{log}");
}

#[test]
fn running_out_of_descriptors_sheds_idle_connections_even_above_a_configured_bound() {
    // A bound above the descriptor limit: accept itself fails with EMFILE, and idle connections
    // are closed to make room.
    let log = hold_more_sockets_than_descriptors(&[("FERRITE_HTTP__MAX_CONNECTIONS", "1000")]);
    assert!(log.contains("out of file descriptors"), "{log}");
}

/// `ferrite serve` with 64 descriptors; a client opens 128 idle sockets; fresh clients are served.
/// Returns the server's log.
fn hold_more_sockets_than_descriptors(settings: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut command = ferrite(&["serve", "--listen", "127.0.0.1:0", "--data-dir", dir.path().to_str().unwrap()]);
    command.envs(settings.iter().copied());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE, 64, 64)
                .map_err(std::io::Error::from)
        });
    }
    command.env("FERRITE_DATABASE_MAX_CONNECTIONS", "4");
    let server = Server::spawn(command);
    // Twice the server's whole descriptor limit, opened and left idle.
    let hoard: Vec<TcpStream> = (0..128).map(|_| TcpStream::connect(address(&server)).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(500));
    for path in ["/healthz", "/readyz", "/healthz"] {
        let answer = get(&server, path, Duration::from_secs(3));
        assert!(answer.starts_with("HTTP/1.1 200"), "{path}: {answer}");
    }
    drop(hoard);
    let log = server.log();
    assert!(server.stop_with(Signal::SIGTERM).success());
    log
}

#[test]
fn shutdown_does_not_wait_for_idle_connections() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path(), &[("FERRITE_HTTP__HEADER_TIMEOUT", "60s")]);
    let _idle: Vec<TcpStream> = (0..10).map(|_| connect(&server)).collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    assert!(server.stop_with(Signal::SIGTERM).success());
    assert!(started.elapsed() < Duration::from_secs(3), "stopping took {:?}", started.elapsed());
}
