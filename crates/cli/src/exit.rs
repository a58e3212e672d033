//! Exit codes and error reporting: 0 success, 1 failure (network, tracker, I/O), 2 bad input or
//! usage. Errors print as `error: …` followed by their cause chain, one line each.

use std::process::ExitCode;

/// The exit codes of the binary, the only ones it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the command did what was asked.
    Success = 0,
    /// 1: a failure (network, tracker refused, I/O).
    Failure = 1,
    /// 2: bad input or usage (a formula, a sheet, a setting, an argument).
    BadInput = 2,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// Marks an error as the user's input being wrong (exit code 2).
#[derive(Debug)]
pub struct BadInput(pub anyhow::Error);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for BadInput {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Wraps an error as bad input (exit 2).
pub fn bad_input(err: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(BadInput(err.into()))
}

/// An error already shown to the user (e.g. a caret diagnostic); only the exit code remains.
#[derive(Debug)]
pub struct Reported(pub Exit);

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0 as u8)
    }
}

impl std::error::Error for Reported {}

/// Prints the error (if any) and turns the result into the process exit code.
pub fn report(result: anyhow::Result<()>) -> ExitCode {
    let Err(err) = result else {
        return Exit::Success.into();
    };
    if let Some(Reported(exit)) = err.downcast_ref::<Reported>() {
        return (*exit).into();
    }
    let exit = if err.chain().any(|c| c.is::<BadInput>()) {
        Exit::BadInput
    } else {
        Exit::Failure
    };
    let mut lines = err.chain().map(|c| c.to_string()).collect::<Vec<_>>();
    lines.dedup();
    // A BadInput wrapper repeats its inner error's text; show each message once.
    let mut shown: Vec<String> = Vec::new();
    for l in lines {
        if !shown.iter().any(|s| s == &l) {
            shown.push(l);
        }
    }
    let mut out = format!("error: {}", shown.first().map(String::as_str).unwrap_or(""));
    for cause in shown.iter().skip(1) {
        out.push_str(&format!("\n  caused by: {cause}"));
    }
    anstream::eprintln!("{out}");
    exit.into()
}
