//! Optimistic locking and data retention, with a scripted host: the conditions sent, the
//! versions written, and how conflicts and missing Time to Live support are reported.

use crate::common::*;
use jovo_dynamodb_wasm::bindings::exports::jovo::dynamodb::store::{StoreError, TimeToLiveStatus};
use serde_json::Value;

fn locking() -> jovo_dynamodb_wasm::bindings::exports::jovo::dynamodb::store::Config {
    let mut config = existing_table();
    config.table.optimistic_locking = Some(true);
    config
}

fn sent_body(host: &ScriptedHost, index: usize) -> Value {
    serde_json::from_slice(&host.requests.borrow()[index].body).unwrap()
}

#[test]
fn a_loaded_version_becomes_the_condition_and_the_next_version_is_written() {
    let host = ScriptedHost::answering(vec![ok("{}")]);
    client(locking(), &host)
        .save_user("u", r#"{"user":{"data":{}},"version":7}"#)
        .unwrap();
    let body = sent_body(&host, 0);
    assert_eq!(body["ConditionExpression"], "#v = :v");
    assert_eq!(body["ExpressionAttributeValues"][":v"]["N"], "7");
    assert_eq!(body["Item"]["version"]["N"], "8");
}

#[test]
fn a_new_user_or_an_unversioned_item_is_saved_only_if_no_version_exists() {
    let host = ScriptedHost::answering(vec![ok("{}")]);
    client(locking(), &host)
        .save_user("u", r#"{"user":{}}"#)
        .unwrap();
    let body = sent_body(&host, 0);
    assert_eq!(body["ConditionExpression"], "attribute_not_exists(#v)");
    assert_eq!(body["Item"]["version"]["N"], "1");
}

#[test]
fn an_overlapping_save_is_a_conflict_that_says_what_to_do() {
    let host = ScriptedHost::answering(vec![error(400, "ConditionalCheckFailedException")]);
    match client(locking(), &host).save_user("u", r#"{"version":3}"#) {
        Err(StoreError::ConditionalConflict(e)) => {
            assert!(
                e.message.contains("expected version 3")
                    && e.message.contains("load the user again"),
                "{}",
                e.message
            )
        }
        other => panic!("expected conditional-conflict, got {other:?}"),
    }
}

#[test]
fn a_retry_that_meets_its_own_first_write_is_not_a_conflict() {
    // The first PutItem was applied but its answer lost (503); the retry then finds the
    // version already moved on, by this very write.
    let host = ScriptedHost::answering(vec![
        error(503, "ServiceUnavailable"),
        error(400, "ConditionalCheckFailedException"),
        ok(r#"{"Item":{"userId":{"S":"u"},"user":{"M":{}},"version":{"N":"4"}}}"#),
    ]);
    client(locking(), &host)
        .save_user("u", r#"{"user":{},"version":3}"#)
        .unwrap();
    assert_eq!(host.operations(), ["PutItem", "PutItem", "GetItem"]);
}

#[test]
fn a_retry_that_meets_another_writer_is_a_conflict() {
    let host = ScriptedHost::answering(vec![
        error(503, "ServiceUnavailable"),
        error(400, "ConditionalCheckFailedException"),
        ok(
            r#"{"Item":{"userId":{"S":"u"},"user":{"M":{"other":{"S":"writer"}}},"version":{"N":"4"}}}"#,
        ),
    ]);
    let result = client(locking(), &host).save_user("u", r#"{"user":{},"version":3}"#);
    assert!(
        matches!(result, Err(StoreError::ConditionalConflict(_))),
        "{result:?}"
    );
}

#[test]
fn a_version_that_is_not_a_whole_number_is_refused() {
    let host = ScriptedHost::answering(vec![]);
    for item in [
        r#"{"version":"3"}"#,
        r#"{"version":-1}"#,
        r#"{"version":1.5}"#,
    ] {
        let result = client(locking(), &host).save_user("u", item);
        assert!(
            matches!(result, Err(StoreError::InvalidInput(_))),
            "{item}: {result:?}"
        );
    }
}

#[test]
fn without_locking_saves_are_unconditional_as_in_the_plugin() {
    let host = ScriptedHost::answering(vec![ok("{}")]);
    client(existing_table(), &host)
        .save_user("u", r#"{"version":3}"#)
        .unwrap();
    let body = sent_body(&host, 0);
    assert!(body.get("ConditionExpression").is_none());
    assert_eq!(
        body["Item"]["version"]["N"], "3",
        "without locking 'version' is plain data"
    );
}

fn retention() -> jovo_dynamodb_wasm::bindings::exports::jovo::dynamodb::store::Config {
    let mut config = config();
    config.table.expire_after_days = Some(30);
    config
}

#[test]
fn saves_write_the_expiry_time_in_epoch_seconds() {
    let mut config = existing_table();
    config.table.expire_after_days = Some(30);
    let host = ScriptedHost::answering(vec![ok("{}")]);
    client(config, &host)
        .save_user("u", r#"{"expiresAt":1}"#)
        .unwrap();
    let expected = 1_700_000_000 + 30 * 86_400;
    assert_eq!(
        sent_body(&host, 0)["Item"]["expiresAt"]["N"],
        expected.to_string()
    );
}

#[test]
fn ensure_turns_time_to_live_on_for_the_expiry_attribute() {
    let host = ScriptedHost::answering(vec![
        table("ACTIVE"),
        ok(r#"{"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}}"#),
        ok(r#"{"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expiresAt"}}"#),
        ok(
            r#"{"TimeToLiveDescription":{"TimeToLiveStatus":"ENABLED","AttributeName":"expiresAt"}}"#,
        ),
    ]);
    let client = client(retention(), &host);
    client.ensure_table().unwrap();
    assert!(matches!(
        client.ensure_time_to_live().unwrap(),
        TimeToLiveStatus::Enabled
    ));
    assert_eq!(
        sent_body(&host, 2)["TimeToLiveSpecification"]["AttributeName"],
        "expiresAt"
    );
    assert_eq!(
        host.operations(),
        [
            "DescribeTable",
            "DescribeTimeToLive",
            "UpdateTimeToLive",
            "DescribeTimeToLive"
        ]
    );
}

#[test]
fn a_server_without_time_to_live_is_reported_and_does_not_fail_ensure() {
    let host = ScriptedHost::answering(vec![
        table("ACTIVE"),
        error(400, "UnknownOperationException"),
        error(400, "UnknownOperationException"),
    ]);
    let client = client(retention(), &host);
    client.ensure_table().unwrap();
    match client.ensure_time_to_live().unwrap() {
        TimeToLiveStatus::Unavailable(message) => {
            assert!(message.contains("UnknownOperationException"), "{message}")
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
}

#[test]
fn missing_ttl_permissions_are_reported_with_the_permission_names() {
    let host = ScriptedHost::answering(vec![error(400, "AccessDeniedException")]);
    match client(retention(), &host).ensure_time_to_live().unwrap() {
        TimeToLiveStatus::Unavailable(message) => {
            assert!(message.contains("dynamodb:UpdateTimeToLive"), "{message}")
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
}

#[test]
fn time_to_live_on_another_attribute_is_a_config_error() {
    let host = ScriptedHost::answering(vec![ok(
        r#"{"TimeToLiveDescription":{"TimeToLiveStatus":"ENABLED","AttributeName":"ttl"}}"#,
    )]);
    let result = client(retention(), &host).ensure_time_to_live();
    assert!(
        matches!(result, Err(StoreError::InvalidConfig(ref m)) if m.contains("'ttl'")),
        "{result:?}"
    );
}
