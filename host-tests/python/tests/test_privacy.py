"""No user data in error texts (issue 11): an app saves and loads items full of a marker string
through every failure path a test can provoke against real servers (invalid input, malformed
answers, conflicts, a bad endpoint), and the marker (and an endpoint's password) appears in no
error text: not in `str()`, `repr()`, `.message`, `.args`, the attributes, nor the traceback
`logging.exception` would print (chained exceptions included).

Each case also asserts the exception class, so a case that fails some other way, or does not
fail, fails the test. Every case runs with `DynamoDbStore` and with `AsyncDynamoDbStore`.

Servers: the session's dynalite, the fault proxy in front of it (a conflict whose answer is
lost), and a tiny HTTP server of ours on 127.0.0.1 that answers each request with a crafted
body (malformed answers). DynamoDB's own `message` is shown as DynamoDB wrote it; no crafted
answer here puts the marker in it."""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import traceback
import zlib
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import fault_proxy as faults
import pytest

from conftest import KINDS, TEST_ACCESS_KEY, TEST_SECRET, Store, closed_endpoint, stored_item, unique_table
from jovo_dynamodb import (
    AccessDenied,
    ConditionalConflict,
    CredentialsUnavailable,
    InvalidConfig,
    InvalidInput,
    ItemTooLarge,
    MalformedResponse,
    ServiceError,
    StoreError,
    TableMissing,
)

MARKER = f"PRIVATE-{secrets.token_hex(6)}"
PASSWORD = "hunter2-pass-word"


def error_texts(error: BaseException) -> list[str]:
    """Every text of `error` an app or its error tracker may show."""
    texts = ["".join(traceback.format_exception(type(error), error, error.__traceback__))]
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args), repr(vars(current))]
        if isinstance(current, StoreError):
            texts.append(current.message)
        current = current.__cause__ or current.__context__
    return texts


def assert_private(what: str, error: BaseException) -> None:
    for text in error_texts(error):
        assert MARKER not in text, f"{what}: the marker reached an error text: {text}"
        assert PASSWORD not in text, f"{what}: the password reached an error text: {text}"


async def private_error(what: str, expected: type[StoreError], call: Awaitable[Any]) -> StoreError:
    """Awaits `call`, which must raise `expected` with no marker in any of its texts."""
    try:
        result = await call
    except StoreError as error:
        assert_private(what, error)
        assert type(error) is expected, f"{what}: expected {expected.__name__}, got {error!r}"
        return error
    pytest.fail(f"{what}: expected {expected.__name__}, got {result!r}")


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())


def marked_item() -> dict[str, Any]:
    """A user whose every value is the marker: top level, nested maps and lists."""
    return {
        "user": {"data": {"name": MARKER, "notes": [MARKER, {"deep": {"deeper": MARKER}}], "visits": 3}},
        "session": {"data": {"lastSaid": f"my secret is {MARKER}"}},
        "createdAt": MARKER,
    }


class RepeatedNames(dict):  # type: ignore[type-arg]
    """A dict whose items() yields one name twice, as json.dumps then writes it."""

    def items(self) -> Any:
        return [("k", MARKER), ("k", MARKER)]


class Secretive:
    def __repr__(self) -> str:
        return f"Secretive({MARKER})"


