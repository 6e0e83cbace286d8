//! Sign-in and sign-out: the session cookie that the portal and the authorization endpoint share.

use std::sync::Arc;

use axum::{
    Form,
    extract::{FromRequest, Query, Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use ferrite_core::org::User;
use serde::Deserialize;

use super::{
    client_ip, csrf,
    pages::{SignInPage, message, render},
    redirect::local_redirect,
};
use crate::{Identity, SignInError};

pub const SESSION_COOKIE: &str = "ferrite_session";

/// The signed-in person, if the request carries a live session.
pub async fn current_user(identity: &Identity, jar: &CookieJar) -> Option<User> {
    let token = jar.get(SESSION_COOKIE)?.value().to_owned();
    match identity.session_user(&token).await {
        Ok(user) => user,
        Err(err) => {
            tracing::error!(error = %err, "session lookup failed");
            None
        }
    }
}

pub fn secure_cookies(identity: &Identity) -> bool {
    identity.issuer().starts_with("https://")
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
    /// Set by sign-up, which sends everyone here.
    signed_up: Option<String>,
}

/// What sign-up's answer says, the same whether the email was new or not.
const SIGNED_UP: &str = "Thank you for signing up. If this email is new to Ferrite, its account and organization \
                         are ready: sign in with the password you chose. If it already had an account, nothing \
                         about that account was changed.";

/// Where to go after signing in: `next` if it is a local path, else the home page.
fn safe_next(next: Option<&str>) -> String {
    next.and_then(local_redirect).unwrap_or("/").to_owned()
}

pub async fn show(State(identity): State<Arc<Identity>>, jar: CookieJar, Query(next): Query<Next>) -> Response {
    let (jar, csrf_token) = csrf::token(&identity, jar);
    let page = SignInPage {
        csrf_token,
        next: safe_next(next.next.as_deref()),
        email: String::new(),
        notice: next.signed_up.is_some().then_some(SIGNED_UP),
        error: None,
    };
    (jar, render(&page, StatusCode::OK)).into_response()
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    csrf_token: Option<String>,
    next: Option<String>,
}

pub async fn submit(State(identity): State<Arc<Identity>>, jar: CookieJar, request: Request) -> Response {
    let ip = client_ip(&identity, request.extensions(), request.headers());
    let Ok(Form(form)) = Form::<SignInForm>::from_request(request, &()).await else {
        return message(
            StatusCode::BAD_REQUEST,
            "Sign-in failed",
            "The form could not be read. Go back and try again.",
        );
    };
    if !csrf::verify(&identity, &jar, form.csrf_token.as_deref()) {
        return message(
            StatusCode::FORBIDDEN,
            "Sign-in failed",
            "The form expired. Go back, reload the page and try again.",
        );
    }
    if [&form.email, &form.password].iter().any(|field| field.contains('\0')) {
        return message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Sign-in failed",
            "The form contains a NUL character (\\0), which no field may contain.",
        );
    }
    let next = safe_next(form.next.as_deref());
    match identity.sign_in(&form.email, &form.password, &ip).await {
        Ok((_, token)) => {
            let cookie = Cookie::build((SESSION_COOKIE, token))
                .path("/")
                .http_only(true)
                .secure(secure_cookies(&identity))
                .same_site(SameSite::Lax)
                .build();
            (jar.add(cookie), Redirect::to(&next)).into_response()
        }
        Err(err) => {
            let (status, retry_after) = match &err {
                SignInError::Invalid => (StatusCode::UNAUTHORIZED, None),
                SignInError::Throttled(after) => {
                    (StatusCode::TOO_MANY_REQUESTS, Some([(header::RETRY_AFTER, after.as_secs().max(1).to_string())]))
                }
                SignInError::Store(store) => {
                    tracing::error!(error = %store, "sign-in failed");
                    (StatusCode::INTERNAL_SERVER_ERROR, None)
                }
            };
            let shown = match err {
                SignInError::Store(_) => "Signing in is not possible right now. Try again later.".to_owned(),
                other => other.to_string(),
            };
            let (jar, csrf_token) = csrf::token(&identity, jar);
            let page = SignInPage { csrf_token, next, email: form.email, notice: None, error: Some(shown) };
            (jar, retry_after, render(&page, status)).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct SignOutForm {
    csrf_token: Option<String>,
}

pub async fn sign_out(
    State(identity): State<Arc<Identity>>,
    jar: CookieJar,
    Form(form): Form<SignOutForm>,
) -> Response {
    if !csrf::verify(&identity, &jar, form.csrf_token.as_deref()) {
        return message(StatusCode::FORBIDDEN, "Sign-out failed", "The form expired. Reload the page and try again.");
    }
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned())
        && let Err(err) = identity.sign_out(&token).await
    {
        tracing::error!(error = %err, "sign-out failed");
    }
    (jar.remove(Cookie::build(SESSION_COOKIE).path("/")), Redirect::to("/signin")).into_response()
}
