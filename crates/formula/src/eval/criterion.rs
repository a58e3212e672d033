//! `COUNTIF` criteria: `">=4"`, `"<>x"`, `"*solved*"` and plain values, parsed from the
//! criterion argument and matched against each cell as Sheets does.

use std::cmp::Ordering;

use super::{R, V, cmp_num};
use crate::cell::parse_number_text;
use crate::text::{cmp_ignore_case, wildcard_match};

/// A `COUNTIF` criterion: an operator and an operand.
pub(super) struct Criterion<'c> {
    op: CritOp,
    operand: Operand<'c>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CritOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CritOp {
    fn test(self, o: Ordering) -> bool {
        match self {
            CritOp::Eq => o.is_eq(),
            CritOp::Ne => o.is_ne(),
            CritOp::Lt => o.is_lt(),
            CritOp::Le => o.is_le(),
            CritOp::Gt => o.is_gt(),
            CritOp::Ge => o.is_ge(),
        }
    }
}

enum Operand<'c> {
    Number(f64),
    Bool(bool),
    /// Text (a wildcard pattern for `=` and `<>`); `""` means "empty".
    Text(&'c str),
}

impl<'c> Criterion<'c> {
    pub(super) fn parse(value: &'c V<'_>) -> R<Criterion<'c>> {
        let (op, operand) = match value {
            V::Err(e) => return Err(*e),
            V::Blank => (CritOp::Eq, Operand::Text("")),
            V::Num(n) => (CritOp::Eq, Operand::Number(*n)),
            V::Bool(b) => (CritOp::Eq, Operand::Bool(*b)),
            V::Text(s) => {
                let s: &str = s;
                let (op, rest) = [
                    ("<=", CritOp::Le),
                    (">=", CritOp::Ge),
                    ("<>", CritOp::Ne),
                    ("<", CritOp::Lt),
                    (">", CritOp::Gt),
                    ("=", CritOp::Eq),
                ]
                .into_iter()
                .find_map(|(p, op)| s.strip_prefix(p).map(|rest| (op, rest)))
                .unwrap_or((CritOp::Eq, s));
                let operand = if rest.eq_ignore_ascii_case("TRUE") {
                    Operand::Bool(true)
                } else if rest.eq_ignore_ascii_case("FALSE") {
                    Operand::Bool(false)
                } else if let Some(n) = parse_number_text(rest) {
                    Operand::Number(n)
                } else {
                    Operand::Text(rest)
                };
                (op, operand)
            }
        };
        Ok(Criterion { op, operand })
    }

    pub(super) fn matches(&self, cell: &V<'_>) -> bool {
        let op = self.op;
        match (&self.operand, cell) {
            (_, V::Err(_)) => false,
            (Operand::Number(n), V::Num(x)) => op.test(cmp_num(*x, *n)),
            (Operand::Bool(b), V::Bool(x)) => op.test(x.cmp(b)),
            (Operand::Number(_) | Operand::Bool(_), _) => op == CritOp::Ne,
            (Operand::Text(""), v) => {
                let empty = matches!(v, V::Blank) || matches!(v, V::Text(s) if s.is_empty());
                match op {
                    CritOp::Eq => empty,
                    CritOp::Ne => !empty,
                    _ => matches!(v, V::Text(s) if op.test(cmp_ignore_case(s, ""))),
                }
            }
            (Operand::Text(p), V::Text(s)) => match op {
                CritOp::Eq => wildcard_match(p, s),
                CritOp::Ne => !wildcard_match(p, s),
                _ => op.test(cmp_ignore_case(s, p)),
            },
            (Operand::Text(_), _) => op == CritOp::Ne,
        }
    }
}
