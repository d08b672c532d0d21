"""The engine, the compiled component and its linker (`Runtime`, one per process), and one
instance of the component with its open `client` (`Instance`, used by one thread at a time).
"""

from __future__ import annotations

import os
import threading
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Union

from wasmtime import Engine, Store, WasmtimeError
from wasmtime.component import Func, Linker, RecordType, ResourceAny
from wasmtime.component import Instance as ComponentInstance

from . import _byte_lists, _type_memo, cache, errors
from ._wit import Record, Variant, default_missing_options
from .transport import INTERFACE as HOST_INTERFACE
from .transport import Transport

STORE_INTERFACE = "jovo:dynamodb/store@0.1.0"

PathLike = Union[str, "os.PathLike[str]"]


class Runtime:
    """The compiled component, linked to the host import, ready to instantiate.

    Thread-safe. Every `DynamoDbStore` of a process shares `Runtime.default()` unless given
    another; they share its HTTP connection pool too.
    """

    _default: Runtime | None = None
    _default_lock = threading.Lock()

    def __init__(self, component: PathLike | None = None, cache_dir: PathLike | None = None,
                 use_cache: bool = True) -> None:
        """Loads the component (default: `JOVO_DYNAMODB_COMPONENT`, else the one shipped in
        this package), compiling it or taking it from the compile cache (`cache_dir`, default
        `cache.default_dir()`; `use_cache=False` always compiles)."""
        _byte_lists.install()  # HTTP bodies cross as list<u8>: copy them in bulk
        _type_memo.install()  # look each function's types up once, not per call and value
        wasm = _read_component(component)
        directory = (Path(cache_dir) if cache_dir is not None else cache.default_dir()) if use_cache else None
        self._engine = Engine()
        try:
            self._component = cache.load_or_compile(self._engine, wasm, directory)
        except WasmtimeError as error:
            raise errors.RuntimeFailure(f"the component could not be compiled: {error}") from None
        self._transport = Transport()
        self._linker = self._link(self._transport)
        self._instantiate_lock = threading.Lock()

    @classmethod
    def default(cls) -> Runtime:
        """The process-wide runtime, loaded on first use."""
        with cls._default_lock:
            if cls._default is None:
                cls._default = cls()
            return cls._default

    def _link(self, transport: Transport) -> Linker:
        linker = Linker(self._engine)
        with linker.root() as root, root.add_instance(HOST_INTERFACE) as host:
            for name, function in transport.functions().items():
                host.add_func(name, function)
        return linker

    def instantiate(self) -> Instance:
        """A fresh instance of the component in its own wasmtime store."""
        store = Store(self._engine)
        # wasmtime-py's Linker keeps Python-side state of its own; one instantiation at a time.
        with self._instantiate_lock:
            instance = self._linker.instantiate(store, self._component)
        return Instance(store, instance)


class Instance:
    """One component instance and its exports. Not thread-safe: a wasmtime `Store` is used
    by one thread at a time, and a `client` is not re-entrant."""

    def __init__(self, store: Store, instance: ComponentInstance) -> None:
        self._store = store
        interface = instance.get_export_index(store, STORE_INTERFACE)

        def export(name: str) -> Func:
            index = instance.get_export_index(store, name, interface)
            func = instance.get_func(store, index) if index is not None else None
            if func is None:
                raise errors.RuntimeFailure(f"the component lacks {STORE_INTERFACE}#{name}")
            return func

        self._open = export("[static]client.open")
        self.ensure_table = self._method(export("[method]client.ensure-table"))
        self.ensure_time_to_live = self._method(export("[method]client.ensure-time-to-live"))
        self.load_user = self._method(export("[method]client.load-user"))
        self.save_user = self._method(export("[method]client.save-user"))
        self.delete_user = self._method(export("[method]client.delete-user"))
        # The step-driven export (AsyncDynamoDbStore): looked up when first used, so that a
        # component without it still serves the blocking store.
        self._export = export
        self._start: Func | None = None
        self._advance: Func | None = None
        self._client: ResourceAny | None = None

    def open(self, config: Record) -> None:
        """`client.open(config)`; raises the `StoreError` of a refused config."""
        [(_, config_type)] = self._open.type(self._store).params
        assert isinstance(config_type, RecordType)
        default_missing_options(config, config_type)
        self._client = ok(call(self._open, self._store, config))

    def start(self, request: Any) -> ResourceAny:
        """`client.start(request)`: a new `operation`, owned by the caller (see `drop`)."""
        if self._start is None:
            self._start = self._export("[method]client.start")
            self._advance = self._export("[method]operation.advance")
        operation: ResourceAny = call(self._start, self._store, self._client, request)
        return operation

    def advance(self, operation: ResourceAny, outcome: Any) -> Any:
        """`operation.advance(outcome)`: the next step, as wasmtime-py lifts the untagged
        `step` variant: a `Record` (send), an `int` (sleep) or a `Variant("ok" | "err")`
        (done)."""
        assert self._advance is not None, "start() comes first"
        return call(self._advance, self._store, operation, outcome)

    def drop(self, operation: ResourceAny) -> None:
        """Frees an operation in the instance (done or abandoned)."""
        try:
            operation.drop(self._store)
        except WasmtimeError as error:
            raise errors.RuntimeFailure(f"the DynamoDB component failed: {error}") from None

    def _method(self, func: Func) -> Callable[..., Any]:
        def invoke(*args: Any) -> Any:
            return ok(call(func, self._store, self._client, *args))

        return invoke


def call(func: Func, store: Store, *args: Any) -> Any:
    """Calls an export; a trap (a bug in the component or in this host) or arguments that do
    not fit the component's types (a component of another WIT) become `RuntimeFailure`."""
    try:
        return func(store, *args)
    except WasmtimeError as error:
        raise errors.RuntimeFailure(f"the DynamoDB component failed: {error}") from None
    except AttributeError as error:
        raise errors.RuntimeFailure(f"the component expects what this host lacks ({error}); "
                                    "is it built from a newer WIT?") from None


def ok(result: Any) -> Any:
    """The ok value of a `result<T, store-error>`, or its error raised.

    wasmtime-py returns the bare ok or err value, unless both are variants (as for
    `ensure-time-to-live`): then the result itself is a `Variant("ok" | "err", value)`."""
    if isinstance(result, Variant) and result.tag == "ok":
        return result.payload
    if isinstance(result, Variant) and result.tag == "err":
        result = result.payload
    if isinstance(result, Variant):
        raise errors.from_wit(result.tag, result.payload)
    return result


def _read_component(path: PathLike | None) -> bytes:
    path = path or os.environ.get("JOVO_DYNAMODB_COMPONENT")
    try:
        if path:
            return Path(path).read_bytes()
        return resources.files(__package__).joinpath("component.wasm").read_bytes()
    except OSError as error:
        raise errors.RuntimeFailure(
            f"cannot read the component ({error}); reinstall the package or set JOVO_DYNAMODB_COMPONENT"
        ) from None
