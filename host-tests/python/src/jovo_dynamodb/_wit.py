"""How WIT values look in wasmtime-py 50, in one place.

- A record is a `wasmtime.component.Record` whose attributes are the WIT field names, in
  kebab-case (`getattr(record, "request-id")`).
- `option<T>` is `None` or the value itself.
- An enum is its case name as `str`.
- A variant whose cases' payload types overlap (all of `store-error`'s string cases) is a
  `Variant(tag, payload)`.
- `result<T, E>` is untagged when the Python types of T and E differ, which holds for every
  result of our WIT: the ok value itself, or the error value (a `Variant` for `store-error`
  and `transport-error`, a `str` for `credentials`).
- `list<u8>` is `bytes`; `list<tuple<string, string>>` is a list of 2-tuples.
- An owned resource (`client`) is a `ResourceAny`.
"""

from __future__ import annotations

from typing import Any

from wasmtime.component import OptionType, Record, RecordType, Variant

__all__ = ["Record", "Variant", "default_missing_options", "record"]


def record(**fields: Any) -> Record:
    """A WIT record from snake_case keyword arguments."""
    value = Record()
    for name, field_value in fields.items():
        setattr(value, name.replace("_", "-"), field_value)
    return value


def default_missing_options(value: Record, record_type: RecordType) -> None:
    """Sets every `option` field that `value` lacks to none, in nested records too.

    A component built from a newer WIT may have config options this host does not know yet;
    none is their documented default, so this host keeps working with it.
    """
    for name, field_type in record_type.fields:
        if not hasattr(value, name):
            if isinstance(field_type, OptionType):
                setattr(value, name, None)
        elif isinstance(field_type, RecordType):
            default_missing_options(getattr(value, name), field_type)
