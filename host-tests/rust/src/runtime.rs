//! The engine and the pre-linked component ([`Runtime`], one per process), and one open
//! client with its own wasmtime store ([`DynamoDbStore`], one per thread).

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use wasmtime::component::{HasSelf, Linker, ResourceAny};
use wasmtime::{Engine, Store};

use crate::async_http::AsyncHttp;
use crate::async_store::AsyncDynamoDbStore;
use crate::bindings::{Persistence, PersistencePre};
use crate::credentials::{CredentialsCache, DefaultCredentialsChain, Environment, UsersProvider};
use crate::json_value::parse_item;
use crate::network::{LazyNetwork, Network, NetworkOptions};
use crate::proxy::ProxyOption;
use crate::transport::{HostState, Mode};
use crate::{
    cache, item_text, Config, Error, Item, ProvideCredentials, TableStatus, TimeToLiveStatus,
};

/// The component this crate was built with (`component/jovo_dynamodb.wasm`, a copy of the
/// repository's `build/jovo_dynamodb.wasm` that `scripts/build-component.sh` keeps current).
pub const COMPONENT: &[u8] = include_bytes!("../component/jovo_dynamodb.wasm");

/// The compiled component, ready to instantiate, with the network settings (trusted CAs,
/// proxies), the blocking stores' connection pool and the credentials of all its stores.
/// Cheap to share (`Clone`, `Send`, `Sync`).
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    pre: PersistencePre<HostState>,
    network: LazyNetwork,
    environment: Environment,
    provider: Option<Arc<dyn ProvideCredentials>>,
    credentials: Arc<CredentialsCache>,
}

impl Runtime {
    /// The embedded component, compiled with the default cache directory (see
    /// [`Runtime::from_component`]). Reads nothing but that cache.
    pub fn load_default() -> Result<Runtime, Error> {
        Runtime::from_component(COMPONENT, cache::default_dir().as_deref())
    }

    /// Another component file (e.g. one you built yourself); compiled output is cached in
    /// `cache_dir` when given.
    pub fn load(path: &Path, cache_dir: Option<&Path>) -> Result<Runtime, Error> {
        let wasm = std::fs::read(path).map_err(|e| {
            Error::Runtime(wasmtime::Error::msg(format!(
                "cannot read the component {} ({e})",
                path.display()
            )))
        })?;
        Runtime::from_component(&wasm, cache_dir)
    }

