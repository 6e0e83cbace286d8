//! Static files, embedded in the binary: the portal's stylesheet and scripts, and the vendored
//! GraphiQL and React builds (see assets/vendor/README.md). Each is served with an ETag (a
//! browser that has it gets `304 Not Modified`) and, to a browser that accepts it, gzipped —
//! compressed once, on first request: GraphiQL is 3.5 MB as it is and 0.73 MB gzipped.

use std::{io::Write, sync::OnceLock};

use axum::{
    extract::Path,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

struct Asset {
    /// The path under `/assets/portal/`.
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    /// The ETag and the gzipped bytes, made on first use.
    prepared: OnceLock<(HeaderValue, Vec<u8>)>,
}

impl Asset {
    const fn new(path: &'static str, content_type: &'static str, bytes: &'static [u8]) -> Asset {
        Asset { path, content_type, bytes, prepared: OnceLock::new() }
    }

    fn prepared(&self) -> &(HeaderValue, Vec<u8>) {
        self.prepared.get_or_init(|| {
            let tag = format!("\"{:016x}\"", content_hash(self.bytes));
            let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gzip.write_all(self.bytes).expect("writing to memory");
            let gzipped = gzip.finish().expect("writing to memory");
            (HeaderValue::from_str(&tag).expect("hex digits"), gzipped)
        })
    }
}

/// A content hash for the ETag: any change of the bytes changes it (a new Rust release may too,
/// which costs a browser one download).
fn content_hash(bytes: &[u8]) -> u64 {
    use std::hash::{DefaultHasher, Hasher};
    let mut hasher = DefaultHasher::new();
    hasher.write(bytes);
    hasher.finish()
}

static FILES: [Asset; 7] = [
    Asset::new("portal.css", "text/css; charset=utf-8", include_bytes!("../assets/portal.css")),
    Asset::new("portal.js", "text/javascript; charset=utf-8", include_bytes!("../assets/portal.js")),
    Asset::new("playground.js", "text/javascript; charset=utf-8", include_bytes!("../assets/playground.js")),
    Asset::new(
        "vendor/graphiql/graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/graphiql/graphiql.min.js"),
    ),
    Asset::new(
        "vendor/graphiql/graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/vendor/graphiql/graphiql.min.css"),
    ),
    Asset::new(
        "vendor/react/react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/react/react.production.min.js"),
    ),
    Asset::new(
        "vendor/react-dom/react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/react-dom/react-dom.production.min.js"),
    ),
];

/// The site's icon: an SVG, also at `/favicon.ico`, where browsers look when a page names none.
const FAVICON: &[u8] = include_bytes!("../assets/favicon.svg");

/// Assets are cached for a day and then revalidated by ETag, so a new release is picked up by
/// the next day at the latest without versioned URLs.
const CACHE: &str = "public, max-age=86400";

pub async fn favicon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, CACHE)], FAVICON).into_response()
}

pub async fn serve(Path(path): Path<String>, request: HeaderMap) -> Response {
    let Some(asset) = FILES.iter().find(|asset| asset.path == path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let (tag, gzipped) = asset.prepared();
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    headers.insert(header::ETAG, tag.clone());
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    let listed = |name: header::HeaderName| request.get_all(name).into_iter().filter_map(|v| v.to_str().ok());
    if listed(header::IF_NONE_MATCH).flat_map(|v| v.split(',')).any(|t| t.trim() == tag || t.trim() == "*") {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    if accepts_gzip(listed(header::ACCEPT_ENCODING)) {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        return (headers, gzipped.clone()).into_response();
    }
    (headers, asset.bytes).into_response()
}

/// Whether an `Accept-Encoding` list takes gzip: named (or `*`) without `q=0`.
fn accepts_gzip<'a>(values: impl Iterator<Item = &'a str>) -> bool {
    values.flat_map(|v| v.split(',')).any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| p.replace(' ', "").trim_start_matches("q=").parse::<f32>() == Ok(0.0));
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_taken_when_offered_and_not_refused() {
        assert!(accepts_gzip(["gzip, deflate, br"].into_iter()));
        assert!(accepts_gzip(["br;q=1.0, gzip;q=0.8"].into_iter()));
        assert!(accepts_gzip(["*"].into_iter()));
        assert!(!accepts_gzip(["gzip;q=0"].into_iter()));
        assert!(!accepts_gzip(["br", "identity"].into_iter()));
        assert!(!accepts_gzip(std::iter::empty()));
    }
}
