//! The peer: `aws-sdk-dynamodb` as a Rust user would write it (tokio, one shared client,
//! static credentials, endpoint_url), with a hand-written JSON <-> AttributeValue mapping
//! so that it loads and saves the same JSON items as our host.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::{Client, Config};
use jovo_dynamodb_bench::{measure_async_throughput, print_latency, print_loaded, process_cpu, Args, TABLE};
use serde_json::{Map, Value};

fn marshal(value: &Value) -> AttributeValue {
    match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(items) => AttributeValue::L(items.iter().map(marshal).collect()),
        Value::Object(map) => AttributeValue::M(map.iter().map(|(k, v)| (k.clone(), marshal(v))).collect()),
    }
}

fn unmarshal(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::N(n) => Value::Number(n.parse().expect("number")),
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::L(items) => Value::Array(items.iter().map(unmarshal).collect()),
        AttributeValue::M(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), unmarshal(v))).collect::<Map<_, _>>()),
        other => panic!("unexpected attribute {other:?}"),
    }
}

fn item_attributes(user: &str, item: &Value) -> HashMap<String, AttributeValue> {
    let mut attributes: HashMap<String, AttributeValue> = HashMap::new();
    attributes.insert("userId".into(), AttributeValue::S(user.to_string()));
    for (k, v) in item.as_object().expect("object") {
        attributes.insert(k.clone(), marshal(v));
    }
    attributes
}

async fn load(client: &Client, user: &str) -> Option<Value> {
    let out = client
        .get_item()
        .table_name(TABLE)
        .key("userId", AttributeValue::S(user.to_string()))
        .send()
        .await
        .expect("get_item");
    out.item().map(|item| Value::Object(item.iter().map(|(k, v)| (k.clone(), unmarshal(v))).collect()))
}

async fn save(client: &Client, user: &str, item: &Value) {
    client
        .put_item()
        .table_name(TABLE)
        .set_item(Some(item_attributes(user, item)))
        .send()
        .await
        .expect("put_item");
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let user = args.user_id();
    let item = args.item();
    let config = Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("bench", "bench-secret", None, None, "bench"))
        .endpoint_url(&args.endpoint)
        .build();
    let client = Client::from_conf(config);
    match args.mode.as_str() {
        "cold" => {
            load(&client, &user).await;
            print_loaded();
        }
        "latency" => {
            let (ops, reps, warmup) = (args.num(0, 200), args.num(1, 5), args.num(2, 50));
            save(&client, &user, &item).await;
            for _ in 0..warmup {
                load(&client, &user).await;
                save(&client, &user, &item).await;
            }
            for rep in 0..reps {
                for op in ["load", "save"] {
                    let mut walls = Vec::with_capacity(ops as usize);
                    let cpu = process_cpu();
                    for _ in 0..ops {
                        let t = Instant::now();
                        if op == "load" {
                            load(&client, &user).await.expect("an item");
                        } else {
                            save(&client, &user, &item).await;
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
            save(&client, &user, &item).await;
            let stop = Arc::new(AtomicBool::new(false));
            let count = Arc::new(AtomicU64::new(0));
            let item = Arc::new(item);
            let tasks: Vec<_> = (0..workers)
                .map(|_| {
                    let (client, user, item, op) = (client.clone(), user.clone(), item.clone(), op.clone());
                    let (stop, count) = (stop.clone(), count.clone());
                    tokio::spawn(async move {
                        // "cycle": a load and a save in turn (what one Jovo request does).
                        let mut turn = 0u64;
                        while !stop.load(Ordering::Relaxed) {
                            turn += 1;
                            if op == "load" || (op == "cycle" && turn % 2 == 1) {
                                load(&client, &user).await;
                            } else {
                                save(&client, &user, &item).await;
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
