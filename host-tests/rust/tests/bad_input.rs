//! Bad config, bad input and unreachable servers: each is a typed error that says what to
//! do, input errors are found before anything is sent, and no error shows a credential.

mod support;

use jovo_dynamodb_host::{Config, Error, StoreError};
use serde_json::json;
use support::*;

const SECRET: &str = "wJalrXUtnFEMI-SECRET-never-shown";
const ACCESS_KEY: &str = "AKIDNEVERSHOWN";

/// An endpoint where nothing listens: any request that is sent fails with transport-failed,
/// so an invalid-input error proves validation happened first.
fn closed_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn unreachable_config() -> Config {
    let mut config = Config::for_table("users")
        .with_endpoint(&closed_endpoint())
        .with_credentials(ACCESS_KEY, SECRET);
    config.table.create_table_on_init = Some(false);
    config.client.max_attempts = Some(2);
    config.client.retry_base_delay_ms = Some(1);
    config
}

fn invalid_input(result: Result<impl std::fmt::Debug, Error>) -> String {
    match store_error(result) {
        StoreError::InvalidInput(message) => message,
        other => panic!("expected invalid-input, got {other:?}"),
    }
}

fn invalid_config(config: Config) -> String {
    match runtime().open(config) {
        Err(Error::Store(StoreError::InvalidConfig(message))) => message,
        Err(other) => panic!("expected invalid-config, got {other}"),
        Ok(_) => panic!("expected invalid-config, got a client"),
    }
}

#[test]
fn user_ids_must_be_1_to_2048_bytes() {
    let mut store = runtime().open(unreachable_config()).unwrap();
    assert!(invalid_input(store.load_user("")).contains("empty"));
    assert!(invalid_input(store.save_user("", &json!({}))).contains("empty"));
    assert!(invalid_input(store.delete_user("")).contains("empty"));
    let too_long = "ü".repeat(1025); // 2050 bytes
    assert!(invalid_input(store.load_user(&too_long)).contains("2050 bytes"));
    // 2048 bytes is allowed: it gets as far as the (closed) network.
    let longest = "a".repeat(2048);
    assert!(matches!(
        store_error(store.load_user(&longest)),
        StoreError::TransportFailed(_)
    ));
}

#[test]
fn items_must_be_json_objects() {
    let mut store = runtime().open(unreachable_config()).unwrap();
    for (item, expected) in [
        ("[1, 2]", "got an array"),
        ("\"text\"", "got a string"),
        ("42", "got a number"),
        ("null", "got null"),
        ("{\"user\": ", "not valid JSON"),
        ("{} trailing", "not valid JSON"),
        ("", "not valid JSON"),
    ] {
        let message = invalid_input(store.save_user_json("u", item));
        assert!(message.contains(expected), "{item:?}: {message}");
    }
}

#[test]
fn values_dynamodb_cannot_store_are_named_by_their_path() {
    let mut store = runtime().open(unreachable_config()).unwrap();
    let message = invalid_input(store.save_user_json(
        "u",
        r#"{"user":{"data":{"scores":[1,123456789012345678901234567890123456789]}}}"#,
    ));
    assert!(
        message.contains("user.data.scores[1]") && message.contains("39 significant digits"),
        "{message}"
    );
    let message = invalid_input(store.save_user_json("u", r#"{"user":{"data":{"far":1e200}}}"#));
    assert!(message.contains("user.data.far"), "{message}");
    let mut deep = json!("bottom");
    for _ in 0..40 {
        deep = json!({ "d": deep });
    }
    let message = invalid_input(store.save_user("u", &json!({ "user": deep })));
    assert!(message.contains("32 levels"), "{message}");
}

#[test]
fn bad_config_is_refused_at_open_with_the_rule() {
    let with = |change: fn(&mut Config)| {
        let mut config = Config::for_table("users").with_endpoint("http://127.0.0.1:8000");
        change(&mut config);
        invalid_config(config)
    };
    assert!(with(|c| c.table.name = String::new()).contains("the table option 'name' is missing"));
    assert!(with(|c| c.table.name = "ab".into()).contains("3 to 255"));
    assert!(with(|c| c.table.name = "users table".into()).contains("A-Z, a-z, 0-9"));
    assert!(
        with(|c| c.table.primary_key_column = Some(String::new())).contains("primary key column")
    );
    assert!(with(|c| c.table.read_capacity_units = Some(0)).contains("read capacity units"));
    assert!(with(|c| c.table.write_capacity_units = Some(0)).contains("write capacity units"));
    assert!(with(|c| c.client.endpoint = Some("localhost:8000".into())).contains("http://"));
    assert!(with(|c| c.client.max_attempts = Some(0)).contains("max attempts"));
    assert!(with(|c| c.client.request_timeout_ms = Some(0)).contains("request timeout ms"));
    assert!(with(|c| c.client.region = Some("Mars 1".into())).contains("region"));
    assert!(with(|c| c.client.endpoint = None)
        .contains("neither the client option 'region' nor the client option 'endpoint'"));
}

#[test]
fn an_unreachable_server_is_a_transport_error_after_the_configured_attempts() {
    let mut store = runtime().open(unreachable_config()).unwrap();
    match store_error(store.load_user("u")) {
        StoreError::TransportFailed(message) => {
            assert!(message.contains("after 2 attempts"), "{message}")
        }
        other => panic!("expected transport-failed, got {other:?}"),
    }
}

#[test]
fn missing_credentials_are_reported_as_such() {
    // The tests' environment has no AWS_* credentials, no profile files and no metadata.
    let mut config = unreachable_config();
    config.client.credentials = None;
    let mut store = runtime().open(config).unwrap();
    match store_error(store.load_user("u")) {
        StoreError::CredentialsUnavailable(message) => {
            assert!(message.contains("AWS_ACCESS_KEY_ID"), "{message}")
        }
        other => panic!("expected credentials-unavailable, got {other:?}"),
    }
}

#[test]
fn no_error_text_contains_a_credential() {
    let mut messages = Vec::new();
    let mut store = runtime().open(unreachable_config()).unwrap();
    messages.push(store.load_user("u").unwrap_err().to_string());
    messages.push(store.save_user_json("u", "[").unwrap_err().to_string());
    let mut missing =
        config(server(), &unique_table("secret-check")).with_credentials(ACCESS_KEY, SECRET);
    missing.table.create_table_on_init = Some(false);
    let mut store = runtime().open(missing).unwrap();
    messages.push(store.load_user("u").unwrap_err().to_string());
    let mut bad = unreachable_config();
    bad.table.name = "x".into();
    messages.push(runtime().open(bad).err().unwrap().to_string());
    for message in &messages {
        assert!(
            !message.contains(SECRET) && !message.contains(ACCESS_KEY),
            "{message}"
        );
    }
    assert_eq!(messages.len(), 4);
}
