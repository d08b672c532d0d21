//! Faults between the component and DynamoDB: a proxy of ours (tests/support/fault_proxy.rs)
//! sits between the Rust host and a real dynalite and, per request, answers 5xx or
//! throttling errors, resets the connection, truncates or garbles the body, answers too late,
//! or flips `x-amz-crc32`.
//!
//! For each fault the user story is the same: a fault that goes away is retried and the
//! call succeeds; a fault that stays ends after `max-attempts` (4) attempts with backoff
//! sleeps in between, as a typed error (never a trap); the next call succeeds; and a save
//! that was acknowledged is in DynamoDB, read back without the component.
//!
//! Every scenario runs twice: through the blocking store (the component calls `send` and
//! `sleep-ms`) and through the tokio store (the step-driven export; the host sends and
//! sleeps). Backoff is measured where it happens, on the wire: the proxy logs when each
//! attempt arrived and when it was answered, and the gap before a retry must stay within
//! the full-jitter ceiling.
//!
//! The tables of what happened are written to `target/fault-table.md` (blocking) and
//! `target/fault-table-async.md`.

#[path = "support/fault_proxy.rs"]
mod fault_proxy;
mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use fault_proxy::{Fault, FaultProxy, Seen};
use jovo_dynamodb_host::{AsyncDynamoDbStore, Config, DynamoDbStore, Error, TableStatus};
use serde_json::{json, Value};
use support::*;

const MAX_ATTEMPTS: u32 = 4;
const BASE_DELAY_MS: u32 = 50;
const REQUEST_TIMEOUT_MS: u32 = 800;
/// Longer than the request timeout, so a delayed answer is a timeout. The timeout leaves
/// dynalite room on a busy machine: a pass-through answer must never time out.
const DELAY: Duration = Duration::from_millis(1500);

fn faults() -> Vec<Fault> {
    vec![
        Fault::InternalServerError,
        Fault::ServiceUnavailable,
        Fault::Throttle("ProvisionedThroughputExceededException"),
        Fault::Throttle("ThrottlingException"),
        Fault::Throttle("RequestLimitExceeded"),
        Fault::Reset,
        Fault::Truncate,
        Fault::Garble,
        Fault::Delay(DELAY),
        Fault::FlipCrc,
    ]
}

/// The `store-error` case a fault must end in when it outlasts the attempts.
fn final_error(fault: &Fault) -> &'static str {
    match fault {
        Fault::InternalServerError | Fault::ServiceUnavailable | Fault::Validation => "service",
        Fault::Throttle(_) => "throttled",
        Fault::Reset => "transport-failed",
        // The host reads fewer bytes than content-length announced: a transport failure.
        Fault::Truncate => "transport-failed",
        Fault::Garble | Fault::FlipCrc => "malformed-response",
        Fault::Delay(_) => "timed-out",
        Fault::Pass => unreachable!("not a fault"),
    }
}

/// Slack for the gap before a retry beyond its backoff ceiling: the client's own work and
/// scheduling on a busy machine.
const GAP_SLACK: Duration = Duration::from_millis(150);

/// The blocking or the tokio store behind one interface, so every scenario runs on both.
enum Driver {
    Blocking(Box<DynamoDbStore>),
    Async(AsyncDynamoDbStore),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Blocking,
    Async,
}

impl Driver {
    fn open(kind: Kind, config: Config) -> Driver {
        match kind {
            Kind::Blocking => Driver::Blocking(Box::new(runtime().open(config).unwrap())),
            Kind::Async => Driver::Async(runtime().open_async(config).unwrap()),
        }
    }

    fn ensure_table(&mut self) -> Result<TableStatus, Error> {
        match self {
            Driver::Blocking(store) => store.ensure_table(),
            Driver::Async(store) => tokio().block_on(store.ensure_table()),
        }
    }

    fn save_user(&mut self, user: &str, item: &Value) -> Result<(), Error> {
        match self {
            Driver::Blocking(store) => store.save_user(user, item),
            Driver::Async(store) => tokio().block_on(store.save_user(user, item)),
        }
    }

