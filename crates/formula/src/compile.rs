//! The compiler: a syntax tree to the tree the evaluator walks ([`Node`]). It drops parentheses,
//! checks where ranges may appear, compiles literal regular expressions once and gives runtime
//! patterns a cache.

use std::sync::Arc;

use regex::Regex;

use crate::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use crate::cell::Cell;
use crate::error::ParseError;
use crate::eval::Evaluator;
use crate::functions::Function;
use crate::re2::{self, RegexCache};
use crate::text;
use crate::value::{ErrorKind, Value};

/// A compiled formula node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// An omitted argument.
    Blank,
    Number(f64),
    Text(Box<str>),
    Bool(bool),
    Error(ErrorKind),
    /// A cell of the row, by column index.
    Ref(usize),
    /// Cells `first..=last` of the row; only where a function accepts ranges.
    Range(usize, usize),
    Neg(Box<Node>),
    Plus(Box<Node>),
    Percent(Box<Node>),
    Binary(BinaryOp, Box<Node>, Box<Node>),
    /// `F2 >= 4` and friends: a comparison of a cell with a number literal, evaluated without
    /// building values (the commonest test in score formulas).
    CompareRefNumber(BinaryOp, usize, f64),
    /// `C2 = "text"` (or `<>` when `negate`): a cell compared with a text literal.
    EqRefText {
        column: usize,
        /// The literal lower-cased ([`text::fold`]), which is all the comparison needs.
        folded: Box<str>,
        /// Whether `folded` is ASCII, so that an ASCII cell is compared on bytes.
        ascii: bool,
        negate: bool,
    },
    /// `IF`, the commonest function, evaluated without the general call dispatch; nested `IF`s
    /// in the "otherwise" place are one chain.
    If(Box<If>),
    Call(Box<Call>),
}

/// A compiled `IF(condition, then, [otherwise])`, or a chain of them:
/// `IF(c1, v1, IF(c2, v2, otherwise))` is the arms `(c1, v1), (c2, v2)` and `otherwise`. The
/// conditions are tested in order until one holds (an error in one is the result), as the
/// nested calls would.
#[derive(Debug, Clone)]
pub(crate) struct If {
    /// `(condition, then)`, at least one.
    pub arms: Box<[(Node, Node)]>,
    /// `None` when the last `IF` leaves out its third argument (the result is then FALSE).
    pub otherwise: Option<Node>,
    /// `Some(column)` when every condition is `column = "text"` (the resolution tests of a score
    /// formula): the cell is then read, and its text classified, once for all the arms.
    pub text_column: Option<usize>,
    /// `Some(column)` when every condition compares `column` with a number (`F2 >= 4`, then
    /// `F2 <= 1`): the cell is then read once for all the arms.
    pub number_column: Option<usize>,
}

impl If {
    /// `IF(condition, then, otherwise)`, joined with `otherwise` when it is itself an `IF`.
    fn chain(condition: Node, then: Node, otherwise: Option<Node>) -> If {
        let mut arms = vec![(condition, then)];
        let otherwise = match otherwise {
            Some(Node::If(inner)) => {
                let If {
                    arms: inner_arms,
                    otherwise,
                    ..
                } = *inner;
                arms.extend(inner_arms.into_vec());
                otherwise
            }
            other => other,
        };
        let column = |arm: &(Node, Node)| match arm.0 {
            Node::EqRefText {
                column,
                negate: false,
                ..
            } => Some(column),
            _ => None,
        };
        let number = |arm: &(Node, Node)| match arm.0 {
            Node::CompareRefNumber(_, column, _) => Some(column),
            _ => None,
        };
        let same = |of: &dyn Fn(&(Node, Node)) -> Option<usize>| {
            of(&arms[0]).filter(|c| arms.len() > 1 && arms.iter().all(|arm| of(arm) == Some(*c)))
        };
        let (text_column, number_column) = (same(&column), same(&number));
        If {
            arms: arms.into(),
            otherwise,
            text_column,
            number_column,
        }
    }
}

/// A compiled function call.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub function: Function,
    pub args: Box<[Node]>,
    /// For `REGEX*` functions: the pattern, compiled or cached.
    pub pattern: Option<Pattern>,
    /// For `REGEXREPLACE` with a literal replacement: it, translated.
    pub replacement: Option<Box<str>>,
}

