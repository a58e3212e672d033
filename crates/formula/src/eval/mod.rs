//! The evaluator: walks a compiled [`Node`] tree for one row. Values borrow from the row and
//! from the formula, so the common case (numbers, comparisons, literal regexes) allocates
//! nothing; text is allocated only when a function builds new text.
//!
//! Sheets semantics live here: coercions ([`V::to_number`], [`V::to_bool`], [`V::into_text`]),
//! comparison across types ([`compare`]) and operators; the functions are in `calls.rs` and
//! `COUNTIF` criteria in `criterion.rs`.

mod calls;
mod criterion;
mod typed;

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::ast::BinaryOp;
use crate::cell::{Cell, Row, parse_number_text};
use crate::compile::{If, Node};
use crate::text::{cmp_ignore_case, eq_folded, eq_ignore_case};
use crate::value::{ErrorKind, Value, number_text};

/// Longest text a formula may build, in characters (the Sheets cell limit).
pub(crate) const TEXT_LIMIT: usize = 50_000;

/// A value during evaluation; text borrows from the row or the formula when it can.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum V<'a> {
    Blank,
    Num(f64),
    Bool(bool),
    Text(Cow<'a, str>),
    Err(ErrorKind),
}

type R<T> = Result<T, ErrorKind>;

/// A number result: infinities and NaN are `#NUM!`, and `-0` is `0`.
fn number<'a>(n: f64) -> V<'a> {
    if n.is_finite() {
        V::Num(n + 0.0)
    } else {
        V::Err(ErrorKind::Num)
    }
}

fn limited<'a>(s: String) -> R<V<'a>> {
    if s.len() > TEXT_LIMIT && s.chars().count() > TEXT_LIMIT {
        return Err(ErrorKind::Value);
    }
    Ok(V::Text(Cow::Owned(s)))
}

impl<'a> V<'a> {
    pub(crate) fn from_cell(cell: Cell<'a>) -> V<'a> {
        match cell {
            Cell::Blank => V::Blank,
            Cell::Number(n) => V::Num(n),
            Cell::Bool(b) => V::Bool(b),
            Cell::Text(s) => V::Text(Cow::Borrowed(s)),
            Cell::Error(e) => V::Err(e),
        }
    }

    pub(crate) fn into_value(self) -> Value {
        match self {
            V::Blank => Value::Blank,
            V::Num(n) => Value::Number(n),
            V::Bool(b) => Value::Bool(b),
            V::Text(s) => Value::Text(s.into_owned()),
            V::Err(e) => Value::Error(e),
        }
    }

    /// Number coercion: blank and `""` are 0, booleans 1/0, numeric text its number
    /// (`"1,234"`, `"5%"`, `"$5"`, dates), other text `#VALUE!`.
    pub(crate) fn to_number(&self) -> R<f64> {
        match self {
            V::Blank => Ok(0.0),
            V::Num(n) => Ok(*n),
            V::Bool(b) => Ok(f64::from(u8::from(*b))),
            V::Text(s) if s.is_empty() => Ok(0.0),
            V::Text(s) => parse_number_text(s).ok_or(ErrorKind::Value),
            V::Err(e) => Err(*e),
        }
    }

    /// Boolean coercion: blank and `""` are FALSE, numbers are TRUE unless 0, `"TRUE"` and
    /// `"FALSE"` (any case) are booleans, other text `#VALUE!`.
    #[inline]
    pub(crate) fn to_bool(&self) -> R<bool> {
        match self {
            V::Blank => Ok(false),
            V::Num(n) => Ok(*n != 0.0),
            V::Bool(b) => Ok(*b),
            V::Text(s) if s.is_empty() => Ok(false),
            V::Text(s) if s.eq_ignore_ascii_case("TRUE") => Ok(true),
            V::Text(s) if s.eq_ignore_ascii_case("FALSE") => Ok(false),
            V::Text(_) => Err(ErrorKind::Value),
            V::Err(e) => Err(*e),
        }
    }

    /// Text coercion: blank is `""`, numbers as Sheets shows them, `TRUE`/`FALSE`.
    pub(crate) fn into_text(self) -> R<Cow<'a, str>> {
        match self {
            V::Blank => Ok(Cow::Borrowed("")),
            V::Num(n) => Ok(Cow::Owned(number_text(n))),
            V::Bool(true) => Ok(Cow::Borrowed("TRUE")),
            V::Bool(false) => Ok(Cow::Borrowed("FALSE")),
            V::Text(s) => Ok(s),
            V::Err(e) => Err(e),
        }
    }

