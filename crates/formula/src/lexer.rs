//! The lexer: formula text to tokens with byte spans. Knows Sheets' literal syntax (numbers,
//! `"text"` with doubled quotes, `#N/A`…) and turns common slips (curly quotes, `;`, `!=`,
//! `{…}`, other sheets) into errors that say what to write instead.

use std::ops::Range;

use crate::error::ParseError;
use crate::value::ErrorKind;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    /// A number literal (never negative: `-` is an operator).
    Number(f64),
    /// A text literal, quotes removed and `""` undoubled.
    Text(String),
    /// A word: a function name, a cell reference, `TRUE`/`FALSE` or an unknown name.
    Word,
    /// An error literal such as `#N/A`.
    ErrorLit(ErrorKind),
    LParen,
    RParen,
    Comma,
    Colon,
    Percent,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    Amp,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// The end of the formula.
    Eof,
}

/// A token and where it is in the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub span: Range<usize>,
}

/// Splits `src[start..]` into tokens.
pub(crate) fn tokenize(src: &str, start: usize) -> Result<Vec<Token>, ParseError> {
    let mut lexer = Lexer {
        src,
        pos: start,
        tokens: Vec::new(),
    };
    lexer.run()?;
    Ok(lexer.tokens)
}

struct Lexer<'s> {
    src: &'s str,
    pos: usize,
    tokens: Vec<Token>,
}

