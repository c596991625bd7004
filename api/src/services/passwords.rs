//! Argon2id password hashing (OWASP's recommended parameters: 19 MiB, 2 passes, 1 lane).
//! Callers run these on the CPU pool: each call takes tens of milliseconds by design.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string.
pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// Checks a password against a stored hash. A malformed hash counts as a mismatch.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// Like [`verify`], but a stored value that is no hash at all (a worker imported in bulk who
/// has not activated the account yet) costs the same Argon2 work, so the time a login takes
/// does not tell whether the account has been activated.
pub fn verify_or_dummy(password: &str, phc: &str) -> bool {
    if PasswordHash::new(phc).is_err() {
        verify_dummy(password);
        return false;
    }
    verify(password, phc)
}

/// What a bulk-imported worker's password hash holds until they activate the account: not a
/// PHC string, so no password matches it.
pub const NOT_SET: &str = "!not-activated";

/// Verifies against a fixed hash so an unknown username costs as much time as a known one.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("qingling-dummy-password").unwrap_or_default());
    let _ = verify(password, phc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("wrong horse battery", &h));
        assert!(!verify("x", "not a hash"));
    }
}
