//! The async store's HTTP client: hyper 1 through hyper-util's pooled client (connections
//! kept alive and reused across operations and tasks), rustls with the `ring` provider and
//! the runtime's trusted roots for https, the runtime's proxies (a CONNECT tunnel for https,
//! absolute-form requests for http), a time limit on the whole exchange and the 16 MB cap on
//! the response body. Redirects are not followed (hyper never does): a 3xx goes to the
//! component as an answer.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper::Uri;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tower_service::Service;

use crate::bindings::exports::jovo::dynamodb::store::{HttpRequest, HttpResponse, TransportError};
use crate::network::Network;
use crate::proxy::Proxies;
use crate::tls;
use crate::transport::{headers_to_send, received_headers, too_large, MAX_RESPONSE_BYTES};

#[derive(Clone)]
pub struct AsyncHttp {
    client: Client<HttpsConnector<Route>, Full<Bytes>>,
    proxies: Arc<Proxies>,
}

impl AsyncHttp {
    pub fn new(network: &Network) -> AsyncHttp {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        let route = Route {
            tcp,
            proxies: Arc::clone(&network.proxies),
        };
        // TLS over whatever the route gave: the endpoint's socket, or a tunnel to it (so the
        // endpoint's certificate is verified either way, for the endpoint's host name).
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(network.trust.client_config.clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(route);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            // DynamoDB closes idle connections after about a minute; reuse them before.
            .pool_idle_timeout(Duration::from_secs(50))
            .pool_max_idle_per_host(256)
            .build(https);
        AsyncHttp {
            client,
            proxies: Arc::clone(&network.proxies),
        }
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
        let url: Uri = request
            .url
            .parse()
            .map_err(|e| TransportError::Failed(format!("invalid request URL: {e}")))?;
        let mut builder = hyper::Request::builder()
            .method(request.method.as_str())
            .uri(url.clone());
        for (name, value) in headers_to_send(&request) {
            builder = builder.header(name, value);
        }
        // An http request through a proxy goes to the proxy itself (absolute-form), so the
        // proxy's credentials go with it; https ones sent them on the tunnel's CONNECT.
        if url.scheme_str() == Some("http") {
            if let Some(authorization) = self
                .proxies
                .for_uri(&url)
                .and_then(|proxy| proxy.authorization.as_deref())
            {
                builder = builder.header(hyper::header::PROXY_AUTHORIZATION, authorization);
            }
        }
        let http_request = builder
            .body(Full::new(Bytes::from(request.body)))
            .map_err(|e| TransportError::Failed(format!("invalid request: {e}")))?;
        let response = self.client.request(http_request).await.map_err(|e| {
            match tls::lasting_failure(&e) {
                Some(reason) => TransportError::Tls(reason),
                None => TransportError::Failed(error_chain(&e)),
            }
        })?;
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

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The connection under TLS: straight to the endpoint, a CONNECT tunnel through the proxy
/// (https endpoints), or a connection to the proxy that carries absolute-form requests
/// (http endpoints).
#[derive(Clone)]
pub struct Route {
    tcp: HttpConnector,
    proxies: Arc<Proxies>,
}

impl Service<Uri> for Route {
    type Response = Routed;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Routed, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // HttpConnector is always ready (it connects in the future it returns).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, endpoint: Uri) -> Self::Future {
        let Some(proxy) = self.proxies.for_uri(&endpoint) else {
            let connecting = self.tcp.call(endpoint);
            return Box::pin(async move { Ok(Routed::new(connecting.await?, false)) });
        };
        if endpoint.scheme_str() == Some("https") {
            let mut tunnel = Tunnel::new(proxy.uri.clone(), self.tcp.clone());
            if let Some(authorization) = &proxy.authorization {
                match hyper::header::HeaderValue::from_str(authorization) {
                    Ok(value) => tunnel = tunnel.with_auth(value),
                    Err(e) => return Box::pin(async move { Err(e.into()) }),
                }
            }
            let tunnelling = tunnel.call(endpoint);
            Box::pin(async move {
                let tunnelled = tunnelling.await.map_err(|e| {
                    format!("the proxy's CONNECT tunnel failed: {}", error_chain(&e))
                })?;
                Ok(Routed::new(tunnelled, false))
            })
        } else {
            let connecting = self.tcp.call(proxy.uri.clone());
            Box::pin(async move { Ok(Routed::new(connecting.await?, true)) })
        }
    }
}

/// A TCP connection that tells hyper whether it leads to a proxy that wants absolute-form
/// requests (`POST http://host:port/ HTTP/1.1`).
pub struct Routed {
    io: TokioIo<TcpStream>,
    absolute_form: bool,
}

impl Routed {
    fn new(io: TokioIo<TcpStream>, absolute_form: bool) -> Routed {
        Routed { io, absolute_form }
    }
}

impl Connection for Routed {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.absolute_form)
    }
}

impl Read for Routed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl Write for Routed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}
