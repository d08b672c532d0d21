"""Items as Python values <-> items as the JSON text the component takes and gives.

Numbers keep every digit both ways. Loading: integers become `int`, other numbers
`decimal.Decimal` (`json.loads(..., parse_float=Decimal)`), so `0.1` stays exactly `0.1` and
a 30-digit id stays whole. Saving accepts `int`, `float` (written as its shortest repr, as
`json.dumps` does) and `Decimal` (written with all its digits); NaN and infinities have no
DynamoDB form and are refused.

Before encoding, the item's shape is checked the way the component would check it, because
`json.dumps` would hide two mistakes: it turns keys that are not strings into strings
(`{1: "a", None: "b"}` would be stored as "1" and "null"), and it fails on deep nesting with
`RecursionError`. Both are `InvalidInput` here, before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from itertools import repeat
from typing import Any

from .errors import InvalidInput

# DynamoDB nests documents at most 32 levels deep (the component's `MAX_DEPTH`): a value
# whose path from the item has more than 32 steps is refused, with that path.
MAX_DEPTH = 32


def decode(text: str) -> dict[str, Any]:
    """The item the component returned."""
    item: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return item


def encode(item: Mapping[str, Any]) -> str:
    """JSON text of `item`, a mapping of JSON-like values; raises `InvalidInput` otherwise."""
    if not isinstance(item, Mapping):
        raise InvalidInput(f"the item must be a dict like {{'user': {{'data': {{}}}}}}, got {type(item).__name__}")
    check_shape(item)
    try:
        # The C encoder covers every item without Decimals; it meets a Decimal only through
        # `default`, which cannot emit a raw number, so such items take the slower exact path.
        return json.dumps(item, separators=(",", ":"), allow_nan=False, default=_refuse)
    except _HasDecimal:
        parts: list[str] = []
        _encode_exact(item, parts)
        return "".join(parts)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"the item is not JSON-like: {error}") from None


class _HasDecimal(Exception):
    pass


def _refuse(value: Any) -> Any:
    if isinstance(value, Decimal):
        raise _HasDecimal
    raise TypeError(f"a value of type {type(value).__name__} cannot be stored")


def _encode_exact(value: Any, parts: list[str]) -> None:
    # dict, list and tuple only, as json.dumps (and `check_shape`, which has run) take them.
    if isinstance(value, dict):
        parts.append("{")
        for index, (key, member) in enumerate(value.items()):
            if not isinstance(key, str):
                raise InvalidInput(f"the item's keys must be strings, got {key!r}")
            parts.append("," if index else "")
            parts.append(json.dumps(key) + ":")
            _encode_exact(member, parts)
        parts.append("}")
    elif isinstance(value, (list, tuple)):
        parts.append("[")
        for index, member in enumerate(value):
            parts.append("," if index else "")
            _encode_exact(member, parts)
        parts.append("]")
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInput(f"the number {value} cannot be stored in DynamoDB")
        parts.append(str(value))
    else:
        try:
            parts.append(json.dumps(value, allow_nan=False))
        except (TypeError, ValueError) as error:
            raise InvalidInput(f"the item is not JSON-like: {error}") from None


def check_shape(item: Mapping[str, Any]) -> None:
    """Raises `InvalidInput` for a key that is not a `str` or nesting deeper than DynamoDB's
    32 levels (a cycle included), naming the path as the component does
    (`user.data.scores[3]`). Iterative: no depth makes it recurse. Only containers are
    visited one by one; their scalar members are checked by C code (`map`, `all`, list
    comprehensions), so a typical item costs a few tens of microseconds."""
    # Entries: (container, depth, parent entry, step from the parent); the path of an entry
    # is rebuilt from its parents only for an error message.
    pending: list[tuple[Any, int, Any, str | int | None]] = [(item, 0, None, None)]
    while pending:
        entry = pending.pop()
        container, depth = entry[0], entry[1]
        if isinstance(container, (list, tuple)):
            members: Any = enumerate(container)
        else:
            if not all(map(isinstance, container, repeat(str))):
                _refuse_key(container, entry)
            members = container.items()
        if depth >= MAX_DEPTH:
            for step, _ in members:  # any member at all is one level too deep
                raise InvalidInput(
                    f"item attribute '{_path_text(_path(entry, step))}': nesting is deeper than DynamoDB's "
                    f"{MAX_DEPTH} levels"
                )
            continue
        child_depth = depth + 1
        pending += [(value, child_depth, entry, step) for step, value in members if isinstance(value, _CONTAINERS)]


# What json.dumps writes as objects and arrays (other mappings are refused by it).
_CONTAINERS = (dict, list, tuple)


def _path(entry: Any, last: str | int | None = None) -> tuple[str | int, ...]:
    steps: list[str | int] = [] if last is None else [last]
    while entry is not None and entry[3] is not None:
        steps.append(entry[3])
        entry = entry[2]
    return tuple(reversed(steps))


def _refuse_key(container: Mapping[Any, Any], entry: Any) -> None:
    key = next(key for key in container if not isinstance(key, str))
    path = _path(entry)
    where = f"item attribute '{_path_text(path)}'" if path else "the item"
    shown = repr(key)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    raise InvalidInput(
        f"{where}: keys must be strings, got {shown} ({type(key).__name__}); "
        "DynamoDB map keys are strings, and converting would store another key"
    )


def _path_text(path: tuple[str | int, ...]) -> str:
    text = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
    return text.lstrip(".")
