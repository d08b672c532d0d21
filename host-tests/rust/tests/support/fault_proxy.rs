//! A small HTTP/1.1 proxy on 127.0.0.1 between the component and a real dynalite that
//! injects faults. Each request takes the next [`Fault`] of a script (first in, first
//! out); with the script empty, requests pass through unchanged. Nothing of DynamoDB is
//! imitated: every answer that is not an injected error comes from dynalite.
//!
//! Faults that damage the *answer* (delay, truncate, garble, flipped checksum) forward the
//! request first, so dynalite has applied it when the component sees the damage: the
//! "applied but not acknowledged" case that only idempotent retries survive. Faults that
//! *refuse* the request (5xx, throttling, reset) do not forward it.
#![allow(dead_code)] // used by the fault tests only

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the proxy does with one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// No fault: forwards the request and its answer unchanged (a placeholder in a script).
    Pass,
    /// HTTP 500 with DynamoDB's JSON `InternalServerError` body.
    InternalServerError,
    /// HTTP 503 with a plain-text body, as a load balancer in front of DynamoDB answers.
    ServiceUnavailable,
    /// HTTP 400 with DynamoDB's JSON error body of this code and `x-amzn-errortype`, e.g.
    /// `ProvisionedThroughputExceededException`, `ThrottlingException`, `RequestLimitExceeded`.
    Throttle(&'static str),
    /// HTTP 400 `ValidationException`: a client error that must not be retried.
    Validation,
    /// Reads the request, then resets the TCP connection (RST, no answer).
    Reset,
    /// Forwards, then sends the headers and half of dynalite's body and closes.
    Truncate,
    /// Forwards, then answers with dynalite's status, headers and `x-amz-crc32`, but with
    /// some bytes of the body changed.
    Garble,
    /// Forwards, then waits this long before answering (past the client's timeout).
    Delay(Duration),
    /// Forwards, then answers dynalite's body unchanged with a wrong `x-amz-crc32`.
    FlipCrc,
}

impl Fault {
    /// A short name for tables.
    pub fn describe(&self) -> String {
        match self {
            Fault::Pass => "pass".into(),
            Fault::InternalServerError => "HTTP 500 InternalServerError".into(),
            Fault::ServiceUnavailable => "HTTP 503 (text body)".into(),
            Fault::Throttle(code) => format!("HTTP 400 {code}"),
            Fault::Validation => "HTTP 400 ValidationException".into(),
            Fault::Reset => "connection reset (RST)".into(),
            Fault::Truncate => "body truncated".into(),
            Fault::Garble => "body garbled (crc kept)".into(),
            Fault::Delay(d) => format!("answer delayed {} ms", d.as_millis()),
            Fault::FlipCrc => "x-amz-crc32 flipped".into(),
        }
    }

    /// Whether the request reaches dynalite before the fault hits.
    pub fn forwards(&self) -> bool {
        matches!(
            self,
            Fault::Pass | Fault::Truncate | Fault::Garble | Fault::Delay(_) | Fault::FlipCrc
        )
    }
}

/// One request the proxy saw: its `x-amz-target` operation, what was done to it, and
/// when. The times let tests measure the client's backoff between attempts.
#[derive(Clone, Debug)]
pub struct Seen {
    pub operation: String,
    pub fault: Option<Fault>,
    /// When the whole request had arrived.
    pub received: Instant,
    /// When the proxy began to answer (or reset, or cut off) it; `None` for a delayed
    /// answer, which the client has given up on by then.
    pub answered: Option<Instant>,
    id: u64,
}

#[derive(Default)]
struct Shared {
    script: VecDeque<Fault>,
    seen: Vec<Seen>,
    next_id: u64,
}

impl Shared {
    /// Notes the answer time of request `id`, before the answer is written: the client
    /// cannot act on an answer (and a test cannot read the log) before it is noted.
    fn answering(&mut self, id: u64) {
        if let Some(seen) = self.seen.iter_mut().rev().find(|s| s.id == id) {
            seen.answered = Some(Instant::now());
        }
    }
}

/// The proxy; its listener thread runs until the test process exits.
pub struct FaultProxy {
    pub endpoint: String,
    shared: Arc<Mutex<Shared>>,
    connections: Arc<AtomicUsize>,
}

