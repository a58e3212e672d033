//! The evaluator: walks a compiled [`Node`] tree for one row. Values borrow from the row and
//! from the formula, so the common case (numbers, comparisons, literal regexes) allocates
//! nothing; text is allocated only when a function builds new text.
//!
//! Sheets semantics live here: coercions ([`V::to_number`], [`V::to_bool`], [`V::into_text`]),
//! comparison across types ([`compare`]) and every function.

use std::borrow::Cow;
use std::cmp::Ordering;

use regex::Regex;

use crate::ast::BinaryOp;
use crate::cell::{Cell, Row, parse_number_text};
use crate::compile::{Call, Node, Pattern};
use crate::functions::Function;
use crate::re2;
use crate::text::{cmp_ignore_case, eq_ignore_case, find_chars, wildcard_match};
use crate::value::{ErrorKind, Value, number_text, round_15};

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
pub(crate) struct Evaluator<'a, Rw: Row + ?Sized> {
    pub row: &'a Rw,
}

impl<'a, Rw: Row + ?Sized> Evaluator<'a, Rw> {
    /// The value of `node`; errors are values.
    pub(crate) fn eval(&self, node: &'a Node) -> V<'a> {
        self.try_eval(node).unwrap_or_else(V::Err)
    }

    fn cell(&self, col: usize) -> V<'a> {
        V::from_cell(self.row.cell(col))
    }

    fn num(&self, node: &'a Node) -> R<f64> {
        self.eval(node).to_number()
    }

