"""Python benchmarks (not tests), driven by bench/run.py; prints the same JSON lines as the
Rust binaries (see bench/rust/src/lib.rs).

    python bench.py <client> <endpoint> cold <small|large>
    python bench.py <client> <endpoint> latency <small|large> [ops reps warmup]
    python bench.py <client> <endpoint> throughput <small|large> [workers seconds]

ours: `jovo_dynamodb.DynamoDbStore` (host-tests/python/src on PYTHONPATH, the component from
JOVO_DYNAMODB_COMPONENT); ours-async: `jovo_dynamodb.aio.AsyncDynamoDbStore` on asyncio (its
throughput: `workers` tasks sharing one store). boto3: the low-level client's
get_item/put_item with boto3's own TypeSerializer/TypeDeserializer, so both sides start and
end with the same Python dict; its throughput: `workers` threads sharing one client (boto3
clients are thread-safe; botocore's pool gets `workers` connections).
"""
import asyncio
import json
import sys
import threading
import time
from pathlib import Path

client, endpoint, mode, shape, *rest = sys.argv[1:]
TABLE = "bench-users"
USER = f"bench-{shape}"
ITEM = json.loads((Path(__file__).resolve().parent.parent / "items" / f"{shape}.json").read_text())


def cpu() -> float:
    return time.process_time()  # user + system of the whole process, seconds


def make_client(workers: int = 10):
    if client == "ours-async":
        from jovo_dynamodb.aio import AsyncDynamoDbStore

        store = AsyncDynamoDbStore(TABLE, endpoint=endpoint, region="us-east-1",
                                   credentials=("bench", "bench-secret"))

        async def aload():
            return await store.load_user(USER)

        async def asave():
            await store.save_user(USER, ITEM)

        aload.close = store.close  # type: ignore[attr-defined]
        return aload, asave
    if client == "ours":
        from jovo_dynamodb import DynamoDbStore

        store = DynamoDbStore(TABLE, endpoint=endpoint, region="us-east-1",
                              credentials=("bench", "bench-secret"))

        def load():
            return store.load_user(USER)

        def save():
            store.save_user(USER, ITEM)

        return load, save
    import boto3
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
    from botocore.config import Config

    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="bench", aws_secret_access_key="bench-secret",
                       config=Config(max_pool_connections=max(10, workers)))
    serializer, deserializer = TypeSerializer(), TypeDeserializer()

    def load():
        item = ddb.get_item(TableName=TABLE, Key={"userId": {"S": USER}}, ConsistentRead=True).get("Item")
        return None if item is None else {k: deserializer.deserialize(v) for k, v in item.items()}

    def save():
        # boto3's serializer refuses float: a Python app stores Decimal (json.loads parse_float).
        item = {"userId": USER, **ITEM_DECIMAL}
        ddb.put_item(TableName=TABLE, Item={k: serializer.serialize(v) for k, v in item.items()})

    return load, save


ITEM_DECIMAL = json.loads(json.dumps(ITEM), parse_float=__import__("decimal").Decimal)



def latency_sync(load, save, ops, reps, warmup):
    save()
    for _ in range(warmup):
        load()
        save()
    for rep in range(reps):
        for op, fn in (("load", load), ("save", save)):
            walls = []
            c = cpu()
            for _ in range(ops):
                t = time.perf_counter()
                result = fn()
                walls.append((time.perf_counter() - t) * 1e6)
                if op == "load" and result is None:
                    raise SystemExit("no item loaded")
            print(json.dumps({"kind": "latency", "op": op, "rep": rep,
                              "cpu_us": (cpu() - c) * 1e6 / ops, "wall_us": walls}), flush=True)


async def latency_async(load, save, ops, reps, warmup):
    await save()
    for _ in range(warmup):
        await load()
        await save()
    for rep in range(reps):
        for op, fn in (("load", load), ("save", save)):
            walls = []
            c = cpu()
            for _ in range(ops):
                t = time.perf_counter()
                result = await fn()
                walls.append((time.perf_counter() - t) * 1e6)
                if op == "load" and result is None:
                    raise SystemExit("no item loaded")
            print(json.dumps({"kind": "latency", "op": op, "rep": rep,
                              "cpu_us": (cpu() - c) * 1e6 / ops, "wall_us": walls}), flush=True)


def report_throughput(workers, done, elapsed, used):
    print(json.dumps({"kind": "throughput", "op": "cycle", "workers": workers, "ops": done,
                      "ops_per_s": done / elapsed, "cpu_us": used * 1e6 / max(done, 1)}), flush=True)


async def throughput_async(load, save, workers, seconds):
    await save()
    state = {"stop": False, "count": 0}

    async def loop():
        while not state["stop"]:
            await load()
            await save()
            state["count"] += 2

    tasks = [asyncio.create_task(loop()) for _ in range(workers)]
    await asyncio.sleep(0.3)
    start, t, c = state["count"], time.perf_counter(), cpu()
    await asyncio.sleep(seconds)
    done, elapsed, used = state["count"] - start, time.perf_counter() - t, cpu() - c
    state["stop"] = True
    await asyncio.gather(*tasks)
    report_throughput(workers, done, elapsed, used)


def throughput_threads(load, save, workers, seconds):
    save()
    state = {"stop": False, "count": 0}
    lock = threading.Lock()

    def loop():
        while not state["stop"]:
            load()
            save()
            with lock:
                state["count"] += 2

    threads = [threading.Thread(target=loop) for _ in range(workers)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    start, t, c = state["count"], time.perf_counter(), cpu()
    time.sleep(seconds)
    done, elapsed, used = state["count"] - start, time.perf_counter() - t, cpu() - c
    state["stop"] = True
    for thread in threads:
        thread.join()
    report_throughput(workers, done, elapsed, used)


def main() -> None:
    args = [float(a) for a in rest if a.replace(".", "", 1).isdigit()]
    arg = lambda i, d: int(args[i]) if len(args) > i else d
    workers = arg(0, 64) if mode == "throughput" else 1
    load, save = make_client(workers)
    is_async = client == "ours-async"
    ops, reps, warmup = arg(0, 200), arg(1, 5), arg(2, 50)
    seconds = args[1] if len(args) > 1 else 2.0
    if not is_async:
        if mode == "cold":
            if load() is None:
                raise SystemExit("no item loaded")
            print(json.dumps({"event": "loaded"}), flush=True)
        elif mode == "latency":
            latency_sync(load, save, ops, reps, warmup)
        elif mode == "throughput":
            throughput_threads(load, save, workers, seconds)
        else:
            raise SystemExit(f"unknown mode {mode}")
        return

    async def run() -> None:
        try:
            if mode == "cold":
                if await load() is None:
                    raise SystemExit("no item loaded")
                print(json.dumps({"event": "loaded"}), flush=True)
            elif mode == "latency":
                await latency_async(load, save, ops, reps, warmup)
            elif mode == "throughput":
                await throughput_async(load, save, workers, seconds)
            else:
                raise SystemExit(f"unknown mode {mode}")
        finally:
            await load.close()

    asyncio.run(run())


main()
