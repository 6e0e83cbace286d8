//! Scopes: the OAuth scope strings Ferrite understands, and the API scopes an app is created with.

use std::{collections::BTreeSet, fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// An OAuth scope string as Nexar spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    #[serde(rename = "supply.domain")]
    SupplyDomain,
    #[serde(rename = "design.domain")]
    DesignDomain,
    #[serde(rename = "user.access")]
    UserAccess,
    #[serde(rename = "openid")]
    OpenId,
    #[serde(rename = "profile")]
    Profile,
    #[serde(rename = "email")]
    Email,
    #[serde(rename = "offline_access")]
    OfflineAccess,
}

impl Scope {
    pub const ALL: [Scope; 7] = [
        Scope::SupplyDomain,
        Scope::DesignDomain,
        Scope::UserAccess,
        Scope::OpenId,
        Scope::Profile,
        Scope::Email,
        Scope::OfflineAccess,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::SupplyDomain => "supply.domain",
            Scope::DesignDomain => "design.domain",
            Scope::UserAccess => "user.access",
            Scope::OpenId => "openid",
            Scope::Profile => "profile",
            Scope::Email => "email",
            Scope::OfflineAccess => "offline_access",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Other names Nexar clients request a scope by: `user.details`, the user scope's older name, which
/// nexar-token-py and the Power Query connector ask for. A request for one is a request for its
/// scope, and the token carries that scope's own name.
pub const SCOPE_ALIASES: [(&str, Scope); 1] = [("user.details", Scope::UserAccess)];

impl FromStr for Scope {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let named = Scope::ALL.into_iter().find(|scope| scope.as_str() == s);
        let aliased = || SCOPE_ALIASES.iter().find(|(alias, _)| *alias == s).map(|(_, scope)| *scope);
        named.or_else(aliased).ok_or_else(|| DomainError::invalid("scope", format!("`{s}` is not a known scope")))
    }
}

/// The API an application is registered for. Fixed when the app is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AppScope {
    Supply,
    Design,
}

impl AppScope {
    pub fn as_str(self) -> &'static str {
        match self {
            AppScope::Supply => "supply",
            AppScope::Design => "design",
        }
    }
}

impl FromStr for AppScope {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "supply" => Ok(AppScope::Supply),
            "design" => Ok(AppScope::Design),
            other => Err(DomainError::invalid(
                "scopes",
                format!("`{other}` is not an app scope (expected supply or design)"),
            )),
        }
    }
}

/// The non-empty set of API scopes an app was created with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppScopes(BTreeSet<AppScope>);

impl AppScopes {
    pub fn new(scopes: impl IntoIterator<Item = AppScope>) -> Result<Self, DomainError> {
        let set: BTreeSet<_> = scopes.into_iter().collect();
        if set.is_empty() {
            return Err(DomainError::invalid("scopes", "must include supply, design or both"));
        }
        Ok(Self(set))
    }

    pub fn contains(&self, scope: AppScope) -> bool {
        self.0.contains(&scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = AppScope> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for AppScopes {
    /// Comma-separated, the form the CLI takes and the store keeps: `supply,design`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.iter().map(AppScope::as_str).collect();
        f.write_str(&names.join(","))
    }
}

impl FromStr for AppScopes {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let scopes = s
            .split(',')
            .filter(|part| !part.trim().is_empty())
            .map(AppScope::from_str)
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(scopes)
    }
}

/// The scopes that act for a person; only Design apps may ask for them.
const PERSON_SCOPES: [Scope; 5] =
    [Scope::UserAccess, Scope::OpenId, Scope::Profile, Scope::Email, Scope::OfflineAccess];

impl AppScopes {
    /// The API scopes: what a token gets when it asks for no scope.
    pub fn api_scopes(&self) -> BTreeSet<Scope> {
        let mut scopes = BTreeSet::new();
        if self.contains(AppScope::Supply) {
            scopes.insert(Scope::SupplyDomain);
        }
        if self.contains(AppScope::Design) {
            scopes.insert(Scope::DesignDomain);
        }
        scopes
    }

    /// What a client-credentials token may carry: the API scopes, and `user.access` for the
    /// admin queries about the app's own organization.
    pub fn client_credentials_scopes(&self) -> BTreeSet<Scope> {
        let mut scopes = self.api_scopes();
        scopes.insert(Scope::UserAccess);
        scopes
    }

