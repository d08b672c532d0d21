"""The four value forms item text adds to JSON, for the types JSON has no form for.

The component takes and gives an item as one string: JSON, plus these forms at value positions
(where JSON can never have a `$`; inside strings `$` is an ordinary character):

    $B"<base64>"          binary (B)                 bytes
    $SS["a","b"]          string set (SS)            set[str]
    $NS[1,2.5]            number set (NS)            set[int | Decimal]
    $BS["AAE=","/w=="]    binary set (BS)            set[bytes]

base64 is RFC 4648's standard alphabet with `=` padding. The component checks DynamoDB's rules
(non-empty sets, distinct members, number digits and range); this module only writes and reads
the forms.

Loads give `bytes`, not boto3's `Binary`: `bytes` is hashable (so it can be a set member),
compares equal to the `bytes` the app saved, and needs no boto3. boto3 only wraps binary in
`Binary` because Python 2's `str` was bytes; its serializer, and this package, take both.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from itertools import repeat
from json.encoder import encode_basestring_ascii
from typing import Any, Callable

from .errors import MalformedResponse


class Refused(Exception):
    """A value item text cannot carry. `steps` is its path, innermost step first, filled in
    by the containers it passes on its way out (so that finding a path costs nothing until a
    value is refused)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.steps: list[str | int] = []


def is_binary(value: object) -> bool:
    """bytes, bytearray, memoryview, or boto3's `Binary` (recognised by its class name and its
    `value`, so that boto3 need not be imported, nor be installed)."""
    return isinstance(value, _BYTES_LIKE) or (
        type(value).__name__ == "Binary" and isinstance(getattr(value, "value", None), (bytes, bytearray))
    )


def tagged(value: object) -> str:
    """The item text of a set, frozenset or binary value; `Refused` for anything else."""
    if isinstance(value, (set, frozenset)):
        return _set(value)
    if is_binary(value):
        return '$B"' + _base64(value) + '"'
    raise Refused(f"a value of type {type(value).__name__} cannot be stored")


def _set(members: set[Any] | frozenset[Any]) -> str:
    if not members:
        raise Refused("an empty set cannot be stored (DynamoDB sets hold at least one member)")
    kinds = {type(member) for member in members}
    if all(issubclass(kind, str) for kind in kinds):
        return "$SS[" + ",".join(map(encode_basestring_ascii, members)) + "]"
    if all(issubclass(kind, (int, float, Decimal)) and not issubclass(kind, bool) for kind in kinds):
        return "$NS[" + ",".join(map(_number, members)) + "]"
    if all(is_binary(member) for member in members):
        return "$BS[" + ",".join('"' + _base64(member) + '"' for member in members) + "]"
    names = ", ".join(sorted(kind.__name__ for kind in kinds))
    raise Refused(
        f"a set must hold only strings, only numbers or only binary values (bool is not a number); this one holds {names}"
    )


def _number(value: int | float | Decimal) -> str:
    # The same digits as a number outside a set: json.dumps writes int and float with their
    # own repr (subclasses too), a Decimal keeps all of its digits.
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Refused("a set holds a NaN or infinite float, which DynamoDB cannot store")
        return float.__repr__(value)
    if not value.is_finite():
        raise Refused("a set holds a NaN or infinite Decimal, which DynamoDB cannot store")
    return str(value)


def _base64(value: Any) -> str:
    data = value.value if not isinstance(value, _BYTES_LIKE) else value
    if isinstance(data, memoryview):
        data = data.tobytes()  # any shape or format: its bytes, in order
    return binascii.b2a_base64(data, newline=False).decode("ascii")


_BYTES_LIKE = (bytes, bytearray, memoryview)

# ---- reading ---------------------------------------------------------------------------------
# A form starts at a `$` outside strings. Outside strings JSON has a `"` only where a string
# starts or ends, and inside them a `"` is escaped as `\"`; so a `$` is outside strings when the
# quotes before it, not counting escape pairs (`\\.`), are even. `str.find` and `str.count`
# (C, a fraction of a millisecond for 400 KB) find the forms; each is read at its place with the
# C JSON scanner (`raw_decode`) and replaced by `NaN`, which the component never writes
# (DynamoDB has no NaN); `json.loads` then hands every `NaN` it meets, in document order, to
# `parse_constant`, which returns the set or bytes read. The JSON around the forms is parsed by
# json.loads in C, as an item without forms is.
_ESCAPE_PAIR = re.compile(r"\\.", re.DOTALL)


