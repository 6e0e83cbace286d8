//! The one HTTP client of every outgoing fetch, against local servers: TLS with a configured
//! test CA, an untrusted certificate refused, transient failures retried, `Retry-After` waited.

mod support;

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};
use std::time::{Duration, Instant};

use ferrite_supply::http::{HttpClient, HttpOptions};
use support::{response, serve, test_ca};

/// Options that retry fast: the tests wait for `Retry-After`, not for backoff.
fn quick() -> HttpOptions {
    HttpOptions { backoff: Duration::from_millis(10), ..HttpOptions::default() }
}

#[test]
fn https_with_a_configured_root_fetches_and_an_untrusted_certificate_is_refused() {
    let ca = test_ca();
    let address = serve(Some(ca.server.clone()), |path| response("200 OK", &[], format!("hello {path}").as_bytes()));
    let url = format!("https://127.0.0.1:{}/x", address.port());

    // The bundled roots do not know the test CA: refused at once (no retry), saying why and what to do.
    let started = Instant::now();
    let err = HttpClient::new(&quick()).unwrap().get(&url).expect_err("an untrusted certificate is refused");
    let message = err.to_string();
    assert!(message.starts_with(&url), "{message}");
    assert!(message.contains("TLS failed") && message.contains("UnknownIssuer"), "{message}");
    assert!(message.contains("fetch.extra_root_certificates"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(5));

    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("ca.pem");
    std::fs::write(&pem, &ca.pem).unwrap();
    let trusting = HttpOptions { extra_root_certificates: vec![pem.clone()], ..quick() };
    assert_eq!(trusting.validate(), Ok(()));
    let body = HttpClient::new(&trusting).unwrap().get(&url).unwrap().text().unwrap();
    assert_eq!(body, "hello /x");

    std::fs::write(&pem, "not a certificate").unwrap();
    let broken = trusting.validate().unwrap_err();
    assert!(broken.contains("fetch.extra_root_certificates") && broken.contains("no PEM certificate"), "{broken}");
}

/// A server that answers `first` to the first `times` requests, then 200 with `ok`.
fn flaky(first: Vec<u8>, times: usize) -> (String, Arc<AtomicUsize>) {
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    let address = serve(None, move |_| {
        let n = counted.fetch_add(1, Ordering::SeqCst);
        if n < times { first.clone() } else { response("200 OK", &[], b"ok") }
    });
    (format!("http://{address}/feed"), requests)
}

#[test]
fn transient_failures_are_retried_and_retry_after_is_waited_for() {
    let (url, requests) = flaky(response("503 Service Unavailable", &[("Retry-After", "1")], b""), 2);
    let started = Instant::now();
    let body = HttpClient::new(&quick()).unwrap().get(&url).unwrap().text().unwrap();
    assert_eq!(body, "ok");
    assert_eq!(requests.load(Ordering::SeqCst), 3);
    assert!(started.elapsed() >= Duration::from_secs(2), "waited Retry-After twice: {:?}", started.elapsed());

    let (url, requests) = flaky(response("429 Too Many Requests", &[], b""), 10);
    let err = HttpClient::new(&HttpOptions { retries: 2, ..quick() }).unwrap().get(&url).unwrap_err();
    assert_eq!(requests.load(Ordering::SeqCst), 3, "the first attempt and 2 retries");
    assert!(err.to_string().ends_with("HTTP 429 Too Many Requests (after 3 attempts)"), "{err}");

    let (url, requests) = flaky(response("404 Not Found", &[], b""), 10);
    let err = HttpClient::new(&quick()).unwrap().get(&url).unwrap_err();
    assert_eq!(requests.load(Ordering::SeqCst), 1, "a 404 is not retried");
    assert_eq!(err.reason(), "HTTP 404 Not Found");

    let (url, requests) = flaky(response("503 Service Unavailable", &[("Retry-After", "3600")], b""), 10);
    let err = HttpClient::new(&quick()).unwrap().get(&url).unwrap_err();
    assert_eq!(requests.load(Ordering::SeqCst), 1, "an hour's wait is not waited for");
    assert!(err.reason().contains("retry after 3600 s (more than the 120 s `fetch.max_retry_after`)"), "{err}");
}

#[test]
fn an_unreachable_server_fails_after_the_retries_naming_it_without_credentials() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let url = format!("http://mirror:hunter2@{closed}/feed");
    let err = HttpClient::new(&HttpOptions { retries: 1, ..quick() }).unwrap().get(&url).unwrap_err();
    assert!(err.reason().starts_with("cannot connect"), "{err}");
    assert!(err.reason().ends_with("(after 2 attempts)"), "{err}");
    assert!(err.to_string().starts_with(&format!("http://{closed}/feed: ")), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}
