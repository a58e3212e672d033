//! Function calls: [`Evaluator::call`] sends each function to the piece that knows its family
//! (numbers and counts, logic, regular expressions, `IS*` tests, text, arithmetic), each written
//! with Sheets' argument coercions.

use std::borrow::Cow;
use std::sync::Arc;

use regex::Regex;

use super::criterion::Criterion;
use super::{Evaluator, R, TEXT_LIMIT, V, equal, limited, number};
use crate::cell::{Cell, Row, parse_number_text};
use crate::compile::{Call, Node, Pattern};
use crate::functions::Function;
use crate::re2;
use crate::text::find_chars;
use crate::value::{ErrorKind, round_15};

impl<'a, Rw: Row + ?Sized, const TYPED: bool> Evaluator<'a, Rw, TYPED> {
    /// The value of a function call.
    #[inline(never)]
    pub(super) fn call(&self, call: &'a Call) -> R<V<'a>> {
        match call.function {
            Function::Sum
            | Function::Max
            | Function::Min
            | Function::Average
            | Function::Count
            | Function::CountA
            | Function::CountIf => self.aggregate(call.function, &call.args),
            Function::If
            | Function::Ifs
            | Function::IfError
            | Function::IfNa
            | Function::And
            | Function::Or
            | Function::Xor
            | Function::Not
            | Function::Switch => self.logical(call.function, &call.args),
            Function::RegexMatch => Ok(V::Bool(self.regex_match(call)?)),
            Function::RegexExtract => self.regex_extract(call),
            Function::RegexReplace => self.regex_replace(call),
            Function::IsBlank
            | Function::IsNumber
            | Function::IsText
            | Function::IsError
            | Function::IsNa => Ok(V::Bool(self.is(call.function, &call.args[0]))),
            Function::Len
            | Function::Lower
            | Function::Upper
            | Function::Trim
            | Function::Value
            | Function::Left
            | Function::Right
            | Function::Mid
            | Function::Search
            | Function::Find
            | Function::Exact => self.text_function(call.function, &call.args),
            Function::Substitute => self.substitute(&call.args),
            Function::Concatenate | Function::TextJoin => self.join(call.function, &call.args),
            Function::Abs
            | Function::Int
            | Function::Mod
            | Function::Round
            | Function::RoundUp
            | Function::RoundDown => self.arithmetic(call.function, &call.args),
        }
    }

    /// `SUM`, `MAX`, `MIN`, `AVERAGE`, `COUNT`, `COUNTA`, `COUNTIF`.
    fn aggregate(&self, function: Function, args: &'a [Node]) -> R<V<'a>> {
        Ok(match function {
            Function::Max | Function::Min => {
                let max = function == Function::Max;
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
            _ => V::Num(self.sum(args)?),
        })
    }

    /// `IF`, `IFS`, `IFERROR`, `IFNA`, `AND`, `OR`, `XOR`, `NOT`, `SWITCH`.
    fn logical(&self, function: Function, args: &'a [Node]) -> R<V<'a>> {
        Ok(match function {
            // Compiled to `Node::If`; kept so that every function has its meaning here.
            Function::If => {
                if self.boolean(&args[0])? {
                    self.eval(&args[1])
                } else {
                    args.get(2).map_or(V::Bool(false), |n| self.eval(n))
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
                V::Err(_) => args.get(1).map_or(V::Blank, |n| self.eval(n)),
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
            _ => self.switch(args)?,
        })
    }

    /// `SWITCH(expression, case1, value1, …, [default])`.
    fn switch(&self, args: &'a [Node]) -> R<V<'a>> {
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
            Ok(self.eval(&rest[rest.len() - 1]))
        } else {
            Err(ErrorKind::NA)
        }
    }

    /// The compiled pattern of a `REGEX*` call.
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

    /// `REGEXMATCH`: a literal pattern made of text joined by `.*` is answered by substring
    /// search, unless the pieces span a line break; the regex engine answers the rest.
    pub(super) fn regex_match(&self, call: &'a Call) -> R<bool> {
        let text = match &call.args[0] {
            // A cell, read as `into_regex_text` would, without building its value.
            Node::Ref(c) => match self.row.cell(*c) {
                Cell::Text(s) => Cow::Borrowed(s),
                Cell::Blank => Cow::Borrowed(""),
                Cell::Number(_) | Cell::Bool(_) => return Err(ErrorKind::Value),
                Cell::Error(e) => return Err(e),
            },
            other => self.eval(other).into_regex_text()?,
        };
        if let Some(Pattern::Literal(_, Some(chain))) = &call.pattern {
            match chain.search(&text) {
                re2::ChainMatch::Yes => return Ok(true),
                re2::ChainMatch::No => return Ok(false),
                re2::ChainMatch::Unsure => {}
            }
        }
        Ok(self.pattern(call)?.get().is_match(&text))
    }

    /// `REGEXEXTRACT`: the first match, or its first capture group.
    fn regex_extract(&self, call: &'a Call) -> R<V<'a>> {
        let text = self.value(&call.args[0]).into_regex_text()?;
        let pattern = self.pattern(call)?;
        let re = pattern.get();
        let caps = re.captures(&text).ok_or(ErrorKind::NA)?;
        let found = if re.captures_len() > 1 {
            caps.get(1)
        } else {
            caps.get(0)
        };
        Ok(V::Text(Cow::Owned(
            found.map_or("", |m| m.as_str()).to_owned(),
        )))
    }

    /// `REGEXREPLACE`: every match replaced, `$1` naming a capture group.
    fn regex_replace(&self, call: &'a Call) -> R<V<'a>> {
        let text = self.value(&call.args[0]).into_regex_text()?;
        let pattern = self.pattern(call)?;
        let replacement: Cow<'_, str> = match &call.replacement {
            Some(r) => Cow::Borrowed(r),
            None => {
                let r = self.eval(&call.args[2]).into_regex_text()?;
                Cow::Owned(re2::translate_replacement(&r))
            }
        };
        let out = pattern.get().replace_all(&text, replacement.as_ref());
        limited(out.into_owned())
    }

    /// `ISBLANK`, `ISNUMBER`, `ISTEXT`, `ISERROR`, `ISNA`.
    fn is(&self, function: Function, arg: &'a Node) -> bool {
        let v = self.eval(arg);
        match function {
            Function::IsBlank => matches!(v, V::Blank),
            Function::IsNumber => matches!(v, V::Num(_)),
            Function::IsText => matches!(v, V::Text(_)),
            Function::IsError => matches!(v, V::Err(_)),
            _ => matches!(v, V::Err(ErrorKind::NA)),
        }
    }

    /// `LEN`, `LOWER`, `UPPER`, `TRIM`, `VALUE`, `LEFT`, `RIGHT`, `MID`, `SEARCH`, `FIND`,
    /// `EXACT`.
    fn text_function(&self, function: Function, args: &'a [Node]) -> R<V<'a>> {
        Ok(match function {
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
                let n = self.int_arg(args.get(1), 1.0)?;
                if n < 0.0 {
                    return Err(ErrorKind::Value);
                }
                let len = text.chars().count();
                let n = (n.min(len as f64)) as usize;
                let out: String = if function == Function::Left {
                    text.chars().take(n).collect()
                } else {
                    text.chars().skip(len - n).collect()
                };
                V::Text(Cow::Owned(out))
            }
            Function::Mid => {
                let text = self.text(&args[0])?;
                let start = self.int_arg(args.get(1), 1.0)?;
                let len = self.int_arg(args.get(2), 0.0)?;
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
                let start = self.int_arg(args.get(2), 1.0)?;
                if start < 1.0 {
                    return Err(ErrorKind::Value);
                }
                let from = (start - 1.0).min(usize::MAX as f64) as usize;
                let ignore_case = function == Function::Search;
                let at =
                    find_chars(&haystack, &needle, from, ignore_case).ok_or(ErrorKind::Value)?;
                V::Num(at as f64 + 1.0)
            }
            _ => {
                let a = self.text(&args[0])?;
                let b = self.text(&args[1])?;
                V::Bool(a == b)
            }
        })
    }

    /// `SUBSTITUTE(text, search_for, replace_with, [occurrence])`, case-sensitive.
    fn substitute(&self, args: &'a [Node]) -> R<V<'a>> {
        let text = self.text(&args[0])?;
        let search = self.text(&args[1])?;
        let with = self.text(&args[2])?;
        let occurrence = match args.get(3) {
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
            None => limited(text.replace(search.as_ref(), &with)),
            Some(k) => match text.match_indices(search.as_ref()).nth(k - 1) {
                None => Ok(V::Text(text)),
                Some((at, found)) => {
                    let mut out = String::with_capacity(text.len() + with.len());
                    out.push_str(&text[..at]);
                    out.push_str(&with);
                    out.push_str(&text[at + found.len()..]);
                    limited(out)
                }
            },
        }
    }

    /// `CONCATENATE` and `TEXTJOIN`: values joined as text.
    fn join(&self, function: Function, args: &'a [Node]) -> R<V<'a>> {
        let (delimiter, ignore_empty, values) = if function == Function::TextJoin {
            (self.text(&args[0])?, self.boolean(&args[1])?, &args[2..])
        } else {
            (Cow::Borrowed(""), false, args)
        };
        let mut out = String::new();
        let mut first = true;
        self.each_value(values, |v, _| {
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
        limited(out)
    }

    /// `ABS`, `INT`, `MOD`, `ROUND`, `ROUNDUP`, `ROUNDDOWN`.
    fn arithmetic(&self, function: Function, args: &'a [Node]) -> R<V<'a>> {
        Ok(match function {
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
            _ => {
                let x = self.num(&args[0])?;
                let places = self.int_arg(args.get(1), 0.0)?;
                number(round(x, places, function))
            }
        })
    }
}

/// A compiled pattern, borrowed from the formula or shared from a cache.
enum PatternRef<'a> {
    Borrowed(&'a Regex),
    Shared(Arc<Regex>),
}

impl PatternRef<'_> {
    fn get(&self) -> &Regex {
        match self {
            PatternRef::Borrowed(re) => re,
            PatternRef::Shared(re) => re,
        }
    }
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
