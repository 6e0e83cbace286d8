//! A bench-only twin of `ferrite serve`'s API, to isolate what metering costs: the same schema,
//! catalogue, token check (`ferrite_graphql::http::run`) and token endpoint, with the charge
//! either made exactly as the server makes it (`Meter::charge`, then the allowance in
//! `extensions` and headers) or skipped. `bench/api/run.sh` loads both with the same wrk script;
//! the difference in requests/s is the metering cost, with everything else held equal.
//!
//!   api_twin --data-dir DIR --listen 127.0.0.1:PORT --metering on|off [--part-cache-mib N]
//!
//! `--part-cache-mib` sizes the catalogue's part cache (the server's default when absent; 0 reads
//! every part from the store), so the same A/B can show what the cache does.
//!
//! Not a server to run for real: no portal, no metrics, no graceful shutdown, no catalogue
//! watcher. On SIGTERM it prints how long requests waited for their charge, how the part cache
//! did, and exits.

#[path = "support/checkpoints.rs"]
mod checkpoints;

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Instant,
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::HeaderMap,
    response::{IntoResponse, Response},
    routing::post,
};
use ferrite_core::{SystemClock, metering::Outcome};
use ferrite_graphql::{Meter, Services, http::ApiState};
use ferrite_identity::{Identity, TokenConfig};
use ferrite_store::{ConnectOptions, Store};
use ferrite_supply::{
    catalogue::{Catalogue, CatalogueOptions},
    connectors::live::Connectors,
};

#[derive(Clone)]
struct Twin {
    api: ApiState,
    metering: bool,
    charges: Arc<AtomicU64>,
    charge_nanos: Arc<AtomicU64>,
}

fn usage() -> ! {
    eprintln!("usage: api_twin --data-dir DIR --listen ADDR --metering on|off [--part-cache-mib N]");
    std::process::exit(2);
}

fn main() {
    let (mut data_dir, mut listen, mut metering) = (None, None, None);
    let mut options = CatalogueOptions::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--data-dir" => data_dir = Some(PathBuf::from(value)),
            "--listen" => listen = Some(value.parse::<SocketAddr>().unwrap_or_else(|_| usage())),
            "--metering" => metering = Some(value == "on"),
            "--part-cache-mib" => options.part_cache_bytes = value.parse::<u64>().unwrap_or_else(|_| usage()) << 20,
            _ => usage(),
        }
    }
    let (Some(data_dir), Some(listen), Some(metering)) = (data_dir, listen, metering) else { usage() };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(serve(data_dir, listen, metering, options));
}

async fn serve(data_dir: PathBuf, listen: SocketAddr, metering: bool, options: CatalogueOptions) {
    let url = format!("sqlite://{}", data_dir.join("ferrite.db").display());
    let store = Store::connect(&url, &ConnectOptions::default()).await.expect("the store opens");
    let public_url = format!("http://{listen}");
    let identity = Identity::start(store.clone(), Arc::new(SystemClock), TokenConfig::default(), &public_url)
        .await
        .expect("identity starts");
    // Two of `ferrite serve`'s jobs (crates/ferrite/src/jobs.rs): the token caches, and the
    // meter's checkpoints below.
    let refreshed = identity.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(refreshed.refresh_every());
        loop {
            tick.tick().await;
            let _ = refreshed.refresh().await;
        }
    });
    let cache_mib = options.part_cache_bytes >> 20;
    let catalogue = Catalogue::open_with(store.clone(), &data_dir, options).await.expect("the catalogue opens");
    let (accounts, _) = ferrite_identity::services(&identity, Default::default());
    let services = Arc::new(Services {
        identity: identity.clone(),
        accounts,
        catalogue: catalogue.clone(),
        connectors: Connectors::none(store.clone(), catalogue.clone()),
        public_url: public_url.clone(),
    });
    let meter = Meter::start(identity.clone());
    checkpoints::spawn(&meter);
    let api = ApiState { schema: ferrite_graphql::schema(services), identity: identity.clone(), meter };
    let twin = Twin { api, metering, charges: Arc::default(), charge_nanos: Arc::default() };
    let app = Router::new()
        .route("/graphql", post(execute))
        .with_state(twin.clone())
        .merge(ferrite_identity::http::routes(identity))
        .into_make_service_with_connect_info::<SocketAddr>();
    let listener = tokio::net::TcpListener::bind(listen).await.expect("listen");
    eprintln!("listening on {listen} (metering {})", if metering { "on" } else { "off" });
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM");
    tokio::select! {
        result = axum::serve(listener, app) => result.expect("serve"),
        _ = term.recv() => {}
    }
    let n = twin.charges.load(Ordering::Relaxed);
    let mean_us = twin.charge_nanos.load(Ordering::Relaxed) as f64 / n.max(1) as f64 / 1e3;
    let cache = catalogue.part_cache_stats();
    let hit_ratio = cache.hits as f64 / (cache.hits + cache.misses).max(1) as f64;
    println!(
        "TWIN metering={metering} charges={n} mean_charge_wait_us={mean_us:.0} part_cache_mib={} \
         part_cache_hits={} part_cache_misses={} part_cache_hit_ratio={hit_ratio:.3}",
        cache_mib, cache.hits, cache.misses
    );
}

async fn execute(State(twin): State<Twin>, headers: HeaderMap, body: Bytes) -> Response {
    let executed = match ferrite_graphql::http::run(&twin.api, &headers, &body).await {
        Ok(executed) => executed,
        Err(response) => return response,
    };
    if !twin.metering {
        return Json(executed.response).into_response();
    }
    // As `ferrite_graphql::http::meter` does it (that function is private): charge, then tell
    // the client its allowance in `extensions` and in headers.
    let started = Instant::now();
    let charged = twin.api.meter.charge(&executed.caller.claims.client_id, executed.parts).await;
    twin.charges.fetch_add(1, Ordering::Relaxed);
    twin.charge_nanos.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    let (used, limit) = match charged.map(|c| c.outcome) {
        Ok(Outcome::Charged { used, limit }) => (used, limit),
        Ok(Outcome::Refused { .. }) | Err(_) => {
            let body = serde_json::json!({ "data": null, "errors": [{ "message": "refused or failed" }] });
            return Json(body).into_response();
        }
    };
    let mut response = executed.response;
    let allowance = serde_json::json!({ "limit": limit, "used": used, "remaining": (limit - used).max(0), "charged": executed.parts });
    response.extensions.insert("partLimit".into(), async_graphql::Value::from_json(allowance).unwrap_or_default());
    let mut answer = Json(response).into_response();
    let headers = answer.headers_mut();
    for (name, value) in [("x-part-limit", limit), ("x-part-used", used), ("x-part-remaining", (limit - used).max(0))] {
        headers.insert(name, value.into());
    }
    answer
}
