//! The jovo-dynamodb component: one user item per user in one DynamoDB table.
//!
//! One load or save reads in one pass: `lib.rs` (the `store` export) → [`client`] (table
//! on first use, validation) → [`marshal`] → [`protocol`] (request body) → [`signing`] →
//! [`host::Host::send`] with [`retry`] → [`protocol`] (response) → [`marshal`] → result.

// The guest must never panic (a panic is a trap the host cannot recover from); lint the
// shortcuts that would.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod client;
pub mod config;
pub mod errors;
pub mod host;
pub mod marshal;
pub mod numbers;
pub mod protocol;
pub mod retention;
pub mod retry;
pub mod signing;
pub mod table;

/// Generated from `wit/`. Nothing generated leaks out under another name.
pub mod bindings {
    wit_bindgen::generate!({ path: "wit", world: "persistence" });
}

use bindings::exports::jovo::dynamodb::store::{
    self, Config, StoreError, TableStatus, TimeToLiveStatus,
};

/// The exported `store` interface.
struct Component;

impl store::Guest for Component {
    type Client = ClientResource;
}

/// The `client` resource: a [`client::Client`] talking through the imported `host`.
pub struct ClientResource(client::Client<host::WitHost>);

impl store::GuestClient for ClientResource {
    fn open(config: Config) -> Result<store::Client, StoreError> {
        let settings = config::Settings::from_wit(config)?;
        Ok(store::Client::new(ClientResource(client::Client::new(
            settings,
            host::WitHost,
        ))))
    }

    fn ensure_table(&self) -> Result<TableStatus, StoreError> {
        self.0.ensure_table()
    }

    fn ensure_time_to_live(&self) -> Result<TimeToLiveStatus, StoreError> {
        self.0.ensure_time_to_live()
    }

    fn load_user(&self, user_id: String) -> Result<Option<String>, StoreError> {
        self.0.load_user(&user_id)
    }

    fn save_user(&self, user_id: String, item: String) -> Result<(), StoreError> {
        self.0.save_user(&user_id, &item)
    }

    fn delete_user(&self, user_id: String) -> Result<(), StoreError> {
        self.0.delete_user(&user_id)
    }
}

// Exported only for wasm: the export names (`jovo:dynamodb/store@0.1.0#...`) are not valid
// symbols for a native linker, and native builds exist only to run the unit tests.
#[cfg(target_arch = "wasm32")]
bindings::export!(Component with_types_in bindings);
