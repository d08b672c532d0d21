//! HTTPS as production runs it (issue 16): both stores talk to dynalite through the network
//! fixture's TLS terminator, whose private CA is made when the test starts. An app trusts
//! that CA the ways users do (the CA option, `AWS_CA_BUNDLE`, `SSL_CERT_FILE`), keeps its
//! connections alive, is refused by a self-signed or wrong-host certificate at once (the
//! typed `tls-failed`, never retried), and a server that never finishes the handshake ends
//! within the operation's deadline.
//!
//! Variables are passed through the runtime's `Environment`, never set on the process, so
//! these tests run in parallel with each other. Tests that count the fixture's connections
//! start their own fixture.

#[path = "support/network_fixture.rs"]
mod network_fixture;
#[path = "support/stores.rs"]
mod stores;
mod support;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use jovo_dynamodb_host::{Config, Runtime, COMPONENT};
use network_fixture::NetworkFixture;
use stores::{AnyStore, KINDS};
use support::*;

/// The fixture of the tests that count nothing.
fn fixture() -> &'static NetworkFixture {
    static FIXTURE: OnceLock<NetworkFixture> = OnceLock::new();
    FIXTURE.get_or_init(|| NetworkFixture::start(server()))
}

/// A runtime of its own (network options are per runtime), with the tests' environment.
fn fresh_runtime() -> Runtime {
    Runtime::from_component(COMPONENT, Some(&cache_dir()))
        .expect("load the embedded component")
        .with_environment(test_environment())
}

fn trusting(fixture: &NetworkFixture) -> Runtime {
    fresh_runtime().with_ca_bundle(fixture.ca.to_string_lossy())
}

/// Retries that would show: 4 attempts, a second apart.
fn slow_retries(mut config: Config) -> Config {
    config.client.max_attempts = Some(4);
    config.client.retry_base_delay_ms = Some(1000);
    config.client.retry_max_delay_ms = Some(1000);
    config
}

#[test]
fn an_app_trusting_its_private_ca_saves_and_loads_over_https_in_both_stores() {
    let fixture = fixture();
    let runtime = trusting(fixture);
    let table = unique_table("https-round-trip");
    // The certificate names both localhost and 127.0.0.1.
    for endpoint in [fixture.endpoint("tls"), fixture.endpoint("tlsIp")] {
        for kind in KINDS {
            let mut store = AnyStore::open(&runtime, kind, config(&endpoint, &table)).unwrap();
            store
                .round_trip(&format!("{kind:?}-{endpoint}"))
                .unwrap_or_else(|e| panic!("{kind:?} via {endpoint}: {e}"));
        }
    }
}

#[test]
fn the_ca_is_trusted_as_pem_text_by_a_file_path_by_aws_ca_bundle_and_by_ssl_cert_file() {
    let fixture = fixture();
    let endpoint = fixture.endpoint("tls");
    let ca = fixture.ca.to_string_lossy().to_string();
    let table = unique_table("https-trust");
    let ways = [
        (
            "the CA option, PEM text",
            fresh_runtime().with_ca_bundle(fixture.ca_pem()),
        ),
        ("the CA option, a path", fresh_runtime().with_ca_bundle(&ca)),
        (
            "AWS_CA_BUNDLE",
            fresh_runtime().with_environment(test_environment().set("AWS_CA_BUNDLE", &ca)),
        ),
        (
            "SSL_CERT_FILE",
            fresh_runtime().with_environment(test_environment().set("SSL_CERT_FILE", &ca)),
        ),
    ];
    for (way, runtime) in ways {
        for kind in KINDS {
            let mut store = AnyStore::open(&runtime, kind, config(&endpoint, &table)).unwrap();
            store
                .round_trip(&format!("{kind:?}-{way}"))
                .unwrap_or_else(|e| panic!("{kind:?}, trusted by {way}: {e}"));
        }
    }
}

#[test]
fn one_hundred_operations_over_https_need_at_most_two_handshakes() {
    let fixture = NetworkFixture::start(server());
    let runtime = trusting(&fixture);
    let endpoint = fixture.endpoint("tls");
    for kind in KINDS {
        let table = unique_table("https-keep-alive");
        let mut store = AnyStore::open(&runtime, kind, config(&endpoint, &table)).unwrap();
        fixture.reset();
        // 50 saves and 50 loads, the first of them creating the table.
        for i in 0..50 {
            store.round_trip(&format!("user-{i}")).unwrap();
        }
        let counts = fixture.counts();
        let handshakes = counts["handshakes"]["tls"].as_u64().unwrap();
        assert!(
            (1..=2).contains(&handshakes),
            "{kind:?}: {handshakes} TLS handshakes for 100 operations: {counts}"
        );
    }
}

