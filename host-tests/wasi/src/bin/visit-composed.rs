//! One visit of a user through the composed example: examples/visit-counter with the WASI
//! build plugged in (as `wac plug` does), served by wasmtime's wasi:http host as
//! `wasmtime serve` serves it, asked `GET /visit/<user>`. `make demo` runs it (demo/run.mjs).
//!
//!   visit-composed <endpoint> <table> <user id>        prints one JSON line

use std::time::Instant;

use jovo_dynamodb_wasi_tests::compose::composed_visit_counter;
use jovo_dynamodb_wasi_tests::serve::serve;
use jovo_dynamodb_wasi_tests::support::http;
use jovo_dynamodb_wasi_tests::{engine, Outbound, Runtime};
use serde_json::{json, Value};
use wasmtime::component::Component;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [endpoint, table, user] = args.as_slice() else {
        eprintln!("usage: visit-composed <endpoint> <table> <user id>");
        std::process::exit(2);
    };
    match visit(endpoint, table, user) {
        Ok(line) => println!("{line}"),
        Err(error) => {
            eprintln!("visit-composed failed: {error:#}");
            std::process::exit(1);
        }
    }
}

fn visit(endpoint: &str, table: &str, user: &str) -> wasmtime::Result<Value> {
    let started = Instant::now();
    let composed = composed_visit_counter()?;
    let engine = engine()?;
    let component = Component::new(&engine, &composed)?;
    let runtime = Runtime::new(
        engine,
        &[
            ("TABLE", table),
            ("DYNAMODB_ENDPOINT", endpoint),
            ("AWS_ACCESS_KEY_ID", "demo-access-key"),
            ("AWS_SECRET_ACCESS_KEY", "demo-secret-key"),
        ],
        Outbound::allowing([Outbound::authority_of(endpoint)]),
    );
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let address = tokio.block_on(serve(runtime, &component))?;
    let opened = Instant::now();
    let (status, body) = http("GET", &format!("http://{address}/visit/{user}"), &[], "");
    let done = Instant::now();
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    if status != 200 {
        wasmtime::bail!("GET /visit/{user} answered {status}: {body}");
    }
    let ms = |from: Instant, to: Instant| ((to - from).as_secs_f64() * 1e4).round() / 10.0;
    Ok(json!({
        "visits": body["visits"],
        "open_ms": ms(started, opened),
        "load_save_ms": ms(opened, done),
    }))
}
