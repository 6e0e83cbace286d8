use thiserror::Error;

/// A rule of the domain was broken. Each variant reads as a sentence a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("{field} {problem}")]
    Invalid { field: &'static str, problem: String },
}

impl DomainError {
    pub fn invalid(field: &'static str, problem: impl Into<String>) -> Self {
        Self::Invalid { field, problem: problem.into() }
    }
}
