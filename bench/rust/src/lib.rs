//! What the three bench binaries share: arguments, the items, timing and the JSON lines
//! they print for `bench/run.py`.
//!
//! Every binary takes `<endpoint> <mode> <shape> [mode arguments]`:
//! - `cold`: one load, then print `{"event":"loaded"}` and exit (run.py times the process).
//! - `latency <ops> <reps> <warmup>`: concurrency 1; per repetition `ops` loads then `ops`
//!   saves, each timed; prints one line per repetition and operation.
//! - `throughput <workers> <seconds> <load|save>`: `workers` concurrent callers for the
//!   given time; prints operations per second and CPU per operation.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TABLE: &str = "bench-users";

pub struct Args {
    pub endpoint: String,
    pub mode: String,
    pub shape: String,
    pub rest: Vec<String>,
}

impl Args {
    pub fn parse() -> Args {
        let mut args = std::env::args().skip(1);
        let mut next = |what: &str| {
            args.next()
                .unwrap_or_else(|| panic!("usage: <endpoint> <cold|latency|throughput> <small|large> ...; missing {what}"))
        };
        let endpoint = next("endpoint");
        let mode = next("mode");
        let shape = next("shape");
        Args { endpoint, mode, shape, rest: std::env::args().skip(4).collect() }
    }

    pub fn num(&self, index: usize, default: u64) -> u64 {
        self.rest.get(index).map_or(default, |v| v.parse().expect("a number"))
    }

    pub fn word(&self, index: usize, default: &str) -> String {
        self.rest.get(index).cloned().unwrap_or_else(|| default.to_string())
    }

    /// The user id tells the stub server which canned item to answer with.
    pub fn user_id(&self) -> String {
        format!("bench-{}", self.shape)
    }

    /// The Jovo item of this shape (without the key column), from `bench/items/`.
    pub fn item(&self) -> Value {
        let dir = std::env::var("BENCH_ITEMS")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../items").to_string());
        let path = format!("{dir}/{}.json", self.shape);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).expect("item JSON")
    }
}

/// A JSON value as DynamoDB attribute values, as `marshall` of @aws-sdk/util-dynamodb does
/// with the plugin's defaults: for the requests and answers the benches prepare in advance.
pub fn marshal(value: &Value) -> Value {
    match value {
        Value::Null => json!({ "NULL": true }),
        Value::Bool(b) => json!({ "BOOL": b }),
        Value::Number(n) => json!({ "N": n.to_string() }),
        Value::String(s) => json!({ "S": s }),
        Value::Array(items) => json!({ "L": items.iter().map(marshal).collect::<Vec<_>>() }),
        Value::Object(map) => json!({ "M": map.iter().map(|(k, v)| (k.clone(), marshal(v))).collect::<serde_json::Map<_, _>>() }),
    }
}

/// CPU time of the whole process (all threads), user + system.
pub fn process_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec, which we own.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Times `ops` calls of `f`: per-call wall times and the process CPU per call.
pub fn timed(ops: u64, mut f: impl FnMut()) -> (Vec<f64>, f64) {
    let mut walls = Vec::with_capacity(ops as usize);
    let cpu = process_cpu();
    for _ in 0..ops {
        let t = Instant::now();
        f();
        walls.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let cpu = (process_cpu() - cpu).as_secs_f64() * 1e6 / ops as f64;
    (walls, cpu)
}

pub fn print_latency(op: &str, rep: u64, walls: &[f64], cpu_us: f64) {
    let line = json!({ "kind": "latency", "op": op, "rep": rep, "cpu_us": cpu_us, "wall_us": walls });
    println!("{line}");
}

pub fn print_throughput(op: &str, workers: u64, ops: u64, elapsed: Duration, cpu: Duration) {
    let line = json!({
        "kind": "throughput", "op": op, "workers": workers, "ops": ops,
        "ops_per_s": ops as f64 / elapsed.as_secs_f64(),
        "cpu_us": cpu.as_secs_f64() * 1e6 / ops as f64,
    });
    println!("{line}");
}

/// Starts `workers` threads that each prepare with `setup` (a connection, a store), wait for
/// all to be ready, then call the operation it returned in a loop; after `seconds` prints
/// the throughput and the CPU per operation.
pub fn run_throughput<Setup, Operation>(op: &str, workers: u64, seconds: u64, setup: Setup)
where
    Setup: Fn() -> Operation + Send + Sync + 'static,
    Operation: FnMut(),
{
    let setup = Arc::new(setup);
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let ready = Arc::new(Barrier::new(workers as usize + 1));
    let threads: Vec<_> = (0..workers)
        .map(|_| {
            let (setup, stop, count, ready) = (setup.clone(), stop.clone(), count.clone(), ready.clone());
            std::thread::spawn(move || {
                let mut operation = setup();
                ready.wait();
                while !stop.load(Ordering::Relaxed) {
                    operation();
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    ready.wait();
    let (started, cpu) = (Instant::now(), process_cpu());
    std::thread::sleep(Duration::from_secs(seconds));
    let done = count.load(Ordering::Relaxed);
    let (elapsed, cpu) = (started.elapsed(), process_cpu() - cpu);
    stop.store(true, Ordering::Relaxed);
    for thread in threads {
        thread.join().expect("worker");
    }
    print_throughput(op, workers, done, elapsed, cpu);
}

/// The measuring half of an async (tokio) throughput run: the `tasks` add to `count` until
/// `stop`. After 300 ms for every task to get its connection, counts `seconds` of operations
/// and their CPU, prints them, then stops and joins the tasks.
pub async fn measure_async_throughput(
    op: &str,
    workers: u64,
    seconds: u64,
    count: &AtomicU64,
    stop: &AtomicBool,
    tasks: Vec<tokio::task::JoinHandle<()>>,
) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (start_count, t, cpu) = (count.load(Ordering::Relaxed), Instant::now(), process_cpu());
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let done = count.load(Ordering::Relaxed) - start_count;
    let (elapsed, cpu) = (t.elapsed(), process_cpu() - cpu);
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("task");
    }
    print_throughput(op, workers, done, elapsed, cpu);
}

pub fn print_loaded() {
    println!("{}", json!({ "event": "loaded" }));
}
