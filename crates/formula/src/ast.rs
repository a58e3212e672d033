//! The syntax tree of a formula, as parsed, and its normalised printing.
//!
//! Printing is canonical: `=` is not part of the tree; function names and references are upper
//! case, binary operators have one space on each side, arguments are separated by `, `, and
//! parentheses are kept where they were written (and added where the tree needs them). Parsing the
//! printed text gives the same tree.

use std::fmt;
use std::ops::Range;

use crate::functions::Function;
use crate::value::{ErrorKind, number_text_for_source};

/// A node of the syntax tree with the byte span of its source text.
///
/// Two nodes are equal when their trees are equal; spans are not compared, so a formula and its
/// normalised text parse to equal trees.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Byte range of the node in the formula source.
    pub span: Range<usize>,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

/// The kinds of syntax tree nodes.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number literal such as `1.5` (never negative: see [`UnaryOp::Neg`]).
    Number(f64),
    /// A text literal such as `"It was solved"`.
    Text(String),
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// An error literal such as `#N/A`.
    Error(ErrorKind),
    /// A reference to a cell of the row being scored.
    Ref(CellRef),
    /// A range of cells of the row being scored, first column ≤ last column, e.g. `C2:F2`.
    Range(CellRef, CellRef),
    /// An omitted argument, as in `IF(A2, , 1)`.
    Empty,
    /// A prefix operator.
    Unary(UnaryOp, Box<Expr>),
    /// The postfix `%` (divides by 100).
    Percent(Box<Expr>),
    /// A binary operator.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// A function call.
    Call(Function, Vec<Expr>),
    /// Parentheses as written.
    Paren(Box<Expr>),
}

/// A reference to a column of the row being scored, e.g. `F2` or `$F2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRef {
    /// Zero-based column index (A = 0).
    pub column: usize,
    /// Whether the column was written absolute (`$F2`).
    pub absolute_column: bool,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x` (returns `x` unchanged)
    Plus,
}

/// Binary operators, from the loosest binding to the tightest: comparisons, `&`, `+ -`, `* /`,
/// `^`. All are left-associative (`2^3^2` is `(2^3)^2`, as in Sheets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `=` (text compared case-insensitively)
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&` (joins text)
    Concat,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `^`
    Pow,
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Concat => "&",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Pow => "^",
        }
    }

    /// Binding power: higher binds tighter.
    pub(crate) fn precedence(self) -> u8 {
        match self {
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => 1,
            BinaryOp::Concat => 2,
            BinaryOp::Add | BinaryOp::Sub => 3,
            BinaryOp::Mul | BinaryOp::Div => 4,
            BinaryOp::Pow => 5,
        }
    }
}

/// Binding power of prefix `-`/`+` (tighter than every binary operator: `-2^2` is 4).
pub(crate) const PREFIX_PRECEDENCE: u8 = 6;
/// Binding power of postfix `%`.
pub(crate) const PERCENT_PRECEDENCE: u8 = 7;

impl Expr {
    /// Binding power of the node's outermost operator (atoms bind tightest).
    fn precedence(&self) -> u8 {
        match &self.kind {
            ExprKind::Binary(op, _, _) => op.precedence(),
            ExprKind::Unary(_, _) => PREFIX_PRECEDENCE,
            ExprKind::Percent(_) => PERCENT_PRECEDENCE,
            _ => u8::MAX,
        }
    }

    /// The node with any parentheses around it removed.
    pub fn unparenthesized(&self) -> &Expr {
        let mut e = self;
        while let ExprKind::Paren(inner) = &e.kind {
            e = inner;
        }
        e
    }

    /// Prints the node for a formula whose references name `template_row`.
    pub fn display(&self, template_row: u32) -> impl fmt::Display + '_ {
        DisplayExpr {
            expr: self,
            row: template_row,
        }
    }
}

struct DisplayExpr<'a> {
    expr: &'a Expr,
    row: u32,
}

impl fmt::Display for DisplayExpr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self.expr, self.row)
    }
}

fn write_operand(f: &mut fmt::Formatter<'_>, e: &Expr, row: u32, parens: bool) -> fmt::Result {
    if parens {
        f.write_str("(")?;
        write_expr(f, e, row)?;
        f.write_str(")")
    } else {
        write_expr(f, e, row)
    }
}

fn write_ref(f: &mut fmt::Formatter<'_>, r: &CellRef, row: u32) -> fmt::Result {
    if r.absolute_column {
        f.write_str("$")?;
    }
    write!(f, "{}{}", crate::column_letters(r.column), row)
}

fn write_expr(f: &mut fmt::Formatter<'_>, e: &Expr, row: u32) -> fmt::Result {
    match &e.kind {
        ExprKind::Number(n) => f.write_str(&number_text_for_source(*n)),
        ExprKind::Text(s) => {
            f.write_str("\"")?;
            f.write_str(&s.replace('"', "\"\""))?;
            f.write_str("\"")
        }
        ExprKind::Bool(true) => f.write_str("TRUE"),
        ExprKind::Bool(false) => f.write_str("FALSE"),
        ExprKind::Error(k) => f.write_str(k.as_str()),
        ExprKind::Ref(r) => write_ref(f, r, row),
        ExprKind::Range(a, b) => {
            write_ref(f, a, row)?;
            f.write_str(":")?;
            write_ref(f, b, row)
        }
        ExprKind::Empty => Ok(()),
        ExprKind::Unary(op, inner) => {
            f.write_str(match op {
                UnaryOp::Neg => "-",
                UnaryOp::Plus => "+",
            })?;
            write_operand(f, inner, row, inner.precedence() < PREFIX_PRECEDENCE)
        }
        ExprKind::Percent(inner) => {
            write_operand(f, inner, row, inner.precedence() < PERCENT_PRECEDENCE)?;
            f.write_str("%")
        }
        ExprKind::Binary(op, lhs, rhs) => {
            let p = op.precedence();
            write_operand(f, lhs, row, lhs.precedence() < p)?;
            write!(f, " {} ", op.symbol())?;
            write_operand(f, rhs, row, rhs.precedence() <= p)
        }
        ExprKind::Call(func, args) => {
            f.write_str(func.name())?;
            f.write_str("(")?;
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    f.write_str(if matches!(arg.kind, ExprKind::Empty) {
                        ","
                    } else {
                        ", "
                    })?;
                }
                write_expr(f, arg, row)?;
            }
            f.write_str(")")
        }
        ExprKind::Paren(inner) => {
            f.write_str("(")?;
            write_expr(f, inner, row)?;
            f.write_str(")")
        }
    }
}
