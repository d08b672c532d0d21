//! The third driver: world `persistence-wasi`, for wasm-native runtimes (wasmtime's wasi:http
//! hosts, Spin, wasmCloud). The same async logic as the other two drivers runs over
//! [`WasiHost`], whose `send` and `sleep` block on WASI pollables, so every future is ready
//! when first polled and [`crate::drive::block_on`] runs it, as on the blocking path.
//!
//! What is WASI-specific is split in two: [`WasiHost`] and the environment rules
//! ([`credentials_from_environment`], [`region_from_environment`]) are plain Rust over the
//! [`WasiIo`] trait, so the scripted scenarios run through them natively; the `wasi:http`
//! exchange itself (`io`, built with the `wasi` feature) runs only in wasm and is covered
//! by the wasmtime wasi:http tests (`host-tests/wasi`).

use crate::host::{AwsCredentials, Environment, Host, HttpRequest, Outcome};

/// What the WASI driver asks of WASI; each call blocks until it is done.
pub trait WasiIo {
    /// One HTTP exchange, the whole response read, within `timeout_ms`.
    fn exchange(&self, request: &HttpRequest, timeout_ms: u32) -> Outcome;
    /// Blocks for `ms` milliseconds.
    fn sleep(&self, ms: u32);
    /// Wall-clock milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// The component's environment variables (`wasi:cli/environment`).
    fn environment(&self) -> Vec<(String, String)>;
}

/// The guest's [`Host`] over WASI: blocking sends and sleeps, credentials from the
/// environment when the config carries none.
#[derive(Clone, Copy)]
pub struct WasiHost<W>(pub W);

impl<W: WasiIo> Environment for WasiHost<W> {
    fn now_ms(&self) -> u64 {
        self.0.now_ms()
    }

    fn credentials(&self) -> Result<AwsCredentials, String> {
        credentials_from_environment(&self.0.environment())
    }
}

impl<W: WasiIo> Host for WasiHost<W> {
    async fn send(&self, request: HttpRequest, timeout_ms: u32) -> Outcome {
        self.0.exchange(&request, timeout_ms)
    }

    async fn sleep(&self, ms: u32) {
        self.0.sleep(ms)
    }
}

fn variable<'a>(environment: &'a [(String, String)], name: &str) -> Option<&'a str> {
    environment
        .iter()
        .find(|(key, value)| key == name && !value.is_empty())
        .map(|(_, value)| value.as_str())
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (optional) `AWS_SESSION_TOKEN`, as the
/// AWS SDKs read them. The error names what is missing, never a value.
pub fn credentials_from_environment(
    environment: &[(String, String)],
) -> Result<AwsCredentials, String> {
    let access_key_id = variable(environment, "AWS_ACCESS_KEY_ID");
    let secret_access_key = variable(environment, "AWS_SECRET_ACCESS_KEY");
    match (access_key_id, secret_access_key) {
        (Some(access_key_id), Some(secret_access_key)) => Ok(AwsCredentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: variable(environment, "AWS_SESSION_TOKEN").map(Into::into),
        }),
        (None, None) => Err("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set in the component's environment (wasi:cli/environment); a wasm runtime passes them as variables, e.g. Spin's [variables] or `wasmtime serve --env`".into()),
        (None, Some(_)) => Err("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not, in the component's environment (wasi:cli/environment)".into()),
        (Some(_), None) => Err("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not, in the component's environment (wasi:cli/environment)".into()),
    }
}

/// `AWS_REGION`, else `AWS_DEFAULT_REGION`: the region when the config names none.
pub fn region_from_environment(environment: &[(String, String)]) -> Option<String> {
    variable(environment, "AWS_REGION")
        .or_else(|| variable(environment, "AWS_DEFAULT_REGION"))
        .map(Into::into)
}

#[cfg(feature = "wasi")]
pub use io::{transport_error, Wasi};

#[cfg(feature = "wasi")]
mod io {
    //! The exchange over `wasi:http/outgoing-handler`, blocking on pollables with one
    //! deadline for connecting, sending and reading the whole response. Redirects are never
    //! followed (wasi:http hands back a 3xx as it is; the logic refuses it). TLS is the
    //! runtime's: its `error-code` is mapped to our `transport-error`.

