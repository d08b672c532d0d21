//! The component in the project's wasmtime host (`jovo-dynamodb-host`).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jovo_dynamodb_bench::{print_latency, print_loaded, print_throughput, process_cpu, timed, Args, TABLE};
use jovo_dynamodb_host::{Config, DynamoDbStore, Runtime};

fn open(runtime: &Runtime, endpoint: &str) -> DynamoDbStore {
    let config = Config::for_table(TABLE).with_endpoint(endpoint).with_credentials("bench", "bench-secret");
    runtime.open(config).expect("open")
}

fn main() {
    let args = Args::parse();
    let user = args.user_id();
    let item = args.item();
    let item_text = item.to_string();
    let runtime = Runtime::load_default().expect("component");
    let mut store = open(&runtime, &args.endpoint);
    match args.mode.as_str() {
        "cold" => {
            store.load_user(&user).expect("load");
            print_loaded();
        }
        "latency" => {
            let (ops, reps, warmup) = (args.num(0, 200), args.num(1, 5), args.num(2, 50));
            store.save_user(&user, &item).expect("save");
            for _ in 0..warmup {
                store.load_user(&user).expect("load");
                store.save_user(&user, &item).expect("save");
            }
            for rep in 0..reps {
                let (walls, cpu) = timed(ops, || {
                    store.load_user(&user).expect("load").expect("an item");
                });
                print_latency("load", rep, &walls, cpu);
                let (walls, cpu) = timed(ops, || store.save_user(&user, &item).expect("save"));
                print_latency("save", rep, &walls, cpu);
            }
        }
        "throughput" => {
            let (workers, seconds, op) = (args.num(0, 64), args.num(1, 3), args.word(2, "load"));
            store.save_user(&user, &item).expect("save");
            let stop = Arc::new(AtomicBool::new(false));
            let count = Arc::new(AtomicU64::new(0));
            let ready = Arc::new(std::sync::Barrier::new(workers as usize + 1));
            let threads: Vec<_> = (0..workers)
                .map(|_| {
                    let (runtime, endpoint, user, text) = (runtime.clone(), args.endpoint.clone(), user.clone(), item_text.clone());
                    let (stop, count, ready, op) = (stop.clone(), count.clone(), ready.clone(), op.clone());
                    std::thread::spawn(move || {
                        let mut store = open(&runtime, &endpoint);
                        store.ensure_table().expect("ensure");
                        ready.wait();
                        while !stop.load(Ordering::Relaxed) {
                            if op == "load" {
                                store.load_user(&user).expect("load");
                            } else {
                                store.save_user_json(&user, &text).expect("save");
                            }
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                    })
                })
                .collect();
            ready.wait();
            let (t, cpu) = (Instant::now(), process_cpu());
            std::thread::sleep(Duration::from_secs(seconds));
            let done = count.load(Ordering::Relaxed);
            let (elapsed, cpu) = (t.elapsed(), process_cpu() - cpu);
            stop.store(true, Ordering::Relaxed);
            for thread in threads {
                thread.join().expect("worker");
            }
            print_throughput(&op, workers, done, elapsed, cpu);
        }
        other => panic!("unknown mode {other}"),
    }
}
