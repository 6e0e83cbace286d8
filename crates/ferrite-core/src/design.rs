//! Design data's domain: workspaces and how their URLs are named.

use chrono::{DateTime, Utc};

use crate::{OrgId, WorkspaceId};

/// A workspace: an organization's container of projects. Every organization has a default one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub org_id: OrgId,
    /// Unique across the server: the last segment of the workspace's URL.
    pub slug: String,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
}

/// The longest slug made from a name.
pub const MAX_SLUG: usize = 40;

/// A URL slug from a name: lower-case ASCII letters and digits, runs of anything else as one `-`
/// (`Acme Widgets, Inc.` → `acme-widgets-inc`); `workspace` when nothing is left.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= MAX_SLUG {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() { "workspace".to_owned() } else { slug.to_owned() }
}

/// The `n`-th choice of slug for a name (`acme`, `acme-2`, `acme-3`, …), for when one is taken.
pub fn slug_choice(base: &str, n: u32) -> String {
    if n <= 1 { base.to_owned() } else { format!("{base}-{n}") }
}

/// The slug a workspace URL ends with: `https://host/workspaces/acme/` and `acme` both name `acme`.
pub fn slug_of_url(url: &str) -> &str {
    url.trim().trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_lowercase_and_dashed() {
        assert_eq!(slugify("Acme Widgets, Inc."), "acme-widgets-inc");
        assert_eq!(slugify("  Ünïcode  Ltd "), "n-code-ltd");
        assert_eq!(slugify("!!!"), "workspace");
        assert_eq!(slugify(&"x".repeat(100)).len(), MAX_SLUG);
        assert_eq!(slug_choice("acme", 1), "acme");
        assert_eq!(slug_choice("acme", 3), "acme-3");
    }

    #[test]
    fn a_workspace_url_or_its_slug_names_it() {
        assert_eq!(slug_of_url("https://ferrite.example/workspaces/acme/"), "acme");
        assert_eq!(slug_of_url("acme"), "acme");
        assert_eq!(slug_of_url(""), "");
    }
}
