//! `GET|POST /connect/userinfo`: claims about the person a token acts for.

use std::sync::Arc;

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use ferrite_core::scope::Scope;
use serde_json::json;

use crate::Identity;

pub async fn userinfo(State(identity): State<Arc<Identity>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    let claims = token.and_then(|token| identity.verify_access_token(token.trim()).ok());
    let Some(claims) = claims.filter(|c| c.is_for_person() && c.has_scope(Scope::OpenId)) else {
        let challenge = HeaderValue::from_static("Bearer error=\"invalid_token\"");
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, challenge)]).into_response();
    };
    let Ok(user_id) = claims.sub.parse() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    match identity.store().user_by_id(user_id).await {
        Ok(user) => {
            let mut body = json!({ "sub": claims.sub });
            if claims.has_scope(Scope::Email) {
                body["email"] = json!(user.email);
                body["email_verified"] = json!(false);
            }
            if claims.has_scope(Scope::Profile) {
                body["preferred_username"] = json!(user.email);
            }
            Json(body).into_response()
        }
        Err(ferrite_store::StoreError::NotFound) => StatusCode::UNAUTHORIZED.into_response(),
        Err(err) => {
            tracing::error!(error = %err, "userinfo failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
