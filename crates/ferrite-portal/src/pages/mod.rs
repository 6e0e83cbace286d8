//! The portal's handlers, one module per page family. Each parses its input, asks identity or the
//! store (through the `Member`), and fills a view.

pub mod apps;
pub mod bom_pricing;
pub mod chart;
pub mod design;
pub mod orgs;
pub mod plans;
pub mod playground;
pub mod signup;
pub mod usage;

/// Only same-site paths after sign-up or sign-in: an open redirect would help phishing.
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/apps".to_owned()
    }
}
