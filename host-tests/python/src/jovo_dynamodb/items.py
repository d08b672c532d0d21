"""Items as Python values <-> items as the JSON text the component takes and gives.

Numbers keep every digit both ways. Loading: integers become `int`, other numbers
`decimal.Decimal` (`json.loads(..., parse_float=Decimal)`), so `0.1` stays exactly `0.1` and
a 30-digit id stays whole. Saving accepts `int`, `float` (written as its shortest repr, as
`json.dumps` does) and `Decimal` (written with all its digits); NaN and infinities have no
DynamoDB form and are refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .errors import InvalidInput


def decode(text: str) -> dict[str, Any]:
    """The item the component returned."""
    item: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return item


def encode(item: Mapping[str, Any]) -> str:
    """JSON text of `item`, a mapping of JSON-like values; raises `InvalidInput` otherwise."""
    if not isinstance(item, Mapping):
        raise InvalidInput(f"the item must be a dict like {{'user': {{'data': {{}}}}}}, got {type(item).__name__}")
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
    if isinstance(value, Mapping):
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
