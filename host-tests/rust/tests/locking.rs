//! Lost updates: two request cycles of the same user that overlap (load, load, save, save).
//! Without optimistic locking the second save silently wins, as in the original plugin;
//! with it, the second save is a conflict and the first one's data survives.

mod support;

use jovo_dynamodb_host::{Config, StoreError, TimeToLiveStatus};
use serde_json::{json, Value};
use support::*;

/// Two overlapping visits: each loads the user, adds its own entry, then saves.
fn two_interleaved_visits(config: Config) -> (Result<(), jovo_dynamodb_host::Error>, Value) {
    let table = config.table.name.clone();
    let mut first = runtime().open(config.clone()).unwrap();
    let mut second = runtime().open(config).unwrap();
    first
        .save_user("u", &json!({"user": {"data": {"entries": []}}}))
        .unwrap();

    let mut seen_by_first = first.load_user("u").unwrap().unwrap();
    let mut seen_by_second = second.load_user("u").unwrap().unwrap();
    push_entry(&mut seen_by_first, "from the first visit");
    push_entry(&mut seen_by_second, "from the second visit");
    first.save_user("u", &seen_by_first).unwrap();
    let second_save = second.save_user("u", &seen_by_second);

    let stored = raw_get_item(server(), &table, "userId", "u").unwrap();
    (second_save, stored)
}

fn push_entry(item: &mut Value, entry: &str) {
    item["user"]["data"]["entries"]
        .as_array_mut()
        .unwrap()
        .push(json!(entry));
}

fn stored_entries(stored: &Value) -> Value {
    stored["user"]["M"]["data"]["M"]["entries"].clone()
}

#[test]
fn without_locking_the_later_save_silently_overwrites_the_earlier_one() {
    let config = config(server(), &unique_table("last-writer-wins"));
    let (second_save, stored) = two_interleaved_visits(config);
    assert!(second_save.is_ok());
    assert_eq!(
        stored_entries(&stored),
        json!({"L": [{"S": "from the second visit"}]}),
        "the first visit's entry is lost: the behaviour the flag exists to prevent"
    );
}

#[test]
fn with_locking_the_later_save_is_a_conflict_and_nothing_is_lost() {
    let table = unique_table("optimistic");
    let mut config = config(server(), &table);
    config.table.optimistic_locking = Some(true);
    let (second_save, stored) = two_interleaved_visits(config.clone());
    match second_save {
        Err(jovo_dynamodb_host::Error::Store(StoreError::ConditionalConflict(e))) => {
            assert!(e.message.contains("load the user again"), "{}", e.message)
        }
        other => panic!("expected conditional-conflict, got {other:?}"),
    }
    assert_eq!(
        stored_entries(&stored),
        json!({"L": [{"S": "from the first visit"}]})
    );
    assert_eq!(stored["version"], json!({"N": "2"}));

    // The loser reloads, reapplies its change and saves: both entries are kept.
    let mut retry = runtime().open(config).unwrap();
    let mut fresh = retry.load_user("u").unwrap().unwrap();
    push_entry(&mut fresh, "from the second visit");
    retry.save_user("u", &fresh).unwrap();
    let stored = raw_get_item(server(), &table, "userId", "u").unwrap();
    assert_eq!(
        stored_entries(&stored),
        json!({"L": [{"S": "from the first visit"}, {"S": "from the second visit"}]})
    );
}

#[test]
fn expiry_is_written_and_a_server_without_ttl_is_reported_not_fatal() {
    let mut config = config(server(), &unique_table("retention"));
    config.table.expire_after_days = Some(30);
    let table = config.table.name.clone();
    let mut store = runtime().open(config).unwrap();
    store.ensure_table().unwrap();
    match store.ensure_time_to_live().unwrap() {
        TimeToLiveStatus::Unavailable(message) => {
            assert!(
                message.contains("UpdateTimeToLive") || message.contains("DescribeTimeToLive"),
                "{message}"
            )
        }
        other => panic!("dynalite has no UpdateTimeToLive; expected unavailable, got {other:?}"),
    }
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    store
        .save_user("u", &json!({"user": {"data": {}}}))
        .unwrap();
    let stored = raw_get_item(server(), &table, "userId", "u").unwrap();
    let expires: u64 = stored["expiresAt"]["N"].as_str().unwrap().parse().unwrap();
    let thirty_days = 30 * 86_400;
    assert!(
        (before + thirty_days..=before + thirty_days + 5).contains(&expires),
        "{expires}"
    );
}
