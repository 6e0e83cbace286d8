//! What the feed tests share: a sink that keeps what an adapter reads, and local servers for the
//! fetch tests (plain HTTP/1.0, or TLS with a certificate of a test CA, one connection at a time).

#![allow(dead_code)] // Each test file uses its part.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::{Compression, write::GzEncoder};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use ferrite_supply::feeds::{FeedError, PartSink};
use ferrite_supply::model::{FeedPart, Location};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// A test CA, and a server configuration whose certificate (for `localhost` and 127.0.0.1) it signed.
pub struct TestCa {
    /// The CA's certificate, PEM: what a client is configured to trust.
    pub pem: String,
    pub server: Arc<rustls::ServerConfig>,
}

pub fn test_ca() -> TestCa {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Ferrite test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())))
        .unwrap();
    TestCa { pem: ca.pem(), server: Arc::new(server) }
}

/// A whole HTTP/1.0 response.
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!("HTTP/1.0 {status}\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    [head.into_bytes(), body.to_vec()].concat()
}

/// Serves on a local port: `answer` gets each request's path and returns the response. With
/// `tls`, over TLS (a client that refuses the certificate gets no answer).
pub fn serve(
    tls: Option<Arc<rustls::ServerConfig>>,
    mut answer: impl FnMut(&str) -> Vec<u8> + Send + 'static,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            match &tls {
                None => exchange(stream, &mut answer),
                Some(config) => {
                    let connection = rustls::ServerConnection::new(config.clone()).unwrap();
                    let mut tls = rustls::StreamOwned::new(connection, stream);
                    exchange(&mut tls, &mut answer);
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                }
            }
        }
    });
    address
}

fn exchange(mut stream: impl Read + Write, answer: &mut impl FnMut(&str) -> Vec<u8>) {
    let mut request = Vec::new();
    let mut byte = [0];
    while !request.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => request.push(byte[0]),
            _ => return,
        }
    }
    let request = String::from_utf8_lossy(&request);
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let _ = stream.write_all(&answer(&path));
    let _ = stream.flush();
}

#[derive(Default)]
/// Keeps what an adapter reads, for the feed tests.
pub struct Collect {
    pub parts: Vec<FeedPart>,
    pub skips: Vec<(Location, String)>,
    pub progress: Vec<(u64, Option<u64>)>,
}

impl PartSink for Collect {
    fn part(&mut self, part: FeedPart) -> Result<(), FeedError> {
        self.parts.push(part);
        Ok(())
    }
    fn skip(&mut self, at: Location, reason: String) {
        self.skips.push((at, reason));
    }
    fn progress(&mut self, done: u64, total: Option<u64>) {
        self.progress.push((done, total));
    }
}

impl Collect {
    pub fn part(&self, mpn: &str) -> &FeedPart {
        self.parts.iter().find(|p| p.mpn == mpn).unwrap_or_else(|| panic!("no part {mpn} in {:?}", self.parts))
    }
}

/// `../shared/data` next to the repository, when this machine has it.
pub fn shared_data(what: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(what);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent (real feed data is not part of the repository)", dir.display());
        None
    }
}

/// Writes `text` gzipped to `path`.
pub fn gzip(path: &Path, text: &str) {
    let mut encoder = GzEncoder::new(std::fs::File::create(path).unwrap(), Compression::default());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap();
}

/// A Kitspace PartInfo cache in KiCost's shape, written for the tests (`tests/data`): text misread
/// as Latin-1 as in the real one; a resistor answered by its MPN (record 1) and by a Digi-Key SKU
/// (2), a capacitor (3), an IC (4), an empty answer (5), an answer without an MPN (6), and a
/// part with an unpriceable offer (7).
pub fn kitspace_cache() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kitspace-partinfo.json")
}

/// One test module per backend, each running every `case(store, dir)`: SQLite always,
/// PostgreSQL when `FERRITE_TEST_POSTGRES_URL` names a server. The caller imports `TestDb`.
#[allow(unused_macros)] // Only the store tests run on both backends.
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $case() {
                let db = super::TestDb::sqlite().await;
                super::$case(db.store.clone(), db.path()).await
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $case() {
                let Some(db) = super::TestDb::postgres().await else { return };
                super::$case(db.store.clone(), db.path()).await
            })*
        }
    };
}
#[allow(unused_imports)] // Only the store tests run on both backends.
pub(crate) use on_both_backends;
