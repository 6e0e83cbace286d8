//! The one HTTP client of every outgoing fetch (jlcparts layouts, the exchange-rate feed): http://
//! and https:// (rustls on the aws-lc-rs provider, the system's root certificates plus any
//! configured extra root), timeouts, and retries with exponential backoff and jitter for
//! transient failures, waiting at least what a `Retry-After` asks. Proxies come from
//! `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` (reqwest reads them). Blocking: its callers run on
//! threads of their own.

use std::{path::PathBuf, time::Duration};

use reqwest::{
    Certificate, StatusCode,
    blocking::{Client, Response},
    header::RETRY_AFTER,
};
use serde::{Deserialize, Serialize};

/// How outgoing fetches connect, wait and retry (`[fetch]` in the configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpOptions {
    /// Longest wait for a connection (TCP and TLS).
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Longest a request may take, its whole body read included.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Attempts after the first for a transient failure (connect error, timeout, 408, 429, 5xx).
    pub retries: u32,
    /// The first backoff; each retry doubles it (up to a minute), with random jitter.
    #[serde(with = "humantime_serde")]
    pub backoff: Duration,
    /// Longest `Retry-After` waited for: a server asking for more fails the fetch instead.
    #[serde(with = "humantime_serde")]
    pub max_retry_after: Duration,
    /// PEM files of root certificates trusted besides the system's (a private CA).
    pub extra_root_certificates: Vec<PathBuf>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            connect_timeout: Duration::from_secs(30),
            timeout: Duration::from_secs(600),
            retries: 3,
            backoff: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(120),
            extra_root_certificates: Vec::new(),
        }
    }
}

const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Why a fetch failed, in a sentence for the operator (never a credential: URLs only).
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("cannot start the HTTP client: {0}")]
    Setup(String),
    #[error("{url}: {reason}")]
    Fetch { url: String, reason: String },
}

impl HttpError {
    /// What failed, without the URL (for a report that names it already).
    pub fn reason(&self) -> &str {
        match self {
            HttpError::Setup(reason) | HttpError::Fetch { reason, .. } => reason,
        }
    }
}

impl HttpOptions {
    pub fn validate(&self) -> Result<(), String> {
        if self.connect_timeout.is_zero() || self.timeout.is_zero() {
            return Err("`fetch.connect_timeout` and `fetch.timeout` must be more than 0".into());
        }
        for path in &self.extra_root_certificates {
            load_roots(path).map_err(|err| format!("`fetch.extra_root_certificates`: {err}"))?;
        }
        Ok(())
    }
}

fn load_roots(path: &PathBuf) -> Result<Vec<Certificate>, String> {
    let pem = std::fs::read(path).map_err(|err| format!("{}: cannot read: {err}", path.display()))?;
    let certs = Certificate::from_pem_bundle(&pem)
        .map_err(|err| format!("{}: cannot read PEM certificates: {err}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: holds no PEM certificate", path.display()));
    }
    Ok(certs)
}

/// The process's fetch settings: set once from the configuration ([`configure`]) so every fetch,
/// whichever feed or job starts it, connects the same way.
static OPTIONS: std::sync::RwLock<Option<HttpOptions>> = std::sync::RwLock::new(None);

/// Sets the options every [`HttpClient::configured`] client uses from now on.
pub fn configure(options: HttpOptions) {
    *OPTIONS.write().expect("fetch options lock") = Some(options);
}

pub struct HttpClient {
    client: Client,
    options: HttpOptions,
}

impl HttpClient {
    /// A client with the configured options ([`configure`]), or the defaults.
    pub fn configured() -> Result<HttpClient, HttpError> {
        let options = OPTIONS.read().expect("fetch options lock").clone().unwrap_or_default();
        HttpClient::new(&options)
    }

