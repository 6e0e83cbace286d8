//! The HTTP server: shared state, the router, and serving with a graceful, bounded shutdown.

use std::sync::Arc;

use anyhow::Context;
use axum::{Router, extract::DefaultBodyLimit, middleware, routing::get};
use ferrite_core::{Clock, SystemClock};
use ferrite_graphql::{Services, http::ApiState};
use ferrite_identity::{Accounts, Identity, Plans};
use ferrite_store::Store;
use ferrite_supply::{catalogue::Catalogue, connectors::live::Connectors};
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::trace::TraceLayer;
use url::Url;

use crate::{config::Config, connections, cors, health, jobs, metrics, startup};

/// What every handler may reach. Cheap to clone: each field is a handle.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The time every service and job reads.
    pub clock: Arc<dyn Clock>,
    pub identity: Arc<Identity>,
    /// People, organizations, apps and invitations: every edge's way to them.
    pub accounts: Arc<Accounts>,
    /// Organizations' supply plans and their allocation to apps, with the plan catalogue.
    pub plans: Arc<Plans>,
    pub metrics: PrometheusHandle,
    pub public_url: Url,
    /// Parts, search index and dictionaries, following the store's catalogue version.
    pub catalogue: Arc<Catalogue>,
    /// The live distributor connectors (`[[connectors]]`), with their refresh queue.
    pub connectors: Arc<Connectors>,
    pub api: ApiState,
    /// Quotas of uploaded design files (configuration).
    pub uploads: ferrite_graphql::design::upload::UploadLimits,
}

impl AppState {
    /// Starts the services on `store` for a server reached at `public_url`.
    pub async fn start(store: Store, config: &Config, public_url: Url) -> anyhow::Result<Self> {
        Self::start_with_clock(store, config, public_url, Arc::new(SystemClock)).await
    }

    /// [`AppState::start`] at the time `clock` tells (tests move a `FakeClock`).
    pub async fn start_with_clock(
        store: Store,
        config: &Config,
        public_url: Url,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let identity = Identity::start(store.clone(), clock.clone(), config.tokens.clone(), public_url.as_str())
            .await
            .context("identity could not start")?;
        let (accounts, plans) = ferrite_identity::services(&identity, config.plan_catalogue()?);
        let options = config.catalogue_options();
        let catalogue = Catalogue::open_with(store.clone(), &config.data_dir, options)
            .await
            .context("the catalogue could not open")?;
        let connectors = Connectors::new(store.clone(), catalogue.clone(), config.connectors.clone());
        let services = Arc::new(Services {
            identity: identity.clone(),
            accounts: accounts.clone(),
            catalogue: catalogue.clone(),
            connectors: connectors.clone(),
            public_url: public_url.as_str().trim_end_matches('/').to_owned(),
        });
        let meter = ferrite_graphql::Meter::start(identity.clone());
        let api = ApiState { schema: ferrite_graphql::schema(services), identity: identity.clone(), meter };
        let uploads = config.uploads;
        let metrics = metrics::recorder();
        Ok(Self { store, clock, identity, accounts, plans, metrics, public_url, catalogue, connectors, api, uploads })
    }
}

pub fn router(state: AppState, config: &Config) -> Router {
    let identity = ferrite_identity::http::routes(state.identity.clone());
    let portal = ferrite_portal::routes(
        state.identity.clone(),
        state.accounts.clone(),
        state.plans.clone(),
        state.catalogue.clone(),
    );
    let api = ferrite_graphql::http::routes(state.api.clone());
    // Design files: with a body limit of their own (10 MiB), above `config.max_body_bytes`.
    let uploads = ferrite_graphql::design::upload::routes(state.identity.clone(), state.uploads);
    let store = state.store.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .with_state(state)
        .merge(identity)
        .merge(portal)
        .merge(api)
        .merge(uploads)
        .fallback(ferrite_portal::not_found)
        .layer(middleware::from_fn_with_state(store, health::refuse_while_store_down))
        .layer(middleware::from_fn(metrics::track))
        .layer(TraceLayer::new_for_http())
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(middleware::from_fn_with_state(config.cors.layer(), cors::for_api_paths))
}

/// `ferrite serve`: runs until SIGINT or SIGTERM, then lets in-flight requests finish within
/// `shutdown_timeout`, closes the store, and returns.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    startup::prepare_data_dir(&config.data_dir)?;
    let open_files = connections::raise_open_file_limit();
    let max_connections = connections::max_connections(&config.http, open_files, config.database_max_connections);
    let store = startup::open_store(&config).await?;
    let listener =
        TcpListener::bind(config.listen).await.with_context(|| format!("cannot listen on {}", config.listen))?;
    let bound = listener.local_addr()?;
    let state = AppState::start(store.clone(), &config, config.public_url_for(bound)).await?;
    let shutdown = CancellationToken::new();
    stop_on_signal(shutdown.clone())?;
    tracing::info!(address = %bound, public_url = %state.public_url, max_connections, open_files, "listening");
    let feeds = config.feeds.iter().filter_map(|feed| feed.scheduled()).collect();
    let jobs = jobs::start(jobs::list(&state, feeds, config.exchange_rates.clone()), state.clock.clone());

    let identity = state.identity.clone();
    let app = router(state, &config);
    connections::serve(listener, app, &config.http, max_connections, shutdown, config.shutdown_timeout).await;
    jobs.stop().await;
    // The requests counted since the last flush, so that a restart loses none.
    if let Err(err) = identity.flush_request_counts().await {
        tracing::warn!(error = %err, "the last request counts could not be written");
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Registers for SIGINT and SIGTERM now (so a signal that arrives right after start-up is not
/// lost to the default action) and cancels `shutdown` when either arrives.
fn stop_on_signal(shutdown: CancellationToken) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    tokio::spawn(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("shutting down: no new connections; finishing requests in flight");
        shutdown.cancel();
    });
    Ok(())
}
