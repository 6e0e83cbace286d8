//! Liveness and readiness for load balancers and orchestrators.

use axum::{extract::State, http::StatusCode};

use crate::AppState;

/// The process is up and answering.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The store answers and carries this build's schema.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
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
