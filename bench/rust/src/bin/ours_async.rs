//! The component in the project's wasmtime host, async: `AsyncDynamoDbStore` on tokio, which
//! drives the component's step-driven export. Throughput: `workers` tasks share one store
//! (one component instance, one connection pool), as the store's docs advise.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use jovo_dynamodb_bench::{measure_async_throughput, print_latency, print_loaded, process_cpu, Args, TABLE};
use jovo_dynamodb_host::{AsyncDynamoDbStore, Config, Runtime};

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let user = args.user_id();
    let item = args.item();
    let runtime = Runtime::load_default().expect("component");
    let config = Config::for_table(TABLE).with_endpoint(&args.endpoint).with_credentials("bench", "bench-secret");
    let store: AsyncDynamoDbStore = runtime.open_async(config).expect("open");
    match args.mode.as_str() {
        "cold" => {
            store.load_user(&user).await.expect("load").expect("an item");
            print_loaded();
        }
        "latency" => {
            let (ops, reps, warmup) = (args.num(0, 200), args.num(1, 5), args.num(2, 50));
            store.save_user(&user, &item).await.expect("save");
            for _ in 0..warmup {
                store.load_user(&user).await.expect("load");
                store.save_user(&user, &item).await.expect("save");
            }
            for rep in 0..reps {
                for op in ["load", "save"] {
                    let mut walls = Vec::with_capacity(ops as usize);
                    let cpu = process_cpu();
                    for _ in 0..ops {
                        let t = Instant::now();
                        if op == "load" {
                            store.load_user(&user).await.expect("load").expect("an item");
                        } else {
                            store.save_user(&user, &item).await.expect("save");
                        }
                        walls.push(t.elapsed().as_secs_f64() * 1e6);
                    }
                    let cpu = (process_cpu() - cpu).as_secs_f64() * 1e6 / ops as f64;
                    print_latency(op, rep, &walls, cpu);
                }
            }
        }
        "throughput" => {
            let (workers, seconds, op) = (args.num(0, 64), args.num(1, 3), args.word(2, "load"));
            store.save_user(&user, &item).await.expect("save");
            let stop = Arc::new(AtomicBool::new(false));
            let count = Arc::new(AtomicU64::new(0));
            let text = Arc::new(item.to_string());
            let tasks: Vec<_> = (0..workers)
                .map(|_| {
                    let (store, user, text, op) = (store.clone(), user.clone(), text.clone(), op.clone());
                    let (stop, count) = (stop.clone(), count.clone());
                    tokio::spawn(async move {
                        // "cycle": a load and a save in turn (what one Jovo request does).
                        let mut turn = 0u64;
                        while !stop.load(Ordering::Relaxed) {
                            turn += 1;
                            if op == "load" || (op == "cycle" && turn % 2 == 1) {
                                store.load_user_json(&user).await.expect("load");
                            } else {
                                store.save_user_json(&user, &text).await.expect("save");
                            }
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                    })
                })
                .collect();
            measure_async_throughput(&op, workers, seconds, &count, &stop, tasks).await;
        }
        other => panic!("unknown mode {other}"),
    }
}
