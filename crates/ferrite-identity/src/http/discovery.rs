//! OpenID Connect discovery and the JWKS.

use std::sync::Arc;

use axum::{Json, extract::State, http::header, response::IntoResponse};
use ferrite_core::scope::Scope;
use serde_json::json;

use crate::Identity;

pub async fn openid_configuration(State(identity): State<Arc<Identity>>) -> impl IntoResponse {
    let issuer = identity.issuer();
    let endpoint = |path: &str| format!("{issuer}{path}");
    let algorithm = identity.config().algorithm.as_str();
    let document = json!({
        "issuer": issuer,
        "authorization_endpoint": endpoint("/connect/authorize"),
        "token_endpoint": endpoint("/connect/token"),
        "userinfo_endpoint": endpoint("/connect/userinfo"),
        "jwks_uri": endpoint("/.well-known/jwks.json"),
        "introspection_endpoint": endpoint("/connect/introspect"),
        "revocation_endpoint": endpoint("/connect/revocation"),
        "scopes_supported": Scope::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [algorithm],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "email", "email_verified", "preferred_username"],
        "authorization_response_iss_parameter_supported": true,
    });
    ([(header::CACHE_CONTROL, "public, max-age=300")], Json(document))
}

pub async fn jwks(State(identity): State<Arc<Identity>>) -> impl IntoResponse {
    // Short cache: a rotated key must reach verifiers well before tokens signed with it arrive.
    ([(header::CACHE_CONTROL, "public, max-age=60")], Json(identity.jwks()))
}