    fn load_user(&mut self, user: &str) -> Result<Option<Value>, Error> {
        match self {
            Driver::Blocking(store) => store.load_user(user),
            Driver::Async(store) => tokio().block_on(store.load_user(user)),
        }
    }
}

/// The pauses before each retry, as the proxy saw them: from the moment an attempt was
/// answered (or, for an answer the client gave up on, its timeout ran out) to the arrival
/// of the next one.
fn gaps_before_retries(seen: &[Seen]) -> Vec<Duration> {
    seen.windows(2)
        .map(|pair| {
            let end = pair[0]
                .answered
                .unwrap_or(pair[0].received + Duration::from_millis(u64::from(REQUEST_TIMEOUT_MS)));
            pair[1].received.saturating_duration_since(end)
        })
        .collect()
}

/// One line of the fault table, with what was expected and what happened.
struct Row {
    operation: &'static str,
    script: String,
    attempts: usize,
    gaps: Vec<Duration>,
    outcome: String,
    problems: Vec<String>,
}

struct Bench {
    proxy: FaultProxy,
    store: Driver,
    table: String,
    user: &'static str,
    /// The item of the last acknowledged save (as stored attribute values).
    acknowledged: Option<Value>,
    /// A save that failed but may have reached DynamoDB (a forwarding fault).
    maybe_applied: Option<Value>,
    counter: u64,
    rows: Vec<Row>,
    errors: Vec<String>,
}

