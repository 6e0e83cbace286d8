//! Which backend a database URL names, and how a URL is shown in messages.

use url::Url;

use crate::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        match url.split_once(':').map(|(scheme, _)| scheme) {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            _ => Err(StoreError::Unreachable {
                url: redact_url(url),
                reason: "the URL must start with sqlite:// or postgres://".into(),
            }),
        }
    }
}

/// The URL with any password replaced by `***`, safe for messages and logs.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) => "<unparseable database URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_comes_from_the_scheme() {
        assert_eq!(Backend::from_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("postgres://h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://h/db").unwrap(), Backend::Postgres);
        assert!(Backend::from_url("mysql://h/db").is_err());
    }

    #[test]
    fn passwords_never_reach_messages() {
        let redacted = redact_url("postgres://ferrite:hunter2@db.local:5432/ferrite");
        assert_eq!(redacted, "postgres://ferrite:***@db.local:5432/ferrite");
        assert_eq!(redact_url("sqlite://./data/ferrite.db"), "sqlite://./data/ferrite.db");
        assert_eq!(redact_url("not a url with s3cret"), "<unparseable database URL>");
    }
}
