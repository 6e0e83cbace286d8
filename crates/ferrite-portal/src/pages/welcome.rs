//! First steps: where a newcomer lands after signing up. The organization's evaluation app with
//! its client ID, its secret (made and shown once on request: the one made with the app was never
//! shown to anyone), the token and API URLs, ready `curl` commands and the Playground.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::Cookie;

use super::apps::{SECRET_COOKIE, one_time_secret, secret_carrier};
use crate::{
    error::PortalError,
    forms::FormData,
    member::Member,
    state::Portal,
    views::{self, WelcomePage},
};

/// Where the first-steps page lives, and the path its secret cookie is scoped to.
pub const PATH: &str = "/welcome";

/// The query `curl` sends: the one the README starts with.
const FIRST_QUERY: &str =
    r#"{"query":"{ supSearchMpn(q: \"LM358\", limit: 3) { hits results { part { mpn manufacturer { name } } } } }"}"#;

pub async fn show(State(portal): State<Portal>, member: Member) -> Result<Response, PortalError> {
    let evaluation = member.apps().await?.into_iter().find(|a| a.is_evaluation);
    let secret = one_time_secret(&member);
    let base = portal.identity.issuer().trim_end_matches('/');
    let (token_url, api_url) = (format!("{base}/connect/token"), format!("{base}/graphql"));
    let client_id = evaluation.as_ref().map(|a| a.client_id.clone()).unwrap_or_default();
    let shown_secret = secret.as_deref().unwrap_or("CLIENT_SECRET");
    let curl = format!(
        "TOKEN=$(curl -s -u '{client_id}:{shown_secret}' -d grant_type=client_credentials {token_url} \\\n  \
         | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')\n\
         curl -s {api_url} -H \"Authorization: Bearer $TOKEN\" -H 'content-type: application/json' \\\n  \
         -d '{FIRST_QUERY}'"
    );
    let page = WelcomePage {
        shell: member.shell("apps"),
        evaluation: evaluation.map(|a| (a.id.to_string(), a.name)),
        client_id,
        secret,
        token_url,
        api_url,
        curl,
    };
    let jar = member.jar.clone().remove(Cookie::build(SECRET_COOKIE).path(PATH));
    Ok((jar, views::render(&page, StatusCode::OK)).into_response())
}

/// "Show the secret": makes the evaluation app a new secret and shows it once on the page.
pub async fn reveal(State(portal): State<Portal>, member: Member, form: FormData) -> Result<Response, PortalError> {
    member.check_csrf(&form)?;
    let evaluation = member.apps().await?.into_iter().find(|a| a.is_evaluation).ok_or(PortalError::NotFound)?;
    let renewed = portal.accounts.regenerate_secret(evaluation.id).await?;
    let cookie = secret_carrier(&portal, &renewed.client_secret, PATH);
    Ok((member.jar.clone().add(cookie), Redirect::to(PATH)).into_response())
}