    fn text(&self, node: &'a Node) -> R<Cow<'a, str>> {
        self.eval(node).into_text()
    }

    fn boolean(&self, node: &'a Node) -> R<bool> {
        self.eval(node).to_bool()
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
            Node::Neg(n) => number(-self.num(n)?),
            Node::Plus(n) => self.eval(n),
            Node::Percent(n) => number(self.num(n)? / 100.0),
            Node::Binary(op, l, r) => self.binary(*op, l, r)?,
            Node::CompareRefNumber(op, col, n) => {
                let ordering = match self.row.cell(*col) {
                    Cell::Number(x) => cmp_num(x, *n),
                    Cell::Blank => cmp_num(0.0, *n),
                    // Text and booleans sort after every number.
                    Cell::Text(_) | Cell::Bool(_) => Ordering::Greater,
                    Cell::Error(e) => return Err(e),
                };
                V::Bool(test(*op, ordering))
            }
            Node::EqRefText {
                column,
                text,
                negate,
            } => {
                let equal = match self.row.cell(*column) {
                    Cell::Text(s) => eq_ignore_case(s, text),
                    Cell::Blank => text.is_empty(),
                    Cell::Number(_) | Cell::Bool(_) => false,
                    Cell::Error(e) => return Err(e),
                };
                V::Bool(equal != *negate)
            }
            Node::If(node) => {
                if self.boolean(&node.condition)? {
                    self.eval(&node.then)
                } else {
                    node.otherwise
                        .as_ref()
                        .map_or(V::Bool(false), |n| self.eval(n))
                }
            }
            Node::Call(call) => self.call(call)?,
        })
    }

    fn binary(&self, op: BinaryOp, l: &'a Node, r: &'a Node) -> R<V<'a>> {
        Ok(match op {
            BinaryOp::Eq | BinaryOp::Ne => {
                let (a, b) = (self.eval(l), self.eval(r));
                V::Bool(equal(&a, &b)? == (op == BinaryOp::Eq))
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let (a, b) = (self.eval(l), self.eval(r));
                V::Bool(test(op, compare(&a, &b)?))
            }
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
            BinaryOp::Add => number(self.num(l)? + self.num(r)?),
            BinaryOp::Sub => number(self.num(l)? - self.num(r)?),
            BinaryOp::Mul => number(self.num(l)? * self.num(r)?),
            BinaryOp::Div => {
                let (x, y) = (self.num(l)?, self.num(r)?);
                if y == 0.0 {
                    return Err(ErrorKind::Div0);
                }
                number(x / y)
            }
            BinaryOp::Pow => power(self.num(l)?, self.num(r)?)?,
        })
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

    /// The numbers of `args` as `SUM`, `MAX`, `AVERAGE` see them: values given directly are
    /// coerced (booleans, numeric text; other text is `#VALUE!`), references contribute only
    /// their numbers; errors propagate.
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

    /// The booleans of `args` as `AND`, `OR`, `XOR` see them; `#VALUE!` if there are none.
    fn booleans(&self, args: &'a [Node], mut f: impl FnMut(bool)) -> R<()> {
        let mut any = false;
        self.each_value(args, |v, from_ref| {
            match v {
                V::Err(e) => return Err(e),
                V::Num(n) => f(n != 0.0),
                V::Bool(b) => f(b),
                _ if from_ref => return Ok(()),
                other => f(other.to_bool()?),
            }
            any = true;
            Ok(())
        })?;
        if any { Ok(()) } else { Err(ErrorKind::Value) }
    }

    fn pattern(&self, call: &'a Call) -> R<PatternRef<'a>> {
        match &call.pattern {
            Some(Pattern::Literal(re, _)) => Ok(PatternRef::Borrowed(re)),
            Some(Pattern::Dynamic(cache)) => {
                let text = self.eval(&call.args[1]).into_regex_text()?;
                cache
                    .get(&text)
                    .map(PatternRef::Shared)
                    .ok_or(ErrorKind::Ref)
            }
            None => Err(ErrorKind::Value),
        }
    }

    #[inline(never)]
    fn call(&self, call: &'a Call) -> R<V<'a>> {
        let args: &'a [Node] = &call.args;
        let arg = |i: usize| args.get(i);
        Ok(match call.function {
            Function::Sum => {
                let mut total = 0.0;
                self.numbers(args, |n| total += n)?;
                number(total)
            }
            Function::Max | Function::Min => {
                let max = call.function == Function::Max;
                let mut best: Option<f64> = None;
                self.numbers(args, |n| {
                    best = Some(match best {
                        Some(b) if max => b.max(n),
                        Some(b) => b.min(n),
                        None => n,
                    })
                })?;
                number(best.unwrap_or(0.0))
            }
            Function::Average => {
                let (mut total, mut count) = (0.0, 0u32);
                self.numbers(args, |n| {
                    total += n;
                    count += 1;
                })?;
                if count == 0 {
                    return Err(ErrorKind::Div0);
                }
                number(total / f64::from(count))
            }
            Function::Count => {
                let mut count = 0u32;
                let _ = self.each_value(args, |v, from_ref| {
                    let counts = match v {
                        V::Num(_) => true,
                        V::Bool(_) => !from_ref,
                        V::Text(s) => !from_ref && parse_number_text(&s).is_some(),
                        V::Blank | V::Err(_) => false,
                    };
                    count += u32::from(counts);
                    Ok(())
                });
                V::Num(f64::from(count))
            }
            Function::CountA => {
                let mut count = 0u32;
                let _ = self.each_value(args, |v, _| {
                    count += u32::from(v != V::Blank);
                    Ok(())
                });
                V::Num(f64::from(count))
            }
            Function::CountIf => {
                let criterion_value = self.eval(&args[1]);
                let criterion = Criterion::parse(&criterion_value)?;
                let mut count = 0u32;
                self.each_value(&args[..1], |v, _| {
                    count += u32::from(criterion.matches(&v));
                    Ok(())
                })?;
                V::Num(f64::from(count))
            }
            // Compiled to `Node::If`; kept so that every function has its meaning here.
            Function::If => {
                if self.boolean(&args[0])? {
                    self.eval(&args[1])
                } else {
                    arg(2).map_or(V::Bool(false), |n| self.eval(n))
                }
            }
            Function::Ifs => {
                for pair in args.chunks(2) {
                    if self.boolean(&pair[0])? {
                        return Ok(self.eval(&pair[1]));
                    }
                }
                return Err(ErrorKind::NA);
            }
            Function::IfError => match self.eval(&args[0]) {
                V::Err(_) => arg(1).map_or(V::Blank, |n| self.eval(n)),
                v => v,
            },
            Function::IfNa => match self.eval(&args[0]) {
                V::Err(ErrorKind::NA) => self.eval(&args[1]),
                v => v,
            },
            Function::And => {
                let mut all = true;
                self.booleans(args, |b| all &= b)?;
                V::Bool(all)
            }
            Function::Or => {
                let mut any = false;
                self.booleans(args, |b| any |= b)?;
                V::Bool(any)
            }
            Function::Xor => {
                let mut odd = false;
                self.booleans(args, |b| odd ^= b)?;
                V::Bool(odd)
            }
            Function::Not => V::Bool(!self.boolean(&args[0])?),
            Function::Switch => {
                let subject = self.eval(&args[0]);
                if let V::Err(e) = subject {
                    return Err(e);
                }
                let rest = &args[1..];
                for pair in rest.chunks_exact(2) {
                    let case = self.eval(&pair[0]);
                    if equal(&subject, &case)? {
                        return Ok(self.eval(&pair[1]));
                    }
                }
                if rest.len() % 2 == 1 {
                    self.eval(&rest[rest.len() - 1])
                } else {
                    return Err(ErrorKind::NA);
                }
            }
            Function::RegexMatch => {
                let text = self.eval(&args[0]).into_regex_text()?;
                if let Some(Pattern::Literal(_, Some(chain))) = &call.pattern {
                    match chain.search(&text) {
                        re2::ChainMatch::Yes => return Ok(V::Bool(true)),
                        re2::ChainMatch::No => return Ok(V::Bool(false)),
                        re2::ChainMatch::Unsure => {}
                    }
                }
                V::Bool(self.pattern(call)?.get().is_match(&text))
            }
            Function::RegexExtract => {
                let text = self.eval(&args[0]).into_regex_text()?;
                let pattern = self.pattern(call)?;
                let re = pattern.get();
                let caps = re.captures(&text).ok_or(ErrorKind::NA)?;
                let found = if re.captures_len() > 1 {
                    caps.get(1)
                } else {
                    caps.get(0)
                };
                V::Text(Cow::Owned(found.map_or("", |m| m.as_str()).to_owned()))
            }
            Function::RegexReplace => {
                let text = self.eval(&args[0]).into_regex_text()?;
                let pattern = self.pattern(call)?;
                let replacement: Cow<'_, str> = match &call.replacement {
                    Some(r) => Cow::Borrowed(r),
                    None => {
                        let r = self.eval(&args[2]).into_regex_text()?;
                        Cow::Owned(re2::translate_replacement(&r))
                    }
                };
                let out = pattern.get().replace_all(&text, replacement.as_ref());
                limited(out.into_owned())?
            }
            Function::IsBlank => V::Bool(matches!(self.eval(&args[0]), V::Blank)),
            Function::IsNumber => V::Bool(matches!(self.eval(&args[0]), V::Num(_))),
            Function::IsText => V::Bool(matches!(self.eval(&args[0]), V::Text(_))),
            Function::IsError => V::Bool(matches!(self.eval(&args[0]), V::Err(_))),
            Function::IsNa => V::Bool(matches!(self.eval(&args[0]), V::Err(ErrorKind::NA))),
            Function::Len => {
                let chars = self.text(&args[0])?.chars().count();
                V::Num(chars as f64)
            }
            Function::Lower => V::Text(Cow::Owned(self.text(&args[0])?.to_lowercase())),
            Function::Upper => V::Text(Cow::Owned(self.text(&args[0])?.to_uppercase())),
            Function::Trim => {
                let text = self.text(&args[0])?;
                let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
                V::Text(Cow::Owned(words.join(" ")))
            }
            Function::Value => number(self.eval(&args[0]).to_number()?),
            Function::Left | Function::Right => {
                let text = self.text(&args[0])?;
                let n = self.int_arg(arg(1), 1.0)?;
                if n < 0.0 {
                    return Err(ErrorKind::Value);
                }
                let len = text.chars().count();
                let n = (n.min(len as f64)) as usize;
                let out: String = if call.function == Function::Left {
                    text.chars().take(n).collect()
                } else {
                    text.chars().skip(len - n).collect()
                };
                V::Text(Cow::Owned(out))
            }
            Function::Mid => {
                let text = self.text(&args[0])?;
                let start = self.int_arg(arg(1), 1.0)?;
                let len = self.int_arg(arg(2), 0.0)?;
                if start < 1.0 || len < 0.0 {
                    return Err(ErrorKind::Value);
                }
                let skip = (start - 1.0).min(usize::MAX as f64) as usize;
                let take = len.min(usize::MAX as f64) as usize;
                V::Text(Cow::Owned(text.chars().skip(skip).take(take).collect()))
            }
            Function::Search | Function::Find => {
                let needle = self.text(&args[0])?;
                let haystack = self.text(&args[1])?;
                let start = self.int_arg(arg(2), 1.0)?;
                if start < 1.0 {
                    return Err(ErrorKind::Value);
                }
                let from = (start - 1.0).min(usize::MAX as f64) as usize;
                let ignore_case = call.function == Function::Search;
                let at =
                    find_chars(&haystack, &needle, from, ignore_case).ok_or(ErrorKind::Value)?;
                V::Num(at as f64 + 1.0)
            }
            Function::Substitute => {
                let text = self.text(&args[0])?;
                let search = self.text(&args[1])?;
                let with = self.text(&args[2])?;
                let occurrence = match arg(3) {
                    None => None,
                    Some(n) => {
                        let k = self.num(n)?.trunc();
                        if k < 1.0 {
                            return Err(ErrorKind::Value);
                        }
                        Some(k.min(usize::MAX as f64) as usize)
                    }
                };
                if search.is_empty() {
                    return Ok(V::Text(text));
                }
                match occurrence {
                    None => limited(text.replace(search.as_ref(), &with))?,
                    Some(k) => match text.match_indices(search.as_ref()).nth(k - 1) {
                        None => V::Text(text),
                        Some((at, found)) => {
                            let mut out = String::with_capacity(text.len() + with.len());
                            out.push_str(&text[..at]);
                            out.push_str(&with);
                            out.push_str(&text[at + found.len()..]);
                            limited(out)?
                        }
                    },
                }
            }
            Function::Concatenate => {
                let mut out = String::new();
                self.each_value(args, |v, _| {
                    out.push_str(&v.into_text()?);
                    if out.len() > TEXT_LIMIT * 4 {
                        return Err(ErrorKind::Value);
                    }
                    Ok(())
                })?;
                limited(out)?
            }
            Function::TextJoin => {
                let delimiter = self.text(&args[0])?;
                let ignore_empty = self.boolean(&args[1])?;
                let mut out = String::new();
                let mut first = true;
                self.each_value(&args[2..], |v, _| {
                    let t = v.into_text()?;
                    if ignore_empty && t.is_empty() {
                        return Ok(());
                    }
                    if !first {
                        out.push_str(&delimiter);
                    }
                    first = false;
                    out.push_str(&t);
                    if out.len() > TEXT_LIMIT * 4 {
                        return Err(ErrorKind::Value);
                    }
                    Ok(())
                })?;
                limited(out)?
            }
            Function::Exact => {
                let a = self.text(&args[0])?;
                let b = self.text(&args[1])?;
                V::Bool(a == b)
            }
            Function::Abs => number(self.num(&args[0])?.abs()),
            Function::Int => number(self.num(&args[0])?.floor()),
            Function::Mod => {
                let (a, b) = (self.num(&args[0])?, self.num(&args[1])?);
                if b == 0.0 {
                    return Err(ErrorKind::Div0);
                }
                let r = a - b * (a / b).floor();
                // Keep the remainder within the divisor's range despite rounding.
                number(if r != 0.0 && (r < 0.0) != (b < 0.0) {
                    r + b
                } else {
                    r
                })
            }
            Function::Round | Function::RoundUp | Function::RoundDown => {
                let x = self.num(&args[0])?;
                let places = self.int_arg(arg(1), 0.0)?;
                number(round(x, places, call.function))
            }
        })
    }
}

