//! Cutting a CSV byte stream into blocks of whole records for the streaming scorer and the
//! what-if pass: quote-aware record boundaries, a quoted cell that never closes reported at the
//! line where it opens, and the header row read from the first blocks.

use std::io::Read;

use simd_csv::{ByteRecord, TotalReaderBuilder};

use crate::csv_rows::{MAX_QUOTED_LINES, QuoteProblem, newlines, quote_problem};
use crate::error::{Location, QuoteFault, SheetError};
use crate::layout::{Headers, SheetLayout};

/// Size of the blocks the reader hands to the workers.
pub(crate) const BLOCK: usize = 1024 * 1024;
/// A record longer than this is taken for an unclosed quote.
pub(crate) const MAX_RECORD: usize = 64 * 1024 * 1024;

/// The end of the last complete record in `buf` (just past its newline), given that `buf`
/// starts at a record boundary. A newline counts only outside quotes; doubled quotes inside a
/// quoted cell keep the count even, so quote parity tells inside from outside.
pub(crate) fn last_record_end(buf: &[u8]) -> Option<usize> {
    let total = memchr::memchr_iter(b'"', buf).count();
    let mut end = buf.len();
    let mut after = 0;
    while let Some(nl) = memchr::memrchr(b'\n', &buf[..end]) {
        after += memchr::memchr_iter(b'"', &buf[nl + 1..end]).count();
        if (total - after).is_multiple_of(2) {
            return Some(nl + 1);
        }
        end = nl;
    }
    None
}

/// Whether `bytes` hold an even number of quotes.
fn quotes_even(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'"', bytes).count().is_multiple_of(2)
}

/// Reads a CSV stream in blocks that end at record boundaries.
pub(crate) struct BlockReader {
    reader: Box<dyn Read + Send>,
    block: usize,
    carry: Vec<u8>,
    eof: bool,
    pub(crate) read: u64,
    /// A runaway quote found past the block just returned, reported by the next call.
    pending: Option<(QuoteFault, u64)>,
}

pub(crate) enum Block {
    /// A block of whole records.
    Data,
    /// The stream is done.
    End,
    /// A quoted cell that never closes opens in the record starting the block, this many
    /// line breaks after the block's start.
    Unclosed(QuoteFault, u64),
}

impl BlockReader {
    pub(crate) fn new(reader: Box<dyn Read + Send>, block: usize) -> BlockReader {
        BlockReader {
            reader,
            block: block.max(1),
            carry: Vec::new(),
            eof: false,
            read: 0,
            pending: None,
        }
    }