    /// Text for the `REGEX*` functions, which (as in Sheets) refuse numbers and booleans.
    fn into_regex_text(self) -> R<Cow<'a, str>> {
        match self {
            V::Blank => Ok(Cow::Borrowed("")),
            V::Text(s) => Ok(s),
            V::Num(_) | V::Bool(_) => Err(ErrorKind::Value),
            V::Err(e) => Err(e),
        }
    }
}

/// Whether two numbers are equal to 15 significant digits (so `0.1 + 0.2 = 0.3`).
#[inline]
fn cmp_num(x: f64, y: f64) -> Ordering {
    if x == y || (x - y).abs() <= x.abs().max(y.abs()) * 1e-15 {
        Ordering::Equal
    } else {
        x.partial_cmp(&y).unwrap_or(Ordering::Equal)
    }
}

/// Sheets' comparison: errors propagate (left first); blank is 0, `""` or FALSE next to a
/// number, text or boolean; text compares ignoring case; across types numbers < text < booleans.
#[inline]
pub(crate) fn compare(a: &V<'_>, b: &V<'_>) -> R<Ordering> {
    fn rank(v: &V<'_>) -> u8 {
        match v {
            V::Num(_) | V::Blank => 0,
            V::Text(_) => 1,
            V::Bool(_) => 2,
            V::Err(_) => 3,
        }
    }
    Ok(match (a, b) {
        (V::Err(e), _) | (_, V::Err(e)) => return Err(*e),
        (V::Blank, V::Blank) => Ordering::Equal,
        (V::Num(x), V::Num(y)) => cmp_num(*x, *y),
        (V::Blank, V::Num(y)) => cmp_num(0.0, *y),
        (V::Num(x), V::Blank) => cmp_num(*x, 0.0),
        (V::Text(x), V::Text(y)) => cmp_ignore_case(x, y),
        (V::Blank, V::Text(y)) => cmp_ignore_case("", y),
        (V::Text(x), V::Blank) => cmp_ignore_case(x, ""),
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        (V::Blank, V::Bool(y)) => false.cmp(y),
        (V::Bool(x), V::Blank) => x.cmp(&false),
        _ => rank(a).cmp(&rank(b)),
    })
}

/// Whether `ordering` satisfies the comparison operator `op`.
#[inline]
fn test(op: BinaryOp, ordering: Ordering) -> bool {
    match op {
        BinaryOp::Eq => ordering.is_eq(),
        BinaryOp::Ne => ordering.is_ne(),
        BinaryOp::Lt => ordering.is_lt(),
        BinaryOp::Le => ordering.is_le(),
        BinaryOp::Gt => ordering.is_gt(),
        _ => ordering.is_ge(),
    }
}

/// Equality as `=` sees it, with a fast path for text.
fn equal(a: &V<'_>, b: &V<'_>) -> R<bool> {
    if let (V::Text(x), V::Text(y)) = (a, b) {
        return Ok(eq_ignore_case(x, y));
    }
    Ok(compare(a, b)? == Ordering::Equal)
}

/// Evaluates nodes against one row.
///
/// With `TYPED`, conditions and numbers are computed as `bool` and `f64` where the tree says
/// what they are (`typed.rs`), without building a value; without it, every node goes through
/// [`V`], the plain walk the typed paths must agree with.
pub(crate) struct Evaluator<'a, Rw: Row + ?Sized, const TYPED: bool> {
    pub row: &'a Rw,
}

impl<'a, Rw: Row + ?Sized, const TYPED: bool> Evaluator<'a, Rw, TYPED> {
    /// The value of `node`; errors are values.
    pub(crate) fn eval(&self, node: &'a Node) -> V<'a> {
        self.try_eval(node).unwrap_or_else(V::Err)
    }

    #[inline]
    fn cell(&self, col: usize) -> V<'a> {
        V::from_cell(self.row.cell(col))
    }

