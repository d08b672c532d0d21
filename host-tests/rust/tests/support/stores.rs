//! Either store behind one interface, so a network test runs the same story through the
//! blocking store (ureq) and the tokio store (hyper).
#![allow(dead_code)] // each test binary uses a different part of this module

use jovo_dynamodb_host::{AsyncDynamoDbStore, Config, DynamoDbStore, Error, Item, Runtime};
use serde_json::Value;

use crate::support::tokio;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Blocking,
    Async,
}

pub const KINDS: [Kind; 2] = [Kind::Blocking, Kind::Async];

/// A store of either kind; the async one is driven on the shared tokio runtime.
pub enum AnyStore {
    Blocking(Box<DynamoDbStore>),
    Async(AsyncDynamoDbStore),
}

impl AnyStore {
    pub fn open(runtime: &Runtime, kind: Kind, config: Config) -> Result<AnyStore, Error> {
        match kind {
            Kind::Blocking => runtime
                .open(config)
                .map(|store| AnyStore::Blocking(Box::new(store))),
            Kind::Async => tokio()
                .block_on(async { runtime.open_async(config) })
                .map(AnyStore::Async),
        }
    }

    pub fn load(&mut self, user_id: &str) -> Result<Option<Value>, Error> {
        match self {
            AnyStore::Blocking(store) => store.load_user(user_id),
            AnyStore::Async(store) => tokio().block_on(store.load_user(user_id)),
        }
    }

    pub fn save(&mut self, user_id: &str, item: &Value) -> Result<(), Error> {
        match self {
            AnyStore::Blocking(store) => store.save_user(user_id, item),
            AnyStore::Async(store) => tokio().block_on(store.save_user(user_id, item)),
        }
    }

    pub fn load_item(&mut self, user_id: &str) -> Result<Option<Item>, Error> {
        match self {
            AnyStore::Blocking(store) => store.load_user_item(user_id),
            AnyStore::Async(store) => tokio().block_on(store.load_user_item(user_id)),
        }
    }

    pub fn save_item(&mut self, user_id: &str, item: &Item) -> Result<(), Error> {
        match self {
            AnyStore::Blocking(store) => store.save_user_item(user_id, item),
            AnyStore::Async(store) => tokio().block_on(store.save_user_item(user_id, item)),
        }
    }

    pub fn load_json(&mut self, user_id: &str) -> Result<Option<String>, Error> {
        match self {
            AnyStore::Blocking(store) => store.load_user_json(user_id),
            AnyStore::Async(store) => tokio().block_on(store.load_user_json(user_id)),
        }
    }

    pub fn save_json(&mut self, user_id: &str, item: &str) -> Result<(), Error> {
        match self {
            AnyStore::Blocking(store) => store.save_user_json(user_id, item),
            AnyStore::Async(store) => tokio().block_on(store.save_user_json(user_id, item)),
        }
    }

    /// Saves an item for `user_id`, loads it back and checks it came back whole.
    #[track_caller]
    pub fn round_trip(&mut self, user_id: &str) -> Result<(), Error> {
        let item = serde_json::json!({"user": {"data": {"id": user_id, "visits": 1}}});
        self.save(user_id, &item)?;
        let loaded = self.load(user_id)?.expect("the saved item");
        assert_eq!(
            loaded["user"], item["user"],
            "{user_id}: the item came back changed"
        );
        Ok(())
    }
}
