//! How long to wait before trying again, for every retry in the product (the GitLab client's
//! requests, the journal's resends, the server's review job): capped exponential backoff with
//! jitter, so that two machines that failed together do not retry in step.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Capped exponential backoff: `first × 2^n`, at most `max`, less a jitter of up to half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The wait before the first retry (before jitter).
    pub first: Duration,
    /// No wait is longer than this.
    pub max: Duration,
}

impl Backoff {
    /// The wait before retry `n` (0 first) without jitter: `first × 2^n`, capped at `max`.
    pub fn ceiling(&self, n: u32) -> Duration {
        self.first
            .checked_mul(2u32.checked_pow(n).unwrap_or(u32::MAX))
            .map_or(self.max, |d| d.min(self.max))
    }

    /// The wait before retry `n`: [`Backoff::ceiling`] less a jitter of up to half of it,
    /// drawn from `seed` (the same seed, the same wait).
    pub fn jittered(&self, n: u32, seed: u64) -> Duration {
        let full = self.ceiling(n);
        // splitmix64: a well-spread number from the seed, no dependency needed.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let off = full.mul_f64((z % 1000) as f64 / 2000.0);
        full.saturating_sub(off)
    }

    /// The wait before retry `n`, with a fresh random jitter.
    pub fn wait(&self, n: u32) -> Duration {
        self.jittered(n, random_seed())
    }
}

/// A random number for jitter, from the standard library's randomly keyed hasher.
pub fn random_seed() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Backoff = Backoff {
        first: Duration::from_millis(500),
        max: Duration::from_secs(4),
    };

    #[test]
    fn the_ceiling_doubles_then_stays_at_the_cap() {
        let waits: Vec<u128> = (0..6).map(|n| B.ceiling(n).as_millis()).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 4000, 4000]);
        assert_eq!(B.ceiling(200), Duration::from_secs(4));
    }

    #[test]
    fn jitter_takes_off_at_most_half_and_differs_between_seeds() {
        let waits: Vec<Duration> = (0..50).map(|seed| B.jittered(3, seed)).collect();
        assert!(
            waits
                .iter()
                .all(|w| *w >= Duration::from_secs(2) && *w <= Duration::from_secs(4)),
            "{waits:?}"
        );
        let mut distinct = waits.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() > 10, "{distinct:?}");
        assert_eq!(B.jittered(3, 7), B.jittered(3, 7));
    }
}
