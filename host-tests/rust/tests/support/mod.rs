//! Shared by the integration tests: a real dynalite on 127.0.0.1, the compiled component,
//! and raw DynamoDB calls that bypass the component (to check what it stored).
#![allow(dead_code)] // each test binary uses a different part of this module

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use jovo_dynamodb_host::{Config, Environment, Error, Runtime, StoreError, COMPONENT};
use serde_json::{json, Value};

/// A dynalite process. It exits when this handle is dropped or, for the shared server
/// (a static is never dropped), when the test process exits and its stdin closes.
pub struct Dynalite {
    child: Child,
    pub endpoint: String,
}

impl Dynalite {
    /// A private server whose new tables stay CREATING for `create_table_ms`.
    pub fn start(create_table_ms: u32) -> Dynalite {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/node/dynalite-server.cjs");
        let mut child = Command::new("node")
            .arg(&script)
            .args([
                "--create-table-ms",
                &create_table_ms.to_string(),
                "--exit-with-stdin",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start dynalite: is node installed and scripts/node set up (make toolchain)?");
        let stdout = child.stdout.take().expect("dynalite stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read dynalite's first line");
        let endpoint = line
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("dynalite did not start: {line:?}"))
            .to_string();
        Dynalite { child, endpoint }
    }
}

impl Drop for Dynalite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One server per test binary, with dynalite's default 500 ms CREATING window.
pub fn server() -> &'static str {
    static SERVER: OnceLock<Dynalite> = OnceLock::new();
    &SERVER.get_or_init(|| Dynalite::start(500)).endpoint
}

/// The environment every store of the tests sees: nothing but instance metadata switched
/// off, so no test reads the developer's credentials or files, and none ever sends a
/// request to 169.254.169.254. Tests of the credential chain pass their own environment.
pub fn test_environment() -> Environment {
    Environment::from_vars([("AWS_EC2_METADATA_DISABLED", "true")])
}

/// The embedded component, compiled once per test binary (and cached across runs under
/// target/), with [`test_environment`].
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Runtime::from_component(COMPONENT, Some(&cache_dir()))
            .expect("load the embedded component")
            .with_environment(test_environment())
    })
}

pub fn cache_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/component-cache")
}

/// A multi-threaded tokio runtime for tests that drive the async store from plain
/// `#[test]` functions (2 workers: the machine's cores).
pub fn tokio() -> &'static tokio::runtime::Runtime {
    static TOKIO: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    TOKIO.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// A table name no other test uses.
pub fn unique_table(purpose: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "{purpose}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The plugin's defaults against `endpoint`, with throwaway credentials.
pub fn config(endpoint: &str, table: &str) -> Config {
    Config::for_table(table)
        .with_endpoint(endpoint)
        .with_credentials("AKIDTESTKEY", "test-secret-key")
}

/// A DynamoDB call made without the component: unsigned, which dynalite accepts as long
/// as an Authorization header is present.
pub fn raw_call(endpoint: &str, operation: &str, body: &Value) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(endpoint)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", &format!("DynamoDB_20120810.{operation}"))
        .header("x-amz-date", "20260101T000000Z")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDTESTKEY/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00",
        )
        .send(body.to_string())
        .expect("raw DynamoDB call");
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .expect("raw response body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The stored attribute values of one item, exactly as DynamoDB returns them.
pub fn raw_get_item(endpoint: &str, table: &str, key_column: &str, user_id: &str) -> Option<Value> {
    let (status, body) = raw_call(
        endpoint,
        "GetItem",
        &json!({"TableName": table, "Key": {key_column: {"S": user_id}}, "ConsistentRead": true}),
    );
    assert_eq!(status, 200, "raw GetItem failed: {body}");
    body.get("Item").cloned()
}

/// Raw attribute values with every set's members sorted: DynamoDB keeps no order in a set,
/// so two reads of the same set may list its members differently.
pub fn sets_sorted(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(name, value)| {
                    let value = match (name.as_str(), value) {
                        ("SS" | "NS" | "BS", Value::Array(set)) => {
                            let mut set = set.clone();
                            set.sort_by_key(|member| member.to_string());
                            Value::Array(set)
                        }
                        _ => sets_sorted(value),
                    };
                    (name.clone(), value)
                })
                .collect(),
        ),
        Value::Array(list) => Value::Array(list.iter().map(sets_sorted).collect()),
        other => other.clone(),
    }
}

/// Writes `item` (raw attribute values) without the component, as another client of the
/// table would (the original plugin, an analytics job).
pub fn raw_put_item(endpoint: &str, table: &str, item: &Value) {
    let (status, body) = raw_call(
        endpoint,
        "PutItem",
        &json!({"TableName": table, "Item": item}),
    );
    assert_eq!(status, 200, "raw PutItem failed: {body}");
}

pub fn raw_describe(endpoint: &str, table: &str) -> Value {
    let (status, body) = raw_call(endpoint, "DescribeTable", &json!({"TableName": table}));
    assert_eq!(status, 200, "raw DescribeTable failed: {body}");
    body["Table"].clone()
}

/// The WIT case of an error, for assertions; panics on success.
pub fn store_error<T: std::fmt::Debug>(result: Result<T, Error>) -> StoreError {
    match result {
        Err(Error::Store(e)) => e,
        other => panic!("expected a store error, got {other:?}"),
    }
}
