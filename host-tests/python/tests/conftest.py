"""Shared by the tests: a real dynalite on 127.0.0.1 (started here, stopped by its PID), the
compiled component, and boto3 as the independent client that checks what was stored."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
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

REPOSITORY = Path(__file__).resolve().parents[3]
DYNALITE_SERVER = REPOSITORY / "scripts" / "node" / "dynalite-server.cjs"
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
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    """The installed package's component, compiled once for the session."""
    return Runtime(cache_dir=tmp_path_factory.mktemp("compiled"))


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


def closed_endpoint() -> str:
    """An endpoint where nothing listens: every request fails to connect."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
