# workerd config of the visits example: `workerd serve config.capnp` (from this folder).
# The worker's modules carry the package's edge bundle (dist/edge.mjs) under its package
# name, and the three core modules as `wasm` modules: workerd refuses to compile WebAssembly
# from bytes, so the bundle's own inlined copy cannot be used there.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .visitsWorker),
    # Outbound fetch: DynamoDB on AWS ("public") and a local one such as dynalite ("local").
    (name = "internet", network = (allow = ["public", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "main")],
);

const visitsWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "jovo-dynamodb-wasm/edge", esModule = embed "../../dist/edge.mjs"),
    (name = "jovo-dynamodb-wasm/dist/jovo_dynamodb.core.wasm", wasm = embed "../../dist/jovo_dynamodb.core.wasm"),
  ],
  compatibilityDate = "2026-11-01",
  # Secrets and settings from workerd's environment.
  bindings = [
    (name = "TABLE_NAME", fromEnvironment = "TABLE_NAME"),
    (name = "DYNAMODB_ENDPOINT", fromEnvironment = "DYNAMODB_ENDPOINT"),
    (name = "AWS_REGION", fromEnvironment = "AWS_REGION"),
    (name = "AWS_ACCESS_KEY_ID", fromEnvironment = "AWS_ACCESS_KEY_ID"),
    (name = "AWS_SECRET_ACCESS_KEY", fromEnvironment = "AWS_SECRET_ACCESS_KEY"),
  ],
);
