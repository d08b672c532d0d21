//! What production networks do to a request, with a scripted host: stalled servers against
//! the operation's time limit, clocks that are off, redirects, TLS that cannot be trusted,
//! and servers that answer with megabytes of error text.

use crate::common::*;
use jovo_dynamodb_wasm::bindings::exports::jovo::dynamodb::store::{Config, StoreError};
use jovo_dynamodb_wasm::host::{HttpResponse, TransportError};

const FIFTEEN_MINUTES_MS: u64 = 15 * 60 * 1000;

fn with_limits(request_timeout_ms: u32, operation_timeout_ms: Option<u32>) -> Config {
    let mut config = existing_table();
    config.client.request_timeout_ms = Some(request_timeout_ms);
    config.client.operation_timeout_ms = operation_timeout_ms;
    config
}

#[test]
fn a_stalled_endpoint_ends_within_the_operation_timeout_not_after_every_attempt() {
    let host = ScriptedHost::answering((0..4).map(|_| stalled()).collect());
    let started = host.now();
    match client(with_limits(1_000, Some(2_500)), &host).load_user("u") {
        Err(StoreError::TimedOut(message)) => {
            assert!(
                message.contains("'operation timeout ms' (2500 ms)"),
                "{message}"
            );
            assert!(message.contains("no answer in time"), "{message}");
        }
        other => panic!("expected timed-out, got {other:?}"),
    }
    let elapsed = host.now() - started;
    assert!(
        elapsed <= 2_500,
        "the operation took {elapsed} ms of its 2500"
    );
    let timeouts = host.timeouts.borrow();
    assert_eq!(&timeouts[..2], [1_000, 1_000]);
    assert!(
        timeouts[2..].iter().all(|&t| t < 1_000),
        "the last exchange gets only what is left: {timeouts:?}"
    );
}

#[test]
fn a_last_attempt_cut_short_by_the_operation_timeout_names_that_limit() {
    let mut config = with_limits(5_000, Some(2_000));
    config.client.max_attempts = Some(1);
    let host = ScriptedHost::answering(vec![stalled()]);
    match client(config, &host).load_user("u") {
        Err(StoreError::TimedOut(message)) => assert!(
            message.contains("'operation timeout ms' (2000 ms), after 1 attempt"),
            "{message}"
        ),
        other => panic!("expected timed-out, got {other:?}"),
    }
    assert_eq!(*host.timeouts.borrow(), [2_000]);
}

#[test]
fn without_an_operation_timeout_the_attempts_bound_a_stalled_endpoint() {
    let host = ScriptedHost::answering((0..4).map(|_| stalled()).collect());
    match client(with_limits(1_000, None), &host).load_user("u") {
        Err(StoreError::TimedOut(message)) => {
            assert!(message.contains("after 4 attempts"), "{message}")
        }
        other => panic!("expected timed-out, got {other:?}"),
    }
    assert_eq!(*host.timeouts.borrow(), [1_000; 4]);
}

#[test]
fn no_backoff_starts_that_would_end_past_the_operation_timeout() {
    let mut config = with_limits(5_000, Some(300));
    config.client.retry_base_delay_ms = Some(10_000);
    config.client.retry_max_delay_ms = Some(10_000);
    // The jitter may draw a short delay; the answers cover every retry it could allow.
    let host = ScriptedHost::answering((0..4).map(|_| error(500, "InternalServerError")).collect());
    match client(config, &host).save_user("u", "{}") {
        Err(StoreError::TimedOut(message)) => assert!(
            message.contains("InternalServerError (HTTP 500)"),
            "{message}"
        ),
        other => panic!("expected timed-out, got {other:?}"),
    }
    assert!(host.sleeps.borrow().iter().all(|&ms| ms < 300));
}

#[test]
fn waiting_for_a_new_table_stops_at_the_operation_timeout_and_the_next_operation_waits_again() {
    let mut config = config();
    config.client.operation_timeout_ms = Some(1_000);
    let mut answers = vec![error(400, "ResourceNotFoundException"), ok("{}")];
    answers.extend((0..10).map(|_| table("CREATING")));
    let host = ScriptedHost::answering(answers);
    let client = client(config, &host);
    match client.load_user("u") {
        Err(StoreError::TimedOut(message)) => {
            assert!(message.contains("still CREATING"), "{message}");
            assert!(
                message.contains("'operation timeout ms' (1000 ms)"),
                "{message}"
            );
        }
        other => panic!("expected timed-out, got {other:?}"),
    }
    let used = host.requests.borrow().len();
    assert!(host.sleeps.borrow().iter().sum::<u32>() < 1_000);
    // The table was not known ready: the next load checks it again before reading.
    host.script_next(vec![table("ACTIVE"), ok("{}")]);
    assert_eq!(client.load_user("u").unwrap(), None);
    assert_eq!(host.operations()[used..], ["DescribeTable", "GetItem"]);
}

fn http_date(ms: u64) -> String {
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
}

