"""Shared by the tests: a real dynalite on 127.0.0.1 (started here, stopped by its PID), the
shared network fixture in front of it (TLS, proxy, skewed clocks, redirect, stalled server;
started and stopped the same way), the compiled component, and boto3 as the independent
client that checks what was stored."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import socket
import subprocess
import threading
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from http.server import HTTPServer
from pathlib import Path
from typing import Any, Callable

import boto3
import pytest
from fault_proxy import FaultProxy

from jovo_dynamodb import AsyncDynamoDbStore, DynamoDbStore, Runtime

# Network rule: loopback only. The real instance metadata and container credential addresses
# (169.254.x) must never be contacted, whoever runs pytest: instance metadata is off and no
# container credentials are configured unless a test points them at a fake on 127.0.0.1.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _variable in ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                  "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
    os.environ.pop(_variable, None)
# Nor may a proxy of the machine's carry the tests' loopback traffic, nor a CA bundle of the
# machine's decide what the trust tests see: tests that need them set them (monkeypatch).
NETWORK_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY", "AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE")
for _variable in NETWORK_VARIABLES:
    os.environ.pop(_variable, None)
    os.environ.pop(_variable.lower(), None)

REPOSITORY = Path(__file__).resolve().parents[3]
DYNALITE_SERVER = REPOSITORY / "scripts" / "node" / "dynalite-server.cjs"
NETWORK_FIXTURE = REPOSITORY / "scripts" / "node" / "network-fixture.cjs"
TEST_ACCESS_KEY = "AKIDTESTKEY"
TEST_SECRET = "test-secret-key"


class Dynalite:
    """A dynalite process. It also exits when this test process dies: it watches its stdin."""

    def __init__(self, create_table_ms: int) -> None:
        self._process = subprocess.Popen(
            ["node", str(DYNALITE_SERVER), "--create-table-ms", str(create_table_ms), "--exit-with-stdin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"dynalite did not start: {line!r} (run scripts/install-toolchain.sh)")
        self.endpoint = line.removeprefix("listening ")

    def stop(self) -> None:
        stop_process(self._process)
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()


def stop_process(process: subprocess.Popen) -> None:
    """Stops a server the tests started: politely, then for sure."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def serving(server: HTTPServer) -> Iterator[str]:
    """Serves `server` (bound to 127.0.0.1) from a thread; yields its URL, then shuts it down."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class NetworkFixture:
    """scripts/node/network-fixture.cjs in front of a dynalite: a private CA (`ca`, a PEM file
    made at start), `endpoints` by name (tls, tlsIp, selfSigned, wrongHost, stalled, proxy,
    skewAhead, skewBehind, redirect, redirectTarget) and its counters. Exits with this
    process too (it watches its stdin)."""

    def __init__(self, upstream: str, directory: Path) -> None:
        self._process = subprocess.Popen(
            ["node", str(NETWORK_FIXTURE), "--upstream", upstream, "--dir", str(directory), "--exit-with-stdin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        try:
            started = json.loads(line)
        except ValueError:
            self.stop()
            raise RuntimeError(f"the network fixture did not start: {line!r}") from None
        self.ca: str = started["ca"]
        self.directory = directory
        self.endpoints: dict[str, str] = started["endpoints"]
        self._control = started["control"].removeprefix("http://")

    def counts(self) -> dict[str, Any]:
        """Its counters: handshakes per TLS endpoint, tunnels, proxied, redirectTargetHits, ..."""
        return self._get("/counts")

    def reset(self) -> None:
        self._get("/reset")

    def _get(self, path: str) -> dict[str, Any]:
        # http.client, not urllib: whatever proxy variables a test set must not apply here.
        connection = http.client.HTTPConnection(self._control, timeout=10)
        try:
            connection.request("GET", path)
            answer: dict[str, Any] = json.loads(connection.getresponse().read())
            return answer
        finally:
            connection.close()

    def stop(self) -> None:
        stop_process(self._process)
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="session")
def network(dynalite: Dynalite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkFixture]:
    """One network fixture for the session, in front of the session's dynalite."""
    fixture = NetworkFixture(dynalite.endpoint, tmp_path_factory.mktemp("network"))
    yield fixture
    fixture.stop()


@pytest.fixture(scope="session")
def dynalite() -> Iterator[Dynalite]:
    """One server for the session, with dynalite's default 500 ms CREATING window."""
    server = Dynalite(create_table_ms=500)
    yield server
    server.stop()


@pytest.fixture
def start_dynalite() -> Iterator[Callable[[int], Dynalite]]:
    """Private servers for tests that need other timings; stopped after the test."""
    started = []

    def start(create_table_ms: int) -> Dynalite:
        server = Dynalite(create_table_ms)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's compile cache."""
    return tmp_path_factory.mktemp("compiled")


