//! Liveness and readiness for load balancers and orchestrators, and the quick refusal while the
//! database is down.

use axum::{
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use ferrite_store::Store;

use crate::AppState;

/// What a 503 tells clients to wait, in seconds: about how long the store's probe takes to see
/// the database back.
const RETRY_AFTER_SECONDS: &str = "2";

/// The process is up and answering.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The store answers and carries this build's schema.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    if !state.store.is_available() {
        return (StatusCode::SERVICE_UNAVAILABLE, "not ready: the store is unreachable".into());
    }
    match state.store.schema_status().await {
        Ok(status) if status.is_current() => (StatusCode::OK, "ready".into()),
        Ok(status) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: the database schema is at {:?}, this Ferrite needs {}", status.applied, status.known),
        ),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready: the store is unreachable".into())
        }
    }
}

/// Paths that answer from memory (discovery and the signing keys, so tokens already issued can
/// still be verified elsewhere) or say themselves that the database is down.
fn needs_no_store(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
        || path.starts_with("/assets/")
        || path.starts_with("/.well-known/")
}

/// While the database does not answer, requests that need it are refused at once with 503 and
/// `Retry-After` instead of each waiting for a connection; a server error that happens while it
/// is down says the same. Every 503 carries `Retry-After`.
pub async fn refuse_while_store_down(State(store): State<Store>, request: Request, next: Next) -> Response {
    let graphql = request.uri().path() == "/graphql";
    if !store.is_available() && !needs_no_store(request.uri().path()) {
        return store_unavailable(graphql);
    }
    let mut response = next.run(request).await;
    if response.status().is_server_error()
        && response.status() != StatusCode::SERVICE_UNAVAILABLE
        && !store.is_available()
    {
        return store_unavailable(graphql);
    }
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().entry(header::RETRY_AFTER).or_insert(HeaderValue::from_static(RETRY_AFTER_SECONDS));
    }
    response
}

fn store_unavailable(graphql: bool) -> Response {
    let message = "The database is unavailable. Please try again in a moment.";
    let retry = [(header::RETRY_AFTER, RETRY_AFTER_SECONDS)];
    if graphql {
        let body =
            serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": "ServiceUnavailable" } }] });
        (StatusCode::SERVICE_UNAVAILABLE, retry, axum::Json(body)).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, retry, format!("{message}\n")).into_response()
    }
}
