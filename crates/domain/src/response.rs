//! Feedback responses: one survey answer about one piece of Support Ops work, and its score.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use supportops_formula::Value;

use crate::{Band, SubjectUrl};

/// A stable identity for a response across re-imports: the sheet's id column when configured,
/// else a hash of timestamp, subject and submitter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResponseKey(String);

impl ResponseKey {
    /// A key taken from the sheet's id column.
    pub fn from_id(id: &str) -> ResponseKey {
        ResponseKey(format!("id:{}", id.trim()))
    }

    /// A key derived from the fields that identify a response when the sheet has no id column.
    pub fn derive(timestamp: &str, subject: &str, submitter: &str) -> ResponseKey {
        let mut h = Sha256::new();
        for part in [timestamp.trim(), subject.trim(), submitter.trim()] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let digest = h.finalize();
        ResponseKey(format!("h:{}", hex::encode(&digest[..12])))
    }

    /// Rebuilds a key from its stored text.
    pub fn from_stored(text: String) -> ResponseKey {
        ResponseKey(text)
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ResponseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One response as read from a sheet, before scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The sheet's row number (the header is row 1).
    pub row: u64,
    /// Stable identity across re-imports.
    pub key: ResponseKey,
    /// The timestamp cell as written in the sheet.
    pub timestamp: String,
    /// The timestamp, when it could be read (Sheets' `M/D/YYYY H:MM:SS` or ISO 8601), in UTC.
    pub submitted_at: Option<jiff::Timestamp>,
    /// The subject link as written.
    pub subject_raw: String,
    /// The normalised subject.
    pub subject: SubjectUrl,
    /// Who answered, if the sheet says.
    pub submitter: Option<String>,
    /// Every cell of the row as text, by zero-based column index.
    pub cells: Vec<String>,
}

/// A response with its score.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredResponse {
    /// The response.
    pub response: Response,
    /// What the formula gave.
    pub score: Value,
    /// The band of that score.
    pub band: Band,
    /// The sheet's own score column, if it has one and the cell is not blank.
    pub stored_score: Option<Value>,
}

impl ScoredResponse {
    /// Whether the sheet's stored score differs from the formula's.
    pub fn mismatch(&self) -> bool {
        self.stored_score
            .as_ref()
            .is_some_and(|stored| stored_score_differs(stored, &self.score))
    }
}

/// Whether a sheet's stored score differs from the formula's: numbers within 1e-9 are equal,
/// anything else must be the same value.
pub fn stored_score_differs(stored: &Value, score: &Value) -> bool {
    match stored {
        Value::Number(a) => !matches!(score, Value::Number(b) if (a - b).abs() < 1e-9),
        other => other != score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_are_stable_and_distinct() {
        let a = ResponseKey::derive("1/2/2026 10:00:00", "https://x/-/issues/1", "a@x");
        let b = ResponseKey::derive("1/2/2026 10:00:00", "https://x/-/issues/1", "a@x");
        let c = ResponseKey::derive("1/2/2026 10:00:01", "https://x/-/issues/1", "a@x");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.as_str().starts_with("h:"));
    }
}
