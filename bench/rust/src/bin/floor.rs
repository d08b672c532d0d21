//! The floor: what one DynamoDB call costs at the least. The GetItem and PutItem requests
//! are marshalled and signed once, in advance; each call writes the same bytes to a
//! kept-alive TCP connection and reads the answer (headers, then Content-Length bytes).
//! No parsing of the answer, no client logic.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use jovo_dynamodb_bench::{marshal, print_latency, print_loaded, run_throughput, timed, Args, TABLE};
use serde_json::{json, Map, Value};

/// The whole HTTP/1.1 request, signed, as bytes.
fn signed_request(endpoint: &str, target: &str, body: &str) -> Vec<u8> {
    let url = format!("{endpoint}/");
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let headers = [
        ("content-type".to_string(), "application/x-amz-json-1.0".to_string()),
        ("x-amz-target".to_string(), format!("DynamoDB_20120810.{target}")),
        ("host".to_string(), host.to_string()),
    ];
    let identity = Credentials::new("bench", "bench-secret", None, None, "bench").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("dynamodb")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .expect("params")
        .into();
    let signable = SignableRequest::new(
        "POST",
        &url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body.as_bytes()),
    )
    .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
    let mut text = String::from("POST / HTTP/1.1\r\n");
    for (k, v) in headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(instructions.headers()) {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str(&format!("content-length: {}\r\nconnection: keep-alive\r\n\r\n{body}", body.len()));
    text.into_bytes()
}

struct Connection {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    body: Vec<u8>,
}

impl Connection {
    fn new(endpoint: &str) -> Connection {
        let stream = TcpStream::connect(endpoint.trim_start_matches("http://").trim_end_matches('/')).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Connection { writer: stream.try_clone().expect("clone"), reader: BufReader::new(stream), body: Vec::new() }
    }

    /// Sends `request`, reads the answer; returns the HTTP status.
    fn call(&mut self, request: &[u8]) -> u16 {
        self.writer.write_all(request).expect("write");
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("header");
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().expect("length");
                }
            }
        }
        self.body.resize(length, 0);
        self.reader.read_exact(&mut self.body).expect("body");
        status
    }
}

fn main() {
    let args = Args::parse();
    let user = args.user_id();
    let mut item = Map::new();
    item.insert("userId".into(), json!({ "S": user }));
    if let Value::Object(map) = marshal(&args.item())["M"].take() {
        item.extend(map);
    }
    let get = signed_request(&args.endpoint, "GetItem", &json!({ "TableName": TABLE, "Key": { "userId": { "S": user } } }).to_string());
    let put = signed_request(&args.endpoint, "PutItem", &json!({ "TableName": TABLE, "Item": item }).to_string());
    let mut connection = Connection::new(&args.endpoint);
    let check = |status: u16| assert_eq!(status, 200, "the server refused the request");
    match args.mode.as_str() {
        "cold" => {
            check(connection.call(&get));
            print_loaded();
        }
        "latency" => {
            let (ops, reps, warmup) = (args.num(0, 200), args.num(1, 5), args.num(2, 50));
            for _ in 0..=warmup {
                check(connection.call(&put));
                check(connection.call(&get));
            }
            for rep in 0..reps {
                let (walls, cpu) = timed(ops, || check(connection.call(&get)));
                print_latency("load", rep, &walls, cpu);
                let (walls, cpu) = timed(ops, || check(connection.call(&put)));
                print_latency("save", rep, &walls, cpu);
            }
        }
        "throughput" => {
            let (workers, seconds, op) = (args.num(0, 64), args.num(1, 3), args.word(2, "load"));
            check(connection.call(&put));
            // "cycle": GetItem and PutItem in turn (a load and a save per Jovo request).
            let requests = Arc::new(match op.as_str() {
                "load" => vec![get],
                "save" => vec![put],
                _ => vec![get, put],
            });
            let endpoint = args.endpoint.clone();
            run_throughput(&op, workers, seconds, move || {
                let mut connection = Connection::new(&endpoint);
                let (requests, mut turn) = (requests.clone(), 0usize);
                move || {
                    turn += 1;
                    assert_eq!(connection.call(&requests[turn % requests.len()]), 200)
                }
            });
        }
        other => panic!("unknown mode {other}"),
    }
}