/// A compiled pattern, borrowed from the formula or shared from a cache.
enum PatternRef<'a> {
    Borrowed(&'a Regex),
    Shared(std::sync::Arc<Regex>),
}

impl PatternRef<'_> {
    fn get(&self) -> &Regex {
        match self {
            PatternRef::Borrowed(re) => re,
            PatternRef::Shared(re) => re,
        }
    }
}

/// `x ^ y` as Sheets computes it (`0^0` is 1).
fn power<'a>(x: f64, y: f64) -> R<V<'a>> {
    if x == 0.0 && y == 0.0 {
        return Ok(V::Num(1.0));
    }
    if x == 0.0 && y < 0.0 {
        return Err(ErrorKind::Div0);
    }
    if x < 0.0 && y.fract() != 0.0 {
        return Err(ErrorKind::Num);
    }
    Ok(number(x.powf(y)))
}

/// `ROUND`, `ROUNDUP`, `ROUNDDOWN` to `places` decimals (negative: tens, hundreds…), on the
/// number as Sheets shows it (15 significant digits), so `ROUND(2.675, 2)` is 2.68.
fn round(x: f64, places: f64, mode: Function) -> f64 {
    let p = places.clamp(-308.0, 308.0) as i32;
    let factor = 10f64.powi(p.abs());
    let scaled = if p >= 0 { x * factor } else { x / factor };
    if !scaled.is_finite() || scaled.abs() >= 1e15 {
        return if p >= 0 { x } else { 0.0 };
    }
    let scaled = round_15(scaled);
    let rounded = match mode {
        Function::RoundUp => scaled.abs().ceil() * scaled.signum(),
        Function::RoundDown => scaled.trunc(),
        _ => scaled.round(),
    };
    if p >= 0 {
        rounded / factor
    } else {
        rounded * factor
    }
}

/// A `COUNTIF` criterion: an operator and an operand.
struct Criterion<'c> {
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
    fn parse(value: &'c V<'_>) -> R<Criterion<'c>> {
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

    fn matches(&self, cell: &V<'_>) -> bool {
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
