"""Bad config, bad input and unreachable servers: each is a typed error that says what to
do, input errors are found before anything is sent, and the transport's failures are told
apart (refused: transport-failed; silent: timed-out)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import closed_endpoint, serving, stored_item, unique_table
from jovo_dynamodb import (
    AsyncDynamoDbStore,
    DynamoDbStore,
    InvalidConfig,
    InvalidInput,
    MalformedResponse,
    StoreError,
    Throttled,
    TimedOut,
    TransportFailed,
    errors,
)
from jovo_dynamodb._wit import record


@pytest.fixture
def unreachable_store(runtime) -> DynamoDbStore:
    """A store whose every request fails to connect: an InvalidInput from it proves that
    validation happened before sending."""
    return DynamoDbStore(
        "users",
        endpoint=closed_endpoint(),
        credentials=("AKIDTESTKEY", "test-secret-key"),
        create_table_on_init=False,
        max_attempts=2,
        retry_base_delay_ms=1,
        runtime=runtime,
    )


def test_user_ids_must_be_1_to_2048_bytes(unreachable_store):
    for call in (
        lambda user_id: unreachable_store.load_user(user_id),
        lambda user_id: unreachable_store.save_user(user_id, {}),
        lambda user_id: unreachable_store.delete_user(user_id),
    ):
        with pytest.raises(InvalidInput, match="empty"):
            call("")
    with pytest.raises(InvalidInput, match="2050 bytes"):
        unreachable_store.load_user("ü" * 1025)
    # 2048 bytes is allowed: it gets as far as the (closed) network.
    with pytest.raises(TransportFailed):
        unreachable_store.load_user("a" * 2048)
    with pytest.raises(InvalidInput, match="must be a str"):
        unreachable_store.load_user(42)


def test_user_ids_that_are_not_valid_unicode_never_share_an_item(runtime, dynalite, boto3_client):
    """'user-\ud800' and 'user-\udbff' (lone surrogates: no UTF-8 form) would both become
    'user-\ufffd' if replaced; both stores refuse them before sending, and the valid
    'user-\ufffd' is an item of its own."""
    table = unique_table("surrogates")

    async def scenario() -> None:
        for cls in (DynamoDbStore, AsyncDynamoDbStore):
            unreachable = cls("users", endpoint=closed_endpoint(), credentials=("AKIDTESTKEY", "test-secret-key"),
                              create_table_on_init=False, max_attempts=1, runtime=runtime)
            for user_id in ("user-\ud800", "user-\udbff"):
                for method, args in (("load_user", ()), ("save_user", ({},)), ("delete_user", ())):
                    with pytest.raises(InvalidInput, match="not valid Unicode: a lone surrogate at index 5") as caught:
                        result = getattr(unreachable, method)(user_id, *args)
                        if cls is AsyncDynamoDbStore:
                            await result
                    assert caught.value.__context__ is None and caught.value.__cause__ is None
            store = cls(table, endpoint=dynalite.endpoint, credentials=("AKIDTESTKEY", "test-secret-key"), runtime=runtime)
            saved = store.save_user("user-\ufffd", {"user": {"data": {"by": cls.__name__}}})
            if cls is AsyncDynamoDbStore:
                await saved
                await store.close()

    asyncio.run(scenario())
    assert stored_item(boto3_client, table, "user-\ufffd")["user"]["M"]["data"]["M"]["by"] == {"S": "AsyncDynamoDbStore"}
    assert boto3_client.scan(TableName=table)["Count"] == 1


@pytest.mark.parametrize("item", [[1, 2], "text", 42, None, ("a", "tuple")])
def test_items_must_be_dicts(unreachable_store, item):
    with pytest.raises(InvalidInput, match="must be a dict"):
        unreachable_store.save_user("u", item)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity"), set(), {"a", 1},
                                   {True}, frozenset({None}), {1.5, float("nan")}, complex(1, 2), range(3)])
def test_values_dynamodb_cannot_store_are_refused_before_sending_naming_their_path(unreachable_store, value):
    with pytest.raises(InvalidInput, match="item attribute 'user.data.value'"):
        unreachable_store.save_user("u", {"user": {"data": {"value": value}}})


def test_values_dynamodb_cannot_store_are_named_by_their_path(unreachable_store):
    with pytest.raises(InvalidInput) as caught:
        unreachable_store.save_user("u", {"user": {"data": {"scores": [1, 123456789012345678901234567890123456789]}}})
    assert "user.data.scores[1]" in caught.value.message and "39 significant digits" in caught.value.message
    with pytest.raises(InvalidInput, match="user.data.far"):
        unreachable_store.save_user("u", {"user": {"data": {"far": Decimal("1e200")}}})
    deep: object = "bottom"
    for _ in range(40):
        deep = {"d": deep}
    with pytest.raises(InvalidInput, match="32 levels"):
        unreachable_store.save_user("u", {"user": deep})


@pytest.mark.parametrize(
    "item, where",
    [
        ({1: "a", None: "b"}, "the item: keys must be strings, got 1 (int)"),
        ({"user": {"data": {None: "b"}}}, "item attribute 'user.data': keys must be strings, got None"),
        ({"user": {"data": [{"ok": 1}, {(1, 2): "tuple key"}]}}, "item attribute 'user.data[1]': keys must be strings"),
        ({"user": {"data": {True: "b"}}}, "got True (bool)"),
    ],
)
def test_keys_that_are_not_strings_are_refused_instead_of_stored_as_other_keys(unreachable_store, item, where):
    # json.dumps would store {1: "a", None: "b"} as {"1": "a", "null": "b"}.
    with pytest.raises(InvalidInput) as caught:
        unreachable_store.save_user("u", item)
    assert where in caught.value.message


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_nesting_of_any_depth_is_an_input_error_not_a_recursion_error(unreachable_store, depth):
    deep: object = "bottom"
    for _ in range(depth):
        deep = [deep] if depth % 2 else {"d": deep}
    with pytest.raises(InvalidInput, match="nesting is deeper than DynamoDB's 32 levels"):
        unreachable_store.save_user("u", {"user": deep})


def test_an_item_that_contains_itself_is_an_input_error(unreachable_store):
    item: dict = {"user": {}}
    item["user"]["again"] = item
    with pytest.raises(InvalidInput, match="32 levels"):
        unreachable_store.save_user("u", item)


def test_the_host_refuses_exactly_what_the_component_refuses_in_its_words(unreachable_store):
    # The item's JSON handed to the component directly (past the host's check) and to the
    # store: the same verdict for 31 and 32 levels below the attribute, and the same text.
    import json

    from jovo_dynamodb import items

    for depth in (31, 32):
        deep: object = "x"
        for _ in range(depth):
            deep = {"d": deep}
        item = {"user": deep}
        verdicts = []
        with unreachable_store._instance() as instance:
            for check in (lambda item: instance.save_user("u", json.dumps(item)), items.check_shape):
                try:
                    check(item)
                    verdicts.append(None)
                except InvalidInput as error:
                    verdicts.append(error.message)
                except TransportFailed:
                    verdicts.append(None)  # valid: it got as far as the (closed) network
        component, host = verdicts
        assert component == host
        assert (component is None) is (depth == 31)


@pytest.mark.parametrize(
    "options, rule",
    [
        ({"table": ""}, "the table option 'name' is missing"),
        ({"table": "ab"}, "3 to 255"),
        ({"table": "users table"}, "A-Z, a-z, 0-9"),
        ({"primary_key_column": ""}, "primary key column"),
        ({"read_capacity_units": 0}, "read capacity units"),
        ({"write_capacity_units": 0}, "write capacity units"),
        ({"endpoint": "localhost:8000"}, "http://"),
        ({"max_attempts": 0}, "max attempts"),
        ({"request_timeout_ms": 0}, "request timeout ms"),
        ({"operation_timeout_ms": 0}, "operation timeout ms"),
        ({"region": "Mars 1"}, "region"),
        ({"endpoint": None}, "neither the client option 'region' nor the client option 'endpoint'"),
        # Caught by the Python layer: values the WIT types cannot carry.
        ({"billing_mode": "ON_DEMAND"}, "billing_mode"),
        ({"read_capacity_units": "5"}, "read_capacity_units"),
        ({"request_timeout_ms": 2**32}, "request_timeout_ms"),
        ({"operation_timeout_ms": -1}, "operation_timeout_ms"),
        ({"ca_bundle": 42}, "ca_bundle must be PEM text or a path"),
        ({"proxy": "socks5://proxy:1080"}, "the proxy option must be an http:// proxy URL"),
        ({"create_table_on_init": "yes"}, "create_table_on_init"),
        ({"table": None}, "table must be a str"),
        ({"credentials": "AKID:secret"}, "credentials must be"),
    ],
)
def test_bad_config_is_refused_at_construction_with_the_rule(runtime, monkeypatch, options, rule):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    arguments = {"table": "users", "endpoint": "http://127.0.0.1:8000", **options}
    with pytest.raises(InvalidConfig) as caught:
        DynamoDbStore(arguments.pop("table"), runtime=runtime, **arguments)
    assert caught.value.code == "invalid-config"
    assert rule in caught.value.message


def test_an_unreachable_server_is_a_transport_error_after_the_configured_attempts(unreachable_store):
    with pytest.raises(TransportFailed) as caught:
        unreachable_store.load_user("u")
    assert caught.value.code == "transport-failed"
    assert "after 2 attempts" in caught.value.message


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    acceptor.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_server_that_never_answers_is_a_timeout_after_request_timeout_ms(runtime, silent_endpoint):
    store = DynamoDbStore(
        "users",
        endpoint=silent_endpoint,
        credentials=("AKIDTESTKEY", "test-secret-key"),
        create_table_on_init=False,
        request_timeout_ms=200,
        max_attempts=1,
        runtime=runtime,
    )
    with pytest.raises(TimedOut) as caught:
        store.load_user("u")
    assert caught.value.code == "timed-out"


def test_every_error_is_a_store_error_with_its_wit_case_name():
    cases = [
        "invalid-config", "invalid-input", "item-too-large", "table-missing",
        "credentials-unavailable", "access-denied", "throttled", "conditional-conflict",
        "transport-failed", "tls-failed", "timed-out", "malformed-response", "service",
    ]
    for case in cases:
        payload = _service_error_payload() if case in ("access-denied", "throttled", "conditional-conflict", "service") else "text"
        error = errors.from_wit(case, payload)
        assert isinstance(error, StoreError) and error.code == case


def test_dynamodb_errors_carry_what_aws_support_asks_for():
    error = errors.from_wit("throttled", _service_error_payload())
    assert isinstance(error, Throttled)
    assert (error.service_code, error.request_id, error.status, error.attempts) == (
        "ProvisionedThroughputExceededException", "REQ123", 400, 4)
    assert str(error) == (
        "throttled: DynamoDB answered ProvisionedThroughputExceededException (HTTP 400): "
        "slow down [after 4 attempt(s), request id REQ123]"
    )


def _service_error_payload():
    return record(code="ProvisionedThroughputExceededException", message="slow down",
                  request_id="REQ123", status=400, attempts=4)


@pytest.fixture
def not_dynamodb_endpoint() -> Iterator[str]:
    """A web server that answers every POST with 200 and bytes that are not DynamoDB's JSON
    (every byte value once): a misconfigured proxy, say."""

    class Answer(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            body = bytes(range(256))
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    with serving(server) as url:
        yield url


def test_an_endpoint_that_is_not_dynamodb_is_a_malformed_response(runtime, not_dynamodb_endpoint):
    store = DynamoDbStore("users", endpoint=not_dynamodb_endpoint, credentials=("AKIDTESTKEY", "test-secret-key"),
                          create_table_on_init=False, max_attempts=2, retry_base_delay_ms=1, runtime=runtime)
    with pytest.raises(MalformedResponse) as caught:
        store.load_user("u")
    assert caught.value.code == "malformed-response"
