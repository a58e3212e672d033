//! The parser: tokens to a syntax tree ([`Expr`]), by precedence climbing with Sheets'
//! precedence. References are checked here: they must name the template row.

use std::ops::Range;

use crate::ParseOptions;
use crate::ast::{
    BinaryOp, CellRef, Expr, ExprKind, PERCENT_PRECEDENCE, PREFIX_PRECEDENCE, UnaryOp,
};
use crate::error::ParseError;
use crate::functions::{Function, unknown_function_message};
use crate::lexer::{Token, TokenKind, tokenize};

/// How deeply a formula may nest (parentheses, calls, operator chains): far beyond any formula
/// a person writes, and small enough that evaluation never runs out of stack.
pub const MAX_DEPTH: u32 = 200;

/// Parses `src` (with or without a leading `=`) into a syntax tree.
pub(crate) fn parse(src: &str, options: &ParseOptions) -> Result<Expr, ParseError> {
    let body = src.trim_start();
    let mut start = src.len() - body.len();
    if body.starts_with('=') {
        start += 1;
    }
    let tokens = tokenize(src, start)?;
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        template_row: options.template_row,
        nesting: 0,
    };
    if p.peek().kind == TokenKind::Eof {
        let end = src.len();
        return Err(p.err(
            start.saturating_sub(1)..end,
            "the formula is empty: write an expression after `=`, e.g. `=F2`",
        ));
    }
    let (expr, _) = p.expr(0)?;
    let tok = p.peek().clone();
    if tok.kind != TokenKind::Eof {
        return Err(p.trailing(&tok));
    }
    Ok(expr)
}

struct Parser<'s> {
    src: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    template_row: u32,
    nesting: u32,
}

fn binary_op(kind: &TokenKind) -> Option<BinaryOp> {
    Some(match kind {
        TokenKind::Eq => BinaryOp::Eq,
        TokenKind::Ne => BinaryOp::Ne,
        TokenKind::Lt => BinaryOp::Lt,
        TokenKind::Le => BinaryOp::Le,
        TokenKind::Gt => BinaryOp::Gt,
        TokenKind::Ge => BinaryOp::Ge,
        TokenKind::Amp => BinaryOp::Concat,
        TokenKind::Plus => BinaryOp::Add,
        TokenKind::Minus => BinaryOp::Sub,
        TokenKind::Star => BinaryOp::Mul,
        TokenKind::Slash => BinaryOp::Div,
        TokenKind::Caret => BinaryOp::Pow,
        _ => return None,
    })
}

/// A reference as written: `$`, column letters, `$`, row digits.
struct RefText<'a> {
    absolute_column: bool,
    letters: &'a str,
    absolute_row: bool,
    row: &'a str,
}

fn split_ref(text: &str) -> Option<RefText<'_>> {
    let (absolute_column, rest) = match text.strip_prefix('$') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let letters_end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let (letters, rest) = rest.split_at(letters_end);
    let (absolute_row, row) = match rest.strip_prefix('$') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    if !row.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(RefText {
        absolute_column,
        letters,
        absolute_row,
        row,
    })
}