    use super::WasiIo;
    use crate::bindings::wasi::cli::environment;
    use crate::bindings::wasi::clocks::{monotonic_clock, wall_clock};
    use crate::bindings::wasi::http::outgoing_handler;
    use crate::bindings::wasi::http::types::{
        ErrorCode, Fields, IncomingResponse, Method, OutgoingBody, OutgoingRequest, RequestOptions,
        Scheme,
    };
    use crate::bindings::wasi::io::poll::{self, Pollable};
    use crate::bindings::wasi::io::streams::StreamError;
    use crate::host::{HttpRequest, HttpResponse, Outcome, TransportError};

    /// Response bodies larger than this end as `failed`, as in every host.
    const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

    /// The WASI imports of world `persistence-wasi`.
    #[derive(Clone, Copy)]
    pub struct Wasi;

    impl WasiIo for Wasi {
        fn exchange(&self, request: &HttpRequest, timeout_ms: u32) -> Outcome {
            let deadline = monotonic_clock::now().saturating_add(u64::from(timeout_ms) * 1_000_000);
            exchange(request, timeout_ms, deadline)
        }

        fn sleep(&self, ms: u32) {
            monotonic_clock::subscribe_duration(u64::from(ms) * 1_000_000).block();
        }

        fn now_ms(&self) -> u64 {
            let now = wall_clock::now();
            now.seconds * 1000 + u64::from(now.nanoseconds / 1_000_000)
        }

        fn environment(&self) -> Vec<(String, String)> {
            environment::get_environment()
        }
    }

    fn timed_out(what: &str, timeout_ms: u32) -> TransportError {
        TransportError::TimedOut(format!("{what} took longer than {timeout_ms} ms"))
    }

    /// Waits until `ready` is, or the deadline passes (`false`).
    fn wait(ready: &Pollable, deadline: u64) -> bool {
        let timer = monotonic_clock::subscribe_instant(deadline);
        let fired = poll::poll(&[ready, &timer]);
        fired.contains(&0)
    }

