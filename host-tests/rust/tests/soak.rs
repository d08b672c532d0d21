//! Load: 64 worker threads, each with its own `DynamoDbStore` from one shared `Runtime`,
//! run 20,000 mixed loads and saves over 500 users against dynalite, in bounded time.
//! Zero errors are allowed, and every user's final state is checked by reading it back
//! without the component. Throughput and latency go to `target/soak.md`.
//!
//! How the final state can be checked although the workers interleave:
//!
//! - 492 users are each *owned* by exactly one worker (user i by worker i % 64), as a voice
//!   app user is served by one session at a time. Only the owner writes them, so the owner
//!   knows the exact state: every save stores `visits` = its own count of acknowledged saves
//!   of that user + 1. Every load of an owned user must return exactly the last
//!   acknowledged save (reads are strongly consistent), and at the end DynamoDB must hold
//!   `visits` = the owner's count. A lost, duplicated, stale or torn write fails this.
//! - 8 users are *shared*: every worker saves them (last writer wins, the plugin's
//!   behaviour without optimistic locking). No worker can predict the final item, but two
//!   things must hold. (1) Every item read back is whole: it names its writer and sequence
//!   number and carries a payload derived from exactly those, so a mix of two saves is
//!   detected. (2) The final item is a save that could have been the last one: a save
//!   whose acknowledgement came before some other save of that user even *started* was
//!   overtaken in real time (DynamoDB writes are linearizable per item), so the final item
//!   must come from a save that ended no earlier than the latest start of any save of that
//!   user.

mod support;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::*;

const WORKERS: usize = 64;
const OPERATIONS: usize = 20_000;
const USERS: usize = 500;
const SHARED_USERS: usize = 8;
const OWNED_USERS: usize = USERS - SHARED_USERS;
/// The whole run must finish within this, or the test fails (it never hangs): 6.9x the 26 s
/// measured at load average 13 on 2 cores.
const TIME_LIMIT: Duration = Duration::from_secs(180);

fn user_id(index: usize) -> String {
    if index < OWNED_USERS {
        format!("owned-{index:03}")
    } else {
        format!("shared-{}", index - OWNED_USERS)
    }
}

/// A few KB, shaped like a Jovo item with some history.
fn owned_item(owner: usize, visits: u64) -> Value {
    json!({
        "user": {"data": {"visits": visits, "owner": owner}},
        "session": {"id": format!("session-{owner}-{visits}"), "isNew": visits == 1},
        "history": {"items": (0..5).map(|i| json!({
            "output": [{"message": format!("answer {i} of visit {visits}")}],
            "nlu": {"intent": {"name": "PlayIntent"}}
        })).collect::<Vec<_>>()},
        "createdAt": "2026-11-24T10:00:00.000Z",
        "updatedAt": format!("visit-{visits}")
    })
}

fn shared_payload(writer: usize, seq: u64) -> String {
    format!("{writer}:{seq}:").repeat(20)
}

fn shared_item(writer: usize, seq: u64) -> Value {
    json!({"user": {"data": {"writer": writer, "seq": seq, "payload": shared_payload(writer, seq)}}})
}

/// A save of a shared user: who, which, and when it started and was acknowledged.
struct SharedSave {
    user: usize,
    writer: usize,
    seq: u64,
    started: Instant,
    acknowledged: Instant,
}

#[derive(Default)]
struct WorkerReport {
    operations: usize,
    errors: Vec<String>,
    /// Wrong answers (a load that is not the expected state, a torn item).
    violations: Vec<String>,
    /// Acknowledged saves of each owned user of this worker.
    owned_saves: HashMap<usize, u64>,
    shared_saves: Vec<SharedSave>,
    latencies_us: Vec<u64>,
}

/// xorshift: a reproducible operation mix per worker.
struct Random(u64);
impl Random {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }
}

