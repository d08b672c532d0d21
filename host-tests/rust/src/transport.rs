//! The component's `host` import: HTTP over a keep-alive connection pool (ureq, with the
//! runtime's trusted roots and proxies), the system clock, thread sleep, and credentials
//! from the runtime's cache.

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::bindings::exports::jovo::dynamodb::store::{HttpRequest, HttpResponse, TransportError};
use crate::bindings::jovo::dynamodb::host;
use crate::credentials::CredentialsCache;
use crate::network::Network;
use crate::tls;

/// DynamoDB answers are at most a 400 KB item plus JSON overhead; anything far larger is
/// not DynamoDB. Larger bodies end as `transport-error.failed`, in every host.
pub const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// How a store drives its instance.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The blocking methods: `send` and `sleep-ms` do the I/O on the caller's thread.
    Blocking,
    /// The step-driven export: the async store does the I/O; the component must not call
    /// `send` or `sleep-ms`, and `credentials` answers from the cache without I/O.
    Steps,
}

/// What the component's imports act on; one per wasmtime store.
pub struct HostState {
    network: Arc<Network>,
    credentials: Arc<CredentialsCache>,
    mode: Mode,
}

impl HostState {
    pub fn new(network: Arc<Network>, credentials: Arc<CredentialsCache>, mode: Mode) -> HostState {
        HostState {
            network,
            credentials,
            mode,
        }
    }
}

/// Headers to send: the component's, plus `accept-encoding: identity` (the component
/// checks `x-amz-crc32` over the body as sent, and decompresses nothing).
pub fn headers_to_send(request: &HttpRequest) -> impl Iterator<Item = (&str, &str)> {
    let has_encoding = request
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("accept-encoding"));
    request
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain((!has_encoding).then_some(("accept-encoding", "identity")))
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

// The import's records are `host`'s copies of `store`'s (see the WIT): converted at the
// boundary, so the rest of the crate knows only `store`'s.
impl host::Host for HostState {
    fn send(
        &mut self,
        request: host::HttpRequest,
        timeout_ms: u32,
    ) -> Result<host::HttpResponse, host::TransportError> {
        let request = HttpRequest {
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: request.body,
        };
        match self.exchange(request, timeout_ms) {
            Ok(response) => Ok(host::HttpResponse {
                status: response.status,
                headers: response.headers,
                body: response.body,
            }),
            Err(TransportError::TimedOut(why)) => Err(host::TransportError::TimedOut(why)),
            Err(TransportError::Failed(why)) => Err(host::TransportError::Failed(why)),
            Err(TransportError::Tls(why)) => Err(host::TransportError::Tls(why)),
        }
    }

    fn now_ms(&mut self) -> u64 {
        now_ms()
    }

    fn sleep_ms(&mut self, ms: u32) {
        if self.mode == Mode::Blocking {
            std::thread::sleep(Duration::from_millis(u64::from(ms)));
        }
    }

    fn credentials(&mut self) -> Result<host::AwsCredentials, String> {
        let credentials = match self.mode {
            Mode::Blocking => self.credentials.get_blocking(),
            Mode::Steps => self.credentials.current(),
        }?;
        Ok(host::AwsCredentials {
            access_key_id: credentials.access_key_id,
            secret_access_key: credentials.secret_access_key,
            session_token: credentials.session_token,
        })
    }
}

impl HostState {
    fn exchange(
        &mut self,
        request: HttpRequest,
        timeout_ms: u32,
    ) -> Result<HttpResponse, TransportError> {
        if self.mode == Mode::Steps {
            return Err(TransportError::Failed(
                "host.send called on the step-driven path".into(),
            ));
        }
        let timeout = Duration::from_millis(u64::from(timeout_ms));
        let proxy = request
            .url
            .parse()
            .ok()
            .and_then(|url| self.network.proxies.for_uri(&url))
            .map(|proxy| proxy.ureq.clone());
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(request.url.as_str());
        for (name, value) in headers_to_send(&request) {
            builder = builder.header(name, value);
        }
        let http_request = builder
            .body(request.body)
            .map_err(|e| TransportError::Failed(format!("invalid request: {e}")))?;
        let agent = &self.network.agent;
        let configured = agent
            .configure_request(http_request)
            .timeout_global(Some(timeout))
            // ureq tunnels http endpoints through CONNECT too (it has no absolute-form).
            .proxy(proxy)
            .build();
        let mut response = agent.run(configured).map_err(transport_error)?;
        let status = response.status().as_u16();
        let headers = received_headers(response.headers());
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_RESPONSE_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::TimedOut {
                    TransportError::TimedOut(format!("reading the response: {e}"))
                } else {
                    TransportError::Failed(format!("reading the response: {e}"))
                }
            })?;
        if body.len() as u64 > MAX_RESPONSE_BYTES {
            return Err(too_large());
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// A response's headers as the component takes them (both transports use `http`'s map).
pub fn received_headers(headers: &hyper::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

pub fn too_large() -> TransportError {
    TransportError::Failed(format!(
        "the response body is larger than {} MB: not a DynamoDB answer",
        MAX_RESPONSE_BYTES / (1024 * 1024)
    ))
}

fn transport_error(error: ureq::Error) -> TransportError {
    let tls_failure = match &error {
        ureq::Error::Rustls(e) => tls::lasting_failure(e),
        ureq::Error::Io(e) => tls::lasting_failure(e),
        _ => None,
    };
    if let Some(reason) = tls_failure {
        return TransportError::Tls(reason);
    }
    match error {
        ureq::Error::Timeout(which) => TransportError::TimedOut(format!("{which} timeout")),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            TransportError::TimedOut(e.to_string())
        }
        other => TransportError::Failed(other.to_string()),
    }
}
