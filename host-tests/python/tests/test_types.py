"""Sets and binary, as boto3 users keep them: an app saves `set`, `frozenset`, `bytes`,
`bytearray`, `memoryview` and boto3's `Binary`, DynamoDB holds SS, NS, BS and B exactly as
boto3's TypeSerializer writes them, and loads give `set` and `bytes` back, through
`DynamoDbStore` and `AsyncDynamoDbStore` alike. Values DynamoDB cannot hold (empty sets, sets
mixing kinds) are refused before anything is sent, naming their path and never their value.
boto3's low-level client on the same dynalite is the independent reader and writer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest
from boto3.dynamodb.types import Binary, TypeSerializer

from conftest import KINDS, Store, comparable, comparable_item, stored_item, unique_table
from jovo_dynamodb import InvalidInput, ItemTooLarge, MalformedResponse, items


def with_store(kind: str, table: str, endpoint: str, scenario: Callable[[Store], Awaitable[None]]) -> None:
    """Runs `scenario(store)` with a store of `kind` in a fresh event loop, then closes it."""

    async def main() -> None:
        store = Store(kind, table, endpoint=endpoint)
        try:
            await scenario(store)
        finally:
            await store.close()

    asyncio.run(main())


@pytest.mark.parametrize("kind", KINDS)
def test_sets_and_bytes_an_app_saves_load_back_as_set_and_bytes(kind, dynalite):
    item = {
        "user": {"data": {
            "badges": {"early-bird", "night-owl", ""},
            "levels": frozenset({1, Decimal("2.5"), 0.25, 12345678901234567890123456789012345678}),
            "avatar": b"\x00\x01\xfe\xff",
            "thumbnails": {b"\x89PNG", b""},
            "draft": bytearray(b"unsent"),
            "view": memoryview(b"seen through a view"),
            "empty": b"",
            "history": [{"rooms": {"hall", "cellar"}}, {b"\x00"}],
        }},
    }
    expected = {
        "userId": "player-1",
        "user": {"data": {
            "badges": {"early-bird", "night-owl", ""},
            "levels": {1, Decimal("2.5"), Decimal("0.25"), 12345678901234567890123456789012345678},
            "avatar": b"\x00\x01\xfe\xff",
            "thumbnails": {b"\x89PNG", b""},
            "draft": b"unsent",
            "view": b"seen through a view",
            "empty": b"",
            "history": [{"rooms": {"hall", "cellar"}}, {b"\x00"}],
        }},
    }

    async def scenario(store: Store) -> None:
        await store.save("player-1", item)
        loaded = await store.load("player-1")
        assert loaded == expected
        data = loaded["user"]["data"]
        assert type(data["badges"]) is set and type(data["levels"]) is set and type(data["thumbnails"]) is set
        assert all(type(data[name]) is bytes for name in ("avatar", "draft", "view", "empty"))
        assert type(data["levels"]) is set and {type(level) for level in data["levels"]} == {int, Decimal}

    with_store(kind, unique_table(f"types-{kind}"), dynalite.endpoint, scenario)


@pytest.mark.parametrize("kind", KINDS)
def test_what_we_store_is_what_boto3s_type_serializer_stores(kind, dynalite, boto3_client):
    table = unique_table(f"types-serializer-{kind}")
    data = {
        "tags": {"a", "b", "ümlaut", "🎉"},
        "ids": {1, Decimal("-2.5"), Decimal("1E+100"), 99999999999999999999999999999999999999},
        "blob": b"\x00binary\xff",
        "boto3Blob": Binary(b"wrapped by boto3"),
        "chunks": {b"\x01", b"\x02\x03", Binary(b"\x04")},
    }

    async def scenario(store: Store) -> None:
        await store.save("serialized", {"user": {"data": data}})

    with_store(kind, table, dynalite.endpoint, scenario)
    boto3_client.put_item(TableName=table, Item={
        "userId": {"S": "by-boto3"}, "user": TypeSerializer().serialize({"data": data}),
    })
    ours, theirs = stored_item(boto3_client, table, "serialized"), stored_item(boto3_client, table, "by-boto3")
    assert comparable(ours["user"]) == comparable(theirs["user"])


@pytest.mark.parametrize("kind", KINDS)
def test_sets_and_binary_another_service_wrote_survive_our_load_and_save(kind, dynalite, open_store, boto3_client):
    table = unique_table(f"types-foreign-{kind}")
    open_store(table).ensure_table()
    raw = {
        "userId": {"S": "shared"},
        "user": {"M": {"data": {"M": {
            "tags": {"SS": ["x", "y", ""]},
            "scores": {"NS": ["1", "-0.5", "1E+125", "1E-130", "12345678901234567890123456789012345678"]},
            "key": {"B": bytes(range(256))},
            "keys": {"BS": [b"", b"\x00", b"\xff\xfe"]},
            "list": {"L": [{"SS": ["in a list"]}, {"M": {"deep": {"NS": ["7"]}}}]},
        }}}},
    }
    boto3_client.put_item(TableName=table, Item=raw)
    before = stored_item(boto3_client, table, "shared")

    async def scenario(store: Store) -> None:
        loaded = await store.load("shared")
        data = loaded["user"]["data"]
        assert data["tags"] == {"x", "y", ""}
        assert data["scores"] == {1, Decimal("-0.5"), Decimal("1E+125"), Decimal("1E-130"),
                                  12345678901234567890123456789012345678}
        assert data["key"] == bytes(range(256)) and type(data["key"]) is bytes
        assert data["keys"] == {b"", b"\x00", b"\xff\xfe"}
        assert data["list"] == [{"in a list"}, {"deep": {7}}]
        await store.save("shared", loaded)

    with_store(kind, table, dynalite.endpoint, scenario)
    assert comparable_item(stored_item(boto3_client, table, "shared")) == comparable_item(before)


@pytest.mark.parametrize("kind", KINDS)
def test_text_that_looks_like_a_type_marker_stays_text(kind, dynalite):
    item = {"user": {"data": {
        "$B": '$B"AAAA"', "note": '$SS["a"]', "$NS[1]": "$", "quoted": '"$BS[\\"\\"]', "set": {"$SS[]", '$B""'},
    }}}

    async def scenario(store: Store) -> None:
        await store.save("marker-lookalike", item)
        assert await store.load("marker-lookalike") == {"userId": "marker-lookalike", **item}

    with_store(kind, unique_table(f"types-lookalike-{kind}"), dynalite.endpoint, scenario)


REFUSED = [
    ("an empty set", {"user": {"data": {"tags": set()}}}, "user.data.tags", "empty set"),
    ("an empty frozenset in a list", {"user": {"data": {"lists": [1, frozenset()]}}}, "user.data.lists[1]", "empty set"),
    ("strings and numbers in one set", {"user": {"data": {"mixed": {"SECRET-VALUE", 1}}}}, "user.data.mixed", "int, str"),
    ("numbers and bytes in one set", {"mixed": {1, b"SECRET-VALUE"}}, "mixed", "bytes, int"),
    ("bools, which are no numbers", {"user": {"flags": {True, False}}}, "user.flags", "bool"),
    ("a set of tuples", {"user": {"pairs": {("SECRET-VALUE", 1)}}}, "user.pairs", "tuple"),
    ("a NaN in a number set", {"user": {"n": {1.5, float("nan")}}}, "user.n", "NaN"),
    ("a number set member of 39 digits", {"user": {"n": {10**38 + 1}}}, "user.n", "38"),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("what", "item", "path", "reason"), REFUSED, ids=[case[0] for case in REFUSED])
def test_sets_dynamodb_cannot_hold_are_refused_naming_the_path_not_the_value(
    kind, what, item, path, reason, dynalite, open_store, boto3_client
):
    table = unique_table(f"types-refused-{kind}")
    open_store(table).ensure_table()

    async def scenario(store: Store) -> None:
        with pytest.raises(InvalidInput) as caught:
            await store.save("refused", item)
        assert path in caught.value.message and reason in caught.value.message, what
        assert "SECRET-VALUE" not in str(caught.value)

    with_store(kind, table, dynalite.endpoint, scenario)
    assert stored_item(boto3_client, table, "refused") is None


@pytest.mark.parametrize("kind", KINDS)
def test_binary_counts_its_bytes_toward_400_kb_not_its_base64(kind, dynalite, boto3_client):
    # 300 KB of bytes is 400 KB of base64 in the item text, but DynamoDB counts 300 KB.
    table = unique_table(f"types-size-{kind}")
    blob = bytes(range(256)) * 1200

    async def scenario(store: Store) -> None:
        await store.save("big", {"user": {"data": {"photo": blob}}})
        assert (await store.load("big"))["user"]["data"]["photo"] == blob
        with pytest.raises(ItemTooLarge):
            await store.save("big", {"user": {"data": {"photo": blob, "more": b"\x00" * (100 * 1024)}}})

    with_store(kind, table, dynalite.endpoint, scenario)
    assert stored_item(boto3_client, table, "big")["user"]["M"]["data"]["M"]["photo"] == {"B": blob}


@pytest.mark.parametrize("kind", KINDS)
def test_a_string_equal_to_the_encoders_placeholder_is_still_stored_as_text(kind, dynalite):
    # Decimals, sets and binary wait behind a placeholder string while json.dumps runs; a user
    # string that happens to equal it must not take their place.
    placeholder = items._PLACEHOLDER
    item = {"user": {"data": {placeholder: placeholder, "tags": {"a"}, "n": Decimal("1.5"), "raw": b"\x01"}}}

    async def scenario(store: Store) -> None:
        await store.save("placeholder", item)
        assert await store.load("placeholder") == {"userId": "placeholder", **item}

    with_store(kind, unique_table(f"types-placeholder-{kind}"), dynalite.endpoint, scenario)


NOT_ITEM_TEXT = [
    '{"a":$SS[1]}', '{"a":$NS["SECRET"]}', '{"a":$SS[]}', '{"a":$B"SECRET"}', '{"a":$B"AB=="}', '{"a":$X["SECRET"]}',
    '{"a":$B"AA=="', '{"a":$BS["A"]}', '{"a":$NS[NaN]}', '{"a":NaN}', '{"a":$SS["SECRET"] }x', '[$B""]',
]


@pytest.mark.parametrize("text", NOT_ITEM_TEXT)
def test_item_text_the_package_cannot_read_is_a_malformed_response_without_its_content(text):
    # Only a broken component could return these; the app gets the typed error, not a crash.
    with pytest.raises(MalformedResponse) as caught:
        items.decode(text)
    assert "SECRET" not in str(caught.value)
