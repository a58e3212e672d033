//! Throughput of the streaming scorer on generated sheets in the handbook's layout, in the
//! realistic and the few-links mix:
//! `cargo bench -p supportops-sheet --bench score`. The end-to-end comparison with Polars and
//! DuckDB is `bench/score.sh`.
#![allow(clippy::unwrap_used, reason = "a panic in a benchmark is a failed run")]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use supportops_formula::{Formula, ParseOptions};
use supportops_sheet::sample::{Mix, SampleOptions, write_sample};
use supportops_sheet::{
    Columns, Headers, RecordSink, ScoreOptions, ScoreRecord, Scoring, SheetLayout, SourceSpec,
};

const HANDBOOK: &str = r#"=SUM(IF(F2 >= 4, 1, IF(F2 <= 1, -1, 0)), IF(REGEXMATCH(D2, "Collaboration.*Results.*Transparency"), 1, 0), IF(C2 = "It was solved, and I feel this will dramatically improve my use of Zendesk", 1, IF(C2 = "It was solved, and I am confident in the solution", 1, IF(C2 = "It was closed as it became a stale issue", 1, 0))))"#;
const ROWS: u64 = 200_000;

struct Discard;

impl RecordSink for Discard {
    fn start(&mut self, _: &str, _: &Headers, _: &Columns) -> std::io::Result<()> {
        Ok(())
    }
    fn record(&mut self, record: &ScoreRecord) -> std::io::Result<()> {
        std::hint::black_box(record);
        Ok(())
    }
}

fn bench(c: &mut Criterion) {
    let formula = Formula::parse(HANDBOOK, &ParseOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, mix) in [("realistic", Mix::Realistic), ("few_links", Mix::FewLinks)] {
        let path = dir.path().join(format!("feedback-{name}.csv"));
        let mut bytes = Vec::new();
        let options = SampleOptions {
            rows: ROWS,
            seed: 1,
            mix,
        };
        write_sample(&mut bytes, &options, Some(&formula)).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let source = SourceSpec::Path(path);
        let scoring = Scoring::new(formula.clone(), Default::default());
        let layout = SheetLayout::default();

        let mut group = c.benchmark_group(format!("score {name}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.sample_size(20);
        group.bench_function("summary_200k_rows", |b| {
            b.iter(|| {
                supportops_sheet::score_summary(
                    &source,
                    &layout,
                    &scoring,
                    &ScoreOptions::default(),
                )
                .unwrap()
            })
        });
        group.bench_function("records_200k_rows", |b| {
            b.iter(|| {
                supportops_sheet::score_records(
                    &source,
                    &layout,
                    &scoring,
                    &ScoreOptions::default(),
                    &mut Discard,
                )
                .unwrap()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
