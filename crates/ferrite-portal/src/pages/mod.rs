//! The portal's handlers, one module per page family. Each parses its input, asks identity or the
//! store (through the `Member`), and fills a view.

pub mod apps;
pub mod bom;
pub mod chart;
pub mod design;
pub mod orgs;
pub mod parts;
pub mod plans;
pub mod playground;
pub mod search;
pub mod signup;
pub mod usage;
pub mod welcome;

/// Where to go after signing up: `next` if it is a local path (identity's one rule), else Apps.
pub fn safe_next(next: &str) -> String {
    ferrite_identity::http::redirect::local_redirect(next).unwrap_or("/apps").to_owned()
}

/// The name of `id` in one of the catalogue dictionary's tables; empty when it has none.
fn name(names: &std::collections::HashMap<i64, ferrite_store::Named>, id: i64) -> &str {
    names.get(&id).map_or("", |n| n.name.as_str())
}
