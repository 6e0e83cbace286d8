//! Prometheus metrics: one process-wide recorder, a middleware that counts requests by route,
//! and the `/metrics` handler.

use std::{sync::OnceLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

const LATENCY_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The recorder, installed on first use (a process has one, however many routers it builds).
pub fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
                .expect("buckets are not empty")
                .install_recorder()
                .expect("no other metrics recorder is installed")
        })
        .clone()
}

/// Counts every request and times it, labelled by route template (not raw path, to bound cardinality).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let cache = state.catalogue.part_cache_stats();
    metrics::counter!("catalogue_part_cache_hits_total").absolute(cache.hits);
    metrics::counter!("catalogue_part_cache_misses_total").absolute(cache.misses);
    metrics::gauge!("catalogue_part_cache_parts").set(cache.parts as f64);
    metrics::gauge!("catalogue_part_cache_bytes").set(cache.bytes as f64);
    let builds = state.catalogue.index_builds();
    metrics::counter!("catalogue_index_builds_total", "kind" => "full").absolute(builds.full);
    metrics::counter!("catalogue_index_builds_total", "kind" => "in_place").absolute(builds.in_place);
    ([("content-type", "text/plain; version=0.0.4")], state.metrics.render())
}