/// SigV4's `X-Amz-Date` of the second `ms` falls in.
fn amz_date(ms: u64) -> String {
    let seconds = ms / 1000;
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (y, m, d) = civil(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

fn civil(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + u64::from(m <= 2), m, d)
}

/// DynamoDB's clock is `server_minus_host_ms` away from the host's: the first request is
/// refused for its time, re-signed at once with DynamoDB's time, and every later request of
/// the client is signed with DynamoDB's time from the start.
fn a_skewed_clock_is_corrected(server_ahead: bool, message: &str) {
    let server_ms = |host: &ScriptedHost| {
        if server_ahead {
            host.now() + FIFTEEN_MINUTES_MS
        } else {
            host.now() - FIFTEEN_MINUTES_MS
        }
    };
    let host = ScriptedHost::answering(vec![]);
    let refusal = dated_error(
        400,
        "InvalidSignatureException",
        message,
        &http_date(server_ms(&host)),
    );
    host.script_next(vec![refusal, ok("{}"), ok("{}")]);
    let client = client(existing_table(), &host);
    assert_eq!(client.load_user("u").unwrap(), None);
    assert!(
        host.sleeps.borrow().is_empty(),
        "a re-signed request waits for nothing"
    );
    assert_eq!(host.signed_at(1), amz_date(server_ms(&host)));
    client.save_user("u", "{}").unwrap();
    assert_eq!(host.signed_at(2), amz_date(server_ms(&host)));
    assert_eq!(host.requests.borrow().len(), 3);
}

#[test]
fn a_host_clock_15_minutes_behind_is_corrected_from_dynamodbs_date() {
    a_skewed_clock_is_corrected(
        true,
        "Signature expired: 20231114T221320Z is now earlier than 20231114T222320Z (20231114T222820Z - 5 min.)",
    );
}

#[test]
fn a_host_clock_15_minutes_ahead_is_corrected_from_dynamodbs_date() {
    a_skewed_clock_is_corrected(
        false,
        "Signature not yet current: 20231114T221320Z is still later than 20231114T220320Z (20231114T215820Z + 5 min.)",
    );
}

#[test]
fn an_access_error_from_a_server_whose_clock_is_far_off_is_signed_again_once() {
    let host = ScriptedHost::answering(vec![]);
    let date = http_date(host.now() + FIFTEEN_MINUTES_MS);
    host.script_next(vec![
        dated_error(403, "UnrecognizedClientException", "refused", &date),
        dated_error(403, "UnrecognizedClientException", "refused", &date),
    ]);
    match client(existing_table(), &host).load_user("u") {
        Err(StoreError::AccessDenied(e)) => assert_eq!(e.attempts, 2),
        other => panic!("expected access-denied, got {other:?}"),
    }
}

#[test]
fn an_access_error_from_a_server_whose_clock_agrees_is_not_retried() {
    let host = ScriptedHost::answering(vec![]);
    let date = http_date(host.now() + 60_000);
    host.script_next(vec![dated_error(
        400,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        &date,
    )]);
    match client(existing_table(), &host).load_user("u") {
        Err(StoreError::AccessDenied(e)) => assert_eq!(e.attempts, 1),
        other => panic!("expected access-denied, got {other:?}"),
    }
}

#[test]
fn a_redirect_is_never_followed_nor_retried_and_its_path_and_query_are_not_shown() {
    let redirect = Ok(HttpResponse {
        status: 307,
        headers: vec![(
            "Location".into(),
            "https://user:pw@elsewhere.example:8443/steal?X-Amz-Security-Token=SECRET".into(),
        )],
        body: vec![],
    });
    let host = ScriptedHost::answering(vec![redirect]);
    match client(existing_table(), &host).load_user("u") {
        Err(StoreError::MalformedResponse(message)) => {
            assert!(
                message.contains("HTTP 307 to https://elsewhere.example:8443"),
                "{message}"
            );
            for hidden in ["SECRET", "steal", "user", "pw@"] {
                assert!(!message.contains(hidden), "{hidden} in {message}");
            }
        }
        other => panic!("expected malformed-response, got {other:?}"),
    }
    assert_eq!(host.requests.borrow().len(), 1);
}

#[test]
fn a_certificate_that_fails_verification_is_not_retried_and_says_how_to_trust_a_ca() {
    let host = ScriptedHost::answering(vec![Err(TransportError::Tls(
        "invalid peer certificate: UnknownIssuer".into(),
    ))]);
    match client(existing_table(), &host).save_user("u", "{}") {
        Err(StoreError::TlsFailed(message)) => {
            assert!(message.contains("UnknownIssuer"), "{message}");
            assert!(message.contains("AWS_CA_BUNDLE"), "{message}");
            assert!(message.contains("after 1 attempt"), "{message}");
        }
        other => panic!("expected tls-failed, got {other:?}"),
    }
    assert_eq!(host.requests.borrow().len(), 1);
}

#[test]
fn a_megabyte_of_error_message_is_cut_to_512_characters() {
    let message = "x".repeat(1 << 20);
    let host = ScriptedHost::answering(vec![Ok(HttpResponse {
        status: 400,
        headers: vec![],
        body: format!(r#"{{"__type":"ValidationException","message":"{message}"}}"#).into_bytes(),
    })]);
    match client(existing_table(), &host).load_user("u") {
        Err(StoreError::Service(e)) => assert_eq!(e.message.chars().count(), 513),
        other => panic!("expected service, got {other:?}"),
    }
}
