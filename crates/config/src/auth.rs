//! `[server.auth]`: who may use the dashboard and the API, and how they sign in.

use serde::{Deserialize, Serialize};

use crate::ConfigError;

/// `[server.auth]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// `gitlab` (sign in with GitLab) or `none` (no sign-in: allowed on loopback only).
    pub kind: String,
    /// The GitLab instance people sign in with (default: `tracker.url`).
    pub url: Option<String>,
    /// The GitLab application's id.
    pub client_id: String,
    /// The environment variable holding the GitLab application's secret.
    pub client_secret_env: String,
    /// Members of this GitLab group (full path) are editors (default: the `[[team.members]]`).
    pub editors_group: Option<String>,
    /// Members of this GitLab group are viewers (default: editors only).
    pub viewers_group: Option<String>,
    /// How long a browser stays signed in.
    pub session_hours: u32,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            kind: "none".into(),
            url: None,
            client_id: String::new(),
            client_secret_env: "SUPPORTOPS_OAUTH_SECRET".into(),
            editors_group: None,
            viewers_group: None,
            session_hours: 12,
        }
    }
}

impl AuthConfig {
    /// Checks the keys that must agree: a known kind, and for GitLab an application id and a
    /// public URL to send people back to.
    pub(crate) fn validate(&self, public_url: Option<&str>) -> Result<(), ConfigError> {
        let bad = |key: &str, message: String| {
            Err(ConfigError::Value {
                key: key.into(),
                message,
            })
        };
        match self.kind.as_str() {
            "none" => Ok(()),
            "gitlab" => {
                if self.client_id.trim().is_empty() {
                    return bad(
                        "server.auth.client_id",
                        "sign-in with GitLab needs the GitLab application's id (Admin or \
                         group settings → Applications)"
                            .into(),
                    );
                }
                match public_url {
                    Some(u) if u.starts_with("http://") || u.starts_with("https://") => {}
                    Some(u) => {
                        return bad("server.public_url", format!("`{u}` is not an http(s) URL"));
                    }
                    None => {
                        return bad(
                            "server.public_url",
                            "sign-in with GitLab needs the address people reach the service \
                             at, e.g. `https://supportops.example.com` (GitLab sends them back \
                             to `<public_url>/auth/callback`)"
                                .into(),
                        );
                    }
                }
                if self.session_hours == 0 {
                    return bad(
                        "server.auth.session_hours",
                        "a session of zero hours ends at once; the default is 12".into(),
                    );
                }
                Ok(())
            }
            other => bad(
                "server.auth.kind",
                format!("`{other}` is neither `gitlab` nor `none`"),
            ),
        }
    }
}
