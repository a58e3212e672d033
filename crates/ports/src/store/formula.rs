//! Store port for formula versions: each formula (with its band thresholds) the product has
//! scored stored responses with, and which version scored each response. A response keeps the
//! score and band it was filed under; a new formula applies to responses scored after it was
//! adopted (see `supportops_app::formula`).

use jiff::Timestamp;
use serde::Serialize;
use supportops_domain::{BandThresholds, FormulaSpec};

use super::StoreError;

/// A formula version's id in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct FormulaVersionId(pub i64);

/// A formula version as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormulaVersion {
    /// Its id (1 for the first version recorded).
    pub id: FormulaVersionId,
    /// [`FormulaSpec::hash`].
    pub hash: String,
    /// The normalised formula.
    pub formula: String,
    /// Its band thresholds.
    pub thresholds: BandThresholds,
    /// The latest `score.formula_note` it was adopted with.
    pub note: Option<String>,
    /// When it was first adopted.
    pub first_used_at: Timestamp,
    /// When it was last adopted or scored a response.
    pub last_used_at: Timestamp,
    /// Stored responses it scored (that keep its score).
    pub responses: u64,
}

impl FormulaVersion {
    /// Whether this version is `spec` (same formula and thresholds).
    pub fn is(&self, spec: &FormulaSpec) -> bool {
        self.hash == spec.hash()
    }
}

/// Every version, and the responses stored before versions were recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormulaHistory {
    /// Versions, oldest first.
    pub versions: Vec<FormulaVersion>,
    /// Responses scored before the store recorded formula versions (by an unknown formula).
    pub unrecorded_responses: u64,
}

/// Storage for formula versions.
#[async_trait::async_trait]
pub trait FormulaStore: Send + Sync {
    /// Records `spec` as a version (once per hash; a later call moves its last-used time and
    /// replaces its note when one is given), and makes it the version this store handle stamps
    /// on every response it writes from now on ([`super::ResponseStore::import_responses`]).
    async fn adopt_formula(
        &self,
        spec: &FormulaSpec,
        at: Timestamp,
    ) -> Result<FormulaVersion, StoreError>;

    /// Every version with how many stored responses it scored, oldest first.
    async fn formula_history(&self) -> Result<FormulaHistory, StoreError>;

    /// The version recorded for a formula hash ([`FormulaSpec::hash`]), if any: one indexed
    /// lookup, without the counts of [`FormulaStore::formula_history`].
    async fn formula_version_id(&self, hash: &str) -> Result<Option<FormulaVersionId>, StoreError>;

    /// Whether any stored response was scored by a version other than `current` (or by an
    /// unrecorded formula). Stops at the first one found.
    async fn scored_otherwise(&self, current: Option<FormulaVersionId>)
    -> Result<bool, StoreError>;
}
