//! Every portal response: a request id (logged with any error, shown on the error page, sent back
//! as `x-request-id`) and the security headers a page that shows secrets needs.

use axum::{
    extract::Request,
    http::{HeaderName, HeaderValue, header},
    middleware::Next,
    response::Response,
};
use tracing::Instrument;

tokio::task_local! {
    static REQUEST_ID: String;
}

const REQUEST_ID_HEADER: &str = "x-request-id";

/// Only our own origin: scripts, styles, connections. Inline styles are allowed for GraphiQL,
/// which sets them; inline scripts are not. Fonts are GraphiQL's, inlined as data URLs.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                   font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; \
                   base-uri 'none'; object-src 'none'";

/// The id of the request being handled, for logs and error pages.
pub fn request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_else(|_| "-".to_owned())
}

pub async fn request_id_and_headers(request: Request, next: Next) -> Response {
    // A proxy's id is kept if it looks like one; otherwise a fresh one.
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let span = tracing::info_span!("portal", request_id = %id);
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).instrument(span).await;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    ferrite_identity::http::add_security_headers(headers, CSP);
    // Pages carry secrets, tokens and CSRF tokens: never cached. Assets set their own.
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}
