//! Proxies as users configure them (issue 16), the same in both stores: `HTTPS_PROXY` /
//! `HTTP_PROXY` (either case, lower case winning), `NO_PROXY`, and the runtime's option that
//! names a proxy or turns proxies off. https endpoints are reached through a CONNECT tunnel
//! with the endpoint's certificate verified inside it; the fixture's proxy counts tunnels
//! and forwarded (absolute-form) requests.
//!
//! Every test starts its own fixture (their counts are per test) and passes variables
//! through the runtime's `Environment`, never the process's.

#[path = "support/network_fixture.rs"]
mod network_fixture;
#[path = "support/stores.rs"]
mod stores;
mod support;

use jovo_dynamodb_host::{Config, Environment, Runtime, COMPONENT};
use network_fixture::NetworkFixture;
use serde_json::Value;
use stores::{AnyStore, Kind, KINDS};
use support::*;

/// A runtime trusting the fixture's CA, with `vars` on top of the tests' environment.
fn runtime_with(fixture: &NetworkFixture, vars: &[(&str, &str)]) -> Runtime {
    let environment = vars
        .iter()
        .fold(test_environment(), |env: Environment, (k, v)| {
            env.set(*k, *v)
        });
    Runtime::from_component(COMPONENT, Some(&cache_dir()))
        .expect("load the embedded component")
        .with_environment(environment)
        .with_ca_bundle(fixture.ca.to_string_lossy())
}

/// Few, quick retries: a failure shows at once.
fn quick(mut config: Config) -> Config {
    config.client.max_attempts = Some(2);
    config.client.retry_base_delay_ms = Some(1);
    config.client.retry_max_delay_ms = Some(5);
    config
}

/// A round trip of `kind` to `endpoint` after a reset; the fixture's counts after it.
#[track_caller]
fn counted_round_trip(
    fixture: &NetworkFixture,
    runtime: &Runtime,
    kind: Kind,
    endpoint: &str,
) -> Value {
    fixture.reset();
    let table = unique_table("proxied");
    let mut store = AnyStore::open(runtime, kind, config(endpoint, &table)).unwrap();
    store
        .round_trip("proxied-user")
        .unwrap_or_else(|e| panic!("{kind:?} to {endpoint}: {e}"));
    fixture.counts()
}

fn count(counts: &Value, name: &str) -> u64 {
    counts[name].as_u64().unwrap()
}

#[test]
fn https_goes_through_the_proxy_of_https_proxy_in_a_verified_tunnel() {
    let fixture = NetworkFixture::start(server());
    let proxy = fixture.endpoint("proxy");
    let tls = fixture.endpoint("tls");
    for variable in ["HTTPS_PROXY", "https_proxy"] {
        let runtime = runtime_with(&fixture, &[(variable, &proxy)]);
        for kind in KINDS {
            let counts = counted_round_trip(&fixture, &runtime, kind, &tls);
            assert!(
                count(&counts, "tunnels") >= 1,
                "{kind:?} {variable}: {counts}"
            );
            // TLS ran end to end inside the tunnel, to the terminator.
            assert!(
                counts["handshakes"]["tls"].as_u64().unwrap() >= 1,
                "{kind:?}: {counts}"
            );
        }
    }
    // The endpoint's certificate is still checked inside the tunnel.
    let runtime = runtime_with(&fixture, &[("HTTPS_PROXY", &proxy)]);
    for kind in KINDS {
        let config = quick(config(&fixture.endpoint("wrongHost"), "users"));
        let error = AnyStore::open(&runtime, kind, config)
            .unwrap()
            .load("u")
            .unwrap_err();
        assert_eq!(error.code(), "tls-failed", "{kind:?}: {error}");
    }
}

#[test]
fn http_goes_through_the_proxy_of_http_proxy() {
    let fixture = NetworkFixture::start(server());
    let proxy = fixture.endpoint("proxy");
    for variable in ["HTTP_PROXY", "http_proxy"] {
        let runtime = runtime_with(&fixture, &[(variable, &proxy), ("HTTPS_PROXY", "")]);
        for kind in KINDS {
            let counts = counted_round_trip(&fixture, &runtime, kind, server());
            // hyper sends absolute-form requests; ureq knows only CONNECT, for http too.
            let through = count(&counts, "proxied") + count(&counts, "tunnels");
            assert!(through >= 1, "{kind:?} {variable}: {counts}");
            if kind == Kind::Async {
                assert!(count(&counts, "proxied") >= 1, "{kind:?}: {counts}");
            }
        }
    }
}

