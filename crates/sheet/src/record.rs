//! One scored row as `score` prints it (JSON, NDJSON, CSV, table), and how formula values are
//! written as text and JSON.

use serde::ser::{Serialize, SerializeMap, Serializer};
use supportops_domain::response::stored_score_differs;
use supportops_domain::{Band, ResponseKey, ScoredResponse, SubjectUrl};
use supportops_formula::Value;

/// One scored row: `{"row": 7, "key": "h:…", "subject": "https://…/-/issues/12", "score": 1,
/// "error": null, "band": "yellow", "stored_score": 2, "mismatch": true}`.
///
/// `score` is a number, text or boolean, `null` on error (then `error` holds the Sheets error
/// text such as `#VALUE!`). `stored_score` and `mismatch` appear only when the sheet has a
/// score column; `stored_score` is `null` where that cell is blank.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRecord {
    /// The sheet's row number (the header is row 1).
    pub row: u64,
    /// The response's stable key.
    pub key: ResponseKey,
    /// The normalised subject.
    pub subject: SubjectUrl,
    /// What the formula gave.
    pub score: Value,
    /// The band of that score.
    pub band: Band,
    /// `None` when the sheet has no score column; else the stored cell (`None` when blank).
    pub stored: Option<Option<Value>>,
}

impl ScoreRecord {
    /// The record of a scored response; `has_stored_column` says whether the sheet has a score
    /// column at all.
    pub fn from_scored(scored: &ScoredResponse, has_stored_column: bool) -> ScoreRecord {
        ScoreRecord {
            row: scored.response.row,
            key: scored.response.key.clone(),
            subject: scored.response.subject.clone(),
            score: scored.score.clone(),
            band: scored.band,
            stored: has_stored_column.then(|| scored.stored_score.clone()),
        }
    }

    /// The Sheets error text of the score, if it is an error.
    pub fn error(&self) -> Option<&'static str> {
        match self.score {
            Value::Error(e) => Some(e.as_str()),
            _ => None,
        }
    }

    /// Whether the stored score differs from the formula's.
    pub fn mismatch(&self) -> bool {
        matches!(&self.stored, Some(Some(stored)) if stored_score_differs(stored, &self.score))
    }
}

impl Serialize for ScoreRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("row", &self.row)?;
        map.serialize_entry("key", &self.key)?;
        map.serialize_entry("subject", &self.subject)?;
        map.serialize_entry("score", &ValueJson(&self.score))?;
        map.serialize_entry("error", &self.error())?;
        map.serialize_entry("band", &self.band)?;
        if let Some(stored) = &self.stored {
            map.serialize_entry("stored_score", &stored.as_ref().map(StoredJson))?;
            map.serialize_entry("mismatch", &self.mismatch())?;
        }
        map.end()
    }
}

/// A formula value as JSON: a number (integral numbers without a fraction), text, a
/// boolean, or `null` for blank and error values.
#[derive(Debug, Clone, Copy)]
pub struct ValueJson<'a>(pub &'a Value);

impl Serialize for ValueJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                serializer.serialize_i64(*n as i64)
            }
            Value::Number(n) if n.is_finite() => serializer.serialize_f64(*n),
            Value::Text(t) => serializer.serialize_str(t),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(_) | Value::Blank | Value::Error(_) => serializer.serialize_none(),
        }
    }
}

/// A stored score cell as JSON: like [`ValueJson`], but an error the sheet shows (`#VALUE!`)
/// is kept as its text, since a stored score has no separate error field.
#[derive(Debug, Clone, Copy)]
pub struct StoredJson<'a>(pub &'a Value);

impl Serialize for StoredJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Error(e) => serializer.serialize_str(e.as_str()),
            other => ValueJson(other).serialize(serializer),
        }
    }
}

/// A formula value as text, as a sheet shows it: `2`, `0.3`, `TRUE`, `#VALUE!`, or empty; the
/// formula's own `Display` (numbers to 15 significant digits), the one formatter of values
/// shown to people.
pub fn value_text(value: &Value) -> String {
    value.to_string()
}

/// A number as data (exact, the shortest text that reads back the same): CSV cells imported
/// from workbooks and the keys of the score counts. People see [`value_text`].
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;
    use supportops_domain::{Response, ScoredResponse};
    use supportops_formula::ErrorKind;

    #[test]
    fn numbers_print_like_a_sheet() {
        assert_eq!(format_number(2.0), "2");
        assert_eq!(format_number(-1.0), "-1");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(value_text(&Value::Error(ErrorKind::Value)), "#VALUE!");
    }

    fn scored(score: Value, stored: Option<Value>) -> ScoredResponse {
        ScoredResponse {
            response: Response {
                row: 7,
                key: ResponseKey::from_id("42"),
                timestamp: String::new(),
                submitted_at: None,
                subject_raw: "https://gitlab.com/a/b/issues/12".into(),
                subject: SubjectUrl::parse("https://gitlab.com/a/b/issues/12"),
                submitter: None,
                cells: vec![],
            },
            band: supportops_domain::BandThresholds::default().band(&score),
            score,
            stored_score: stored,
        }
    }

    #[test]
    fn records_serialise_with_the_documented_fields() {
        let r =
            ScoreRecord::from_scored(&scored(Value::Number(1.0), Some(Value::Number(2.0))), true);
        insta::assert_json_snapshot!(r, @r#"
        {
          "row": 7,
          "key": "id:42",
          "subject": "https://gitlab.com/a/b/-/issues/12",
          "score": 1,
          "error": null,
          "band": "yellow",
          "stored_score": 2,
          "mismatch": true
        }
        "#);
        let r = ScoreRecord::from_scored(&scored(Value::Error(ErrorKind::Value), None), false);
        insta::assert_json_snapshot!(r, @r##"
        {
          "row": 7,
          "key": "id:42",
          "subject": "https://gitlab.com/a/b/-/issues/12",
          "score": null,
          "error": "#VALUE!",
          "band": "error"
        }
        "##);
    }

    #[test]
    fn mismatch_agrees_with_the_domain() {
        let cases = [
            (Value::Number(1.0), None, false),
            (Value::Number(1.0), Some(Value::Number(1.0)), false),
            (Value::Number(1.0), Some(Value::Number(1.0 + 1e-12)), false),
            (Value::Number(1.0), Some(Value::Number(2.0)), true),
            (
                Value::Error(ErrorKind::Value),
                Some(Value::Number(2.0)),
                true,
            ),
            (
                Value::Text("x".into()),
                Some(Value::Text("x".into())),
                false,
            ),
            (Value::Number(0.0), Some(Value::Text("0".into())), true),
        ];
        for (score, stored, differs) in cases {
            let s = scored(score, stored);
            let record = ScoreRecord::from_scored(&s, true);
            assert_eq!(record.mismatch(), s.mismatch(), "{s:?}");
            assert_eq!(record.mismatch(), differs, "{s:?}");
        }
        // Without a score column there is nothing to differ from.
        let s = scored(Value::Number(1.0), Some(Value::Number(2.0)));
        assert!(!ScoreRecord::from_scored(&s, false).mismatch());
    }
}
