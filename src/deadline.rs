//! One time limit per operation (`operation-timeout-ms`), across its attempts, backoff and
//! table waits. A voice app must answer within seconds (Alexa: 8 s); the per-exchange
//! timeout alone lets a stalled endpoint take attempts × timeout, plus backoff, per
//! operation.

use std::cell::Cell;

/// The deadline of the operation in progress. Each step-driven operation has its own; a
/// blocking client runs one operation at a time and restarts it for each.
pub struct Deadline {
    limit_ms: Option<u32>,
    ends_at_ms: Cell<Option<u64>>,
}

impl Deadline {
    pub fn new(limit_ms: Option<u32>) -> Deadline {
        Deadline {
            limit_ms,
            ends_at_ms: Cell::new(None),
        }
    }

    /// The configured limit, if any.
    pub fn limit_ms(&self) -> Option<u32> {
        self.limit_ms
    }

    /// Starts the clock for an operation that begins at `now_ms`.
    pub fn start(&self, now_ms: u64) {
        self.ends_at_ms.set(
            self.limit_ms
                .map(|limit| now_ms.saturating_add(u64::from(limit))),
        );
    }

    /// Milliseconds left at `now_ms`; `None` without a limit.
    pub fn remaining_ms(&self, now_ms: u64) -> Option<u64> {
        self.ends_at_ms.get().map(|end| end.saturating_sub(now_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_from_the_start_of_each_operation() {
        let deadline = Deadline::new(Some(2_500));
        deadline.start(1_000);
        assert_eq!(deadline.remaining_ms(1_000), Some(2_500));
        assert_eq!(deadline.remaining_ms(3_000), Some(500));
        assert_eq!(deadline.remaining_ms(9_000), Some(0));
        deadline.start(9_000);
        assert_eq!(deadline.remaining_ms(9_000), Some(2_500));
    }

    #[test]
    fn no_limit_means_no_deadline() {
        let deadline = Deadline::new(None);
        deadline.start(1_000);
        assert_eq!(deadline.remaining_ms(u64::MAX), None);
    }
}
