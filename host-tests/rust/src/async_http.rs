//! The async store's HTTP client: hyper 1 through hyper-util's pooled client (connections
//! kept alive and reused across operations and tasks), rustls with the `ring` provider for
//! https, a time limit on the whole exchange and the 16 MB cap on the response body.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::bindings::jovo::dynamodb::host::{HttpRequest, HttpResponse, TransportError};
use crate::transport::{headers_to_send, received_headers, too_large, MAX_RESPONSE_BYTES};

#[derive(Clone)]
pub struct AsyncHttp {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl AsyncHttp {
    pub fn new() -> AsyncHttp {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(provider)
            .expect("ring supports rustls' default protocol versions")
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            // DynamoDB closes idle connections after about a minute; reuse them before.
            .pool_idle_timeout(Duration::from_secs(50))
            .pool_max_idle_per_host(256)
            .build(https);
        AsyncHttp { client }
    }

    /// Sends `request`; the whole exchange (connect, send, headers, body) must finish
    /// within `timeout_ms`.
    pub async fn send(
        &self,
        request: HttpRequest,
        timeout_ms: u32,
    ) -> Result<HttpResponse, TransportError> {
        let limit = Duration::from_millis(u64::from(timeout_ms));
        match tokio::time::timeout(limit, self.exchange(request)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(TransportError::TimedOut(format!(
                "no complete answer within {timeout_ms} ms"
            ))),
        }
    }

    async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut builder = hyper::Request::builder()
            .method(request.method.as_str())
            .uri(request.url.as_str());
        for (name, value) in headers_to_send(&request) {
            builder = builder.header(name, value);
        }
        let http_request = builder
            .body(Full::new(Bytes::from(request.body)))
            .map_err(|e| TransportError::Failed(format!("invalid request: {e}")))?;
        let response = self
            .client
            .request(http_request)
            .await
            .map_err(|e| TransportError::Failed(error_chain(&e)))?;
        let status = response.status().as_u16();
        let headers = received_headers(response.headers());
        let announced = response
            .headers()
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|length| length > MAX_RESPONSE_BYTES) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(announced.unwrap_or(0) as usize);
        let mut incoming = response.into_body();
        while let Some(frame) = incoming.frame().await {
            let frame = frame.map_err(|e| {
                TransportError::Failed(format!("reading the response: {}", error_chain(&e)))
            })?;
            if let Ok(data) = frame.into_data() {
                if (body.len() + data.len()) as u64 > MAX_RESPONSE_BYTES {
                    return Err(too_large());
                }
                body.extend_from_slice(&data);
            }
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// An error with its causes ("client error (Connect): tcp connect error: Connection refused").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
