//! Fuzzes evaluation: the input is a formula, then the texts of cells A, B, C… separated by
//! NUL bytes. Every formula that parses is evaluated and explained on the row; results must be
//! values (never panics), numbers finite and never `-0`, and evaluation repeatable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supportops_formula::{Cell, Formula, ParseOptions, Value};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let Some(source) = parts.next() else {
        return;
    };
    let Ok(formula) = Formula::parse(source, &ParseOptions::default()) else {
        return;
    };
    let cells: Vec<&str> = parts.take(30).collect();
    let row: Vec<Cell<'_>> = cells.iter().map(|c| Cell::from_import(c)).collect();
    let value = formula.eval(row.as_slice());
    if let Value::Number(n) = value {
        assert!(n.is_finite(), "`{source}` gave {n}");
        assert!(n != 0.0 || n.is_sign_positive(), "`{source}` gave -0");
    }
    assert_eq!(formula.eval(row.as_slice()), value, "`{source}` is not repeatable");
    let terms = formula.explain(row.as_slice());
    assert!(!terms.is_empty());
});
