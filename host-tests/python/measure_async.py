"""Measures AsyncDynamoDbStore next to DynamoDbStore and boto3: what one `load_user` costs the
client (CPU time per operation, from the process's own clock) and how many a process gets
through at concurrency 1 and 64.

Servers: a stub of our own (a separate process that answers canned DynamoDB responses at
once: the client's cost) and dynalite (end to end). Peers at concurrency 64: the async store
as 64 tasks on one event loop; the blocking store and boto3 (get_item + TypeDeserializer) each
in a pool of 64 threads.

    .venv/bin/python measure_async.py [--operations 2000]

aioboto3 (get_item + TypeDeserializer, 64 tasks) is measured when it is installed; it is not
in the test extras (aiobotocore pins its own botocore), so run this script from a venv of its
own for it: `pip install aioboto3 ./host-tests/python boto3`.

Numbers are from one machine and one run, with other work on it; compare ratios, not
absolute times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import boto3
from boto3.dynamodb.types import TypeDeserializer

from jovo_dynamodb import AsyncDynamoDbStore, DynamoDbStore

HERE = Path(__file__).resolve().parent
DYNALITE_SERVER = HERE.parent.parent / "scripts" / "node" / "dynalite-server.cjs"
TABLE, USER = "measure-users", "amzn1.ask.account.MEASURE"
KEY, SECRET = "AKIDMEASURE", "measure-secret"
ITEM = {
    "user": {"data": {"visits": 12, "name": "Ada", "favoriteColors": ["blue", "green"]}},
    "session": {"state": [{"component": "GameComponent"}], "data": {}},
    "createdAt": "2026-11-01T08:00:00.000Z",
    "updatedAt": "2026-11-24T10:00:00.000Z",
}
STORED = {
    "userId": {"S": USER},
    "user": {"M": {"data": {"M": {"visits": {"N": "12"}, "name": {"S": "Ada"},
                                  "favoriteColors": {"L": [{"S": "blue"}, {"S": "green"}]}}}}},
    "session": {"M": {"state": {"L": [{"M": {"component": {"S": "GameComponent"}}}]}, "data": {"M": {}}}},
    "createdAt": {"S": "2026-11-01T08:00:00.000Z"},
    "updatedAt": {"S": "2026-11-24T10:00:00.000Z"},
}


def stub_server() -> None:
    """Answers DescribeTable (ACTIVE), GetItem (the item) and anything else ({}) at once,
    keep-alive, with `x-amz-crc32`. Prints "listening URL"."""
    table = {"Table": {"TableName": TABLE, "TableStatus": "ACTIVE",
                       "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}],
                       "AttributeDefinitions": [{"AttributeName": "userId", "AttributeType": "S"}]}}
    bodies = {b"DescribeTable": json.dumps(table).encode(), b"GetItem": json.dumps({"Item": STORED}).encode()}

    class Stub(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport, self.buffer = transport, b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                head, rest = self.buffer.split(b"\r\n\r\n", 1)
                length, target = 0, b""
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                    elif name.strip().lower() == b"x-amz-target":
                        target = value.strip().rsplit(b".", 1)[-1]
                if len(rest) < length:
                    return
                self.buffer = rest[length:]
                body = bodies.get(target, b"{}")
                self.transport.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\n"
                    b"x-amz-crc32: %d\r\ncontent-length: %d\r\n\r\n%s" % (zlib.crc32(body), len(body), body)
                )

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(Stub, "127.0.0.1", 0)
        print(f"listening http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until our parent closes it

    asyncio.run(serve())


def start(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip().removeprefix("listening ")


def measure(endpoint: str, operations: int) -> dict[str, dict[str, float]]:
    blocking = DynamoDbStore(TABLE, endpoint=endpoint, credentials=(KEY, SECRET))
    blocking.save_user(USER, ITEM)
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=KEY, aws_secret_access_key=SECRET)
    deserializer = TypeDeserializer()

    def boto3_load() -> None:
        answer = client.get_item(TableName=TABLE, Key={"userId": {"S": USER}}, ConsistentRead=True)
        {name: deserializer.deserialize(value) for name, value in answer["Item"].items()}

    results: dict[str, dict[str, float]] = {}
    for concurrency in (1, 64):
        results[f"async store, {concurrency} tasks"] = asyncio.run(async_run(endpoint, operations, concurrency))
        if aioboto3_installed():
            results[f"aioboto3 get_item, {concurrency} tasks"] = asyncio.run(
                aioboto3_run(endpoint, operations, concurrency))
        results[f"blocking store, {concurrency} threads"] = threaded_run(
            lambda: blocking.load_user(USER), operations, concurrency)
        results[f"boto3 get_item, {concurrency} threads"] = threaded_run(boto3_load, operations, concurrency)
    return results


async def async_run(endpoint: str, operations: int, concurrency: int) -> dict[str, float]:
    async with AsyncDynamoDbStore(TABLE, endpoint=endpoint, credentials=(KEY, SECRET)) as store:
        for _ in range(50):
            await store.load_user(USER)
        latencies: list[float] = []

        async def worker(count: int) -> None:
            for _ in range(count):
                started = time.perf_counter()
                await store.load_user(USER)
                latencies.append(time.perf_counter() - started)

        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker(operations // concurrency) for _ in range(concurrency)))
        return summary(latencies, time.process_time() - cpu, time.perf_counter() - wall)


def aioboto3_installed() -> bool:
    try:
        import aioboto3  # noqa: F401
    except ImportError:
        return False
    return True


async def aioboto3_run(endpoint: str, operations: int, concurrency: int) -> dict[str, float]:
    import aioboto3
    from botocore.config import Config

    deserializer = TypeDeserializer()
    session = aioboto3.Session(aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name="us-east-1")
    async with session.client("dynamodb", endpoint_url=endpoint, config=Config(max_pool_connections=64)) as client:

        async def load() -> None:
            answer = await client.get_item(TableName=TABLE, Key={"userId": {"S": USER}}, ConsistentRead=True)
            {name: deserializer.deserialize(value) for name, value in answer["Item"].items()}

        for _ in range(50):
            await load()
        latencies: list[float] = []

        async def worker(count: int) -> None:
            for _ in range(count):
                started = time.perf_counter()
                await load()
                latencies.append(time.perf_counter() - started)

        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker(operations // concurrency) for _ in range(concurrency)))
        return summary(latencies, time.process_time() - cpu, time.perf_counter() - wall)


def threaded_run(call: Callable[[], object], operations: int, concurrency: int) -> dict[str, float]:
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda _: call(), range(max(50, concurrency * 2))))  # connections open
        latencies: list[float] = []

        def worker(count: int) -> None:
            for _ in range(count):
                started = time.perf_counter()
                call()
                latencies.append(time.perf_counter() - started)

        cpu, wall = time.process_time(), time.perf_counter()
        list(pool.map(worker, [operations // concurrency] * concurrency))
        return summary(latencies, time.process_time() - cpu, time.perf_counter() - wall)


def summary(latencies: list[float], cpu_s: float, wall_s: float) -> dict[str, float]:
    return {
        "cpu_ms_per_op": cpu_s / len(latencies) * 1e3,
        "ops_per_s": len(latencies) / wall_s,
        "median_ms": statistics.median(latencies) * 1e3,
        "p99_ms": statistics.quantiles(latencies, n=100)[98] * 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operations", type=int, default=2000, help="load_user calls per peer and concurrency")
    parser.add_argument("--stub-server", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.stub_server:
        return stub_server()
    for name, command in (("stub", [sys.executable, __file__, "--stub-server"]),
                          ("dynalite", ["node", str(DYNALITE_SERVER), "--exit-with-stdin"])):
        process, endpoint = start(command)
        try:
            results = measure(endpoint, options.operations)
        finally:
            assert process.stdin is not None
            process.stdin.close()
            process.wait()
        print(f"\n{name}: load_user of a small item, {options.operations} per row")
        print(f"{'peer':36} {'CPU ms/op':>10} {'ops/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for peer, numbers in results.items():
            print(f"{peer:36} {numbers['cpu_ms_per_op']:10.2f} {numbers['ops_per_s']:8.0f} "
                  f"{numbers['median_ms']:8.2f} {numbers['p99_ms']:8.2f}")


if __name__ == "__main__":
    main()
