//! The component's `host` import: HTTP over a keep-alive connection pool (ureq), the
//! system clock, thread sleep, and credentials.

use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::bindings::jovo::dynamodb::host::{self, HttpRequest, HttpResponse, TransportError};
use crate::{credentials, AwsCredentials};

/// DynamoDB answers are at most a 400 KB item plus JSON overhead; anything far larger is
/// not DynamoDB.
const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// What the component's imports act on; one per wasmtime store.
pub struct HostState {
    agent: ureq::Agent,
    /// Every `sleep-ms` the component asked for, in order (retry backoff, table waits), so
    /// tests can observe backoff. Cleared by `DynamoDbStore::take_sleeps`.
    sleeps: Vec<u32>,
}

impl HostState {
    pub fn new(agent: ureq::Agent) -> HostState {
        HostState {
            agent,
            sleeps: Vec::new(),
        }
    }

    pub fn sleeps(&self) -> &[u32] {
        &self.sleeps
    }

    pub fn take_sleeps(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.sleeps)
    }
}

/// One agent (connection pool) per runtime, shared by all its stores.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        // 4xx/5xx are answers the component interprets, not transport errors.
        .http_status_as_error(false)
        .max_idle_connections_per_host(64)
        .build()
        .into()
}

impl host::Host for HostState {
    fn send(
        &mut self,
        request: HttpRequest,
        timeout_ms: u32,
    ) -> Result<HttpResponse, TransportError> {
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let http_request = builder
            .body(request.body)
            .map_err(|e| TransportError::Failed(format!("invalid request: {e}")))?;
        let configured = self
            .agent
            .configure_request(http_request)
            .timeout_global(Some(timeout))
            .build();
        let mut response = self.agent.run(configured).map_err(transport_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_RESPONSE_BYTES)
            .read_to_end(&mut body)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::TimedOut {
                    TransportError::TimedOut(format!("reading the response: {e}"))
                } else {
                    TransportError::Failed(format!("reading the response: {e}"))
                }
            })?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    fn now_ms(&mut self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    fn sleep_ms(&mut self, ms: u32) {
        // A few bytes per retry; bounded by max-attempts per operation. Tests drain it.
        if self.sleeps.len() < 4096 {
            self.sleeps.push(ms);
        }
        std::thread::sleep(Duration::from_millis(u64::from(ms)));
    }

    fn credentials(&mut self) -> Result<AwsCredentials, String> {
        credentials::from_environment()
    }
}

fn transport_error(error: ureq::Error) -> TransportError {
    match error {
        ureq::Error::Timeout(which) => TransportError::TimedOut(format!("{which} timeout")),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            TransportError::TimedOut(e.to_string())
        }
        other => TransportError::Failed(other.to_string()),
    }
}