#[test]
fn a_self_signed_or_wrong_host_certificate_is_tls_failed_after_one_attempt() {
    let fixture = NetworkFixture::start(server());
    // Trusting the private CA must not help: the wrong-host certificate is signed by it.
    let runtime = trusting(&fixture);
    for kind in KINDS {
        for (name, reason) in [
            ("selfSigned", "invalid peer certificate"),
            ("wrongHost", "not valid for name"),
        ] {
            fixture.reset();
            let config = slow_retries(config(&fixture.endpoint(name), "users"));
            let mut store = AnyStore::open(&runtime, kind, config).unwrap();
            let started = Instant::now();
            let error = store.load("user-1").unwrap_err();
            let elapsed = started.elapsed();
            let text = error.to_string();
            assert_eq!(error.code(), "tls-failed", "{kind:?} {name}: {text}");
            assert!(text.contains(reason), "{kind:?} {name}: {text}");
            assert!(
                text.contains("AWS_CA_BUNDLE"),
                "{kind:?} {name}: says how to trust a CA: {text}"
            );
            let counts = fixture.counts();
            assert_eq!(
                counts["connections"][name], 1,
                "{kind:?} {name}: one attempt, not retried: {counts}"
            );
            assert_eq!(counts["handshakes"][name], 0, "{kind:?} {name}: {counts}");
            // A retry would wait a second first.
            assert!(
                elapsed < Duration::from_secs(1),
                "{kind:?} {name}: {elapsed:?}"
            );
        }
    }
}

#[test]
fn without_trusting_the_private_ca_its_endpoint_is_tls_failed() {
    let fixture = fixture();
    for kind in KINDS {
        let config = slow_retries(config(&fixture.endpoint("tls"), "users"));
        let mut store = AnyStore::open(&fresh_runtime(), kind, config).unwrap();
        let error = store.load("user-1").unwrap_err();
        assert_eq!(error.code(), "tls-failed", "{kind:?}: {error}");
        assert!(
            error.to_string().contains("UnknownIssuer"),
            "{kind:?}: {error}"
        );
    }
}

#[test]
fn a_stalled_handshake_ends_timed_out_within_the_operation_deadline() {
    let fixture = fixture();
    for kind in KINDS {
        // Without a deadline: 4 attempts of 5 s each, plus backoff.
        let config = config(&fixture.endpoint("stalled"), "users").with_operation_timeout_ms(1500);
        let mut store = AnyStore::open(&trusting(fixture), kind, config).unwrap();
        let started = Instant::now();
        let error = store.load("user-1").unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(error.code(), "timed-out", "{kind:?}: {error}");
        // Gross bound: a loaded machine must not break it, the old 20 s must.
        assert!(
            elapsed < Duration::from_secs(10),
            "{kind:?}: took {elapsed:?}"
        );
    }
}

#[test]
fn a_bundle_that_cannot_be_read_is_invalid_config_naming_where_it_came_from() {
    let not_pem = std::env::temp_dir().join(format!("not-a-ca-{}.txt", std::process::id()));
    std::fs::write(&not_pem, "SECRET-LOOKING CONTENT, not PEM").unwrap();
    let not_pem = not_pem.to_string_lossy().to_string();
    let cases = [
        (
            "AWS_CA_BUNDLE",
            fresh_runtime().with_environment(
                test_environment().set("AWS_CA_BUNDLE", "/nonexistent/ca-bundle.pem"),
            ),
        ),
        (
            "SSL_CERT_FILE",
            fresh_runtime().with_environment(test_environment().set("SSL_CERT_FILE", &not_pem)),
        ),
        ("CA option", fresh_runtime().with_ca_bundle(&not_pem)),
        (
            "CA option",
            fresh_runtime().with_ca_bundle("-----BEGIN CERTIFICATE-----\nnot base64\n"),
        ),
    ];
    for (source, runtime) in cases {
        for kind in KINDS {
            let error = match AnyStore::open(&runtime, kind, config("https://localhost:1", "t")) {
                Ok(_) => panic!("{kind:?} {source}: opened"),
                Err(error) => error,
            };
            let text = error.to_string();
            assert_eq!(error.code(), "invalid-config", "{kind:?} {source}: {text}");
            assert!(text.contains(source), "{kind:?} {source}: {text}");
            assert!(
                !text.contains("SECRET-LOOKING"),
                "{kind:?} {source}: {text}"
            );
        }
    }
    let _ = std::fs::remove_file(&not_pem);
}
