//! The outside world as the client sees it: the imported WIT `host`, behind a trait so the
//! client's logic (retries, table waits) also runs natively in unit tests.

pub use crate::bindings::jovo::dynamodb::host::{
    AwsCredentials, HttpRequest, HttpResponse, TransportError,
};

/// Transport, clock, sleep and credentials.
pub trait Host {
    fn send(&self, request: &HttpRequest, timeout_ms: u32) -> Result<HttpResponse, TransportError>;
    fn now_ms(&self) -> u64;
    fn sleep_ms(&self, ms: u32);
    fn credentials(&self) -> Result<AwsCredentials, String>;
}

/// The host this component was instantiated with.
pub struct WitHost;

impl Host for WitHost {
    fn send(&self, request: &HttpRequest, timeout_ms: u32) -> Result<HttpResponse, TransportError> {
        crate::bindings::jovo::dynamodb::host::send(request, timeout_ms)
    }

    fn now_ms(&self) -> u64 {
        crate::bindings::jovo::dynamodb::host::now_ms()
    }

    fn sleep_ms(&self, ms: u32) {
        crate::bindings::jovo::dynamodb::host::sleep_ms(ms)
    }

    fn credentials(&self) -> Result<AwsCredentials, String> {
        crate::bindings::jovo::dynamodb::host::credentials()
    }
}
