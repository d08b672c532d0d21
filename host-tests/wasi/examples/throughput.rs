//! Visits per second and CPU per visit, against dynalite, at concurrency 1 and 16, of
//! (1) the composed example (visit-counter + the WASI build) served by this wasmtime
//! wasi:http host, driven by plain HTTP clients on threads of this process, and (2) the Rust
//! host's tokio store (`AsyncDynamoDbStore`) doing the same visit (load the user, add one to
//! `user.data.visits`, save) in this process. CPU is this process's (dynalite runs apart): for
//! (1) the wasi:http server, the component and the small HTTP clients; for (2) the store.
//! Run by `bench/wasi-throughput.sh`; figures go to the report, never into assertions.

use std::time::{Duration, Instant};

use jovo_dynamodb_host::{Config, Runtime as HostRuntime};
use jovo_dynamodb_wasi_tests::compose::composed_visit_counter;
use jovo_dynamodb_wasi_tests::serve::serve;
use jovo_dynamodb_wasi_tests::support::{dynalite, http};
use jovo_dynamodb_wasi_tests::{engine, Outbound, Runtime};
use serde_json::{json, Value};
use wasmtime::component::Component;

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

const RUN_FOR: Duration = Duration::from_secs(5);

fn report(what: &str, concurrency: usize, visits: u32, elapsed: f64, cpu: f64) {
    println!(
        "| {what} | {concurrency} | {:.0} | {:.2} | {visits} |",
        f64::from(visits) / elapsed,
        cpu * 1000.0 / f64::from(visits)
    );
}

fn main() -> wasmtime::Result<()> {
    println!("| path | concurrency | visits/s | CPU ms per visit | visits |");
    println!("| --- | --- | --- | --- | --- |");
    let (_dynalite, endpoint) = dynalite(0);
    let composed = composed_visit_counter()?;
    let engine = engine()?;
    let component = Component::new(&engine, &composed)?;
    let runtime = Runtime::new(
        engine,
        &[
            ("TABLE", "throughput"),
            ("DYNAMODB_ENDPOINT", endpoint.as_str()),
            ("AWS_ACCESS_KEY_ID", "AKIDTESTKEY"),
            ("AWS_SECRET_ACCESS_KEY", "test-secret-key"),
        ],
        Outbound::allowing([Outbound::authority_of(&endpoint)]),
    );
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let address = tokio.block_on(serve(runtime, &component))?;
    let url = format!("http://{address}/visit/warmup");
    assert_eq!(http("GET", &url, &[], "").0, 200);
    for concurrency in [1, 16] {
        let (cpu, started) = (cpu_seconds(), Instant::now());
        let threads: Vec<_> = (0..concurrency)
            .map(|n| {
                let url = format!("http://{address}/visit/user-{concurrency}-{n}");
                std::thread::spawn(move || {
                    let mut count = 0u32;
                    while started.elapsed() < RUN_FOR {
                        assert_eq!(http("GET", &url, &[], "").0, 200);
                        count += 1;
                    }
                    count
                })
            })
            .collect();
        let visits: u32 = threads.into_iter().map(|t| t.join().unwrap_or(0)).sum();
        let (elapsed, cpu) = (started.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        report(
            "composed WASI example (wasi:http)",
            concurrency,
            visits,
            elapsed,
            cpu,
        );
    }
    drop(tokio);
    tokio_store_visits(&endpoint)
}

/// The same visit through the Rust host's tokio store, on a runtime of two worker threads.
fn tokio_store_visits(endpoint: &str) -> wasmtime::Result<()> {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let store = HostRuntime::load_default()?.open_async(
        Config::for_table("throughput-tokio")
            .with_endpoint(endpoint)
            .with_credentials("AKIDTESTKEY", "test-secret-key"),
    )?;
    let store = std::sync::Arc::new(store);
    let visit = |store: std::sync::Arc<jovo_dynamodb_host::AsyncDynamoDbStore>, user: String| async move {
        let mut item = store
            .load_user(&user)
            .await?
            .unwrap_or_else(|| json!({"user": {"data": {}}}));
        let visits = item["user"]["data"]["visits"].as_u64().unwrap_or(0) + 1;
        item["user"]["data"]["visits"] = Value::from(visits);
        store.save_user(&user, &item).await
    };
    tokio.block_on(visit(store.clone(), "warmup".into()))?;
    for concurrency in [1usize, 16] {
        let (cpu, started) = (cpu_seconds(), Instant::now());
        let visits: u32 = tokio.block_on(async {
            let tasks: Vec<_> = (0..concurrency)
                .map(|n| {
                    let store = store.clone();
                    let user = format!("user-{concurrency}-{n}");
                    tokio::spawn(async move {
                        let mut count = 0u32;
                        while started.elapsed() < RUN_FOR {
                            visit(store.clone(), user.clone()).await.expect("a visit");
                            count += 1;
                        }
                        count
                    })
                })
                .collect();
            let mut total = 0;
            for task in tasks {
                total += task.await.unwrap_or(0);
            }
            total
        });
        let (elapsed, cpu) = (started.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        report("Rust host, tokio store", concurrency, visits, elapsed, cpu);
    }
    Ok(())
}
