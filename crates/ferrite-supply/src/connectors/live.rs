//! The connectors at work. An MPN is looked up on a blocking thread, each of its calls granted by
//! the budget in the store first ([`Store::spend_call`]); the parts found are written into the
//! catalogue as an import of the connector's feed, with history and provenance like any other.
//!
//! Lookups come two ways: `distributorApi: true` on a query ([`Connectors::live`]), which waits at
//! most the query's timeout and lets the lookup finish in the background; and the refresh queue
//! ([`Connectors::refresh_queued`]), which the scheduler runs: parts that answers touched
//! ([`Connectors::touched`]) whose offers from a connector are missing or older than its
//! `max_age` are queued, and each connector spends its budget on the most asked for first. An MPN
//! a connector looked up within its `max_age` is not asked again, found or not, on any node.
//!
//! A failing connector rests (10 s, doubling with each failure in a row, at most 15 minutes; a
//! 429's `Retry-After` if longer), and no answer waits for it longer than its timeout.

use std::{
    collections::{HashMap, HashSet},
    io::Read,
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, Utc};
use ferrite_core::keys::mpn_key;
use ferrite_store::{CallOutcome, CallsSpent, ConnectorHealth, Spend, Store, StoreError};
use reqwest::{Method, blocking::RequestBuilder};
use tokio::sync::watch;

use super::{Answer, Api, CallError, Calls, ConnectorConfig, api};
use crate::{
    catalogue::{Catalogue, PartView},
    http::{HttpClient, retry_after},
    import::import_parts,
    model::FeedPart,
};

/// Largest answer read from a distributor.
const MAX_ANSWER_BYTES: u64 = 16 << 20;
/// MPNs one connector looks up per scheduler pass, at most.
const REFRESH_BATCH: u32 = 20;
/// Touched MPNs kept per connector until the next pass; more are dropped (they come again).
const MAX_TOUCHED: usize = 10_000;

pub struct Connector {
    pub config: ConnectorConfig,
    api: Box<dyn Api>,
    /// Until when this node leaves the connector alone after a failure (the store has it too).
    resting_until: Mutex<Option<DateTime<Utc>>>,
}

impl Connector {
    pub fn name(&self) -> &str {
        self.config.name()
    }

    fn is_resting(&self, now: DateTime<Utc>) -> bool {
        self.resting_until.lock().unwrap_or_else(|p| p.into_inner()).is_some_and(|until| until > now)
    }
}

/// What [`Connectors::status`] reports of one connector.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConnectorStatus {
    pub name: String,
    pub kind: &'static str,
    pub per_minute: u32,
    pub per_day: u32,
    pub spent: CallsSpent,
    pub health: ConnectorHealth,
    pub queued: u64,
}

/// What one lookup of an MPN by one connector came to.
type Lookup = Result<Vec<FeedPart>, CallError>;

/// What [`Connectors::fetch_and_import`] did: the MPN keys it looked up, and whether the
/// catalogue changed.
#[derive(Default)]
struct Fetched {
    looked_up: HashSet<String>,
    imported: bool,
}

pub struct Connectors {
    store: Store,
    catalogue: Arc<Catalogue>,
    /// Built on the first lookup's blocking thread: a blocking client cannot be built in async code.
    http: Arc<OnceLock<Result<HttpClient, String>>>,
    list: Vec<Arc<Connector>>,
    /// Stale MPNs answers touched since the last pass, per connector, with how often.
    touched: Mutex<Vec<HashMap<String, u32>>>,
    /// Lookups under way on this node, by connector and MPN key: a second asker waits for the first.
    in_flight: Mutex<HashMap<(usize, String), watch::Receiver<bool>>>,
}

impl Connectors {
    pub fn new(store: Store, catalogue: Arc<Catalogue>, configs: Vec<ConnectorConfig>) -> Arc<Connectors> {
        let list: Vec<Arc<Connector>> = configs
            .into_iter()
            .map(|config| Arc::new(Connector { api: api(&config), config, resting_until: Mutex::new(None) }))
            .collect();
        Arc::new(Connectors {
            store,
            catalogue,
            http: Arc::default(),
            touched: Mutex::new(vec![HashMap::new(); list.len()]),
            in_flight: Mutex::new(HashMap::new()),
            list,
        })
    }

