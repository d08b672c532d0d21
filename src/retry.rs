//! Capped exponential backoff with full jitter: before retry `n` (1-based), sleep a uniformly
//! random time in `[0, min(cap, base * 2^(n-1))]`. Jitter keeps many clients that failed
//! together from retrying together.

use std::cell::Cell;

pub struct Backoff {
    base_ms: u32,
    cap_ms: u32,
    random: Cell<u64>,
}

impl Backoff {
    /// `seed` only has to differ between clients (the host clock is enough): the jitter
    /// spreads retries, it protects no secret.
    pub fn new(base_ms: u32, cap_ms: u32, seed: u64) -> Backoff {
        Backoff {
            base_ms,
            cap_ms,
            // xorshift must not start at zero.
            random: Cell::new(seed | 1),
        }
    }

    /// The upper bound of the delay before retry `retry` (1-based).
    pub fn ceiling_ms(&self, retry: u32) -> u32 {
        let exponent = retry.saturating_sub(1).min(31);
        let grown = u64::from(self.base_ms) << exponent;
        u32::try_from(grown.min(u64::from(self.cap_ms))).unwrap_or(self.cap_ms)
    }

    /// A delay in `[0, ceiling_ms(retry)]`.
    pub fn delay_ms(&self, retry: u32) -> u32 {
        let ceiling = u64::from(self.ceiling_ms(retry));
        let drawn = self.next_random() % (ceiling + 1);
        u32::try_from(drawn).unwrap_or(0)
    }

    fn next_random(&self) -> u64 {
        let mut x = self.random.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.random.set(x);
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_up_to_the_cap() {
        let backoff = Backoff::new(50, 2000, 7);
        let ceilings: Vec<u32> = (1..=8).map(|n| backoff.ceiling_ms(n)).collect();
        assert_eq!(ceilings, [50, 100, 200, 400, 800, 1600, 2000, 2000]);
        assert_eq!(backoff.ceiling_ms(u32::MAX), 2000);
    }

    #[test]
    fn delays_are_jittered_within_the_ceiling() {
        let backoff = Backoff::new(100, 10_000, 42);
        let delays: Vec<u32> = (0..200).map(|_| backoff.delay_ms(4)).collect();
        assert!(delays.iter().all(|&d| d <= 800));
        let distinct: std::collections::HashSet<_> = delays.iter().collect();
        assert!(
            distinct.len() > 50,
            "jitter should spread delays: {distinct:?}"
        );
    }
}
