//! URL slugs. Two rules, because they name different things: catalogue names (manufacturers,
//! sellers, categories, parts) take [`slug`] whole, as Nexar's slugs do; a workspace's slug is
//! also a name people type and must stay short and non-empty ([`workspace_slug`]). Stored and
//! served slugs come from these, so changing either changes URLs already handed out.

/// Lower-case ASCII letters and digits, runs of anything else as one `-`, no dash at either end
/// (`Texas Instruments` → `texas-instruments`, `Würth` → `w-rth`); empty when nothing is left.
pub fn slug(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// A part's slug, Nexar's form: `/<mpn>-<manufacturer>-<id>`.
pub fn part_slug(mpn: &str, manufacturer: &str, id: i64) -> String {
    format!("/{}-{id}", slug(&format!("{mpn} {manufacturer}")))
}

/// The path of a part's page on this server (where the API's `octopartUrl` points):
/// `/part/<mpn>-<manufacturer>-<id>`. The page reads the id; the rest is for people.
pub fn part_page(mpn: &str, manufacturer: &str, id: i64) -> String {
    format!("/part{}", part_slug(mpn, manufacturer, id))
}

/// A category's path, Nexar's form: `/electronic-parts/<slug>/<slug>` from `Parent/Child`.
pub fn category_path(path: &str) -> String {
    if path.is_empty() {
        return "/electronic-parts".to_owned(); // the root
    }
    let slugs: Vec<String> = path.split('/').map(slug).collect();
    format!("/electronic-parts/{}", slugs.join("/"))
}

/// The longest slug made from a workspace's name.
pub const MAX_WORKSPACE_SLUG: usize = 40;

/// A workspace's slug from its name: [`slug`] of the name lower-cased first (so a letter whose
/// lower case is ASCII, like the Kelvin sign, counts as that letter), at most
/// [`MAX_WORKSPACE_SLUG`] long; `workspace` when nothing is left (`Acme Widgets, Inc.` →
/// `acme-widgets-inc`).
pub fn workspace_slug(name: &str) -> String {
    let full = slug(&name.to_lowercase());
    let slug = full[..full.len().min(MAX_WORKSPACE_SLUG)].trim_end_matches('-');
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
    fn catalogue_slugs_are_lowercase_dashed_ascii() {
        assert_eq!(slug("Texas Instruments"), "texas-instruments");
        assert_eq!(slug("  Würth Elektronik GmbH & Co."), "w-rth-elektronik-gmbh-co");
        assert_eq!(slug("3M"), "3m");
        assert_eq!(slug("!!!"), "");
        assert_eq!(slug(&"x".repeat(100)).len(), 100, "not shortened");
        assert_eq!(part_slug("LM358-DR", "Texas Instruments", 7), "/lm358-dr-texas-instruments-7");
        assert_eq!(category_path("Integrated Circuits/Op Amps"), "/electronic-parts/integrated-circuits/op-amps");
        assert_eq!(category_path(""), "/electronic-parts", "the root");
    }

    #[test]
    fn workspace_slugs_are_short_lowercase_and_dashed() {
        assert_eq!(workspace_slug("Acme Widgets, Inc."), "acme-widgets-inc");
        assert_eq!(workspace_slug("  Ünïcode  Ltd "), "n-code-ltd");
        assert_eq!(workspace_slug("\u{212A}elvin"), "kelvin", "lower-cased before the ASCII test");
        assert_eq!(workspace_slug("!!!"), "workspace");
        assert_eq!(workspace_slug(&"x".repeat(100)).len(), MAX_WORKSPACE_SLUG);
        assert_eq!(workspace_slug(&format!("{} b", "a".repeat(39))), "a".repeat(39), "no dash at the cut");
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
