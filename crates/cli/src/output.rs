//! Output formats shared by every command that prints records or a report.

/// `--format` for commands that print records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// A table for people (default)
    #[default]
    Table,
    /// One JSON document
    Json,
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    anstream::println!("{text}");
    Ok(())
}

/// Prints `value` in `format`: as JSON, or as the text `table` makes of it.
pub fn emit<T: serde::Serialize + ?Sized>(
    format: Format,
    value: &T,
    table: impl FnOnce(&T) -> String,
) -> anyhow::Result<()> {
    match format {
        Format::Json => print_json(value),
        Format::Table => {
            anstream::print!("{}", table(value));
            Ok(())
        }
    }
}