impl FaultProxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream` (e.g. dynalite's
    /// `http://127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fault proxy");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Mutex::new(Shared::default()));
        let upstream = upstream.trim_end_matches('/').to_string();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let state = Arc::clone(&shared);
        let connections = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::clone(&connections);
        std::thread::spawn(move || {
            for connection in listener.incoming() {
                let Ok(connection) = connection else { continue };
                accepted.fetch_add(1, Ordering::SeqCst);
                let (state, agent, upstream) =
                    (Arc::clone(&state), agent.clone(), upstream.clone());
                std::thread::spawn(move || serve(connection, &state, &agent, &upstream));
            }
        });
        FaultProxy {
            endpoint,
            shared,
            connections,
        }
    }

    /// TCP connections accepted so far (keep-alive reuses one for many requests).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Appends faults to the script; each is used by one request, in order.
    pub fn push(&self, faults: impl IntoIterator<Item = Fault>) {
        self.shared.lock().unwrap().script.extend(faults);
    }

    /// Faults not used yet.
    pub fn pending(&self) -> usize {
        self.shared.lock().unwrap().script.len()
    }

    /// The requests seen since the last call, and forgets them.
    pub fn take_seen(&self) -> Vec<Seen> {
        std::mem::take(&mut self.shared.lock().unwrap().seen)
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// One client connection: requests one after another (the component's host keeps
/// connections alive) until the client closes or a fault ends the connection.
fn serve(connection: TcpStream, state: &Mutex<Shared>, agent: &ureq::Agent, upstream: &str) {
    let mut reader = BufReader::new(match connection.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut writer = connection;
    while let Some(request) = read_request(&mut reader) {
        let operation = header(&request.headers, "x-amz-target")
            .map(|t| t.rsplit('.').next().unwrap_or(t).to_string())
            .unwrap_or_default();
        let received = Instant::now();
        let (fault, id) = {
            let mut shared = state.lock().unwrap();
            let fault = shared.script.pop_front();
            let id = shared.next_id;
            shared.next_id += 1;
            shared.seen.push(Seen {
                operation,
                fault: fault.clone(),
                received,
                answered: None,
                id,
            });
            (fault, id)
        };
        let answering = || state.lock().unwrap().answering(id);
        let keep_open = match fault {
            None | Some(Fault::Pass) => {
                let response = forward(agent, upstream, &request);
                answering();
                write_response(&mut writer, &response).is_ok()
            }
            Some(Fault::InternalServerError) => {
                answering();
                write_response(
                    &mut writer,
                    &dynamodb_error(
                        500,
                        "com.amazonaws.dynamodb.v20120810#InternalServerError",
                        "Internal server error (injected)",
                    ),
                )
                .is_ok()
            }
            Some(Fault::ServiceUnavailable) => {
                answering();
                write_response(
                    &mut writer,
                    &Response {
                        status: 503,
                        headers: vec![("content-type".into(), "text/plain".into())],
                        body: b"Service Unavailable (injected)".to_vec(),
                    },
                )
                .is_ok()
            }
            Some(Fault::Throttle(code)) => {
                answering();
                let namespace = if code == "ThrottlingException" {
                    "com.amazon.coral.availability"
                } else {
                    "com.amazonaws.dynamodb.v20120810"
                };
                write_response(
                    &mut writer,
                    &dynamodb_error(
                        400,
                        &format!("{namespace}#{code}"),
                        "Rate of requests exceeds the allowed throughput (injected)",
                    ),
                )
                .is_ok()
            }
            Some(Fault::Validation) => {
                answering();
                write_response(
                    &mut writer,
                    &dynamodb_error(
                        400,
                        "com.amazon.coral.validate#ValidationException",
                        "One or more parameter values were invalid (injected)",
                    ),
                )
                .is_ok()
            }
            Some(Fault::Reset) => {
                answering();
                reset(&writer);
                false
            }
            Some(Fault::Truncate) => {
                let response = forward(agent, upstream, &request);
                let half = response.body.len() / 2;
                let mut head = status_line_and_headers(&response);
                head.extend_from_slice(&response.body[..half]);
                answering();
                let _ = writer.write_all(&head);
                let _ = writer.flush();
                let _ = writer.shutdown(Shutdown::Both);
                false
            }
            Some(Fault::Garble) => {
                let mut response = forward(agent, upstream, &request);
                garble(&mut response.body);
                answering();
                write_response(&mut writer, &response).is_ok()
            }
            Some(Fault::Delay(delay)) => {
                let response = forward(agent, upstream, &request);
                std::thread::sleep(delay);
                // The client has given up by now; whatever it does with this is its business.
                let _ = write_response(&mut writer, &response);
                false
            }
            Some(Fault::FlipCrc) => {
                let mut response = forward(agent, upstream, &request);
                let body_crc = crc32(&response.body);
                response
                    .headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case("x-amz-crc32"));
                response
                    .headers
                    .push(("x-amz-crc32".into(), (body_crc ^ 0x0000_0001).to_string()));
                answering();
                write_response(&mut writer, &response).is_ok()
            }
        };
        if !keep_open {
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length: usize = header(&headers, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn forward(agent: &ureq::Agent, upstream: &str, request: &Request) -> Response {
    let mut builder = ureq::http::Request::builder()
        .method(request.method.as_str())
        .uri(format!("{upstream}{}", request.path));
    for (name, value) in &request.headers {
        if !matches!(
            name.as_str(),
            "host" | "content-length" | "connection" | "transfer-encoding"
        ) {
            builder = builder.header(name.as_str(), value.as_str());
        }
    }
    let http_request = builder.body(request.body.clone()).expect("request");
    let mut response = match agent.run(http_request) {
        Ok(response) => response,
        // dynalite is gone: answer like a broken gateway so the test sees it.
        Err(e) => {
            return Response {
                status: 502,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: format!("fault proxy: upstream failed: {e}").into_bytes(),
            }
        }
    };
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "content-length" | "connection" | "transfer-encoding" | "keep-alive"
            )
        })
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut body = Vec::new();
    let _ = response.body_mut().as_reader().read_to_end(&mut body);
    Response {
        status,
        headers,
        body,
    }
}

/// DynamoDB's error shape: JSON body, `x-amzn-errortype`, and its `x-amz-crc32`.
fn dynamodb_error(status: u16, typ: &str, message: &str) -> Response {
    let body = serde_json::json!({ "__type": typ, "message": message })
        .to_string()
        .into_bytes();
    let code = typ.rsplit('#').next().unwrap_or(typ);
    Response {
        status,
        headers: vec![
            ("content-type".into(), "application/x-amz-json-1.0".into()),
            ("x-amzn-errortype".into(), format!("{code}:")),
            ("x-amzn-requestid".into(), "INJECTED-FAULT".into()),
            ("x-amz-crc32".into(), crc32(&body).to_string()),
        ],
        body,
    }
}

fn status_line_and_headers(response: &Response) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} Fault Proxy\r\n", response.status);
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", response.body.len()));
    head.into_bytes()
}