/// The regular expression of a `REGEX*` call.
#[derive(Debug, Clone)]
pub(crate) enum Pattern {
    /// A literal pattern, compiled at parse time, with its substring search when it is only
    /// literal text joined by `.*`.
    Literal(Regex, Option<re2::LiteralChain>),
    /// A pattern computed per row, compiled on first use.
    Dynamic(Arc<RegexCache>),
}

/// Compiles `expr`, the whole formula of `source`. With `optimise`, comparisons of a cell with a
/// literal and `IF` get their own nodes, literal `.*` chains their substring search, and
/// arguments made only of literals are computed once (never the whole formula, whose top-level
/// terms [`crate::Formula::explain`] shows); without it, the tree is the formula as written.
pub(crate) fn compile(source: &str, expr: &Expr, optimise: bool) -> Result<Node, ParseError> {
    Compiler { source, optimise }.node(expr, false)
}

struct Compiler<'s> {
    source: &'s str,
    optimise: bool,
}

impl Compiler<'_> {
    fn err(&self, expr: &Expr, message: impl Into<String>) -> ParseError {
        ParseError::new(self.source, expr.span.clone(), message)
    }

    /// Compiles `expr`; `range_ok` says whether a range may stand here.
    fn node(&self, expr: &Expr, range_ok: bool) -> Result<Node, ParseError> {
        Ok(match &expr.kind {
            ExprKind::Number(n) => Node::Number(*n),
            ExprKind::Text(s) => Node::Text(s.as_str().into()),
            ExprKind::Bool(b) => Node::Bool(*b),
            ExprKind::Error(e) => Node::Error(*e),
            ExprKind::Empty => Node::Blank,
            ExprKind::Ref(r) => Node::Ref(r.column),
            ExprKind::Range(a, b) => {
                if !range_ok {
                    return Err(self.err(
                        expr,
                        format!(
                            "a range can only be an argument of a function that reads ranges ({}), e.g. `SUM({})`",
                            range_functions(),
                            &self.source[expr.span.clone()]
                        ),
                    ));
                }
                Node::Range(a.column, b.column)
            }
            ExprKind::Paren(inner) => self.node(inner, range_ok)?,
            ExprKind::Unary(op, inner) => {
                let inner = Box::new(self.operand(inner, false)?);
                match op {
                    UnaryOp::Neg => Node::Neg(inner),
                    UnaryOp::Plus => Node::Plus(inner),
                }
            }
            ExprKind::Percent(inner) => Node::Percent(Box::new(self.operand(inner, false)?)),
            ExprKind::Binary(op, l, r) => {
                let (l, r) = (self.operand(l, false)?, self.operand(r, false)?);
                if !self.optimise {
                    return Ok(Node::Binary(*op, Box::new(l), Box::new(r)));
                }
                match (op, l, r) {
                    (
                        BinaryOp::Eq
                        | BinaryOp::Ne
                        | BinaryOp::Lt
                        | BinaryOp::Le
                        | BinaryOp::Gt
                        | BinaryOp::Ge,
                        Node::Ref(c),
                        Node::Number(n),
                    ) => Node::CompareRefNumber(*op, c, n),
                    (BinaryOp::Eq | BinaryOp::Ne, Node::Ref(column), Node::Text(text))
                    | (BinaryOp::Eq | BinaryOp::Ne, Node::Text(text), Node::Ref(column)) => {
                        let folded = text::fold(&text);
                        Node::EqRefText {
                            column,
                            ascii: folded.is_ascii(),
                            folded: folded.into(),
                            negate: *op == BinaryOp::Ne,
                        }
                    }
                    (_, l, r) => Node::Binary(*op, Box::new(l), Box::new(r)),
                }
            }
            ExprKind::Call(function, args) => self.call(*function, args)?,
        })
    }

    /// Compiles an operand or an argument, computed once if it is made only of literals.
    fn operand(&self, expr: &Expr, range_ok: bool) -> Result<Node, ParseError> {
        let node = self.node(expr, range_ok)?;
        Ok(if self.optimise { fold(node) } else { node })
    }

    fn call(&self, function: Function, args: &[Expr]) -> Result<Node, ParseError> {
        if function == Function::CountIf {
            let first = args[0].unparenthesized();
            if !matches!(first.kind, ExprKind::Ref(_) | ExprKind::Range(_, _)) {
                return Err(self.err(
                    first,
                    "`COUNTIF` counts cells: its first argument must be a reference or a range, e.g. `COUNTIF(C2:F2, \">3\")`",
                ));
            }
        }
        let compiled = args
            .iter()
            .enumerate()
            .map(|(i, a)| self.operand(a, function.accepts_range(i)))
            .collect::<Result<Vec<_>, _>>()?;
        if function == Function::If && self.optimise {
            // The parser has checked that there are two or three arguments.
            let mut args = compiled.into_iter();
            let condition = args.next().unwrap_or(Node::Blank);
            let then = args.next().unwrap_or(Node::Blank);
            let otherwise = args.next();
            return Ok(Node::If(Box::new(If::chain(condition, then, otherwise))));
        }
        let mut call = Call {
            function,
            args: compiled.into(),
            pattern: None,
            replacement: None,
        };
        if matches!(
            function,
            Function::RegexMatch | Function::RegexExtract | Function::RegexReplace
        ) {
            let pattern_expr = args[1].unparenthesized();
            call.pattern = Some(match &pattern_expr.kind {
                ExprKind::Text(p) => Pattern::Literal(
                    re2::compile(p).map_err(|e| {
                        self.err(
                            pattern_expr,
                            format!("invalid regular expression in `{function}`: {}", e.0),
                        )
                    })?,
                    re2::LiteralChain::of(p).filter(|_| self.optimise),
                ),
                ExprKind::Number(_) | ExprKind::Bool(_) => {
                    return Err(self.err(
                        pattern_expr,
                        format!(
                            "the regular expression of `{function}` must be text: put it between double quotes, e.g. `\"{}\"`",
                            &self.source[pattern_expr.span.clone()]
                        ),
                    ));
                }
                _ => Pattern::Dynamic(Arc::default()),
            });
            if function == Function::RegexReplace
                && let ExprKind::Text(r) = &args[2].unparenthesized().kind
            {
                call.replacement = Some(re2::translate_replacement(r).into());
            }
        }
        Ok(Node::Call(Box::new(call)))
    }
}

