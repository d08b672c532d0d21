//! `make demo`: one user visits a voice app three times; the app keeps their data in
//! DynamoDB through the component. Expects a DynamoDB endpoint in `DYNAMODB_ENDPOINT`
//! (`make demo` starts a local dynalite and sets it).

use std::time::Instant;

use jovo_dynamodb_host::{Config, Environment, Error, Runtime};
use serde_json::{json, Value};

const TABLE: &str = "jovo-demo-users";
const USER: &str = "amzn1.ask.account.DEMO-USER";

fn main() {
    if let Err(error) = run() {
        eprintln!("demo failed: {error}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Error> {
    let endpoint =
        std::env::var("DYNAMODB_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:8000".into());
    let started = Instant::now();
    // The component is embedded in the crate. The demo signs with fixed keys, so the
    // credential chain is never asked; instance metadata is switched off all the same, so
    // the demo cannot send anything beyond the local server.
    let runtime = Runtime::load_default()?
        .with_environment(Environment::process().set("AWS_EC2_METADATA_DISABLED", "true"));
    println!(
        "component loaded in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    // Only a table name, as in the plugin's docs, plus where the local server is.
    let config = Config::for_table(TABLE)
        .with_endpoint(&endpoint)
        .with_credentials("demo-access-key", "demo-secret-key");
    let mut store = runtime.open(config)?;
    println!("table '{TABLE}' at {endpoint}: it does not exist yet; the first visit creates it\n");

    for visit in 1..=3 {
        let started = Instant::now();
        let item = store.load_user(USER)?;
        let is_new = item.is_none();
        let item = next_visit(item, visit);
        store.save_user(USER, &item)?;
        println!(
            "visit {visit}: new user: {is_new:<5} visits: {} items in history: {}  ({:.0} ms for load + save)",
            item["user"]["data"]["visits"],
            item["history"]["items"].as_array().map_or(0, Vec::len),
            started.elapsed().as_secs_f64() * 1e3
        );
    }

    let stored = store.load_user(USER)?.unwrap_or(Value::Null);
    println!("\nthe stored item, as the Jovo plugin would load it:");
    println!(
        "{}",
        serde_json::to_string_pretty(&stored).unwrap_or_default()
    );
    Ok(())
}

/// What a Jovo app's `$user.data`, session and history look like after one more visit.
fn next_visit(stored: Option<Value>, visit: u32) -> Value {
    let now = format!("2026-11-24T10:0{visit}:00.000Z");
    let mut item = stored.unwrap_or_else(|| {
        json!({
            "user": { "data": { "visits": 0, "favoriteColors": [] } },
            "session": { "state": [], "data": {} },
            "history": { "items": [] },
            "createdAt": now,
        })
    });
    let colors = ["blue", "green", "orange"];
    item["user"]["data"]["visits"] = json!(visit);
    if let Some(list) = item["user"]["data"]["favoriteColors"].as_array_mut() {
        list.push(json!(colors[(visit as usize - 1) % colors.len()]));
    }
    item["session"]["state"] =
        json!([{ "component": "GameComponent", "resolve": { "win": "onWin" } }]);
    if let Some(history) = item["history"]["items"].as_array_mut() {
        history.insert(0, json!({ "output": { "message": format!("Welcome back, visit {visit}!") }, "nlu": { "intent": { "name": "LaunchIntent" } } }));
        history.truncate(3);
    }
    item["updatedAt"] = json!(now);
    item
}
