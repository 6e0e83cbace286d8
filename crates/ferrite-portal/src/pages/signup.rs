//! Sign-up: a person and their organization with its evaluation app; then the person signs in.

use axum::{
    extract::{FromRequestParts, Query, State},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use ferrite_core::org::{normalize_email, validate_name};
use ferrite_identity::{
    AccountError, SignUp,
    http::{client_ip, csrf, current_user},
    password::validate_password,
};
use serde::Deserialize;

use super::safe_next;
use crate::{
    error::{PortalError, internal},
    field_errors::{FieldErrors, problem},
    forms::FormData,
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
    let (jar, csrf) = csrf::token(&portal.identity, jar);
    let page = SignUpPage {
        csrf,
        evaluation_parts: evaluation_parts(&portal),
        joining: joining(&portal, &next).await,
        next,
        email: String::new(),
        org_name: String::new(),
        errors: FieldErrors::default(),
    };
    (jar, render(&page, StatusCode::OK)).into_response()
}

/// The caller's address, for throttling (identity's rule, trusted proxies included).
pub struct ClientIp(pub String);

impl FromRequestParts<Portal> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, portal: &Portal) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(&portal.identity, &parts.extensions, &parts.headers)))
    }
}

/// Creates the account and its organization, then sends the person to sign in. The answer is the
/// same whether or not the email already had an account (which is then left as it was), so that
/// sign-up does not tell anyone which emails have accounts; with no email sent yet, signing in
/// is how a new person proves the password they chose.
pub async fn submit(
    State(portal): State<Portal>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    form: FormData,
) -> Result<Response, PortalError> {
    if !csrf::verify(&portal.identity, &jar, form.csrf_token()) {
        return Err(PortalError::Csrf);
    }
    let next = first_steps_unless_elsewhere(form.get("next"));
    let email = form.get("email").trim().to_owned();
    let password = form.get("password");
    let org_input = form.get("organization").trim();
    let org_name = if org_input.is_empty() { default_org_name(&email) } else { org_input.to_owned() };

    let mut errors = FieldErrors::default();
    if let Err(err) = normalize_email(&email) {
        errors.add("email", problem(&err));
    }
    if let Err(err) = validate_password(password, &email) {
        errors.add("password", problem(&err));
    }
    if let Err(err) = validate_name("organization", &org_name) {
        errors.add("organization", problem(&err));
    }
    let joining = joining(&portal, &next).await;
    let again = |errors: FieldErrors, jar: CookieJar, status: StatusCode| {
        let (jar, csrf) = csrf::token(&portal.identity, jar);
        let page = SignUpPage {
            csrf,
            evaluation_parts: evaluation_parts(&portal),
            joining: joining.clone(),
            next: next.clone(),
            email: email.clone(),
            org_name: org_input.to_owned(),
            errors,
        };
        (jar, render(&page, status)).into_response()
    };
    if !errors.is_empty() {
        return Ok(again(errors, jar, StatusCode::UNPROCESSABLE_ENTITY));
    }

    match portal.accounts.sign_up(&email, password, &org_name, invitation_token(&next), &ip).await {
        Ok(SignUp::Created(..) | SignUp::EmailTaken) => {}
        Err(AccountError::Throttled(after)) => {
            errors.add(
                "form",
                format!(
                    "Too many accounts were created from your address. Try again in {} minutes.",
                    after.as_secs().div_ceil(60)
                ),
            );
            let retry_after = [(header::RETRY_AFTER, after.as_secs().max(1).to_string())];
            return Ok((retry_after, again(errors, jar, StatusCode::TOO_MANY_REQUESTS)).into_response());
        }
        Err(AccountError::Invalid(err)) => {
            errors.add(field_of(&err), problem(&err));
            return Ok(again(errors, jar, StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(err) => return Err(internal(err)),
    }
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    Ok(Redirect::to(&format!("/signin?next={next}&signed_up=1")).into_response())
}

/// Where a newcomer goes after signing in: the first steps, unless sign-up was reached on the way
/// somewhere other than Apps (the portal's home, where sign-in leads by default).
fn first_steps_unless_elsewhere(next: &str) -> String {
    match safe_next(next) {
        home if home == "/apps" => super::welcome::PATH.to_owned(),
        elsewhere => elsewhere,
    }
}

/// The invitation a sign-up is on its way to accept: `next` is its page.
fn invitation_token(next: &str) -> Option<&str> {
    next.strip_prefix("/invitations/").filter(|token| !token.is_empty() && !token.contains(['/', '?']))
}

/// The name of the organization the invitation on the way invites to, if it is valid.
async fn joining(portal: &Portal, next: &str) -> Option<String> {
    let token = invitation_token(next)?;
    portal.accounts.invitation(token).await.ok().map(|(_, org)| org.name)
}

fn evaluation_parts(portal: &Portal) -> String {
    ferrite_core::plan::thousands(portal.plans.catalogue().evaluation().parts_per_month)
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
