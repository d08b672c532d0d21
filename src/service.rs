//! The one layer that runs a DynamoDB operation: sign it, send it through the host, retry
//! what is safe to retry with backoff, and parse the answer or the error. Table management
//! and item operations sit above it; only the host is below.

use std::rc::Rc;

use crate::bindings::exports::jovo::dynamodb::store::StoreError;
use crate::config::Settings;
use crate::errors::Failure;
use crate::host::{Host, HttpRequest};
use crate::json::Json;
use crate::protocol::{self, Operation};
use crate::retry::Backoff;
use crate::signing::Signer;

/// DynamoDB for one client, through host `H`. Cloning the settings and the backoff's random
/// state is cheap ([`Rc`]), so every step-driven operation gets its own `Service` over its
/// own host while sharing them.
pub struct Service<H> {
    pub settings: Rc<Settings>,
    backoff: Rc<Backoff>,
    signer: Rc<Signer>,
    pub host: H,
}

/// An operation that failed for good: the last failure and how many attempts it took.
#[derive(Debug)]
pub struct Failed {
    pub failure: Failure,
    pub attempts: u32,
}

impl Failed {
    pub fn into_store_error(self, operation: Operation) -> StoreError {
        self.failure
            .into_store_error(operation.name(), self.attempts)
    }

    /// The DynamoDB error code, when DynamoDB answered with one.
    pub fn service_code(&self) -> Option<&str> {
        match &self.failure {
            Failure::Service(service) => Some(service.code.as_str()),
            _ => None,
        }
    }
}

impl<H> Service<H> {
    /// The same service over another host.
    pub fn with_host<G: Host>(&self, host: G) -> Service<G> {
        Service {
            settings: Rc::clone(&self.settings),
            backoff: Rc::clone(&self.backoff),
            signer: Rc::clone(&self.signer),
            host,
        }
    }
}

impl<H: Host> Service<H> {
    pub fn new(settings: Settings, host: H) -> Service<H> {
        let backoff = Backoff::new(
            settings.retry_base_delay_ms,
            settings.retry_max_delay_ms,
            host.now_ms(),
        );
        Service {
            signer: Rc::new(Signer::new(&settings.url, &settings.signing_region)),
            settings: Rc::new(settings),
            backoff: Rc::new(backoff),
            host,
        }
    }

    /// Sends `operation` until it succeeds, fails for good, or runs out of attempts, and
    /// returns the JSON object DynamoDB answered.
    pub async fn call(&self, operation: Operation, body: &[u8]) -> Result<Json, Failed> {
        self.call_with(operation, body, protocol::json_object).await
    }

    /// Like [`Service::call`] with a body already encoded and the answer decoded by
    /// `decode`. Decoding is part of each attempt, so a damaged body is retried.
    pub async fn call_with<T>(
        &self,
        operation: Operation,
        body: &[u8],
        decode: impl Fn(&[u8]) -> Result<T, Failure>,
    ) -> Result<T, Failed> {
        let mut attempt = 1;
        loop {
            match self.attempt(operation, body, &decode).await {
                Ok(response) => return Ok(response),
                Err(failure) if failure.is_retryable() && attempt < self.settings.max_attempts => {
                    self.host.sleep(self.backoff.delay_ms(attempt)).await;
                    attempt += 1;
                }
                Err(failure) => {
                    return Err(Failed {
                        failure,
                        attempts: attempt,
                    })
                }
            }
        }
    }

    async fn attempt<T>(
        &self,
        operation: Operation,
        body: &[u8],
        decode: impl Fn(&[u8]) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let request = self.signed_request(operation, body)?;
        let response = self
            .host
            .send(request, self.settings.request_timeout_ms)
            .await
            .map_err(Failure::Transport)?;
        protocol::check_response(&response)?;
        decode(&response.body)
    }

    fn signed_request(&self, operation: Operation, body: &[u8]) -> Result<HttpRequest, Failure> {
        let credentials = match &self.settings.credentials {
            Some(fixed) => fixed.clone(),
            None => self.host.credentials().map_err(|why| {
                Failure::Local(StoreError::CredentialsUnavailable(format!(
                    "no AWS credentials ({why}); pass the client option 'credentials', or give the host credentials (e.g. AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
                )))
            })?,
        };
        let mut headers = vec![
            (
                "content-type".to_string(),
                protocol::CONTENT_TYPE.to_string(),
            ),
            ("x-amz-target".to_string(), operation.target()),
        ];
        let signature = self
            .signer
            .signature_headers(&headers, body, &credentials, self.host.now_ms())
            .map_err(|why| Failure::Local(StoreError::InvalidConfig(why)))?;
        headers.extend(signature);
        Ok(HttpRequest {
            method: "POST".into(),
            url: self.settings.url.clone(),
            headers,
            body: body.to_vec(),
        })
    }
}