fn worker(worker: usize, operations: usize, table: &str, barrier: &Barrier) -> WorkerReport {
    let mut report = WorkerReport::default();
    let mut store = runtime().open(config(server(), table)).unwrap();
    let owned: Vec<usize> = (0..OWNED_USERS).filter(|u| u % WORKERS == worker).collect();
    let mut random = Random(0x9e37_79b9_7f4a_7c15 ^ (worker as u64 + 1));
    let mut seq = 0;
    barrier.wait();
    for _ in 0..operations {
        let shared = random.next(10) == 0;
        let user = if shared {
            OWNED_USERS + random.next(SHARED_USERS)
        } else {
            owned[random.next(owned.len())]
        };
        let id = user_id(user);
        let save = random.next(2) == 0;
        let started = Instant::now();
        let result = match (save, shared) {
            (true, false) => {
                let visits = report.owned_saves.get(&user).copied().unwrap_or(0) + 1;
                store.save_user(&id, &owned_item(worker, visits)).map(|()| {
                    report.owned_saves.insert(user, visits);
                })
            }
            (true, true) => {
                seq += 1;
                store.save_user(&id, &shared_item(worker, seq)).map(|()| {
                    report.shared_saves.push(SharedSave {
                        user,
                        writer: worker,
                        seq,
                        started,
                        acknowledged: Instant::now(),
                    });
                })
            }
            (false, false) => store.load_user(&id).map(|loaded| {
                let expected = report
                    .owned_saves
                    .get(&user)
                    .map(|&v| owned_item(worker, v));
                let loaded = loaded.map(|mut item| {
                    item.as_object_mut().unwrap().shift_remove("userId");
                    item
                });
                if loaded != expected {
                    report.violations.push(format!(
                        "{id}: loaded {loaded:?}, expected the last acknowledged save {expected:?}"
                    ));
                }
            }),
            (false, true) => store.load_user(&id).map(|loaded| {
                if let Some(item) = loaded {
                    if let Err(why) = check_shared(&item["user"]["data"]) {
                        report.violations.push(format!("{id}: {why}"));
                    }
                }
            }),
        };
        report
            .latencies_us
            .push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
        report.operations += 1;
        if let Err(e) = result {
            report.errors.push(format!("{id}: {e}"));
        }
    }
    report
}

/// A shared user's data must be one whole save: writer, seq and the payload of exactly those.
fn check_shared(data: &Value) -> Result<(usize, u64), String> {
    let writer = data["writer"].as_u64().ok_or("no writer")? as usize;
    let seq = data["seq"].as_u64().ok_or("no seq")?;
    if data["payload"] != shared_payload(writer, seq) {
        return Err(format!("torn item: {data}"));
    }
    Ok((writer, seq))
}