#[test]
fn hosts_in_no_proxy_are_reached_directly() {
    let fixture = NetworkFixture::start(server());
    let proxy = fixture.endpoint("proxy");
    for no_proxy in [
        ("NO_PROXY", "example.com,localhost"),
        ("no_proxy", ".example.com, 127.0.0.1"),
        ("NO_PROXY", "*"),
    ] {
        let runtime = runtime_with(
            &fixture,
            &[("HTTPS_PROXY", &proxy), ("HTTP_PROXY", &proxy), no_proxy],
        );
        let direct = match no_proxy.1 {
            value if value.contains("localhost") => fixture.endpoint("tls"),
            value if value.contains("127.0.0.1") => fixture.endpoint("tlsIp"),
            _ => fixture.endpoint("tls"),
        };
        for kind in KINDS {
            let counts = counted_round_trip(&fixture, &runtime, kind, &direct);
            assert_eq!(
                count(&counts, "tunnels"),
                0,
                "{kind:?} {no_proxy:?}: {counts}"
            );
            assert_eq!(
                count(&counts, "proxied"),
                0,
                "{kind:?} {no_proxy:?}: {counts}"
            );
        }
    }
    // A port in NO_PROXY must match too: another port still goes through the proxy.
    let runtime = runtime_with(
        &fixture,
        &[("HTTPS_PROXY", &proxy), ("NO_PROXY", "localhost:1")],
    );
    for kind in KINDS {
        let counts = counted_round_trip(&fixture, &runtime, kind, &fixture.endpoint("tls"));
        assert!(count(&counts, "tunnels") >= 1, "{kind:?}: {counts}");
    }
}

#[test]
fn the_proxy_option_overrides_the_variables_or_turns_proxies_off() {
    let fixture = NetworkFixture::start(server());
    let proxy = fixture.endpoint("proxy");
    let tls = fixture.endpoint("tls");
    // The variables name a proxy that refuses connections; the option wins.
    let dead = [("HTTPS_PROXY", "http://127.0.0.1:1"), ("NO_PROXY", "*")];
    let runtime = runtime_with(&fixture, &dead).with_proxy(&proxy);
    for kind in KINDS {
        let counts = counted_round_trip(&fixture, &runtime, kind, &tls);
        assert!(count(&counts, "tunnels") >= 1, "{kind:?}: {counts}");
    }
    let runtime = runtime_with(&fixture, &[("HTTPS_PROXY", &proxy)]).without_proxy();
    for kind in KINDS {
        let counts = counted_round_trip(&fixture, &runtime, kind, &tls);
        assert_eq!(count(&counts, "tunnels"), 0, "{kind:?}: {counts}");
    }
}

#[test]
fn a_proxy_with_a_password_works_and_the_password_is_never_shown() {
    const PASSWORD: &str = "hunter2-proxy-pass";
    let fixture = NetworkFixture::start(server());
    let port = fixture
        .endpoint("proxy")
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let with_password = format!("http://jovo:{PASSWORD}@127.0.0.1:{port}");
    let runtime = runtime_with(&fixture, &[]).with_proxy(&with_password);
    for kind in KINDS {
        let counts = counted_round_trip(&fixture, &runtime, kind, &fixture.endpoint("tls"));
        assert!(count(&counts, "tunnels") >= 1, "{kind:?}: {counts}");
    }
    // A proxy that is down: a transport failure that names no password.
    let down = format!("http://jovo:{PASSWORD}@127.0.0.1:1");
    let runtime = runtime_with(&fixture, &[]).with_proxy(&down);
    for kind in KINDS {
        let config = quick(config(&fixture.endpoint("tls"), "users"));
        let error = AnyStore::open(&runtime, kind, config)
            .unwrap()
            .load("u")
            .unwrap_err();
        assert_eq!(error.code(), "transport-failed", "{kind:?}: {error}");
        for text in [format!("{error}"), format!("{error:?}")] {
            assert!(!text.contains(PASSWORD), "{kind:?}: {text}");
        }
    }
}

#[test]
fn a_proxy_url_that_is_not_http_is_invalid_config_without_echoing_it() {
    let fixture = NetworkFixture::start(server());
    let cases = [
        (
            "HTTPS_PROXY",
            runtime_with(
                &fixture,
                &[("HTTPS_PROXY", "https://jovo:hunter2@proxy:443")],
            ),
        ),
        (
            "proxy option",
            runtime_with(&fixture, &[]).with_proxy("socks5://jovo:hunter2@proxy:1080"),
        ),
    ];
    for (source, runtime) in cases {
        for kind in KINDS {
            let error = match AnyStore::open(&runtime, kind, config("https://localhost:1", "t")) {
                Ok(_) => panic!("{kind:?} {source}: opened"),
                Err(error) => error,
            };
            let text = format!("{error} {error:?}");
            assert_eq!(error.code(), "invalid-config", "{kind:?}: {text}");
            assert!(text.contains(source), "{kind:?}: {text}");
            assert!(!text.contains("hunter2"), "{kind:?}: {text}");
        }
    }
}
