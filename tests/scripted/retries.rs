//! Retries, backoff and table waits, with a scripted host: what is retried, how often,
//! how long the client sleeps, and what the user finally sees.

use crate::common::*;
use jovo_dynamodb_wasm::bindings::exports::jovo::dynamodb::store::{StoreError, TableStatus};
use jovo_dynamodb_wasm::host::TransportError;

#[test]
fn throttling_is_retried_with_jittered_growing_backoff_until_it_succeeds() {
    let host = ScriptedHost::answering(vec![
        error(400, "ProvisionedThroughputExceededException"),
        error(400, "ThrottlingException"),
        ok(r#"{"Item":{"userId":{"S":"u"}}}"#),
    ]);
    let loaded = client(existing_table(), &host).load_user("u").unwrap();
    assert_eq!(loaded.as_deref(), Some(r#"{"userId":"u"}"#));
    let sleeps = host.sleeps.borrow();
    assert_eq!(sleeps.len(), 2);
    assert!(sleeps[0] <= 50 && sleeps[1] <= 100, "{sleeps:?}");
}

#[test]
fn throttling_that_does_not_stop_ends_as_throttled_with_the_attempt_count() {
    let host =
        ScriptedHost::answering((0..4).map(|_| error(400, "RequestLimitExceeded")).collect());
    match client(existing_table(), &host).save_user("u", "{}") {
        Err(StoreError::Throttled(e)) => {
            assert_eq!(
                (e.attempts, e.code.as_str(), e.status),
                (4, "RequestLimitExceeded", 400)
            );
            assert_eq!(e.request_id.as_deref(), Some("REQ-1"));
        }
        other => panic!("expected throttled, got {other:?}"),
    }
    assert_eq!(host.sleeps.borrow().len(), 3);
}

#[test]
fn server_errors_timeouts_and_broken_connections_are_retried() {
    let host = ScriptedHost::answering(vec![
        error(500, "InternalServerError"),
        Err(TransportError::TimedOut("read timeout".into())),
        Err(TransportError::Failed("connection reset".into())),
        ok("{}"),
    ]);
    assert_eq!(
        client(existing_table(), &host).load_user("u").unwrap(),
        None
    );
    assert_eq!(host.requests.borrow().len(), 4);
}

#[test]
fn max_attempts_bounds_the_retries_and_the_last_failure_is_reported() {
    let mut config = existing_table();
    config.client.max_attempts = Some(2);
    let host = ScriptedHost::answering(vec![
        error(503, "ServiceUnavailable"),
        Err(TransportError::TimedOut("read timeout".into())),
    ]);
    match client(config, &host).delete_user("u") {
        Err(StoreError::TimedOut(message)) => {
            assert!(message.contains("after 2 attempts"), "{message}")
        }
        other => panic!("expected timed-out, got {other:?}"),
    }
}

#[test]
fn a_damaged_response_is_retried() {
    let damaged = Ok(jovo_dynamodb_wasm::host::HttpResponse {
        status: 200,
        headers: vec![("x-amz-crc32".into(), "12345".into())],
        body: b"{}".to_vec(),
    });
    let host = ScriptedHost::answering(vec![damaged, ok("{}")]);
    assert_eq!(
        client(existing_table(), &host).load_user("u").unwrap(),
        None
    );
    assert_eq!(host.requests.borrow().len(), 2);
}

#[test]
fn errors_that_cannot_heal_are_not_retried() {
    for (answer, expected) in [
        (error(400, "ValidationException"), "service"),
        (error(400, "AccessDeniedException"), "access-denied"),
        (
            error(400, "ConditionalCheckFailedException"),
            "conditional-conflict",
        ),
    ] {
        let host = ScriptedHost::answering(vec![answer]);
        let error = client(existing_table(), &host)
            .save_user("u", "{}")
            .unwrap_err();
        let kind = match error {
            StoreError::Service(_) => "service",
            StoreError::AccessDenied(_) => "access-denied",
            StoreError::ConditionalConflict(_) => "conditional-conflict",
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(kind, expected);
        assert!(host.sleeps.borrow().is_empty());
    }
}

#[test]
fn iam_xml_errors_are_access_denied_not_parse_errors() {
    let answer = Ok(jovo_dynamodb_wasm::host::HttpResponse {
        status: 403,
        headers: vec![],
        body: b"<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>bad signature</Message></Error></ErrorResponse>".to_vec(),
    });
    let host = ScriptedHost::answering(vec![answer]);
    match client(existing_table(), &host).load_user("u") {
        Err(StoreError::AccessDenied(e)) => assert_eq!(e.code, "SignatureDoesNotMatch"),
        other => panic!("expected access-denied, got {other:?}"),
    }
}

#[test]
fn a_missing_table_is_created_and_waited_for_before_the_first_load() {
    let host = ScriptedHost::answering(vec![
        error(400, "ResourceNotFoundException"),
        ok(r#"{"TableDescription":{"TableStatus":"CREATING"}}"#),
        error(400, "ResourceNotFoundException"),
        table("CREATING"),
        table("ACTIVE"),
        ok("{}"),
        ok("{}"),
    ]);
    let client = client(config(), &host);
    assert_eq!(client.load_user("u").unwrap(), None);
    assert_eq!(client.load_user("u").unwrap(), None);
    assert_eq!(
        host.operations(),
        [
            "DescribeTable",
            "CreateTable",
            "DescribeTable",
            "DescribeTable",
            "DescribeTable",
            "GetItem",
            "GetItem"
        ]
    );
    assert_eq!(*host.sleeps.borrow(), [100, 200, 400]);
}

#[test]
fn a_table_another_instance_is_creating_counts_as_created() {
    let host = ScriptedHost::answering(vec![
        error(400, "ResourceNotFoundException"),
        error(400, "ResourceInUseException"),
        table("ACTIVE"),
    ]);
    assert_eq!(
        client(config(), &host).ensure_table().unwrap(),
        TableStatus::CreatedConcurrently
    );
}

#[test]
fn a_table_deleted_behind_the_clients_back_is_created_again() {
    let host = ScriptedHost::answering(vec![
        table("ACTIVE"),
        ok("{}"),
        error(400, "ResourceNotFoundException"),
        error(400, "ResourceNotFoundException"),
        ok("{}"),
        table("ACTIVE"),
        ok("{}"),
    ]);
    let client = client(config(), &host);
    client.save_user("u", "{}").unwrap();
    client.save_user("u", "{}").unwrap();
    assert_eq!(
        host.operations(),
        [
            "DescribeTable",
            "PutItem",
            "PutItem",
            "DescribeTable",
            "CreateTable",
            "DescribeTable",
            "PutItem"
        ]
    );
}

#[test]
fn every_request_is_signed_for_dynamodb_in_the_configured_region() {
    let host = ScriptedHost::answering(vec![ok("{}")]);
    client(existing_table(), &host).load_user("u").unwrap();
    let requests = host.requests.borrow();
    let header = |name: &str| {
        requests[0]
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(requests[0].url, "https://dynamodb.eu-west-1.amazonaws.com/");
    assert_eq!(
        header("content-type").as_deref(),
        Some("application/x-amz-json-1.0")
    );
    assert!(header("authorization")
        .unwrap()
        .contains("/eu-west-1/dynamodb/aws4_request"));
    assert!(
        header("host").is_none(),
        "the host derives Host from the URL"
    );
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"TableName":"users","Key":{"userId":{"S":"u"}},"ConsistentRead":true})
    );
}

#[test]
fn without_configured_credentials_the_host_is_asked_and_its_reason_shown() {
    let mut config = existing_table();
    config.client.credentials = None;
    let host = ScriptedHost::answering(vec![]);
    match client(config, &host).load_user("u") {
        Err(StoreError::CredentialsUnavailable(message)) => {
            assert!(
                message.contains(crate::DRIVER.no_credentials_reason()),
                "{message}"
            )
        }
        other => panic!("expected credentials-unavailable, got {other:?}"),
    }
    assert!(host.requests.borrow().is_empty());
}
