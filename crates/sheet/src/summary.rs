//! `score --summary`: counts and shares per band, the score histogram, distinct subjects and
//! stored-score mismatches, built incrementally and merged across worker threads.

use std::collections::HashMap;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};
use supportops_domain::{Band, SubjectUrl};
use supportops_formula::Value;

use crate::distinct::{FingerprintSet, fingerprint};
use crate::record::format_number;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The summary of a scored sheet. JSON:
/// `{"rows": N, "bands": {"green": n, …}, "shares": {"green": 0.5, …},
/// "scores": {"-1": n, "0": n, …}, "subjects": n, "mismatches": n}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Scored rows (blank rows are not counted).
    pub rows: u64,
    /// Rows per band, in [`Band::ALL`] order.
    pub bands: [u64; 4],
    /// Rows per numeric score, ascending.
    pub scores: Vec<(f64, u64)>,
    /// Distinct normalised subjects.
    pub subjects: u64,
    /// Rows whose stored score differs from the formula's.
    pub mismatches: u64,
}

impl Summary {
    /// Rows in `band`.
    pub fn count(&self, band: Band) -> u64 {
        self.bands[band_index(band)]
    }

    /// The share of rows in `band`, between 0 and 1 (0 for an empty sheet).
    pub fn share(&self, band: Band) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            self.count(band) as f64 / self.rows as f64
        }
    }
}

impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Bands<'a>(&'a Summary, bool);
        impl Serialize for Bands<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(4))?;
                for band in Band::ALL {
                    if self.1 {
                        // Shares rounded to 4 decimals, so output is stable and readable.
                        let share = (self.0.share(band) * 10_000.0).round() / 10_000.0;
                        map.serialize_entry(band.as_str(), &share)?;
                    } else {
                        map.serialize_entry(band.as_str(), &self.0.count(band))?;
                    }
                }
                map.end()
            }
        }
        struct Scores<'a>(&'a [(f64, u64)]);
        impl Serialize for Scores<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (score, n) in self.0 {
                    map.serialize_entry(&format_number(*score), n)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("rows", &self.rows)?;
        map.serialize_entry("bands", &Bands(self, false))?;
        map.serialize_entry("shares", &Bands(self, true))?;
        map.serialize_entry("scores", &Scores(&self.scores))?;
        map.serialize_entry("subjects", &self.subjects)?;
        map.serialize_entry("mismatches", &self.mismatches)?;
        map.end()
    }
}

pub(crate) fn band_index(band: Band) -> usize {
    match band {
        Band::Green => 0,
        Band::Yellow => 1,
        Band::Red => 2,
        Band::Error => 3,
    }
}

/// The key of a numeric score in the histogram (`-0` counts as `0`).
pub(crate) fn score_key(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) if !n.is_nan() => Some(if *n == 0.0 { 0.0f64 } else { *n }.to_bits()),
        _ => None,
    }
}

/// Builds a [`Summary`] row by row; one per worker, merged at the end. Workers of one run
/// share one set of subjects ([`SummaryBuilder::sharing`]).
#[derive(Debug, Default)]
pub(crate) struct SummaryBuilder {
    rows: u64,
    bands: [u64; 4],
    scores: FastMap<u64, u64>,
    /// Fingerprints of the normalised subjects (see [`crate::distinct`]).
    subjects: Arc<FingerprintSet>,
    /// Fingerprints of recent subjects as written, by their low bits: a spelling seen lately
    /// is already counted (the responses about one issue/MR come close together).
    recent: Vec<u64>,
    /// Scratch space for normalising.
    normalised: String,
    mismatches: u64,
}

/// Recent spellings of subjects remembered per builder.
const RECENT: usize = 4096;
/// Tells fingerprints of subjects as written from those of normalised ones.
const RAW_SALT: u64 = 0x9e37_79b9_7f4a_7c15;

impl SummaryBuilder {
    /// A builder that counts subjects in `subjects`, shared with other builders.
    pub fn sharing(subjects: &Arc<FingerprintSet>) -> SummaryBuilder {
        SummaryBuilder {
            subjects: Arc::clone(subjects),
            ..SummaryBuilder::default()
        }
    }

    /// Counts `n` rows of the same band and score.
    pub fn add_many(&mut self, band: Band, score: Option<u64>, n: u64) {
        if n == 0 {
            return;
        }
        self.rows += n;
        self.bands[band_index(band)] += n;
        if let Some(key) = score {
            *self.scores.entry(key).or_default() += n;
        }
    }

