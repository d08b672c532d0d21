//! The outside world as the guest's logic sees it, behind traits, so the same async code
//! runs with blocking imports (wasmtime hosts), step by step (event-loop hosts) and natively
//! against a scripted host in the unit tests.

use std::future::Future;

// The `store` interface's types: the step-driven API hands them to every host, and the
// blocking driver converts them to and from the `host` import's copies (see drive.rs).
pub use crate::bindings::exports::jovo::dynamodb::store::{
    AwsCredentials, HttpRequest, HttpResponse, TransportError,
};

/// The outcome of one HTTP exchange.
pub type Outcome = Result<HttpResponse, TransportError>;

/// What the logic may ask at any time and gets at once, on every path: no I/O, no waiting.
pub trait Environment {
    /// Wall-clock milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// Credentials to sign with, when the config carries none.
    fn credentials(&self) -> Result<AwsCredentials, String>;
}

/// Transport and timers on top of the environment. The futures are awaited one at a time by
/// one operation; a blocking host returns futures that are ready at once.
pub trait Host: Environment {
    fn send(&self, request: HttpRequest, timeout_ms: u32) -> impl Future<Output = Outcome>;
    fn sleep(&self, ms: u32) -> impl Future<Output = ()>;
}
