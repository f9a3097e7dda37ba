//! Who is calling: a bearer token turned into a partner.

use crate::store::partner::{Partner, hash_token};
use crate::store::{Store, StoreError};

/// Why a token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No token was given.
    #[error("no token: send `Authorization: Bearer <token>`")]
    Missing,
    /// The token is unknown.
    #[error("unknown token")]
    Unknown,
    /// The token was revoked.
    #[error("this token was revoked")]
    Revoked,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The active partner holding `token`.
pub fn partner_for_token(store: &dyn Store, token: &str) -> Result<Partner, AuthError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(AuthError::Missing);
    }
    match store.partner_by_token_hash(&hash_token(token))? {
        None => Err(AuthError::Unknown),
        Some(partner) if !partner.is_active() => Err(AuthError::Revoked),
        Some(partner) => Ok(partner),
    }
}

/// The token of an `Authorization: Bearer <token>` header value.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::partner::{new_token, token_hint};
    use crate::store::{PartnerStore, Scope, SqliteStore};

    #[test]
    fn tokens_are_checked_against_the_stored_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("t.db")).unwrap();
        let token = new_token();
        store
            .add_partner(
                "ngo",
                &Scope::default(),
                &hash_token(&token),
                &token_hint(&token),
                0,
            )
            .unwrap();
        assert_eq!(partner_for_token(&store, &token).unwrap().name, "ngo");
        assert!(matches!(
            partner_for_token(&store, "lw_nope"),
            Err(AuthError::Unknown)
        ));
        assert!(matches!(
            partner_for_token(&store, " "),
            Err(AuthError::Missing)
        ));
        store.revoke_partner("ngo", 1).unwrap();
        assert!(matches!(
            partner_for_token(&store, &token),
            Err(AuthError::Revoked)
        ));
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
    }
}
