//! The webhook's shared secret: where it comes from, and the constant-time check of the
//! `Authorization: Bearer <token>` header against it.

use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

/// How `POST /hooks/feedback` authenticates its callers.
#[derive(Debug, Clone)]
pub enum WebhookAuth {
    /// Callers must send `Authorization: Bearer <token>` with this token.
    Token(SecretString),
    /// No token is configured: the webhook answers `503` and names the variable to set.
    Unconfigured {
        /// The environment variable that would hold the token (`server.webhook_token_env`).
        env: String,
    },
}

/// Why a webhook call was not authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization` header, or not a `Bearer` one.
    Missing,
    /// A bearer token that is not the configured one.
    Wrong,
    /// The service has no token to compare with.
    Unconfigured {
        /// The environment variable to set.
        env: String,
    },
}

/// Shortest token accepted from the environment: anything shorter is guessable.
pub const MIN_TOKEN_LEN: usize = 16;

/// A token too short to be a secret, found in `env`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the webhook token in `{env}` has {len} characters; use at least {MIN_TOKEN_LEN} \
     (e.g. `openssl rand -hex 32`)"
)]
pub struct WeakToken {
    /// The environment variable.
    pub env: String,
    /// The token's length.
    pub len: usize,
}

impl WebhookAuth {
    /// Reads the token from the variable `env` through `lookup` (normally `std::env::var`).
    /// An unset or empty variable leaves the webhook unconfigured; a short token is refused.
    pub fn from_env(
        env: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<WebhookAuth, WeakToken> {
        match lookup(env).map(|t| t.trim().to_owned()) {
            Some(token) if !token.is_empty() => {
                if token.chars().count() < MIN_TOKEN_LEN {
                    return Err(WeakToken {
                        env: env.to_owned(),
                        len: token.chars().count(),
                    });
                }
                Ok(WebhookAuth::Token(SecretString::from(token)))
            }
            _ => Ok(WebhookAuth::Unconfigured {
                env: env.to_owned(),
            }),
        }
    }

    /// A fresh random token (32 hex digits), returned with the auth that accepts it.
    pub fn generate() -> Result<(WebhookAuth, String), getrandom::Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        let token = hex::encode(bytes);
        Ok((WebhookAuth::Token(SecretString::from(token.clone())), token))
    }

    /// Checks an `Authorization` header value. The comparison takes the same time wherever the
    /// first differing byte is.
    pub fn check(&self, authorization: Option<&[u8]>) -> Result<(), AuthFailure> {
        let expected = match self {
            WebhookAuth::Token(t) => t,
            WebhookAuth::Unconfigured { env } => {
                return Err(AuthFailure::Unconfigured { env: env.clone() });
            }
        };
        let given = authorization
            .and_then(bearer_token)
            .ok_or(AuthFailure::Missing)?;
        if bool::from(given.ct_eq(expected.expose_secret().as_bytes())) {
            Ok(())
        } else {
            Err(AuthFailure::Wrong)
        }
    }
}

/// The token of a `Bearer <token>` header value (scheme case-insensitive, as RFC 7235 says).
fn bearer_token(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(7)?;
    if !scheme.eq_ignore_ascii_case(b"bearer ") {
        return None;
    }
    let token = rest.trim_ascii();
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    fn auth(token: &str) -> WebhookAuth {
        WebhookAuth::Token(SecretString::from(token.to_owned()))
    }

    #[test]
    fn the_right_bearer_token_passes() {
        let a = auth("0123456789abcdef0123");
        assert_eq!(a.check(Some(b"Bearer 0123456789abcdef0123")), Ok(()));
        assert_eq!(a.check(Some(b"bearer 0123456789abcdef0123")), Ok(()));
    }

    #[test]
    fn wrong_missing_and_malformed_headers_fail() {
        let a = auth("0123456789abcdef0123");
        assert_eq!(
            a.check(Some(b"Bearer 0123456789abcdef0124")),
            Err(AuthFailure::Wrong)
        );
        assert_eq!(
            a.check(Some(b"Bearer 0123456789abcdef012")),
            Err(AuthFailure::Wrong)
        );
        assert_eq!(a.check(None), Err(AuthFailure::Missing));
        assert_eq!(a.check(Some(b"Bearer ")), Err(AuthFailure::Missing));
        assert_eq!(
            a.check(Some(b"Basic 0123456789abcdef0123")),
            Err(AuthFailure::Missing)
        );
    }

    #[test]
    fn an_unset_variable_leaves_the_webhook_unconfigured() {
        let a = WebhookAuth::from_env("HOOK_TOKEN", |_| None).unwrap();
        assert_eq!(
            a.check(Some(b"Bearer anything-at-all-here")),
            Err(AuthFailure::Unconfigured {
                env: "HOOK_TOKEN".into()
            })
        );
    }

    #[test]
    fn a_short_token_is_refused_with_its_variable_named() {
        let err = WebhookAuth::from_env("HOOK_TOKEN", |_| Some("abc".into())).unwrap_err();
        assert_eq!(err.len, 3);
        assert!(err.to_string().contains("`HOOK_TOKEN`"), "{err}");
    }

    #[test]
    fn generated_tokens_are_accepted_and_differ() {
        let (a, t1) = WebhookAuth::generate().unwrap();
        let (_, t2) = WebhookAuth::generate().unwrap();
        assert_ne!(t1, t2);
        assert_eq!(a.check(Some(format!("Bearer {t1}").as_bytes())), Ok(()));
    }
}