    /// Fills `buf` with the next block of whole records and returns it with its length. `buf`
    /// may be longer: its tail is scratch space, kept so that memory is not zeroed per block.
    pub(crate) fn next(&mut self, buf: &mut Vec<u8>) -> std::io::Result<(Block, usize)> {
        if let Some((fault, lines)) = self.pending.take() {
            return Ok((Block::Unclosed(fault, lines), 0));
        }
        let mut filled = self.carry.len();
        let mut target = self.block.max(filled + self.block / 2);
        if buf.len() < target {
            buf.resize(target, 0);
        }
        buf[..filled].copy_from_slice(&self.carry);
        self.carry.clear();
        loop {
            while !self.eof && filled < target {
                match self.reader.read(&mut buf[filled..target]) {
                    Ok(0) => self.eof = true,
                    Ok(n) => {
                        filled += n;
                        self.read += n as u64;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if self.eof {
                if filled == 0 {
                    return Ok((Block::End, 0));
                }
                // An odd number of quotes: the input ends inside a quoted cell. The records
                // before the one holding it are data; the error comes next.
                if !quotes_even(&buf[..filled])
                    && let Some(problem) = quote_problem(&buf[..filled])
                {
                    let at = problem.at();
                    let start = last_record_end(&buf[..at]).unwrap_or(0);
                    self.pending = Some((problem.fault(), newlines(&buf[start..at])));
                    return Ok((Block::Data, start));
                }
                if buf[filled - 1] != b'\n' {
                    // simd-csv keeps the opening quote of a quoted last cell at the very end of
                    // its input; a final newline gives every record an end.
                    buf.truncate(filled);
                    buf.push(b'\n');
                    filled += 1;
                }
                return Ok((Block::Data, filled));
            }
            if let Some(end) = last_record_end(&buf[..filled]) {
                self.carry.extend_from_slice(&buf[end..filled]);
                return Ok((Block::Data, end));
            }
            // No record ends in the buffer: a quoted cell that runs on and on is an error as
            // soon as it holds too many lines, or the row too many bytes.
            if let Some(QuoteProblem::TooManyLines(at)) = quote_problem(&buf[..filled]) {
                let fault = QuoteFault::TooManyLines {
                    limit: MAX_QUOTED_LINES,
                };
                return Ok((Block::Unclosed(fault, newlines(&buf[..at])), 0));
            }
            if filled >= MAX_RECORD {
                let fault = QuoteFault::TooLong {
                    limit_mib: MAX_RECORD / (1024 * 1024),
                };
                return Ok((Block::Unclosed(fault, 0), 0));
            }
            target = filled * 2 + 1;
            if buf.len() < target {
                buf.resize(target, 0);
            }
        }
    }
}

/// The start of a CSV stream: its header row, and the first blocks read to find it.
pub(crate) struct StreamStart {
    /// The header row.
    pub(crate) headers: Headers,
    /// The bytes read so far; the records after the header start at `data_start`.
    pub(crate) first: Vec<u8>,
    /// Where the first record after the header starts in `first`.
    pub(crate) data_start: usize,
    /// Records up to and including the header row.
    pub(crate) records_before: u64,
}

/// Reads blocks until the header row (`layout.header_row`) is complete; a stream that ends, or
/// a quote that never closes, before it is an error naming `name`.
pub(crate) fn read_header(
    blocks: &mut BlockReader,
    layout: &SheetLayout,
    name: &str,
) -> Result<StreamStart, SheetError> {
    let mut first = Vec::new();
    let mut buf = Vec::new();
    loop {
        let (state, len) = blocks.next(&mut buf).map_err(|cause| SheetError::Read {
            name: name.to_owned(),
            cause,
        })?;
        first.extend_from_slice(&buf[..len]);
        let mut reader = TotalReaderBuilder::new()
            .has_headers(false)
            .from_bytes(&first);
        let mut record = ByteRecord::new();
        let mut n = 0u64;
        let mut header = None;
        while reader.read_byte_record(&mut record) {
            n += 1;
            if n == u64::from(layout.header_row) {
                header = Some(reader.position() as usize);
                break;
            }
        }
        match (header, state) {
            (Some(end), _) => {
                let cells = record
                    .iter()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect();
                return Ok(StreamStart {
                    headers: Headers::new(cells),
                    first,
                    data_start: end,
                    records_before: n,
                });
            }
            (None, Block::Data) => {}
            (None, Block::Unclosed(fault, lines)) => {
                return Err(SheetError::UnclosedQuote {
                    location: Location {
                        source: name.to_owned(),
                        line: newlines(&first) + lines + 1,
                        row: None,
                        column: None,
                    },
                    fault,
                });
            }
            (None, Block::End) => {
                return Err(SheetError::NoHeader {
                    name: name.to_owned(),
                    header_row: layout.header_row,
                    rows: n,
                });
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_only_at_newlines_outside_quotes() {
        assert_eq!(last_record_end(b"a,b\nc,d"), Some(4));
        assert_eq!(last_record_end(b"a,\"b\nc\",d\ne"), Some(10));
        assert_eq!(last_record_end(b"a,\"b\nc"), None);
        assert_eq!(last_record_end(b"x\na,\"b\"\"\nc"), Some(2));
        assert_eq!(last_record_end(b"no newline"), None);
    }
}
