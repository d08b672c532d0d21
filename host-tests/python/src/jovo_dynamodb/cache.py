"""Compile once: Cranelift's output for the component is kept on disk, keyed by the wasmtime
build and the component's bytes, so that a new process deserializes it in a millisecond
instead of compiling for a few hundred.

Directory: `JOVO_DYNAMODB_CACHE_DIR`, else `$XDG_CACHE_HOME/jovo-dynamodb-wasm`, else
`~/.cache/jovo-dynamodb-wasm` (the Rust host uses the same place and naming scheme; its
entries differ in key, so both hosts' entries live side by side). A cache that cannot be read
or written only costs speed: the component is compiled as if there were none.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from wasmtime import Engine, WasmtimeError
from wasmtime import _ffi as wasmtime_ffi
from wasmtime.component import Component

log = logging.getLogger(__name__)


def default_dir() -> Path | None:
    """Where compiled components are kept; None when no home or cache directory is known."""
    explicit = os.environ.get("JOVO_DYNAMODB_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "jovo-dynamodb-wasm"
    home = os.environ.get("HOME")
    return Path(home) / ".cache" / "jovo-dynamodb-wasm" if home else None


def entry_path(directory: Path, wasm: bytes) -> Path:
    """The cache file of `wasm` compiled by this wasmtime build."""
    key = hashlib.sha256()
    key.update(_wasmtime_build().encode() + b"\0")
    key.update(wasm)
    return directory / f"jovo_dynamodb-py-{key.hexdigest()[:32]}.cwasm"


def _wasmtime_build() -> str:
    """Identifies the native wasmtime library: its path names the platform and machine, its
    size and time stamp change with every wasmtime version. (importlib.metadata would name
    the version itself but costs 20-40 ms of import time, a tenth of a cold start.)"""
    library = Path(wasmtime_ffi.filename)
    stat = library.stat()
    return f"{library}:{stat.st_size}:{stat.st_mtime_ns}"


def load_or_compile(engine: Engine, wasm: bytes, directory: Path | None) -> Component:
    """The compiled component, from the cache when a valid entry exists."""
    if directory is None:
        return Component(engine, wasm)
    entry = entry_path(directory, wasm)
    cached = _deserialize(engine, entry)
    if cached is not None:
        log.debug("compiled component loaded from %s", entry)
        return cached
    component = Component(engine, wasm)
    if _store(entry, bytes(component.serialize())):
        log.debug("component compiled and cached at %s", entry)
    return component


def _deserialize(engine: Engine, entry: Path) -> Component | None:
    # Deserializing runs native code from the file. The entry is one this module wrote, named
    # by a hash of the component and the runtime, in a directory that belongs to the user;
    # wasmtime also checks its header and version and refuses a mismatch.
    if not entry.is_file():
        return None
    try:
        return Component.deserialize_file(engine, str(entry))
    except (WasmtimeError, OSError) as error:
        log.debug("compile cache entry %s unusable, compiling: %s", entry, error)
        return None


def _store(entry: Path, compiled: bytes) -> bool:
    """Writes to a temporary file and renames it, so a concurrent reader never sees half.
    False when the cache is not writable."""
    temporary: str | None = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=entry.parent, prefix=entry.name, delete=False) as f:
            temporary = f.name
            f.write(compiled)
        os.replace(temporary, entry)
        return True
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        log.debug("compile cache %s not writable, continuing without it: %s", entry.parent, error)
        return False
