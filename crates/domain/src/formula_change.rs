//! When the scoring formula changes: what identifies a formula version, and what a change does
//! to a set of responses (the band transition matrix, the change in flagged responses and in
//! review issues needed, and example rows per changed cell).
//!
//! A version is the normalised formula text together with the band thresholds: either one
//! changing can move a response to another band. Its [`FormulaSpec::hash`] names it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::{Band, BandThresholds, SubjectUrl};

/// A scoring formula as the product scores with it: normalised text, band thresholds and the
/// team's note on why (`score.formula_note`).
#[derive(Debug, Clone, PartialEq)]
pub struct FormulaSpec {
    /// The formula as `formula check` prints it (normalised, with the leading `=`).
    pub formula: String,
    /// Where scores fall into bands.
    pub thresholds: BandThresholds,
    /// Why this formula, e.g. `2027-Q1 focus: confidence in the solution`.
    pub note: Option<String>,
}

impl FormulaSpec {
    /// The version's name: the first 12 hex digits of a SHA-256 over the normalised formula and
    /// the thresholds (the note is not part of it).
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.formula.as_bytes());
        h.update(b"\ngreen=");
        h.update(self.thresholds.green.to_string().as_bytes());
        h.update(b"\nyellow=");
        h.update(self.thresholds.yellow.to_string().as_bytes());
        hex::encode(&h.finalize()[..6])
    }
}

fn index(band: Band) -> usize {
    match band {
        Band::Green => 0,
        Band::Yellow => 1,
        Band::Red => 2,
        Band::Error => 3,
    }
}

/// How many responses went from each band to each band.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Transitions {
    counts: [[u64; 4]; 4],
}

impl Transitions {
    /// Counts `n` responses going from `from` to `to`.
    pub fn add(&mut self, from: Band, to: Band, n: u64) {
        self.counts[index(from)][index(to)] += n;
    }

    /// Adds another matrix's counts.
    pub fn merge(&mut self, other: &Transitions) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            for (x, y) in a.iter_mut().zip(b.iter()) {
                *x += y;
            }
        }
    }

    /// Responses that went from `from` to `to`.
    pub fn count(&self, from: Band, to: Band) -> u64 {
        self.counts[index(from)][index(to)]
    }

    /// Every response counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Responses whose band changed.
    pub fn changed(&self) -> u64 {
        self.cells().filter(|(f, t, _)| f != t).map(|c| c.2).sum()
    }

    /// Responses flagged (Yellow, Red or Error) before the change.
    pub fn flagged_before(&self) -> u64 {
        self.cells().filter(|c| c.0.is_flagged()).map(|c| c.2).sum()
    }

    /// Responses flagged after the change.
    pub fn flagged_after(&self) -> u64 {
        self.cells().filter(|c| c.1.is_flagged()).map(|c| c.2).sum()
    }

    /// Every (from, to, count) cell, zero or not, best bands first.
    pub fn cells(&self) -> impl Iterator<Item = (Band, Band, u64)> + '_ {
        Band::ALL
            .into_iter()
            .flat_map(move |f| Band::ALL.into_iter().map(move |t| (f, t, self.count(f, t))))
    }
}

/// One response whose band a change moves, shown as an example.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExampleRow {
    /// The sheet row.
    pub row: u64,
    /// The subject as written.
    pub subject: String,
    /// Its score before, as the sheet shows it (`1`, `#VALUE!`).
    pub score_before: String,
    /// Its score after.
    pub score_after: String,
}

/// One cell of the matrix in the JSON document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionCell {
    /// The band before.
    pub from: Band,
    /// The band after.
    pub to: Band,
    /// How many responses.
    pub responses: u64,
    /// The first examples (changed cells only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<ExampleRow>,
}

/// What a formula change does to a set of responses, built row by row with [`WhatIfBuilder`].
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    /// From → to counts.
    pub transitions: Transitions,
    /// Distinct subjects with a flagged response before: the review issues needed.
    pub subjects_before: u64,
    /// The same after.
    pub subjects_after: u64,
    /// Up to the requested number of example rows per changed cell, in row order.
    pub examples: BTreeMap<(Band, Band), Vec<ExampleRow>>,
}

impl WhatIf {
    /// The matrix cells that hold responses, with their examples.
    pub fn nonzero_cells(&self) -> Vec<TransitionCell> {
        self.transitions
            .cells()
            .filter(|c| c.2 > 0)
            .map(|(from, to, responses)| TransitionCell {
                from,
                to,
                responses,
                examples: self.examples.get(&(from, to)).cloned().unwrap_or_default(),
            })
            .collect()
    }
}

impl Serialize for WhatIf {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Side {
            flagged: u64,
            review_subjects: u64,
        }
        #[derive(Serialize)]
        struct Doc {
            responses: u64,
            changed: u64,
            before: Side,
            after: Side,
            flagged_change: i64,
            review_subjects_change: i64,
            matrix: Vec<TransitionCell>,
        }
        let t = &self.transitions;
        Doc {
            responses: t.total(),
            changed: t.changed(),
            before: Side {
                flagged: t.flagged_before(),
                review_subjects: self.subjects_before,
            },
            after: Side {
                flagged: t.flagged_after(),
                review_subjects: self.subjects_after,
            },
            flagged_change: delta(t.flagged_before(), t.flagged_after()),
            review_subjects_change: delta(self.subjects_before, self.subjects_after),
            matrix: self.nonzero_cells(),
        }
        .serialize(serializer)
    }
}