@pytest.fixture(scope="session")
def runtime(compiled: Path) -> Runtime:
    """The installed package's component, compiled once for the session."""
    return Runtime(cache_dir=compiled)


@pytest.fixture
def fresh_runtime(compiled: Path, runtime: Runtime) -> Runtime:
    """A runtime of its own (from the compile cache): HTTP connections of no other test."""
    return Runtime(cache_dir=compiled)


_table_numbers = itertools.count()


def unique_table(purpose: str) -> str:
    """A table name no other test uses."""
    return f"{purpose}-{os.getpid()}-{next(_table_numbers)}"


@pytest.fixture
def open_store(dynalite: Dynalite, runtime: Runtime) -> Callable[..., DynamoDbStore]:
    """`open_store(table, **options)`: the plugin's defaults against the session's dynalite,
    with throwaway credentials."""

    def open_(table: str, **options: Any) -> DynamoDbStore:
        options.setdefault("endpoint", dynalite.endpoint)
        options.setdefault("credentials", (TEST_ACCESS_KEY, TEST_SECRET))
        return DynamoDbStore(table, runtime=runtime, **options)

    return open_


@pytest.fixture
def open_async_store(dynalite: Dynalite, runtime: Runtime) -> Callable[..., AsyncDynamoDbStore]:
    """`open_async_store(table, **options)`: as `open_store`, for the asyncio store. Use it
    inside `async with` (or close it) so that its connections close with the loop."""

    def open_(table: str, **options: Any) -> AsyncDynamoDbStore:
        options.setdefault("endpoint", dynalite.endpoint)
        options.setdefault("credentials", (TEST_ACCESS_KEY, TEST_SECRET))
        return AsyncDynamoDbStore(table, runtime=runtime, **options)

    return open_


@pytest.fixture
def fault_proxy(dynalite: Dynalite) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the session's dynalite."""
    proxy = FaultProxy(dynalite.endpoint)
    yield proxy
    proxy.stop()


@pytest.fixture
def boto3_client(dynalite: Dynalite) -> Any:
    """boto3's low-level DynamoDB client on the same dynalite: an independent reader/writer."""
    return boto3.client(
        "dynamodb",
        endpoint_url=dynalite.endpoint,
        region_name="us-east-1",
        aws_access_key_id=TEST_ACCESS_KEY,
        aws_secret_access_key=TEST_SECRET,
    )


def stored_item(client: Any, table: str, user_id: str, key_column: str = "userId") -> dict[str, Any] | None:
    """The stored attribute values of one item, exactly as DynamoDB returns them."""
    answer = client.get_item(TableName=table, Key={key_column: {"S": user_id}}, ConsistentRead=True)
    item: dict[str, Any] | None = answer.get("Item")
    return item


KINDS = ["blocking", "asyncio"]


class Store:
    """A blocking or an asyncio store behind one awaitable interface, used in one event loop."""

    def __init__(self, kind: str, table: str, **options: Any) -> None:
        options.setdefault("credentials", (TEST_ACCESS_KEY, TEST_SECRET))
        options.setdefault("retry_base_delay_ms", 1)
        options.setdefault("retry_max_delay_ms", 5)
        cls = DynamoDbStore if kind == "blocking" else AsyncDynamoDbStore
        self._store: Any = cls(table, **options)
        self._async = kind == "asyncio"

    async def _call(self, method: str, *args: Any) -> Any:
        result = getattr(self._store, method)(*args)
        return await result if self._async else result

    def load(self, user_id: Any) -> Awaitable[Any]:
        return self._call("load_user", user_id)

    def save(self, user_id: Any, item: Any) -> Awaitable[Any]:
        return self._call("save_user", user_id, item)

    async def close(self) -> None:
        await self._call("close")


def comparable(value: Any) -> Any:
    """A raw attribute value with set members sorted: DynamoDB keeps no set order."""
    (kind, inner), = value.items()
    if kind in ("SS", "NS", "BS"):
        return {kind: sorted(inner)}
    if kind == "M":
        return {"M": {name: comparable(member) for name, member in inner.items()}}
    if kind == "L":
        return {"L": [comparable(member) for member in inner]}
    return value


def comparable_item(item: dict[str, Any] | None) -> dict[str, Any]:
    """A raw item (as GetItem returns it) with every set's members sorted."""
    assert item is not None
    return {name: comparable(value) for name, value in item.items()}


def closed_endpoint() -> str:
    """An endpoint where nothing listens: every request fails to connect."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
