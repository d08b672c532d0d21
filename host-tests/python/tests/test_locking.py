"""Lost updates: two request cycles of the same user that overlap (load, load, save, save).
Without optimistic locking the second save silently wins, as in the original plugin; with
it, the second save is a conflict and the first one's data survives. Plus data retention."""

from __future__ import annotations

import time

import pytest

from conftest import stored_item, unique_table
from jovo_dynamodb import ConditionalConflict


def two_interleaved_visits(open_store, table, **options):
    first, second = open_store(table, **options), open_store(table, **options)
    first.save_user("u", {"user": {"data": {"entries": []}}})
    seen_by_first, seen_by_second = first.load_user("u"), second.load_user("u")
    seen_by_first["user"]["data"]["entries"].append("from the first visit")
    seen_by_second["user"]["data"]["entries"].append("from the second visit")
    first.save_user("u", seen_by_first)
    return second, seen_by_second


def test_without_locking_the_later_save_silently_overwrites_the_earlier_one(open_store, boto3_client):
    table = unique_table("last-writer-wins")
    second, seen = two_interleaved_visits(open_store, table)
    second.save_user("u", seen)
    entries = stored_item(boto3_client, table, "u")["user"]["M"]["data"]["M"]["entries"]
    assert entries == {"L": [{"S": "from the second visit"}]}


def test_with_locking_the_later_save_is_a_conflict_and_nothing_is_lost(open_store, boto3_client):
    table = unique_table("optimistic")
    second, seen = two_interleaved_visits(open_store, table, optimistic_locking=True)
    with pytest.raises(ConditionalConflict) as conflict:
        second.save_user("u", seen)
    assert "load the user again" in str(conflict.value)
    stored = stored_item(boto3_client, table, "u")
    assert stored["user"]["M"]["data"]["M"]["entries"] == {"L": [{"S": "from the first visit"}]}
    assert stored["version"] == {"N": "2"}

    fresh = second.load_user("u")
    fresh["user"]["data"]["entries"].append("from the second visit")
    second.save_user("u", fresh)
    entries = stored_item(boto3_client, table, "u")["user"]["M"]["data"]["M"]["entries"]
    assert entries == {"L": [{"S": "from the first visit"}, {"S": "from the second visit"}]}


def test_expiry_is_written_and_a_server_without_ttl_is_reported_not_fatal(open_store, boto3_client):
    table = unique_table("retention")
    store = open_store(table, expire_after_days=30)
    store.ensure_table()
    status = store.ensure_time_to_live()
    assert status.state == "unavailable" and "TimeToLive" in status.reason
    before = int(time.time())
    store.save_user("u", {"user": {"data": {}}})
    expires = int(stored_item(boto3_client, table, "u")["expiresAt"]["N"])
    assert before + 30 * 86400 <= expires <= before + 30 * 86400 + 5


def test_time_to_live_is_not_configured_unless_asked(open_store):
    assert open_store(unique_table("no-retention")).ensure_time_to_live().state == "not-configured"
