//! Scored sheet rows for the tests that run `review`: one flagged response per call.

use supportops_domain::{Band, Response, ResponseKey, ScoredResponse, SubjectUrl};
use supportops_formula::{ErrorKind, Value};

/// A scored row of the handbook's sheet: row `n`, about `subject`, rated `rating`, in `band`.
pub fn row(n: u64, subject: &str, rating: u8, band: Band) -> ScoredResponse {
    let timestamp = format!("2/{n}/2026 9:{:02}:00", n % 60);
    let submitter = format!("engineer{n}@example.com");
    let score = match band {
        Band::Green => Value::Number(2.0),
        Band::Yellow => Value::Number(1.0),
        Band::Red => Value::Number(-1.0),
        Band::Error => Value::Error(ErrorKind::Value),
    };
    ScoredResponse {
        response: Response {
            row: n,
            key: ResponseKey::derive(&timestamp, subject, &submitter),
            timestamp: timestamp.clone(),
            submitted_at: None,
            subject_raw: subject.into(),
            subject: SubjectUrl::parse(subject),
            submitter: Some(submitter.clone()),
            cells: vec![
                timestamp,
                subject.into(),
                "It was not solved".into(),
                "Collaboration".into(),
                format!("comment {n}"),
                rating.to_string(),
                submitter,
            ],
        },
        score,
        band,
        stored_score: None,
    }
}
