//! The crate embeds the component (`component/jovo_dynamodb.wasm`), so a project that
//! depends on it needs nothing else. That copy must be the component this repository
//! builds: `scripts/build-component.sh` copies build/jovo_dynamodb.wasm over it.

use std::path::Path;

use jovo_dynamodb_host::{Config, Environment, Runtime, COMPONENT};

#[test]
fn the_embedded_component_is_the_one_the_repository_builds() {
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../build/jovo_dynamodb.wasm");
    let built = std::fs::read(&built).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): build the component with `make component`",
            built.display()
        )
    });
    assert!(
        built == COMPONENT,
        "host-tests/rust/component/jovo_dynamodb.wasm ({} bytes) is stale: it differs from \
         build/jovo_dynamodb.wasm ({} bytes). Run `make component` (scripts/build-component.sh \
         copies it), or `cp build/jovo_dynamodb.wasm host-tests/rust/component/`, then rebuild.",
        COMPONENT.len(),
        built.len()
    );
}

#[test]
fn the_default_runtime_needs_no_file_of_this_repository() {
    // No cache directory either: only the embedded bytes.
    let runtime = Runtime::from_component(COMPONENT, None)
        .unwrap()
        .with_environment(Environment::from_vars([(
            "AWS_EC2_METADATA_DISABLED",
            "true",
        )]));
    // Opening validates the config inside the component: it is alive.
    let error = runtime.open(Config::for_table("x")).err().unwrap();
    assert_eq!(error.code(), "invalid-config", "{error}");
    runtime
        .open(Config::for_table("users").with_endpoint("http://127.0.0.1:9"))
        .unwrap();
    Runtime::load_default().unwrap();
}
