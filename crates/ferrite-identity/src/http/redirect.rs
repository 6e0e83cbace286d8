//! Where a person may be sent after signing in or signing up: a path on this site, nothing else.
//! An open redirect would let anyone use the sign-in page to send people to a look-alike site.

use url::Url;

/// `next` when it is a safe local redirect target, else `None`.
///
/// Safe means: a relative reference that is a path starting with exactly one `/`; every character
/// visible ASCII and no backslash, and so the path after percent-decoding too. Browsers drop tabs
/// and newlines from URLs and read `\` as `/`, so `/\t/evil` and `/\evil` would be `//evil`,
/// another host; a newline would also break the `Location` header. The query may hold encoded
/// spaces (`scope=openid%20profile`): there they are data, which no browser decodes.
pub fn local_redirect(next: &str) -> Option<&str> {
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let decoded_path = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    let visible = |text: &str| text.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    for text in [next, decoded_path.as_ref()] {
        if !visible(text) || !text.starts_with('/') || text.starts_with("//") {
            return None;
        }
    }
    // Belt and braces: resolved against this site, it must stay on this site.
    let base = Url::parse("http://ferrite.invalid/").expect("a valid base");
    let resolved = base.join(next).ok()?;
    (resolved.origin() == base.origin() && resolved.username().is_empty()).then_some(next)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::local_redirect;

    #[test]
    fn local_paths_are_kept() {
        for path in ["/", "/apps", "/connect/authorize?client_id=x&state=a%20b", "/usage#chart", "/a/b%2Fc", "/%41"] {
            assert_eq!(local_redirect(path), Some(path), "{path}");
        }
    }

    #[test]
    fn known_bypasses_are_refused() {
        for hostile in [
            "",
            "apps",
            "evil.example",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "\t",
            "\r\n",
            " /apps",
            "/apps ",
            "/a b",
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%0D%0ASet-Cookie:x=1",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%20/evil.example",
            "/%00",
            "/%FF",
            "/\u{0}",
            "/\u{7f}",
            "/\u{a0}/evil.example",
            "/\u{3000}evil",
            "/é",
            "https://evil.example",
            "https:evil.example",
            "https:/evil.example",
            "javascript:alert(1)",
            "data:text/html,x",
            "%2F%2Fevil.example",
            "/?next=\t",
            "/#\\evil",
        ] {
            assert_eq!(local_redirect(hostile), None, "{hostile:?}");
        }
    }

    proptest! {
        /// Whatever comes in, what is accepted stays on this site, in the browser's reading too,
        /// and fits in a `Location` header.
        #[test]
        fn what_is_accepted_stays_on_the_site(next in "[/\\\\%a-zA-Z0-9:.?#@ \t\r\n]{0,16}") {
            if let Some(path) = local_redirect(&next) {
                prop_assert!(axum::http::HeaderValue::from_str(path).is_ok());
                let browser = path.replace(['\t', '\n', '\r'], "").replace('\\', "/");
                let resolved = url::Url::parse("https://site.example/x/").unwrap().join(&browser).unwrap();
                prop_assert_eq!(resolved.host_str(), Some("site.example"));
            }
        }
    }
}