    /// What a token that acts for a person may carry: the API scopes, and for Design apps the
    /// person's scopes.
    pub fn person_scopes(&self) -> BTreeSet<Scope> {
        let mut scopes = self.api_scopes();
        if self.contains(AppScope::Design) {
            scopes.extend(PERSON_SCOPES);
        }
        scopes
    }
}

/// Parses an OAuth `scope` parameter: space-separated, each scope known. Repeats are merged.
pub fn parse_scope_param(param: &str) -> Result<BTreeSet<Scope>, DomainError> {
    param.split(' ').filter(|s| !s.is_empty()).map(Scope::from_str).collect()
}

/// Formats scopes as OAuth does: space-separated, in a fixed order.
pub fn format_scopes(scopes: &BTreeSet<Scope>) -> String {
    scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
}

/// The scopes to grant: the request's (each of which must be `allowed`) or, with none requested,
/// `default`. `Err` names the first scope that is not allowed.
pub fn grant_scopes(
    requested: Option<&str>,
    allowed: &BTreeSet<Scope>,
    default: &BTreeSet<Scope>,
) -> Result<BTreeSet<Scope>, DomainError> {
    let requested = match requested.map(parse_scope_param).transpose()? {
        Some(set) if !set.is_empty() => set,
        _ => return Ok(default.clone()),
    };
    match requested.iter().find(|scope| !allowed.contains(scope)) {
        Some(scope) => Err(DomainError::invalid("scope", format!("`{scope}` is not available to this application"))),
        None => Ok(requested),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_strings_round_trip() {
        for scope in Scope::ALL {
            assert_eq!(scope.as_str().parse::<Scope>().unwrap(), scope);
        }
        assert!("supply".parse::<Scope>().is_err());
    }

    #[test]
    fn an_alias_names_its_scope() {
        assert_eq!("user.details".parse::<Scope>().unwrap(), Scope::UserAccess);
        let granted = parse_scope_param("openid user.details user.access").unwrap();
        assert_eq!(format_scopes(&granted), "user.access openid");
    }

    #[test]
    fn app_scopes_parse_dedupe_and_refuse_empty() {
        let both: AppScopes = "design, Supply,design".parse().unwrap();
        assert_eq!(both.to_string(), "supply,design");
        assert!("".parse::<AppScopes>().is_err());
        assert!("supply,admin".parse::<AppScopes>().is_err());
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn any_scope() -> impl Strategy<Value = Scope> {
        proptest::sample::select(Scope::ALL.to_vec())
    }

    fn any_app_scopes() -> impl Strategy<Value = AppScopes> {
        proptest::sample::select(vec!["supply", "design", "supply,design"]).prop_map(|s| s.parse().unwrap())
    }

    proptest! {
        #[test]
        fn formatting_then_parsing_gives_back_the_same_scopes(set in proptest::collection::btree_set(any_scope(), 0..7)) {
            prop_assert_eq!(parse_scope_param(&format_scopes(&set)).unwrap(), set);
        }

        #[test]
        fn parsing_never_panics_and_accepts_only_known_words(param in "[a-z._ ]{0,40}") {
            if let Ok(set) = parse_scope_param(&param) {
                for word in param.split(' ').filter(|w| !w.is_empty()) {
                    let alias = SCOPE_ALIASES.iter().any(|(alias, scope)| *alias == word && set.contains(scope));
                    prop_assert!(alias || set.iter().any(|s| s.as_str() == word));
                }
            }
        }

        #[test]
        fn a_grant_never_exceeds_what_the_app_may_have(
            app in any_app_scopes(),
            requested in proptest::collection::vec(any_scope(), 0..5),
        ) {
            let param = requested.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ");
            for allowed in [app.client_credentials_scopes(), app.person_scopes()] {
                if let Ok(granted) = grant_scopes(Some(&param), &allowed, &app.api_scopes()) {
                    prop_assert!(granted.is_subset(&allowed));
                    prop_assert!(!granted.is_empty());
                }
            }
            if !app.contains(AppScope::Supply) {
                prop_assert!(!app.person_scopes().contains(&Scope::SupplyDomain));
                prop_assert!(!app.client_credentials_scopes().contains(&Scope::SupplyDomain));
            }
            if !app.contains(AppScope::Design) {
                prop_assert!(!app.person_scopes().contains(&Scope::DesignDomain));
                prop_assert!(!app.person_scopes().contains(&Scope::OpenId));
            }
        }
    }
}
