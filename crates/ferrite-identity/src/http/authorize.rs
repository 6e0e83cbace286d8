//! `GET /connect/authorize` (sign in if needed, then ask for consent) and `POST
//! /connect/authorize` (the person's decision).

use std::sync::Arc;

use axum::{
    Form,
    extract::{Query, State, rejection::QueryRejection},
    http::{StatusCode, Uri},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use url::Url;

use super::{
    csrf,
    pages::{ConsentPage, describe_scope, message, render},
    signin::current_user,
};
use crate::{AuthorizationRequest, AuthorizeError, Identity};

pub async fn show(
    State(identity): State<Arc<Identity>>,
    jar: CookieJar,
    uri: Uri,
    query: Result<Query<AuthorizationRequest>, QueryRejection>,
) -> Response {
    let Ok(Query(request)) = query else {
        return message(StatusCode::BAD_REQUEST, "Invalid request", "The authorization request could not be read.");
    };
    let (app, scopes) = match identity.check_authorization(&request).await {
        Ok(checked) => checked,
        Err(err) => return refuse(&identity, &request, err),
    };
    let Some(user) = current_user(&identity, &jar).await else {
        let back = uri.path_and_query().map_or("/connect/authorize", |pq| pq.as_str());
        let next: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
        return Redirect::to(&format!("/signin?next={next}")).into_response();
    };
    let (jar, csrf_token) = csrf::token(&identity, jar);
    let fields = serde_urlencoded::to_string(&request)
        .ok()
        .map(|encoded| url::form_urlencoded::parse(encoded.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let page = ConsentPage {
        csrf_token,
        app_name: app.name,
        user_email: user.email,
        scopes: scopes.iter().map(|s| (s.as_str().to_owned(), describe_scope(*s))).collect(),
        fields,
    };
    (jar, render(&page, StatusCode::OK)).into_response()
}

#[derive(Deserialize)]
pub struct Decision {
    #[serde(flatten)]
    request: AuthorizationRequest,
    csrf_token: Option<String>,
    #[serde(default)]
    decision: String,
}

pub async fn decide(State(identity): State<Arc<Identity>>, jar: CookieJar, Form(form): Form<Decision>) -> Response {
    if !csrf::verify(&identity, &jar, form.csrf_token.as_deref()) {
        return message(StatusCode::FORBIDDEN, "Authorization failed", "The form expired. Go back and try again.");
    }
    let request = form.request;
    let (app, scopes) = match identity.check_authorization(&request).await {
        Ok(checked) => checked,
        Err(err) => return refuse(&identity, &request, err),
    };
    let Some(user) = current_user(&identity, &jar).await else {
        return message(StatusCode::UNAUTHORIZED, "Authorization failed", "Your session ended. Sign in and try again.");
    };
    if form.decision != "allow" {
        let denied = AuthorizeError::Redirect { code: "access_denied", description: "the person declined".into() };
        return refuse(&identity, &request, denied);
    }
    match identity.issue_code(&app, user.id, &request, &scopes, identity.now()).await {
        Ok(code) => back_to_client(&identity, &request, &[("code", &code)]),
        Err(err) => {
            tracing::error!(error = %err, "authorization code could not be issued");
            let failed = AuthorizeError::Redirect { code: "server_error", description: "try again later".into() };
            refuse(&identity, &request, failed)
        }
    }
}

fn refuse(identity: &Identity, request: &AuthorizationRequest, err: AuthorizeError) -> Response {
    match err {
        AuthorizeError::Page(text) => message(StatusCode::BAD_REQUEST, "This request cannot be authorized", &text),
        AuthorizeError::Redirect { code, description } => {
            back_to_client(identity, request, &[("error", code), ("error_description", &description)])
        }
    }
}

/// Redirects to the (already verified) redirect URI with `params`, the `state`, and the issuer (RFC 9207).
fn back_to_client(identity: &Identity, request: &AuthorizationRequest, params: &[(&str, &str)]) -> Response {
    let Ok(mut target) = Url::parse(&request.redirect_uri) else {
        return message(StatusCode::BAD_REQUEST, "This request cannot be authorized", "The redirect URI is malformed.");
    };
    {
        let mut query = target.query_pairs_mut();
        for (name, value) in params {
            query.append_pair(name, value);
        }
        if let Some(state) = &request.state {
            query.append_pair("state", state);
        }
        query.append_pair("iss", identity.issuer());
    }
    Redirect::to(target.as_str()).into_response()
}
