//! Sign-up: a person, their organization with its evaluation app, and a session, in that order.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, FromRequestParts, Query, State},
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use ferrite_core::org::{normalize_email, validate_name};
use ferrite_identity::{
    AccountError,
    http::{SESSION_COOKIE, csrf, current_user},
    password::validate_password,
};
use serde::Deserialize;

use super::safe_next;
use crate::{
    error::{PortalError, internal},
    forms::{FieldErrors, FormData, problem},
    member::org_cookie,
    state::Portal,
    views::{SignUpPage, render},
};

#[derive(Deserialize)]
pub struct Next {
    #[serde(default)]
    next: String,
}

pub async fn show(State(portal): State<Portal>, jar: CookieJar, Query(next): Query<Next>) -> Response {
    let next = safe_next(&next.next);
    if current_user(&portal.identity, &jar).await.is_some() {
        return Redirect::to(&next).into_response();
    }
    let (jar, csrf) = csrf::token(jar, portal.secure_cookies());
    let page = SignUpPage {
        csrf,
        evaluation_parts: evaluation_parts(&portal),
        next,
        email: String::new(),
        org_name: String::new(),
        errors: FieldErrors::default(),
    };
    (jar, render(&page, StatusCode::OK)).into_response()
}

/// The caller's address, for sign-in throttling (absent in tests that build requests by hand).
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientIp(ip.unwrap_or_else(|| "unknown".into())))
    }
}

pub async fn submit(
    State(portal): State<Portal>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, PortalError> {
    if !csrf::verify(&jar, form.csrf_token()) {
        return Err(PortalError::Csrf);
    }
    let next = safe_next(form.get("next"));
    let email = form.get("email").trim().to_owned();
    let password = form.get("password");
    let org_input = form.get("organization").trim();
    let org_name = if org_input.is_empty() { default_org_name(&email) } else { org_input.to_owned() };

    let mut errors = FieldErrors::default();
    if let Err(err) = normalize_email(&email) {
        errors.add("email", problem(&err));
    }
    if let Err(err) = validate_password(password) {
        errors.add("password", problem(&err));
    }
    if let Err(err) = validate_name("organization", &org_name) {
        errors.add("organization", problem(&err));
    }
    let again = |errors: FieldErrors, jar: CookieJar| {
        let (jar, csrf) = csrf::token(jar, portal.secure_cookies());
        let page = SignUpPage {
            csrf,
            evaluation_parts: evaluation_parts(&portal),
            next: next.clone(),
            email: email.clone(),
            org_name: org_input.to_owned(),
            errors,
        };
        (jar, render(&page, StatusCode::UNPROCESSABLE_ENTITY)).into_response()
    };
    if !errors.is_empty() {
        return Ok(again(errors, jar));
    }

    let user = match portal.identity.create_user(&email, password).await {
        Ok(user) => user,
        Err(AccountError::EmailTaken) => {
            errors.add("email", "An account with this email already exists. Sign in instead.");
            return Ok(again(errors, jar));
        }
        Err(AccountError::Invalid(err)) => {
            errors.add(field_of(&err), problem(&err));
            return Ok(again(errors, jar));
        }
        Err(err) => return Err(internal(err)),
    };
    // Without an organization the person is still signed in and asked to make one (see Member).
    let org = portal.identity.create_org(&org_name, user.id).await.map_err(internal)?;
    let evaluation = portal.plans.evaluation().parts_per_month;
    if evaluation != ferrite_identity::EVALUATION_PARTS {
        portal.store().set_evaluation_allowance(org.id, evaluation).await?;
    }
    let (_, token) = portal.identity.sign_in(&email, password, &ip).await.map_err(internal)?;
    let session = Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .secure(portal.secure_cookies())
        .same_site(SameSite::Lax)
        .build();
    let jar = jar.add(session).add(org_cookie(org.id, portal.secure_cookies()));
    Ok((jar, Redirect::to(&next)).into_response())
}

fn evaluation_parts(portal: &Portal) -> String {
    ferrite_core::plan::thousands(portal.plans.evaluation().parts_per_month)
}

fn default_org_name(email: &str) -> String {
    let local = email.split('@').next().unwrap_or("").trim();
    if local.is_empty() { "My organization".to_owned() } else { format!("{local}'s organization") }
}

fn field_of(err: &ferrite_core::DomainError) -> &'static str {
    match err {
        ferrite_core::DomainError::Invalid { field: "password", .. } => "password",
        ferrite_core::DomainError::Invalid { field: "name", .. } => "organization",
        _ => "email",
    }
}
