//! `supportops review` on a grown sheet: the store keeps where the last clean run stopped
//! reading each sheet ([`SheetMark`]), and the next run reads on from there when the bytes
//! before are unchanged and the rows would be read the same way (same formula, thresholds,
//! layout and version of supportops: the [`context`]).

use supportops_app::review::{EarlierRows, ReviewReport};
use supportops_config::Config;
use supportops_ports::store::ResponseStore;
use supportops_ports::store::responses::SheetMark;
use supportops_sheet::{ReadMark, ScoredTail};

/// What rows are read under, as a hash: the `[sheet]` and `[score]` settings and this build's
/// version. A mark taken under another context is not used.
pub fn context(config: &Config) -> String {
    let text = format!(
        "{}\n{:?}\n{:?}",
        env!("CARGO_PKG_VERSION"),
        config.sheet,
        config.score
    );
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
}

/// The mark of `source` to read on from, with what the rows before it held, when there is one
/// taken under `context`.
pub async fn earlier(
    store: &dyn ResponseStore,
    source: &str,
    context: &str,
) -> anyhow::Result<Option<(ReadMark, EarlierRows)>> {
    let Some(mark) = store.sheet_mark(source).await? else {
        return Ok(None);
    };
    let Ok(hash) = u128::from_str_radix(&mark.hash, 16) else {
        return Ok(None);
    };
    if mark.context != context {
        return Ok(None);
    }
    Ok(Some((
        ReadMark {
            bytes: mark.bytes,
            hash,
            row: mark.row,
            line: mark.line,
        },
        EarlierRows {
            rows: mark.row,
            responses: mark.responses,
            flagged: mark.flagged,
            uncovered: mark.uncovered,
            skipped: mark.skipped,
        },
    )))
}

/// The mark to save after a clean run that read `tail` (and, before it, `earlier`): the rows
/// before the tail's new mark, counted from the report. `None` when the sheet gave no mark.
pub fn next(
    source: &str,
    context: &str,
    tail: &ScoredTail,
    earlier: Option<EarlierRows>,
    report: &ReviewReport,
) -> Option<SheetMark> {
    let mark = tail.mark?;
    let before = |row: u64| row <= mark.row;
    let count = |n: usize| n as u64;
    let e = earlier.unwrap_or_default();
    let read = tail
        .sheet
        .responses
        .iter()
        .filter(|r| before(r.response.row));
    let flagged_rows = count(read.filter(|r| r.band.is_flagged()).count());
    let skipped = report.skipped.iter().filter(|s| before(s.row));
    let duplicates = count(skipped.clone().filter(|s| s.code == "duplicate").count());
    Some(SheetMark {
        source: source.to_owned(),
        context: context.to_owned(),
        bytes: mark.bytes,
        hash: format!("{:032x}", mark.hash),
        row: mark.row,
        line: mark.line,
        responses: e.responses
            + count(
                tail.sheet
                    .responses
                    .iter()
                    .filter(|r| before(r.response.row))
                    .count(),
            ),
        flagged: e.flagged + flagged_rows.saturating_sub(duplicates),
        uncovered: e.uncovered + count(skipped.clone().filter(|s| s.code != "duplicate").count()),
        skipped: e.skipped + count(skipped.count()),
    })
}
