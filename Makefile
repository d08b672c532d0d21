# `make demo` and `make test` are the two entry points (see README.md). Every other
# target is a step of theirs and can be run alone.
SHELL := /bin/bash
.DEFAULT_GOAL := demo
CARGO_HOST := cargo --locked
export PROPTEST_CASES ?= 2000

.PHONY: demo test toolchain component example host lint test-guest test-hosts-rust test-rust test-wasi test-python test-js test-edge fuzz bench

## The main job: a Jovo app (bundled as deployed), the Python host (asyncio) and the Rust host
## (tokio) share one user in a local dynalite it starts and stops (demo/run.mjs); then the
## example app composed with the WASI build, served by wasmtime's wasi:http host.
demo: component host example
	demo/prepare.sh
	scripts/with-dynalite.sh node demo/run.mjs

## Every check, from a fresh machine.
test: component lint test-guest test-hosts-rust test-python test-js test-edge

toolchain:
	scripts/install-toolchain.sh

component: toolchain
	scripts/build-component.sh

## The example app component (examples/visit-counter, wasm32-wasip2): build/visit_counter.wasm.
example: toolchain
	scripts/build-example.sh

host:
	$(CARGO_HOST) build --release -p jovo-dynamodb-host -p jovo-dynamodb-wasi-tests

lint: toolchain
	cargo fmt --all --check
	$(CARGO_HOST) clippy --release --workspace --all-targets -- -D warnings
	$(CARGO_HOST) clippy --target wasm32-unknown-unknown --profile wasm-release -p jovo-dynamodb-wasm -- -D warnings
	$(CARGO_HOST) clippy --target wasm32-unknown-unknown --profile wasm-release -p jovo-dynamodb-wasm --features wasi --target-dir target/wasi-guest -- -D warnings
	cd examples/visit-counter && cargo fmt --check && cargo clippy --locked --release -- -D warnings

## Unit and property tests of the guest's logic, run natively.
test-guest:
	$(CARGO_HOST) test --release -p jovo-dynamodb-wasm

## test-rust and test-wasi in one cargo run: built together, the two crates share one
## wasmtime (with the union of their features); built apart, wasmtime compiles twice
## (minutes on 2 cores).
## While cargo compiles (minutes, CPU-bound) the moto venv the Rust tests need and the Python
## suite's venv are installed beside it (mostly downloads and unpacking). Best effort: each
## suite installs what is still missing itself, and says why when that fails.
test-hosts-rust: component example
	scripts/install-moto.sh >build/prepare-moto.log 2>&1 & moto=$$!; \
	host-tests/python/run-tests.sh --prepare >build/prepare-python.log 2>&1 & python=$$!; \
	$(CARGO_HOST) test --release -p jovo-dynamodb-host -p jovo-dynamodb-wasi-tests --no-run; built=$$?; \
	wait $$moto; wait $$python; \
	[ $$built -eq 0 ] && $(CARGO_HOST) test --release -p jovo-dynamodb-host -p jovo-dynamodb-wasi-tests

## The component in wasmtime against dynalite (the tests start their own servers).
test-rust: component
	$(CARGO_HOST) test --release -p jovo-dynamodb-host

## The WASI build in wasmtime's wasi:http host (wasmtime-wasi-http) against dynalite, and the
## example app composed with it (wac-graph) and served as `wasmtime serve` does.
test-wasi: component example
	$(CARGO_HOST) test --release -p jovo-dynamodb-wasi-tests

## The Python host (wasmtime-py) against dynalite: venv, package install, pytest.
test-python: component
	host-tests/python/run-tests.sh

## The Jovo plugin (js-shim) on Node 20, 22 and 24 against dynalite; then the package as Jovo
## apps deploy it: npm pack, a Jovo TypeScript app bundled by esbuild as a Lambda handler,
## require() and import, Bun and Deno.
test-js: component
	js-shim/scripts/test.sh
	js-shim/scripts/test-deploy.sh

## The edge entry in workerd and headless Chromium (installed with apt when missing).
test-edge: component
	js-shim/scripts/test-edge.sh

## The long property run (at least 1,000,000 generated cases); not part of `make test`.
fuzz:
	scripts/fuzz.sh

## Benchmarks against the AWS SDKs (about 10 minutes; writes bench/RESULTS.md and results.svg).
bench:
	bench/run.sh
