//! The one layer that runs a DynamoDB operation: sign it, send it through the host, retry
//! what is safe to retry with backoff, and parse the answer or the error. Table management
//! and item operations sit above it; only the host is below.

use std::cell::Cell;
use std::rc::Rc;

use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};

use crate::bindings::exports::jovo::dynamodb::store::StoreError;
use crate::config::Settings;
use crate::deadline::Deadline;
use crate::errors::Failure;
use crate::host::{Host, HttpRequest};
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
    /// DynamoDB's clock minus the host's, learnt from error answers (see
    /// [`Service::correct_clock`]); shared by every operation of the client.
    clock_offset_ms: Rc<Cell<i64>>,
    /// The time limit of the operation this service runs (each operation has its own).
    deadline: Deadline,
    pub host: H,
}

/// AWS refuses signatures more than 5 minutes from its clock; an answer whose `Date` is
/// further than this from ours means our clock is off (the AWS SDKs use the same margin).
const CLOCK_SKEW_TOLERANCE_MS: u64 = 4 * 60 * 1000;

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
            clock_offset_ms: Rc::clone(&self.clock_offset_ms),
            deadline: Deadline::new(self.settings.operation_timeout_ms),
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
            signer: Rc::new(Signer::new(&settings.uri, &settings.signing_region)),
            clock_offset_ms: Rc::new(Cell::new(0)),
            deadline: Deadline::new(settings.operation_timeout_ms),
            settings: Rc::new(settings),
            backoff: Rc::new(backoff),
            host,
        }
    }

    /// Sends `operation` until it succeeds, fails for good, or runs out of attempts, and
    /// returns DynamoDB's answer as `T` (one of [`protocol`]'s types).
    pub async fn call<T: protocol::Answer>(
        &self,
        operation: Operation,
        body: &[u8],
    ) -> Result<T, Failed> {
        self.call_with(operation, body, protocol::decode).await
    }

    /// Like [`Service::call`] with a body already encoded and the answer decoded by
    /// `decode`. Decoding is part of each attempt, so a damaged body is retried.
    pub async fn call_with<T>(
        &self,
        operation: Operation,
        body: &[u8],
        decode: impl Fn(&[u8]) -> Result<T, Failure>,
    ) -> Result<T, Failed> {
        let mut attempts = 0;
        let mut last: Option<Failure> = None;
        loop {
            let Some(timeout_ms) = self.exchange_timeout_ms() else {
                return Err(self.out_of_time(attempts, last.as_ref()));
            };
            attempts += 1;
            let failure = match self.attempt(operation, body, &decode, timeout_ms).await {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            let refused_for_its_time = self.correct_clock(&failure);
            if self.remaining_ms() == Some(0) {
                // Whatever ended the attempt, the operation's limit is what ends the operation.
                return Err(self.out_of_time(attempts, Some(&failure)));
            }
            if attempts >= self.settings.max_attempts
                || !(failure.is_retryable() || refused_for_its_time)
            {
                return Err(Failed { failure, attempts });
            }
            // A request refused for its time is signed anew at once: waiting would not help.
            if !refused_for_its_time {
                let delay_ms = self.backoff.delay_ms(attempts);
                if self
                    .remaining_ms()
                    .is_some_and(|left| left <= u64::from(delay_ms))
                {
                    return Err(self.out_of_time(attempts, Some(&failure)));
                }
                self.host.sleep(delay_ms).await;
            }
            last = Some(failure);
        }
    }

    /// Starts the time limit of a new operation (a no-op without `operation-timeout-ms`).
    pub fn start_operation(&self) {
        self.deadline.start(self.host.now_ms());
    }

    /// Milliseconds left of the operation's time limit; `None` without one.
    pub fn remaining_ms(&self) -> Option<u64> {
        self.deadline.remaining_ms(self.host.now_ms())
    }

    /// The operation's time limit, when the config sets one.
    pub fn operation_timeout_ms(&self) -> Option<u32> {
        self.deadline.limit_ms()
    }

    /// The timeout of the next exchange: the client's per-exchange limit, cut to what is left
    /// of the operation's; `None` when nothing is left.
    fn exchange_timeout_ms(&self) -> Option<u32> {
        let per_exchange = self.settings.request_timeout_ms;
        match self.remaining_ms() {
            None => Some(per_exchange),
            Some(0) => None,
            Some(left) => Some(u32::try_from(left).map_or(per_exchange, |l| l.min(per_exchange))),
        }
    }

    fn out_of_time(&self, attempts: u32, last: Option<&Failure>) -> Failed {
        Failed {
            failure: Failure::OutOfTime {
                limit_ms: self.deadline.limit_ms().unwrap_or(0),
                last: last.map_or_else(|| "none was made".into(), Failure::summary),
            },
            attempts,
        }
    }

    /// Learns DynamoDB's clock from an error answer, as the AWS SDKs do: a host whose clock
    /// is off (browsers, devices, laptops) would otherwise have every signature refused. When
    /// the answer refused the request for its time, or refused access while its `Date` is
    /// more than 4 minutes from our clock, later signatures use DynamoDB's time and this
    /// returns true: the request is worth signing anew.
    fn correct_clock(&self, failure: &Failure) -> bool {
        let Failure::Service(service) = failure else {
            return false;
        };
        let time_refusal = service.is_time_refusal();
        let Some(server_ms) = service.date_ms else {
            return time_refusal;
        };
        let now_ms = self.host.now_ms();
        let ours_ms = now_ms.saturating_add_signed(self.clock_offset_ms.get());
        let skewed = server_ms.abs_diff(ours_ms) > CLOCK_SKEW_TOLERANCE_MS;
        if skewed || time_refusal {
            let offset = i128::from(server_ms) - i128::from(now_ms);
            self.clock_offset_ms
                .set(i64::try_from(offset).unwrap_or_default());
        }
        time_refusal || (skewed && service.is_access_denied())
    }

    /// The host's clock corrected by what DynamoDB's answers taught us.
    fn signing_time_ms(&self) -> u64 {
        self.host
            .now_ms()
            .saturating_add_signed(self.clock_offset_ms.get())
    }

    async fn attempt<T>(
        &self,
        operation: Operation,
        body: &[u8],
        decode: impl Fn(&[u8]) -> Result<T, Failure>,
        timeout_ms: u32,
    ) -> Result<T, Failure> {
        let request = self.signed_request(operation, body)?;
        let response = self
            .host
            .send(request, timeout_ms)
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
        let mut request = http::Request::new(body.to_vec());
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = self.settings.uri.clone();
        let headers = request.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(protocol::CONTENT_TYPE),
        );
        headers.insert(X_AMZ_TARGET, HeaderValue::from_static(operation.target()));
        self.signer
            .sign(&mut request, &credentials, self.signing_time_ms())
            .map_err(|why| Failure::Local(StoreError::InvalidConfig(why)))?;
        Ok(into_wit(request))
    }
}

const X_AMZ_TARGET: HeaderName = HeaderName::from_static("x-amz-target");

/// The request as the WIT record the host sends: the one place `http` types become ours.
fn into_wit(request: http::Request<Vec<u8>>) -> HttpRequest {
    let (parts, body) = request.into_parts();
    HttpRequest {
        method: parts.method.as_str().to_string(),
        url: parts.uri.to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_string(), value)
            })
            .collect(),
        body,
    }
}
