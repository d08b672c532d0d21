//! Errors of the Rust host: the component's `store-error`, one-to-one, or a failure of
//! the runtime itself.

use std::fmt;

use crate::{ServiceError, StoreError};

#[derive(Debug)]
pub enum Error {
    /// The operation failed; the WIT `store-error` says how.
    Store(StoreError),
    /// The component could not be loaded or instantiated, or it trapped (a bug: please
    /// report it with the message).
    Runtime(wasmtime::Error),
}

impl Error {
    /// The WIT case name, e.g. `"table-missing"`: stable across hosts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Runtime(_) => "runtime",
            Error::Store(e) => match e {
                StoreError::InvalidConfig(_) => "invalid-config",
                StoreError::InvalidInput(_) => "invalid-input",
                StoreError::ItemTooLarge(_) => "item-too-large",
                StoreError::TableMissing(_) => "table-missing",
                StoreError::CredentialsUnavailable(_) => "credentials-unavailable",
                StoreError::AccessDenied(_) => "access-denied",
                StoreError::Throttled(_) => "throttled",
                StoreError::ConditionalConflict(_) => "conditional-conflict",
                StoreError::TransportFailed(_) => "transport-failed",
                StoreError::TlsFailed(_) => "tls-failed",
                StoreError::TimedOut(_) => "timed-out",
                StoreError::MalformedResponse(_) => "malformed-response",
                StoreError::Service(_) => "service",
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.code();
        match self {
            Error::Runtime(e) => write!(f, "{code}: the DynamoDB component failed: {e:#}"),
            Error::Store(e) => match e {
                StoreError::InvalidConfig(m)
                | StoreError::InvalidInput(m)
                | StoreError::ItemTooLarge(m)
                | StoreError::TableMissing(m)
                | StoreError::CredentialsUnavailable(m)
                | StoreError::TransportFailed(m)
                | StoreError::TlsFailed(m)
                | StoreError::TimedOut(m)
                | StoreError::MalformedResponse(m) => write!(f, "{code}: {m}"),
                StoreError::AccessDenied(s)
                | StoreError::Throttled(s)
                | StoreError::ConditionalConflict(s)
                | StoreError::Service(s) => write!(f, "{code}: {}", service(s)),
            },
        }
    }
}

fn service(e: &ServiceError) -> String {
    let request = e
        .request_id
        .as_deref()
        .map(|id| format!(", request id {id}"))
        .unwrap_or_default();
    format!(
        "DynamoDB answered {} (HTTP {}): {} [after {} attempt(s){request}]",
        e.code, e.status, e.message, e.attempts
    )
}

impl std::error::Error for Error {}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        Error::Store(e)
    }
}

impl From<wasmtime::Error> for Error {
    fn from(e: wasmtime::Error) -> Error {
        Error::Runtime(e)
    }
}