def parse(text: str) -> dict[str, Any]:
    """The item of item text that may hold forms; `MalformedResponse` if it is not item text."""
    pieces: list[str] = []
    values: list[Any] = []
    piece_start = counted_to = 0
    in_string = False
    dollar = text.find("$")
    while dollar != -1:
        counted = text[counted_to:dollar]
        quotes = counted.count('"') if "\\" not in counted else _ESCAPE_PAIR.sub("", counted).count('"')
        in_string ^= quotes % 2 == 1
        if in_string:
            counted_to = dollar
            dollar = text.find("$", dollar + 1)
            continue
        value, end = _read_form(text, dollar)
        pieces += (text[piece_start:dollar], "NaN")
        values.append(value)
        piece_start = counted_to = end
        dollar = text.find("$", end)
    pieces.append(text[piece_start:])
    item = loads("".join(pieces), _in_order(values))
    if not isinstance(item, dict):
        raise MalformedResponse("the component returned an item that is not an object")
    return item


def _read_form(text: str, at: int) -> tuple[Any, int]:
    """The value of the form at `text[at]` (a `$` outside strings) and where the form ends."""
    try:
        if text.startswith('$B"', at):
            end = text.find('"', at + 3)  # base64 has no quote: the first one closes it
            if end == -1:
                raise binascii.Error("no closing quote")
            return _bytes(text[at + 3 : end]), end + 1
        kind = text[at + 1 : at + 4]
        if kind not in ("SS[", "NS[", "BS["):
            raise MalformedResponse(f"the component returned a `$` that starts no form at character {at}")
        members, end = _DECODER.raw_decode(text, at + 3)
        if not isinstance(members, list) or not members:
            raise MalformedResponse(f"the component returned an empty or malformed set at character {at}")
        if kind == "SS[" and all(map(isinstance, members, repeat(str))):
            return set(members), end
        if kind == "NS[" and all(type(member) in (int, Decimal) for member in members):
            return set(members), end
        if kind == "BS[" and all(map(isinstance, members, repeat(str))):
            return set(map(_bytes, members)), end
        raise MalformedResponse(f"the component returned a set with members of another type at character {at}")
    except json.JSONDecodeError as error:
        raise MalformedResponse(f"the component returned a malformed set ({error.msg} at character {error.pos})") from None
    except ValueError:  # binascii.Error, or a2b_base64 on text that is not ASCII
        raise MalformedResponse(f"the component returned binary that is not base64 at character {at}") from None


def _bytes(base64: str) -> bytes:
    # a2b_base64 skips characters outside the alphabet (Python 3.9 has no strict mode);
    # encoding the bytes again must give the text back, which also refuses non-canonical base64
    # (DynamoDB's never is). Both run in C: about 0.3 ms for 100 KB.
    data = binascii.a2b_base64(base64)
    if binascii.b2a_base64(data, newline=False) != base64.encode("ascii", "replace"):
        raise binascii.Error("not canonical base64")
    return data


def loads(text: str, parse_constant: Callable[[str], Any] | None = None) -> Any:
    """json.loads with integers as int and other numbers as Decimal; `MalformedResponse` (its
    position, never the text) for text that is not JSON, NaN and infinities included."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=parse_constant or _NO_CONSTANTS)
    except json.JSONDecodeError as error:
        raise MalformedResponse(f"the component returned an item that is not item text ({error.msg} at character {error.pos})") from None


def _in_order(values: list[Any]) -> Callable[[str], Any]:
    remaining: Iterator[Any] = iter(values)

    def next_value(constant: str) -> Any:
        value = next(remaining, _NONE_LEFT)
        if constant != "NaN" or value is _NONE_LEFT:
            raise MalformedResponse(f"the component returned an item with {constant}, which is not item text")
        return value

    return next_value


_NONE_LEFT = object()
# Refuses NaN and infinities (text without forms has none).
_NO_CONSTANTS = _in_order([])
# Set members: integers as int, other numbers as Decimal, as everywhere; no NaN nor infinities.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_NO_CONSTANTS)