    /// Counts one row.
    pub fn add(&mut self, band: Band, score: &Value, mismatch: bool, subject_raw: &[u8]) {
        self.add_many(band, score_key(score), 1);
        self.add_subject(subject_raw);
        self.mismatches += u64::from(mismatch);
    }

    /// Records a row's subject as written: normalised (on bytes for the common link shapes),
    /// then counted by the fingerprint of its normalised text.
    pub fn add_subject(&mut self, subject_raw: &[u8]) {
        // Salted, so that a spelling's fingerprint is not that of a normalised subject.
        let raw = fingerprint(subject_raw) ^ RAW_SALT;
        if self.recent.is_empty() {
            self.recent = vec![0; RECENT];
        }
        let slot = raw as usize % RECENT;
        if self.recent[slot] == raw {
            return;
        }
        self.recent[slot] = raw;
        match std::str::from_utf8(subject_raw) {
            Ok(text) => SubjectUrl::normalise_into(text, &mut self.normalised),
            Err(_) => {
                let text = String::from_utf8_lossy(subject_raw);
                SubjectUrl::normalise_into(&text, &mut self.normalised);
            }
        }
        if !self.normalised.is_empty() {
            self.subjects
                .insert(fingerprint(self.normalised.as_bytes()));
        }
    }

    /// Counts a stored-score mismatch.
    pub fn add_mismatch(&mut self) {
        self.mismatches += 1;
    }

    /// Adds another builder's counts.
    pub fn merge(&mut self, other: SummaryBuilder) {
        self.rows += other.rows;
        for (a, b) in self.bands.iter_mut().zip(other.bands) {
            *a += b;
        }
        for (k, n) in other.scores {
            *self.scores.entry(k).or_default() += n;
        }
        if !Arc::ptr_eq(&self.subjects, &other.subjects) {
            self.subjects.extend(&other.subjects);
        }
        self.mismatches += other.mismatches;
    }

    /// The summary.
    pub fn finish(self) -> Summary {
        let mut scores: Vec<(f64, u64)> = self
            .scores
            .into_iter()
            .map(|(bits, n)| (f64::from_bits(bits), n))
            .collect();
        scores.sort_by(|a, b| a.0.total_cmp(&b.0));
        Summary {
            rows: self.rows,
            bands: self.bands,
            scores,
            subjects: self.subjects.len(),
            mismatches: self.mismatches,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn anchors_of_a_link_are_one_subject_but_anchors_of_other_text_are_not() {
        let mut a = SummaryBuilder::default();
        for raw in [
            "https://gitlab.com/a/b/issues/1#note_1",
            "https://gitlab.com/a/b/-/issues/1#note_2",
            "https://gitlab.com/a/b/-/issues/1",
            "ZD macro cleanup #1",
            "ZD macro cleanup #2",
            "https://exa mple.com/x#1",
            "https://exa mple.com/x#2",
        ] {
            a.add_subject(raw.as_bytes());
        }
        assert_eq!(a.finish().subjects, 5);
    }

    #[test]
    fn subjects_count_once_whatever_their_spelling() {
        let mut a = SummaryBuilder::default();
        a.add(
            Band::Green,
            &Value::Number(2.0),
            false,
            b"https://gitlab.com/a/b/-/issues/1",
        );
        a.add(
            Band::Red,
            &Value::Number(0.0),
            true,
            b"https://gitlab.com/a/b/issues/1/",
        );
        let mut b = SummaryBuilder::default();
        b.add(
            Band::Yellow,
            &Value::Number(1.0),
            false,
            b"https://gitlab.com/a/b/-/issues/1#note_9",
        );
        b.add(
            Band::Red,
            &Value::Number(-0.0),
            false,
            b"https://gitlab.com/a/b/-/issues/2",
        );
        b.add(Band::Error, &Value::Text("x".into()), false, b"");
        a.merge(b);
        let s = a.finish();
        assert_eq!(s.rows, 5);
        assert_eq!(s.subjects, 2);
        assert_eq!(s.mismatches, 1);
        assert_eq!(s.bands, [1, 1, 2, 1]);
        assert_eq!(s.scores, vec![(0.0, 2), (1.0, 1), (2.0, 1)]);
        insta::assert_json_snapshot!(s, @r#"
        {
          "rows": 5,
          "bands": {
            "green": 1,
            "yellow": 1,
            "red": 2,
            "error": 1
          },
          "shares": {
            "green": 0.2,
            "yellow": 0.2,
            "red": 0.4,
            "error": 0.2
          },
          "scores": {
            "0": 2,
            "1": 1,
            "2": 1
          },
          "subjects": 2,
          "mismatches": 1
        }
        "#);
    }
}