/// `node` computed once if it is made only of literals (`-1`, `2 * 3`, `"a" & "b"`), else as
/// is. A literal holds the same value the node would give for every row.
fn fold(node: Node) -> Node {
    let literal = |n: &Node| {
        matches!(
            n,
            Node::Blank | Node::Number(_) | Node::Text(_) | Node::Bool(_) | Node::Error(_)
        )
    };
    let constant = match &node {
        Node::Neg(n) | Node::Plus(n) | Node::Percent(n) => literal(n),
        Node::Binary(_, l, r) => literal(l) && literal(r),
        Node::Call(call) => call.args.iter().all(literal),
        Node::If(node) => {
            node.arms.iter().all(|(c, v)| literal(c) && literal(v))
                && node.otherwise.as_ref().is_none_or(literal)
        }
        _ => false,
    };
    if !constant {
        return node;
    }
    let no_cells: &[Cell<'_>] = &[];
    let value = Evaluator::<_, false> { row: no_cells }
        .eval(&node)
        .into_value();
    match value {
        Value::Blank => Node::Blank,
        Value::Number(n) => Node::Number(n),
        Value::Bool(b) => Node::Bool(b),
        Value::Text(s) => Node::Text(s.into()),
        Value::Error(e) => Node::Error(e),
    }
}

fn range_functions() -> String {
    let names: Vec<&str> = Function::all()
        .filter(|f| f.accepts_range(0) || f.accepts_range(2))
        .map(Function::name)
        .collect();
    names.join(", ")
}

/// Appends every column `node` reads to `out`.
pub(crate) fn collect_columns(node: &Node, out: &mut Vec<usize>) {
    match node {
        Node::Ref(c) | Node::CompareRefNumber(_, c, _) | Node::EqRefText { column: c, .. } => {
            out.push(*c)
        }
        Node::Range(a, b) => out.extend(*a..=*b),
        Node::Neg(n) | Node::Plus(n) | Node::Percent(n) => collect_columns(n, out),
        Node::Binary(_, l, r) => {
            collect_columns(l, out);
            collect_columns(r, out);
        }
        Node::Call(call) => call.args.iter().for_each(|a| collect_columns(a, out)),
        Node::If(node) => {
            for (condition, then) in &node.arms {
                collect_columns(condition, out);
                collect_columns(then, out);
            }
            if let Some(otherwise) = &node.otherwise {
                collect_columns(otherwise, out);
            }
        }
        Node::Blank | Node::Number(_) | Node::Text(_) | Node::Bool(_) | Node::Error(_) => {}
    }
}
