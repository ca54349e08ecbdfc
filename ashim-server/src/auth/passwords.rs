//! Password hashing: argon2id PHC strings for everything ashim stores, and verification of
//! the reference server's scrypt `salt:hash` entries (imported users and keys), which are
//! upgraded to argon2id at the next successful login. Hashing is CPU work: call these on
//! the blocking pool, never under a database lock.

use crate::error::{ApiError, ApiResult};
use crate::util::ct_eq;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};

/// Hash a password as an argon2id PHC string.
pub fn hash(password: &str) -> ApiResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// Verify a password against a stored hash of any supported form. This is the single
/// verification entry point (DECISIONS 6).
pub fn verify(password: &str, stored: &str) -> bool {
    if stored.starts_with('$') {
        return match PasswordHash::new(stored) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        };
    }
    verify_scrypt(password.as_bytes(), stored)
}

/// Whether a stored hash is a legacy form to replace after a successful verification.
pub fn needs_upgrade(stored: &str) -> bool {
    !stored.starts_with("$argon2id$")
}

/// The reference's scrypt form: `<salt hex>:<64-byte key hex>`, made by Node's
/// `scryptSync(secret, saltHex, 64)` (N = 16384, r = 8, p = 1; the salt is the hex text's
/// bytes).
pub fn verify_scrypt(secret: &[u8], stored: &str) -> bool {
    let Some((salt, expected)) = stored.split_once(':') else {
        return false;
    };
    let Some(expected) = unhex(expected) else {
        return false;
    };
    if salt.is_empty() || expected.is_empty() || expected.len() > 1024 {
        return false;
    }
    let Ok(params) = scrypt::Params::new(14, 8, 1) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    scrypt::scrypt(secret, salt.as_bytes(), &params, &mut out).is_ok() && ct_eq(&out, &expected)
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A fixed hash used to spend the same time on unknown users as on wrong passwords.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash("not-a-real-password-0").unwrap_or_default())
}

/// The password rule: 8+ characters with upper case, lower case and a digit.
pub fn acceptable(p: &str) -> bool {
    p.chars().count() >= 8
        && p.chars().any(|c| c.is_ascii_uppercase())
        && p.chars().any(|c| c.is_ascii_lowercase())
        && p.chars().any(|c| c.is_ascii_digit())
}

/// The rule as a sentence.
pub const RULE: &str =
    "Password must be at least 8 characters with uppercase, lowercase, and a number";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2_round_trip() {
        let h = hash("Secret-123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Secret-123", &h));
        assert!(!verify("secret-123", &h));
        assert!(!needs_upgrade(&h));
        assert!(acceptable("Abcdefg1") && !acceptable("abcdefg1") && !acceptable("Ab1"));
    }

    #[test]
    fn reference_scrypt_hashes_verify() {
        // The fixture database's admin row (reference-db/README: Admin-Pass-2024).
        let stored = "254c72c68acabfb7fe1f75a15e1fb652bc6af7b7ec26953eb354914ebd8fac46:\
                      026e313d573504e321c7ca5babd5d42a640d1303a4726f83ff3739dae7bcc6bc\
                      b1a3140e9dcfc9aaf7b24779f31546f77d6e30c2dc38e53d7835120ac0024c79";
        assert!(verify("Admin-Pass-2024", stored));
        assert!(!verify("Admin-Pass-2025", stored));
        assert!(needs_upgrade(stored));
        assert!(!verify("x", "nocolon"));
        assert!(!verify("x", "ab:zz"));
    }
}
