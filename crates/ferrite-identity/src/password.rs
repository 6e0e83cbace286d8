//! Passwords: Argon2id, with the parameters OWASP recommends for interactive sign-in.

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};

use ferrite_core::DomainError;

fn argon2() -> Argon2<'static> {
    // 19 MiB, 2 passes, 1 lane: OWASP's Argon2id baseline.
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, None).expect("valid parameters"))
}

/// Passwords of at least 10 characters among the 30,000 most common ones, lower-case, most common
/// first (the list zxcvbn ships, from leaked password sets; the shorter ones are refused anyway).
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// A password people may choose for the account `email`: 10 to 1024 characters, not all the same
/// character, not one of the most common passwords, not the email address.
pub fn validate_password(password: &str, email: &str) -> Result<(), DomainError> {
    let len = password.chars().count();
    if len < 10 {
        return Err(DomainError::invalid("password", "must be at least 10 characters"));
    }
    if len > 1024 {
        return Err(DomainError::invalid("password", "must be at most 1024 characters"));
    }
    if password.chars().all(|c| password.starts_with(c)) {
        return Err(DomainError::invalid("password", "must not repeat a single character"));
    }
    let folded = password.trim().to_lowercase();
    if is_common(&folded) {
        return Err(DomainError::invalid("password", "is one of the most common passwords; choose another"));
    }
    if folded == email.trim().to_lowercase() {
        return Err(DomainError::invalid("password", "must not be the email address"));
    }
    Ok(())
}

fn is_common(folded: &str) -> bool {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| COMMON_PASSWORDS.lines().collect()).contains(folded)
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid params")
        .to_string()
}

/// Checks a password against a stored hash. Pass `None` when there is no such person, so that
/// the answer takes as long as for a real one and does not reveal which emails exist.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("a password nobody has"));
    let hash = stored.unwrap_or(dummy);
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    argon2().verify_password(password.as_bytes(), &parsed).is_ok() && stored.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let hash = hash_password("correct horse battery staple");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery staple", Some(&hash)));
        assert!(!verify_password("correct horse battery stapler", Some(&hash)));
        assert!(!verify_password("correct horse battery staple", None));
        assert!(!verify_password("x", Some("not a hash")));
    }

    #[test]
    fn weak_passwords_are_refused() {
        let refused = |password: &str| validate_password(password, "ada@example.com").unwrap_err().to_string();
        assert!(refused("short").contains("at least 10 characters"));
        assert!(refused("aaaaaaaaaaaa").contains("a single character"));
        for common in ["qwertyuiop", "1234567890", "Password123", "PASSWORD123", "iloveyou12", "1q2w3e4r5t"] {
            assert!(refused(common).contains("most common"), "{common}");
        }
        assert!(refused("Ada@Example.com").contains("email"));
        assert!(validate_password("correct horse", "ada@example.com").is_ok());
        assert!(validate_password("ada@example.com", "bob@example.com").is_ok());
    }

    #[test]
    fn the_common_list_is_what_it_says() {
        let lines: Vec<&str> = COMMON_PASSWORDS.lines().collect();
        assert!(lines.len() > 1000);
        assert!(lines.iter().all(|p| p.chars().count() >= 10 && *p == p.to_lowercase() && !p.contains(' ')));
        assert_eq!(lines[0], "qwertyuiop", "most common first");
    }
}
