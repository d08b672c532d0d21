//! The WASI build (build/jovo_dynamodb_wasi.wasm) in a wasmtime wasi:http host against
//! dynalite: nothing but wasmtime-wasi and wasmtime-wasi-http between the component and the
//! network, and outgoing requests only to the authorities a test allows. The scenarios of
//! the blocking store (table on the first request, round trip, locking, faults, bad input),
//! then the composed example app served as `wasmtime serve` serves it.

use std::sync::OnceLock;

use jovo_dynamodb_wasi_tests::compose::composed_visit_counter;
use jovo_dynamodb_wasi_tests::serve::serve;
use jovo_dynamodb_wasi_tests::support::{dynalite, http, network_fixture, raw_call, NodeServer};
use jovo_dynamodb_wasi_tests::{
    engine, repo_root, wasi_component_path, ClientConfig, Config, MarshallOptions, Outbound,
    Runtime, StoreError, TableConfig, WasiStore,
};
use serde_json::{json, Value};
use wasmtime::component::Component;
use wasmtime::Engine;

fn tokio() -> &'static tokio::runtime::Runtime {
    static TOKIO: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    TOKIO.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio")
    })
}

/// One dynalite per test binary (new tables CREATING for 500 ms, its default).
fn server() -> &'static str {
    static SERVER: OnceLock<(NodeServer, String)> = OnceLock::new();
    &SERVER.get_or_init(|| dynalite(500)).1
}

fn compiled() -> &'static (Engine, Component) {
    static COMPILED: OnceLock<(Engine, Component)> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let engine = engine().expect("engine");
        let component = Component::from_file(&engine, wasi_component_path())
            .expect("build/jovo_dynamodb_wasi.wasm (make component)");
        (engine, component)
    })
}

