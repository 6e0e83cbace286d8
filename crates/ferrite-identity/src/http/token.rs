//! `POST /connect/token`.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::json;

use super::{client_ip, field, parse_form};
use crate::{Identity, OAuthError, TokenRequest};

pub async fn token(State(identity): State<Arc<Identity>>, request: Request) -> Response {
    let ip = client_ip(&identity, request.extensions(), request.headers());
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, super::MAX_FORM_BYTES).await else {
        return oauth_error(OAuthError::InvalidRequest("the request body is too large".into()));
    };
    match handle(&identity, &parts.headers, &body, &ip).await {
        Ok(response) => (no_store(), axum::Json(response)).into_response(),
        Err(err) => oauth_error(err),
    }
}

async fn handle(
    identity: &Identity,
    headers: &HeaderMap,
    body: &Bytes,
    ip: &str,
) -> Result<crate::TokenResponse, OAuthError> {
    let fields = parse_form(headers, body).map_err(OAuthError::InvalidRequest)?;
    let (client_id, secret) = client_credentials(headers, &fields)?;
    let client = identity.authenticate_client(&client_id, &secret, ip).await?;
    identity.check_rate(&client).await.map_err(OAuthError::RateLimited)?;
    let request = TokenRequest {
        grant_type: field(&fields, "grant_type").unwrap_or_default().to_owned(),
        scope: field(&fields, "scope").map(str::to_owned),
        code: field(&fields, "code").map(str::to_owned),
        redirect_uri: field(&fields, "redirect_uri").map(str::to_owned),
        code_verifier: field(&fields, "code_verifier").map(str::to_owned),
        refresh_token: field(&fields, "refresh_token").map(str::to_owned),
    };
    identity.token(&client, &request).await
}

/// The client's id and secret, from HTTP Basic (`client_secret_basic`) or the form
/// (`client_secret_post`) — exactly one of them.
pub fn client_credentials(headers: &HeaderMap, fields: &[(String, String)]) -> Result<(String, String), OAuthError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        Some(value) => Some(parse_basic(value).ok_or(OAuthError::InvalidClient)?),
        None => None,
    };
    let posted_secret = field(fields, "client_secret");
    match (basic, posted_secret) {
        (Some(_), Some(_)) => Err(OAuthError::InvalidRequest("use one client authentication method, not two".into())),
        (Some((id, secret)), None) => match field(fields, "client_id") {
            Some(posted) if posted != id => {
                Err(OAuthError::InvalidRequest("client_id differs from the Basic credentials".into()))
            }
            _ => Ok((id, secret)),
        },
        (None, Some(secret)) => {
            let id = field(fields, "client_id").ok_or(OAuthError::InvalidClient)?;
            Ok((id.to_owned(), secret.to_owned()))
        }
        (None, None) => Err(OAuthError::InvalidClient),
    }
}

/// RFC 6749 §2.3.1: Basic credentials whose id and secret are each form-urlencoded.
fn parse_basic(value: &HeaderValue) -> Option<(String, String)> {
    let value = value.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape =
        |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Some((unescape(id)?, unescape(secret)?))
}

fn no_store() -> [(header::HeaderName, &'static str); 2] {
    [(header::CACHE_CONTROL, "no-store"), (header::PRAGMA, "no-cache")]
}

/// An RFC 6749 §5.2 error response.
pub fn oauth_error(err: OAuthError) -> Response {
    let status = match &err {
        OAuthError::InvalidClient => StatusCode::UNAUTHORIZED,
        OAuthError::Throttled(_) | OAuthError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        OAuthError::Server(store) => {
            tracing::error!(error = %store, "token endpoint failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::BAD_REQUEST,
    };
    let mut body = json!({ "error": err.code() });
    if let Some(description) = err.description() {
        body["error_description"] = json!(description);
    }
    let mut response = (status, no_store(), axum::Json(body)).into_response();
    match err {
        OAuthError::InvalidClient => {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"ferrite\""));
        }
        OAuthError::Throttled(after) => {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(after.as_secs().max(1)));
        }
        OAuthError::RateLimited(limited) => response.headers_mut().extend(limited.headers()),
        _ => {}
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(raw: &str) -> HeaderValue {
        HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(raw))).unwrap()
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        assert_eq!(parse_basic(&basic("my%3Aclient:p%40ss+word")), Some(("my:client".into(), "p@ss word".into())));
        assert_eq!(parse_basic(&HeaderValue::from_static("Bearer abc")), None);
        assert_eq!(parse_basic(&HeaderValue::from_static("Basic !!!")), None);
        assert_eq!(parse_basic(&basic("no-colon")), None);
    }

    #[test]
    fn exactly_one_authentication_method() {
        let mut headers = HeaderMap::new();
        let form =
            |pairs: &[(&str, &str)]| pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        assert!(matches!(client_credentials(&headers, &form(&[])), Err(OAuthError::InvalidClient)));
        let posted = client_credentials(&headers, &form(&[("client_id", "c"), ("client_secret", "s")])).unwrap();
        assert_eq!(posted, ("c".into(), "s".into()));
        headers.insert(header::AUTHORIZATION, basic("c:s"));
        assert!(client_credentials(&headers, &form(&[])).is_ok());
        assert!(matches!(
            client_credentials(&headers, &form(&[("client_secret", "s")])),
            Err(OAuthError::InvalidRequest(_))
        ));
        assert!(matches!(
            client_credentials(&headers, &form(&[("client_id", "other")])),
            Err(OAuthError::InvalidRequest(_))
        ));
    }
}
