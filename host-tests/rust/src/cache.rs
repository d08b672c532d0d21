//! Compile once: Cranelift's output for the component is kept on disk, keyed by the
//! component's bytes and the engine's compatibility hash (wasmtime version and settings),
//! so later processes deserialize it in about a millisecond instead of compiling again.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::component::Component;
use wasmtime::Engine;

/// `JOVO_DYNAMODB_CACHE_DIR`, else `$XDG_CACHE_HOME/jovo-dynamodb-wasm`, else
/// `$HOME/.cache/jovo-dynamodb-wasm`; `None` (no caching) when none of them is set.
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    var("JOVO_DYNAMODB_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            var("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| var("HOME").map(|home| Path::new(&home).join(".cache")))
                .map(|base| base.join("jovo-dynamodb-wasm"))
        })
}

/// The compiled component, from the cache when a valid entry exists.
pub fn load_or_compile(
    engine: &Engine,
    wasm: &[u8],
    dir: Option<&Path>,
) -> wasmtime::Result<Component> {
    let Some(dir) = dir else {
        return Component::new(engine, wasm);
    };
    let entry = dir.join(format!("jovo_dynamodb-{:016x}.cwasm", key(engine, wasm)));
    if entry.is_file() {
        // SAFETY: deserializing runs native code from the file. The entry is one this
        // function wrote (named by a hash of the component and the engine), in a directory
        // that belongs to the user; wasmtime also checks its header and version.
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &entry) } {
            return Ok(component);
        }
    }
    let component = Component::new(engine, wasm)?;
    // A cache that cannot be written (read-only home, full disk) only costs speed.
    if store(&entry, &component.serialize()?).is_ok() {
        remove_stale_entries(dir, &entry);
    }
    Ok(component)
}

/// Entries of earlier builds are never read again; each is about a megabyte.
fn remove_stale_entries(dir: &Path, current: &Path) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    for path in listing.flatten().map(|entry| entry.path()) {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let ours = name
            .strip_prefix("jovo_dynamodb-")
            .and_then(|rest| rest.strip_suffix(".cwasm"))
            .is_some_and(|hash| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
        if ours && path != current {
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn key(engine: &Engine, wasm: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    wasm.hash(&mut hasher);
    hasher.finish()
}

/// Writes to a temporary file and renames it, so a concurrent reader never sees half.
fn store(entry: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = entry.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = entry.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, entry)
}
