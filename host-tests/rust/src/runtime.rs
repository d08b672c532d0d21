//! The engine and the pre-linked component ([`Runtime`], one per process), and one open
//! client with its own wasmtime store ([`DynamoDbStore`], one per thread).

use std::path::{Path, PathBuf};

use serde_json::Value;
use wasmtime::component::{HasSelf, Linker, ResourceAny};
use wasmtime::{Engine, Store};

use crate::bindings::{Persistence, PersistencePre};
use crate::transport::{self, HostState};
use crate::{cache, credentials, Config, Error, TableStatus, TimeToLiveStatus};

/// The compiled component, ready to instantiate. Cheap to share (`Clone`, `Send`, `Sync`).
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    pre: PersistencePre<HostState>,
    agent: ureq::Agent,
}

impl Runtime {
    /// The component named by `JOVO_DYNAMODB_COMPONENT`, else the one `make component`
    /// builds in this repository, compiled with the default cache directory.
    pub fn load_default() -> Result<Runtime, Error> {
        Runtime::load(&default_component_path(), cache::default_dir().as_deref())
    }

    /// The component at `path`; compiled output is cached in `cache_dir` when given.
    pub fn load(path: &Path, cache_dir: Option<&Path>) -> Result<Runtime, Error> {
        let wasm = std::fs::read(path).map_err(|e| {
            Error::Runtime(wasmtime::Error::msg(format!(
                "cannot read the component {} ({e}); build it with `make component`",
                path.display()
            )))
        })?;
        let engine = Engine::default();
        let component = cache::load_or_compile(&engine, &wasm, cache_dir)?;
        let mut linker = Linker::<HostState>::new(&engine);
        Persistence::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)?;
        let pre = PersistencePre::new(linker.instantiate_pre(&component)?)?;
        Ok(Runtime {
            engine,
            pre,
            agent: transport::agent(),
        })
    }

    /// Opens a client of one table. Fills in the region from `AWS_REGION` /
    /// `AWS_DEFAULT_REGION` when the config has neither region nor endpoint; credentials
    /// come from the config or, per request, from the `AWS_*` environment variables.
    pub fn open(&self, mut config: Config) -> Result<DynamoDbStore, Error> {
        if config.client.region.is_none() && config.client.endpoint.is_none() {
            config.client.region = credentials::region_from_environment();
        }
        let mut store = Store::new(&self.engine, HostState::new(self.agent.clone()));
        let bindings = self.pre.instantiate(&mut store)?;
        let client = bindings
            .jovo_dynamodb_store()
            .client()
            .call_open(&mut store, &config)??;
        Ok(DynamoDbStore {
            store,
            bindings,
            client,
        })
    }
}

fn default_component_path() -> PathBuf {
    std::env::var_os("JOVO_DYNAMODB_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../build/jovo_dynamodb.wasm")
        })
}

/// One client of one table, in its own component instance. Not `Sync`: use one per
/// thread (they share the [`Runtime`] and its connection pool).
pub struct DynamoDbStore {
    store: Store<HostState>,
    bindings: Persistence,
    client: ResourceAny,
}

impl DynamoDbStore {
    /// Makes sure the table exists and is ACTIVE, creating it when allowed.
    pub fn ensure_table(&mut self) -> Result<TableStatus, Error> {
        let api = self.bindings.jovo_dynamodb_store().client();
        Ok(api.call_ensure_table(&mut self.store, self.client)??)
    }

    /// Turns on Time to Live when `expire-after-days` is set, and says how it stands.
    pub fn ensure_time_to_live(&mut self) -> Result<TimeToLiveStatus, Error> {
        let api = self.bindings.jovo_dynamodb_store().client();
        Ok(api.call_ensure_time_to_live(&mut self.store, self.client)??)
    }

    /// The stored item of `user_id`, or `None`.
    pub fn load_user(&mut self, user_id: &str) -> Result<Option<Value>, Error> {
        let api = self.bindings.jovo_dynamodb_store().client();
        let text = api.call_load_user(&mut self.store, self.client, user_id)??;
        text.map(|text| {
            serde_json::from_str(&text).map_err(|e| {
                Error::Runtime(wasmtime::Error::msg(format!(
                    "component returned invalid JSON: {e}"
                )))
            })
        })
        .transpose()
    }

    /// Replaces the stored item of `user_id` with `item` (a JSON object).
    pub fn save_user(&mut self, user_id: &str, item: &Value) -> Result<(), Error> {
        self.save_user_json(user_id, &item.to_string())
    }

    /// Like [`save_user`](Self::save_user), with the item as JSON text.
    pub fn save_user_json(&mut self, user_id: &str, item: &str) -> Result<(), Error> {
        let api = self.bindings.jovo_dynamodb_store().client();
        Ok(api.call_save_user(&mut self.store, self.client, user_id, item)??)
    }

    /// The `sleep-ms` calls (milliseconds) the component made through this store since it
    /// was opened or since the last [`take_sleeps`](Self::take_sleeps): retry backoff and
    /// waits for a new table. Lets tests see that retries back off. At most 4096 are kept.
    pub fn sleeps_observed(&self) -> &[u32] {
        self.store.data().sleeps()
    }

    /// Like [`sleeps_observed`](Self::sleeps_observed), and forgets them.
    pub fn take_sleeps(&mut self) -> Vec<u32> {
        self.store.data_mut().take_sleeps()
    }

    /// Deletes the stored item of `user_id`; a missing item is not an error.
    pub fn delete_user(&mut self, user_id: &str) -> Result<(), Error> {
        let api = self.bindings.jovo_dynamodb_store().client();
        Ok(api.call_delete_user(&mut self.store, self.client, user_id)??)
    }
}