    /// The component `wasm`; Cranelift's output is kept in `cache_dir` (keyed by the
    /// component's bytes and the engine's version and settings) so the next process
    /// deserializes it instead of compiling.
    pub fn from_component(wasm: &[u8], cache_dir: Option<&Path>) -> Result<Runtime, Error> {
        let engine = Engine::default();
        let component = cache::load_or_compile(&engine, wasm, cache_dir)?;
        let mut linker = Linker::<HostState>::new(&engine);
        Persistence::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)?;
        let pre = PersistencePre::new(linker.instantiate_pre(&component)?)?;
        let environment = Environment::process();
        Ok(Runtime {
            engine,
            pre,
            network: LazyNetwork::default(),
            credentials: credentials_cache(&environment, None),
            environment,
            provider: None,
        })
    }

    /// The environment variables that region, the default credentials chain, trust
    /// (`AWS_CA_BUNDLE`, `SSL_CERT_FILE`) and proxies (`HTTPS_PROXY`, `HTTP_PROXY`,
    /// `NO_PROXY`) read (default: the process's). Stores opened later use it.
    pub fn with_environment(mut self, environment: Environment) -> Runtime {
        self.credentials = credentials_cache(&environment, self.provider.clone());
        self.environment = environment;
        self.network = LazyNetwork::new(self.network.options().clone());
        self
    }

    /// Also trust the certificate authorities of `pem_or_path`: PEM text (`-----BEGIN
    /// CERTIFICATE-----`…) or the path of a PEM file, for a private CA or a TLS-inspecting
    /// proxy. They add to the default roots (Mozilla's, the OS store, `SSL_CERT_FILE`,
    /// `AWS_CA_BUNDLE`), never replace them. A bundle that cannot be read or holds no
    /// certificate makes `open` fail with `invalid-config`.
    pub fn with_ca_bundle(self, pem_or_path: impl Into<String>) -> Runtime {
        let options = NetworkOptions {
            ca_bundle: Some(pem_or_path.into()),
            ..self.network.options().clone()
        };
        self.with_network(options)
    }

    /// Send every request through the HTTP proxy `url` (`http://[user:password@]host:port`),
    /// ignoring `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`. https endpoints are reached
    /// through a CONNECT tunnel, with the endpoint's certificate verified inside it. Other
    /// than `http://` proxy URLs make `open` fail with `invalid-config`.
    pub fn with_proxy(self, url: impl Into<String>) -> Runtime {
        self.with_proxy_option(ProxyOption::Url(url.into()))
    }

    /// Connect directly, ignoring `HTTPS_PROXY` and `HTTP_PROXY`.
    pub fn without_proxy(self) -> Runtime {
        self.with_proxy_option(ProxyOption::Disabled)
    }

    fn with_proxy_option(self, proxy: ProxyOption) -> Runtime {
        let options = NetworkOptions {
            proxy,
            ..self.network.options().clone()
        };
        self.with_network(options)
    }

    fn with_network(mut self, options: NetworkOptions) -> Runtime {
        self.network = LazyNetwork::new(options);
        self
    }

    fn network(&self) -> Result<Arc<Network>, Error> {
        Ok(self.network.get(&self.environment)?)
    }

    /// Credentials from `provider` instead of the default chain, for every store opened
    /// later whose config carries no `client.credentials`. They are cached and refreshed
    /// five minutes before they expire. See [`ProvideCredentials`] for wrapping the AWS
    /// SDK's own chain (`aws-config`).
    pub fn with_credentials_provider(
        mut self,
        provider: impl ProvideCredentials + 'static,
    ) -> Runtime {
        let provider: Arc<dyn ProvideCredentials> = Arc::new(provider);
        self.credentials = credentials_cache(&self.environment, Some(Arc::clone(&provider)));
        self.provider = Some(provider);
        self
    }

    /// The region of `config`, else `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's.
    fn complete(&self, mut config: Config) -> Config {
        if config.client.region.is_none() {
            config.client.region = DefaultCredentialsChain::new(self.environment.clone()).region();
        }
        config
    }

    fn instantiate(
        &self,
        config: &Config,
        network: Arc<Network>,
        mode: Mode,
    ) -> Result<(Store<HostState>, Persistence, ResourceAny), Error> {
        let state = HostState::new(network, Arc::clone(&self.credentials), mode);
        let mut store = Store::new(&self.engine, state);
        let bindings = self.pre.instantiate(&mut store)?;
        let client = bindings
            .jovo_dynamodb_store()
            .client()
            .call_open(&mut store, config)??;
        Ok((store, bindings, client))
    }

    /// Opens a blocking client of one table. The region comes from the config, else from
    /// the environment or the profile; credentials from the config, else from the
    /// runtime's provider or the default chain, per request.
    pub fn open(&self, config: Config) -> Result<DynamoDbStore, Error> {
        let network = self.network()?;
        let (store, bindings, client) =
            self.instantiate(&self.complete(config), network, Mode::Blocking)?;
        Ok(DynamoDbStore {
            store,
            bindings,
            client,
        })
    }

    /// Opens an async client of one table (for tokio), with the same config rules as
    /// [`open`](Self::open). One store serves any number of concurrent operations; it has
    /// its own connection pool, whose connections live on the tokio runtime the store is
    /// used on (use a store within one runtime).
    pub fn open_async(&self, config: Config) -> Result<AsyncDynamoDbStore, Error> {
        let config = self.complete(config);
        let uses_provider = config.client.credentials.is_none();
        let network = self.network()?;
        // A connection pool per store: its connections are driven by tasks of the tokio
        // runtime the store is used on, so stores of different runtimes must not share one.
        let http = AsyncHttp::new(&network);
        let (store, bindings, client) = self.instantiate(&config, network, Mode::Steps)?;
        Ok(AsyncDynamoDbStore::new(
            store,
            bindings,
            client,
            http,
            uses_provider.then(|| Arc::clone(&self.credentials)),
        ))
    }
}

