//! What can go wrong in one attempt ([`Failure`]), whether it is worth another attempt, and
//! how the last failure becomes the WIT `store-error` a user sees.

use crate::bindings::exports::jovo::dynamodb::store::{ServiceError, StoreError};
use crate::host::TransportError;

/// An error body DynamoDB (or a server in front of it) returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceFailure {
    pub status: u16,
    /// Code without namespace, e.g. `ResourceNotFoundException`.
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    /// The server's clock, from the answer's `Date` header (epoch milliseconds).
    pub date_ms: Option<u64>,
}

/// The outcome of one failed attempt.
#[derive(Clone, Debug)]
pub enum Failure {
    Transport(TransportError),
    Service(ServiceFailure),
    /// The response could not be understood; the text says how.
    Malformed(String),
    /// A 3xx answer: never followed (it would carry the signed request, session token and
    /// all, to wherever it points) and never retried. The text names the status and the
    /// target's origin, without its path or query.
    Redirect(String),
    /// The operation's time limit (`operation-timeout-ms`) ran out; `last` summarizes the
    /// failure of the last attempt (see [`Failure::summary`]).
    OutOfTime {
        limit_ms: u32,
        last: String,
    },
    /// The request could not even be made (no credentials, cannot sign): final as it is.
    Local(StoreError),
}

const THROTTLING_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
    "LimitExceededException",
    "SlowDown",
];

const ACCESS_CODES: &[&str] = &[
    "AccessDeniedException",
    "AccessDenied",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignatureException",
    "MissingAuthenticationTokenException",
    "InvalidClientTokenId",
    "ExpiredTokenException",
    "ExpiredToken",
];

/// Codes with which AWS refuses a request for the time it was signed at.
const TIME_REFUSAL_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
];

impl ServiceFailure {
    /// DynamoDB refused the request because its signature's time is too far from its own
    /// clock ("Signature expired: ... is now earlier than ...", "Signature not yet current").
    pub fn is_time_refusal(&self) -> bool {
        TIME_REFUSAL_CODES.contains(&self.code.as_str())
            || (matches!(
                self.code.as_str(),
                "InvalidSignatureException" | "SignatureDoesNotMatch"
            ) && (self.message.contains("Signature expired")
                || self.message.contains("Signature not yet current")))
    }

    pub fn is_throttling(&self) -> bool {
        self.status == 429 || THROTTLING_CODES.contains(&self.code.as_str())
    }

    pub fn is_access_denied(&self) -> bool {
        self.status == 403 || ACCESS_CODES.contains(&self.code.as_str())
    }

    pub fn is_server_fault(&self) -> bool {
        self.status >= 500
    }

    pub fn is_item_too_large(&self) -> bool {
        self.code == "ValidationException"
            && self.message.to_ascii_lowercase().contains("item size")
    }

    fn into_wit(self, attempts: u32) -> ServiceError {
        ServiceError {
            code: self.code,
            message: self.message,
            request_id: self.request_id,
            status: self.status,
            attempts,
        }
    }
}

impl Failure {
    /// Every operation this component sends is idempotent (reads, unconditional puts of a
    /// whole item, deletes, describe, create), so any failure that may be transient is
    /// worth another attempt: nothing can be applied twice with a different result.
    pub fn is_retryable(&self) -> bool {
        match self {
            // A certificate that failed verification fails again.
            Failure::Transport(TransportError::Tls(_)) => false,
            Failure::Transport(_) | Failure::Malformed(_) => true,
            Failure::Service(service) => service.is_throttling() || service.is_server_fault(),
            Failure::Local(_) | Failure::Redirect(_) | Failure::OutOfTime { .. } => false,
        }
    }

    /// What ended an attempt, in a few words and without user data, for the error that
    /// says an operation ran out of time after it.
    pub fn summary(&self) -> String {
        match self {
            Failure::Transport(TransportError::TimedOut(_)) => "no answer in time".into(),
            Failure::Transport(TransportError::Failed(_)) => "the request could not be sent".into(),
            Failure::Transport(TransportError::Tls(_)) => "TLS failed".into(),
            Failure::Service(service) => {
                format!(
                    "DynamoDB answered {} (HTTP {})",
                    service.code, service.status
                )
            }
            Failure::Malformed(_) | Failure::Redirect(_) => {
                "an answer that could not be understood".into()
            }
            Failure::Local(_) => "the request could not be made".into(),
            Failure::OutOfTime { .. } => "the operation ran out of time".into(),
        }
    }

    /// The error a user sees after `attempts` attempts of `operation` ended in `self`.
    pub fn into_store_error(self, operation: &str, attempts: u32) -> StoreError {
        let tries = if attempts == 1 {
            "1 attempt".to_string()
        } else {
            format!("{attempts} attempts")
        };
        match self {
            Failure::Transport(TransportError::TimedOut(why)) => StoreError::TimedOut(format!(
                "DynamoDB {operation} timed out ({why}) after {tries}; check that the endpoint is reachable, or raise the client option 'request timeout ms'"
            )),
            Failure::Transport(TransportError::Failed(why)) => StoreError::TransportFailed(format!(
                "DynamoDB {operation} could not be sent ({why}) after {tries}; check the endpoint, the network and DNS"
            )),
            Failure::Transport(TransportError::Tls(why)) => StoreError::TlsFailed(format!(
                "DynamoDB {operation} could not open a TLS connection ({why}) after {tries}; if the endpoint or a proxy uses a private CA, trust it with AWS_CA_BUNDLE or the host's CA option"
            )),
            Failure::Malformed(why) => StoreError::MalformedResponse(format!(
                "DynamoDB {operation} answered with a response that cannot be understood ({why}) after {tries}; check that the endpoint is DynamoDB and no proxy alters responses"
            )),
            Failure::OutOfTime { limit_ms, last } => StoreError::TimedOut(format!(
                "DynamoDB {operation} did not succeed within the client option 'operation timeout ms' ({limit_ms} ms), after {tries} (the last: {last}); check that the endpoint is reachable, or raise that option"
            )),
            Failure::Redirect(why) => StoreError::MalformedResponse(format!(
                "DynamoDB {operation} answered with a redirect ({why}), which is never followed: it would carry the signed request elsewhere; check the client option 'endpoint' (AWS regional endpoints do not redirect)"
            )),
            Failure::Service(service) => service_error(service, attempts),
            Failure::Local(error) => error,
        }
    }
}

fn service_error(service: ServiceFailure, attempts: u32) -> StoreError {
    if service.is_access_denied() {
        StoreError::AccessDenied(service.into_wit(attempts))
    } else if service.is_throttling() {
        StoreError::Throttled(service.into_wit(attempts))
    } else if service.code == "ConditionalCheckFailedException" {
        StoreError::ConditionalConflict(service.into_wit(attempts))
    } else if service.is_item_too_large() {
        StoreError::ItemTooLarge(format!(
            "DynamoDB rejected the item: {} (items are limited to 400 KB); store less per user",
            service.message
        ))
    } else {
        StoreError::Service(service.into_wit(attempts))
    }
}
