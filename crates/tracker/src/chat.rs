//! The chat adapter: posts `{"text": …}` to a Slack-compatible incoming webhook (Slack,
//! Mattermost, Rocket.Chat). One try per call: the outbox in the store decides when to try
//! again. The URL is a secret (it is the credential) and never appears in errors or logs.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use supportops_ports::{Chat, ChatError};

/// A Slack-compatible incoming webhook.
#[derive(Debug)]
pub struct WebhookChat {
    client: reqwest::Client,
    url: SecretString,
    /// The environment variable the URL came from, to name in errors.
    env: String,
}

impl WebhookChat {
    /// A webhook at `url` (read from the environment variable `env`), with a per-post timeout.
    pub fn new(url: SecretString, env: &str, timeout: Duration) -> Result<WebhookChat, ChatError> {
        let parsed = url::Url::parse(url.expose_secret()).map_err(|_| {
            ChatError::Refused(format!(
                "the environment variable `{env}` does not hold a URL; set it to the chat's \
                 incoming webhook URL"
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ChatError::Refused(format!(
                "the environment variable `{env}` holds a `{}:` URL; an incoming webhook URL \
                 starts with `https://`",
                parsed.scheme()
            )));
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("supportops/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ChatError::Refused(format!("cannot set up the HTTP client: {e}")))?;
        Ok(WebhookChat {
            client,
            url,
            env: env.to_owned(),
        })
    }
}

#[async_trait::async_trait]
impl Chat for WebhookChat {
    async fn post(&self, text: &str) -> Result<(), ChatError> {
        let answer = self
            .client
            .post(self.url.expose_secret())
            .json(&serde_json::json!({ "text": text }))
            .send()
            .await;
        let response = match answer {
            Ok(r) => r,
            // The error would show the URL: say what happened without it.
            Err(e) if e.is_timeout() => {
                return Err(ChatError::Transient(
                    "the chat webhook did not answer in time".into(),
                ));
            }
            Err(e) if e.is_connect() => {
                return Err(ChatError::Transient(
                    "cannot connect to the chat webhook".into(),
                ));
            }
            Err(_) => {
                return Err(ChatError::Transient(
                    "the request to the chat webhook failed".into(),
                ));
            }
        };
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body: String = response
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        let detail = if body.trim().is_empty() {
            String::new()
        } else {
            format!(": {}", body.trim())
        };
        let message = format!("the chat webhook answered {status}{detail}");
        if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
            Err(ChatError::Transient(message))
        } else {
            Err(ChatError::Refused(format!(
                "{message} (check the URL in `{}`)",
                self.env
            )))
        }
    }
}
