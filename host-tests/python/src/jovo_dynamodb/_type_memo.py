"""Remembered component types for wasmtime-py.

wasmtime-py 50 asks the C API for a function's types on every call, and again for every
nested type each time it converts a value: whether a variant needs a tag is decided by
walking all of its cases' types, per value. For the step-driven export (`operation.advance`
returns a variant of records, results and variants) that was ~95% of a call's CPU time, far
more than the component's own work. Types never change for a function once it is looked up,
so this module makes those lookups (`Func.type`, the type properties and `_tagged`) remember
their answer on the object that computed it. Values are still converted by wasmtime-py's own
code.

Like `_byte_lists`, this reaches into wasmtime-py's internals, which the pinned version
(`wasmtime==50.0.1`) keeps stable; names it does not find are left alone.
"""

from __future__ import annotations

from typing import Any, Callable

from wasmtime.component import _func, _types

# (class, attribute) pairs whose value depends only on the type object.
_PROPERTIES = (
    ("FuncType", "params"),
    ("FuncType", "result"),
    ("ListType", "element"),
    ("RecordType", "fields"),
    ("TupleType", "elements"),
    ("VariantType", "cases"),
    ("EnumType", "names"),
    ("FlagsType", "names"),
    ("OptionType", "payload"),
    ("ResultType", "ok"),
    ("ResultType", "err"),
)


def install() -> None:
    """Patches wasmtime-py once per process."""
    if getattr(_types, "_jovo_type_memo", False):
        return
    for class_name, attribute in _PROPERTIES:
        cls = getattr(_types, class_name, None)
        original = getattr(cls, attribute, None) if cls is not None else None
        if isinstance(original, property) and original.fget is not None:
            setattr(cls, attribute, property(_remembered(attribute, original.fget), doc=original.__doc__))
    variant_like = getattr(_types, "VariantLikeType", None)
    if variant_like is not None and callable(getattr(variant_like, "_tagged", None)):
        variant_like._tagged = _remembered("_tagged", variant_like._tagged)
    func = getattr(_func, "Func", None)
    if func is not None and callable(getattr(func, "type", None)):
        func.type = _remembered_per_store(func.type)
    _types._jovo_type_memo = True  # type: ignore[attr-defined]


def _remembered(name: str, compute: Callable[[Any], Any]) -> Callable[[Any], Any]:
    key = f"_jovo_memo_{name}"

    def remembered(self: Any) -> Any:
        memo = self.__dict__
        if key not in memo:
            memo[key] = compute(self)
        return memo[key]

    return remembered


def _remembered_per_store(compute: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    # A component `Func` belongs to one instance in one store; remembered for that store.
    def remembered(self: Any, store: Any) -> Any:
        memo = self.__dict__
        kept = memo.get("_jovo_memo_type")
        if kept is None or kept[0] is not store:
            kept = memo["_jovo_memo_type"] = (store, compute(self, store))
        return kept[1]

    return remembered
