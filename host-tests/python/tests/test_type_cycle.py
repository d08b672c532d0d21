"""No load and save ever changes a type or a digit (issue 17): another service writes arbitrary
items with boto3's low-level client, using all ten DynamoDB types (S, N, B, BOOL, NULL, M, L,
SS, NS, BS), nested, with edge values (38-digit numbers, magnitudes up to 1E+125 and down to
1E-130, negatives, empty strings and binaries, every byte value, astral characters, empty
members in sets); the app loads each item and saves it back unchanged, through `DynamoDbStore`
and `AsyncDynamoDbStore`; the raw item DynamoDB then holds equals the one before, sets
compared as sets.

Hypothesis generates the items, derandomized (the same items on every run) and without an
example database, so the test is repeatable and leaves nothing behind."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import KINDS, Store, comparable_item, stored_item, unique_table

EXAMPLES_PER_STORE = 120
USER = "cycle-user"

# ---- raw DynamoDB attribute values -----------------------------------------------------------
EDGE_NUMBERS = [
    "0", "-1", "12345678901234567890123456789012345678", "-12345678901234567890123456789012345678",
    "9.9999999999999999999999999999999999999E+125", "-9.9999999999999999999999999999999999999E+125",
    "1E+125", "1E-130", "-1E-130", "0.1", "1.0000000000000000000000000000000000001",
]


def _number(parts: tuple[bool, int, int]) -> Decimal:
    negative, mantissa, exponent = parts
    return Decimal((int(negative), tuple(map(int, str(mantissa))), exponent))


# A number DynamoDB can hold: up to 38 significant digits, magnitude from 1E-130 to below
# 1E+126. With `mantissa` of k digits, mantissa * 10**exponent stays in that range when
# -129 - k <= exponent <= 126 - k.
numbers = st.one_of(
    st.sampled_from(EDGE_NUMBERS).map(Decimal),
    st.integers(-(10**6), 10**6).map(Decimal),
    st.tuples(st.booleans(), st.integers(1, 10**38 - 1)).flatmap(
        lambda drawn: st.tuples(
            st.just(drawn[0]), st.just(drawn[1]), st.integers(-129 - len(str(drawn[1])), 126 - len(str(drawn[1])))
        )
    ).map(_number),
)
texts = st.one_of(
    st.text(max_size=12),  # every code point but lone surrogates, astral ones included
    st.sampled_from(["", "🎉", "𝔲𝔫𝔦𝔠𝔬𝔡𝔢 𓂀", '$B"AA=="', '\\"$SS["', "\x00\x1f\x7f", "$"]),
)
binaries = st.one_of(st.binary(max_size=24), st.sampled_from([b"", bytes(range(256)), b"\x00", b"\xff" * 3]))
names = st.text(min_size=1, max_size=8)

scalars = st.one_of(
    texts.map(lambda text: {"S": text}),
    numbers.map(lambda number: {"N": str(number)}),
    binaries.map(lambda data: {"B": data}),
    st.booleans().map(lambda flag: {"BOOL": flag}),
    st.just({"NULL": True}),
    st.sets(texts, min_size=1, max_size=5).map(lambda members: {"SS": list(members)}),
    # Decimals equal in value are equal in a set too, as DynamoDB wants NS members distinct.
    st.sets(numbers, min_size=1, max_size=5).map(lambda members: {"NS": [str(member) for member in members]}),
    st.sets(binaries, min_size=1, max_size=5).map(lambda members: {"BS": list(members)}),
)
attribute_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda members: {"L": members}),
        st.dictionaries(names, inner, max_size=4).map(lambda members: {"M": members}),
    ),
    max_leaves=24,
)
raw_items = st.dictionaries(names.filter(lambda name: name != "userId"), attribute_values, max_size=6)


@pytest.mark.parametrize("kind", KINDS)
def test_no_load_and_save_changes_a_type_or_a_digit(kind, dynalite, open_store, boto3_client):
    table = unique_table(f"type-cycle-{kind}")
    open_store(table).ensure_table()
    loop = asyncio.new_event_loop()
    store = Store(kind, table, endpoint=dynalite.endpoint)

    @settings(
        max_examples=EXAMPLES_PER_STORE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(attributes=raw_items)
    def cycle(attributes: dict[str, Any]) -> None:
        boto3_client.put_item(TableName=table, Item={"userId": {"S": USER}, **attributes})
        before = stored_item(boto3_client, table, USER)

        async def load_and_save() -> None:
            await store.save(USER, await store.load(USER))

        loop.run_until_complete(load_and_save())
        assert comparable_item(stored_item(boto3_client, table, USER)) == comparable_item(before)

    try:
        cycle()
    finally:
        loop.run_until_complete(store.close())
        loop.close()
