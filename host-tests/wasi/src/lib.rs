//! A wasmtime wasi:http host, as a wasm-native runtime is: it runs the WASI build of the
//! component (`build/jovo_dynamodb_wasi.wasm`, world `persistence-wasi`) with nothing but
//! `wasmtime-wasi` and `wasmtime-wasi-http`, and serves components that export
//! `wasi:http/incoming-handler` the way `wasmtime serve` does. There is no code of ours
//! between the component and the network: TLS, timeouts and the HTTP client are
//! wasmtime-wasi-http's. Like Spin's `allowed_outbound_hosts`, outgoing requests go only to
//! the authorities the embedder allowed ([`Outbound`]).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use wasmtime::component::{Component, Linker, ResourceAny, ResourceTable};
use wasmtime::{Engine, Result, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

/// Generated from `wit/` (world `persistence-wasi`); WASI itself is wasmtime-wasi's.
pub mod bindings {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "persistence-wasi",
        exports: { default: async },
        with: {
            "wasi:io": wasmtime_wasi::p2::bindings::io,
            "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
            "wasi:cli": wasmtime_wasi::p2::bindings::cli,
            "wasi:http": wasmtime_wasi_http::p2::bindings::http,
        },
    });
}

pub use bindings::exports::jovo::dynamodb::store::{
    ClientConfig, Config, MarshallOptions, StoreError, TableConfig,
};

/// The repository's root (the build puts the components under `build/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `build/jovo_dynamodb_wasi.wasm`, made by `scripts/build-component.sh`.
pub fn wasi_component_path() -> PathBuf {
    repo_root().join("build/jovo_dynamodb_wasi.wasm")
}

/// Which authorities (`host:port`) components may send requests to; others get
/// `HTTP-request-denied`, as from Spin's `allowed_outbound_hosts`. Records the refusals.
#[derive(Clone, Default)]
pub struct Outbound {
    allowed: Arc<Vec<String>>,
    denied: Arc<Mutex<Vec<String>>>,
}

impl Outbound {
    pub fn allowing<S: Into<String>>(authorities: impl IntoIterator<Item = S>) -> Outbound {
        Outbound {
            allowed: Arc::new(authorities.into_iter().map(Into::into).collect()),
            denied: Arc::default(),
        }
    }

    /// The authority of an `http(s)://host:port/...` URL.
    pub fn authority_of(url: &str) -> String {
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        rest.split('/').next().unwrap_or(rest).to_string()
    }

    /// The authorities (or URIs without one) refused so far, in order.
    pub fn denied(&self) -> Vec<String> {
        self.denied.lock().map(|d| d.clone()).unwrap_or_default()
    }
}

impl WasiHttpHooks for Outbound {
    fn send_request(
        &mut self,
        request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<wasmtime_wasi_http::WasiBody>,
                        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
                    ),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        let _ = fut;
        let authority = request.uri().authority().map(|a| a.as_str().to_string());
        if !authority.as_ref().is_some_and(|a| self.allowed.contains(a)) {
            if let Ok(mut denied) = self.denied.lock() {
                denied.push(authority.unwrap_or_else(|| request.uri().to_string()));
            }
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

/// A store's data: WASI, wasi:http and the outbound rule.
pub struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    outbound: Outbound,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}

/// An engine for WASI hosts (wasmtime 48 always supports async calls).
pub fn engine() -> Result<Engine> {
    Engine::new(&wasmtime::Config::new())
}

/// A linker with WASI 0.2 and wasi:http, nothing else: what a wasm-native runtime gives.
pub fn linker(engine: &Engine) -> Result<Linker<State>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    Ok(linker)
}

/// A runtime's view of one component: its environment variables and allowed hosts.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    environment: Vec<(String, String)>,
    outbound: Outbound,
}

impl Runtime {
    pub fn new(engine: Engine, environment: &[(&str, &str)], outbound: Outbound) -> Runtime {
        Runtime {
            engine,
            environment: environment
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            outbound,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn store(&self) -> Store<State> {
        let mut wasi = WasiCtx::builder();
        wasi.inherit_stderr();
        for (key, value) in &self.environment {
            wasi.env(key, value);
        }
        Store::new(
            &self.engine,
            State {
                wasi: wasi.build(),
                http: WasiHttpCtx::new(),
                table: ResourceTable::new(),
                outbound: self.outbound.clone(),
            },
        )
    }
}

/// The WASI build, instantiated in a fresh store: the `store` interface's methods.
pub struct WasiStore {
    store: Store<State>,
    instance: bindings::PersistenceWasi,
}

/// An opened `client` resource of a [`WasiStore`].
#[derive(Clone, Copy)]
pub struct Client(ResourceAny);

impl WasiStore {
    /// Instantiates `component` (the WASI build) in `runtime`.
    pub async fn instantiate(runtime: &Runtime, component: &Component) -> Result<WasiStore> {
        let linker = linker(&runtime.engine)?;
        let mut store = runtime.store();
        let instance =
            bindings::PersistenceWasi::instantiate_async(&mut store, component, &linker).await?;
        Ok(WasiStore { store, instance })
    }

    pub async fn open(&mut self, config: Config) -> Result<Result<Client, StoreError>> {
        let api = self.instance.jovo_dynamodb_store().client();
        Ok(api.call_open(&mut self.store, &config).await?.map(Client))
    }

    pub async fn ensure_table(
        &mut self,
        client: Client,
    ) -> Result<Result<bindings::exports::jovo::dynamodb::store::TableStatus, StoreError>> {
        let api = self.instance.jovo_dynamodb_store().client();
        api.call_ensure_table(&mut self.store, client.0).await
    }

    pub async fn load_user(
        &mut self,
        client: Client,
        user_id: &str,
    ) -> Result<Result<Option<String>, StoreError>> {
        let api = self.instance.jovo_dynamodb_store().client();
        api.call_load_user(&mut self.store, client.0, user_id).await
    }

    pub async fn save_user(
        &mut self,
        client: Client,
        user_id: &str,
        item: &str,
    ) -> Result<Result<(), StoreError>> {
        let api = self.instance.jovo_dynamodb_store().client();
        api.call_save_user(&mut self.store, client.0, user_id, item)
            .await
    }

    pub async fn delete_user(
        &mut self,
        client: Client,
        user_id: &str,
    ) -> Result<Result<(), StoreError>> {
        let api = self.instance.jovo_dynamodb_store().client();
        api.call_delete_user(&mut self.store, client.0, user_id)
            .await
    }
}

pub mod compose;
pub mod serve;
pub mod support;
