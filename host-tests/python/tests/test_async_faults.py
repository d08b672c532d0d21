"""Faults between the asyncio store and DynamoDB, injected by a proxy of ours in front of a
real dynalite: each is retried, the final error is typed, and no acknowledged save is lost.
The same scenarios as host-tests/rust/tests/faults.rs and js-shim/test/faults.test.js."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import fault_proxy as faults
import pytest

from conftest import serving, stored_item, unique_table
from jovo_dynamodb import ServiceError, TimedOut, TransportFailed

FAST_RETRIES = {"retry_base_delay_ms": 5, "retry_max_delay_ms": 20}


def run(open_async_store, table, proxy, scenario, **options):
    """Runs `scenario(store)` on a store that talks to dynalite through `proxy`, with the
    table created before any fault is injected."""

    async def main():
        async with open_async_store(table, endpoint=proxy.endpoint, **FAST_RETRIES, **options) as store:
            await store.ensure_table()
            proxy.take_seen()
            return await scenario(store)

    return asyncio.run(main())


@pytest.mark.parametrize(
    "fault",
    [faults.INTERNAL_SERVER_ERROR, faults.RESET, faults.TRUNCATE, faults.delay(1.0)],
    ids=["http-500", "connection-reset", "truncated-body", "delayed-past-timeout"],
)
def test_a_fault_on_a_save_or_a_load_is_retried_and_the_visit_succeeds(open_async_store, fault_proxy, boto3_client,
                                                                        fault):
    table = unique_table("async-fault")

    async def scenario(store):
        fault_proxy.push(fault)
        await store.save_user("u", {"user": {"data": {"visits": 1}}})
        fault_proxy.push(fault)
        return await store.load_user("u")

    loaded = run(open_async_store, table, fault_proxy, scenario, request_timeout_ms=300)
    assert loaded["user"]["data"]["visits"] == 1
    seen = [(request.operation, request.fault) for request in fault_proxy.take_seen()]
    assert seen == [("PutItem", fault), ("PutItem", None), ("GetItem", fault), ("GetItem", None)]
    assert stored_item(boto3_client, table, "u")["user"]["M"]["data"]["M"]["visits"] == {"N": "1"}


def test_faults_on_every_attempt_end_in_the_typed_error_of_the_last_one(open_async_store, fault_proxy):
    table = unique_table("async-final-error")

    async def scenario(store):
        errors = []
        for fault, expected in ((faults.INTERNAL_SERVER_ERROR, ServiceError), (faults.RESET, TransportFailed),
                                (faults.delay(1.0), TimedOut)):
            fault_proxy.push(*[fault] * 3)
            with pytest.raises(expected) as caught:
                await store.load_user("u")
            errors.append(caught.value)
        return errors

    server_error, transport, timeout = run(open_async_store, table, fault_proxy, scenario,
                                           max_attempts=3, request_timeout_ms=300)
    assert (server_error.service_code, server_error.status, server_error.attempts) == ("InternalServerError", 500, 3)
    assert "after 3 attempts" in transport.message
    assert timeout.code == "timed-out"
    assert fault_proxy.pending() == 0


def test_under_random_faults_no_acknowledged_save_is_lost(open_async_store, fault_proxy, boto3_client):
    # Ten users, each saved six times in a row, all users at once; about a third of all
    # requests meet a fault. A save that returned must be what DynamoDB holds, unless a later
    # save of the same user (which may have been applied without being acknowledged) replaced it.
    table = unique_table("async-no-loss")
    chance = random.Random(12)
    kinds = [faults.INTERNAL_SERVER_ERROR, faults.RESET, faults.TRUNCATE, faults.delay(0.5)]
    fault_proxy_script = [chance.choice(kinds) if chance.random() < 0.33 else faults.PASS for _ in range(200)]
    outcomes: dict[str, list[tuple[int, bool]]] = {}

    async def user_visits(store, user_id):
        for number in range(1, 7):
            try:
                await store.save_user(user_id, {"user": {"data": {"n": number}}})
                outcomes[user_id].append((number, True))
            except (ServiceError, TransportFailed, TimedOut):
                outcomes[user_id].append((number, False))

    async def scenario(store):
        fault_proxy.push(*fault_proxy_script)
        users = [f"user-{n}" for n in range(10)]
        for user_id in users:
            outcomes[user_id] = []
        await asyncio.gather(*(user_visits(store, user_id) for user_id in users))

    run(open_async_store, table, fault_proxy, scenario, max_attempts=5, request_timeout_ms=200)
    injected = {request.fault for request in fault_proxy.take_seen()} - {None, faults.PASS}
    assert injected == set(kinds)
    for user_id, saves in outcomes.items():
        acknowledged = [number for number, ok in saves if ok]
        assert acknowledged, user_id
        last = acknowledged[-1]
        allowed = {last} | {number for number, ok in saves if not ok and number > last}
        stored = int(stored_item(boto3_client, table, user_id)["user"]["M"]["data"]["M"]["n"]["N"])
        assert stored in allowed, (user_id, saves, stored)


@pytest.fixture
def huge_body_endpoint() -> Iterator[str]:
    """Answers every POST with 200 and a body just over 16 MB: with a content-length on
    /declared, chunked (no length) elsewhere."""
    body = b"x" * (16 * 1024 * 1024 + 1)

    class Answer(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            self.send_response(200)
            if self.path == "/declared/":
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass
                return
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            try:
                for start in range(0, len(body), 1 << 20):
                    chunk = body[start:start + (1 << 20)]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass

        def log_message(self, *args) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address) -> None:
            pass  # the client hangs up after 16 MB, on purpose

    server = Server(("127.0.0.1", 0), Answer)
    with serving(server) as url:
        yield url


@pytest.mark.parametrize("path", ["declared/", "chunked/"])
def test_an_answer_over_16_mb_is_a_transport_failure(open_async_store, huge_body_endpoint, path):
    async def scenario():
        async with open_async_store("users", endpoint=f"{huge_body_endpoint}/{path}", create_table_on_init=False,
                                    max_attempts=1) as store:
            with pytest.raises(TransportFailed) as caught:
                await store.load_user("u")
            return caught.value

    assert "larger than 16777216 bytes" in asyncio.run(scenario()).message
