//! The errors a page shows next to a form's fields.

use std::collections::BTreeMap;

/// Messages for a form's fields, shown next to each field.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// For `aria-invalid`.
    pub fn invalid(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A domain error's message without its field name, which the page shows next to the field.
pub fn problem(err: &ferrite_core::DomainError) -> String {
    match err {
        ferrite_core::DomainError::Invalid { field, problem } => {
            let mut message = format!("{} {problem}", capitalize(field));
            if !message.ends_with('.') {
                message.push('.');
            }
            message
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
