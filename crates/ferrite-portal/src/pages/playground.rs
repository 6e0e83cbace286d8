//! Playground: GraphiQL (served from the binary) pointed at `POST /graphql`, with a fresh access
//! token of one of the organization's own apps in its headers. The same GraphiQL answers
//! `GET /graphql`, where anyone pastes a token of their own.

use axum::{
    extract::{Query, State},
    response::Response,
};
use ferrite_core::{app::App, scope::AppScope};
use ferrite_identity::TokenRequest;
use serde::Deserialize;

use crate::{
    error::{PortalError, internal},
    member::Member,
    state::Portal,
    views::{self, IdePage, PlaygroundApp, PlaygroundPage},
};

/// `GET /graphql`: GraphiQL on its own, without sign-in (the API asks for a token, not a session).
pub async fn ide() -> Response {
    views::render(&IdePage, axum::http::StatusCode::OK)
}

#[derive(Deserialize, Default)]
pub struct Choice {
    #[serde(default)]
    app: Option<String>,
}

pub async fn show(
    State(portal): State<Portal>,
    member: Member,
    Query(choice): Query<Choice>,
) -> Result<Response, PortalError> {
    let apps = member.apps().await?;
    // The app asked for, which must be this organization's; else the first non-evaluation app,
    // else the evaluation app.
    let chosen: App = match choice.app.as_deref().filter(|id| !id.is_empty()) {
        Some(id) => member.app(id).await?,
        None => {
            apps.iter().find(|a| !a.is_evaluation).or_else(|| apps.first()).cloned().ok_or(PortalError::NotFound)?
        }
    };
    // A client-credentials token, as the app itself would get one: its API scopes.
    let request = TokenRequest { grant_type: "client_credentials".into(), ..Default::default() };
    let token = portal.identity.token(&chosen, &request).await.map_err(internal)?;
    let expires = portal.now() + chrono::Duration::seconds(token.expires_in as i64);
    let page = PlaygroundPage {
        shell: member.shell("playground"),
        apps: apps
            .iter()
            .map(|a| PlaygroundApp { id: a.id.to_string(), name: a.name.clone(), selected: a.id == chosen.id })
            .collect(),
        app_name: chosen.name.clone(),
        token: token.access_token,
        expires: views::datetime(expires),
        supply: chosen.scopes.contains(AppScope::Supply),
    };
    Ok(member.page(&page))
}