fn write_response(writer: &mut TcpStream, response: &Response) -> std::io::Result<()> {
    let mut bytes = status_line_and_headers(response);
    bytes.extend_from_slice(&response.body);
    writer.write_all(&bytes)?;
    writer.flush()
}

/// Changes bytes in the middle of the body so that it is still the same length; an empty
/// body gets garbage instead.
fn garble(body: &mut Vec<u8>) {
    if body.is_empty() {
        body.extend_from_slice(b"\x00garbled");
        return;
    }
    let middle = body.len() / 2;
    for byte in body.iter_mut().skip(middle.saturating_sub(2)).take(4) {
        *byte ^= 0x5a;
    }
    body[0] = b'#';
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Closes the connection with a TCP RST (SO_LINGER with a zero timeout), not a FIN.
fn reset(connection: &TcpStream) {
    use std::os::fd::AsRawFd;
    #[repr(C)]
    struct Linger {
        l_onoff: i32,
        l_linger: i32,
    }
    extern "C" {
        fn setsockopt(fd: i32, level: i32, name: i32, value: *const Linger, len: u32) -> i32;
    }
    // Linux values of SOL_SOCKET and SO_LINGER.
    const SOL_SOCKET: i32 = 1;
    const SO_LINGER: i32 = 13;
    let linger = Linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor, a pointer to a live `struct linger` and its size.
    let rc = unsafe {
        setsockopt(
            connection.as_raw_fd(),
            SOL_SOCKET,
            SO_LINGER,
            &linger,
            std::mem::size_of::<Linger>() as u32,
        )
    };
    assert_eq!(rc, 0, "setsockopt(SO_LINGER) failed");
    // Dropping the last handle (the caller's) now sends RST.
}

/// CRC32 (IEEE), as DynamoDB's `x-amz-crc32`.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}
