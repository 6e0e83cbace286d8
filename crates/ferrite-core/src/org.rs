//! People, organizations and membership roles.

use std::{fmt, str::FromStr};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{DomainError, OrgId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub created_at: DateTime<Utc>,
    /// A server administrator (`ferrite admin user promote`). Nothing grants anything for it yet:
    /// the admin console, which will, comes later.
    pub is_operator: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: OrgId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Member => "member",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "owner" => Ok(Role::Owner),
            "member" => Ok(Role::Member),
            other => Err(DomainError::invalid("role", format!("`{other}` is not a role"))),
        }
    }
}

/// Emails are unique regardless of case; this is the form they are compared in.
pub fn normalize_email(email: &str) -> Result<String, DomainError> {
    let email = email.trim();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if !valid {
        return Err(DomainError::invalid("email", "is not an email address"));
    }
    Ok(email.to_lowercase())
}

/// Names people give to things (organizations, apps): trimmed, 1–100 characters, no control characters.
pub fn validate_name(field: &'static str, name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    let len = name.chars().count();
    if len == 0 {
        return Err(DomainError::invalid(field, "is required"));
    }
    if len > 100 {
        return Err(DomainError::invalid(field, format!("must be at most 100 characters (it has {len})")));
    }
    if name.chars().any(char::is_control) {
        return Err(DomainError::invalid(field, "must not contain control characters"));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_compare_without_case() {
        assert_eq!(normalize_email(" Ada@Example.COM ").unwrap(), "ada@example.com");
        for bad in ["", "ada", "@example.com", "ada@example", "ada@.com", "a da@example.com"] {
            assert!(normalize_email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_name("name", "  BOM tool ").unwrap(), "BOM tool");
        assert!(validate_name("name", "   ").is_err());
        assert!(validate_name("name", &"x".repeat(101)).is_err());
        assert!(validate_name("name", &"é".repeat(100)).is_ok());
        assert!(validate_name("name", "a\u{0}b").is_err());
    }
}
