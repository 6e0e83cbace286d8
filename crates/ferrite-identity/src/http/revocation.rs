//! `POST /connect/introspect` (RFC 7662) and `POST /connect/revocation` (RFC 7009).

use std::sync::Arc;

use axum::{
    Json,
    extract::{Request, State},
    response::{IntoResponse, Response},
};

use super::{
    client_ip, field, parse_form,
    token::{client_credentials, oauth_error},
};
use crate::{Identity, OAuthError};

/// Authenticates the calling client and returns it with the `token` parameter.
async fn caller(identity: &Identity, request: Request) -> Result<(ferrite_core::app::App, String), OAuthError> {
    let ip = client_ip(identity, request.extensions(), request.headers());
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, super::MAX_FORM_BYTES)
        .await
        .map_err(|_| OAuthError::InvalidRequest("the request body is too large".into()))?;
    let fields = parse_form(&parts.headers, &body).map_err(OAuthError::InvalidRequest)?;
    let (client_id, secret) = client_credentials(&parts.headers, &fields)?;
    let client = identity.authenticate_client(&client_id, &secret, &ip).await?;
    let token = field(&fields, "token").ok_or_else(|| OAuthError::InvalidRequest("token is required".into()))?;
    Ok((client, token.to_owned()))
}

pub async fn introspect(State(identity): State<Arc<Identity>>, request: Request) -> Response {
    let (client, token) = match caller(&identity, request).await {
        Ok(found) => found,
        Err(err) => return oauth_error(err),
    };
    match identity.introspect(&client, &token).await {
        Ok(answer) => Json(answer).into_response(),
        Err(err) => oauth_error(err.into()),
    }
}

pub async fn revoke(State(identity): State<Arc<Identity>>, request: Request) -> Response {
    let (client, token) = match caller(&identity, request).await {
        Ok(found) => found,
        Err(err) => return oauth_error(err),
    };
    match identity.revoke(&client, &token).await {
        Ok(()) => axum::http::StatusCode::OK.into_response(),
        Err(err) => oauth_error(err.into()),
    }
}