impl Bench {
    fn new(kind: Kind) -> Bench {
        let proxy = FaultProxy::start(server());
        let table = unique_table("faults");
        let mut config = config(&proxy.endpoint, &table);
        config.client.max_attempts = Some(MAX_ATTEMPTS);
        config.client.retry_base_delay_ms = Some(BASE_DELAY_MS);
        config.client.request_timeout_ms = Some(REQUEST_TIMEOUT_MS);
        let mut store = Driver::open(kind, config);
        store.ensure_table().unwrap();
        proxy.take_seen();
        Bench {
            proxy,
            store,
            table,
            user: "fault-user",
            acknowledged: None,
            maybe_applied: None,
            counter: 0,
            rows: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn next_item(&mut self) -> (Value, Value) {
        self.counter += 1;
        let n = self.counter;
        let item = json!({"user": {"data": {"n": n}}, "updatedAt": format!("t{n}")});
        let stored = json!({
            "userId": {"S": self.user},
            "user": {"M": {"data": {"M": {"n": {"N": n.to_string()}}}}},
            "updatedAt": {"S": format!("t{n}")}
        });
        (item, stored)
    }

    /// Runs `operation` with `script` queued, and checks attempts, backoff and outcome.
    /// `expected` is `Ok(())` for success or `Err(case)` for a final error.
    fn run(
        &mut self,
        operation: &'static str,
        script: Vec<Fault>,
        expected: Result<(), &'static str>,
    ) {
        let script_text = describe_script(&script);
        let queued = script.len();
        self.proxy.push(script.clone());
        let mut problems = Vec::new();
        let (result, saved) = match operation {
            "save" => {
                let (item, stored) = self.next_item();
                (
                    self.store.save_user(self.user, &item).map(|_| None),
                    Some(stored),
                )
            }
            "load" => (self.store.load_user(self.user).map(Some), None),
            _ => unreachable!(),
        };
        let seen = self.proxy.take_seen();
        let gaps = gaps_before_retries(&seen);
        if self.proxy.pending() != 0 {
            problems.push(format!("{} faults left unused", self.proxy.pending()));
        }
        let attempts = seen.len();
        let outcome = match &result {
            Ok(_) => "ok".to_string(),
            Err(e) => {
                self.errors.push(e.to_string());
                format!("`{}`: {}", e.code(), message_of(e))
            }
        };

        // Attempts: one per queued fault until success or the limit.
        let expected_attempts = match expected {
            Ok(()) => queued + 1,
            Err(_) => queued,
        };
        if attempts != expected_attempts {
            problems.push(format!("{attempts} requests, expected {expected_attempts}"));
        }
        // Backoff: the pause before each retry stays within its full-jitter ceiling.
        for (retry, gap) in gaps.iter().enumerate() {
            let ceiling = Duration::from_millis(u64::from(BASE_DELAY_MS << retry));
            if *gap > ceiling + GAP_SLACK {
                problems.push(format!(
                    "{} ms before retry {} > {} ms + slack",
                    gap.as_millis(),
                    retry + 1,
                    ceiling.as_millis()
                ));
            }
        }
        match (&result, expected) {
            (Ok(_), Ok(())) => {}
            (Err(Error::Runtime(e)), _) => problems.push(format!("the component trapped: {e}")),
            (Err(e), Err(case)) => {
                if e.code() != case {
                    problems.push(format!("error case {}, expected {case}", e.code()));
                }
                let says_attempts = format!("after {attempts} attempt");
                if !e.to_string().contains(&says_attempts) {
                    problems.push(format!("error does not say '{says_attempts}'"));
                }
            }
            (Ok(_), Err(case)) => problems.push(format!("succeeded, expected {case}")),
            (Err(e), Ok(())) => problems.push(format!("failed: {e}")),
        }

        // No acknowledged save lost: what DynamoDB holds, read without the component.
        let stored = raw_get_item(server(), &self.table, "userId", self.user);
        match (&result, saved) {
            (Ok(_), Some(saved)) => {
                if stored.as_ref() != Some(&saved) {
                    problems.push(format!("acknowledged save not stored: {stored:?}"));
                }
                self.acknowledged = Some(saved);
                self.maybe_applied = None;
            }
            (Err(_), Some(attempted)) => {
                // Not acknowledged: DynamoDB holds the last acknowledged item, or this one
                // when a fault hit after dynalite applied it.
                let forwarded = script.iter().any(Fault::forwards);
                if stored.as_ref() == Some(&attempted) && forwarded {
                    self.maybe_applied = Some(attempted);
                } else if stored != self.acknowledged {
                    problems.push(format!("stored item changed unexpectedly: {stored:?}"));
                }
            }
            (Ok(Some(loaded)), None) => {
                // A load returns what is stored, undamaged.
                let expected = self.maybe_applied.clone().or(self.acknowledged.clone());
                let loaded_n = loaded.as_ref().map(|v| v["user"]["data"]["n"].to_string());
                let stored_n = expected.as_ref().map(|v| {
                    v["user"]["M"]["data"]["M"]["n"]["N"]
                        .as_str()
                        .unwrap()
                        .to_string()
                });
                if loaded_n != stored_n {
                    problems.push(format!("loaded {loaded:?}, stored {expected:?}"));
                }
            }
            _ => {}
        }
        self.rows.push(Row {
            operation,
            script: script_text,
            attempts,
            gaps,
            outcome,
            problems,
        });
    }

    /// After a final error the same store works again at once.
    fn still_usable(&mut self) {
        self.run("save", vec![], Ok(()));
    }
}

/// The error text without the leading case name.
fn message_of(error: &Error) -> String {
    let text = error.to_string();
    let prefix = format!("{}: ", error.code());
    text.strip_prefix(&prefix).unwrap_or(&text).to_string()
}

fn describe_script(script: &[Fault]) -> String {
    match script {
        [] => "none".to_string(),
        [one] => one.describe(),
        [first, rest @ ..] if rest.iter().all(|f| f == first) => {
            format!("{} ×{}", first.describe(), script.len())
        }
        _ => script
            .iter()
            .map(Fault::describe)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn every_fault_is_retried_or_reported_and_no_acknowledged_save_is_lost(kind: Kind) {
    let mut bench = Bench::new(kind);
    bench.run("save", vec![], Ok(()));
    for fault in faults() {
        // A fault that goes away: retried, and the call succeeds.
        bench.run("save", vec![fault.clone()], Ok(()));
        bench.run("load", vec![fault.clone()], Ok(()));
        // A fault that stays: bounded attempts, a typed error, then business as usual.
        let script = vec![fault.clone(); MAX_ATTEMPTS as usize];
        bench.run("save", script.clone(), Err(final_error(&fault)));
        bench.run("load", script, Err(final_error(&fault)));
        bench.still_usable();
    }
    // Several different faults in a row within one call's attempts.
    bench.run(
        "save",
        vec![
            Fault::Throttle("ThrottlingException"),
            Fault::Reset,
            Fault::FlipCrc,
        ],
        Ok(()),
    );
    // A client error is not transient: one attempt, no sleep, a typed error.
    bench.run("save", vec![Fault::Validation], Err("service"));
    bench.still_usable();

    let table = fault_table(kind, &bench.rows);
    let name = match kind {
        Kind::Blocking => "fault-table.md",
        Kind::Async => "fault-table-async.md",
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target")
        .join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &table).unwrap();
    println!("{table}");
    let problems: Vec<String> = bench
        .rows
        .iter()
        .flat_map(|row| {
            row.problems
                .iter()
                .map(move |p| format!("{} with {}: {p}", row.operation, row.script))
        })
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    // The client really backs off: the expected total of the random pauses is about 4 s
    // (full jitter, 50/100/200 ms ceilings); under 1 s would mean no backoff at all.
    let total: Duration = bench.rows.iter().flat_map(|r| &r.gaps).sum();
    assert!(
        total > Duration::from_secs(1),
        "{} ms of pauses in all",
        total.as_millis()
    );
    // No error leaked the credentials the suite signs with.
    for error in &bench.errors {
        assert!(
            !error.contains("AKIDTESTKEY") && !error.contains("test-secret-key"),
            "{error}"
        );
    }
}

#[test]
fn every_fault_is_retried_or_reported_blocking() {
    every_fault_is_retried_or_reported_and_no_acknowledged_save_is_lost(Kind::Blocking);
}

#[test]
fn every_fault_is_retried_or_reported_async() {
    every_fault_is_retried_or_reported_and_no_acknowledged_save_is_lost(Kind::Async);
}

fn the_first_call_survives_faults_while_the_table_is_ensured(kind: Kind) {
    let proxy = FaultProxy::start(server());
    let table = unique_table("faults-ensure");
    let mut config = config(&proxy.endpoint, &table);
    config.client.request_timeout_ms = Some(REQUEST_TIMEOUT_MS);
    let mut store = Driver::open(kind, config);
    // DescribeTable refused twice, then answered (no table); CreateTable's answer is cut
    // off after dynalite applied it: the retried CreateTable finds the table being created
    // (ResourceInUseException), which counts as success, and the client waits for it.
    proxy.push([
        Fault::ServiceUnavailable,
        Fault::Throttle("ThrottlingException"),
        Fault::Pass,
        Fault::Truncate,
    ]);
    let item = json!({"user": {"data": {"visits": 1}}});
    store.save_user("first", &item).unwrap();
    assert_eq!(proxy.pending(), 0);
    let seen = proxy.take_seen();
    let operations: Vec<String> = seen.iter().map(|s| s.operation.clone()).collect();
    assert_eq!(
        operations[..5],
        [
            "DescribeTable",
            "DescribeTable",
            "DescribeTable",
            "CreateTable",
            "CreateTable"
        ],
        "{operations:?}"
    );
    assert_eq!(operations.last().map(String::as_str), Some("PutItem"));
    // After the retried CreateTable, the client polls DescribeTable while the table is
    // CREATING (dynalite: 500 ms) before it writes.
    let polls = operations[5..]
        .iter()
        .filter(|o| *o == "DescribeTable")
        .count();
    assert!(polls >= 1, "{operations:?}");
    let created = seen[4].received;
    let put = seen.last().unwrap().received;
    assert!(
        put.duration_since(created) >= Duration::from_millis(400),
        "wrote {} ms after CreateTable, inside the CREATING window",
        put.duration_since(created).as_millis()
    );
    assert_eq!(
        raw_get_item(server(), &table, "userId", "first"),
        Some(
            json!({"userId": {"S": "first"}, "user": {"M": {"data": {"M": {"visits": {"N": "1"}}}}}})
        )
    );
}

#[test]
fn the_first_call_survives_faults_while_the_table_is_ensured_blocking() {
    the_first_call_survives_faults_while_the_table_is_ensured(Kind::Blocking);
}

#[test]
fn the_first_call_survives_faults_while_the_table_is_ensured_async() {
    the_first_call_survives_faults_while_the_table_is_ensured(Kind::Async);
}

fn fault_table(kind: Kind, rows: &[Row]) -> String {
    let mut out = String::new();
    let store = match kind {
        Kind::Blocking => "the blocking store (DynamoDbStore)",
        Kind::Async => "the tokio store (AsyncDynamoDbStore, step-driven export)",
    };
    let _ = writeln!(
        out,
        "# Fault table: {store}\n\nThe component (max-attempts {MAX_ATTEMPTS}, retry-base-delay-ms {BASE_DELAY_MS}, request-timeout-ms {REQUEST_TIMEOUT_MS}) through the fault proxy to dynalite; written by `cargo test --release -p jovo-dynamodb-host --test faults`. \"Faults\" are consumed one per request, then requests pass through. The pauses before retries are measured by the proxy (answer to next arrival).\n"
    );
    let _ = writeln!(
        out,
        "| call | faults injected | requests | pauses before retries (ms) | outcome | checks |\n| --- | --- | --- | --- | --- | --- |"
    );
    for row in rows {
        let sleeps = if row.gaps.is_empty() {
            "-".to_string()
        } else {
            row.gaps
                .iter()
                .map(|gap| gap.as_millis().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let outcome = shorten(&row.outcome, 150).replace('|', "\\|");
        let checks = if row.problems.is_empty() {
            "pass".to_string()
        } else {
            format!("FAIL: {}", row.problems.join("; ")).replace('|', "\\|")
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {sleeps} | {outcome} | {checks} |",
            row.operation, row.script, row.attempts
        );
    }
    out
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

/// With optimistic locking a save is a conditional put: not idempotent by itself. When its
/// answer is lost after DynamoDB applied it, the retry finds its own write; the component
/// recognises that and reports success instead of a conflict, and the version moves once.
fn a_locked_save_whose_answer_was_lost_is_not_reported_as_a_conflict(kind: Kind) {
    let proxy = FaultProxy::start(server());
    let table = unique_table("faults-locking");
    let mut config = config(&proxy.endpoint, &table);
    config.client.request_timeout_ms = Some(REQUEST_TIMEOUT_MS);
    config.table.optimistic_locking = Some(true);
    let mut store = Driver::open(kind, config);
    store.ensure_table().unwrap();
    proxy.take_seen();

    let mut version: Option<Value> = None;
    for (visit, fault) in [
        Fault::Truncate,
        Fault::Delay(DELAY),
        Fault::FlipCrc,
        Fault::Garble,
    ]
    .into_iter()
    .enumerate()
    {
        let mut item = json!({"user": {"data": {"visit": visit}}});
        if let Some(version) = &version {
            item["version"] = version.clone();
        }
        proxy.push([fault.clone()]);
        store
            .save_user("locked", &item)
            .unwrap_or_else(|e| panic!("save after {}: {e}", fault.describe()));
        let loaded = store.load_user("locked").unwrap().unwrap();
        assert_eq!(loaded["user"]["data"]["visit"], json!(visit));
        let stored = raw_get_item(server(), &table, "userId", "locked").unwrap();
        assert_eq!(
            stored["version"]["N"],
            json!((visit + 1).to_string()),
            "one save, one version step, despite {}",
            fault.describe()
        );
        version = Some(loaded["version"].clone());
    }
    // A real conflict is still one: a save based on an old version.
    let stale = json!({"user": {"data": {"visit": "stale"}}, "version": 1});
    let error = store.save_user("locked", &stale).unwrap_err();
    assert_eq!(error.code(), "conditional-conflict", "{error}");
}

#[test]
fn a_locked_save_whose_answer_was_lost_is_not_reported_as_a_conflict_blocking() {
    a_locked_save_whose_answer_was_lost_is_not_reported_as_a_conflict(Kind::Blocking);
}

#[test]
fn a_locked_save_whose_answer_was_lost_is_not_reported_as_a_conflict_async() {
    a_locked_save_whose_answer_was_lost_is_not_reported_as_a_conflict(Kind::Async);
}