fn unique_table(purpose: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{purpose}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn config(endpoint: &str, table: &str) -> Config {
    Config {
        table: TableConfig {
            name: table.into(),
            create_table_on_init: None,
            primary_key_column: None,
            read_capacity_units: None,
            write_capacity_units: None,
            billing_mode: None,
            optimistic_locking: None,
            version_attribute: None,
            expire_after_days: None,
            expiry_attribute: None,
        },
        client: ClientConfig {
            region: None,
            endpoint: Some(endpoint.into()),
            credentials: Some(
                jovo_dynamodb_wasi_tests::bindings::exports::jovo::dynamodb::store::AwsCredentials {
                    access_key_id: "AKIDTESTKEY".into(),
                    secret_access_key: "test-secret-key".into(),
                    session_token: None,
                },
            ),
            request_timeout_ms: None,
            max_attempts: None,
            retry_base_delay_ms: None,
            retry_max_delay_ms: None,
            table_ready_timeout_ms: None,
            operation_timeout_ms: None,
        },
        marshall: MarshallOptions {
            remove_undefined_values: None,
            convert_class_instance_to_map: None,
            convert_empty_values: None,
        },
    }
}

/// A runtime that allows exactly `allowed` (URLs or authorities) and has `environment`.
fn runtime_allowing(allowed: &[&str], environment: &[(&str, &str)]) -> (Runtime, Outbound) {
    let outbound = Outbound::allowing(allowed.iter().map(|a| Outbound::authority_of(a)));
    let runtime = Runtime::new(compiled().0.clone(), environment, outbound.clone());
    (runtime, outbound)
}

/// Opens `config` in a fresh instance and runs `work` on it.
fn with_store<T>(
    runtime: &Runtime,
    config: Config,
    work: impl AsyncFnOnce(&mut WasiStore, jovo_dynamodb_wasi_tests::Client) -> T,
) -> T {
    tokio().block_on(async {
        let mut store = WasiStore::instantiate(runtime, &compiled().1)
            .await
            .expect("instantiate");
        let client = store.open(config).await.expect("call").expect("open");
        work(&mut store, client).await
    })
}

fn item(visits: u32) -> String {
    json!({"user": {"data": {"visits": visits}}, "session": {}, "history": {}, "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"}).to_string()
}

#[test]
fn first_request_creates_the_table_and_an_item_round_trips() {
    let endpoint = server();
    let table = unique_table("wasi-first");
    let (runtime, outbound) = runtime_allowing(&[endpoint], &[]);
    let loaded = with_store(&runtime, config(endpoint, &table), async |store, client| {
        assert!(matches!(
            store.load_user(client, "alice").await.unwrap(),
            Ok(None)
        ));
        store
            .save_user(client, "alice", &item(1))
            .await
            .unwrap()
            .unwrap();
        store.load_user(client, "alice").await.unwrap().unwrap()
    });
    let loaded: Value = serde_json::from_str(&loaded.expect("stored")).unwrap();
    assert_eq!(loaded["user"]["data"]["visits"], json!(1));
    assert_eq!(loaded["userId"], json!("alice"));
    let (status, _) = raw_call(endpoint, "DescribeTable", &json!({"TableName": table}));
    assert_eq!(status, 200);
    assert!(outbound.denied().is_empty());
}

#[test]
fn overlapping_saves_with_locking_conflict_and_store_nothing() {
    let endpoint = server();
    let mut locking = config(endpoint, &unique_table("wasi-lock"));
    locking.table.optimistic_locking = Some(true);
    let (runtime, _) = runtime_allowing(&[endpoint], &[]);
    let (first, second) = with_store(&runtime, locking, async |store, client| {
        assert!(matches!(
            store.load_user(client, "bob").await.unwrap(),
            Ok(None)
        ));
        let first = store.save_user(client, "bob", &item(1)).await.unwrap();
        // A second writer that also saw no item saves over the first one's write.
        let second = store.save_user(client, "bob", &item(2)).await.unwrap();
        (first, second)
    });
    assert!(first.is_ok(), "{first:?}");
    assert!(
        matches!(second, Err(StoreError::ConditionalConflict(_))),
        "{second:?}"
    );
}

#[test]
fn bad_input_fails_before_any_request() {
    let endpoint = server();
    let (runtime, outbound) = runtime_allowing(&[], &[]);
    let bad_table = tokio().block_on(async {
        let mut store = WasiStore::instantiate(&runtime, &compiled().1)
            .await
            .unwrap();
        store.open(config(endpoint, "no")).await.unwrap().err()
    });
    assert!(
        matches!(bad_table, Some(StoreError::InvalidConfig(_))),
        "{bad_table:?}"
    );
    let mut existing = config(endpoint, &unique_table("wasi-bad"));
    existing.table.create_table_on_init = Some(false);
    let (not_object, empty_id) = with_store(&runtime, existing, async |store, client| {
        (
            store.save_user(client, "u", "[1, 2]").await.unwrap(),
            store.load_user(client, "").await.unwrap(),
        )
    });
    assert!(
        matches!(not_object, Err(StoreError::InvalidInput(_))),
        "{not_object:?}"
    );
    assert!(
        matches!(empty_id, Err(StoreError::InvalidInput(_))),
        "{empty_id:?}"
    );
    assert!(outbound.denied().is_empty(), "nothing may be sent");
}

#[test]
fn credentials_and_region_come_from_the_environment() {
    let endpoint = server();
    let mut from_env = config(endpoint, &unique_table("wasi-env"));
    from_env.client.credentials = None;
    let (runtime, _) = runtime_allowing(
        &[endpoint],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDFROMENV"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
        ],
    );
    let loaded = with_store(&runtime, from_env.clone(), async |store, client| {
        store.load_user(client, "carol").await.unwrap()
    });
    assert!(matches!(loaded, Ok(None)), "{loaded:?}");

    let (bare, _) = runtime_allowing(&[endpoint], &[]);
    let missing = with_store(&bare, from_env, async |store, client| {
        store.load_user(client, "carol").await.unwrap()
    });
    match missing {
        Err(StoreError::CredentialsUnavailable(message)) => {
            assert!(
                message.contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"),
                "{message}"
            )
        }
        other => panic!("expected credentials-unavailable, got {other:?}"),
    }

    // No endpoint and no region in the config: AWS_REGION picks the endpoint, which this
    // runtime does not allow (nothing leaves the machine).
    let mut regional = config(endpoint, "users");
    regional.client.endpoint = None;
    regional.client.max_attempts = Some(1);
    let (denying, outbound) = runtime_allowing(&[], &[("AWS_REGION", "eu-west-1")]);
    let denied = with_store(&denying, regional, async |store, client| {
        store.load_user(client, "carol").await.unwrap()
    });
    assert!(
        matches!(&denied, Err(StoreError::TransportFailed(m)) if m.contains("denied")),
        "{denied:?}"
    );
    assert_eq!(
        outbound.denied(),
        vec!["dynamodb.eu-west-1.amazonaws.com".to_string()]
    );
}

#[test]
fn requests_to_hosts_the_runtime_does_not_allow_are_refused() {
    let endpoint = server();
    let mut one_attempt = config(endpoint, &unique_table("wasi-deny"));
    one_attempt.client.max_attempts = Some(2);
    let (runtime, outbound) = runtime_allowing(&["http://127.0.0.1:1"], &[]);
    let refused = with_store(&runtime, one_attempt, async |store, client| {
        store.load_user(client, "dave").await.unwrap()
    });
    assert!(
        matches!(&refused, Err(StoreError::TransportFailed(m)) if m.contains("allowed_outbound_hosts")),
        "{refused:?}"
    );
    assert_eq!(outbound.denied(), vec![Outbound::authority_of(endpoint); 2]);
}

fn fixture_counts(control: &str) -> Value {
    let (_, body) = http("GET", &format!("{control}/counts"), &[], "");
    serde_json::from_str(&body).expect("counts")
}