    /// The value of an argument; a reference is read without going through [`Self::eval`].
    #[inline]
    fn value(&self, node: &'a Node) -> V<'a> {
        match node {
            Node::Ref(c) => self.cell(*c),
            _ => self.eval(node),
        }
    }

    /// `node` as a number, as [`V::to_number`] coerces it.
    #[inline]
    fn num(&self, node: &'a Node) -> R<f64> {
        if TYPED {
            self.eval_num(node)
        } else {
            self.eval(node).to_number()
        }
    }

    /// `node` as text, as [`V::into_text`] coerces it.
    fn text(&self, node: &'a Node) -> R<Cow<'a, str>> {
        self.value(node).into_text()
    }

    /// `node` as a boolean, as [`V::to_bool`] coerces it.
    #[inline]
    fn boolean(&self, node: &'a Node) -> R<bool> {
        if TYPED {
            self.eval_bool(node)
        } else {
            self.eval(node).to_bool()
        }
    }

    /// An integer argument (truncated towards zero), or `default` when omitted.
    fn int_arg(&self, node: Option<&'a Node>, default: f64) -> R<f64> {
        match node {
            None => Ok(default),
            Some(n) => Ok(self.num(n)?.trunc()),
        }
    }

    fn try_eval(&self, node: &'a Node) -> R<V<'a>> {
        Ok(match node {
            Node::Blank => V::Blank,
            Node::Number(n) => V::Num(*n),
            Node::Text(s) => V::Text(Cow::Borrowed(s)),
            Node::Bool(b) => V::Bool(*b),
            Node::Error(e) => V::Err(*e),
            Node::Ref(c) => self.cell(*c),
            // The compiler only lets ranges stand where functions read them.
            Node::Range(_, _) => V::Err(ErrorKind::Value),
            Node::Neg(n) => V::Num(finite(-self.num(n)?)?),
            Node::Plus(n) => self.eval(n),
            Node::Percent(n) => V::Num(finite(self.num(n)? / 100.0)?),
            Node::Binary(op, l, r) => self.binary(*op, l, r)?,
            Node::CompareRefNumber(op, col, n) => V::Bool(self.compare_ref_number(*op, *col, *n)?),
            Node::EqRefText {
                column,
                folded,
                ascii,
                negate,
            } => V::Bool(self.eq_ref_text(*column, folded, *ascii, *negate)?),
            Node::If(node) => match self.branch(node)? {
                Some(chosen) => self.eval(chosen),
                None => V::Bool(false),
            },
            Node::Call(call) => self.call(call)?,
        })
    }

    /// `F2 >= 4`: a cell compared with a number.
    #[inline]
    fn compare_ref_number(&self, op: BinaryOp, col: usize, n: f64) -> R<bool> {
        let ordering = match self.row.cell(col) {
            Cell::Number(x) => cmp_num(x, n),
            Cell::Blank => cmp_num(0.0, n),
            // Text and booleans sort after every number.
            Cell::Text(_) | Cell::Bool(_) => Ordering::Greater,
            Cell::Error(e) => return Err(e),
        };
        Ok(test(op, ordering))
    }

    /// `C2 = "text"`, or `C2 <> "text"` when `negate`, given the literal lower-cased
    /// (`folded`) and whether that is ASCII.
    #[inline]
    fn eq_ref_text(&self, column: usize, folded: &str, ascii: bool, negate: bool) -> R<bool> {
        let equal = match self.row.cell(column) {
            Cell::Text(s) => eq_folded(s, s.is_ascii(), folded, ascii),
            Cell::Blank => folded.is_empty(),
            Cell::Number(_) | Cell::Bool(_) => false,
            Cell::Error(e) => return Err(e),
        };
        Ok(equal != negate)
    }

    /// The branch an `IF` chain takes: the value of the first arm whose condition holds, else
    /// the "otherwise" (`None` when it was left out: the result is FALSE).
    #[inline(always)]
    fn branch(&self, node: &'a If) -> R<Option<&'a Node>> {
        if let Some(column) = node.text_column {
            return self.text_branch(column, node);
        }
        if let Some(column) = node.number_column {
            return self.number_branch(column, node);
        }
        for (condition, then) in &node.arms {
            let holds = if TYPED {
                self.condition(condition)?
            } else {
                self.boolean(condition)?
            };
            if holds {
                return Ok(Some(then));
            }
        }
        Ok(node.otherwise.as_ref())
    }

    /// [`Self::branch`] for a chain whose conditions all compare `column` with a number: the
    /// cell is read once. Each arm gives what its comparison would ([`Self::compare_ref_number`]):
    /// a cell error is the result, text and booleans sort after every number, blank is 0.
    #[inline(always)]
    fn number_branch(&self, column: usize, node: &'a If) -> R<Option<&'a Node>> {
        let x = match self.row.cell(column) {
            Cell::Number(x) => Some(x),
            Cell::Blank => Some(0.0),
            Cell::Text(_) | Cell::Bool(_) => None,
            Cell::Error(e) => return Err(e),
        };
        for (condition, then) in &node.arms {
            if let Node::CompareRefNumber(op, _, n) = condition {
                let ordering = x.map_or(Ordering::Greater, |x| cmp_num(x, *n));
                if test(*op, ordering) {
                    return Ok(Some(then));
                }
            }
        }
        Ok(node.otherwise.as_ref())
    }

    /// [`Self::branch`] for a chain whose conditions are all `column = "text"`: the cell is read
    /// once, and whether it is ASCII worked out once. Each arm gives what its `=` would: a cell
    /// error is the result, a number or a boolean equals no text, a blank only `""`.
    #[inline(always)]
    fn text_branch(&self, column: usize, node: &'a If) -> R<Option<&'a Node>> {
        let literal = |condition: &'a Node| match condition {
            Node::EqRefText { folded, ascii, .. } => Some((&**folded, *ascii)),
            _ => None,
        };
        let found = match self.row.cell(column) {
            Cell::Error(e) => return Err(e),
            Cell::Number(_) | Cell::Bool(_) => None,
            Cell::Blank => node
                .arms
                .iter()
                .find(|(c, _)| literal(c).is_some_and(|(folded, _)| folded.is_empty())),
            Cell::Text(s) => {
                let s_ascii = s.is_ascii();
                node.arms.iter().find(|(c, _)| {
                    literal(c).is_some_and(|(folded, ascii)| eq_folded(s, s_ascii, folded, ascii))
                })
            }
        };
        Ok(match found {
            Some((_, then)) => Some(then),
            None => node.otherwise.as_ref(),
        })
    }

    fn binary(&self, op: BinaryOp, l: &'a Node, r: &'a Node) -> R<V<'a>> {
        Ok(match op {
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => V::Bool(self.comparison(op, l, r)?),
            BinaryOp::Concat => {
                let a = self.text(l)?;
                let b = self.text(r)?;
                if a.is_empty() {
                    return Ok(V::Text(b));
                }
                if b.is_empty() {
                    return Ok(V::Text(a));
                }
                limited(a.into_owned() + &b)?
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Pow => {
                V::Num(self.arithmetic_op(op, l, r)?)
            }
        })
    }

    /// `=`, `<>`, `<`, `<=`, `>`, `>=` of two values.
    fn comparison(&self, op: BinaryOp, l: &'a Node, r: &'a Node) -> R<bool> {
        let (a, b) = (self.value(l), self.value(r));
        Ok(match op {
            BinaryOp::Eq | BinaryOp::Ne => equal(&a, &b)? == (op == BinaryOp::Eq),
            _ => test(op, compare(&a, &b)?),
        })
    }

    /// `+`, `-`, `*`, `/`, `^` of two numbers.
    fn arithmetic_op(&self, op: BinaryOp, l: &'a Node, r: &'a Node) -> R<f64> {
        let (x, y) = (self.num(l)?, self.num(r)?);
        match op {
            BinaryOp::Add => finite(x + y),
            BinaryOp::Sub => finite(x - y),
            BinaryOp::Mul => finite(x * y),
            BinaryOp::Div if y == 0.0 => Err(ErrorKind::Div0),
            BinaryOp::Div => finite(x / y),
            _ => power(x, y),
        }
    }

    /// Calls `f` with each value of `args`, cells of references and ranges flagged `true`.
    fn each_value(&self, args: &'a [Node], mut f: impl FnMut(V<'a>, bool) -> R<()>) -> R<()> {
        for arg in args {
            match arg {
                Node::Ref(c) => f(self.cell(*c), true)?,
                Node::Range(a, b) => {
                    for c in *a..=*b {
                        f(self.cell(c), true)?;
                    }
                }
                other => f(self.eval(other), false)?,
            }
        }
        Ok(())
    }

    /// The numbers of `args` as `MAX`, `MIN`, `AVERAGE` see them: values given directly are
    /// coerced (booleans, numeric text; other text is `#VALUE!`; blank is skipped), references
    /// contribute only their numbers; errors propagate.
    fn numbers(&self, args: &'a [Node], mut f: impl FnMut(f64)) -> R<()> {
        self.each_value(args, |v, from_ref| {
            match v {
                V::Err(e) => return Err(e),
                V::Num(n) => f(n),
                _ if from_ref => {}
                V::Blank => {}
                other => f(other.to_number()?),
            }
            Ok(())
        })
    }

    /// `SUM`: [`Self::numbers`] added up. A value given directly counts as its number (a blank
    /// one adds 0, which is skipping it); a cell counts only if it holds a number.
    fn sum(&self, args: &'a [Node]) -> R<f64> {
        if !TYPED {
            let mut total = 0.0;
            self.numbers(args, |n| total += n)?;
            return finite(total);
        }
        let cell_number = |col: usize| match self.row.cell(col) {
            Cell::Number(n) => Ok(n),
            Cell::Error(e) => Err(e),
            Cell::Blank | Cell::Bool(_) | Cell::Text(_) => Ok(0.0),
        };
        let mut total = 0.0;
        for arg in args {
            total += match arg {
                Node::Ref(c) => cell_number(*c)?,
                Node::If(node) => match self.branch(node)? {
                    Some(chosen) => self.number(chosen)?,
                    None => 0.0,
                },
                Node::Range(a, b) => {
                    let mut part = 0.0;
                    for c in *a..=*b {
                        part += cell_number(c)?;
                    }
                    part
                }
                other => self.number(other)?,
            };
        }
        finite(total)
    }

    /// The booleans of `args` as `AND`, `OR`, `XOR` see them; `#VALUE!` if there are none.
    /// A value given directly is coerced as [`V::to_bool`] does; a cell counts only if it holds
    /// a number or a boolean.
    fn booleans(&self, args: &'a [Node], mut f: impl FnMut(bool)) -> R<()> {
        let mut any = false;
        for arg in args {
            let (first, last) = match arg {
                Node::Ref(c) => (*c, *c),
                Node::Range(a, b) => (*a, *b),
                other => {
                    f(self.boolean(other)?);
                    any = true;
                    continue;
                }
            };
            for c in first..=last {
                match self.row.cell(c) {
                    Cell::Error(e) => return Err(e),
                    Cell::Number(n) => f(n != 0.0),
                    Cell::Bool(b) => f(b),
                    Cell::Blank | Cell::Text(_) => continue,
                }
                any = true;
            }
        }
        if any { Ok(()) } else { Err(ErrorKind::Value) }
    }
}

/// A number result: infinities and NaN are `#NUM!`, and `-0` is `0`.
#[inline]
fn finite(n: f64) -> R<f64> {
    if n.is_finite() {
        Ok(n + 0.0)
    } else {
        Err(ErrorKind::Num)
    }
}

/// `x ^ y` as Sheets computes it (`0^0` is 1).
fn power(x: f64, y: f64) -> R<f64> {
    if x == 0.0 && y == 0.0 {
        return Ok(1.0);
    }
    if x == 0.0 && y < 0.0 {
        return Err(ErrorKind::Div0);
    }
    if x < 0.0 && y.fract() != 0.0 {
        return Err(ErrorKind::Num);
    }
    finite(x.powf(y))
}
