"""Compile once: a second process start takes the compiled component from the cache, and a
cache that is broken or unwritable costs speed, never correctness."""

from __future__ import annotations

import logging

from conftest import unique_table
from jovo_dynamodb import DynamoDbStore, Runtime


def cached_entries(directory):
    return sorted(directory.glob("*.cwasm"))


def a_store_works(runtime, dynalite) -> None:
    store = DynamoDbStore(unique_table("cache"), endpoint=dynalite.endpoint, credentials=("a", "b"), runtime=runtime)
    store.save_user("u", {"user": {"data": {"ok": True}}})
    assert store.load_user("u")["user"]["data"]["ok"] is True


def test_the_first_start_compiles_and_later_starts_load_the_cached_component(tmp_path, dynalite, caplog):
    caplog.set_level(logging.DEBUG, logger="jovo_dynamodb")
    a_store_works(Runtime(cache_dir=tmp_path), dynalite)
    assert "component compiled and cached" in caplog.text
    [entry] = cached_entries(tmp_path)
    written = entry.stat().st_mtime_ns

    caplog.clear()
    a_store_works(Runtime(cache_dir=tmp_path), dynalite)
    assert "compiled component loaded from" in caplog.text
    assert cached_entries(tmp_path) == [entry] and entry.stat().st_mtime_ns == written


def test_a_corrupt_cache_entry_is_replaced_by_a_fresh_compile(tmp_path, dynalite, caplog):
    Runtime(cache_dir=tmp_path)
    [entry] = cached_entries(tmp_path)
    entry.write_bytes(b"\x7fELF but not really a compiled component")
    caplog.set_level(logging.DEBUG, logger="jovo_dynamodb")
    a_store_works(Runtime(cache_dir=tmp_path), dynalite)
    assert "unusable, compiling" in caplog.text
    assert entry.stat().st_size > 1000


def test_an_unwritable_cache_only_costs_speed(tmp_path, dynalite):
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("in the way")
    a_store_works(Runtime(cache_dir=not_a_directory / "cache"), dynalite)


def test_the_cache_directory_can_be_chosen_by_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("JOVO_DYNAMODB_CACHE_DIR", str(tmp_path / "chosen"))
    Runtime()
    assert len(cached_entries(tmp_path / "chosen")) == 1
