//! Composition, as `wac plug` does it: the app's import of `jovo:dynamodb/store` is
//! satisfied by the WASI build's export, giving one component that imports only what both
//! import (WASI). wac-graph is the library behind the `wac` command.

use std::path::Path;

use wac_graph::types::Package;
use wac_graph::{plug, CompositionGraph, EncodeOptions};
use wasmtime::Result;

use crate::{repo_root, wasi_component_path};

/// The example app (`build/visit_counter.wasm`, made by `make example`) with the WASI build
/// plugged in.
pub fn composed_visit_counter() -> Result<Vec<u8>> {
    plug_store_into(
        &repo_root().join("build/visit_counter.wasm"),
        &wasi_component_path(),
    )
}

/// `wac plug --plug <store> <app>`: the composed component's bytes.
pub fn plug_store_into(app: &Path, store: &Path) -> Result<Vec<u8>> {
    let mut graph = CompositionGraph::new();
    let read = |e: anyhow::Error| wasmtime::Error::msg(format!("{e:#}"));
    let app = Package::from_file("app", None, app, graph.types_mut()).map_err(read)?;
    let app = graph.register_package(app)?;
    let store =
        Package::from_file("jovo:dynamodb", None, store, graph.types_mut()).map_err(read)?;
    let store = graph.register_package(store)?;
    plug(&mut graph, vec![store], app)?;
    Ok(graph.encode(EncodeOptions::default())?)
}
