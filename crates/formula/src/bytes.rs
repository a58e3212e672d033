//! Word-at-a-time byte search for the short texts of a row, eight bytes per step in safe code
//! ([`find2`]). A cell is usually shorter than the set-up of a vector search.

/// `0x01` in every byte.
const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
/// `0x80` in every byte.
const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

/// Eight bytes as a word, the first byte lowest (so `trailing_zeros / 8` is a position).
#[inline(always)]
fn word(chunk: &[u8]) -> u64 {
    <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes)
}

/// The zero bytes of `x` marked by their high bit. The lowest mark is always a zero byte; a mark
/// above it may come from the borrow.
#[inline(always)]
fn zeros(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The position of the first byte of `hay` at or after `from` that is `a` or `b`.
#[inline]
pub(crate) fn find2(a: u8, b: u8, hay: &[u8], from: usize) -> Option<usize> {
    let rest = hay.get(from..)?;
    let (wa, wb) = (ONES * u64::from(a), ONES * u64::from(b));
    let mut chunks = rest.chunks_exact(8);
    let mut at = from;
    for chunk in chunks.by_ref() {
        let w = word(chunk);
        let marks = zeros(w ^ wa) | zeros(w ^ wb);
        if marks != 0 {
            return Some(at + (marks.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == a || c == b)
        .map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find2_finds_the_first_of_either_byte() {
        let hay = b"Collaboration, Results, Efficiency, Diversity, Inclusion & Belonging, Iteration, Transparency";
        for from in 0..=hay.len() + 1 {
            for (a, b) in [
                (b'T', b'\n'),
                (b'R', b'\n'),
                (b'z', b'\n'),
                (b',', b'y'),
                (0, 0x80),
            ] {
                let expected = hay
                    .get(from..)
                    .and_then(|rest| rest.iter().position(|&c| c == a || c == b))
                    .map(|i| from + i);
                assert_eq!(find2(a, b, hay, from), expected, "{from} {a} {b}");
            }
        }
        // A zero byte right below the one sought, where a borrow marks the next byte.
        assert_eq!(find2(0x01, 0x02, &[0, 1, 0, 0, 0, 0, 0, 0, 0], 0), Some(1));
        assert_eq!(find2(b'\n', b'\n', "Résultats\n".as_bytes(), 0), Some(10));
    }
}