impl Lexer<'_> {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> ParseError {
        ParseError::new(self.src, span, message)
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.src.get(self.pos + offset..)?.chars().next()
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token {
            kind,
            span: start..self.pos,
        });
    }

    fn run(&mut self) -> Result<(), ParseError> {
        while let Some(c) = self.peek() {
            let start = self.pos;
            if c.is_whitespace() {
                self.pos += c.len_utf8();
                continue;
            }
            let single = match c {
                '(' => Some(TokenKind::LParen),
                ')' => Some(TokenKind::RParen),
                ',' => Some(TokenKind::Comma),
                ':' => Some(TokenKind::Colon),
                '%' => Some(TokenKind::Percent),
                '+' => Some(TokenKind::Plus),
                '-' => Some(TokenKind::Minus),
                '*' => Some(TokenKind::Star),
                '/' => Some(TokenKind::Slash),
                '^' => Some(TokenKind::Caret),
                '=' => Some(TokenKind::Eq),
                _ => None,
            };
            if let Some(kind) = single {
                if c == '=' && self.peek_at(1) == Some('=') {
                    return Err(self.err(
                        start..start + 2,
                        "`==` is not an operator: compare with a single `=`",
                    ));
                }
                self.pos += 1;
                self.push(kind, start);
                continue;
            }
            match c {
                '&' => {
                    if self.peek_at(1) == Some('&') {
                        return Err(self.err(
                            start..start + 2,
                            "`&&` is not an operator: use `AND(a, b)` (a single `&` joins text)",
                        ));
                    }
                    self.pos += 1;
                    self.push(TokenKind::Amp, start);
                }
                '<' => {
                    self.pos += 1;
                    let kind = match self.peek() {
                        Some('=') => {
                            self.pos += 1;
                            TokenKind::Le
                        }
                        Some('>') => {
                            self.pos += 1;
                            TokenKind::Ne
                        }
                        _ => TokenKind::Lt,
                    };
                    self.push(kind, start);
                }
                '>' => {
                    self.pos += 1;
                    let kind = if self.peek() == Some('=') {
                        self.pos += 1;
                        TokenKind::Ge
                    } else {
                        TokenKind::Gt
                    };
                    self.push(kind, start);
                }
                '!' if self.peek_at(1) == Some('=') => {
                    return Err(self.err(
                        start..start + 2,
                        "`!=` is not an operator: use `<>` for \"not equal\"",
                    ));
                }
                '|' if self.peek_at(1) == Some('|') => {
                    return Err(
                        self.err(start..start + 2, "`||` is not an operator: use `OR(a, b)`")
                    );
                }
                '"' => self.text()?,
                '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => {
                    return Err(self.err(
                        start..start + c.len_utf8(),
                        format!("`{c}` is a typographic quote: put text between straight double quotes, e.g. \"text\""),
                    ));
                }
                '\'' | '\u{2018}' | '\u{2019}' => {
                    return Err(self.err(
                        start..start + c.len_utf8(),
                        "single quotes name other sheets, which a score formula cannot read; put text between double quotes, e.g. \"text\"",
                    ));
                }
                ';' => {
                    return Err(self.err(
                        start..start + 1,
                        "`;` is not an argument separator here: separate arguments with `,`",
                    ));
                }
                '{' | '}' => {
                    return Err(self.err(start..start + 1, "array literals `{…}` are not supported: pass the values as separate arguments"));
                }
                '#' => self.error_literal()?,
                '0'..='9' | '.' => self.number()?,
                c if c.is_ascii_alphabetic() || c == '_' || c == '$' => self.word()?,
                other => {
                    return Err(self.err(
                        start..start + other.len_utf8(),
                        format!("unexpected character `{}`", other.escape_default()),
                    ));
                }
            }
        }
        let end = self.src.len();
        self.tokens.push(Token {
            kind: TokenKind::Eof,
            span: end..end,
        });
        Ok(())
    }

    fn text(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut value = String::new();
        loop {
            let rest = &self.src[self.pos..];
            match rest.find('"') {
                None => {
                    return Err(self.err(
                        start..self.src.len(),
                        "this text has no closing `\"`: end it with a double quote (write `\"\"` for a quote inside text)",
                    ));
                }
                Some(i) => {
                    value.push_str(&rest[..i]);
                    self.pos += i + 1;
                    if self.peek() == Some('"') {
                        value.push('"');
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
            }
        }
        self.push(TokenKind::Text(value), start);
        Ok(())
    }

    fn error_literal(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        let rest = &self.src[start..];
        for kind in ErrorKind::ALL {
            let text = kind.as_str();
            if rest.len() >= text.len()
                && rest.is_char_boundary(text.len())
                && rest[..text.len()].eq_ignore_ascii_case(text)
            {
                self.pos += text.len();
                self.push(TokenKind::ErrorLit(kind), start);
                return Ok(());
            }
        }
        let names: Vec<&str> = ErrorKind::ALL.iter().map(|e| e.as_str()).collect();
        Err(self.err(
            start..start + 1,
            format!("`#` starts an error value, one of {}", names.join(", ")),
        ))
    }

    fn number(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut i = start;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let int_digits = i - start;
        let mut frac_digits = 0;
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
                frac_digits += 1;
            }
        }
        if int_digits + frac_digits == 0 {
            return Err(self.err(
                start..start + 1,
                "unexpected `.`: a number needs digits, e.g. `0.5`",
            ));
        }
        if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            // Only an exponent if digits follow (`1E3`, `1e+3`); `1E` alone is an error.
            let mut j = i + 1;
            if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                j += 1;
            }
            let digits_start = j;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if j == digits_start {
                return Err(self.err(
                    start..j,
                    "this number's exponent has no digits: write e.g. `1E3` or `1.5E-2`",
                ));
            }
            i = j;
        }
        if i < bytes.len() && (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_') {
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                j += 1;
            }
            return Err(self.err(
                start..j,
                format!(
                    "`{}` is neither a number nor a reference: a reference is column letters then the row, e.g. `F2`",
                    &self.src[start..j]
                ),
            ));
        }
        let text = &self.src[start..i];
        let value: f64 = text
            .parse()
            .map_err(|_| self.err(start..i, format!("`{text}` is not a number")))?;
        if !value.is_finite() {
            return Err(self.err(start..i, format!("`{text}` is too large a number")));
        }
        self.pos = i;
        self.push(TokenKind::Number(value), start);
        Ok(())
    }

    fn word(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut i = start;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.' | b'$'))
        {
            i += 1;
        }
        self.pos = i;
        if self.peek() == Some('!') {
            return Err(self.err(
                start..i + 1,
                format!(
                    "`{}` names another sheet: a score formula reads only the row being scored, e.g. `F2`",
                    &self.src[start..i + 1]
                ),
            ));
        }
        self.push(TokenKind::Word, start);
        Ok(())
    }
}