#[test]
fn sixty_four_workers_twenty_thousand_operations_zero_errors_every_user_verified() {
    let table = unique_table("soak");
    runtime()
        .open(config(server(), &table))
        .unwrap()
        .ensure_table()
        .unwrap();

    let barrier = Barrier::new(WORKERS + 1);
    let (reports, elapsed) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WORKERS)
            .map(|w| {
                let operations = OPERATIONS / WORKERS + usize::from(w < OPERATIONS % WORKERS);
                let (table, barrier) = (&table, &barrier);
                scope.spawn(move || worker(w, operations, table, barrier))
            })
            .collect();
        barrier.wait();
        let started = Instant::now();
        let reports: Vec<WorkerReport> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        (reports, started.elapsed())
    });
    assert!(elapsed < TIME_LIMIT, "the soak took {elapsed:?}");

    let operations: usize = reports.iter().map(|r| r.operations).sum();
    let errors: Vec<&String> = reports.iter().flat_map(|r| &r.errors).collect();
    let mut violations: Vec<String> = reports.iter().flat_map(|r| r.violations.clone()).collect();
    let mut latencies: Vec<u64> = reports
        .iter()
        .flat_map(|r| r.latencies_us.clone())
        .collect();
    latencies.sort_unstable();
    let percentile =
        |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize] as f64 / 1000.0;

    // Final state of every user, read from dynalite without the component.
    let verify_started = Instant::now();
    let mut owned_saves = 0;
    for (w, report) in reports.iter().enumerate() {
        for user in (0..OWNED_USERS).filter(|u| u % WORKERS == w) {
            let stored = raw_get_item(server(), &table, "userId", &user_id(user));
            let stored_visits = stored.as_ref().map(|item| {
                item["user"]["M"]["data"]["M"]["visits"]["N"]
                    .as_str()
                    .unwrap()
                    .parse::<u64>()
                    .unwrap()
            });
            let acknowledged = report.owned_saves.get(&user).copied();
            owned_saves += acknowledged.unwrap_or(0);
            if stored_visits != acknowledged {
                violations.push(format!(
                    "{}: stored visits {stored_visits:?}, acknowledged saves {acknowledged:?}",
                    user_id(user)
                ));
            }
        }
    }
    let shared_saves: Vec<&SharedSave> = reports.iter().flat_map(|r| &r.shared_saves).collect();
    for user in OWNED_USERS..USERS {
        let saves: Vec<&&SharedSave> = shared_saves.iter().filter(|s| s.user == user).collect();
        let stored = raw_get_item(server(), &table, "userId", &user_id(user));
        let Some(stored) = stored else {
            if !saves.is_empty() {
                violations.push(format!(
                    "{}: {} saves, nothing stored",
                    user_id(user),
                    saves.len()
                ));
            }
            continue;
        };
        let data = &stored["user"]["M"]["data"]["M"];
        let writer = data["writer"]["N"]
            .as_str()
            .unwrap()
            .parse::<usize>()
            .unwrap();
        let seq = data["seq"]["N"].as_str().unwrap().parse::<u64>().unwrap();
        if data["payload"]["S"] != shared_payload(writer, seq) {
            violations.push(format!("{}: torn final item {data}", user_id(user)));
        }
        let latest_start = saves.iter().map(|s| s.started).max().unwrap();
        match saves.iter().find(|s| s.writer == writer && s.seq == seq) {
            None => violations.push(format!(
                "{}: final item from writer {writer} seq {seq} was never acknowledged",
                user_id(user)
            )),
            Some(last) if last.acknowledged < latest_start => violations.push(format!(
                "{}: final item from writer {writer} seq {seq} was overtaken by a later save",
                user_id(user)
            )),
            Some(_) => {}
        }
    }
    let verify_time = verify_started.elapsed();

    let throughput = operations as f64 / elapsed.as_secs_f64();
    let mut report = String::new();
    let _ = writeln!(
        report,
        "# Soak\n\n`cargo test --release -p jovo-dynamodb-host --test soak`: {WORKERS} threads, each its own DynamoDbStore from one Runtime, against one dynalite on 127.0.0.1.\n\n\
         | measure | value |\n| --- | --- |\n\
         | operations | {operations} (loads and saves, about half each) |\n\
         | users | {USERS} ({OWNED_USERS} owned by one worker each, {SHARED_USERS} shared by all) |\n\
         | wall time | {:.2} s |\n\
         | throughput | {throughput:.0} ops/s |\n\
         | latency p50 / p99 / max | {:.1} / {:.1} / {:.1} ms |\n\
         | errors | {} |\n\
         | acknowledged saves of owned users | {owned_saves} |\n\
         | acknowledged saves of shared users | {} |\n\
         | final-state violations | {} |\n\
         | verification (500 raw GetItems) | {:.2} s |",
        elapsed.as_secs_f64(),
        percentile(0.5),
        percentile(0.99),
        percentile(1.0),
        errors.len(),
        shared_saves.len(),
        violations.len(),
        verify_time.as_secs_f64(),
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/soak.md");
    std::fs::write(&path, &report).unwrap();
    println!("{report}");

    assert_eq!(operations, OPERATIONS);
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    assert!(
        violations.is_empty(),
        "{} violations, first: {:#?}",
        violations.len(),
        &violations[..violations.len().min(5)]
    );
    assert!(owned_saves > 0 && !shared_saves.is_empty());
}
