//! Cross-origin access (CORS) for the endpoints browser apps call with `fetch`: the API and the
//! OAuth endpoints a single-page app uses. The portal and the sign-in and consent pages, which
//! rely on a session cookie, never answer another origin.

use std::{fmt, time::Duration};

use axum::{
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Method, header},
    middleware::Next,
    response::Response,
};
use serde::{Deserialize, Serialize};
use tower::{Layer, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};
use url::Url;

/// The paths other origins may call. Each authenticates with a token or client credentials that
/// the calling code sends itself, never with a cookie the browser adds.
const CROSS_ORIGIN_PATHS: [&str; 8] = [
    "/graphql",
    "/graphql/",
    "/files/upload",
    "/connect/token",
    "/connect/userinfo",
    "/connect/revocation",
    "/.well-known/openid-configuration",
    "/.well-known/jwks.json",
];

/// `[cors]` in the configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsConfig {
    /// Origins (`https://app.example.com`) whose pages may call the API; `["*"]`, the default,
    /// is any origin, `[]` none.
    pub allowed_origins: AllowedOrigins,
}

/// The origins allowed, normalised as browsers send them in `Origin` (lower-case host, no
/// default port, no trailing slash).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub enum AllowedOrigins {
    Any,
    Listed(Vec<String>),
}

impl Default for AllowedOrigins {
    /// Any origin: the API's credentials are bearer tokens that a page must hold and send
    /// itself, never cookies a browser adds on its own, so another site's page gains nothing
    /// it did not already have (Nexar's API answers every origin too).
    fn default() -> Self {
        AllowedOrigins::Any
    }
}

impl fmt::Debug for AllowedOrigins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(Vec::<String>::from(self.clone())).finish()
    }
}

impl TryFrom<Vec<String>> for AllowedOrigins {
    type Error = String;

    fn try_from(entries: Vec<String>) -> Result<Self, String> {
        if entries.iter().any(|entry| entry == "*") {
            return match entries.len() {
                1 => Ok(AllowedOrigins::Any),
                _ => Err("`*` allows every origin, so it must stand alone".into()),
            };
        }
        entries.iter().map(|entry| origin(entry)).collect::<Result<_, _>>().map(AllowedOrigins::Listed)
    }
}

impl From<AllowedOrigins> for Vec<String> {
    fn from(origins: AllowedOrigins) -> Self {
        match origins {
            AllowedOrigins::Any => vec!["*".into()],
            AllowedOrigins::Listed(list) => list,
        }
    }
}

/// `entry` as the `Origin` header spells it, or why it is not an origin.
fn origin(entry: &str) -> Result<String, String> {
    let refuse =
        || format!("`{entry}` is not an origin such as `https://app.example.com` (scheme, host and port only)");
    let url = Url::parse(entry).map_err(|_| refuse())?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none() && url.username().is_empty();
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() || !bare {
        return Err(refuse());
    }
    Ok(url.origin().ascii_serialization())
}

impl CorsConfig {
    /// The layer answering preflights and adding `Access-Control-*` headers. Headers a browser
    /// client needs to read are exposed: the part allowance and why a token was refused.
    pub fn layer(&self) -> CorsLayer {
        let origins = match &self.allowed_origins {
            AllowedOrigins::Any => AllowOrigin::any(),
            AllowedOrigins::Listed(list) => {
                AllowOrigin::list(list.iter().filter_map(|origin| HeaderValue::from_str(origin).ok()))
            }
        };
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, HeaderName::from_static("token")])
            .expose_headers([
                HeaderName::from_static("x-part-limit"),
                HeaderName::from_static("x-part-used"),
                HeaderName::from_static("x-part-remaining"),
                header::WWW_AUTHENTICATE,
                header::RETRY_AFTER,
            ])
            .max_age(Duration::from_secs(3600))
    }
}

/// Middleware (outermost, so that refusals made by other layers carry the headers too): CORS for
/// [`CROSS_ORIGIN_PATHS`], nothing for every other path.
pub async fn for_api_paths(State(cors): State<CorsLayer>, request: Request, next: Next) -> Response {
    if !CROSS_ORIGIN_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    match cors.layer(next).oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_and_anything_else_is_refused() {
        let listed = AllowedOrigins::try_from(vec!["https://App.Example.com/".into(), "http://localhost:3000".into()]);
        assert_eq!(
            listed.unwrap(),
            AllowedOrigins::Listed(vec!["https://app.example.com".into(), "http://localhost:3000".into()])
        );
        assert_eq!(AllowedOrigins::try_from(vec!["*".to_owned()]).unwrap(), AllowedOrigins::Any);
        assert_eq!(AllowedOrigins::try_from(Vec::new()).unwrap(), AllowedOrigins::Listed(vec![]));
        for bad in ["https://app.example.com/path", "app.example.com", "ftp://x.example", "https://u@x.example"] {
            let err = AllowedOrigins::try_from(vec![bad.to_owned()]).unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
        assert!(AllowedOrigins::try_from(vec!["*".into(), "https://a.example".into()]).is_err());
    }
}