def nested(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {"v": MARKER}
    for _ in range(depth):
        root = {"n": root, "v": MARKER}
    return root


INVALID_ITEMS: list[tuple[str, Any, type[StoreError]]] = [
    ("a number beyond DynamoDB's range", {"user": {"name": MARKER, "n": Decimal("1e200")}}, InvalidInput),
    ("a number with 39 digits", {"user": {"name": MARKER, "n": 123456789012345678901234567890123456789}}, InvalidInput),
    ("a NaN float", {"user": {"name": MARKER, "n": float("nan")}}, InvalidInput),
    ("a NaN Decimal", {"user": {"name": MARKER, "n": Decimal("NaN")}}, InvalidInput),
    ("nesting past 32 levels", {"user": nested(40)}, InvalidInput),
    ("an empty attribute name", {"a": {"": MARKER, "b": MARKER}}, InvalidInput),
    ("a repeated attribute name", {"a": RepeatedNames(k=MARKER)}, InvalidInput),
    ("an item over 400 KB of the marker", {"user": MARKER * (420_000 // len(MARKER))}, ItemTooLarge),
    ("a str, not a dict", MARKER, InvalidInput),
    ("a list, not a dict", [MARKER, MARKER], InvalidInput),
    ("JSON text, not a dict", json.dumps({"user": MARKER})[:-3], InvalidInput),
    ("an empty set beside the marker", {"name": MARKER, "tags": set()}, InvalidInput),
    ("a set of the marker and a number", {"tags": {MARKER, 1}}, InvalidInput),
    ("a set of marker bytes and a number", {"tags": frozenset({MARKER.encode(), 2})}, InvalidInput),
    ("an object whose repr is the marker", {"x": Secretive()}, InvalidInput),
]


@pytest.mark.parametrize("kind", KINDS)
def test_invalid_items_are_refused_without_showing_their_values(kind, runtime):
    # Nothing listens at the endpoint: a request that went out would be TransportFailed.
    endpoint = closed_endpoint()

    async def scenario() -> None:
        store = Store(kind, "users", endpoint=endpoint, create_table_on_init=False, runtime=runtime)
        for what, item, expected in INVALID_ITEMS:
            await private_error(f"{kind}: {what}", expected, store.save(f"user-{MARKER}", item))
        locking = Store(kind, "users", endpoint=endpoint, create_table_on_init=False, optimistic_locking=True, runtime=runtime)
        for version in (MARKER, {"v": MARKER}, -1, Decimal("1.5")):
            await private_error(f"{kind}: version {version!r}", InvalidInput, locking.save("u", {**marked_item(), "version": version}))
        await store.close()
        await locking.close()

    run(scenario)


@pytest.mark.parametrize("kind", KINDS)
def test_user_ids_full_of_the_marker_are_refused_without_being_shown(kind, runtime, dynalite):
    async def scenario() -> None:
        store = Store(kind, unique_table("privacy-ids"), endpoint=dynalite.endpoint, runtime=runtime)
        long_id = MARKER * (2049 // len(MARKER) + 1)
        await private_error(f"{kind}: load, long id", InvalidInput, store.load(long_id))
        await private_error(f"{kind}: save, long id", InvalidInput, store.save(long_id, marked_item()))
        await private_error(f"{kind}: load, bytes id", InvalidInput, store.load(MARKER.encode()))
        too_large = {"user": "x" * 410_000, "name": MARKER}
        await private_error(f"{kind}: too large, marker id", ItemTooLarge, store.save(MARKER, too_large))
        # The marker id itself works: the errors were about the input.
        await store.save(MARKER, marked_item())
        assert await store.load(MARKER) == {**marked_item(), "userId": MARKER}
        await store.close()

    run(scenario)


# ---- a crafted DynamoDB: every request but DescribeTable gets the scripted answer ----------


class CraftedServer:
    def __init__(self) -> None:
        self.answer: tuple[int, dict[str, str], bytes] = (200, {}, b"{}")
        self.operations: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's spelling)
                self.rfile.read(int(self.headers.get("content-length", 0)))
                operation = str(self.headers.get("x-amz-target", "")).rsplit(".", 1)[-1]
                if operation == "DescribeTable":
                    status, headers, body = ok(json.dumps({"Table": {
                        "TableName": "users", "TableStatus": "ACTIVE",
                        "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}],
                        "AttributeDefinitions": [{"AttributeName": "userId", "AttributeType": "S"}]}}))
                else:
                    server.operations.append(operation)
                    status, headers, body = server.answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._http.server_address[1]}"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def answer_with(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.answer = (status, headers, body)
        self.operations = []

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()


def ok(body: str | bytes) -> tuple[int, dict[str, str], bytes]:
    """A 200 with DynamoDB's content type and a correct x-amz-crc32."""
    data = body.encode() if isinstance(body, str) else body
    return 200, {"content-type": "application/x-amz-json-1.0", "x-amz-crc32": str(zlib.crc32(data))}, data


@pytest.fixture
def crafted() -> Iterator[CraftedServer]:
    server = CraftedServer()
    yield server
    server.stop()


def malformed_loads() -> list[tuple[str, tuple[int, dict[str, str], bytes]]]:
    m = MARKER
    damaged = ok(f'{{"Item":{{"userId":{{"S":"u"}},"name":{{"S":"{m}"}}}}}}')
    return [
        ("a 200 that is an HTML page", ok(f"<html><body>{m}</body></html>")),
        ("an attribute value of an unknown type", ok(
            f'{{"Item":{{"userId":{{"S":"u-{m}"}},"name":{{"S":"{m}"}},"x":{{"Q":"{m}"}},"more":{{"M":{{"k":{{"S":"{m}"}}}}}}}}}}')),
        ("a number attribute that is the marker", ok(f'{{"Item":{{"name":{{"S":"{m}"}},"n":{{"N":"{m}"}}}}}}')),
        ("JSON cut short", ok(f'{{"Item":{{"name":{{"S":"{m}')),
        ("an array, not an object", ok(f'["{m}"]')),
        ("a body that is not UTF-8", ok(b'{"Item":{"name":{"S":"' + m.encode() + b'\xff\xfe"}}}')),
        ("a body whose x-amz-crc32 does not match", (200, {**damaged[1], "x-amz-crc32": "1"}, damaged[2])),
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_malformed_answers_are_described_without_their_bodies(kind, runtime, crafted):
    m = MARKER

    async def scenario() -> None:
        store = Store(kind, "users", endpoint=crafted.endpoint, create_table_on_init=False, runtime=runtime)
        for what, answer in malformed_loads():
            crafted.answer_with(*answer)
            await private_error(f"{kind}: load, {what}", MalformedResponse, store.load(f"user-{m}"))
            assert crafted.operations == ["GetItem"] * 4, f"{what}: {crafted.operations}"
        # A gateway's error page (502, HTML) on a save of a marked item, and on a load.
        crafted.answer_with(502, {"content-type": "text/html"},
                            f"<html><body><h1>502 Bad Gateway</h1>{m}: upstream failed</body></html>".encode())
        error = await private_error(f"{kind}: save, 502 page", ServiceError, store.save(f"user-{m}", marked_item()))
        assert "502" in str(error)
        assert crafted.operations == ["PutItem"] * 4
        await private_error(f"{kind}: load, 502 page", ServiceError, store.load(m))
        # Error answers whose other parts hold the marker: an HTML 403 page, and a JSON error
        # with DynamoDB's own (plain) message beside a field full of the marker.
        crafted.answer_with(403, {"content-type": "text/html"}, f"<html><body>Forbidden: {m}</body></html>".encode())
        await private_error(f"{kind}: load, 403 page", AccessDenied, store.load(m))
        error_body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
                                 "message": "Requested resource not found", "Item": {"name": {"S": m}}})
        crafted.answer_with(400, ok(error_body)[1], error_body.encode())
        await private_error(f"{kind}: save, an error answer with an item", TableMissing, store.save(f"user-{m}", marked_item()))
        # A 200 to the save whose body is not JSON.
        crafted.answer_with(*ok(f"not json {m}"))
        await private_error(f"{kind}: save, a 200 that is not JSON", MalformedResponse, store.save(f"user-{m}", marked_item()))
        await store.close()

    run(scenario)


@pytest.mark.parametrize("kind", KINDS)
def test_conflicts_are_described_without_the_items(kind, runtime, dynalite, fault_proxy, boto3_client):
    """Two overlapping visits of a user whose item is full of the marker: the later save is a
    conflict. Then the loser retries with its stale version while the answer to its first
    attempt is lost (truncated), so the store reads the item back to tell its own write from
    another's: the conflict again, still without the item."""
    table = unique_table("privacy-conflict")
    user = f"user-{MARKER}"

    async def scenario() -> None:
        first = Store(kind, table, endpoint=dynalite.endpoint, optimistic_locking=True, runtime=runtime)
        second = Store(kind, table, endpoint=fault_proxy.endpoint, optimistic_locking=True, runtime=runtime)
        await first.save(user, marked_item())
        seen_by_first = await first.load(user)
        seen_by_second = await second.load(user)
        seen_by_first["user"]["data"]["first"] = f"{MARKER} first"
        seen_by_second["user"]["data"]["second"] = f"{MARKER} second"
        await first.save(user, seen_by_first)
        await private_error(f"{kind}: overlapping save", ConditionalConflict, second.save(user, seen_by_second))
        fault_proxy.take_seen()
        fault_proxy.push(faults.TRUNCATE)
        await private_error(f"{kind}: retried save, first answer lost", ConditionalConflict, second.save(user, seen_by_second))
        puts = [seen.operation for seen in fault_proxy.take_seen() if seen.operation == "PutItem"]
        assert len(puts) >= 2, "the lost answer was retried"
        await first.close()
        await second.close()

    run(scenario)
    stored = stored_item(boto3_client, table, user)
    assert stored is not None
    assert "first" in stored["user"]["M"]["data"]["M"]
    assert "second" not in stored["user"]["M"]["data"]["M"]


ENDPOINTS = [
    f"http://admin:{PASSWORD}@127.0.0.1:8000",
    f"http://{MARKER}:{PASSWORD}@127.0.0.1:8000/",
    f"http://127.0.0.1:8000/?token={MARKER}&password={PASSWORD}",
    f"https://dynamodb.local/#{MARKER}",
    f"http://{MARKER}@127.0.0.1:8000/?{PASSWORD}",
    f"ftp://{MARKER}:{PASSWORD}@127.0.0.1:8000",
    f"http://{MARKER}:{PASSWORD}@127.0.0.1:8000 /x",
]


@pytest.mark.parametrize("kind", KINDS)
def test_an_endpoint_with_a_password_or_a_query_is_refused_without_echoing_them(kind, runtime):
    async def scenario() -> None:
        for endpoint in ENDPOINTS:
            async def open_store(endpoint: str = endpoint) -> Store:
                return Store(kind, "users", endpoint=endpoint, runtime=runtime)

            await private_error(f"{kind}: endpoint {endpoint}", InvalidConfig, open_store())

    run(scenario)


# ---- issue 16: a provider's own error, a token with a line break, a huge server message ------


@pytest.mark.parametrize("kind", KINDS)
def test_a_provider_whose_error_holds_a_secret_is_named_not_quoted(kind, runtime, dynalite):
    def leaky_vault() -> Any:
        raise PermissionError(f"vault refused: secretAccessKey={MARKER}")

    async def scenario() -> None:
        store = Store(kind, unique_table("privacy-provider"), endpoint=dynalite.endpoint, credentials=leaky_vault,
                      runtime=runtime)
        error = await private_error(f"{kind}: provider", CredentialsUnavailable, store.load("user-1"))
        assert "the credentials provider raised PermissionError" in error.message
        await store.close()

    run(scenario)


@pytest.mark.parametrize("kind", KINDS)
def test_a_session_token_with_a_line_break_is_never_sent_nor_quoted(kind, runtime, fault_proxy):
    token = f"FQoGZXIvYXdz\r\nX-Injected: {MARKER}"

    async def fixed() -> Store:
        return Store(kind, "users", endpoint=fault_proxy.endpoint, credentials=(TEST_ACCESS_KEY, TEST_SECRET, token),
                     runtime=runtime)

    async def scenario() -> None:
        # Fixed credentials are checked when the store is made; a provider's before each request,
        # by the component, which builds its headers as `http::HeaderValue`s and refuses one that
        # could not be sent, before the host sees the request.
        await private_error(f"{kind}: CR/LF token, fixed", InvalidConfig, fixed())
        store = Store(kind, unique_table("privacy-token"), endpoint=fault_proxy.endpoint,
                      credentials=lambda: (TEST_ACCESS_KEY, TEST_SECRET, token), runtime=runtime)
        error = await private_error(f"{kind}: CR/LF token, provider", InvalidConfig, store.load("user-1"))
        assert "would not be a valid HTTP header value" in error.message
        await store.close()

    run(scenario)
    assert fault_proxy.take_seen() == [], "nothing was sent"


@pytest.mark.parametrize("kind", KINDS)
def test_a_megabyte_error_message_from_the_server_is_cut_short(kind, runtime, crafted):
    message = "x" * 1_000_000
    body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ValidationException", "message": message})
    crafted.answer_with(400, ok(body)[1], body.encode())

    async def scenario() -> None:
        store = Store(kind, "users", endpoint=crafted.endpoint, create_table_on_init=False, runtime=runtime)
        error = await private_error(f"{kind}: 1 MB message", ServiceError, store.load("user-1"))
        assert len(str(error)) < 1000, f"{len(str(error))} characters"
        await store.close()

    run(scenario)
