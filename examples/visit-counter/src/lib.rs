//! `GET /visit/<user>`: load the user, count a visit, save, answer
//! `{"user": "<user>", "visits": n}`. Items keep the Jovo DynamoDB plugin's format
//! (`user.data`, `session`, `history`, `createdAt`, `updatedAt`); the count is in
//! `user.data.visits`, where the Jovo demo app keeps it.
//!
//! Settings come from the environment, as a wasm runtime passes variables: `TABLE`
//! (default `visits`), `DYNAMODB_ENDPOINT` (default: the region's), and the AWS variables the
//! store reads itself (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, ...).

mod bindings {
    wit_bindgen::generate!({
        path: ["../../wit", "wit"],
        world: "example:visit-counter/app",
        generate_all,
    });
}

use bindings::exports::wasi::http::incoming_handler::Guest;
use bindings::jovo::dynamodb::store::{
    Client, ClientConfig, Config, MarshallOptions, StoreError, TableConfig,
};
use bindings::wasi::http::types::{
    Fields, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use serde_json::{json, Value};

struct App;

impl Guest for App {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let (status, body) = match (request.method(), request.path_with_query()) {
            (Method::Get, Some(path)) => match path.strip_prefix("/visit/") {
                Some(user) if !user.is_empty() && !user.contains(['/', '?']) => match visit(user) {
                    Ok(visits) => (200, json!({ "user": user, "visits": visits })),
                    Err(VisitError::Store(e)) => (502, json!({ "error": format!("{e:?}") })),
                    Err(VisitError::NotJson) => (
                        409,
                        json!({ "error": "the stored item holds binary or sets ($-forms of item text), which this example does not read; it was left unchanged" }),
                    ),
                },
                _ => (404, json!({ "error": "GET /visit/<user>" })),
            },
            _ => (405, json!({ "error": "GET /visit/<user>" })),
        };
        respond(out, status, &body.to_string());
    }
}

fn config(create_table_on_init: bool) -> Config {
    let table = std::env::var("TABLE").unwrap_or_else(|_| "visits".into());
    Config {
        table: TableConfig {
            name: table,
            create_table_on_init: Some(create_table_on_init),
            primary_key_column: None,
            read_capacity_units: None,
            write_capacity_units: None,
            billing_mode: None,
            optimistic_locking: None,
            version_attribute: None,
            expire_after_days: None,
            expiry_attribute: None,
        },
        client: ClientConfig {
            region: None,
            endpoint: std::env::var("DYNAMODB_ENDPOINT").ok(),
            credentials: None,
            request_timeout_ms: None,
            max_attempts: None,
            retry_base_delay_ms: None,
            retry_max_delay_ms: None,
            table_ready_timeout_ms: None,
            operation_timeout_ms: None,
        },
        marshall: MarshallOptions {
            remove_undefined_values: None,
            convert_class_instance_to_map: None,
            convert_empty_values: None,
        },
    }
}

enum VisitError {
    Store(StoreError),
    /// The stored item is item text with binary or sets: saving what this example parses
    /// would lose them, so it stops instead.
    NotJson,
}

impl From<StoreError> for VisitError {
    fn from(e: StoreError) -> Self {
        VisitError::Store(e)
    }
}

fn visit(user: &str) -> Result<u64, VisitError> {
    // A wasi:http runtime gives every request a new instance, and a client that ensures its
    // table on first use would send a DescribeTable with every visit. So the table is taken
    // to exist; only when DynamoDB says it does not is it created (by a client that may), and
    // the visit goes on.
    let mut client = Client::open(&config(false))?;
    let stored = match client.load_user(user) {
        Err(StoreError::TableMissing(_)) => {
            client = Client::open(&config(true))?;
            client.load_user(user)?
        }
        other => other?,
    };
    let now = now_iso();
    let mut item = match stored {
        Some(text) => serde_json::from_str(&text).map_err(|_| VisitError::NotJson)?,
        None => json!({
            "user": { "data": {} },
            "session": {},
            "history": {},
            "createdAt": now,
        }),
    };
    let visits = item["user"]["data"]["visits"].as_u64().unwrap_or(0) + 1;
    item["user"]["data"]["visits"] = json!(visits);
    item["updatedAt"] = Value::String(now);
    client.save_user(user, &item.to_string())?;
    Ok(visits)
}

fn respond(out: ResponseOutparam, status: u16, body: &str) {
    let headers = Fields::from_list(&[("content-type".into(), b"application/json".to_vec())])
        .unwrap_or_else(|_| Fields::new());
    let response = OutgoingResponse::new(headers);
    let _ = response.set_status_code(status);
    let Ok(outgoing) = response.body() else {
        return;
    };
    ResponseOutparam::set(out, Ok(response));
    if let Ok(stream) = outgoing.write() {
        for chunk in body.as_bytes().chunks(4096) {
            if stream.blocking_write_and_flush(chunk).is_err() {
                break;
            }
        }
    }
    let _ = OutgoingBody::finish(outgoing, None);
}

/// `2026-12-07T21:32:40.123Z`, as JavaScript's `toISOString`, which the plugin writes.
fn now_iso() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let (secs, millis) = (since.as_secs() as i64, since.subsec_millis());
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

bindings::export!(App with_types_in bindings);
