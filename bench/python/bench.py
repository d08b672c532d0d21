"""Python benchmarks (not tests), driven by bench/run.py; prints the same JSON lines as the
Rust binaries (see bench/rust/src/lib.rs).

    python bench.py <ours|boto3> <endpoint> <cold|latency> <small|large> [ops reps warmup]

ours: `jovo_dynamodb.DynamoDbStore` (host-tests/python/src on PYTHONPATH, the component from
JOVO_DYNAMODB_COMPONENT). boto3: the low-level client's get_item/put_item with boto3's own
TypeSerializer/TypeDeserializer, so both sides start and end with the same Python dict.
"""
import json
import sys
import time
from pathlib import Path

client, endpoint, mode, shape, *rest = sys.argv[1:]
TABLE = "bench-users"
USER = f"bench-{shape}"
ITEM = json.loads((Path(__file__).resolve().parent.parent / "items" / f"{shape}.json").read_text())


def cpu() -> float:
    return time.process_time()  # user + system of the whole process, seconds


def make_client():
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

    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="bench", aws_secret_access_key="bench-secret")
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

load, save = make_client()
if mode == "cold":
    load()
    print(json.dumps({"event": "loaded"}), flush=True)
elif mode == "latency":
    ops, reps, warmup = (int(rest[i]) if len(rest) > i else d for i, d in enumerate((200, 5, 50)))
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
