"""Measures what the component costs a Python backend, next to boto3, against one dynalite.

1. Per call: `DynamoDbStore.load_user` vs boto3 `client.get_item` (plus boto3's
   TypeDeserializer, so both end with a Python dict) vs a raw keep-alive urllib3 POST (the
   floor: what any client must pay for the exchange), each the median of many calls of the
   same Jovo-shaped item, and the client's CPU time per call.
2. Start: a fresh Python process importing the client, constructing it and loading one item,
   with the compile cache warm and cold (boto3 has no such cache).

    .venv/bin/python measure_overhead.py [--calls 500] [--starts 5]

Numbers are from one machine and one run; compare ratios, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import boto3
import urllib3
from boto3.dynamodb.types import TypeDeserializer

from jovo_dynamodb import DynamoDbStore

HERE = Path(__file__).resolve().parent
DYNALITE_SERVER = HERE.parent.parent / "scripts" / "node" / "dynalite-server.cjs"
TABLE = "overhead-users"
USER = "amzn1.ask.account.MEASURE"
ACCESS_KEY, SECRET = "AKIDMEASURE", "measure-secret"
ITEM = {
    "user": {"data": {"visits": 12, "name": "Ada", "favoriteColors": ["blue", "green"]}},
    "session": {"state": [{"component": "GameComponent", "resolve": {"win": "onWin"}}], "data": {}},
    "history": {"items": [{"output": [{"message": "Welcome back!"}], "nlu": {"intent": {"name": "LaunchIntent"}}}]},
    "createdAt": "2026-11-01T08:00:00.000Z",
    "updatedAt": "2026-11-24T10:00:00.000Z",
}

# Run in a fresh interpreter: {client} is replaced by one of the snippets below.
START_PROGRAM = """
import sys, time
started = time.perf_counter()
{imports}
imported = time.perf_counter()
{first_call}
done = time.perf_counter()
print((imported - started) * 1e3, (done - imported) * 1e3)
"""
OURS = {
    "imports": "from jovo_dynamodb import DynamoDbStore",
    "first_call": "DynamoDbStore({table!r}, endpoint={endpoint!r}, credentials=({key!r}, {secret!r})).load_user({user!r})",
}
BOTO3 = {
    "imports": "import boto3",
    "first_call": (
        "boto3.client('dynamodb', endpoint_url={endpoint!r}, region_name='us-east-1', "
        "aws_access_key_id={key!r}, aws_secret_access_key={secret!r})"
        ".get_item(TableName={table!r}, Key={{'userId': {{'S': {user!r}}}}}, ConsistentRead=True)"
    ),
}


def main() -> None:
    options = parse_arguments()
    server = subprocess.Popen(
        ["node", str(DYNALITE_SERVER), "--exit-with-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        endpoint = server.stdout.readline().strip().removeprefix("listening ")  # type: ignore[union-attr]
        per_call = measure_calls(endpoint, options.calls)
        large_item = measure_large_item(endpoint)
        starts = measure_starts(endpoint, options.starts)
    finally:
        server.terminate()
        server.wait()
    report(per_call, large_item, starts, options)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=500, help="calls per client for the per-call medians")
    parser.add_argument("--starts", type=int, default=5, help="fresh processes per start scenario")
    return parser.parse_args()


def measure_calls(endpoint: str, calls: int) -> dict[str, dict[str, float]]:
    store = DynamoDbStore(TABLE, endpoint=endpoint, credentials=(ACCESS_KEY, SECRET))
    store.save_user(USER, ITEM)
    client = boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET,
    )
    deserializer = TypeDeserializer()

    def boto3_get_item() -> None:
        answer = client.get_item(TableName=TABLE, Key={"userId": {"S": USER}}, ConsistentRead=True)
        {name: deserializer.deserialize(value) for name, value in answer["Item"].items()}

    clients: dict[str, Callable[[], object]] = {
        "jovo_dynamodb load_user": lambda: store.load_user(USER),
        "boto3 get_item + deserialize": boto3_get_item,
        "raw urllib3 POST (floor)": raw_get_item(endpoint),
    }
    return time_calls(clients, calls)


def measure_large_item(endpoint: str) -> dict[str, dict[str, float]]:
    """A user near DynamoDB's 400 KB limit: where moving the body across the boundary counts."""
    user, item = "heavy-user", {"user": {"data": {"blob": "x" * (390 * 1024)}}}
    store = DynamoDbStore(TABLE, endpoint=endpoint, credentials=(ACCESS_KEY, SECRET))
    client = boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET,
    )
    store.save_user(user, item)
    return time_calls({
        "jovo_dynamodb load_user": lambda: store.load_user(user),
        "boto3 get_item": lambda: client.get_item(TableName=TABLE, Key={"userId": {"S": user}}, ConsistentRead=True),
        "jovo_dynamodb save_user": lambda: store.save_user(user, item),
        "boto3 put_item": lambda: client.put_item(
            TableName=TABLE, Item={"userId": {"S": user}, "user": {"M": {"data": {"M": {"blob": {"S": item["user"]["data"]["blob"]}}}}}}
        ),
    }, 25)


