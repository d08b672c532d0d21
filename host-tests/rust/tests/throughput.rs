//! Measurement, not a check (`--ignored`): the tokio store against the blocking one on the
//! same dynalite, latency of `load_user` one at a time and throughput at concurrency 64.
//! dynalite (one Node process on the same 2 cores) is the bottleneck: compare the stores
//! with each other, not with DynamoDB. Writes `target/async-throughput.md`.
//!
//! `cargo test --release -p jovo-dynamodb-host --test throughput -- --ignored --nocapture`

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use serde_json::json;
use support::*;

const SEQUENTIAL: usize = 1000;
const CONCURRENCY: usize = 64;
const WINDOW: Duration = Duration::from_secs(4);

/// CPU time of this process (user + system) from /proc/self/stat, in milliseconds.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks * 10.0 // USER_HZ is 100 on Linux
}

struct Measure {
    name: &'static str,
    ops: usize,
    wall: Duration,
    cpu_ms: f64,
    latencies_us: Vec<u64>,
}

impl Measure {
    fn row(&mut self) -> String {
        self.latencies_us.sort_unstable();
        let p = |q: f64| {
            if self.latencies_us.is_empty() {
                return 0.0;
            }
            self.latencies_us[((self.latencies_us.len() - 1) as f64 * q) as usize] as f64 / 1e3
        };
        let latency = if self.latencies_us.is_empty() {
            "-".to_string()
        } else {
            format!("{:.3} / {:.3}", p(0.5), p(0.99))
        };
        format!(
            "| {} | {} | {:.0} | {latency} | {:.0} |",
            self.name,
            self.ops,
            self.ops as f64 / self.wall.as_secs_f64(),
            self.cpu_ms * 1e3 / self.ops as f64
        )
    }
}

#[test]
#[ignore = "a measurement; run with --ignored"]
fn async_and_blocking_stores_against_dynalite() {
    let table = unique_table("throughput");
    let item = json!({"user": {"data": {"visits": 3, "name": "Ada"}}, "session": {"state": []},
                      "createdAt": "2026-11-24T10:00:00.000Z"});
    let mut blocking = runtime().open(config(server(), &table)).unwrap();
    blocking.save_user("user", &item).unwrap();
    let store = runtime().open_async(config(server(), &table)).unwrap();
    tokio().block_on(store.ensure_table()).unwrap();
    let mut rows = Vec::new();

    // One at a time.
    for _ in 0..100 {
        blocking.load_user("user").unwrap();
        tokio().block_on(store.load_user("user")).unwrap();
    }
    let (cpu, started) = (cpu_ms(), Instant::now());
    let mut latencies = Vec::new();
    for _ in 0..SEQUENTIAL {
        let t = Instant::now();
        blocking.load_user("user").unwrap().unwrap();
        latencies.push(t.elapsed().as_micros() as u64);
    }
    rows.push(Measure {
        name: "blocking `load_user`, one at a time",
        ops: SEQUENTIAL,
        wall: started.elapsed(),
        cpu_ms: cpu_ms() - cpu,
        latencies_us: latencies,
    });
    let (cpu, started) = (cpu_ms(), Instant::now());
    let latencies = tokio().block_on(async {
        let mut latencies = Vec::new();
        for _ in 0..SEQUENTIAL {
            let t = Instant::now();
            store.load_user("user").await.unwrap().unwrap();
            latencies.push(t.elapsed().as_micros() as u64);
        }
        latencies
    });
    rows.push(Measure {
        name: "async `load_user`, one at a time",
        ops: SEQUENTIAL,
        wall: started.elapsed(),
        cpu_ms: cpu_ms() - cpu,
        latencies_us: latencies,
    });

    // Concurrency 64, blocking: 64 threads, a store each.
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(CONCURRENCY + 1));
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (stop, count, barrier, table) = (
                Arc::clone(&stop),
                Arc::clone(&count),
                Arc::clone(&barrier),
                table.clone(),
            );
            std::thread::spawn(move || {
                let mut store = runtime().open(config(server(), &table)).unwrap();
                store.ensure_table().unwrap();
                barrier.wait();
                while !stop.load(Ordering::Relaxed) {
                    store.load_user("user").unwrap().unwrap();
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    barrier.wait();
    let (cpu, started) = (cpu_ms(), Instant::now());
    std::thread::sleep(WINDOW);
    let ops = count.load(Ordering::Relaxed);
    let (wall, cpu) = (started.elapsed(), cpu_ms() - cpu);
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.join().unwrap();
    }
    rows.push(Measure {
        name: "blocking, 64 threads (a store each)",
        ops,
        wall,
        cpu_ms: cpu,
        latencies_us: Vec::new(),
    });

    // Concurrency 64, async: 64 tasks on one store.
    let (ops, wall, cpu) = tokio().block_on(async {
        let stop = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..CONCURRENCY)
            .map(|_| {
                let (store, stop, count) = (store.clone(), Arc::clone(&stop), Arc::clone(&count));
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        store.load_user("user").await.unwrap().unwrap();
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300)).await; // warm the pool
        let (before, cpu, started) = (count.load(Ordering::Relaxed), cpu_ms(), Instant::now());
        tokio::time::sleep(WINDOW).await;
        let ops = count.load(Ordering::Relaxed) - before;
        let (wall, cpu) = (started.elapsed(), cpu_ms() - cpu);
        stop.store(true, Ordering::Relaxed);
        for task in tasks {
            task.await.unwrap();
        }
        (ops, wall, cpu)
    });
    rows.push(Measure {
        name: "async, 64 tasks on one store",
        ops,
        wall,
        cpu_ms: cpu,
        latencies_us: Vec::new(),
    });

    let mut report = String::new();
    let _ = writeln!(
        report,
        "# Async vs blocking store\n\n`cargo test --release -p jovo-dynamodb-host --test throughput -- --ignored`: `load_user` of a small item against one dynalite on 127.0.0.1, same process, same run. CPU is this process's (user + system; dynalite not included), per operation.\n\n\
         | store | operations | ops/s | latency p50 / p99 (ms) | client CPU per op (µs) |\n| --- | --- | --- | --- | --- |"
    );
    for row in &mut rows {
        let _ = writeln!(report, "{}", row.row());
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/async-throughput.md");
    std::fs::write(&path, &report).unwrap();
    println!("{report}");
}
