//! The scripted scenarios (retries, backoff, table waits, locking, retention) driven as the
//! WASI build's `client` methods do: over `WasiHost`, whose sends and sleeps block (in wasm
//! on WASI pollables, here on the scripted host) and whose credentials come from the
//! environment. The same scenario files run under the other two drivers, which proves the
//! three paths behave identically. The `wasi:http` exchange itself runs only in wasm: the
//! wasmtime wasi:http tests (host-tests/wasi) cover it.

mod common;

const DRIVER: common::Driver = common::Driver::Wasi;

#[path = "scripted/retries.rs"]
mod retries;

#[path = "scripted/locking.rs"]
mod locking;

#[path = "scripted/network.rs"]
mod network;

mod environment {
    use crate::common::*;
    use jovo_dynamodb_wasm::bindings::exports::jovo::dynamodb::store::StoreError;

    fn header(host: &ScriptedHost, name: &str) -> String {
        host.requests.borrow()[0]
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    #[test]
    fn without_configured_credentials_the_aws_variables_sign_the_request() {
        let mut config = existing_table();
        config.client.credentials = None;
        let host = ScriptedHost::answering(vec![ok("{}")]);
        *host.environment.borrow_mut() = vec![
            ("AWS_ACCESS_KEY_ID".into(), "AKIDFROMENV".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "secret".into()),
            ("AWS_SESSION_TOKEN".into(), "session-token".into()),
        ];
        assert!(matches!(client(config, &host).load_user("u"), Ok(None)));
        assert!(header(&host, "authorization").contains("Credential=AKIDFROMENV/"));
        assert_eq!(header(&host, "x-amz-security-token"), "session-token");
    }

    #[test]
    fn configured_credentials_win_over_the_environment() {
        let host = ScriptedHost::answering(vec![ok("{}")]);
        *host.environment.borrow_mut() = vec![
            ("AWS_ACCESS_KEY_ID".into(), "AKIDFROMENV".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "secret".into()),
        ];
        assert!(matches!(
            client(existing_table(), &host).load_user("u"),
            Ok(None)
        ));
        assert!(!header(&host, "authorization").contains("AKIDFROMENV"));
    }

    #[test]
    fn half_set_credentials_are_unavailable_and_nothing_is_sent() {
        let mut config = existing_table();
        config.client.credentials = None;
        let host = ScriptedHost::answering(vec![]);
        *host.environment.borrow_mut() = vec![("AWS_ACCESS_KEY_ID".into(), "AKIDFROMENV".into())];
        match client(config, &host).load_user("u") {
            Err(StoreError::CredentialsUnavailable(message)) => {
                assert!(
                    message.contains("AWS_SECRET_ACCESS_KEY is not,"),
                    "{message}"
                );
                assert!(!message.contains("AKIDFROMENV"), "{message}");
            }
            other => panic!("expected credentials-unavailable, got {other:?}"),
        }
        assert!(host.requests.borrow().is_empty());
    }
}
