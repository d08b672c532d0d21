//! The table: created on the first visit, in either billing mode, never by surprise, and
//! never making that first visit fail.

mod support;

use jovo_dynamodb_host::{BillingMode, StoreError, TableStatus};
use serde_json::json;
use support::*;

#[test]
fn the_first_visit_of_a_new_app_creates_the_table_and_succeeds() {
    // dynalite keeps new tables CREATING for 500 ms, answering ResourceNotFound meanwhile:
    // the original plugin failed this request ("Please wait a moment and resend").
    let table = unique_table("first-visit");
    let mut store = runtime().open(config(server(), &table)).unwrap();
    assert_eq!(store.load_user("alexa-user-1").unwrap(), None);
    store
        .save_user("alexa-user-1", &json!({"user": {"data": {"visits": 1}}}))
        .unwrap();
    assert_eq!(raw_describe(server(), &table)["TableStatus"], "ACTIVE");
    let item = store.load_user("alexa-user-1").unwrap().unwrap();
    assert_eq!(item["user"]["data"]["visits"], 1);
}

#[test]
fn ensure_table_says_whether_it_created_the_table() {
    let table = unique_table("ensure");
    let mut first = runtime().open(config(server(), &table)).unwrap();
    assert_eq!(first.ensure_table().unwrap(), TableStatus::Created);
    assert_eq!(first.ensure_table().unwrap(), TableStatus::AlreadyExisted);
    let mut second = runtime().open(config(server(), &table)).unwrap();
    assert_eq!(second.ensure_table().unwrap(), TableStatus::AlreadyExisted);
}

#[test]
fn a_provisioned_table_gets_the_configured_capacity() {
    let table = unique_table("provisioned");
    let mut config = config(server(), &table);
    config.table.read_capacity_units = Some(5);
    config.table.write_capacity_units = Some(7);
    runtime().open(config).unwrap().ensure_table().unwrap();
    let description = raw_describe(server(), &table);
    assert_eq!(description["ProvisionedThroughput"]["ReadCapacityUnits"], 5);
    assert_eq!(
        description["ProvisionedThroughput"]["WriteCapacityUnits"],
        7
    );
    assert_eq!(
        description["KeySchema"],
        json!([{"AttributeName": "userId", "KeyType": "HASH"}])
    );
}

#[test]
fn a_pay_per_request_table_can_be_created_and_used() {
    let table = unique_table("on-demand");
    let mut config = config(server(), &table);
    config.table.billing_mode = Some(BillingMode::PayPerRequest);
    let mut store = runtime().open(config).unwrap();
    assert_eq!(store.ensure_table().unwrap(), TableStatus::Created);
    let description = raw_describe(server(), &table);
    assert_eq!(
        description["BillingModeSummary"]["BillingMode"],
        "PAY_PER_REQUEST"
    );
    store
        .save_user("u", &json!({"user": {"data": {}}}))
        .unwrap();
    assert!(store.load_user("u").unwrap().is_some());
}

#[test]
fn a_custom_primary_key_column_names_the_partition_key() {
    let table = unique_table("custom-key");
    let mut config = config(server(), &table);
    config.table.primary_key_column = Some("id".into());
    let mut store = runtime().open(config).unwrap();
    store
        .save_user("u-7", &json!({"user": {"data": {}}}))
        .unwrap();
    assert_eq!(
        raw_describe(server(), &table)["KeySchema"][0]["AttributeName"],
        "id"
    );
    assert!(raw_get_item(server(), &table, "id", "u-7").is_some());
}

#[test]
fn with_auto_create_off_a_missing_table_is_an_error_that_names_it() {
    let table = unique_table("no-auto-create");
    let mut config = config(server(), &table);
    config.table.create_table_on_init = Some(false);
    let mut store = runtime().open(config).unwrap();
    for error in [
        store_error(store.load_user("u")),
        store_error(store.save_user("u", &json!({}))),
        store_error(store.ensure_table()),
    ] {
        match error {
            StoreError::TableMissing(message) => assert!(message.contains(&table), "{message}"),
            other => panic!("expected table-missing, got {other:?}"),
        }
    }
    let (status, body) = raw_call(server(), "DescribeTable", &json!({"TableName": table}));
    assert_eq!(status, 400, "the table must not have been created: {body}");
    assert!(
        body["__type"]
            .as_str()
            .unwrap_or_default()
            .ends_with("#ResourceNotFoundException"),
        "{body}"
    );
}

#[test]
fn two_app_instances_starting_together_both_get_a_usable_table() {
    let table = unique_table("race");
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let table = table.clone();
            std::thread::spawn(move || {
                let mut store = runtime().open(config(server(), &table)).unwrap();
                let status = store.ensure_table().unwrap();
                store
                    .save_user(&format!("user-{i}"), &json!({"user": {"data": {"i": i}}}))
                    .unwrap();
                status
            })
        })
        .collect();
    let statuses: Vec<TableStatus> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(statuses.contains(&TableStatus::Created), "{statuses:?}");
    assert!(raw_get_item(server(), &table, "userId", "user-0").is_some());
    assert!(raw_get_item(server(), &table, "userId", "user-1").is_some());
}

#[test]
fn a_table_with_another_key_schema_is_reported_not_misused() {
    let table = unique_table("other-schema");
    let (status, body) = raw_call(
        server(),
        "CreateTable",
        &json!({
            "TableName": table,
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST"
        }),
    );
    assert_eq!(status, 200, "{body}");
    let mut store = runtime().open(config(server(), &table)).unwrap();
    match store_error(store.ensure_table()) {
        StoreError::InvalidConfig(message) => {
            assert!(
                message.contains("partition key 'pk'") && message.contains("'userId'"),
                "{message}"
            )
        }
        other => panic!("expected invalid-config, got {other:?}"),
    }
}

#[test]
fn a_table_that_takes_too_long_is_a_timeout_with_advice() {
    let slow = Dynalite::start(3_000);
    let table = unique_table("slow");
    let mut config = config(&slow.endpoint, &table);
    config.client.table_ready_timeout_ms = Some(600);
    let mut store = runtime().open(config).unwrap();
    match store_error(store.ensure_table()) {
        StoreError::TimedOut(message) => {
            assert!(
                message.contains("table ready timeout ms") && message.contains(&table),
                "{message}"
            )
        }
        other => panic!("expected timed-out, got {other:?}"),
    }
    // No bound on the time taken (a loaded machine could break one): TimedOut at all shows the
    // wait gave up before the table was ready (3 s), which is the behaviour under test.
    // A later call waits for the same table instead of creating it again.
    let mut patient = runtime()
        .open(support::config(&slow.endpoint, &table))
        .unwrap();
    assert_eq!(patient.ensure_table().unwrap(), TableStatus::AlreadyExisted);
}
