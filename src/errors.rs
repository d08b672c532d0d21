//! What can go wrong in one attempt ([`Failure`]), whether it is worth another attempt, and
//! how the last failure becomes the WIT `store-error` a user sees.

use crate::bindings::exports::jovo::dynamodb::store::{ServiceError, StoreError};
use crate::bindings::jovo::dynamodb::host::TransportError;

/// An error body DynamoDB (or a server in front of it) returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceFailure {
    pub status: u16,
    /// Code without namespace, e.g. `ResourceNotFoundException`.
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

/// The outcome of one failed attempt.
#[derive(Clone, Debug)]
pub enum Failure {
    Transport(TransportError),
    Service(ServiceFailure),
    /// The response could not be understood; the text says how.
    Malformed(String),
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

impl ServiceFailure {
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
            Failure::Local(_) => false,
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
