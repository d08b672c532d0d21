// Limits every JavaScript transport applies, as the Rust and Python hosts do.

/** Response bodies larger than this end as a `failed` transport error, unread. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