#[test]
fn faults_tls_stalls_redirects_and_refused_connections() {
    let endpoint = server();
    let (_fixture, info) = network_fixture(endpoint);
    let control = info["control"].as_str().unwrap();
    let url = |name: &str| info["endpoints"][name].as_str().unwrap().to_string();
    let run = |target: String, tune: &dyn Fn(&mut Config)| {
        let mut config = config(&target, &unique_table("wasi-fault"));
        config.table.create_table_on_init = Some(false);
        tune(&mut config);
        let (runtime, _) = runtime_allowing(&[&target], &[]);
        with_store(&runtime, config, async |store, client| {
            store.load_user(client, "erin").await.unwrap()
        })
    };

    // A certificate of a private CA the runtime does not trust: tls-failed, never retried.
    // (wasmtime-wasi-http reports it as `TLS-protocol-error`, its code for every TLS failure.)
    let untrusted = run(url("tls"), &|_| {});
    assert!(
        matches!(&untrusted, Err(StoreError::TlsFailed(m))
            if m.contains("certificate") && m.contains("after 1 attempt")),
        "{untrusted:?}"
    );
    let self_signed = run(url("selfSigned"), &|_| {});
    assert!(
        matches!(self_signed, Err(StoreError::TlsFailed(_))),
        "{self_signed:?}"
    );

    // A server that accepts and never answers: timed-out within the operation's limit.
    let started = std::time::Instant::now();
    let stalled = run(url("stalled"), &|c| {
        c.client.request_timeout_ms = Some(300);
        c.client.operation_timeout_ms = Some(1000);
    });
    assert!(
        matches!(stalled, Err(StoreError::TimedOut(_))),
        "{stalled:?}"
    );
    assert!(
        started.elapsed().as_millis() < 5000,
        "{:?}",
        started.elapsed()
    );

    // A redirect is refused, never followed.
    let redirected = run(url("redirect"), &|_| {});
    assert!(
        matches!(&redirected, Err(StoreError::MalformedResponse(m)) if m.contains("307")),
        "{redirected:?}"
    );
    assert_eq!(fixture_counts(control)["redirectTargetHits"], json!(0));

    // Nobody listening: retried, then transport-failed.
    let refused = run("http://127.0.0.1:9".into(), &|c| {
        c.client.retry_base_delay_ms = Some(1)
    });
    assert!(
        matches!(&refused, Err(StoreError::TransportFailed(_))),
        "{refused:?}"
    );
}

/// The example app (examples/visit-counter, built by `make example`) with the WASI build
/// plugged in, as `wac plug` does, served like `wasmtime serve`.
#[test]
fn the_composed_example_counts_visits_on_a_table_that_did_not_exist() {
    let endpoint = server();
    let table = unique_table("wasi-visits");
    let composed =
        composed_visit_counter().expect("compose (make example builds build/visit_counter.wasm)");
    std::fs::write(
        repo_root().join("build/visit_counter_composed.wasm"),
        &composed,
    )
    .unwrap();
    let engine = compiled().0.clone();
    let component = Component::new(&engine, &composed).expect("the composed component");
    let outbound = Outbound::allowing([Outbound::authority_of(endpoint)]);
    let runtime = Runtime::new(
        engine,
        &[
            ("TABLE", table.as_str()),
            ("DYNAMODB_ENDPOINT", endpoint),
            ("AWS_ACCESS_KEY_ID", "AKIDTESTKEY"),
            ("AWS_SECRET_ACCESS_KEY", "test-secret-key"),
        ],
        outbound,
    );
    let address = tokio().block_on(serve(runtime, &component)).expect("serve");
    for expected in 1..=3 {
        let (status, body) = http("GET", &format!("http://{address}/visit/frank"), &[], "");
        assert_eq!(status, 200, "{body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body, json!({"user": "frank", "visits": expected}));
    }
    let (status, stored) = raw_call(
        endpoint,
        "GetItem",
        &json!({"TableName": table, "Key": {"userId": {"S": "frank"}}, "ConsistentRead": true}),
    );
    assert_eq!(status, 200);
    let stored = &stored["Item"];
    // The original plugin's format: the key column, user.data, session, history, and the
    // two ISO timestamps, as plain DynamoDB attribute values.
    assert_eq!(stored["userId"], json!({"S": "frank"}));
    assert_eq!(
        stored["user"],
        json!({"M": {"data": {"M": {"visits": {"N": "3"}}}}})
    );
    assert_eq!(stored["session"], json!({"M": {}}));
    assert_eq!(stored["history"], json!({"M": {}}));
    for stamp in ["createdAt", "updatedAt"] {
        let text = stored[stamp]["S"]
            .as_str()
            .unwrap_or_else(|| panic!("{stamp}: {stored}"));
        assert!(
            text.len() == 24 && text.ends_with('Z') && text.as_bytes()[10] == b'T',
            "{text}"
        );
    }
}
