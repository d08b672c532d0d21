"""Items: what goes in comes out, numbers keep every digit, and boto3 (the AWS SDK the
original plugin's Python peers use) sees exactly what `@jovotech/db-dynamodb` writes."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from conftest import stored_item, unique_table
from jovo_dynamodb import ItemTooLarge


def jovo_item() -> dict:
    """A user item as a Jovo v4 app saves it with every stored element on."""
    return {
        "user": {"data": {"visits": 3, "name": "Ada", "premium": False, "tags": [], "prefs": {}}},
        "session": {
            "id": "amzn1.echo-api.session.1",
            "state": [
                {"component": "GameComponent", "resolve": {"win": "onWin"}},
                {"component": "HelpComponent", "config": None},
            ],
            "data": {"round": 2},
            "isNew": False,
            "updatedAt": "2026-11-24T10:00:00.000Z",
        },
        "history": {
            "items": [
                {"output": [{"message": "Welcome back!"}], "nlu": {"intent": {"name": "LaunchIntent"}}},
                {"output": [{"message": "Bye"}], "nlu": {"intent": {"name": "StopIntent"}, "entities": {}}},
            ]
        },
        "createdAt": "2026-11-01T08:00:00.000Z",
        "updatedAt": "2026-11-24T10:00:00.000Z",
    }


def test_a_jovo_item_round_trips_unchanged(open_store):
    store = open_store(unique_table("round-trip"))
    store.save_user("user-1", jovo_item())
    assert store.load_user("user-1") == {"userId": "user-1", **jovo_item()}


def test_an_item_we_save_reads_back_in_boto3_exactly_as_the_original_plugin_writes_it(open_store, boto3_client):
    table = unique_table("wire-format")
    item = {
        "user": {"data": {"visits": 3, "score": Decimal("-1.25"), "ratio": 0.5,
                          "tags": ["a", True, None], "empty": {}, "list": []}},
        "session": {"state": [{"component": "GameComponent"}], "data": {}},
        "createdAt": "2026-11-01T08:00:00.000Z",
        "updatedAt": "2026-11-24T10:00:00.000Z",
    }
    open_store(table).save_user("user-2", item)
    assert stored_item(boto3_client, table, "user-2") == {
        "userId": {"S": "user-2"},
        "user": {"M": {"data": {"M": {
            "visits": {"N": "3"},
            "score": {"N": "-1.25"},
            "ratio": {"N": "0.5"},
            "tags": {"L": [{"S": "a"}, {"BOOL": True}, {"NULL": True}]},
            "empty": {"M": {}},
            "list": {"L": []},
        }}}},
        "session": {"M": {"state": {"L": [{"M": {"component": {"S": "GameComponent"}}}]}, "data": {"M": {}}}},
        "createdAt": {"S": "2026-11-01T08:00:00.000Z"},
        "updatedAt": {"S": "2026-11-24T10:00:00.000Z"},
    }


def test_an_item_written_by_boto3_in_the_original_plugins_shape_loads_unchanged(open_store, boto3_client):
    table = unique_table("from-original")
    store = open_store(table)
    store.ensure_table()
    # The attribute values @jovotech/db-dynamodb 4.1 writes for a user with data and history.
    boto3_client.put_item(TableName=table, Item={
        "userId": {"S": "amzn1.ask.account.ORIGINAL"},
        "user": {"M": {"data": {"M": {"visits": {"N": "12"}, "balance": {"N": "10.05"},
                                      "lastColor": {"S": "green"}}}}},
        "session": {"M": {"state": {"L": [{"M": {"component": {"S": "MenuComponent"}}}]},
                          "isNew": {"BOOL": False}, "data": {"M": {}}}},
        "history": {"M": {"items": {"L": [{"M": {"output": {"L": [{"M": {"message": {"S": "Hi"}}}]}}}]}}},
        "createdAt": {"S": "2025-01-01T00:00:00.000Z"},
        "updatedAt": {"S": "2026-11-20T00:00:00.000Z"},
    })
    assert store.load_user("amzn1.ask.account.ORIGINAL") == {
        "userId": "amzn1.ask.account.ORIGINAL",
        "user": {"data": {"visits": 12, "balance": Decimal("10.05"), "lastColor": "green"}},
        "session": {"state": [{"component": "MenuComponent"}], "isNew": False, "data": {}},
        "history": {"items": [{"output": [{"message": "Hi"}]}]},
        "createdAt": "2025-01-01T00:00:00.000Z",
        "updatedAt": "2026-11-20T00:00:00.000Z",
    }


def test_numbers_keep_every_digit(open_store, boto3_client):
    table = unique_table("numbers")
    store = open_store(table)
    # 38 significant digits, DynamoDB's maximum, far past what a float (or JavaScript) keeps.
    item = {
        "big": 12345678901234567890123456789012345678,
        "pi": Decimal("3.1415926535897932384626433832795028842"),
        "tiny": Decimal("-0.0000000000000000000000000000000000001"),
        "counter": 9007199254740993,
        "price": 0.1,
    }
    store.save_user("precise", item)
    stored = stored_item(boto3_client, table, "precise")
    assert stored["big"] == {"N": "12345678901234567890123456789012345678"}
    assert stored["pi"] == {"N": "3.1415926535897932384626433832795028842"}
    assert stored["counter"] == {"N": "9007199254740993"}
    assert stored["price"] == {"N": "0.1"}
    loaded = store.load_user("precise")
    assert loaded["big"] == 12345678901234567890123456789012345678 and type(loaded["big"]) is int
    assert loaded["pi"] == Decimal("3.1415926535897932384626433832795028842")
    assert loaded["tiny"] == Decimal("-1E-37")
    assert loaded["counter"] == 9007199254740993
    assert loaded["price"] == Decimal("0.1")


def test_unicode_and_empty_values_survive(open_store):
    store = open_store(unique_table("unicode"))
    item = {"user": {"data": {"greeting": "Grüß dich 👋", "empty": "", "quote": '"\\\n'}}}
    store.save_user("ü-ser ✓", item)
    assert store.load_user("ü-ser ✓")["user"] == item["user"]


def test_saving_again_replaces_the_item_and_the_key_is_always_the_user_id(open_store, boto3_client):
    table = unique_table("replace")
    store = open_store(table)
    store.save_user("u", {"user": {"data": {"a": 1}}, "session": {}})
    store.save_user("u", {"userId": "someone-else", "user": {"data": {"b": 2}}})
    assert store.load_user("u") == {"userId": "u", "user": {"data": {"b": 2}}}
    assert stored_item(boto3_client, table, "someone-else") is None


def test_deleting_a_user_removes_the_item_and_deleting_again_is_fine(open_store, boto3_client):
    table = unique_table("delete")
    store = open_store(table)
    store.save_user("gone", jovo_item())
    store.delete_user("gone")
    assert store.load_user("gone") is None
    assert stored_item(boto3_client, table, "gone") is None
    store.delete_user("gone")


def test_an_item_just_under_400_kb_is_stored_and_one_over_is_refused_before_sending(open_store, boto3_client):
    table = unique_table("size")
    store = open_store(table)
    store.save_user("big", {"user": {"data": {"blob": "x" * (400 * 1024 - 200)}}})
    assert stored_item(boto3_client, table, "big") is not None

    with pytest.raises(ItemTooLarge) as caught:
        store.save_user("big", {"user": {"data": {"blob": "y" * (400 * 1024 + 1)}}})
    assert caught.value.code == "item-too-large" and "409600" in caught.value.message
    # The earlier item is untouched: nothing was half-written.
    assert stored_item(boto3_client, table, "big")["user"]["M"]["data"]["M"]["blob"]["S"].startswith("x")


def test_a_blocking_store_closes_as_a_context_manager_and_reopens_when_used_again(open_store):
    table = unique_table("close")
    with open_store(table) as store:
        store.save_user("u", {"user": {"data": {"n": 1}}})
    assert store.load_user("u")["user"]["data"]["n"] == 1
    store.close()
    store.close()


def test_half_an_emoji_stored_by_a_javascript_app_loads_and_saves_back_unchanged(
    open_store, open_async_store, boto3_client
):
    # `"🎉".substring(0, 1)` in JavaScript: a lone UTF-16 surrogate, which the original plugin
    # stores as it is and DynamoDB keeps. Python strings hold it as they are.
    table = unique_table("lone-surrogate")
    store = open_store(table)
    store.ensure_table()
    boto3_client.put_item(TableName=table, Item={
        "userId": {"S": "js-user"},
        "user": {"M": {"data": {"M": {"nickname": {"S": "party \ud83c"}, "tail": {"S": "\udf89 after"},
                                      "whole": {"S": "🎉"}}}}},
    })
    expected = {"userId": "js-user", "user": {"data": {"nickname": "party \ud83c", "tail": "\udf89 after", "whole": "🎉"}}}
    loaded = store.load_user("js-user")
    assert loaded == expected
    store.save_user("js-user", loaded)
    assert boto3_client.get_item(TableName=table, Key={"userId": {"S": "js-user"}})["Item"]["user"] == {
        "M": {"data": {"M": {"nickname": {"S": "party \ud83c"}, "tail": {"S": "\udf89 after"}, "whole": {"S": "🎉"}}}}
    }

    async def through_the_async_store() -> None:
        async with open_async_store(table) as async_store:
            item = await async_store.load_user("js-user")
            assert item == expected
            await async_store.save_user("js-user", item)
            assert await async_store.load_user("js-user") == expected

    asyncio.run(through_the_async_store())
