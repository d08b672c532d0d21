//! The component in the project's wasmtime host (`jovo-dynamodb-host`).

use jovo_dynamodb_bench::{print_latency, print_loaded, run_throughput, timed, Args, TABLE};
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
            let (runtime, endpoint) = (runtime.clone(), args.endpoint.clone());
            run_throughput(&op.clone(), workers, seconds, move || {
                let mut store = open(&runtime, &endpoint);
                store.ensure_table().expect("ensure");
                let (user, text, op) = (user.clone(), item_text.clone(), op.clone());
                // "cycle": a load and a save in turn (what one Jovo request does).
                let mut turn = 0u64;
                move || {
                    turn += 1;
                    if op == "load" || (op == "cycle" && turn % 2 == 1) {
                        store.load_user(&user).expect("load");
                    } else {
                        store.save_user_json(&user, &text).expect("save");
                    }
                }
            });
        }
        other => panic!("unknown mode {other}"),
    }
}