    /// No connector configured: every method returns at once.
    pub fn none(store: Store, catalogue: Arc<Catalogue>) -> Arc<Connectors> {
        Connectors::new(store, catalogue, Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Notes the MPNs of `parts` whose offers from a connector are missing or older than its
    /// `max_age`, for the next refresh pass. In memory: answers pay a lock and a look at offers.
    pub fn touched(&self, parts: &[Arc<PartView>]) {
        if self.list.is_empty() || parts.is_empty() {
            return;
        }
        let now = Utc::now();
        let mut touched = self.touched.lock().unwrap_or_else(|p| p.into_inner());
        for (connector, queue) in self.list.iter().zip(touched.iter_mut()) {
            let since = now - connector.config.max_age;
            for view in parts {
                let fresh = view.offers.iter().any(|o| o.feed == connector.name() && o.updated_at >= since);
                if !fresh && (queue.len() < MAX_TOUCHED || queue.contains_key(&view.part.mpn)) {
                    *queue.entry(view.part.mpn.clone()).or_default() += 1;
                }
            }
        }
    }

    /// Looks `mpns` up live with every connector that has not done so within its `max_age`,
    /// writes what they find into the catalogue and makes it this node's catalogue; returns when
    /// that is done or after `timeout`, whichever comes first (the rest goes on in the background).
    /// True when the catalogue in use holds the lookups' parts.
    pub async fn live(self: &Arc<Self>, mpns: &[String], timeout: Duration) -> bool {
        if self.list.is_empty() || mpns.is_empty() {
            return false;
        }
        let this = self.clone();
        let mpns = mpns.to_vec();
        let work = tokio::spawn(async move {
            let mut lookups = tokio::task::JoinSet::new();
            for index in 0..this.list.len() {
                let (connectors, mpns) = (this.clone(), mpns.clone());
                lookups.spawn(async move { connectors.look_up(index, &mpns).await });
            }
            let mut imported = false;
            while let Some(done) = lookups.join_next().await {
                imported |= done.unwrap_or(false);
            }
            if imported && let Err(err) = this.catalogue.refresh().await {
                tracing::error!(error = %err, "the catalogue could not take in the live offers");
            }
            imported
        });
        matches!(tokio::time::timeout(timeout, work).await, Ok(Ok(true)))
    }

    /// Connector `index` looks up those of `mpns` it has not looked up within its `max_age`, and
    /// the parts found are imported. True when anything was imported.
    async fn look_up(&self, index: usize, mpns: &[String]) -> bool {
        let connector = &self.list[index];
        let now = Utc::now();
        if connector.is_resting(now) {
            return false;
        }
        let fresh: HashSet<String> =
            match self.store.looked_up_since(connector.name(), now - connector.config.max_age).await {
                Ok(keys) => keys.into_iter().collect(),
                Err(err) => {
                    tracing::error!(connector = connector.name(), error = %err, "cannot read the connector's lookups");
                    return false;
                }
            };
        let mut waits = Vec::new();
        let mut mine = Vec::new();
        {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            let mut seen = HashSet::new();
            for mpn in mpns {
                let key = mpn_key(mpn);
                if key.is_empty() || fresh.contains(&key) || !seen.insert(key.clone()) {
                    continue;
                }
                match in_flight.get(&(index, key.clone())) {
                    Some(running) => waits.push(running.clone()),
                    None => {
                        let (done, running) = watch::channel(false);
                        in_flight.insert((index, key.clone()), running);
                        mine.push((mpn.clone(), key, done));
                    }
                }
            }
        }
        let lookups: Vec<(String, String)> = mine.iter().map(|(mpn, key, _)| (mpn.clone(), key.clone())).collect();
        let imported = self.fetch_and_import(index, lookups).await.imported;
        {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            for (_, key, done) in mine {
                in_flight.remove(&(index, key));
                let _ = done.send(true);
            }
        }
        for mut running in waits {
            let _ = running.wait_for(|done| *done).await;
        }
        imported
    }

    /// Looks each of `mpns` (with its key) up with connector `index` ([`look_up_several`]),
    /// records each lookup, and imports the parts found in one import.
    async fn fetch_and_import(&self, index: usize, mpns: Vec<(String, String)>) -> Fetched {
        let mut fetched = Fetched::default();
        if mpns.is_empty() {
            return fetched;
        }
        let connector = self.list[index].clone();
        let (store, http) = (self.store.clone(), self.http.clone());
        let handle = tokio::runtime::Handle::current();
        let worker = connector.clone();
        let results: Vec<(String, String, Lookup)> = match tokio::task::spawn_blocking(move || {
            let http = http.get_or_init(|| HttpClient::configured().map_err(|err| err.to_string()));
            let look_up = |mpn: &str| match http {
                Ok(http) => {
                    let mut calls = Metered { store: &store, http, handle: &handle, connector: &worker.config };
                    worker.api.lookup(mpn, &mut calls)
                }
                Err(err) => Err(CallError::Transport(err.clone())),
            };
            look_up_several(mpns, look_up)
        })
        .await
        {
            Ok(results) => results,
            Err(err) => {
                tracing::error!(connector = connector.name(), error = %err, "a connector's lookup panicked");
                return fetched;
            }
        };
        let now = Utc::now();
        let mut found = Vec::new();
        for (mpn, key, result) in results {
            match result {
                Ok(parts) => {
                    if let Err(err) = self.store.record_lookup(connector.name(), &key, parts.len() as u64, now).await {
                        tracing::error!(connector = connector.name(), error = %err, "cannot record a lookup");
                    }
                    self.record(&connector, None, now).await;
                    tracing::info!(connector = connector.name(), mpn, parts = parts.len(), "looked up live");
                    found.extend(parts);
                    fetched.looked_up.insert(key);
                }
                Err(CallError::BudgetSpent { until }) => {
                    tracing::info!(connector = connector.name(), mpn, %until, "the connector's budget is spent");
                    count_call(connector.name(), "budget");
                }
                Err(err) => {
                    tracing::warn!(connector = connector.name(), mpn, error = %err, "a connector's lookup failed");
                    self.record(&connector, Some(&err), now).await;
                }
            }
        }
        if found.is_empty() {
            return fetched;
        }
        let source = format!("{} API", connector.config.kind.name());
        let aliases = self.catalogue.manufacturer_aliases();
        match import_parts(&self.store, aliases, connector.name(), &source, found, now).await {
            Ok(report) => {
                tracing::info!(connector = connector.name(), report = %report, "live offers written");
                fetched.imported = report.changed();
            }
            Err(err) => tracing::error!(connector = connector.name(), error = %err, "live offers could not be written"),
        }
        fetched
    }

    /// Keeps a lookup's outcome in the store and in `/metrics`; a failure makes the connector rest.
    async fn record(&self, connector: &Connector, failure: Option<&CallError>, now: DateTime<Utc>) {
        count_call(connector.name(), failure.map_or("ok", CallError::kind));
        let stored = match failure {
            None => {
                *connector.resting_until.lock().unwrap_or_else(|p| p.into_inner()) = None;
                self.store.record_call(connector.name(), CallOutcome::Succeeded, now).await
            }
            Some(err) => {
                let in_row = self.store.connector_health(connector.name()).await.map_or(0, |h| h.failures_in_row);
                let rest = rest_after(in_row as u32 + 1, err);
                let until = now + rest;
                *connector.resting_until.lock().unwrap_or_else(|p| p.into_inner()) = Some(until);
                let error = err.to_string();
                self.store
                    .record_call(connector.name(), CallOutcome::Failed { error: &error, rest_until: until }, now)
                    .await
            }
        };
        if let Err(err) = stored {
            tracing::error!(connector = connector.name(), error = %err, "cannot record a connector's call");
        }
    }

    /// One pass of the scheduler: queues the stale MPNs answers touched, then lets each connector
    /// that is not resting look up the most asked for of its queue, within its budget.
    pub async fn refresh_queued(&self) -> Result<(), StoreError> {
        let now = Utc::now();
        let touched = std::mem::replace(
            &mut *self.touched.lock().unwrap_or_else(|p| p.into_inner()),
            vec![HashMap::new(); self.list.len()],
        );
        for (index, (connector, asked)) in self.list.iter().zip(touched).enumerate() {
            // Another node's failure makes this one rest too.
            let health = self.store.connector_health(connector.name()).await?;
            *connector.resting_until.lock().unwrap_or_else(|p| p.into_inner()) = health.resting_until();
            let fresh: HashSet<String> = self
                .store
                .looked_up_since(connector.name(), now - connector.config.max_age)
                .await?
                .into_iter()
                .collect();
            let stale: Vec<(&str, u32)> = asked
                .iter()
                .filter(|(mpn, _)| !fresh.contains(&mpn_key(mpn)))
                .map(|(mpn, times)| (mpn.as_str(), *times))
                .collect();
            self.store.queue_refresh(connector.name(), &stale, now).await?;
            if connector.is_resting(now) {
                continue;
            }
            let taken = self.store.take_refresh(connector.name(), REFRESH_BATCH).await?;
            let keyed: Vec<(String, String)> = taken
                .into_iter()
                .map(|mpn| (mpn_key(&mpn), mpn))
                .filter(|(key, _)| !key.is_empty() && !fresh.contains(key))
                .map(|(key, mpn)| (mpn, key))
                .collect();
            let asked = keyed.clone();
            let done = self.fetch_and_import(index, keyed).await.looked_up;
            // What the budget or a failure left unasked waits for the next pass.
            let left: Vec<(&str, u32)> =
                asked.iter().filter(|(_, key)| !done.contains(key)).map(|(mpn, _)| (mpn.as_str(), 1)).collect();
            self.store.queue_refresh(connector.name(), &left, now).await?;
        }
        Ok(())
    }

    /// Every connector's budget, spending, health and queue, as the store has them (all nodes).
    pub async fn status(&self) -> Result<Vec<ConnectorStatus>, StoreError> {
        status(&self.store, self.list.iter().map(|c| &c.config)).await
    }
}

/// The budget, spending, health and queue of each of `configs`, as `store` has them.
pub async fn status(
    store: &Store,
    configs: impl IntoIterator<Item = &ConnectorConfig>,
) -> Result<Vec<ConnectorStatus>, StoreError> {
    let now = Utc::now();
    let mut report = Vec::new();
    for config in configs {
        let budget = config.budget();
        report.push(ConnectorStatus {
            name: config.name().to_owned(),
            kind: config.kind.name(),
            per_minute: budget.per_minute,
            per_day: budget.per_day,
            spent: store.calls_spent(config.name(), now).await?,
            health: store.connector_health(config.name()).await?,
            queued: store.queued_refreshes(config.name()).await?,
        });
    }
    Ok(report)
}

/// Lookups of one connector under way at once: an answer's MPNs are asked side by side, so ten
/// of them take about as long as three, while each call still waits for the budget's grant.
const LOOKUPS_AT_ONCE: usize = 4;

/// Runs `look_up` for each of `mpns` (with its key), [`LOOKUPS_AT_ONCE`] at a time, and returns
/// the outcomes in the order they came. After the first failure no further MPN is started: the
/// budget is spent, or the connector is about to rest.
fn look_up_several(
    mpns: Vec<(String, String)>,
    look_up: impl Fn(&str) -> Lookup + Sync,
) -> Vec<(String, String, Lookup)> {
    let workers = mpns.len().min(LOOKUPS_AT_ONCE);
    let next = Mutex::new(mpns.into_iter());
    let failed = AtomicBool::new(false);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while !failed.load(Ordering::SeqCst) {
                    let Some((mpn, key)) = next.lock().unwrap_or_else(|p| p.into_inner()).next() else { break };
                    let result = look_up(&mpn);
                    if result.is_err() {
                        failed.store(true, Ordering::SeqCst);
                    }
                    results.lock().unwrap_or_else(|p| p.into_inner()).push((mpn, key, result));
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// Counts a lookup's outcome in `/metrics` (`ferrite_connector_calls_total{connector, outcome}`).
fn count_call(connector: &str, outcome: &'static str) {
    metrics::counter!("ferrite_connector_calls_total", "connector" => connector.to_owned(), "outcome" => outcome)
        .increment(1);
}

/// How long a connector rests after its `in_row`-th failure in a row.
fn rest_after(in_row: u32, err: &CallError) -> chrono::Duration {
    let backoff = Duration::from_secs(10).saturating_mul(1 << in_row.saturating_sub(1).min(7)).min(MAX_REST);
    let asked = match err {
        CallError::RateLimited { retry_after: Some(wait) } => *wait,
        _ => Duration::ZERO,
    };
    chrono::Duration::from_std(backoff.max(asked)).unwrap_or(chrono::Duration::minutes(15))
}

const MAX_REST: Duration = Duration::from_secs(15 * 60);

/// The calls of one lookup: each granted by the budget in the store, sent once, its status sorted.
struct Metered<'a> {
    store: &'a Store,
    http: &'a HttpClient,
    handle: &'a tokio::runtime::Handle,
    connector: &'a ConnectorConfig,
}

impl Metered<'_> {
    fn send(&self, request: RequestBuilder) -> Result<Answer, CallError> {
        let response = self.http.send(request.timeout(self.connector.timeout)).map_err(CallError::Transport)?;
        let status = response.status();
        let retry_after = retry_after(&response);
        let mut body = Vec::new();
        response
            .take(MAX_ANSWER_BYTES)
            .read_to_end(&mut body)
            .map_err(|err| CallError::Transport(format!("the answer broke off: {err}")))?;
        match status.as_u16() {
            200..=299 | 404 => Ok(Answer { status: status.as_u16(), body }),
            401 | 403 => Err(CallError::Refused(format!("HTTP {status}"))),
            429 => Err(CallError::RateLimited { retry_after }),
            _ => Err(CallError::Upstream(format!("HTTP {status}"))),
        }
    }
}

impl Calls for Metered<'_> {
    fn call(&mut self, request: RequestBuilder) -> Result<Answer, CallError> {
        let spend =
            self.handle.block_on(self.store.spend_call(self.connector.name(), self.connector.budget(), Utc::now()));
        match spend {
            Ok(Spend::Granted) => self.send(request),
            Ok(Spend::Exhausted { until }) => Err(CallError::BudgetSpent { until }),
            Err(err) => Err(CallError::Transport(format!("the budget could not be checked: {err}"))),
        }
    }

    fn token(&mut self, request: RequestBuilder) -> Result<Answer, CallError> {
        self.send(request)
    }

    fn request(&self, method: Method, url: &str) -> RequestBuilder {
        self.http.request(method, url)
    }
}