/// `after - before`, saturating.
pub fn delta(before: u64, after: u64) -> i64 {
    let b = i64::try_from(before).unwrap_or(i64::MAX);
    let a = i64::try_from(after).unwrap_or(i64::MAX);
    a.saturating_sub(b)
}

/// Builds a [`WhatIf`] one response at a time.
#[derive(Debug, Clone, Default)]
pub struct WhatIfBuilder {
    transitions: Transitions,
    before: BTreeSet<SubjectUrl>,
    after: BTreeSet<SubjectUrl>,
    examples: BTreeMap<(Band, Band), Vec<ExampleRow>>,
    per_cell: usize,
}

impl WhatIfBuilder {
    /// A builder keeping up to `examples` rows per changed cell.
    pub fn new(examples: usize) -> WhatIfBuilder {
        WhatIfBuilder {
            per_cell: examples,
            ..WhatIfBuilder::default()
        }
    }

    /// Counts one response. `example` is called only when the row is kept as an example.
    /// A response without a subject counts in the matrix but needs no review issue.
    pub fn add(
        &mut self,
        from: Band,
        to: Band,
        subject: Option<&SubjectUrl>,
        example: impl FnOnce() -> ExampleRow,
    ) {
        self.transitions.add(from, to, 1);
        if let Some(s) = subject {
            if from.is_flagged() && !self.before.contains(s) {
                self.before.insert(s.clone());
            }
            if to.is_flagged() && !self.after.contains(s) {
                self.after.insert(s.clone());
            }
        }
        if from != to {
            let list = self.examples.entry((from, to)).or_default();
            if list.len() < self.per_cell {
                list.push(example());
            }
        }
    }

    /// Adds counts already known per cell (rows whose subjects and examples were recorded
    /// separately), e.g. from a memoised pass.
    pub fn add_counts(&mut self, transitions: &Transitions) {
        self.transitions.merge(transitions);
    }

    /// Records a subject as flagged before and/or after, without counting a response.
    pub fn add_subject(&mut self, subject: SubjectUrl, before: bool, after: bool) {
        if before && !self.before.contains(&subject) {
            self.before.insert(subject.clone());
        }
        if after && !self.after.contains(&subject) {
            self.after.insert(subject);
        }
    }

    /// Records an example for a changed cell if that cell has room; returns whether it did.
    pub fn add_example(&mut self, from: Band, to: Band, example: ExampleRow) -> bool {
        let list = self.examples.entry((from, to)).or_default();
        if from != to && list.len() < self.per_cell {
            list.push(example);
            true
        } else {
            false
        }
    }

    /// The result.
    pub fn finish(mut self) -> WhatIf {
        self.examples.retain(|_, v| !v.is_empty());
        WhatIf {
            transitions: self.transitions,
            subjects_before: self.before.len() as u64,
            subjects_after: self.after.len() as u64,
            examples: self.examples,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    fn example(row: u64) -> ExampleRow {
        ExampleRow {
            row,
            subject: "s".into(),
            score_before: "1".into(),
            score_after: "2".into(),
        }
    }

    #[test]
    fn counts_flagged_subjects_and_examples() {
        let a = SubjectUrl::parse("https://gitlab.com/g/p/-/issues/1");
        let b = SubjectUrl::parse("https://gitlab.com/g/p/-/issues/2");
        let mut w = WhatIfBuilder::new(1);
        w.add(Band::Yellow, Band::Green, Some(&a), || example(2));
        w.add(Band::Yellow, Band::Green, Some(&a), || example(3));
        w.add(Band::Red, Band::Red, Some(&b), || example(4));
        w.add(Band::Green, Band::Error, None, || example(5));
        let w = w.finish();
        assert_eq!(w.transitions.total(), 4);
        assert_eq!(w.transitions.changed(), 3);
        assert_eq!(w.transitions.flagged_before(), 3);
        assert_eq!(w.transitions.flagged_after(), 2);
        assert_eq!((w.subjects_before, w.subjects_after), (2, 1));
        assert_eq!(w.examples[&(Band::Yellow, Band::Green)], vec![example(2)]);
        assert!(!w.examples.contains_key(&(Band::Red, Band::Red)));
    }

    #[test]
    fn the_hash_names_formula_and_thresholds_not_the_note() {
        let spec = |formula: &str, green: f64, note: Option<&str>| FormulaSpec {
            formula: formula.into(),
            thresholds: BandThresholds { green, yellow: 1.0 },
            note: note.map(Into::into),
        };
        let a = spec("=F2", 2.0, None);
        assert_eq!(a.hash().len(), 12);
        assert_eq!(a.hash(), spec("=F2", 2.0, Some("why")).hash());
        assert_ne!(a.hash(), spec("=F2", 3.0, None).hash());
        assert_ne!(a.hash(), spec("=F2 + 1", 2.0, None).hash());
    }
}
