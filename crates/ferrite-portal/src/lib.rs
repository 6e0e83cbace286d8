//! Ferrite's developer portal: sign-up, organizations and their members, apps and their
//! credentials, the supply plan and its allocation to apps, usage, a GraphQL playground, and design
//! workspaces with their projects' BOMs.
//!
//! Server-rendered (askama, checked at compile time), plain HTML forms with a little JavaScript,
//! every asset embedded in the binary. Every page that shows an organization's data takes a
//! [`member::Member`]: the signed-in person *and* the organization they are a member of, resolved
//! before the handler runs; apps are only ever loaded through it, so another organization's app is
//! "not found" by construction.

mod assets;
mod error;
mod field_errors;
mod forms;
mod member;
mod middleware;
mod pages;
mod state;
mod views;

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    response::Redirect,
    routing::{get, post},
};
use ferrite_identity::{Accounts, Identity, Plans};
use ferrite_supply::catalogue::Catalogue;

pub use state::Portal;

/// The answer to a path no route has: the portal's "not found" page, for people who follow an old
/// link as much as for the portal's own pages.
pub async fn not_found() -> axum::response::Response {
    axum::response::IntoResponse::into_response(error::PortalError::NotFound)
}

/// Forms are small; anything bigger is refused before it is read.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The portal's routes. `/signin` and `/signout` are identity's; merge both routers.
pub fn routes(
    identity: Arc<Identity>,
    accounts: Arc<Accounts>,
    plans: Arc<Plans>,
    catalogue: Arc<Catalogue>,
) -> Router {
    use pages::{apps, bom, design, orgs, parts, plans as plan_pages, playground, search, signup, usage, welcome};
    let portal = Portal::new(identity, accounts, plans, catalogue);
    Router::new()
        .route("/", get(|| async { Redirect::to("/apps") }))
        .route("/signup", get(signup::show).post(signup::submit))
        .route(welcome::PATH, get(welcome::show).post(welcome::reveal))
        .route("/apps", get(apps::list).post(apps::create))
        .route("/apps/new", get(apps::new_form))
        .route("/apps/{id}", get(apps::details).post(apps::edit))
        .route("/apps/{id}/secret", post(apps::regenerate))
        .route("/apps/{id}/delete", get(apps::confirm_delete).post(apps::delete))
        .route("/plans", get(plan_pages::show).post(plan_pages::choose))
        .route("/plans/limits", post(plan_pages::allocate))
        .route("/usage", get(usage::show))
        .route("/playground", get(playground::show))
        // The API answers POST; a browser that opens its URL gets GraphiQL.
        .route("/graphql", get(playground::ide))
        .route("/graphql/", get(playground::ide))
        .route("/organization", get(orgs::members))
        .route("/organization/invitations", post(orgs::invite))
        .route("/organization/invitations/{id}/revoke", post(orgs::revoke_invitation))
        .route("/organization/members/{user}/remove", post(orgs::remove_member))
        .route("/organization/members/{user}/role", post(orgs::change_role))
        .route("/orgs", post(orgs::create))
        .route("/orgs/new", get(orgs::new_form))
        .route("/orgs/switch", post(orgs::switch))
        .route("/invitations/{token}", get(orgs::invitation).post(orgs::accept_invitation))
        .route("/parts", get(search::show))
        .route("/part/{slug}", get(parts::show))
        .route("/workspaces", get(design::list))
        .route("/workspaces/{slug}", get(design::show))
        // A design file is bigger than a form: this route has a body limit of its own.
        .route(
            "/workspaces/{slug}/projects",
            post(design::upload).layer(DefaultBodyLimit::max(ferrite_design::limits::MAX_FILE_BYTES + MAX_FORM_BYTES)),
        )
        .route("/workspaces/{slug}/projects/{id}", get(bom::show).post(bom::update))
        .route(
            "/workspaces/{slug}/projects/{id}/revisions",
            post(bom::revise).layer(DefaultBodyLimit::max(ferrite_design::limits::MAX_FILE_BYTES + MAX_FORM_BYTES)),
        )
        .route("/workspaces/{slug}/projects/{id}/delete", get(bom::confirm_delete).post(bom::delete))
        .route("/workspaces/{slug}/projects/{id}/bom.csv", get(bom::export_csv))
        .route("/workspaces/{slug}/projects/{id}/bom.xlsx", get(bom::export_xlsx))
        .route("/assets/portal/{*path}", get(assets::serve))
        .route("/favicon.ico", get(assets::favicon))
        .route("/favicon.svg", get(assets::favicon))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(axum::middleware::from_fn(middleware::request_id_and_headers))
        .with_state(portal)
}