def raw_get_item(endpoint: str) -> Callable[[], object]:
    """One GetItem as plain keep-alive HTTP: dynalite needs an Authorization header, not a
    valid signature."""
    pool = urllib3.PoolManager()
    body = json.dumps({"TableName": TABLE, "Key": {"userId": {"S": USER}}, "ConsistentRead": True}).encode()
    headers = {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "DynamoDB_20120810.GetItem",
        "authorization": f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20260101/us-east-1/dynamodb/aws4_request, "
                         "SignedHeaders=host, Signature=00",
    }
    return lambda: json.loads(pool.request("POST", endpoint, body=body, headers=headers).data)


def time_calls(clients: dict[str, Callable[[], object]], calls: int) -> dict[str, dict[str, float]]:
    """Median and p99 latency and mean CPU time per call. The clients take turns in rounds
    of 25 calls, so that load from elsewhere on the machine hits them alike."""
    wall: dict[str, list[float]] = {name: [] for name in clients}
    cpu: dict[str, float] = {name: 0.0 for name in clients}
    for call in clients.values():
        for _ in range(20):  # connections open, caches warm
            call()
    for _ in range(max(1, calls // 25)):
        for name, call in clients.items():
            cpu_started = time.process_time()
            for _ in range(25):
                started = time.perf_counter()
                call()
                wall[name].append(time.perf_counter() - started)
            cpu[name] += time.process_time() - cpu_started
    return {
        name: {
            "median_ms": statistics.median(samples) * 1e3,
            "p99_ms": statistics.quantiles(samples, n=100)[98] * 1e3,
            "cpu_ms": cpu[name] / len(samples) * 1e3,
        }
        for name, samples in wall.items()
    }


def measure_starts(endpoint: str, starts: int) -> dict[str, dict[str, float]]:
    values = {"endpoint": endpoint, "key": ACCESS_KEY, "secret": SECRET, "table": TABLE, "user": USER}
    warm_cache = tempfile.mkdtemp(prefix="jovo-cache-warm-")
    run_start(OURS, values, warm_cache)  # fills it
    scenarios = {
        "jovo_dynamodb, compile cache warm": lambda: run_start(OURS, values, warm_cache),
        "jovo_dynamodb, compile cache cold": lambda: run_start(OURS, values, tempfile.mkdtemp(prefix="jovo-cache-cold-")),
        "boto3": lambda: run_start(BOTO3, values, warm_cache),
    }
    results = {}
    for name, start in scenarios.items():
        samples = [start() for _ in range(starts)]
        results[name] = {
            "import_ms": statistics.median(s[0] for s in samples),
            "first_call_ms": statistics.median(s[1] for s in samples),
            "process_ms": statistics.median(s[2] for s in samples),
        }
    return results


def run_start(snippets: dict[str, str], values: dict[str, str], cache_dir: str) -> list[float]:
    """[import ms, construct + first call ms, whole process ms] of one fresh interpreter."""
    program = START_PROGRAM.format(
        imports=snippets["imports"], first_call=snippets["first_call"].format(**values)
    )
    environment = {"JOVO_DYNAMODB_CACHE_DIR": cache_dir, "PATH": "/usr/bin:/bin"}
    started = time.perf_counter()
    output = subprocess.run([sys.executable, "-c", program], env=environment, capture_output=True, text=True, check=True)
    process_ms = (time.perf_counter() - started) * 1e3
    imported_ms, first_call_ms = (float(part) for part in output.stdout.split())
    return [imported_ms, first_call_ms, process_ms]


def report(
    per_call: dict[str, dict[str, float]],
    large_item: dict[str, dict[str, float]],
    starts: dict[str, dict[str, float]],
    options: argparse.Namespace,
) -> None:
    print(f"Per call, {options.calls} calls each, one Jovo-shaped item (~0.5 KB), dynalite on 127.0.0.1:")
    print_calls(per_call)
    print("\nA 390 KB item, 25 calls each:")
    print_calls(large_item)
    print(f"\nFresh process, median of {options.starts} (first call of jovo_dynamodb includes DescribeTable):")
    print(f"  {'scenario':34} {'import ms':>10} {'construct+1st call ms':>22} {'process ms':>11}")
    for name, numbers in starts.items():
        print(f"  {name:34} {numbers['import_ms']:10.1f} {numbers['first_call_ms']:22.1f} {numbers['process_ms']:11.1f}")


def print_calls(results: dict[str, dict[str, float]]) -> None:
    print(f"  {'client':34} {'median ms':>10} {'p99 ms':>8} {'CPU ms':>8}")
    for name, numbers in results.items():
        print(f"  {name:34} {numbers['median_ms']:10.3f} {numbers['p99_ms']:8.3f} {numbers['cpu_ms']:8.3f}")


if __name__ == "__main__":
    main()
