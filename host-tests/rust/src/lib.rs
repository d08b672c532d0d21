//! A Rust host for the jovo-dynamodb component.
//!
//! The component holds all the DynamoDB logic; this crate gives it what it imports
//! (`jovo:dynamodb/host`: HTTP, clock, sleep, credentials) and wraps its `store` export in
//! plain Rust. The component is embedded in the crate ([`COMPONENT`]).
//!
//! Blocking, a store per thread:
//!
//! ```no_run
//! use jovo_dynamodb_host::{Config, Runtime};
//! let runtime = Runtime::load_default()?;               // compiles once, then cached on disk
//! let mut store = runtime.open(Config::for_table("users"))?;
//! store.save_user("user-1", &serde_json::json!({"user": {"data": {"visits": 1}}}))?;
//! let item = store.load_user("user-1")?;                 // Some(json) or None
//! # Ok::<(), jovo_dynamodb_host::Error>(())
//! ```
//!
//! Items come three ways, the same for both stores:
//!
//! - `load_user_item` / `save_user_item`: an [`Item`] of typed [`AttributeValue`]s, all ten
//!   DynamoDB types (sets and binary included), nothing lost in a load and a save;
//! - `load_user` / `save_user`: a `serde_json::Value`, for JSON-shaped items (a load of an
//!   item holding a set, binary or a lone surrogate fails with `invalid-input` rather than
//!   change a type);
//! - `load_user_json` / `save_user_json`: the exact item text the component speaks (JSON,
//!   plus `$B"…"`, `$SS[…]`, `$NS[…]`, `$BS[…]` for binary and sets).
//!
//! Async (tokio), one store for all tasks: [`AsyncDynamoDbStore`]. Credentials and region
//! when the config has none: [`credentials`].

mod async_http;
mod async_store;
mod cache;
pub mod credentials;
mod error;
mod item;
mod item_text;
mod json_value;
mod lookups;
mod network;
mod proxy;
mod runtime;
mod text;
mod tls;
mod transport;

/// Generated from `wit/` by wasmtime. The rest of the crate re-exports what users need
/// under plain names.
mod bindings {
    wasmtime::component::bindgen!({ path: "../../wit", world: "persistence" });
}

pub use async_store::AsyncDynamoDbStore;
pub use bindings::exports::jovo::dynamodb::store::AwsCredentials;
pub use bindings::exports::jovo::dynamodb::store::{
    BillingMode, ClientConfig, Config, MarshallOptions, ServiceError, StoreError, TableConfig,
    TableStatus, TimeToLiveStatus,
};
pub use credentials::{Credentials, DefaultCredentialsChain, Environment, ProvideCredentials};
pub use error::Error;
pub use item::{AttributeValue, Item, Map};
pub use runtime::{DynamoDbStore, Runtime, COMPONENT};
pub use text::Text;

impl Config {
    /// The plugin's defaults for `table` (every option unset): only the name is needed.
    pub fn for_table(name: &str) -> Config {
        Config {
            table: TableConfig {
                name: name.to_string(),
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
                endpoint: None,
                credentials: None,
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

    /// Talk to `endpoint` (e.g. a local dynalite) instead of the region's DynamoDB.
    pub fn with_endpoint(mut self, endpoint: &str) -> Config {
        self.client.endpoint = Some(endpoint.to_string());
        self
    }

    /// At most `ms` milliseconds for one whole operation (`client.operation_timeout_ms`):
    /// across attempts, backoff and table waits; the component cuts each request's timeout
    /// to what is left and fails with `timed-out` when it runs out. Default: none.
    pub fn with_operation_timeout_ms(mut self, ms: u32) -> Config {
        self.client.operation_timeout_ms = Some(ms);
        self
    }

    /// Sign with these credentials instead of the environment's.
    pub fn with_credentials(mut self, access_key_id: &str, secret_access_key: &str) -> Config {
        self.client.credentials = Some(AwsCredentials {
            access_key_id: access_key_id.to_string(),
            secret_access_key: secret_access_key.to_string(),
            session_token: None,
        });
        self
    }
}