fn credentials_cache(
    environment: &Environment,
    provider: Option<Arc<dyn ProvideCredentials>>,
) -> Arc<CredentialsCache> {
    let provider: Arc<dyn ProvideCredentials> = match provider {
        Some(yours) => Arc::new(UsersProvider(yours)),
        None => Arc::new(DefaultCredentialsChain::new(environment.clone())),
    };
    Arc::new(CredentialsCache::new(provider))
}

/// One client of one table, in its own component instance, blocking the calling thread.
/// Not `Sync`: use one per thread (they share the [`Runtime`], its connection pool and its
/// credentials). For async code use [`AsyncDynamoDbStore`].
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

    /// The stored item of `user_id` as typed attribute values, or `None`: every DynamoDB
    /// type, sets and binary included, and strings with lone surrogates (see [`Text`](crate::Text)).
    /// [`save_user_item`](Self::save_user_item) writes it back with no type or digit changed.
    pub fn load_user_item(&mut self, user_id: &str) -> Result<Option<Item>, Error> {
        self.load_user_json(user_id)?
            .map(|text| item_text::read(&text))
            .transpose()
    }

    /// Replaces the stored item of `user_id` with `item`. DynamoDB's rules are checked
    /// before anything is sent (`invalid-input` naming the attribute): sets non-empty and
    /// without repeated members, numbers within DynamoDB's digits and range.
    pub fn save_user_item(&mut self, user_id: &str, item: &Item) -> Result<(), Error> {
        self.save_user_json(user_id, &item_text::write(item)?)
    }

    /// The stored item of `user_id` as a `serde_json::Value`, or `None`. For JSON-shaped
    /// items: an item holding binary or a set (which a `Value` could only turn into a
    /// string or an array, saved back as another type), or a string with a lone surrogate,
    /// fails with `invalid-input` naming the attribute; load those with
    /// [`load_user_item`](Self::load_user_item).
    pub fn load_user(&mut self, user_id: &str) -> Result<Option<Value>, Error> {
        parse_item(self.load_user_json(user_id)?)
    }

    /// The stored item of `user_id` as the exact item text the component returned: JSON
    /// (RFC 8259), plus, only when the item has them, binary and sets in four tagged forms
    /// (`$B"<base64>"`, `$SS["a","b"]`, `$NS[1,2.5]`, `$BS["AAE="]`; see the README).
    /// Numbers keep every digit, and strings a Rust `String` cannot hold (a lone UTF-16
    /// surrogate, which JavaScript apps can store) stay JSON escapes;
    /// [`save_user_json`](Self::save_user_json) writes the text back unchanged.
    pub fn load_user_json(&mut self, user_id: &str) -> Result<Option<String>, Error> {
        let api = self.bindings.jovo_dynamodb_store().client();
        Ok(api.call_load_user(&mut self.store, self.client, user_id)??)
    }

    /// Replaces the stored item of `user_id` with `item` (a JSON object), written by
    /// serde_json as plain JSON.
    pub fn save_user(&mut self, user_id: &str, item: &Value) -> Result<(), Error> {
        self.save_user_json(user_id, &item.to_string())
    }

    /// Like [`save_user`](Self::save_user), with the item as item text: a JSON object,
    /// whose values may also be the four tagged forms of
    /// [`load_user_json`](Self::load_user_json).
    pub fn save_user_json(&mut self, user_id: &str, item: &str) -> Result<(), Error> {
        let api = self.bindings.jovo_dynamodb_store().client();
        Ok(api.call_save_user(&mut self.store, self.client, user_id, item)??)
    }

    /// Deletes the stored item of `user_id`; a missing item is not an error.
    pub fn delete_user(&mut self, user_id: &str) -> Result<(), Error> {
        let api = self.bindings.jovo_dynamodb_store().client();
        Ok(api.call_delete_user(&mut self.store, self.client, user_id)??)
    }
}