impl Parser<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> ParseError {
        ParseError::new(self.src, span, message)
    }

    fn peek(&self) -> &Token {
        // The token list always ends with `Eof`, and `pos` never passes it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let tok = self.peek().clone();
        if tok.kind != TokenKind::Eof {
            self.pos += 1;
        }
        tok
    }

    fn text(&self, span: &Range<usize>) -> &str {
        &self.src[span.clone()]
    }

    /// A token as messages quote it: control characters escaped, long text cut short.
    fn describe(&self, tok: &Token) -> String {
        const SHOWN: usize = 24;
        if tok.kind == TokenKind::Eof {
            return "the end of the formula".to_owned();
        }
        let text = self.text(&tok.span);
        let mut shown: String = text
            .chars()
            .take(SHOWN)
            .map(|c| {
                if c.is_control() {
                    c.escape_debug().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        if text.chars().count() > SHOWN {
            shown.push('…');
        }
        format!("`{shown}`")
    }

    fn too_deep(&self, span: Range<usize>) -> ParseError {
        self.err(
            span,
            format!(
                "the formula nests more than {MAX_DEPTH} levels deep: split it into simpler parts"
            ),
        )
    }

    /// An expression whose operators bind at least as tightly as `min`; returns it and its
    /// tree depth.
    fn expr(&mut self, min: u8) -> Result<(Expr, u32), ParseError> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return Err(self.too_deep(self.peek().span.clone()));
        }
        let (mut lhs, mut depth) = self.prefix()?;
        loop {
            let tok = self.peek().clone();
            if tok.kind == TokenKind::Percent {
                if PERCENT_PRECEDENCE < min {
                    break;
                }
                self.next();
                let span = lhs.span.start..tok.span.end;
                lhs = Expr {
                    kind: ExprKind::Percent(Box::new(lhs)),
                    span,
                };
                depth += 1;
            } else if let Some(op) = binary_op(&tok.kind) {
                let p = op.precedence();
                if p < min {
                    break;
                }
                self.next();
                let (rhs, rhs_depth) = self.expr(p + 1)?;
                let span = lhs.span.start..rhs.span.end;
                depth = depth.max(rhs_depth) + 1;
                lhs = Expr {
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    span,
                };
            } else {
                break;
            }
            if depth > MAX_DEPTH {
                return Err(self.too_deep(lhs.span.clone()));
            }
        }
        self.nesting -= 1;
        Ok((lhs, depth))
    }

    fn prefix(&mut self) -> Result<(Expr, u32), ParseError> {
        let tok = self.next();
        let start = tok.span.start;
        let leaf = |kind| {
            Ok((
                Expr {
                    kind,
                    span: tok.span.clone(),
                },
                1,
            ))
        };
        match tok.kind {
            TokenKind::Minus | TokenKind::Plus => {
                let op = if tok.kind == TokenKind::Minus { UnaryOp::Neg } else { UnaryOp::Plus };
                let (operand, depth) = self.expr(PREFIX_PRECEDENCE)?;
                let span = start..operand.span.end;
                Ok((Expr { kind: ExprKind::Unary(op, Box::new(operand)), span }, depth + 1))
            }
            TokenKind::Number(n) => {
                if self.peek().kind == TokenKind::Colon {
                    return Err(self.err(
                        start..self.peek().span.end,
                        format!(
                            "row ranges read other rows; the formula scores one row: use a range of the template row, e.g. `A{0}:F{0}`",
                            self.template_row
                        ),
                    ));
                }
                leaf(ExprKind::Number(n))
            }
            TokenKind::Text(ref s) => leaf(ExprKind::Text(s.clone())),
            TokenKind::ErrorLit(k) => leaf(ExprKind::Error(k)),
            TokenKind::LParen => {
                if self.peek().kind == TokenKind::RParen {
                    let end = self.peek().span.end;
                    return Err(self.err(start..end, "empty parentheses: put an expression inside `(…)`"));
                }
                let (inner, depth) = self.expr(0)?;
                let close = self.peek().clone();
                if close.kind != TokenKind::RParen {
                    return Err(self.unclosed(&tok, &close, None));
                }
                self.next();
                let span = start..close.span.end;
                Ok((Expr { kind: ExprKind::Paren(Box::new(inner)), span }, depth + 1))
            }
            TokenKind::Word => self.word(tok),
            TokenKind::Eof => {
                let prev = self.pos.checked_sub(1).map(|i| self.tokens[i].clone());
                match prev {
                    Some(p) if p.kind != TokenKind::Eof => Err(self.err(
                        p.span.clone(),
                        format!("the formula ends after {}: a value must follow", self.describe(&p)),
                    )),
                    _ => Err(self.err(tok.span, "expected a value")),
                }
            }
            TokenKind::RParen => Err(self.err(tok.span, "expected a value, found `)`")),
            TokenKind::Comma => Err(self.err(
                tok.span,
                "expected a value, found `,` (arguments are separated by `,` only inside a function call)",
            )),
            TokenKind::Colon => Err(self.err(
                tok.span,
                format!(
                    "`:` must join two references of the template row, e.g. `C{0}:F{0}`",
                    self.template_row
                ),
            )),
            _ => {
                let what = self.describe(&tok);
                Err(self.err(tok.span, format!("expected a value, found {what}")))
            }
        }
    }

    /// The error for a `(` whose `)` never comes (or something else comes instead).
    fn unclosed(&self, open: &Token, found: &Token, function: Option<Function>) -> ParseError {
        if found.kind == TokenKind::Eof {
            let what = match function {
                Some(f) => format!("`{f}(`"),
                None => "this `(`".to_owned(),
            };
            return self.err(
                open.span.clone(),
                format!("{what} is never closed: add `)`"),
            );
        }
        let found_text = self.describe(found);
        let message = match function {
            Some(f) => {
                format!("expected `,` or `)` after an argument of `{f}`, found {found_text}")
            }
            None => format!("expected `)` to close the `(`, found {found_text}"),
        };
        self.err(found.span.clone(), message)
    }

    fn trailing(&self, tok: &Token) -> ParseError {
        let message = match tok.kind {
            TokenKind::RParen => "unexpected `)`: there is no `(` for it to close".to_owned(),
            TokenKind::Comma => {
                "unexpected `,`: arguments are separated by `,` only inside a function call, e.g. `SUM(a, b)`".to_owned()
            }
            TokenKind::Colon => format!(
                "`:` must join two references of the template row, e.g. `C{0}:F{0}`",
                self.template_row
            ),
            _ => format!(
                "expected an operator (such as `+`, `&` or `=`) or the end of the formula, found {}",
                self.describe(tok)
            ),
        };
        self.err(tok.span.clone(), message)
    }

    fn word(&mut self, tok: Token) -> Result<(Expr, u32), ParseError> {
        let text = self.text(&tok.span).to_owned();
        if self.peek().kind == TokenKind::LParen {
            return self.call(tok, &text);
        }
        if text.eq_ignore_ascii_case("TRUE") || text.eq_ignore_ascii_case("FALSE") {
            let kind = ExprKind::Bool(text.eq_ignore_ascii_case("TRUE"));
            return Ok((
                Expr {
                    kind,
                    span: tok.span,
                },
                1,
            ));
        }
        if let Some(r) = split_ref(&text) {
            if !r.row.is_empty() {
                let first = self.cell_ref(&r, &tok.span)?;
                if self.peek().kind != TokenKind::Colon {
                    return Ok((
                        Expr {
                            kind: ExprKind::Ref(first),
                            span: tok.span,
                        },
                        1,
                    ));
                }
                self.next();
                let second_tok = self.next();
                let second_text = self.text(&second_tok.span).to_owned();
                let second = match (&second_tok.kind, split_ref(&second_text)) {
                    (TokenKind::Word, Some(r2)) if !r2.row.is_empty() => {
                        self.cell_ref(&r2, &second_tok.span)?
                    }
                    (TokenKind::Word, Some(_)) => {
                        return Err(self.whole_column(tok.span.start..second_tok.span.end));
                    }
                    _ => {
                        return Err(self.err(
                            second_tok.span.clone(),
                            format!(
                                "expected a reference after `:`, found {}: a range joins two references of the template row, e.g. `C{1}:F{1}`",
                                self.describe(&second_tok),
                                self.template_row
                            ),
                        ));
                    }
                };
                let (a, b) = if first.column <= second.column {
                    (first, second)
                } else {
                    (second, first)
                };
                let span = tok.span.start..second_tok.span.end;
                return Ok((
                    Expr {
                        kind: ExprKind::Range(a, b),
                        span,
                    },
                    1,
                ));
            }
            if self.peek().kind == TokenKind::Colon && !r.absolute_row {
                let end = self
                    .tokens
                    .get(self.pos + 1)
                    .map_or(tok.span.end, |t| t.span.end);
                return Err(self.whole_column(tok.span.start..end));
            }
        }
        if let Some(f) = Function::from_name(&text) {
            return Err(self.err(
                tok.span,
                format!(
                    "`{f}` is a function: call it with parentheses, e.g. `{}`",
                    f.signature()
                ),
            ));
        }
        Err(self.err(
            tok.span,
            format!(
                "unknown name `{text}`: a formula can use references to the template row (e.g. `F{}`), numbers, \"text\", TRUE and FALSE",
                self.template_row
            ),
        ))
    }

    fn whole_column(&self, span: Range<usize>) -> ParseError {
        let text = self.text(&span).to_owned();
        let letters: String = text
            .chars()
            .take_while(|c| *c == '$' || c.is_ascii_alphabetic())
            .collect();
        self.err(
            span,
            format!(
                "`{text}` reads a whole column; the formula scores one row: write `{}{}`",
                letters.trim_start_matches('$').to_ascii_uppercase(),
                self.template_row
            ),
        )
    }

    fn cell_ref(&self, r: &RefText<'_>, span: &Range<usize>) -> Result<CellRef, ParseError> {
        let letters = r.letters.to_ascii_uppercase();
        let column = crate::column_index(&letters)
            .ok_or_else(|| self.err(span.clone(), format!("`{}` is not a column", r.letters)))?;
        let good = format!(
            "{}{letters}{}",
            if r.absolute_column { "$" } else { "" },
            self.template_row
        );
        if r.absolute_row {
            return Err(self.err(
                span.clone(),
                format!(
                    "`{}` fixes the row with `$`, but the formula is evaluated for every row: write `{good}`",
                    self.text(span)
                ),
            ));
        }
        let row: Option<u32> = r.row.parse().ok();
        if row != Some(self.template_row) {
            return Err(self.err(
                span.clone(),
                format!(
                    "`{}` names row {}, but references must name the template row {} (the row being scored), e.g. `{good}`",
                    self.text(span),
                    r.row.parse::<u64>().map_or_else(|_| r.row.to_owned(), |n| n.to_string()),
                    self.template_row
                ),
            ));
        }
        Ok(CellRef {
            column,
            absolute_column: r.absolute_column,
        })
    }

    fn call(&mut self, name_tok: Token, name: &str) -> Result<(Expr, u32), ParseError> {
        let open = self.next();
        let is_bool = name.eq_ignore_ascii_case("TRUE") || name.eq_ignore_ascii_case("FALSE");
        let function =
            if is_bool {
                None
            } else {
                Some(Function::from_name(name).ok_or_else(|| {
                    self.err(name_tok.span.clone(), unknown_function_message(name))
                })?)
            };
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return Err(self.too_deep(name_tok.span.clone()));
        }
        let mut args = Vec::new();
        let mut depth = 0;
        let close;
        if self.peek().kind == TokenKind::RParen {
            close = self.next();
        } else {
            loop {
                let tok = self.peek().clone();
                if matches!(tok.kind, TokenKind::Comma | TokenKind::RParen) {
                    let at = tok.span.start;
                    args.push(Expr {
                        kind: ExprKind::Empty,
                        span: at..at,
                    });
                } else {
                    let (arg, d) = self.expr(0)?;
                    depth = depth.max(d);
                    args.push(arg);
                }
                let sep = self.peek().clone();
                match sep.kind {
                    TokenKind::Comma => {
                        self.next();
                    }
                    TokenKind::RParen => {
                        close = self.next();
                        break;
                    }
                    _ => {
                        return Err(self.unclosed(&open, &sep, function));
                    }
                }
            }
        }
        self.nesting -= 1;
        let span = name_tok.span.start..close.span.end;
        let Some(function) = function else {
            if !args.is_empty() {
                return Err(self.err(
                    span,
                    format!("`{}()` takes no arguments", name.to_ascii_uppercase()),
                ));
            }
            let kind = ExprKind::Bool(name.eq_ignore_ascii_case("TRUE"));
            return Ok((Expr { kind, span }, 1));
        };
        if let Some(problem) = function.arity_problem(args.len()) {
            return Err(self.err(span, problem));
        }
        Ok((
            Expr {
                kind: ExprKind::Call(function, args),
                span,
            },
            depth + 1,
        ))
    }
}
