//! The real server in process: `AppState` as `ferrite serve` starts it, on a fresh store (SQLite,
//! or PostgreSQL when `FERRITE_TEST_POSTGRES_URL` names a server) with a `FakeClock`, reached
//! through the real router by `tower::oneshot` or on a socket; and builders for people,
//! organizations, apps and catalogue content. (`common` runs the binary itself.)

#![allow(dead_code)]

use std::{net::SocketAddr, sync::Arc};

use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode, header},
};
use chrono::{DateTime, Utc};
use ferrite::{AppState, config::Config};
use ferrite_core::{
    Clock, FakeClock, OrgId, UserId,
    org::{Organization, User},
};
use ferrite_identity::{CreatedApp, TokenRequest};
use ferrite_store::testing::TestDb;
use ferrite_supply::{
    feeds::Adapter,
    import::{Mode, import},
};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const PUBLIC_URL: &str = "http://ferrite.test";
/// The password of every person the builders make.
pub const PASSWORD: &str = "correct horse battery";

pub struct Harness {
    pub state: AppState,
    pub router: Router,
    pub clock: FakeClock,
    pub db: TestDb,
}

/// What a harness starts with: the configuration `ferrite serve` would read, and the time.
pub struct Setup {
    pub config: Config,
    pub now: DateTime<Utc>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup { config: Config::default(), now: Utc::now() }
    }
}

impl Setup {
    pub fn configure(mut self, change: impl FnOnce(&mut Config)) -> Self {
        change(&mut self.config);
        self
    }

    pub fn at(self, now: DateTime<Utc>) -> Self {
        Setup { now, ..self }
    }

    /// The server on SQLite.
    pub async fn start(self) -> Harness {
        Harness::on(TestDb::sqlite().await, self).await
    }

    /// The server on PostgreSQL, when a test server is configured.
    pub async fn start_on_postgres(self) -> Option<Harness> {
        Some(Harness::on(TestDb::postgres().await?, self).await)
    }
}

/// An HTTP answer, its body read.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.text()))
    }
}

impl Harness {
    /// The server on SQLite, with the default configuration, at the current time.
    pub async fn start() -> Harness {
        Setup::default().start().await
    }

    pub fn setup() -> Setup {
        Setup::default()
    }

    async fn on(db: TestDb, setup: Setup) -> Harness {
        let Setup { mut config, now } = setup;
        config.data_dir = db.path().to_owned();
        let clock = FakeClock::at(now);
        let public_url = PUBLIC_URL.parse().unwrap();
        let state = AppState::start_with_clock(db.store.clone(), &config, public_url, Arc::new(clock.clone()))
            .await
            .expect("the server's state starts");
        let router = ferrite::router(state.clone(), &config);
        Harness { state, router, clock, db }
    }

    // ---- builders ----

    /// A token of a supply app (`part_limit` parts) of a new organization on `plan`.
    pub async fn supply_token(&self, plan: &str, part_limit: i64) -> String {
        let ada = self.person("ada@example.com").await;
        let acme = self.org("Acme", ada.id).await;
        self.plan(acme.id, plan).await;
        let app = self.app(acme.id, "bom tool", "supply", &[], part_limit).await;
        self.app_token(&app, None).await
    }

    /// A person with [`PASSWORD`].
    pub async fn person(&self, email: &str) -> User {
        self.state.accounts.create_user(email, PASSWORD).await.expect("the person is created")
    }

    /// An organization that `owner` owns.
    pub async fn org(&self, name: &str, owner: UserId) -> Organization {
        self.state.accounts.create_org(name, owner).await.expect("the organization is created")
    }

    /// Moves `org` to the configured plan `plan` (apps on the evaluation plan get no parts).
    pub async fn plan(&self, org: OrgId, plan: &str) {
        self.state.plans.choose(org, plan).await.expect("the plan is chosen");
    }

