//! Fuzzes the lexer, parser, compiler and error rendering with arbitrary text, and the printer
//! with every formula that parses: its normalised text must parse to the same tree and print
//! the same again. Also types the text as an imported cell.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supportops_formula::{Cell, Formula, ParseOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Cell::from_import(text);
    let options = ParseOptions::default();
    match Formula::parse(text, &options) {
        Ok(formula) => {
            let printed = formula.to_string();
            let again = match Formula::parse(&printed, &options) {
                Ok(f) => f,
                Err(e) => panic!("normalised `{printed}` of `{text}` does not parse:\n{}", e.render()),
            };
            assert_eq!(formula.ast(), again.ast(), "`{text}` → `{printed}`");
            assert_eq!(again.to_string(), printed);
        }
        Err(error) => {
            assert!(error.span.start <= error.span.end && error.span.end <= text.len());
            assert!(!error.message.is_empty());
            let rendered = error.render();
            assert!(rendered.starts_with("error: "), "{rendered}");
        }
    }
});
