//! Static files, embedded in the binary: the portal's stylesheet and scripts, and the vendored
//! GraphiQL and React builds (see assets/vendor/README.md).

use axum::{
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

/// (path under /assets/portal/, content type, bytes)
const FILES: &[(&str, &str, &[u8])] = &[
    ("portal.css", "text/css; charset=utf-8", include_bytes!("../assets/portal.css")),
    ("portal.js", "text/javascript; charset=utf-8", include_bytes!("../assets/portal.js")),
    ("playground.js", "text/javascript; charset=utf-8", include_bytes!("../assets/playground.js")),
    (
        "vendor/graphiql/graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/graphiql/graphiql.min.js"),
    ),
    (
        "vendor/graphiql/graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/vendor/graphiql/graphiql.min.css"),
    ),
    (
        "vendor/react/react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/react/react.production.min.js"),
    ),
    (
        "vendor/react-dom/react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/react-dom/react-dom.production.min.js"),
    ),
];

/// The site's icon: an SVG, also at `/favicon.ico`, where browsers look when a page names none.
const FAVICON: &[u8] = include_bytes!("../assets/favicon.svg");

pub async fn favicon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], FAVICON)
        .into_response()
}

pub async fn serve(Path(path): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == path) {
        Some((_, content_type, bytes)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=3600")], *bytes)
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
