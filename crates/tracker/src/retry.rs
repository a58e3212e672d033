//! When to try a request again and how long to wait first: capped exponential backoff, and
//! GitLab's `Retry-After` header (seconds or an HTTP date).

use std::time::Duration;

use jiff::Timestamp;
use jiff::fmt::rfc2822::DateTimeParser;
use supportops_ports::Backoff;

/// How a failed request is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Retries after the first attempt (so `max_retries + 1` attempts in all).
    pub max_retries: u32,
    /// The wait before the first retry; each later wait doubles.
    pub first_backoff: Duration,
    /// No backoff wait is longer than this.
    pub max_backoff: Duration,
    /// A `Retry-After` longer than this is not waited for: the request fails at once.
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    /// The backoff of these retries (the product's one [`Backoff`]).
    fn schedule(&self) -> Backoff {
        Backoff {
            first: self.first_backoff,
            max: self.max_backoff,
        }
    }

    /// The wait before retry number `retry` (0 for the first retry): `first_backoff × 2^retry`,
    /// capped at `max_backoff`, less a random jitter of up to half.
    pub fn backoff(&self, retry: u32) -> Duration {
        self.schedule().wait(retry)
    }
}

static HTTP_DATE: DateTimeParser = DateTimeParser::new();

/// Reads a `Retry-After` value: a number of seconds (`"3"`) or an HTTP date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`), relative to `now`. A date in the past means "now".
/// `None` when the value is neither.
pub(crate) fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = HTTP_DATE.parse_timestamp(value).ok()?;
    let wait = at.duration_since(now);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 5,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(120),
        }
    }

    #[test]
    fn backoff_doubles_then_stays_at_the_cap_less_jitter() {
        let ceilings: Vec<u128> = (0..6)
            .map(|n| policy().schedule().ceiling(n).as_millis())
            .collect();
        assert_eq!(ceilings, [500, 1000, 2000, 4000, 4000, 4000]);
        for n in [0, 3, 200] {
            let (wait, ceiling) = (policy().backoff(n), policy().schedule().ceiling(n));
            assert!(
                wait <= ceiling && wait >= ceiling / 2,
                "retry {n}: {wait:?}"
            );
        }
    }

    #[test]
    fn retry_after_in_seconds() {
        let now = Timestamp::UNIX_EPOCH;
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_as_http_date() {
        let now: Timestamp = "2015-10-21T07:27:50Z".parse().unwrap();
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(10))
        );
        // A date already past: retry at once.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_that_is_neither_is_ignored() {
        assert_eq!(parse_retry_after("soon", Timestamp::UNIX_EPOCH), None);
        assert_eq!(parse_retry_after("-3", Timestamp::UNIX_EPOCH), None);
    }
}
