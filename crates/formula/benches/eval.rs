//! Evaluation speed of the handbook formula per row, for the rows a feedback sheet holds.
//! Run with `cargo bench -p supportops-formula --bench eval`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use supportops_formula::{Cell, Formula, ParseOptions};

/// The default score formula (`supportops_config::HANDBOOK_FORMULA`).
const HANDBOOK: &str = r#"=SUM(IF(F2 >= 4, 1, IF(F2 <= 1, -1, 0)), IF(REGEXMATCH(D2, "Collaboration.*Results.*Transparency"), 1, 0), IF(C2 = "It was solved, and I feel this will dramatically improve my use of Zendesk", 1, IF(C2 = "It was solved, and I am confident in the solution", 1, IF(C2 = "It was closed as it became a stale issue", 1, 0))))"#;

/// A row A..I with the resolution in C, the values shown in D and the rating in F.
fn row<'a>(resolution: &'a str, values: &'a str, rating: &'a str) -> Vec<Cell<'a>> {
    vec![
        Cell::Number(45306.4375),
        Cell::Text(
            "https://gitlab.com/gitlab-com/support/support-ops/support-ops-project/-/issues/12",
        ),
        Cell::from_import(resolution),
        Cell::from_import(values),
        Cell::from_import("The macro now fills the form for me."),
        Cell::from_import(rating),
        Cell::Text("alice"),
        Cell::Text("EMEA"),
        Cell::Blank,
    ]
}

fn handbook(c: &mut Criterion) {
    let formula =
        Formula::parse(HANDBOOK, &ParseOptions::default()).expect("the handbook formula parses");
    let values = "Collaboration, Results, Efficiency, Diversity, Inclusion & Belonging, Iteration, Transparency";
    let rows = [
        (
            "green: all three terms",
            row(
                "It was solved, and I am confident in the solution",
                values,
                "5",
            ),
        ),
        (
            "yellow: rating only",
            row(
                "It was solved, but I am not sure it will last",
                "Results, Iteration",
                "4",
            ),
        ),
        ("red: blank rating", row("", "", "")),
        (
            "stale: third resolution, lower case",
            row("it was closed as it became a stale issue", values, "3"),
        ),
        (
            "non-ascii cells",
            row(
                "Résolu, et j'en suis sûr ✅",
                "Collaboration → Résultats → Transparence",
                "2",
            ),
        ),
    ];
    let mut group = c.benchmark_group("handbook formula per row");
    for (name, cells) in &rows {
        group.bench_function(*name, |b| {
            b.iter(|| formula.eval(black_box(cells.as_slice())))
        });
    }
    group.finish();

    c.bench_function("parse and compile the handbook formula", |b| {
        b.iter(|| Formula::parse(black_box(HANDBOOK), &ParseOptions::default()))
    });
    c.bench_function("type one imported cell", |b| {
        b.iter(|| Cell::from_import(black_box("1,234")))
    });
}

criterion_group!(benches, handbook);
criterion_main!(benches);
