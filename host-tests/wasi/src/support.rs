//! Test servers on 127.0.0.1, shared by the tests and the demo binary: dynalite, the shared
//! network fixture (TLS with a private CA, stalled server, redirect), raw DynamoDB calls and
//! plain HTTP GETs without the component.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::repo_root;

/// A node process of scripts/node that prints one line when ready and exits with its stdin.
pub struct NodeServer {
    child: Child,
    pub first_line: String,
}

impl NodeServer {
    pub fn start(script: &str, args: &[&str]) -> NodeServer {
        let mut child = Command::new("node")
            .arg(repo_root().join("scripts/node").join(script))
            .args(args)
            .arg("--exit-with-stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start node: is node installed and scripts/node set up (make toolchain)?");
        let mut first_line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first_line)
            .expect("read the server's first line");
        NodeServer { child, first_line }
    }
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// dynalite with new tables CREATING for `create_table_ms`; returns it and its endpoint.
pub fn dynalite(create_table_ms: u32) -> (NodeServer, String) {
    let server = NodeServer::start(
        "dynalite-server.cjs",
        &["--create-table-ms", &create_table_ms.to_string()],
    );
    let endpoint = server
        .first_line
        .trim()
        .strip_prefix("listening ")
        .unwrap_or_else(|| panic!("dynalite did not start: {:?}", server.first_line))
        .to_string();
    (server, endpoint)
}

/// scripts/node/network-fixture.cjs in front of `upstream`: its endpoints and control URL.
pub fn network_fixture(upstream: &str) -> (NodeServer, Value) {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("jovo-wasi-fixture-{}", std::process::id()));
    let server = NodeServer::start(
        "network-fixture.cjs",
        &[
            "--upstream",
            upstream,
            "--dir",
            dir.to_str().expect("utf-8 temp dir"),
        ],
    );
    let info: Value = serde_json::from_str(&server.first_line).expect("fixture's JSON line");
    (server, info)
}

/// One plain-HTTP/1.1 exchange (`Connection: close`): status and body.
pub fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("a plain http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(authority).expect("connect");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("receive");
    let status = response[9..12].parse().expect("status");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(body)
    } else {
        body.to_string()
    };
    (status, body)
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// A DynamoDB call without the component (dynalite wants only some Authorization).
pub fn raw_call(endpoint: &str, operation: &str, body: &Value) -> (u16, Value) {
    let target = format!("DynamoDB_20120810.{operation}");
    let (status, text) = http(
        "POST",
        endpoint,
        &[
            ("content-type", "application/x-amz-json-1.0"),
            ("x-amz-target", &target),
            ("x-amz-date", "20260101T000000Z"),
            ("authorization", "AWS4-HMAC-SHA256 Credential=AKIDTESTKEY/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00"),
        ],
        &body.to_string(),
    );
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