    /// An app of `org` with `scopes` (`"supply,design"`), redirect URIs and a monthly part limit.
    pub async fn app(&self, org: OrgId, name: &str, scopes: &str, redirects: &[String], part_limit: i64) -> CreatedApp {
        let scopes = scopes.parse().expect("valid scopes");
        self.state.accounts.create_app(org, name, "", scopes, redirects, part_limit).await.expect("the app is created")
    }

    /// An access token of `app` by client credentials, for `scope` (the app's scopes if `None`).
    pub async fn app_token(&self, app: &CreatedApp, scope: Option<&str>) -> String {
        let identity = &self.state.identity;
        let client = identity.authenticate_client(&app.app.client_id, &app.client_secret, "127.0.0.1").await.unwrap();
        let request = TokenRequest {
            grant_type: "client_credentials".into(),
            scope: scope.map(str::to_owned),
            ..Default::default()
        };
        identity.token(&client, &request).await.unwrap().access_token
    }

    /// `count` synthetic parts (`TEST-00001`, …) in the catalogue, and the catalogue moved to them.
    pub async fn synthetic_parts(&self, count: usize) {
        ferrite_store::testing::write_synthetic_parts(&self.state.store, count).await.unwrap();
        self.catalogue_changed().await;
    }

    /// Imports `csv` (the generic CSV feed of docs/feeds.md, header first) as a snapshot of feed
    /// `feed`, and moves the catalogue to it.
    pub async fn import_csv(&self, feed: &str, csv: &str) {
        let path = self.db.path().join(format!("{feed}.csv"));
        std::fs::write(&path, csv).unwrap();
        let source = path.to_str().unwrap();
        import(&self.state.store, feed, Adapter::Csv, source, Mode::Snapshot, self.clock.now(), &mut ())
            .await
            .expect("the feed imports");
        self.catalogue_changed().await;
    }

    /// Makes the catalogue follow what a test wrote into the store (as the catalogue job would).
    pub async fn catalogue_changed(&self) {
        self.state.catalogue.refresh().await.expect("the catalogue follows the store");
    }

    // ---- requests ----

    /// Sends `request` through the router as a client at 127.0.0.1 would.
    pub async fn send(&self, request: Request<Body>) -> Answer {
        self.send_from(SocketAddr::from(([127, 0, 0, 1], 40000)), request).await
    }

    pub async fn send_from(&self, peer: SocketAddr, mut request: Request<Body>) -> Answer {
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec();
        Answer { status, headers, body }
    }

    /// Posts `body` as JSON to `path`, with an extra header (`authorization`, `token`) if given.
    pub async fn post_json(&self, path: &str, header: Option<(&str, &str)>, body: &Value) -> Answer {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        self.send(request.body(Body::from(body.to_string())).unwrap()).await
    }

    /// A GraphQL query with a bearer token; the answer as JSON.
    pub async fn graphql(&self, token: &str, query: &str) -> Value {
        let bearer = format!("Bearer {token}");
        self.post_json("/graphql", Some(("authorization", &bearer)), &json!({ "query": query })).await.json()
    }

    /// The same router on a socket (127.0.0.1, a free port), served until the handle drops.
    pub async fn listen(&self) -> Listening {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = self.router.clone().into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Listening { base, task }
    }
}

/// A harness's router on a socket.
pub struct Listening {
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Listening {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Redactions for `insta` snapshots of answers: ids, tokens and times differ every run.
pub fn redacted(mut value: Value) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(fields) => {
                for (name, field) in fields.iter_mut() {
                    if field.is_string() && varies(name) {
                        *field = Value::String(format!("[{name}]"));
                    } else {
                        walk(field);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    /// `id`, `clientId`, `grant_id`; `access_token`; `client_secret`; `resetsAt`, `created_at`.
    fn varies(name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        lower == "id"
            || name.ends_with("Id")
            || lower.ends_with("_id")
            || lower == "token"
            || lower.ends_with("_token")
            || lower.contains("secret")
            || name.ends_with("At")
            || lower.ends_with("_at")
    }
    walk(&mut value);
    value
}
