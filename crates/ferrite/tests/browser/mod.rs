//! The portal through the real server in process (`harness`), at a fixed time; and a browser-like
//! client that keeps cookies per person.

#![allow(dead_code)]

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
};

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use chrono::{DateTime, TimeZone, Utc};
use ferrite_core::FakeClock;
use ferrite_identity::Identity;
use ferrite_store::Store;
use tower::ServiceExt;

use crate::harness::{self, Harness};

pub const ISSUER: &str = harness::PUBLIC_URL;
pub const PASSWORD: &str = harness::PASSWORD;

pub struct TestApp {
    pub router: Router,
    pub identity: Arc<Identity>,
    pub clock: FakeClock,
    pub store: Store,
    pub db_url: String,
    /// Each client connects from an address of its own, as people do.
    peers: AtomicU32,
    _harness: Harness,
}

pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 15, 10, 0, 0).unwrap()
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::on(Harness::setup().at(start_time()).start().await)
    }

    /// The apps on PostgreSQL, when `FERRITE_TEST_POSTGRES_URL` names a server (each in a schema
    /// of its own).
    pub async fn on_postgres() -> Option<TestApp> {
        Some(TestApp::on(Harness::setup().at(start_time()).start_on_postgres().await?))
    }

    fn on(harness: Harness) -> TestApp {
        TestApp {
            router: harness.router.clone(),
            identity: harness.state.identity.clone(),
            clock: harness.clock.clone(),
            store: harness.state.store.clone(),
            db_url: harness.db.url.clone(),
            peers: AtomicU32::new(1),
            _harness: harness,
        }
    }

    /// Writes `count` synthetic parts into the catalogue and catches the catalogue up with them,
    /// as its watcher does within seconds.
    pub async fn write_synthetic_parts(&self, count: usize) {
        self._harness.synthetic_parts(count).await;
    }

    /// Imports `csv` as a snapshot of feed `feed` (the harness's) and catches the catalogue up.
    pub async fn import_csv(&self, feed: &str, csv: &str) {
        self._harness.import_csv(feed, csv).await;
    }

    /// A GraphQL query to the API with a bearer token, as an app sends it; the answer as JSON.
    pub async fn graphql(&self, token: &str, query: &str) -> serde_json::Value {
        self._harness.graphql(token, query).await
    }

    pub fn client(&self) -> Client {
        let n = self.peers.fetch_add(1, Ordering::Relaxed);
        self.client_from(&format!("10.9.{}.{}", n / 250, n % 250 + 1))
    }

    /// A browser connecting from `ip`.
    pub fn client_from(&self, ip: &str) -> Client {
        let peer = SocketAddr::new(ip.parse().unwrap(), 40000);
        Client { router: self.router.clone(), cookies: HashMap::new(), csrf: String::new(), peer }
    }

    /// A person who signed up (with an organization named `org`) and is signed in.
    pub async fn person(&self, email: &str, org: &str) -> Client {
        let mut client = self.client();
        client.get("/signup").await;
        let response = client.post("/signup", &[("email", email), ("password", PASSWORD), ("organization", org)]).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
        client.sign_in(email).await;
        client
    }
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent (a download's bytes).
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The text between `before` and the next `after` in the body.
    pub fn between(&self, before: &str, after: &str) -> Option<String> {
        let start = self.body.find(before)? + before.len();
        let end = self.body[start..].find(after)? + start;
        Some(self.body[start..end].to_owned())
    }
}

/// A browser: keeps cookies, and sends the CSRF token of the last page it was shown with forms.
pub struct Client {
    router: Router,
    pub cookies: HashMap<String, String>,
    pub csrf: String,
    pub peer: SocketAddr,
}

impl Client {
    /// Signs in (if not signed in already) with the password every test person has, then opens
    /// a page of the portal, as a browser lands on one.
    pub async fn sign_in(&mut self, email: &str) {
        if self.get("/apps").await.status == StatusCode::OK {
            return;
        }
        self.get("/signin").await;
        let signed_in = self.post("/signin", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
        self.get("/apps").await;
    }

    async fn send(&mut self, mut request: Request<Body>) -> Response {
        request.extensions_mut().insert(axum::extract::ConnectInfo(self.peer));
        let response = self.router.clone().oneshot(request).await.unwrap();
        for value in response.headers().get_all(header::SET_COOKIE) {
            let cookie = value.to_str().unwrap();
            let (pair, attributes) = cookie.split_once(';').unwrap_or((cookie, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        let response = Response { status, headers, body, bytes: bytes.to_vec() };
        if let Some(token) = response.between("name=\"csrf_token\" value=\"", "\"") {
            self.csrf = token;
        }
        response
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let request = Request::get(path).header(header::COOKIE, self.cookie_header()).body(Body::empty()).unwrap();
        self.send(request).await
    }

    /// A GET with these request headers too.
    pub async fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut request = Request::get(path).header(header::COOKIE, self.cookie_header());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Posts a form with the CSRF token a real page would carry.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf.clone();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token unless given).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let request = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Posts a multipart form (text fields, then one file) with the CSRF token a real page would carry.
    pub async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> Response {
        let boundary = "ferrite-portal-test-boundary";
        let token = self.csrf.clone();
        let mut body = Vec::new();
        for (name, value) in [("csrf_token", token.as_str())].iter().chain(fields) {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Creates an app through the form; returns (app id, client id, secret).
    pub async fn create_app(&mut self, name: &str, scopes: &[&str]) -> (String, String, String) {
        let mut fields = vec![("name", name), ("description", "")];
        fields.extend(scopes.iter().map(|s| ("scopes", *s)));
        let created = self.post("/apps", &fields).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        assert!(created.location().ends_with("?created=1"), "{}", created.location());
        let page = self.get(created.location()).await;
        let id = page.between("action=\"/apps/", "\"").unwrap().split('/').next().unwrap().to_owned();
        let client_id = page.between("<code id=\"client-id\">", "</code>").unwrap();
        let secret = page.between("<code id=\"client-secret\" class=\"secret\">", "</code>").unwrap();
        (id, client_id, secret)
    }
}
