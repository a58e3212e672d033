//! The Google Sheets formula language, as Support Ops pastes it into the feedback sheet.
//!
//! A [`Formula`] is parsed and compiled once, then evaluated for every row of a sheet.
//! References such as `F2` name a column *of the row being scored*: the row number written in
//! the formula is the template row ([`ParseOptions::template_row`], 2 by default).
//!
//! ```
//! use supportops_formula::{Cell, Formula, ParseOptions, Value};
//! let f = Formula::parse("=IF(F2 >= 4, 1, 0)", &ParseOptions::default()).unwrap();
//! let row = vec![Cell::Blank; 5].into_iter().chain([Cell::Number(5.0)]).collect::<Vec<_>>();
//! assert_eq!(f.eval(&row.as_slice()), Value::Number(1.0));
//! ```
//!
//! The pieces, in the order a formula meets them: the lexer and parser build a syntax tree
//! ([`ast::Expr`]) and reject what cannot mean "this row" with a [`ParseError`] that renders
//! with a caret; the compiler checks argument counts and ranges and compiles literal regular
//! expressions (RE2 syntax, translated for the `regex` crate); the evaluator walks the compiled
//! tree with Sheets' coercion rules. Cells come typed by [`Cell::from_import`], the rules Sheets
//! applies to an imported CSV. `docs/formula.md` is the language reference.

pub mod ast;
mod bytes;
mod cell;
mod compile;
mod error;
mod eval;
mod functions;
mod lexer;
mod parser;
mod re2;
mod text;
mod value;

use std::fmt;

pub use cell::{Cell, Row, parse_number_text};
pub use error::ParseError;
pub use functions::Function;
pub use parser::MAX_DEPTH;
pub use value::{ErrorKind, Value, number_text};

use crate::ast::{Expr, ExprKind};
use crate::compile::Node;
use crate::eval::Evaluator;

/// How to read a formula.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// The sheet row the formula's references are written for (2 in the handbook's sheet).
    pub template_row: u32,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions { template_row: 2 }
    }
}

/// One top-level term of a formula, for explaining a score.
#[derive(Debug, Clone, PartialEq)]
pub struct TermValue {
    /// The term's normalised source text, e.g. `IF(F2 >= 4, 1, IF(F2 <= 1, -1, 0))`.
    pub source: String,
    /// What it evaluated to for the row.
    pub value: Value,
}

/// A parsed and compiled formula, cheap to evaluate for many rows. `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Formula {
    ast: Expr,
    program: Node,
    columns: Vec<usize>,
    template_row: u32,
    /// Compiled with the fast paths (always, but for [`Formula::parse_plain`]).
    optimised: bool,
}

impl Formula {
    /// Parses and compiles `source` (with or without a leading `=`).
    pub fn parse(source: &str, options: &ParseOptions) -> Result<Formula, ParseError> {
        Formula::compile(source, options, true)
    }

    /// Parses and compiles `source` without any fast path: no literal computed ahead, no
    /// substring search for a regular expression, every node evaluated as a value. It gives the
    /// same results as [`Formula::parse`], only slower; the tests compare the two.
    #[doc(hidden)]
    pub fn parse_plain(source: &str, options: &ParseOptions) -> Result<Formula, ParseError> {
        Formula::compile(source, options, false)
    }

    fn compile(
        source: &str,
        options: &ParseOptions,
        optimised: bool,
    ) -> Result<Formula, ParseError> {
        let ast = parser::parse(source, options)?;
        let program = compile::compile(source, &ast, optimised)?;
        let mut columns = Vec::new();
        compile::collect_columns(&program, &mut columns);
        columns.sort_unstable();
        columns.dedup();
        Ok(Formula {
            ast,
            program,
            columns,
            template_row: options.template_row,
            optimised,
        })
    }

    /// Zero-based indices of the columns the formula reads, sorted, without duplicates.
    pub fn columns(&self) -> &[usize] {
        &self.columns
    }

    /// The syntax tree, as parsed.
    pub fn ast(&self) -> &Expr {
        &self.ast
    }

    /// The row the formula's references name.
    pub fn template_row(&self) -> u32 {
        self.template_row
    }

    /// Evaluates the formula for one row.
    pub fn eval<R: Row + ?Sized>(&self, row: &R) -> Value {
        if self.optimised {
            Evaluator::<_, true> { row }.eval_top(&self.program)
        } else {
            Evaluator::<_, false> { row }.eval_top(&self.program)
        }
    }

    /// Evaluates each top-level term (the arguments of an outermost `SUM`, or the whole formula)
    /// for one row, to explain its score.
    ///
    /// A term that is a reference or a range shows what it adds to the sum.
    pub fn explain<R: Row + ?Sized>(&self, row: &R) -> Vec<TermValue> {
        if self.optimised {
            self.explain_with(&Evaluator::<_, true> { row })
        } else {
            self.explain_with(&Evaluator::<_, false> { row })
        }
    }

    fn explain_with<R: Row + ?Sized, const TYPED: bool>(
        &self,
        ev: &Evaluator<'_, R, TYPED>,
    ) -> Vec<TermValue> {
        let top = self.ast.unparenthesized();
        if let (ExprKind::Call(Function::Sum, terms), Node::Call(call)) = (&top.kind, &self.program)
            && call.function == Function::Sum
        {
            return terms
                .iter()
                .zip(call.args.iter())
                .map(|(term, node)| {
                    let value = match node {
                        Node::Ref(_) | Node::Range(_, _) => {
                            let single = compile::Call {
                                function: Function::Sum,
                                args: Box::new([node.clone()]),
                                pattern: None,
                                replacement: None,
                            };
                            ev.eval(&Node::Call(Box::new(single))).into_value()
                        }
                        _ => ev.eval(node).into_value(),
                    };
                    TermValue {
                        source: term.display(self.template_row).to_string(),
                        value,
                    }
                })
                .collect();
        }
        vec![TermValue {
            source: self.ast.display(self.template_row).to_string(),
            value: ev.eval_top(&self.program),
        }]
    }
}

impl fmt::Display for Formula {
    /// The normalised formula: `=` then canonical spacing and upper-case function names.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "={}", self.ast.display(self.template_row))
    }
}

/// The zero-based index of a column letter (`A` → 0, `AA` → 26), or `None` if not letters.
pub fn column_index(letters: &str) -> Option<usize> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut n = 0usize;
    for b in letters.bytes() {
        if !b.is_ascii_alphabetic() {
            return None;
        }
        n = n * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    Some(n - 1)
}

/// The column letters of a zero-based index (0 → `A`, 26 → `AA`).
pub fn column_letters(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}
