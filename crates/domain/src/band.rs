//! Bands: the Green / Yellow / Red colour of a score, and Error for a score nobody can compute.

use serde::{Deserialize, Serialize};
use supportops_formula::Value;

/// The colour a score falls into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    /// Good feedback.
    Green,
    /// Needs improvement: gets a Feedback Review issue.
    Yellow,
    /// Bad feedback: gets a Feedback Review issue.
    Red,
    /// The formula produced an error or a non-numeric value: a human must look.
    Error,
}

impl Band {
    /// All bands, best first.
    pub const ALL: [Band; 4] = [Band::Green, Band::Yellow, Band::Red, Band::Error];

    /// The lowercase name used in JSON, config and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Green => "green",
            Band::Yellow => "yellow",
            Band::Red => "red",
            Band::Error => "error",
        }
    }

    /// The handbook's label for the band.
    pub fn label(self) -> &'static str {
        match self {
            Band::Green => "Good",
            Band::Yellow => "Needs Improvement",
            Band::Red => "Bad",
            Band::Error => "Error",
        }
    }

    /// Whether a response in this band needs a Feedback Review issue.
    pub fn is_flagged(self) -> bool {
        !matches!(self, Band::Green)
    }

    /// Parses a band name (`green`, `yellow`, `red`, `error`, any case).
    pub fn parse(name: &str) -> Option<Band> {
        Band::ALL
            .into_iter()
            .find(|b| b.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

impl std::fmt::Display for Band {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Score thresholds: `score >= green` is Green, `score >= yellow` is Yellow, anything else Red.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BandThresholds {
    /// Lowest Green score (handbook: 2).
    pub green: f64,
    /// Lowest Yellow score (handbook: 1).
    pub yellow: f64,
}

impl Default for BandThresholds {
    fn default() -> Self {
        BandThresholds {
            green: 2.0,
            yellow: 1.0,
        }
    }
}

impl BandThresholds {
    /// The band of a formula result. Errors, text, booleans and blanks are [`Band::Error`]:
    /// a score must be a number.
    pub fn band(&self, value: &Value) -> Band {
        match value {
            Value::Number(n) => self.band_of_number(*n),
            _ => Band::Error,
        }
    }

    /// The band of a numeric score.
    pub fn band_of_number(&self, n: f64) -> Band {
        if n.is_nan() {
            Band::Error
        } else if n >= self.green {
            Band::Green
        } else if n >= self.yellow {
            Band::Yellow
        } else {
            Band::Red
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handbook_thresholds() {
        let t = BandThresholds::default();
        assert_eq!(t.band(&Value::Number(3.0)), Band::Green);
        assert_eq!(t.band(&Value::Number(2.0)), Band::Green);
        assert_eq!(t.band(&Value::Number(1.0)), Band::Yellow);
        assert_eq!(t.band(&Value::Number(1.5)), Band::Yellow);
        assert_eq!(t.band(&Value::Number(0.0)), Band::Red);
        assert_eq!(t.band(&Value::Number(-1.0)), Band::Red);
        assert_eq!(t.band(&Value::Text("2".into())), Band::Error);
        assert_eq!(t.band(&Value::Bool(true)), Band::Error);
    }

    #[test]
    fn band_names_parse_case_insensitively() {
        assert_eq!(Band::parse("Yellow"), Some(Band::Yellow));
        assert_eq!(Band::parse("purple"), None);
    }
}
