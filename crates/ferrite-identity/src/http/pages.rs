//! The pages identity shows a person: sign-in, consent, and messages.

use askama::Template;
use axum::{
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
};

/// The stylesheet shared by these pages and the portal's, so that both have one look.
pub const STYLESHEET: &str = include_str!("../../assets/ferrite.css");

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], STYLESHEET)
        .into_response()
}

#[derive(Template)]
#[template(path = "signin.html")]
pub struct SignInPage {
    pub csrf_token: String,
    pub next: String,
    pub email: String,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "consent.html")]
pub struct ConsentPage {
    pub csrf_token: String,
    pub app_name: String,
    pub user_email: String,
    /// (scope, what it lets the app do)
    pub scopes: Vec<(String, &'static str)>,
    /// The authorization request, carried to the decision.
    pub fields: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub title: String,
    pub message: String,
}

pub fn render(page: &impl Template, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "a page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "The page could not be shown.").into_response()
        }
    }
}

pub fn message(status: StatusCode, title: &str, message: &str) -> Response {
    render(&MessagePage { title: title.to_owned(), message: message.to_owned() }, status)
}

/// What each scope lets an app do, in words for the consent page.
pub fn describe_scope(scope: ferrite_core::scope::Scope) -> &'static str {
    use ferrite_core::scope::Scope;
    match scope {
        Scope::SupplyDomain => "query supply data (parts, offers, prices)",
        Scope::DesignDomain => "read and create design data in your workspaces",
        Scope::UserAccess => "see your organizations and their applications",
        Scope::OpenId => "know who you are",
        Scope::Profile => "see your profile",
        Scope::Email => "see your email address",
        Scope::OfflineAccess => "keep access when you are not signed in",
    }
}