    pub fn new(options: &HttpOptions) -> Result<HttpClient, HttpError> {
        let mut extra_roots = Vec::new();
        for path in &options.extra_root_certificates {
            extra_roots.extend(load_roots(path).map_err(HttpError::Setup)?);
        }
        let client = Client::builder()
            .tls_backend_rustls()
            .tls_certs_merge(extra_roots)
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .user_agent(concat!("ferrite/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| HttpError::Setup(err.to_string()))?;
        Ok(HttpClient { client, options: options.clone() })
    }

    /// GETs `url`: a response with a success status, after retrying transient failures.
    pub fn get(&self, url: &str) -> Result<Response, HttpError> {
        let shown = without_credentials(url);
        let fail = |reason: String| HttpError::Fetch { url: shown.clone(), reason };
        let mut attempt = 0;
        loop {
            let (reason, wait) = match self.client.get(url).send() {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => {
                    let status = response.status();
                    let reason = format!("HTTP {status}");
                    if !is_transient(status) {
                        return Err(fail(reason));
                    }
                    match retry_after(&response) {
                        Some(asked) if asked > self.options.max_retry_after => {
                            return Err(fail(format!(
                                "{reason}, retry after {} s (more than the {} s `fetch.max_retry_after`)",
                                asked.as_secs(),
                                self.options.max_retry_after.as_secs()
                            )));
                        }
                        asked => (reason, asked),
                    }
                }
                Err(err) => {
                    if let Some(tls) = tls_failure(&err) {
                        return Err(fail(format!(
                            "TLS failed: {tls} (a private CA goes in `fetch.extra_root_certificates`)"
                        )));
                    }
                    if !(err.is_connect() || err.is_timeout() || err.is_request()) {
                        return Err(fail(describe(&err)));
                    }
                    (describe(&err), None)
                }
            };
            if attempt >= self.options.retries {
                let tries = attempt + 1;
                return Err(fail(format!("{reason} (after {tries} attempt{})", if tries == 1 { "" } else { "s" })));
            }
            let wait = wait.unwrap_or(Duration::ZERO).max(self.backoff(attempt));
            tracing::warn!(url = shown, reason, retry_in_ms = wait.as_millis() as u64, "fetch failed, retrying");
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    /// A request to build and [`HttpClient::send`]: with this client's TLS roots, timeouts and proxies.
    pub fn request(&self, method: reqwest::Method, url: &str) -> reqwest::blocking::RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends `request` once, whatever status it answers: for callers that count each call
    /// (a connector spends its budget per call) and read statuses themselves. `Err` only when
    /// no answer came, in a sentence without the URL's query (where API keys travel).
    pub fn send(&self, request: reqwest::blocking::RequestBuilder) -> Result<Response, String> {
        request.send().map_err(|err| match tls_failure(&err) {
            Some(tls) => format!("TLS failed: {tls} (a private CA goes in `fetch.extra_root_certificates`)"),
            None => describe(&err.without_url()),
        })
    }

    /// `backoff × 2^attempt` (capped), times a random factor in [0.5, 1): retries of many
    /// clients spread out instead of arriving together.
    fn backoff(&self, attempt: u32) -> Duration {
        let full = self.options.backoff.saturating_mul(1 << attempt.min(16)).min(MAX_BACKOFF);
        full.mul_f64(0.5 + fastrand::f64() / 2.0)
    }
}

/// `url` as errors and logs show it: without a user name or password in it.
fn without_credentials(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

fn is_transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// `Retry-After` as seconds or an HTTP date.
pub(crate) fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// The rustls error under a failed request, if TLS is what failed (an untrusted or wrong
/// certificate is not worth retrying).
fn tls_failure(err: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = source {
        if let Some(tls) = as_tls(current) {
            return Some(tls.to_string());
        }
        source = current.source();
    }
    None
}

/// `err` as a rustls error, looking inside the `io::Error`s the connector wraps it in (twice):
/// their `source()` skips the error they hold.
fn as_tls<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    let io = err.downcast_ref::<std::io::Error>()?;
    io.get_ref().and_then(|inner| as_tls(inner))
}

/// The error with its causes (reqwest's own message says only "error sending request").
fn describe(err: &reqwest::Error) -> String {
    let mut text = String::from(if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    });
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
