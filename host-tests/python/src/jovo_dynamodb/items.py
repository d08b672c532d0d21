"""Items as Python values <-> items as the item text the component takes and gives: JSON, plus
four forms for the types JSON has none for (`_item_text`).

    Python                                   DynamoDB   item text
    dict / list, tuple                       M / L      JSON object / array
    str                                      S          JSON string
    int, float, Decimal                      N          JSON number
    bool / None                              BOOL/NULL  true, false / null
    bytes, bytearray, memoryview, Binary     B          $B"<base64>"
    set/frozenset of str                     SS         $SS[...]
    set/frozenset of int, float, Decimal     NS         $NS[...]
    set/frozenset of bytes, Binary           BS         $BS[...]

as boto3's TypeSerializer takes them (`Binary` is boto3's, recognised without importing boto3).
Loads give `set` and `bytes` (see `_item_text` for why not `Binary`).

Numbers keep every digit both ways, in sets too. Loading: integers become `int`, other numbers
`decimal.Decimal` (`json.loads(..., parse_float=Decimal)`), so `0.1` stays exactly `0.1` and
a 30-digit id stays whole. Saving accepts `int`, `float` (written as its shortest repr, as
`json.dumps` does) and `Decimal` (written with all its digits); `bool` is not a number. NaN and
infinities have no DynamoDB form and are refused.

The item's shape is checked (after `json.dumps`) the way the component would check it, because
`json.dumps` would hide two mistakes: it turns keys that are not strings into strings
(`{1: "a", None: "b"}` would be stored as "1" and "null"), and it fails on deep nesting with
`RecursionError`. Both are `InvalidInput` here, before anything is sent, as are empty sets,
sets mixing kinds and values of other types, each naming its path (never the value).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from decimal import Decimal
from itertools import chain, compress, repeat
from operator import methodcaller
from typing import Any

from . import _item_text
from .errors import InvalidInput

# DynamoDB nests documents at most 32 levels deep (the component's `MAX_DEPTH`): a value
# whose path from the item has more than 32 steps is refused, with that path.
MAX_DEPTH = 32


def decode(text: str) -> dict[str, Any]:
    """The item the component returned."""
    if "$" in text:  # maybe a form (or only a `$` in a string): the exact reader
        return _item_text.parse(text)
    item: dict[str, Any] = _item_text.loads(text)
    return item


def encode(item: Mapping[str, Any]) -> str:
    """Item text of `item`, a mapping of the values above; raises `InvalidInput` otherwise."""
    if not isinstance(item, Mapping):
        raise InvalidInput(f"the item must be a dict like {{'user': {{'data': {{}}}}}}, got {type(item).__name__}")
    # The C encoder writes every item. It meets a Decimal, set or binary value only through
    # `default`, which cannot emit raw text; so `default` writes the value's text aside and
    # returns a placeholder string, and the placeholders are then replaced by those texts. An
    # item without such values never calls `default` and costs what json.dumps costs. The
    # placeholder is a random string of this process; should a key or string of the item be
    # equal to it, the count of placeholders tells, and the exact writer below takes over. It
    # also takes over for any value refused, to name the value's path.
    texts: list[str] = []

    def set_aside(value: Any) -> str:
        try:
            texts.append(_decimal(value) if isinstance(value, Decimal) else _item_text.tagged(value))
        except _item_text.Refused:
            raise _NeedsExactWriter from None
        return _PLACEHOLDER

    # The shape is checked after json.dumps, whose text tells the item's size (and which
    # raises for a cycle or nesting too deep for it, RecursionError; `check_shape` then names
    # the path). A small item is checked by the walk, a large one by the quick pass first.
    try:
        text = json.dumps(item, separators=(",", ":"), allow_nan=False, default=set_aside)
    except (_NeedsExactWriter, TypeError, ValueError, RecursionError):
        check_shape(item)
        return _exact_text(item)
    if len(text) < _QUICK_PASS_FROM or not _fits_in_c_loops(item):
        _walk(item)
    if not texts:
        return text
    pieces = text.split(_QUOTED_PLACEHOLDER)
    if len(pieces) != len(texts) + 1:
        return _exact_text(item)
    return "".join([part for pair in zip(pieces, texts) for part in pair] + [pieces[-1]])


class _NeedsExactWriter(Exception):
    pass


_PLACEHOLDER = "jovo-dynamodb-" + secrets.token_hex(16)
_QUOTED_PLACEHOLDER = json.dumps(_PLACEHOLDER)


def _decimal(value: Decimal) -> str:
    if not value.is_finite():
        raise _item_text.Refused("a NaN or infinite Decimal cannot be stored in DynamoDB")
    return str(value)


def _exact_text(item: Mapping[str, Any]) -> str:
    parts: list[str] = []
    try:
        _write(item, parts)
    except _item_text.Refused as refused:
        path = tuple(reversed(refused.steps))
        where = f"item attribute '{_path_text(path)}'" if path else "the item"
        raise InvalidInput(f"{where}: {refused.reason}") from None
    return "".join(parts)


def _write(value: Any, parts: list[str]) -> None:
    # dict, list and tuple only, as json.dumps (and `check_shape`, which has run) take them;
    # a refused value's path is collected on the way out (`Refused.steps`).
    if isinstance(value, dict):
        parts.append("{")
        for index, (key, member) in enumerate(value.items()):
            parts.append("," if index else "")
            parts.append(json.dumps(key) + ":")
            try:
                _write(member, parts)
            except _item_text.Refused as refused:
                refused.steps.append(key)
                raise
        parts.append("}")
    elif isinstance(value, (list, tuple)):
        parts.append("[")
        for index, member in enumerate(value):
            parts.append("," if index else "")
            try:
                _write(member, parts)
            except _item_text.Refused as refused:
                refused.steps.append(index)
                raise
        parts.append("]")
    elif isinstance(value, Decimal):
        parts.append(_decimal(value))
    elif value is None or isinstance(value, (str, int, float)):
        try:
            parts.append(json.dumps(value, allow_nan=False))
        except ValueError:
            raise _item_text.Refused(f"a {type(value).__name__} that DynamoDB cannot store (NaN, infinite or too long)") from None
    else:
        parts.append(_item_text.tagged(value))


def check_shape(item: Mapping[str, Any]) -> None:
    """Raises `InvalidInput` for a key that is not a `str` or nesting deeper than DynamoDB's
    32 levels (a cycle included), naming the path as the component does
    (`user.data.scores[3]`). Iterative: no depth makes it recurse."""
    if not _fits_in_c_loops(item):
        _walk(item)


def _walk(item: Mapping[str, Any]) -> None:
    """`check_shape` container by container, which finds the first offender and its path."""
    # Entries: (container, depth, parent entry, step from the parent); the path of an entry is
    # rebuilt from its parents only for an error message.
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
_VALUES = methodcaller("values")
# The exact types of JSON values. A value of another type is a Decimal, set, binary or
# unstorable value (no container: json.dumps hands it to `default`), or a subclass of a
# container type, which the quick pass leaves to the walk (it treats one as its base).
_JSON_TYPES = frozenset({dict, list, tuple, str, int, float, bool, type(None)})
_CONTAINER_TYPES = frozenset({dict, list, tuple})
# Containers the quick pass looks at before it leaves the item to the walk. A 400 KB item
# holds fewer; only shared or cyclic containers (one dict under many keys) reach it, and
# level by level their count could double with each level, where the walk stops at the first
# path deeper than 32 levels.
_QUICK_PASS_LIMIT = 200_000
# Item text from which the quick pass is quicker than the walk: it has a fixed cost per level
# (the 0.4 KB small bench item: 17 us by the walk, 27 us by the quick pass).
_QUICK_PASS_FROM = 4096


def _fits_in_c_loops(item: Mapping[str, Any]) -> bool:
    """True when every key is a `str` and no container below 32 levels has members: what the
    walk of `check_shape` checks, without telling where a problem is. It takes the item one
    level at a time, and each level in a few passes of C loops (`join`, `map`, `compress`)
    over all its containers at once. The walk visits each container in Python bytecode, which
    cost 1.9 ms per save of the 96.5 KB bench item (1,182 containers), more than json.dumps
    itself; this pass costs 0.7 ms (same machine, same load)."""
    mappings: list[Any] = [item]
    sequences: list[Any] = []
    seen = 0
    for _ in range(MAX_DEPTH):
        try:
            "".join(chain.from_iterable(mappings))  # iterating a dict gives its keys; join takes only str
        except TypeError:
            return False
        members = list(chain(chain.from_iterable(map(_VALUES, mappings)), chain.from_iterable(sequences)))
        types = list(map(type, members))
        kinds = set(types)
        if any(issubclass(kind, _CONTAINERS) for kind in kinds - _JSON_TYPES):
            return False
        containers = list(compress(members, map(_CONTAINER_TYPES.__contains__, types)))
        if not containers:
            return True
        seen += len(containers)
        if seen > _QUICK_PASS_LIMIT:
            return False
        mappings = [container for container in containers if type(container) is dict]
        sequences = [container for container in containers if type(container) is not dict]
    # The containers 32 levels down may exist, but only empty.
    return not any(map(len, chain(mappings, sequences)))


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
