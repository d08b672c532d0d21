"""The asyncio store serves an async web app as the blocking store serves a threaded one: the
first visit creates the table, items round-trip, locking stops lost updates, and one store
carries hundreds of concurrent operations over kept-alive connections."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

import fault_proxy as faults
import pytest

from conftest import stored_item, unique_table
from jovo_dynamodb import (
    AsyncDynamoDbStore,
    ConditionalConflict,
    InvalidInput,
    RuntimeFailure,
    TableMissing,
    TableStatus,
)


def test_the_first_visit_of_a_new_app_creates_the_table_and_succeeds(open_async_store, boto3_client):
    # dynalite keeps a new table CREATING for 500 ms: ten visits that all arrive in that
    # window all succeed.
    table = unique_table("async-first-visit")

    async def scenario() -> list:
        async with open_async_store(table) as store:
            loads = await asyncio.gather(*(store.load_user(f"alexa-user-{n}") for n in range(10)))
            await store.save_user("alexa-user-1", {"user": {"data": {"visits": 1}}})
            return [loads, await store.load_user("alexa-user-1")]

    loads, loaded = asyncio.run(scenario())
    assert loads == [None] * 10
    assert loaded == {"userId": "alexa-user-1", "user": {"data": {"visits": 1}}}
    assert boto3_client.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"


def test_ensure_table_and_time_to_live_answer_as_the_blocking_store_does(open_async_store, open_store):
    table = unique_table("async-ensure")

    async def scenario() -> list:
        async with open_async_store(table, expire_after_days=7) as store:
            return [await store.ensure_table(), await store.ensure_table(), await store.ensure_time_to_live()]

    created, again, time_to_live = asyncio.run(scenario())
    assert (created, again) == (TableStatus.CREATED, TableStatus.ALREADY_EXISTED)
    assert time_to_live.state == "unavailable" and "TimeToLive" in time_to_live.reason
    assert open_store(table, expire_after_days=7).ensure_time_to_live() == time_to_live


def test_items_round_trip_and_both_stores_read_each_others_items(open_async_store, open_store, boto3_client):
    table = unique_table("async-round-trip")
    item = {
        "user": {"data": {"visits": 3, "score": Decimal("0.1"), "big": 123456789012345678901234567890,
                          "tags": ["a", "b"], "prefs": {}, "premium": False, "nothing": None}},
        "session": {"state": [{"component": "Game"}]},
        "createdAt": "2026-11-01T08:00:00.000Z",
    }
    blocking = open_store(table)

    async def scenario() -> list:
        async with open_async_store(table) as store:
            await store.save_user("from-async", item)
            read_back = await store.load_user("from-async")
            blocking.save_user("from-blocking", item)
            read_other = await store.load_user("from-blocking")
            await store.delete_user("from-async")
            await store.delete_user("never-existed")
            return [read_back, read_other, await store.load_user("from-async")]

    read_back, read_other, deleted = asyncio.run(scenario())
    assert read_back == {"userId": "from-async", **item}
    assert read_other == {"userId": "from-blocking", **item}
    assert deleted is None
    assert blocking.load_user("from-blocking") == read_other
    assert stored_item(boto3_client, table, "from-blocking")["user"]["M"]["data"]["M"]["score"] == {"N": "0.1"}


def test_with_locking_an_overlapping_save_is_a_conflict_and_nothing_is_lost(open_async_store, boto3_client):
    table = unique_table("async-optimistic")

    async def scenario() -> None:
        async with open_async_store(table, optimistic_locking=True) as store:
            await store.save_user("u", {"user": {"data": {"entries": []}}})
            first, second = await asyncio.gather(store.load_user("u"), store.load_user("u"))
            first["user"]["data"]["entries"].append("first")
            second["user"]["data"]["entries"].append("second")
            await store.save_user("u", first)
            with pytest.raises(ConditionalConflict) as conflict:
                await store.save_user("u", second)
            assert conflict.value.code == "conditional-conflict"

    asyncio.run(scenario())
    stored = stored_item(boto3_client, table, "u")
    assert stored["user"]["M"]["data"]["M"]["entries"] == {"L": [{"S": "first"}]}
    assert stored["version"] == {"N": "2"}


def test_200_concurrent_operations_over_50_users_lose_nothing(open_async_store, boto3_client):
    # 200 visits, four per user, all at once on one store: each loads its user, adds itself
    # and saves under optimistic locking, loading again after a conflict. Every visit must
    # end up in its user's item exactly once.
    table = unique_table("async-concurrent")
    users, visits_per_user = 50, 4
    conflicts = 0

    async def visit(store: AsyncDynamoDbStore, number: int) -> None:
        nonlocal conflicts
        user_id = f"user-{number % users}"
        while True:
            item = await store.load_user(user_id) or {"user": {"data": {"visits": []}}}
            item["user"]["data"]["visits"].append(number)
            try:
                await store.save_user(user_id, item)
                return
            except ConditionalConflict:
                conflicts += 1
                await asyncio.sleep(random.random() / 100)

    async def scenario() -> None:
        async with open_async_store(table, optimistic_locking=True) as store:
            await store.ensure_table()
            await asyncio.gather(*(visit(store, number) for number in range(users * visits_per_user)))

    asyncio.run(scenario())
    for user in range(users):
        stored = stored_item(boto3_client, table, f"user-{user}")
        visits = sorted(int(value["N"]) for value in stored["user"]["M"]["data"]["M"]["visits"]["L"])
        assert visits == [user + users * k for k in range(visits_per_user)], user
        assert stored["version"] == {"N": str(visits_per_user)}
    assert conflicts > 0  # the visits did overlap


def test_connections_are_kept_alive_and_bodies_are_asked_for_unencoded(open_async_store, fault_proxy):
    table = unique_table("async-keep-alive")

    async def scenario() -> None:
        async with open_async_store(table, endpoint=fault_proxy.endpoint) as store:
            await store.ensure_table()
            for number in range(20):
                await store.save_user("u", {"user": {"data": {"n": number}}})
                assert (await store.load_user("u"))["user"]["data"]["n"] == number

    asyncio.run(scenario())
    seen = fault_proxy.take_seen()
    assert len(seen) >= 40
    assert fault_proxy.connections == 1
    assert {request.headers.get("accept-encoding") for request in seen} == {"identity"}


def test_bad_input_is_refused_before_anything_is_sent(open_async_store, fault_proxy):
    async def scenario() -> None:
        async with open_async_store("users", endpoint=fault_proxy.endpoint, create_table_on_init=False) as store:
            with pytest.raises(InvalidInput, match="empty"):
                await store.load_user("")
            with pytest.raises(InvalidInput, match="must be a str"):
                await store.delete_user(7)
            with pytest.raises(InvalidInput, match="keys must be strings"):
                await store.save_user("u", {"user": {"data": {1: "a", None: "b"}}})
            deep: object = "bottom"
            for _ in range(1000):
                deep = {"d": deep}
            with pytest.raises(InvalidInput, match="32 levels"):
                await store.save_user("u", {"user": deep})

    asyncio.run(scenario())
    assert fault_proxy.take_seen() == []


def test_errors_are_the_blocking_stores_exceptions(open_async_store):
    async def scenario() -> None:
        async with open_async_store(unique_table("async-missing"), create_table_on_init=False) as store:
            with pytest.raises(TableMissing) as caught:
                await store.load_user("u")
            assert caught.value.code == "table-missing"

    asyncio.run(scenario())


def test_a_store_belongs_to_one_event_loop_until_closed_then_works_in_another(open_async_store):
    table = unique_table("async-loops")
    store = open_async_store(table)

    async def save(number: int) -> None:
        await store.save_user("u", {"user": {"data": {"n": number}}})

    async def first_loop() -> None:
        async with store:
            await save(1)
            # Another thread's loop may not use it meanwhile.
            with pytest.raises(RuntimeFailure, match="another event loop"):
                await asyncio.to_thread(asyncio.run, save(2))

    asyncio.run(first_loop())

    async def later_loop(number: int) -> dict | None:
        async with store:
            await save(number)
            return await store.load_user("u")

    assert asyncio.run(later_loop(3))["user"]["data"]["n"] == 3
    assert asyncio.run(later_loop(4))["user"]["data"]["n"] == 4


def test_cancelled_operations_are_abandoned_and_the_store_keeps_working(open_async_store, fault_proxy):
    # A request handler that times out (asyncio.wait_for, a client gone) cancels its task
    # mid-request: the operation is dropped in the component, and the store serves on.
    table = unique_table("async-cancel")

    async def scenario() -> dict | None:
        async with open_async_store(table, endpoint=fault_proxy.endpoint) as store:
            await store.save_user("u", {"user": {"data": {"kept": True}}})
            fault_proxy.push(*[faults.delay(0.5)] * 10)
            for _ in range(10):
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(store.load_user("u"), timeout=0.05)
            return await store.load_user("u")

    assert asyncio.run(scenario())["user"]["data"]["kept"] is True
