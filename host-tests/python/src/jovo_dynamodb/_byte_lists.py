"""Bulk conversion of `list<u8>` for wasmtime-py.

wasmtime-py 50 moves a `list<u8>` across the boundary one byte at a time, through a Python
call per byte: a 400 KB item took about 0.5 s each way, and even a small GetItem answer cost
more than the HTTP exchange. Our HTTP bodies are `list<u8>` in both directions, so this
module replaces the two conversions of `ListType` for byte lists with strided copies into and
out of the C array (`wasmtime_component_val_t[]`, one 32-byte value per byte). Lists
of anything else, and values the original refuses, still go through wasmtime-py's own code.

The layout (size of a value, offsets of its kind tag and of its u8 payload) is read from
wasmtime-py's own ctypes declarations, so it follows the library; when those are not what this
module expects, it leaves wasmtime-py untouched (slow but correct).
"""

from __future__ import annotations

import ctypes
from typing import Any, Callable

from wasmtime import _ffi as ffi
from wasmtime.component._types import ListType

_Value = ffi.wasmtime_component_val_t
_STRIDE = ctypes.sizeof(_Value)
_KIND_OFFSET = _Value.kind.offset
_KIND_SIZE = _Value.kind.size
# A ctypes field descriptor; wasmtime-py annotates `u8` with its value type, hence the ignore.
_U8_OFFSET = _Value.of.offset + ffi.wasmtime_component_valunion_t.u8.offset  # type: ignore[attr-defined]
_U8_KIND = ffi.WASMTIME_COMPONENT_U8.value
_LIST_KIND = ffi.WASMTIME_COMPONENT_LIST.value


def install() -> bool:
    """Patches `ListType` once per process; False when the layout is not the expected one."""
    if getattr(ListType, "_jovo_bulk_bytes", False):
        return True
    if _KIND_SIZE != 1 or _STRIDE < _U8_OFFSET + 1:
        return False
    ListType.convert_to_c = _lower_bytes_in_bulk(ListType.convert_to_c)  # type: ignore[method-assign]
    ListType.convert_from_c = _lift_bytes_in_bulk(ListType.convert_from_c)  # type: ignore[method-assign]
    ListType._jovo_bulk_bytes = True  # type: ignore[attr-defined]
    return True


def _lower_bytes_in_bulk(original: Callable[..., None]) -> Callable[..., None]:
    def convert_to_c(self: ListType, store: Any, value: Any, pointer: Any) -> None:
        if not (isinstance(value, bytes) and self._is_bytes()):
            return original(self, store, value, pointer)
        raw = ffi.wasmtime_component_vallist_t()
        ffi.wasmtime_component_vallist_new_uninit(raw, len(value))
        if value:
            _write_values(ctypes.addressof(raw.data.contents), value)
        pointer.contents.kind = ffi.WASMTIME_COMPONENT_LIST
        pointer.contents.of.list = raw
        return None

    return convert_to_c


# Values are built a chunk at a time in a bytearray and copied into the C array: a strided
# store into a bytearray is a plain C loop, where one into a memoryview of the C array goes
# through memoryview's generic copy, 3-4 times slower (a 110 KB body: 1.6 ms that way, 0.45 ms
# this way). A chunk (128 KB) stays in the CPU's cache, and no body-sized buffer is made.
_CHUNK = 4096
_TEMPLATE = bytearray(_CHUNK * _STRIDE)
_TEMPLATE[_KIND_OFFSET::_STRIDE] = bytes([_U8_KIND]) * _CHUNK


def _write_values(address: int, value: bytes) -> None:
    """Writes `value` as u8 values at `address` (an array of len(value) values): only the
    kind tag and the u8 of each value are ever read."""
    chunk = _TEMPLATE[: min(len(value), _CHUNK) * _STRIDE]  # a copy: threads may lower at once
    source = (ctypes.c_char * len(chunk)).from_buffer(chunk)
    for start in range(0, len(value), _CHUNK):
        part = value[start : start + _CHUNK]
        chunk[_U8_OFFSET : len(part) * _STRIDE : _STRIDE] = part
        ctypes.memmove(address + start * _STRIDE, source, len(part) * _STRIDE)


def _lift_bytes_in_bulk(original: Callable[..., Any]) -> Callable[..., Any]:
    def convert_from_c(self: ListType, value: Any) -> Any:
        if value.kind != _LIST_KIND or not self._is_bytes():
            return original(self, value)
        try:
            size = value.of.list.size
            return ctypes.string_at(value.of.list.data, size * _STRIDE)[_U8_OFFSET::_STRIDE] if size else b""
        finally:
            ffi.wasmtime_component_vallist_delete(ctypes.byref(value.of.list))

    return convert_from_c
