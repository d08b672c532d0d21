//! One visit of a user from Rust, with the tokio store: load, count, save. `make demo` runs it
//! between the Jovo app's requests (see demo/run.mjs).
//!
//!   demo <endpoint> <table> <user id>        prints one JSON line

use std::time::Instant;

use jovo_dynamodb_host::{Config, Environment, Error, Runtime};
use serde_json::json;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [endpoint, table, user] = args.as_slice() else {
        eprintln!("usage: demo <endpoint> <table> <user id>");
        std::process::exit(2);
    };
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("demo failed: cannot start tokio: {e}");
            std::process::exit(1);
        });
    match tokio.block_on(visit(endpoint, table, user)) {
        Ok(line) => println!("{line}"),
        Err(error) => {
            eprintln!("demo failed: {error}");
            std::process::exit(1);
        }
    }
}

async fn visit(endpoint: &str, table: &str, user: &str) -> Result<serde_json::Value, Error> {
    let started = Instant::now();
    // The demo signs with fixed keys, so the credential chain is never asked; instance
    // metadata is switched off all the same, so nothing can go beyond the local server.
    let runtime = Runtime::load_default()?
        .with_environment(Environment::process().set("AWS_EC2_METADATA_DISABLED", "true"));
    let config = Config::for_table(table)
        .with_endpoint(endpoint)
        .with_credentials("demo-access-key", "demo-secret-key");
    let store = runtime.open_async(config)?;
    let opened = Instant::now();
    let Some(mut item) = store.load_user(user).await? else {
        eprintln!("demo failed: user {user} not found");
        std::process::exit(1);
    };
    let visits = item["user"]["data"]["visits"].as_u64().unwrap_or(0) + 1;
    item["user"]["data"]["visits"] = json!(visits);
    store.save_user(user, &item).await?;
    let done = Instant::now();
    let ms = |from: Instant, to: Instant| ((to - from).as_secs_f64() * 1e4).round() / 10.0;
    Ok(json!({
        "visits": visits,
        "open_ms": ms(started, opened),
        "load_save_ms": ms(opened, done),
    }))
}
