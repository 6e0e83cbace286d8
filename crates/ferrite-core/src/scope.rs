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

impl FromStr for Scope {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s)
            .ok_or_else(|| DomainError::invalid("scope", format!("`{s}` is not a known scope")))
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
    fn app_scopes_parse_dedupe_and_refuse_empty() {
        let both: AppScopes = "design, Supply,design".parse().unwrap();
        assert_eq!(both.to_string(), "supply,design");
        assert!("".parse::<AppScopes>().is_err());
        assert!("supply,admin".parse::<AppScopes>().is_err());
    }
}
