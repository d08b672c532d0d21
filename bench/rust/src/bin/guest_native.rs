//! For profiling only: the guest's own code (`jovo-dynamodb-wasm`, compiled natively for
//! x86-64 instead of wasm32) behind a host that answers at once from memory, as the stub
//! server would. What it costs per operation is the guest's logic alone: no wasmtime, no
//! HTTP, no copies across the component boundary.
//!
//!   bench-guest-native <small|large> <ops>        prints CPU per load and per save
//!   valgrind --tool=callgrind bench-guest-native small 200

use std::time::Instant;

use jovo_dynamodb_wasm::client::Client;
use jovo_dynamodb_wasm::drive::block_on;
use jovo_dynamodb_wasm::config::{defaults_for, Settings};
use jovo_dynamodb_wasm::host::{AwsCredentials, Environment, Host, HttpRequest, HttpResponse, Outcome};
use jovo_dynamodb_bench::{marshal, process_cpu};
use serde_json::{json, Map, Value};

struct Canned {
    get: Vec<u8>,
    table: Vec<u8>,
}

fn answer(body: &[u8]) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![
            ("content-type".into(), "application/x-amz-json-1.0".into()),
            ("x-amzn-requestid".into(), "native".into()),
            ("x-amz-crc32".into(), crc32fast::hash(body).to_string()),
        ],
        body: body.to_vec(),
    }
}

impl Host for &Canned {
    async fn send(&self, request: HttpRequest, _timeout_ms: u32) -> Outcome {
        let target = request.headers.iter().find(|(k, _)| k == "x-amz-target").map(|(_, v)| v.as_str()).unwrap_or("");
        Ok(match target.trim_start_matches("DynamoDB_20120810.") {
            "GetItem" => answer(&self.get),
            "DescribeTable" => answer(&self.table),
            _ => answer(b"{}"),
        })
    }
    async fn sleep(&self, _ms: u32) {}
}

impl Environment for &Canned {
    fn now_ms(&self) -> u64 {
        1_764_000_000_000
    }
    fn credentials(&self) -> Result<AwsCredentials, String> {
        Err("set in the config".into())
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let shape = args.get(1).map_or("small", String::as_str);
    let ops: u32 = args.get(2).map_or(200, |v| v.parse().expect("ops"));
    let path = format!("{}/../items/{shape}.json", env!("CARGO_MANIFEST_DIR"));
    let item: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("item")).expect("json");
    let user = format!("bench-{shape}");
    let mut stored = Map::new();
    stored.insert("userId".into(), json!({ "S": user }));
    if let Value::Object(map) = marshal(&item)["M"].clone() {
        stored.extend(map);
    }
    let canned = Canned {
        get: json!({ "Item": stored }).to_string().into_bytes(),
        table: br#"{"Table":{"TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"userId","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"userId","AttributeType":"S"}]}}"#.to_vec(),
    };
    let mut config = defaults_for(jovo_dynamodb_bench::TABLE, "us-east-1");
    config.client.endpoint = Some("http://127.0.0.1:8000".into());
    config.client.credentials = Some(AwsCredentials {
        access_key_id: "bench".into(),
        secret_access_key: "bench-secret".into(),
        session_token: None,
    });
    let client = Client::new(Settings::from_wit(config).unwrap_or_else(|_| panic!("config")), &canned);
    let text = item.to_string();
    block_on(client.save_user(&user, &text)).expect("ready").unwrap_or_else(|e| panic!("{e:?}"));
    for (op, run) in [("load", true), ("save", false)] {
        let (t, cpu) = (Instant::now(), process_cpu());
        for _ in 0..ops {
            if run {
                block_on(client.load_user(&user)).expect("ready").unwrap_or_else(|e| panic!("{e:?}")).expect("item");
            } else {
                block_on(client.save_user(&user, &text)).expect("ready").unwrap_or_else(|e| panic!("{e:?}"));
            }
        }
        let cpu = (process_cpu() - cpu).as_secs_f64() * 1e6 / f64::from(ops);
        println!("{}", json!({ "kind": "native", "op": op, "shape": shape, "cpu_us": cpu, "wall_us": t.elapsed().as_secs_f64() * 1e6 / f64::from(ops) }));
    }
}