    fn exchange(request: &HttpRequest, timeout_ms: u32, deadline: u64) -> Outcome {
        let (scheme, authority, path) = split_url(&request.url)?;
        let fields: Vec<(String, Vec<u8>)> = request
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), value.clone().into_bytes()))
            .collect();
        let headers = Fields::from_list(&fields)
            .map_err(|e| TransportError::Failed(format!("a request header was refused: {e:?}")))?;
        let outgoing = OutgoingRequest::new(headers);
        let method = match request.method.as_str() {
            "POST" => Method::Post,
            "GET" => Method::Get,
            other => Method::Other(other.into()),
        };
        let refused =
            |what: &str| TransportError::Failed(format!("the runtime refused the {what}"));
        outgoing
            .set_method(&method)
            .map_err(|()| refused("method"))?;
        outgoing
            .set_scheme(Some(&scheme))
            .map_err(|()| refused("scheme"))?;
        outgoing
            .set_authority(Some(authority))
            .map_err(|()| refused("authority"))?;
        outgoing
            .set_path_with_query(Some(path))
            .map_err(|()| refused("path"))?;
        let body = outgoing.body().map_err(|()| refused("request body"))?;
        // Timeouts the runtime may enforce itself; the deadline below holds either way.
        let options = RequestOptions::new();
        let nanos = u64::from(timeout_ms) * 1_000_000;
        let _ = options.set_connect_timeout(Some(nanos));
        let _ = options.set_first_byte_timeout(Some(nanos));
        let _ = options.set_between_bytes_timeout(Some(nanos));
        let pending = outgoing_handler::handle(outgoing, Some(options)).map_err(transport_error)?;
        if let Err(write_failed) = write_body(body, &request.body, timeout_ms, deadline) {
            // The runtime may have refused or failed the request itself (a denied host, a
            // failed connection or TLS handshake): its error code says why, not the body's.
            let ready = pending.subscribe();
            return loop {
                match pending.get() {
                    None if wait(&ready, deadline) => {}
                    Some(Ok(Err(code))) => break Err(transport_error(code)),
                    _ => break Err(write_failed),
                }
            };
        }

        let response = {
            let ready = pending.subscribe();
            loop {
                match pending.get() {
                    Some(Ok(Ok(response))) => break response,
                    Some(Ok(Err(code))) => return Err(transport_error(code)),
                    Some(Err(())) => {
                        return Err(TransportError::Failed(
                            "the response was taken twice".into(),
                        ))
                    }
                    None if !wait(&ready, deadline) => {
                        return Err(timed_out("the response", timeout_ms))
                    }
                    None => {}
                }
            }
        };
        read_response(response, timeout_ms, deadline)
    }

    fn write_body(
        body: OutgoingBody,
        bytes: &[u8],
        timeout_ms: u32,
        deadline: u64,
    ) -> Result<(), TransportError> {
        let failed = |e: StreamError| match e {
            StreamError::LastOperationFailed(e) => {
                match crate::bindings::wasi::http::types::http_error_code(&e) {
                    Some(code) => transport_error(code),
                    None => TransportError::Failed(format!(
                        "sending the request failed: {}",
                        e.to_debug_string()
                    )),
                }
            }
            StreamError::Closed => {
                TransportError::Failed("the connection closed while the request was sent".into())
            }
        };
        {
            let stream = body.write().map_err(|()| {
                TransportError::Failed("the runtime refused the request body".into())
            })?;
            let ready = stream.subscribe();
            let mut rest = bytes;
            while !rest.is_empty() {
                let room = stream.check_write().map_err(failed)?;
                if room == 0 {
                    if !wait(&ready, deadline) {
                        return Err(timed_out("sending the request", timeout_ms));
                    }
                    continue;
                }
                let n = rest.len().min(usize::try_from(room).unwrap_or(usize::MAX));
                stream.write(&rest[..n]).map_err(failed)?;
                rest = &rest[n..];
            }
            stream.flush().map_err(failed)?;
            while stream.check_write().map_err(failed)? == 0 {
                if !wait(&ready, deadline) {
                    return Err(timed_out("sending the request", timeout_ms));
                }
            }
            // `ready` and `stream` are dropped here, before the body is finished.
        }
        OutgoingBody::finish(body, None).map_err(transport_error)
    }

    fn read_response(response: IncomingResponse, timeout_ms: u32, deadline: u64) -> Outcome {
        let status = response.status();
        let headers = response
            .headers()
            .entries()
            .into_iter()
            .map(|(name, value)| (name, String::from_utf8_lossy(&value).into_owned()))
            .collect();
        let incoming = response
            .consume()
            .map_err(|()| TransportError::Failed("the response body was taken twice".into()))?;
        let mut body = Vec::new();
        {
            let stream = incoming
                .stream()
                .map_err(|()| TransportError::Failed("the response body was taken twice".into()))?;
            let ready = stream.subscribe();
            loop {
                match stream.read(64 * 1024) {
                    Ok(chunk) if chunk.is_empty() => {
                        if !wait(&ready, deadline) {
                            return Err(timed_out("reading the response", timeout_ms));
                        }
                    }
                    Ok(chunk) => {
                        body.extend_from_slice(&chunk);
                        if body.len() > MAX_BODY_BYTES {
                            return Err(TransportError::Failed(format!(
                                "the response body is larger than {MAX_BODY_BYTES} bytes"
                            )));
                        }
                    }
                    Err(StreamError::Closed) => break,
                    Err(StreamError::LastOperationFailed(e)) => {
                        return Err(
                            match crate::bindings::wasi::http::types::http_error_code(&e) {
                                Some(code) => transport_error(code),
                                None => TransportError::Failed(format!(
                                    "reading the response failed: {}",
                                    e.to_debug_string()
                                )),
                            },
                        )
                    }
                }
            }
        }
        drop(incoming);
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    /// `http://host:port/path` into what `wasi:http` wants separately.
    fn split_url(url: &str) -> Result<(Scheme, &str, &str), TransportError> {
        let invalid = || TransportError::Failed(format!("not an absolute http(s) URL: {url}"));
        let (scheme, rest) = url.split_once("://").ok_or_else(invalid)?;
        let scheme = match scheme {
            "https" => Scheme::Https,
            "http" => Scheme::Http,
            _ => return Err(invalid()),
        };
        let (authority, path) = match rest.find('/') {
            Some(at) => rest.split_at(at),
            None => (rest, "/"),
        };
        if authority.is_empty() {
            return Err(invalid());
        }
        Ok((scheme, authority, path))
    }

    /// The runtime's `error-code` as our `transport-error`: certificate and TLS protocol
    /// failures are `tls` (never retried), the runtime's timeouts `timed-out`, the rest
    /// `failed` (retried). `HTTP-request-denied` is how Spin and other runtimes refuse a
    /// host outside `allowed_outbound_hosts`.
    pub fn transport_error(code: ErrorCode) -> TransportError {
        match code {
            ErrorCode::TlsCertificateError => TransportError::Tls(
                "the server's certificate failed verification (unknown CA, wrong host name or expired); the wasm runtime's trust store decides which CAs are trusted".into(),
            ),
            // wasmtime-wasi-http reports every TLS failure, an untrusted certificate too, as
            // this one code.
            ErrorCode::TlsProtocolError => TransportError::Tls(
                "the wasm runtime reports a TLS protocol error: a certificate its trust store does not accept, or no TLS version or cipher agreed".into(),
            ),
            ErrorCode::TlsAlertReceived(alert) => TransportError::Tls(format!(
                "the server sent TLS alert {}{}",
                alert.alert_id.map_or_else(String::new, |id| id.to_string()),
                alert.alert_message.map_or_else(String::new, |m| format!(" ({m})")),
            )),
            ErrorCode::ConnectionTimeout => TransportError::TimedOut("connecting timed out".into()),
            ErrorCode::ConnectionReadTimeout | ErrorCode::HttpResponseTimeout => {
                TransportError::TimedOut("the response did not arrive in time".into())
            }
            ErrorCode::ConnectionWriteTimeout => {
                TransportError::TimedOut("sending the request timed out".into())
            }
            ErrorCode::DnsTimeout => TransportError::TimedOut("DNS lookup timed out".into()),
            ErrorCode::HttpRequestDenied => TransportError::Failed(
                "the wasm runtime denied the request: allow the endpoint's host as an outbound host (Spin: allowed_outbound_hosts)".into(),
            ),
            ErrorCode::ConnectionRefused => TransportError::Failed("connection refused".into()),
            ErrorCode::InternalError(Some(message)) => {
                TransportError::Failed(format!("the wasm runtime's HTTP client failed: {message}"))
            }
            other => TransportError::Failed(format!("wasi:http error {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn credentials_come_from_the_aws_variables() {
        let found = credentials_from_environment(&vars(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "token"),
        ]))
        .unwrap();
        assert_eq!(found.access_key_id, "AKID");
        assert_eq!(found.secret_access_key, "secret");
        assert_eq!(found.session_token.as_deref(), Some("token"));
    }

    #[test]
    fn missing_credentials_are_named_without_values() {
        let none = credentials_from_environment(&vars(&[("HOME", "/")])).unwrap_err();
        assert!(none.contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"));
        let half = credentials_from_environment(&vars(&[("AWS_ACCESS_KEY_ID", "AKIDSECRETVALUE")]))
            .unwrap_err();
        assert!(half.contains("AWS_SECRET_ACCESS_KEY is not"));
        assert!(!half.contains("AKIDSECRETVALUE"));
    }

    #[test]
    fn region_prefers_aws_region_over_the_default_region() {
        let both = vars(&[
            ("AWS_DEFAULT_REGION", "us-west-2"),
            ("AWS_REGION", "eu-west-1"),
        ]);
        assert_eq!(region_from_environment(&both).as_deref(), Some("eu-west-1"));
        let default_only = vars(&[("AWS_DEFAULT_REGION", "us-west-2")]);
        assert_eq!(
            region_from_environment(&default_only).as_deref(),
            Some("us-west-2")
        );
        assert_eq!(region_from_environment(&[]), None);
    }
}
